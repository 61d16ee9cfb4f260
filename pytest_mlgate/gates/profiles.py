"""Reference profiles: a JSON-safe, exact summary of reference data (distinct sorted values, category counts) that
``drift`` compares against instead of the data itself; the binned (version-2) profile lives in :mod:`.scale`."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from pytest_mlgate import engines
from pytest_mlgate._frames import _columns, _floats, _frame, column_kind
from pytest_mlgate.gates.base import BaseGate
from pytest_mlgate.results import GateError, GateResult, hide_our_frames, json_safe
from pytest_mlgate.stats import drift as stats

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

PROFILE_FORMAT = "pytest-mlgate/reference-profile"
PROFILE_VERSION = 1


def _numeric_summary(series: pd.Series, name: str) -> stats.NumericSummary:
    summary = stats.NumericSummary.from_values(_floats(series))
    if summary.values.size and (np.isinf(summary.values[0]) or np.isinf(summary.values[-1])):  # sorted: at the ends
        infinite = np.isinf(_floats(series))
        raise GateError(f"column {series.name!r} of {name} has {int(infinite.sum())} infinite value(s) (first at row "
                        f"{int(np.flatnonzero(infinite)[0])}); replace them with NaN or finite values")
    return summary


def make_profile(data: Any, *, columns: Any = None, sample: int | None = None, seed: int = 0,
                 bins: int | None = None) -> dict[str, Any]:
    """A JSON-safe reference profile: per numeric column its distinct sorted values (base64 float64) with counts
    where values repeat, per categorical column its category counts. With ``bins`` (or for an engine table), the
    binned version-2 profile. See :meth:`DataGate.profile`."""
    if bins is not None or engines.is_engine_table(data):
        from pytest_mlgate.gates import scale

        if sample is not None:
            raise GateError("sample= is for the exact profile; a binned profile summarises every row at the same size")
        return scale.make_binned_profile(data, columns=columns, bins=scale.binned.BINS if bins is None else bins)
    frame = _frame(data, "data")
    selected = _columns(frame, columns, "data")
    if sample is not None:
        if isinstance(sample, bool) or not isinstance(sample, numbers.Integral) or sample < 1:
            raise GateError(f"sample must be a positive number of rows, got {sample!r}")
        if sample < len(frame):
            rows = np.sort(np.random.default_rng(seed).choice(len(frame), size=sample, replace=False))
            frame = frame.iloc[rows]
    entries = []
    for column in selected:
        summary = _summarize(frame[column], "data")
        entries.append({"name": json_safe(column), "dtype": str(frame[column].dtype), **summary.to_profile()})
    return {"format": PROFILE_FORMAT, "version": PROFILE_VERSION, "n_rows": len(frame), "columns": entries}


def is_profile(obj: Any) -> bool:
    from pytest_mlgate.gates.scale import BinnedProfile

    return isinstance(obj, (ReferenceProfile, BinnedProfile)) or (isinstance(obj, Mapping)
                                                                  and obj.get("format") == PROFILE_FORMAT)


Summary = stats.NumericSummary | stats.CategoricalSummary
N = TypeVar("N")  #: the numeric summary a profile holds: exact (version 1) or binned (version 2)

@dataclass(frozen=True)
class ReferenceProfile:
    """A reference profile decoded once (:func:`load_profile`), to reuse across many ``drift`` calls without
    decoding its values again: column -> (kind, dtype, summary)."""

    n_rows: int
    columns: dict[Any, tuple[str, str, Summary]]


def load_profile(profile: Mapping[str, Any] | ReferenceProfile) -> Any:
    """Decode a JSON reference profile (what :meth:`DataGate.profile` returned, or ``json.load`` read back).

    ``drift`` accepts the JSON object itself and decodes it on every call (base64 decoding costs about as much as
    sorting the column would); decode it once with this function, e.g. in a session fixture, to share it."""
    from pytest_mlgate.gates import scale

    if isinstance(profile, ReferenceProfile):
        return profile
    if scale.is_binned_profile(profile):
        return scale.load_binned_profile(profile)
    if not is_profile(profile):
        raise GateError("not a pytest-mlgate reference profile: pass what data_gate.profile(df) returned")
    n_rows, columns = _load_profile(profile)
    return ReferenceProfile(n_rows, columns)


def _summarize(series: pd.Series, name: str, kind: str | None = None) -> Summary:
    kind = kind or column_kind(series, name)
    if kind == "numeric":
        return _numeric_summary(series, name)
    return stats.CategoricalSummary.from_series(series)


def _load_profile(profile: Mapping[str, Any]) -> tuple[int, dict[Any, tuple[str, str, Summary]]]:
    if profile.get("version") != PROFILE_VERSION:
        raise GateError(f"reference profile version {profile.get('version')!r} is not supported "
                        f"(this pytest-mlgate reads versions {PROFILE_VERSION}, exact, and 2, binned); rebuild it "
                        "with data_gate.profile(df)")
    return decode_columns(profile, stats.NumericSummary.from_profile, rebuild="df")


def decode_columns(profile: Mapping[str, Any], numeric: Callable[[Any], N], *,
                   rebuild: str) -> tuple[int, dict[Any, tuple[str, str, N | stats.CategoricalSummary]]]:
    """A profile's row count and column -> (kind, dtype, summary), numeric columns decoded by ``numeric`` (exact
    or binned); a damaged profile is a GateError saying to rebuild it with ``data_gate.profile(<rebuild>)``."""
    out: dict[Any, tuple[str, str, N | stats.CategoricalSummary]] = {}
    where = ""
    try:
        for entry in profile["columns"]:
            where = f" in column {entry.get('name')!r}" if isinstance(entry, Mapping) else ""
            summary: N | stats.CategoricalSummary
            if entry["kind"] == "numeric":
                summary = numeric(entry)
            elif entry["kind"] == "categorical":
                summary = stats.CategoricalSummary.from_profile(entry)
            else:
                raise ValueError(f"unknown column kind {entry['kind']!r}")
            if entry["name"] in out:
                raise ValueError("the column appears twice")
            out[entry["name"]] = (entry["kind"], str(entry.get("dtype", "")), summary)
        where = ""
        n_rows = stats.profile_count(profile["n_rows"], "n_rows")
        for name, (_, _, decoded) in out.items():
            column: Any = decoded  # every summary counts its values and its missing ones
            if column.n + column.n_missing != n_rows:
                where = f" in column {name!r}"
                raise ValueError(f"{column.n} values and {column.n_missing} missing do not add up to the "
                                 f"profile's {n_rows} rows")
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise GateError(f"the reference profile is damaged{where} ({type(exc).__name__}: {exc}); rebuild it with "
                        f"data_gate.profile({rebuild})") from None
    return n_rows, out


class ProfileChecks(BaseGate):
    """``profile``: the reference profile ``drift`` compares against."""

    def profile(self, data: Any, *, columns: Any = None, sample: int | None = None,
                bins: int | None = None) -> dict[str, Any]:
        """A JSON-safe reference profile of ``data`` to pass as ``reference`` to :meth:`drift`.

        Exact, not a sketch: numeric columns keep their distinct sorted values (about 11 bytes of JSON per distinct
        value), so KS, Wasserstein and PSI are the same as against the data. ``sample=n`` profiles n random rows
        (seeded by the session seed) for a smaller file; the test is then exact against that sample. Several tests
        sharing one profile can decode it once with :func:`load_profile`.

        For big data: ``bins=1000`` (the default for a DuckDB relation, Parquet path, polars LazyFrame, pyarrow
        Table, Spark DataFrame, computed by that engine) gives the binned version-2 profile instead, about 24 KB
        per numeric column whatever the row count; drift against it reports KS as a bound (docs/scale.md).
        """
        try:
            return make_profile(data, columns=columns, sample=sample, bins=bins,
                                seed=self.settings.seed_for(self.recorder.key, "profile"))
        except GateError as exc:
            self.recorder.error(self.family, "profile", "data", exc)
            raise
        except Exception as exc:  # a bug of ours: an error row, and the exception keeps its frames (as _run does)
            self.recorder.emit([GateResult(self.family, "profile", "data", "error",
                                           message=f"profile: internal error {type(exc).__name__}: {exc}")])
            raise
