"""Engine adapters: each turns a user's table (pandas, DuckDB, Parquet, polars, pyarrow, Spark) into the small,
mergeable summaries and counts a check needs, computed by the engine itself; rows never travel to Python.

The adapter is chosen by the type of the object (:func:`table_for`) and imported only then; a missing engine is a
:class:`GateError` naming the extra to install.
"""

from __future__ import annotations

import glob
import os
from typing import Any

from pytest_mlgate.engines.base import Table
from pytest_mlgate.results import GateError, hide_our_frames

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

EXTRAS = {"duckdb": "duckdb", "ibis": "duckdb", "polars": "polars", "pyarrow": "polars", "pyspark": "spark"}


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def is_engine_table(obj: Any) -> bool:
    """Whether ``obj`` is a table only an engine adapter reads (not a pandas / polars DataFrame in memory)."""
    if isinstance(obj, Table):
        return True
    if isinstance(obj, (str, os.PathLike)):
        return str(obj).endswith(".parquet") or any(ch in str(obj) for ch in "*?[")
    module, name = _module(obj), type(obj).__name__
    return (module == "duckdb" and name == "DuckDBPyRelation") or (module == "polars" and name == "LazyFrame") \
        or (module == "pyarrow" and name == "Table") or (module == "pyspark" and name == "DataFrame")


def require(package: str) -> Any:
    """Import an engine, or a GateError naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError:
        extra = EXTRAS.get(package, package)
        raise GateError(f"{package} is not installed: install it with pip install 'pytest-mlgate[{extra}]'") from None


def table_for(obj: Any, name: str) -> Table:
    """The adapter for ``obj``: a pandas DataFrame, a DuckDB relation, a Parquet path or glob (read by DuckDB), a
    polars LazyFrame or DataFrame, a pyarrow Table (both through polars' streaming engine), a Spark DataFrame
    (Spark aggregations)."""
    if isinstance(obj, Table):
        return obj
    module = _module(obj)
    if isinstance(obj, (str, os.PathLike)):
        path = os.fspath(obj)
        if not glob.glob(path):
            raise GateError(f"{name}: no file matches {path!r}")
        duckdb = require("duckdb")
        from pytest_mlgate.engines.duckdb import DuckDBTable, read_parquet

        return DuckDBTable(read_parquet(duckdb, path), name)
    if module == "duckdb":
        from pytest_mlgate.engines.duckdb import DuckDBTable

        return DuckDBTable(obj, name)
    if module in ("polars", "pyarrow"):
        require("polars")
        from pytest_mlgate.engines.polars import PolarsTable

        return PolarsTable(obj, name)
    if module == "pyspark":  # told by the type's module: pyspark is imported only when a Spark table comes
        require("pyspark")
        from pytest_mlgate.engines.spark import SparkTable

        return SparkTable(obj, name)
    from pytest_mlgate.engines.pandas import PandasTable

    return PandasTable(obj, name)


__all__ = ["Table", "is_engine_table", "require", "table_for"]
