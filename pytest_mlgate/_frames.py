"""Any table a user passes (pandas, polars, a 2-D array, a mapping of columns) as a pandas DataFrame.

Low in the import graph on purpose: the gates and ``baselines`` (fingerprints of evaluation data) both need it, and
``baselines`` must not import ``gates``. numpy and pandas load when this module does, so import it inside functions
from anything the plugin imports at start-up.
"""

from __future__ import annotations

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


__all__ = ["is_polars", "to_frame"]
