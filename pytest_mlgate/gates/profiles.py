"""Reference profiles: a JSON-safe, exact summary of reference data (distinct sorted values, category counts) that
``drift`` compares against instead of the data itself; the binned (version-2) profile lives in :mod:`.scale`."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate import engines
from pytest_mlgate._frames import _columns, _floats, _frame, column_kind
from pytest_mlgate.gates.base import BaseGate
from pytest_mlgate.gates.profile_format import PROFILE_FORMAT, PROFILE_VERSION, Summary
from pytest_mlgate.results import GateError, GateResult, hide_our_frames, json_safe
from pytest_mlgate.stats import drift as stats

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


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


def _summarize(series: pd.Series, name: str, kind: str | None = None) -> Summary:
    kind = kind or column_kind(series, name)
    if kind == "numeric":
        return _numeric_summary(series, name)
    return stats.CategoricalSummary.from_series(series)


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
