"""Baseline files: one reviewable JSON file per test, written atomically and validated on every read.

A baseline is what a pull request shows when a model's quality moves, so the file is made for reading diffs:
sorted keys, two-space indent, floats rounded to 12 significant digits (so a value that did not move does not
change its last digit from one platform to the next), and nothing opaque except the data fingerprint's hashes.
Writes go to a temporary file in the same directory and are moved into place with ``os.replace``: a killed run or
two pytest-xdist workers writing at once never leave half a file. Reads never unpickle anything; a file that is
not what we wrote is a :class:`GateError` naming the file and the problem, and it is left as it is.

Optional predictions sit next to the JSON as a ``.npz`` file (loaded with ``allow_pickle=False``), referenced from
the JSON with its SHA-256 so a stale or swapped file is caught.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pytest_mlgate._files import write_atomic
from pytest_mlgate.results import GateError, hide_our_frames

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

SCHEMA_VERSION = 1
HIGHER, LOWER = "higher_is_better", "lower_is_better"
UPDATE_FLAG = "--mlgate-update-baselines"
_UNSAFE = re.compile(r"[^A-Za-z0-9._\-\[\]]")
_MAX_STEM = 150


# --- names -------------------------------------------------------------------------------------------------------

_SAFE_DIR = re.compile(r"[A-Za-z0-9._\-]+")
_HASHED = re.compile(r"-[0-9a-f]{12}$")


def baseline_path(directory: Path, key: str, name: str | None = None) -> Path:
    """The JSON file of one test, from its identity ``file::Class::test[params]`` (the file relative to the
    baseline folder's parent, so the same file whatever the rootdir) and the optional baseline ``name``.

    The file's folders become sub-folders; ``::`` becomes ``__``. The mapping is injective: a readable name is
    used only when turning each ``__`` back into ``::`` gives the key again (no other character was replaced,
    no ``__`` or ``_`` next to ``::`` in the key); otherwise (or for a very long name) a hash of the whole key
    is appended, and a readable name never ends the way a hashed one does."""
    full = key if name is None else f"{key}::{name}"
    folder, _, rest = full.partition("::")
    parts = folder.split("/")
    if rest and all(_SAFE_DIR.fullmatch(p) and p not in (".", "..") for p in parts):
        subdirs, tail = parts[:-1], f"{parts[-1]}::{rest}"
    else:
        subdirs, tail = [], full
    readable = tail.replace("::", "__")
    stem = _UNSAFE.sub("_", readable)
    reversible = stem == readable and readable.replace("__", "::") == tail
    if not reversible or len(stem) > _MAX_STEM or not stem.strip("._") or _HASHED.search(stem):
        digest = hashlib.sha256(full.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        stem = f"{stem[:_MAX_STEM].rstrip('.')}-{digest}"
    return Path(directory, *subdirs, f"{stem}.json")


def legacy_baseline_path(directory: Path, node_id: str, name: str | None = None) -> Path:
    """Where pytest-mlgate 0.1.0 put a test's file (named from the rootdir-relative node id): still read, and
    moved to :func:`baseline_path` on the next update."""
    key = node_id if name is None else f"{node_id}::{name}"
    readable = key.replace("::", "__").replace("/", "__").replace("\\", "__")
    stem = _UNSAFE.sub("_", readable)
    if stem != readable or len(stem) > _MAX_STEM or not stem.strip("._"):
        stem = f"{stem[:_MAX_STEM].rstrip('.')}-{zlib.crc32(key.encode('utf-8', 'surrogatepass')):08x}"
    return Path(directory) / f"{stem}.json"


def file_to_read(path: Path, legacy: Path | None) -> Path:
    """The baseline file a test reads: its own (a link too, which reading then refuses), else the 0.1.0 file of
    the same test while it has not been migrated."""
    return path if path.exists() or path.is_symlink() or legacy is None or not legacy.exists() else legacy


def predictions_path(path: Path, sha256: str | None = None) -> Path:
    """The ``.npz`` beside a baseline. New files carry their content's hash in the name, so a new pair never
    overwrites the file the old JSON points at (0.1.0 used the plain name)."""
    stem = path.name[: -len(".json")] if path.name.endswith(".json") else path.stem
    suffix = f"-{sha256[:16]}" if sha256 else ""
    return path.with_name(f"{stem}.predictions{suffix}.npz")


def companions(path: Path) -> list[Path]:
    """Every ``.npz`` of this baseline (any hash) and every temporary file a killed write left for them."""
    stem = re.escape(path.name[: -len(".json")])
    npz = rf"\.?{stem}\.predictions(-[0-9a-f]{{16}})?\.npz(\..*\.tmp)?"
    pattern = re.compile(rf"{npz}|\.{re.escape(path.name)}\..*\.tmp")
    with contextlib.suppress(OSError):
        return [p for p in path.parent.iterdir() if pattern.fullmatch(p.name)]
    return []


# --- the file's content --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricBaseline:
    """One metric as the baseline measured it."""

    value: float
    interval: tuple[float, float] | None
    n: int
    greater_is_better: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "interval": list(self.interval) if self.interval is not None else None,
            "n": self.n,
            "direction": HIGHER if self.greater_is_better else LOWER,
        }


@dataclass(frozen=True)
class Baseline:
    """What a baseline file holds. ``data`` is the evaluation data's fingerprint (see :func:`fingerprint`);
    ``confidence`` the two-sided level of the stored intervals; ``predictions`` the ``.npz`` file's name and
    SHA-256 when the model's predictions were stored."""

    node_id: str
    metrics: dict[str, MetricBaseline]
    data: dict[str, Any]
    confidence: float
    n_resamples: int
    predictions: dict[str, str] | None = None
    written_at: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    history: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "history": list(self.history),
            "schema_version": SCHEMA_VERSION,
            "node_id": self.node_id,
            "metrics": {name: entry.to_dict() for name, entry in self.metrics.items()},
            "data": self.data,
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "predictions": self.predictions,
            "written_at": self.written_at,
            "versions": self.versions,
        }


#: Accepted updates kept in a baseline file's history (the oldest are dropped first).
MAX_HISTORY = 50


def history_entry(baseline: Baseline, commit: str | None) -> dict[str, Any]:
    """What one accepted update adds to the history: each metric's value, interval and n, the versions, and the
    commit (when known), so a reviewer sees one new entry per real change."""
    return stable({
        "metrics": {name: {"value": e.value, "interval": list(e.interval) if e.interval else None, "n": e.n}
                    for name, e in sorted(baseline.metrics.items())},
        "versions": baseline.versions, "commit": commit, "written_at": baseline.written_at,
    })


def same_content(a: Baseline, b: Baseline) -> bool:
    """True when two baselines differ at most in when and with what they were written."""
    keep = ("written_at", "versions", "history")
    left = {k: v for k, v in stable(a.to_dict()).items() if k not in keep}
    right = {k: v for k, v in stable(b.to_dict()).items() if k not in keep}
    return left == right


def with_history(new: Baseline, old: Baseline | None, commit: str | None) -> Baseline:
    """``new`` carrying ``old``'s history plus one entry for itself; ``old`` itself when nothing changed, so an
    update that changes nothing rewrites nothing (no timestamp churn in a reviewed file)."""
    from dataclasses import replace

    if old is None:
        return replace(new, history=(history_entry(new, commit),))
    if same_content(new, old):
        return old
    earlier = old.history or (history_entry(old, None),)  # a 0.1 file: its values are the first entry
    return replace(new, history=(*earlier, history_entry(new, commit))[-MAX_HISTORY:])


def current_commit(directory: Path) -> str | None:
    """The commit being tested: from the CI's environment, else from git in ``directory``; None when unknown."""
    import os
    import subprocess

    for variable in ("GITHUB_SHA", "CI_COMMIT_SHA", "BUILD_VCS_NUMBER", "BUILDKITE_COMMIT", "CIRCLE_SHA1",
                     "GIT_COMMIT"):
        value = os.environ.get(variable, "").strip()
        if re.fullmatch(r"[0-9a-fA-F]{7,64}", value):
            return value
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", sha) else None


def best_accepted(baseline: Baseline, metric: str) -> tuple[float, tuple[float, float] | None] | None:
    """The best value (and its interval) any accepted update of ``metric`` had, from the history and the file."""
    entry = baseline.metrics.get(metric)
    if entry is None:
        return None
    candidates = [(entry.value, entry.interval)]
    for item in baseline.history:
        stored = item["metrics"].get(metric)
        if stored is not None:
            interval = stored.get("interval")
            candidates.append((float(stored["value"]), (float(interval[0]), float(interval[1])) if interval else None))
    sign = 1.0 if entry.greater_is_better else -1.0
    return max(candidates, key=lambda c: sign * c[0])


def stable(value: Any) -> Any:
    """Floats rounded to 12 significant digits, recursively; other values unchanged."""
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): stable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [stable(v) for v in value]
    return value


def dumps(baseline: Baseline) -> str:
    """The file's text: sorted keys, indented, stable floats, a final newline. ``confidence`` is a setting, not a
    measurement: it is written in full (rounded, 1 - 2e-13 would read back as 1, which no file may hold)."""
    doc = stable(baseline.to_dict())
    doc["confidence"] = baseline.confidence
    return json.dumps(doc, indent=2, sort_keys=True, allow_nan=False) + "\n"


def versions() -> dict[str, str]:
    """The versions that produced a baseline, for whoever wonders later why it moved."""
    import platform
    from importlib import metadata

    found = {"python": platform.python_version()}
    for dist in ("pytest-mlgate", "numpy", "pandas", "scikit-learn"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[dist] = metadata.version(dist)
    return found


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- fingerprint of the evaluation data ---------------------------------------------------------------------------


def _digest(frame: Any) -> str:
    import numpy as np
    import pandas as pd

    try:
        hashes = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:  # unhashable cells (lists, dicts): hash their text instead
        hashes = pd.util.hash_pandas_object(frame.astype(str), index=False)
    return hashlib.sha256(np.ascontiguousarray(hashes.to_numpy(dtype=np.uint64)).tobytes()).hexdigest()


def _normalized_weights(sample_weight: Any) -> Any:
    """The weights as the metrics see them: scaled to sum to one and rounded to 12 significant digits, so weights
    of 2 and weights of 1 (or 0.1 and 0.3 against 1 and 3) give the same hash; None for no weights or constant
    ones, which weigh every row alike (the unweighted metric)."""
    import numpy as np

    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=float).ravel()
    total = weights.sum()
    if weights.size == 0 or not np.isfinite(total) or total <= 0 or np.all(weights == weights[0]):
        return None
    mantissa, exponent = np.frexp(weights / total)
    return np.ldexp(np.round(mantissa * 2.0**40) / 2.0**40, exponent)  # 40 bits: about 12 digits


def fingerprint(X: Any, y: Any, sample_weight: Any = None) -> dict[str, Any]:
    """Shape, column names and SHA-256 hashes of the values (row by row, with pandas' stable row hashes), of
    the labels and, when given, of the sample weights (a weighted metric is another number than the unweighted
    one). Same fingerprint, same evaluation data; any edited cell, reordered row, renamed column or changed
    weight changes it (weights are compared as shares of their sum: scaling them all changes no metric). ``X``
    may be ``None`` when predictions were passed instead of a model. Unweighted data (or constant weights) has no
    weights key, so unweighted files written before weights were recorded still match."""
    import pandas as pd

    from pytest_mlgate._frames import to_frame

    labels = y.to_numpy() if isinstance(y, pd.Series) else y
    result: dict[str, Any] = {
        "n_rows": len(labels),
        "n_columns": None,
        "columns": None,
        "values_sha256": None,
        "labels_sha256": _digest(pd.Series(labels, name="y")),
    }
    weights = _normalized_weights(sample_weight)
    if weights is not None:
        result["weights_sha256"] = _digest(pd.Series(weights, name="w"))
    if X is not None:
        frame = to_frame(X)
        result.update(
            n_rows=int(frame.shape[0]),
            n_columns=int(frame.shape[1]),
            columns=[str(c) for c in frame.columns],
            values_sha256=_digest(frame),
        )
    return result


def fingerprint_differences(stored: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between two fingerprints ("n_rows 1000 -> 900", "values differ")."""
    problems = []
    for key in ("n_rows", "n_columns"):
        if stored.get(key) != current.get(key):
            problems.append(f"{key} {stored.get(key)} -> {current.get(key)}")
    old_cols, new_cols = stored.get("columns"), current.get("columns")
    if old_cols != new_cols:
        if isinstance(old_cols, list) and isinstance(new_cols, list):
            gone = [c for c in old_cols if c not in new_cols]
            added = [c for c in new_cols if c not in old_cols]
            parts = [f"missing {gone}" if gone else "", f"new {added}" if added else ""]
            problems.append("columns " + (", ".join(p for p in parts if p) or "reordered"))
        else:
            problems.append(f"columns {old_cols} -> {new_cols}")
    elif stored.get("values_sha256") != current.get("values_sha256") and stored.get("n_rows") == current.get("n_rows"):
        problems.append("the values in X differ (same shape and columns)")
    if stored.get("labels_sha256") != current.get("labels_sha256") and stored.get("n_rows") == current.get("n_rows"):
        problems.append("the labels y differ")
    old_weights, new_weights = stored.get("weights_sha256"), current.get("weights_sha256")
    if old_weights != new_weights and stored.get("n_rows") == current.get("n_rows"):
        problems.append("it records no sample weights (written unweighted, or before pytest-mlgate recorded them), "
                        "this run passes them" if old_weights is None
                        else "it was written with sample weights, this run passes none" if new_weights is None
                        else "the sample weights differ")
    return problems


# --- writing -------------------------------------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> None:
    """Write a baseline file atomically (see :func:`pytest_mlgate._files.write_atomic`); a failure names the file."""
    try:
        write_atomic(path, data, through_links=False)
    except OSError as exc:
        raise GateError(f"could not write the baseline file {path}: {exc.strerror or exc}") from None


def npz_bytes(arrays: Mapping[str, Any]) -> bytes:
    """An ``.npz`` whose bytes depend only on the arrays (``np.savez`` stamps the time into the zip): strings
    as unicode arrays, never objects."""
    import numpy as np

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            values = np.asarray(arrays[name])
            values = values.astype(str) if values.dtype.kind == "O" else values
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(values), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def write_pair(path: Path, baseline: Baseline, arrays: Mapping[str, Any] | None = None,
               replaces: Path | None = None, commit: str | None = None) -> bool:
    """Write a baseline and its stored predictions as one unit; returns whether anything changed on disk.

    The ``.npz`` is named by its hash and written first, the JSON that points at it is moved into place second,
    and only then are the old ``.npz`` and leftovers of killed writes removed: a run killed at any moment leaves
    the old pair or the new pair. Nothing is written when the file already says the same (apart from when and
    with which versions it was written), so an update that changed nothing leaves the file byte-identical.
    Writers of one folder take turns (a lock on the folder), so parallel xdist workers leave one valid pair, and
    the history is merged with the file as it is inside the lock: two runs updating one file keep both entries
    (``commit`` names the entry this write adds; see :func:`with_history`).
    ``replaces`` is a 0.1.0 file of the same test, removed once the new one is in place."""
    with _folder_lock(path.parent, exclusive=True):
        data = npz_bytes(arrays) if arrays else None
        reference = None
        if data is not None:
            digest = hashlib.sha256(data).hexdigest()
            reference = {"file": predictions_path(path, digest).name, "sha256": digest}
        on_disk = None
        # a 0.1.0 file being migrated carries the history when the new file does not exist yet
        source = file_to_read(path, replaces)
        if source.exists():
            with contextlib.suppress(GateError):  # a broken file is replaced: that is what the update flag is for
                on_disk = read_baseline(source)
        baseline = with_history(replace(baseline, predictions=reference), on_disk, commit)
        # with_history returns the file as read when nothing changed; a link is replaced by a real file, and a
        # pair whose predictions file went missing is written again
        unchanged = (source == path and baseline is on_disk and path.is_file()
                     and not path.is_symlink() and (reference is None or (path.parent / reference["file"]).is_file()))
        if data is not None and reference is not None and not unchanged:
            atomic_write(path.parent / reference["file"], data)
        if not unchanged:
            atomic_write(path, dumps(baseline).encode("utf-8"))
        keep = path.parent / reference["file"] if reference else None
        for leftover in companions(path):
            if leftover != keep:
                remove_stale(leftover)
        if replaces is not None and replaces != path and replaces.exists():
            for old in (replaces, predictions_path(replaces), *companions(replaces)):
                remove_stale(old)
        return not unchanged


@contextlib.contextmanager
def _folder_lock(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """An advisory lock on the baseline folder (POSIX ``flock``; elsewhere no lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_baseline(path: Path, baseline: Baseline) -> None:
    atomic_write(path, dumps(baseline).encode("utf-8"))


def write_predictions(path: Path, arrays: Mapping[str, Any]) -> dict[str, str]:
    """Store prediction arrays as ``.npz`` at ``path``; returns the reference (file name and SHA-256)."""
    data = npz_bytes(arrays)
    atomic_write(path, data)
    return {"file": path.name, "sha256": hashlib.sha256(data).hexdigest()}


def remove_stale(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# --- reading -------------------------------------------------------------------------------------------------------


MAX_JSON_BYTES = 16 * 2**20
MAX_NPZ_BYTES = 1 * 2**30
_MAX_DEPTH = 32
_MAX_INT_DIGITS = 30


def read_bytes_safely(path: Path, *, limit: int, what: str = "baseline file", folder: Path | None = None) -> bytes:
    """The bytes of a regular file inside ``folder`` (default: its own folder), at most ``limit`` of them.

    Opened without blocking and checked with ``fstat`` on the open descriptor, so a FIFO never hangs the run,
    a device is never read, and a file swapped after the check is still the one examined."""
    folder = Path(folder if folder is not None else path.parent)
    try:
        real, inside = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    except (OSError, ValueError) as exc:
        raise _broken(path, f"its path cannot be resolved ({exc})", what) from None
    if real != inside and inside not in real.parents:
        raise _broken(path, f"it is a link to {real}, outside the baseline folder {inside}", what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise GateError(f"could not read the {what} {path}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise GateError(f"could not read the {what} {path}: it is not a regular file (a FIFO, device, socket or "
                        f"directory); it was left untouched")
    with os.fdopen(fd, "rb") as stream:
        if info.st_size > limit:
            raise _broken(path, f"it holds {info.st_size} bytes, more than the {limit} a {what} may", what)
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise _broken(path, f"it holds more than the {limit} bytes a {what} may", what)
    return data


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"it holds an integer of {len(text)} digits, larger than any baseline value")
    return int(text)


def _check_tree(value: Any, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise ValueError(f"it is nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("it holds a NUL character in a string")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_tree(key, depth + 1)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def read_baseline(path: Path, *, folder: Path | None = None) -> Baseline:
    """Read and validate a baseline file; every problem is a GateError that names the file, which stays as it
    is. Only a regular file inside the baseline folder, at most :data:`MAX_JSON_BYTES`, is read."""
    raw = read_bytes_safely(path, limit=MAX_JSON_BYTES, folder=folder)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _broken(path, "it is not UTF-8 text") from None
    if "\x00" in text:
        raise _broken(path, "it holds NUL bytes, so it is not a text file")
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
        _check_tree(doc)
    except json.JSONDecodeError as exc:
        raise _broken(path, f"it is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise _broken(path, "it is nested too deeply") from None
    except ValueError as exc:
        raise _broken(path, str(exc)) from None
    return _validate(path, doc)


def _reject_constant(name: str) -> float:
    raise ValueError(f"it contains {name}, which baseline files never hold")


def _broken(path: Path, problem: str, what: str = "baseline file") -> GateError:
    return GateError(
        f"the {what} {path} is broken: {problem}. It was left untouched; fix it by hand (or restore it "
        f"from version control), or rewrite it with {UPDATE_FLAG}"
    )


def _validate(path: Path, doc: Any) -> Baseline:
    def need(condition: bool, problem: str) -> None:
        if not condition:
            raise _broken(path, problem)

    need(isinstance(doc, dict), f"the top level must be an object, got {type(doc).__name__}")
    version = doc.get("schema_version")
    need(_is_int(version), "'schema_version' is missing or not an integer")
    if version > SCHEMA_VERSION:
        raise GateError(f"the baseline file {path} has schema_version {version}, newer than this pytest-mlgate "
                        f"understands ({SCHEMA_VERSION}); upgrade pytest-mlgate")
    need(version == SCHEMA_VERSION, f"unknown schema_version {version}")
    need(isinstance(doc.get("node_id"), str), "'node_id' must be a string")
    metrics = doc.get("metrics")
    need(isinstance(metrics, dict) and bool(metrics), "'metrics' must be a non-empty object")
    entries = {}
    for name, entry in metrics.items():
        where = f"metric {name!r}"
        need(isinstance(entry, dict), f"{where} must be an object")
        need(_is_number(entry.get("value")), f"{where}: 'value' must be a finite number")
        interval = entry.get("interval")
        if interval is not None:
            need(isinstance(interval, list) and len(interval) == 2 and all(_is_number(v) for v in interval)
                 and interval[0] <= interval[1], f"{where}: 'interval' must be [low, high] numbers or null")
        need(_is_int(entry.get("n")) and entry["n"] > 0, f"{where}: 'n' must be a positive integer")
        need(entry.get("direction") in (HIGHER, LOWER), f"{where}: 'direction' must be {HIGHER!r} or {LOWER!r}")
        entries[name] = MetricBaseline(
            float(entry["value"]),
            (float(interval[0]), float(interval[1])) if interval is not None else None,
            int(entry["n"]),
            entry["direction"] == HIGHER,
        )
    data = doc.get("data")
    need(isinstance(data, dict), "'data' (the evaluation data's fingerprint) must be an object")
    need(_is_int(data.get("n_rows")) and isinstance(data.get("labels_sha256"), str),
         "'data' must hold 'n_rows' and 'labels_sha256'")
    need(isinstance(data.get("weights_sha256", ""), str), "'data.weights_sha256' must be a string when present")
    confidence = doc.get("confidence")
    need(_is_number(confidence) and usable_confidence(float(confidence)),
         "'confidence' must be a number between 0 and 1 (exclusive, and far enough from 0 that the interval has "
         "a width)")
    need(_is_int(doc.get("n_resamples")) and doc["n_resamples"] > 0, "'n_resamples' must be a positive integer")
    predictions = doc.get("predictions")
    need(predictions is None or (isinstance(predictions, dict) and isinstance(predictions.get("file"), str)
                                 and isinstance(predictions.get("sha256"), str)),
         "'predictions' must be null or an object with 'file' and 'sha256'")
    if predictions is not None:
        need(Path(predictions["file"]).name == predictions["file"],
             "'predictions.file' must be a file name in the same directory")
    versions_ = doc.get("versions", {})
    need(isinstance(versions_, dict), "'versions' must be an object")
    history = doc.get("history", [])
    need(isinstance(history, list) and len(history) <= MAX_HISTORY,
         f"'history' must be a list of at most {MAX_HISTORY} accepted updates")
    for i, item in enumerate(history):
        where = f"history entry {i}"
        need(isinstance(item, dict) and isinstance(item.get("metrics"), dict) and bool(item["metrics"]),
             f"{where} must be an object with a non-empty 'metrics' object")
        for name, value in item["metrics"].items():
            need(isinstance(value, dict) and _is_number(value.get("value")),
                 f"{where}: metric {name!r} must hold a finite 'value'")
            interval = value.get("interval")
            need(interval is None or (isinstance(interval, list) and len(interval) == 2
                                      and all(_is_number(v) for v in interval) and interval[0] <= interval[1]),
                 f"{where}: metric {name!r}: 'interval' must be [low, high] numbers or null")
            need(value.get("n") is None or (_is_int(value["n"]) and value["n"] > 0),
                 f"{where}: metric {name!r}: 'n' must be a positive integer")
        need(item.get("commit") is None or isinstance(item["commit"], str), f"{where}: 'commit' must be a string")
    return Baseline(
        node_id=doc["node_id"],
        metrics=entries,
        data=data,
        confidence=float(confidence),
        n_resamples=int(doc["n_resamples"]),
        predictions=predictions,
        written_at=str(doc.get("written_at", "")),
        versions={str(k): str(v) for k, v in versions_.items()},
        history=tuple(history),
    )


def usable_confidence(confidence: float) -> bool:
    """A two-sided level an interval can be stored at and rescaled from: strictly between 0 and 1 in floating
    point, with a normal quantile above 0 (a level below about 2e-16 has none: 0.5 + level / 2 rounds to 0.5)."""
    return 0.0 < confidence < 1.0 and 0.5 + confidence / 2 > 0.5


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def read_predictions(path: Path, reference: Mapping[str, str]) -> dict[str, Any]:
    """The stored prediction arrays, after checking the file is the one the JSON names (SHA-256) and that no
    array declares more data than the archive could hold."""
    import numpy as np

    file = path.parent / reference["file"]
    if not file.exists() and not file.is_symlink():
        raise GateError(f"the baseline {path} refers to stored predictions {file}, which do not exist; restore "
                        f"the file or rewrite the baseline with {UPDATE_FLAG}")
    data = read_bytes_safely(file, limit=MAX_NPZ_BYTES, what="stored predictions file", folder=path.parent)
    if hashlib.sha256(data).hexdigest() != reference["sha256"]:
        raise GateError(f"the stored predictions {file} do not match their baseline {path} (SHA-256 differs): "
                        f"the file was changed or replaced; restore it or rewrite the baseline with {UPDATE_FLAG}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                              else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = header(member)
                declared = math.prod(shape) * max(dtype.itemsize, 1)
                if dtype.hasobject or declared > max(info.file_size, 0) or info.file_size > MAX_NPZ_BYTES:
                    raise ValueError(f"{info.filename} declares shape {shape} of {dtype} ({declared} bytes) in "
                                     f"{info.file_size} bytes")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (ValueError, OSError, EOFError, zlib.error, zipfile.BadZipFile, RuntimeError,
            NotImplementedError) as exc:
        raise GateError(f"the stored predictions {file} could not be loaded ({exc}); it was left untouched: "
                        f"rewrite the baseline with {UPDATE_FLAG}") from None
