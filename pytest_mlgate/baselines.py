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
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pytest_mlgate._files import write_atomic
from pytest_mlgate.results import GateError

__tracebackhide__ = True  # failures point at the user's test line, not at our internals

SCHEMA_VERSION = 1
HIGHER, LOWER = "higher_is_better", "lower_is_better"
UPDATE_FLAG = "--mlgate-update-baselines"
_UNSAFE = re.compile(r"[^A-Za-z0-9._\-\[\]]")
_MAX_STEM = 150


# --- names -------------------------------------------------------------------------------------------------------


def baseline_path(directory: Path, node_id: str, name: str | None = None) -> Path:
    """The JSON file of one test: its node id with ``/`` and ``::`` as ``__`` and other unsafe characters as
    ``_``. When that loses information (or the name is very long) a short hash of the node id is appended, so
    two tests never share a file."""
    key = node_id if name is None else f"{node_id}::{name}"
    readable = key.replace("::", "__").replace("/", "__").replace("\\", "__")
    stem = _UNSAFE.sub("_", readable)
    if stem != readable or len(stem) > _MAX_STEM or not stem.strip("._"):
        stem = f"{stem[:_MAX_STEM].rstrip('.')}-{zlib.crc32(key.encode()):08x}"
    return Path(directory) / f"{stem}.json"


def predictions_path(path: Path) -> Path:
    return path.with_suffix(".predictions.npz")


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
    """The file's text: sorted keys, indented, stable floats, a final newline."""
    return json.dumps(stable(baseline.to_dict()), indent=2, sort_keys=True, allow_nan=False) + "\n"


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


def fingerprint(X: Any, y: Any) -> dict[str, Any]:
    """Shape, column names and SHA-256 hashes of the values (row by row, with pandas' stable row hashes) and
    of the labels. Same fingerprint, same evaluation data; any edited cell, reordered row or renamed column
    changes it. ``X`` may be ``None`` when predictions were passed instead of a model."""
    import pandas as pd

    from pytest_mlgate.gates._inputs import to_frame

    labels = y.to_numpy() if isinstance(y, pd.Series) else y
    result: dict[str, Any] = {
        "n_rows": len(labels),
        "n_columns": None,
        "columns": None,
        "values_sha256": None,
        "labels_sha256": _digest(pd.Series(labels, name="y")),
    }
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
    return problems


# --- writing -------------------------------------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> None:
    """Write a baseline file atomically (see :func:`pytest_mlgate._files.write_atomic`); a failure names the file."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise GateError(f"could not write the baseline file {path}: {exc.strerror or exc}") from None


def write_baseline(path: Path, baseline: Baseline) -> None:
    atomic_write(path, dumps(baseline).encode("utf-8"))


def write_predictions(path: Path, arrays: Mapping[str, Any]) -> dict[str, str]:
    """Store prediction arrays as ``.npz`` (strings as unicode arrays, never objects); returns the reference
    (file name and SHA-256) the JSON keeps."""
    import numpy as np

    plain = {}
    for name, array in arrays.items():
        values = np.asarray(array)
        plain[name] = values.astype(str) if values.dtype.kind == "O" else values
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **plain)  # type: ignore[arg-type]
    data = buffer.getvalue()
    atomic_write(path, data)
    return {"file": path.name, "sha256": hashlib.sha256(data).hexdigest()}


def remove_stale(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# --- reading -------------------------------------------------------------------------------------------------------


def read_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; every problem is a GateError that names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _broken(path, "it is not UTF-8 text") from None
    except OSError as exc:
        raise GateError(f"could not read the baseline file {path}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _broken(path, f"it is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:
        raise _broken(path, str(exc)) from None
    return _validate(path, doc)


def _reject_constant(name: str) -> float:
    raise ValueError(f"it contains {name}, which baseline files never hold")


def _broken(path: Path, problem: str) -> GateError:
    return GateError(
        f"the baseline file {path} is broken: {problem}. It was left untouched; fix it by hand (or restore it "
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
    confidence = doc.get("confidence")
    need(_is_number(confidence) and 0 < confidence < 1, "'confidence' must be a number between 0 and 1")
    need(_is_int(doc.get("n_resamples")), "'n_resamples' must be an integer")
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
    """The stored prediction arrays, after checking the file is the one the JSON names (SHA-256)."""
    import numpy as np

    file = path.parent / reference["file"]
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise GateError(f"the baseline {path} refers to stored predictions {file}, which could not be read "
                        f"({exc.strerror or exc}); restore the file or rewrite the baseline with "
                        f"{UPDATE_FLAG}") from None
    if hashlib.sha256(data).hexdigest() != reference["sha256"]:
        raise GateError(f"the stored predictions {file} do not match their baseline {path} (SHA-256 differs): "
                        f"the file was changed or replaced; restore it or rewrite the baseline with {UPDATE_FLAG}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise GateError(f"the stored predictions {file} could not be loaded ({exc}); rewrite the baseline with "
                        f"{UPDATE_FLAG}") from None
