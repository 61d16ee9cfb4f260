"""Frame helpers the data checks share: inputs as pandas frames, column selection, names and percentages in
messages, column kinds and row hashes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.gates import _inputs
from pytest_mlgate.results import GateError, fmt, hide_our_frames, is_number

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

EXAMPLES = 5


def _frame(data: Any, name: str) -> pd.DataFrame:
    frame = _inputs.to_frame(data, name)
    if frame.shape[1] == 0:
        raise GateError(f"{name} has no columns: there is nothing to check")
    if frame.shape[0] == 0:
        raise GateError(f"{name} is empty (0 rows): a data gate needs at least one row")
    return frame


def _fraction(name: str, value: Any) -> float:
    if not is_number(value) or not 0 <= value <= 1:
        raise GateError(f"{name} must be a fraction between 0 and 1, got {value!r}")
    return float(value)


def _columns(frame: pd.DataFrame, columns: Any, name: str, what: str = "columns") -> list[Any]:
    if columns is None:
        return list(frame.columns)
    if isinstance(columns, (str, int)):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise GateError(f"{what} is empty: name at least one column, or pass None for all of them")
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise GateError(f"{what} not in {name}: {_names(absent)} ({name} has {_names(list(frame.columns))})")
    return columns


def _names(columns: Sequence[Any], limit: int = 10) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _rows(positions: np.ndarray, limit: int = EXAMPLES) -> str:
    shown = ", ".join(str(int(p)) for p in positions[:limit])
    return shown + (", ..." if len(positions) > limit else "")


def _pct(fraction: float) -> str:
    if fraction == 0:
        return "0%"
    return f"{fmt(100 * fraction, 3)}%"


def column_kind(series: pd.Series, name: str) -> str:
    """"numeric" (integers, floats) or "categorical" (object, string, category, bool); anything else is an error."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "numeric"
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype) \
            or pd.api.types.is_string_dtype(dtype):
        return "categorical"
    raise GateError(f"column {series.name!r} of {name} has dtype {dtype}, which drift does not support; convert it "
                    "to a number (e.g. timestamps with .astype('int64')) or to text (.astype(str))")


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row (vectorized; collisions have probability ~n^2 / 2^65, negligible)."""
    try:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    except TypeError as exc:
        raise GateError(f"rows could not be hashed ({exc}); columns holding lists or dicts cannot be compared, "
                        "convert them to text first") from None


def _member(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """``np.isin`` for 64-bit hashes through pandas' hash table (numpy 2's hash-based isin is ten times slower)."""
    return pd.Series(values).isin(pool).to_numpy()
