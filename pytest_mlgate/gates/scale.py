"""The data checks on tables an engine holds (DuckDB, Parquet, polars LazyFrame, pyarrow, Spark), and the binned
(version-2) reference profile: the engine scans, these functions compare its summaries.

``data_gate.drift``, ``missing``, ``duplicates``, ``leakage``, ``label_balance`` and ``profile`` come here when an
argument is an engine table or a version-2 profile; results are built by the same functions as the in-memory
checks', so the messages and verdicts read the same.
"""

from __future__ import annotations

import contextlib
import math
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pytest_mlgate import engines
from pytest_mlgate._frames import _names, no_repeats
from pytest_mlgate._validate import positive_int
from pytest_mlgate.engines.base import Summary, Table, summarize
from pytest_mlgate.gates.data_rows import (
    _categorical_row,
    _kind_text,
    drift_columns,
    drift_verdicts,
    duplicates_result,
    leakage_result,
    missing_rate_fields,
    missing_result,
)
from pytest_mlgate.gates.profile_format import (
    BINNED_VERSION,
    PROFILE_FORMAT,
    PROFILE_VERSION,
    BinnedProfile,
    is_binned_profile,
    is_profile,
    load_binned_profile,
    load_profile,
)
from pytest_mlgate.results import GateError, GateResult, hide_our_frames, json_safe
from pytest_mlgate.stats import binned
from pytest_mlgate.stats.drift import CategoricalSummary

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


def wants_binned(reference: Any, current: Any) -> bool:
    """Whether drift must compare binned summaries: an engine table on either side, or a version-2 profile."""
    return is_binned_profile(reference) or engines.is_engine_table(reference) or engines.is_engine_table(current)


def engine_table(obj: Any, name: str) -> Table:
    table = engines.table_for(obj, name)
    if table.n_rows() == 0:
        raise GateError(f"{name} is empty (0 rows): a data gate needs at least one row")
    return table


def _selected(available: Sequence[str], columns: Any, name: str, what: str = "columns") -> list[str]:
    if columns is None:
        return list(available)
    columns = [columns] if isinstance(columns, str) else list(columns)
    if not columns:
        raise GateError(f"{what} is empty: name at least one column, or pass None for all of them")
    no_repeats(columns, what)
    absent = [c for c in columns if c not in available]
    if absent:
        raise GateError(f"{what} not in {name}: {_names(absent)} ({name} has {_names(list(available))})")
    return [str(c) for c in columns]


# --- validate -------------------------------------------------------------------------------------


@contextlib.contextmanager
def schema_target(data: Any, schema: Any) -> Iterator[tuple[Any, int]]:
    """What pandera validates for an engine table, and its row count: a DuckDB relation or Parquet path as an
    ibis table over the same DuckDB connection (pandera's ibis backend: the checks run in DuckDB), an ibis table
    as it is, a polars LazyFrame (or a pyarrow Table, read by polars) as a LazyFrame."""
    api = type(schema).__module__
    if type(data).__module__.startswith("ibis."):
        _schema_api(api, "pandera.api.ibis", "an ibis table", "pandera.ibis")
        n = int(data.count().execute())
        if n == 0:
            raise GateError("data is empty (0 rows): a data gate needs at least one row")
        yield data, n
        return
    from pytest_mlgate.engines.duckdb import DuckDBTable
    from pytest_mlgate.engines.polars import PolarsTable

    table = engine_table(data, "data")
    if isinstance(table, PolarsTable):
        _schema_api(api, "pandera.api.polars", "a polars LazyFrame (or pyarrow Table)", "pandera.polars")
        yield table.lazy, table.n_rows()
        return
    if not isinstance(table, DuckDBTable):
        raise GateError(f"validate does not support {table.engine} tables yet")
    _schema_api(api, "pandera.api.ibis", "a DuckDB relation (or Parquet path)", "pandera.ibis")
    ibis = engines.require("ibis")
    relation = table.relation
    connection = getattr(relation, "_con", None)  # DuckDB has no public accessor for a relation's connection
    if connection is None:
        raise GateError("this DuckDB version does not tell which connection a relation belongs to; pass the Parquet "
                        "path, or an ibis table (ibis.duckdb.from_connection(con).table(name))")
    view = f"mlgate_validate_{uuid.uuid4().hex}"
    relation.create_view(view, replace=False)
    try:
        yield ibis.duckdb.from_connection(connection).table(view), table.n_rows()
    finally:
        connection.execute(f'DROP VIEW IF EXISTS "{view}"')


def engine_failure_cases(cases: Any) -> Any:
    """pandera's ibis failure table made plain: a check's failure case arrives as ``{column: value}`` under the
    column name ``failure_case``, and a ``not_nullable`` one as the ibis query selecting the null rows (counted here,
    in DuckDB: those rows stand for ``count`` failures whose positions the engine does not list)."""
    import pandas as pd

    rows = []
    for case in cases.to_dict("records"):
        value, count = case["failure_case"], 1
        if isinstance(value, dict) and len(value) == 1 and case["column"] == "failure_case":
            (column, value), = value.items()
            case["column"] = column
        elif type(value).__module__.startswith("ibis."):
            count, value = int(value.count().execute()), None
        rows.append({**case, "failure_case": value, "count": count})
    return pd.DataFrame(rows, columns=[*cases.columns, "count"], dtype=object)


def _schema_api(api: str, wanted: str, data: str, module: str) -> None:
    if not api.startswith(wanted):
        raise GateError(f"the data is {data} but the schema is a {api.split('.')[2]} schema; build it with {module} "
                        f"(import {module} as pa)" + (", which runs the checks in DuckDB through ibis"
                                                      if module == "pandera.ibis" else ""))


# --- the version-2 profile ------------------------------------------------------------------------


def make_binned_profile(data: Any, *, columns: Any = None, bins: int = binned.BINS) -> dict[str, Any]:
    """A JSON-safe binned profile of any table (pandas too): per numeric column ``bins`` quantile-edged counts with
    moments (about 24 KB of JSON at 1,000 bins, whatever the row count), per categorical column its counts."""
    bins = positive_int("bins", bins)
    table = engine_table(data, "data")
    kinds = table.kinds()
    selected = _selected(list(kinds), columns, "data")
    summaries = summarize(table, selected, bins=bins)
    entries = [{"name": c, "dtype": kinds[c][1], **summaries[c].to_profile()} for c in selected]
    return {"format": PROFILE_FORMAT, "version": BINNED_VERSION, "bins": bins, "n_rows": table.n_rows(),
            "columns": entries}


# --- drift ----------------------------------------------------------------------------------------


def check_binned_drift(reference: Any, current: Any, *, columns: Any, alpha: float, correction: str,
                       min_wasserstein: float, min_jensen_shannon: float, min_missing_change: float,
                       bins: int = binned.BINS) -> list[GateResult]:
    """Drift from binned summaries: the reference's (a version-2 profile, or computed now from its table) and the
    current table's in the reference's edges."""
    if is_profile(reference) and not is_binned_profile(reference):
        if isinstance(reference, Mapping) and reference.get("version") != PROFILE_VERSION:
            load_profile(reference)  # a version this release does not read: its own error says so
        raise GateError("an exact (version-1) profile needs the current data in memory; against an engine table, "
                        "build a binned profile with data_gate.profile(reference_table) (or bins=1000 from pandas)")
    current_table = engine_table(current, "current")
    cur_kinds = current_table.kinds()
    profile = load_binned_profile(reference) if is_binned_profile(reference) else None
    ref_table = None if profile is not None else engine_table(reference, "reference")
    ref_kinds = ({c: (k, d) for c, (k, d, _) in profile.columns.items()} if profile is not None
                 else ref_table.kinds() if ref_table is not None else {})
    selected = drift_columns(ref_kinds, cur_kinds, columns, lambda names: _selected(list(cur_kinds), names,
                                                                                      "current"), what="tables")
    for column in selected:
        (ref_kind, ref_dtype), (cur_kind, cur_dtype) = ref_kinds[column], cur_kinds[column]
        if ref_kind != cur_kind:
            raise GateError(f"column {column!r} is {_kind_text(ref_kind)} in reference ({ref_dtype}) but "
                            f"{_kind_text(cur_kind)} in current ({cur_dtype}); make the types agree (CAST in the "
                            "query, or pd.to_numeric / .astype(str)) before comparing")
    if profile is not None:
        ref_summaries = {c: profile.columns[c][2] for c in selected}
        n_ref_rows = profile.n_rows
    else:
        assert ref_table is not None
        ref_summaries = summarize(ref_table, selected, bins=bins)
        n_ref_rows = ref_table.n_rows()
    edges = {c: s.edges for c, s in ref_summaries.items() if isinstance(s, binned.BinnedNumeric)}
    cur_summaries = summarize(current_table, selected, edges=edges)
    rows = [_row(c, ref_summaries[c], cur_summaries[c], min_wasserstein, min_jensen_shannon) for c in selected]
    config = {"alpha": alpha, "correction": correction, "min_wasserstein": min_wasserstein,
              "min_jensen_shannon": min_jensen_shannon, "min_missing_change": min_missing_change,
              "binned": True, "engine": current_table.engine}
    return drift_verdicts(rows, n_ref_rows, current_table.n_rows(), config, from_profile=profile is not None)


def _row(column: str, ref: Summary, cur: Summary, min_wasserstein: float, min_jensen_shannon: float) -> dict[str, Any]:
    if ref.n == 0:
        raise GateError(f"column {column!r} is entirely missing in reference ({ref.n_missing} rows): "
                        "there is no distribution to compare against; drop it from columns=[...] or fix the data")
    row: dict[str, Any] = {"column": column, "kind": "numeric" if isinstance(ref, binned.BinnedNumeric)
                           else "categorical", "n_reference": ref.n, "n_current": cur.n}
    if cur.n == 0:
        row.update(test=None, statistic=None, p_value=None, effect=None, effect_size=None, min_effect=None)
    elif isinstance(ref, binned.BinnedNumeric):
        assert isinstance(cur, binned.BinnedNumeric)
        comparison = binned.compare_binned(ref, cur)
        spread = ref.std()
        effect = comparison.wasserstein / spread if spread > 0 else (math.inf if comparison.wasserstein > 0 else 0.0)
        row.update(test="ks", statistic=comparison.d_lower, statistic_upper=comparison.d_upper, p_value=None,
                   effect="wasserstein/std", effect_size=effect, min_effect=min_wasserstein,
                   wasserstein=comparison.wasserstein, reference_std=spread, psi=comparison.psi,
                   bins=int(ref.counts.size),
                   distribution={"edges": comparison.edges.tolist(), "reference": comparison.ref_counts.tolist(),
                                 "current": comparison.cur_counts.tolist()})
    else:
        assert isinstance(ref, CategoricalSummary) and isinstance(cur, CategoricalSummary)
        _categorical_row(row, ref, cur, min_jensen_shannon)
    missing_rate_fields(row, ref.n_missing, ref.n + ref.n_missing, cur.n_missing, cur.n + cur.n_missing)
    return row


# --- integrity ------------------------------------------------------------------------------------


def check_missing_table(data: Any, *, limit: float, columns: Any) -> list[GateResult]:
    table = engine_table(data, "data")
    selected = _selected(list(table.kinds()), columns, "data")
    n = table.n_rows()
    counts = table.missing_counts(selected)
    return [missing_result(c, counts[c], n, limit, None) for c in selected]


def check_duplicates_table(data: Any, *, limit: float, subset: Any) -> list[GateResult]:
    table = engine_table(data, "data")
    selected = _selected(list(table.kinds()), subset, "data", "subset")
    return [duplicates_result(table.duplicate_rows(selected), table.n_rows(), limit, selected, subset is None,
                                   [])]


def check_leakage_table(train: Any, test: Any, *, limit: float, on: Any) -> list[GateResult]:
    train_table, test_table = engine_table(train, "train"), engine_table(test, "test")
    if type(train_table) is not type(test_table):
        raise GateError(f"train is a {train_table.engine} table and test a {test_table.engine} one: leakage joins "
                        "them in one engine, so pass both in the same one (e.g. both as DuckDB relations)")
    test_kinds, train_kinds = test_table.kinds(), train_table.kinds()
    selected = _selected(list(test_kinds), on, "test", "on")
    absent = [c for c in selected if c not in train_kinds]
    if absent:
        raise GateError(f"columns missing from train: {_names(absent)}; pass on=[...] with columns both tables "
                        "have")
    for column in selected:
        if test_kinds[column][0] != train_kinds[column][0]:
            raise GateError(f"column {column!r} is {train_kinds[column][0]} in train ({train_kinds[column][1]}) but "
                            f"{test_kinds[column][0]} in test ({test_kinds[column][1]}); make the types agree before "
                            "comparing rows")
    count = test_table.rows_also_in(train_table, selected)
    return [leakage_result(count, test_table.n_rows(), train_table.n_rows(), limit, selected, on is None, [])]


def label_counts_table(data: Any, column: str | None) -> dict[Any, int]:
    """Label counts from the engine (``GROUP BY``); missing labels are an error, as for arrays."""
    table = engine_table(data, "y")
    kinds = table.kinds()
    if column is None:
        if len(kinds) != 1:
            raise GateError(f"y is a table with {len(kinds)} columns: name the label column with column=\"...\"")
        column = next(iter(kinds))
    _selected(list(kinds), [column], "y", "column")
    values, counts = table.group_counts([column])
    keys = values[0]
    missing = [i for i, k in enumerate(keys.tolist()) if k is None or (isinstance(k, float) and math.isnan(k))]
    if missing:
        raise GateError(f"y has {int(counts[missing].sum())} missing label(s) in column {column!r}; drop or fill "
                        "them first")
    return {json_safe(k): int(c) for k, c in zip(keys.tolist(), counts.tolist(), strict=True)}


__all__ = ["BinnedProfile", "check_binned_drift", "is_binned_profile", "load_binned_profile",
           "make_binned_profile", "wants_binned"]
