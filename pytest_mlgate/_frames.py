"""Any table a user passes (pandas, polars, a 2-D array, a mapping of columns) as a pandas DataFrame, and what the
data checks and the pandas engine share about frames: column selection, names in messages, column kinds, floats,
row hashes.

Low in the import graph on purpose: the gates, the engines and ``baselines`` (fingerprints of evaluation data) all
need it, and neither ``baselines`` nor the engines may import ``gates``. numpy and pandas load when this module
does, so import it inside functions from anything the plugin imports at start-up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.results import GateError, hide_our_frames

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


def is_polars(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "polars"


def to_frame(data: Any, name: str = "X") -> pd.DataFrame:
    """A pandas DataFrame from pandas, polars, a 2-D array or a mapping of columns."""
    if isinstance(data, pd.DataFrame):
        frame = data
    elif is_polars(data) and hasattr(data, "to_pandas"):
        frame = _polars_to_pandas(data)
    elif isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise GateError(f"{name} must be 2-dimensional (rows x columns), got an array of shape {data.shape}")
        frame = pd.DataFrame(data, columns=[f"x{i}" for i in range(data.shape[1])])
    elif isinstance(data, dict):
        frame = pd.DataFrame(data)
    else:
        raise GateError(f"{name} must be a pandas or polars DataFrame (or a 2-D numpy array), "
                        f"got {type(data).__name__}")
    if frame.columns.duplicated().any():
        dupes = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise GateError(f"{name} has duplicate column names: {', '.join(dupes)}; rename them so each is unique")
    return frame


def _polars_to_pandas(data: Any) -> pd.DataFrame:
    """polars' own ``to_pandas`` needs pyarrow; without it, build the frame column by column from numpy."""
    try:
        return data.to_pandas()
    except ImportError:
        return pd.DataFrame({name: data.get_column(name).to_numpy() for name in data.columns})


EXAMPLES = 5


def _frame(data: Any, name: str) -> pd.DataFrame:
    frame = to_frame(data, name)
    if frame.shape[1] == 0:
        raise GateError(f"{name} has no columns: there is nothing to check")
    if frame.shape[0] == 0:
        raise GateError(f"{name} is empty (0 rows): a data gate needs at least one row")
    return frame


def _columns(frame: pd.DataFrame, columns: Any, name: str, what: str = "columns") -> list[Any]:
    if columns is None:
        return list(frame.columns)
    if isinstance(columns, (str, int)):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise GateError(f"{what} is empty: name at least one column, or pass None for all of them")
    no_repeats(columns, what)
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise GateError(f"{what} not in {name}: {_names(absent)} ({name} has {_names(list(frame.columns))})")
    return columns


def no_repeats(columns: Sequence[Any], what: str = "columns") -> None:
    """A GateError when ``columns`` names a column twice (each would be checked, and counted, twice)."""
    try:
        if len(set(columns)) == len(columns):
            return
    except TypeError:  # an unhashable name: the frame's lookup will say it is not a column
        return
    shown = [c for c, count in Counter(columns).items() if count > 1]
    if shown:
        raise GateError(f"{what} names {_names(shown)} more than once; name each column once")


def _names(columns: Sequence[Any], limit: int = 10) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _rows(positions: np.ndarray, limit: int = EXAMPLES) -> str:
    shown = ", ".join(str(int(p)) for p in positions[:limit])
    return shown + (", ..." if len(positions) > limit else "")


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
    return row_hashes(frame)[0]


def row_hashes(*frames: pd.DataFrame) -> list[np.ndarray]:
    """One 64-bit hash per row of each frame (same columns), equal exactly when pandas' ``duplicated`` calls two
    rows equal: pandas hashes object columns by their text, so 1 and "1" would collide; those columns are hashed
    by codes factorized over all the frames together (Python equality: 1 and "1" differ, 1 and 1.0 do not), and
    -0.0 is hashed as 0.0."""
    sizes = [len(f) for f in frames]
    columns: dict[int, Any] = {}
    try:
        for position in range(frames[0].shape[1]):
            parts = [f.iloc[:, position] for f in frames]
            dtype = parts[0].dtype
            if pd.api.types.is_object_dtype(dtype) or any(p.dtype != dtype for p in parts):
                joined: Any = _joined(parts)
                if pd.api.types.infer_dtype(joined, skipna=False) == "string":
                    columns[position] = joined.to_numpy()  # text only: its own hash is exact
                else:
                    columns[position] = pd.factorize(joined, use_na_sentinel=False)[0]
            elif isinstance(dtype, np.dtype) and dtype.kind == "f":
                columns[position] = np.concatenate([p.to_numpy() for p in parts]) + 0.0  # -0.0 becomes 0.0
            else:
                columns[position] = _joined(parts)
        hashes = pd.util.hash_pandas_object(pd.DataFrame(columns), index=False).to_numpy()
    except TypeError as exc:
        raise GateError(f"rows could not be hashed ({exc}); columns holding lists or dicts cannot be compared, "
                        "convert them to text first") from None
    return np.split(hashes, np.cumsum(sizes)[:-1])


def _joined(parts: list[pd.Series]) -> pd.Series:
    return parts[0].reset_index(drop=True) if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _member(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """``np.isin`` for 64-bit hashes through pandas' hash table (numpy 2's hash-based isin is ten times slower)."""
    return pd.Series(values).isin(pool).to_numpy()


def _floats(series: pd.Series) -> np.ndarray:
    """The column as float64 with NaN for missing; no copy for a numpy float64 column (NaN is already missing)."""
    if series.dtype == np.float64:
        return series.to_numpy()
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf":
        return series.to_numpy().astype(np.float64)
    return series.to_numpy(dtype=np.float64, na_value=np.nan)  # nullable and arrow dtypes


def _aligned(train: pd.DataFrame, test: pd.DataFrame, columns: list[Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames on the same columns with hash-compatible dtypes (numbers compared as numbers)."""
    left, right = train[columns].copy(), test[columns].copy()
    for column in columns:
        kinds = column_kind(left[column], "train"), column_kind(right[column], "test")
        if kinds[0] != kinds[1]:
            raise GateError(f"column {column!r} is {kinds[0]} in train ({left[column].dtype}) but {kinds[1]} in "
                            f"test ({right[column].dtype}); make the types agree before comparing rows")
        if left[column].dtype != right[column].dtype:
            if kinds[0] == "numeric":
                left[column] = left[column].astype(float)
                right[column] = right[column].astype(float)
            else:
                left[column] = left[column].astype(object)
                right[column] = right[column].astype(object)
    return left, right


__all__ = ["column_kind", "is_polars", "to_frame"]
