"""DuckDB relations and Parquet files (read by DuckDB): every summary is one aggregate query, run in DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pytest_mlgate.engines.base import NumericStats, Table, from_buckets
from pytest_mlgate.results import GateError, hide_our_frames
from pytest_mlgate.stats.drift import CategoricalSummary

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
           "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
CATEGORICAL = ("VARCHAR", "BOOLEAN", "ENUM")


def quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _double(value: float) -> str:
    """A DOUBLE literal that round-trips exactly: the shortest repr in scientific notation (DuckDB reads a plain
    decimal as DECIMAL, whose conversion to DOUBLE can be one ulp off)."""
    text = repr(float(value))
    return text if "e" in text else text + "e0"


def _doubles(values: np.ndarray) -> str:
    return "[" + ",".join(_double(v) for v in values) + "]"


def read_parquet(duckdb: Any, path: str) -> Any:
    """The Parquet file(s) as a relation of their data columns: the index columns pandas' ``to_parquet`` stored
    (``__index_level_0__``, or a named index; listed in each file's ``pandas`` metadata) are left out when every
    file lists them, as ``pandas.read_parquet`` makes them the index rather than columns."""
    import json

    relation = duckdb.read_parquet(path)
    try:
        files = duckdb.execute("SELECT count(*) FROM glob(?)", [path]).fetchall()[0][0]
        rows = duckdb.execute("SELECT value FROM parquet_kv_metadata(?) WHERE key = 'pandas'", [path]).fetchall()
        listed = [{c for c in json.loads(bytes(v).decode("utf-8")).get("index_columns", []) if isinstance(c, str)}
                  for (v,) in rows]
    except Exception:  # no readable pandas metadata: every column is data
        return relation
    if not listed or len(listed) != files:
        return relation
    index = set.intersection(*listed)
    kept = [c for c in relation.columns if c not in index]
    return relation.project(", ".join(quote(c) for c in kept)) if index and kept else relation


class DuckDBTable(Table):
    engine = "DuckDB"

    def __init__(self, relation: Any, name: str) -> None:
        super().__init__(name)
        self.relation = relation
        self._types = {str(c): str(t) for c, t in zip(relation.columns, relation.types, strict=True)}
        self._n_rows: int | None = None
        if not self._types:
            raise GateError(f"{name} has no columns: there is nothing to check")

    def _sql(self, select: str, tail: str = "") -> list[tuple[Any, ...]]:
        """An aggregate over the table, its float columns' NaN read as NULL (missing, as in pandas) once per row in
        a projection (DuckDB would otherwise evaluate the CASE again in each aggregate)."""
        cleaned = ", ".join(f"CASE WHEN isnan({quote(c)}) THEN NULL ELSE {quote(c)} END AS {quote(c)}"
                            if t in ("FLOAT", "DOUBLE") else quote(c) for c, t in self._types.items())
        query = f"SELECT {select} FROM (SELECT {cleaned} FROM mlgate_t) {tail}"
        return self.relation.query("mlgate_t", query).fetchall()

    def kinds(self) -> dict[str, tuple[str, str]]:
        return self.kinds_from_types(self._types, NUMERIC, CATEGORICAL)

    def _value(self, column: str) -> str:
        """The column as DOUBLE (inside :meth:`_sql`, where NaN is already NULL)."""
        return f"{quote(column)}::DOUBLE" if self._types[column] != "DOUBLE" else quote(column)

    def n_rows(self) -> int:
        if self._n_rows is None:
            self._n_rows = int(self._sql("count(*)")[0][0])
        return self._n_rows

    def _stats_sql(self, column: str) -> str:
        v = self._value(column)
        # CASE inside the aggregate, not FILTER: DuckDB ran each FILTER clause as its own pass over the values
        # (the scan took 2.2x the bare histogram with them, 1.05x without, on 2M rows x 15 columns)
        return (f"count({v}), count(*) - count({v}), count(CASE WHEN isinf({v}) THEN 1 END), min({v}), max({v}), "
                f"avg({v}), var_pop({v}) * count({v})")

    @staticmethod
    def _stats(values: Sequence[Any]) -> NumericStats:
        n, missing, inf, lo, hi, mean, m2 = values
        return NumericStats(int(n), int(missing), int(inf), np.nan if lo is None else float(lo),
                            np.nan if hi is None else float(hi), float(mean or 0.0), float(m2 or 0.0))

    def numeric_stats(self, columns: Sequence[str]) -> dict[str, NumericStats]:
        row = self._sql(", ".join(self._stats_sql(c) for c in columns))[0]
        return {c: self._stats(row[7 * i:7 * i + 7]) for i, c in enumerate(columns)}

    def values_at_ranks(self, ranks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        # one sort per column (DuckDB's quantile_disc with 999 fractions took 2-3x longer), one column at a time so
        # DuckDB holds a single column's values
        out = {}
        for column, at in ranks.items():
            positions = "[" + ",".join(str(int(p) + 1) for p in at) + "]"
            v = self._value(column)
            row = self._sql(f"list_select(list_sort(list({v}) FILTER ({v} IS NOT NULL)), {positions})")[0]
            out[column] = np.asarray(row[0], dtype=float)
        return out

    def _bins_sql(self, column: str, e: np.ndarray) -> str:
        v = self._value(column)
        if e.size:
            return (f"histogram({v}, {_doubles(e)}), sum(CASE WHEN {v} <= {_double(e[0])} THEN {v} END), "
                    f"sum(CASE WHEN {v} > {_double(e[-1])} THEN {v} END)")
        return f"NULL, sum({v}), count({v})"

    @staticmethod
    def _bins(e: np.ndarray, values: Sequence[Any]) -> tuple[np.ndarray, float, float]:
        buckets, low, high = values
        if e.size:
            buckets = buckets or {}
            return from_buckets(e, list(buckets.keys()), list(buckets.values())), float(low or 0.0), float(high or 0.0)
        return np.array([int(high)], dtype=np.int64), float(low or 0.0), float(low or 0.0)

    def bin_counts(self, edges: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float, float]]:
        row = self._sql(", ".join(self._bins_sql(c, e) for c, e in edges.items()))[0]
        return {c: self._bins(e, row[3 * i:3 * i + 3]) for i, (c, e) in enumerate(edges.items())}

    def _tally_sql(self, column: str) -> str:
        return f"histogram({quote(column)}::VARCHAR), count(*) - count({quote(column)})"

    def _tally(self, column: str, values: Sequence[Any]) -> CategoricalSummary:
        tally, missing = values[0] or {}, int(values[1])
        if self._types[column] == "BOOLEAN":  # as pandas' str(True)
            tally = {("True" if k == "true" else "False"): v for k, v in tally.items()}
        return CategoricalSummary({str(k): int(v) for k, v in tally.items()}, missing)

    def category_counts(self, columns: Sequence[str]) -> dict[str, CategoricalSummary]:
        row = self._sql(", ".join(self._tally_sql(c) for c in columns))[0]
        return {c: self._tally(c, row[2 * i:2 * i + 2]) for i, c in enumerate(columns)}

    def scan(self, edges: dict[str, np.ndarray], categorical: Sequence[str]) -> tuple[
            dict[str, NumericStats], dict[str, tuple[np.ndarray, float, float]], dict[str, CategoricalSummary]]:
        """Everything in one aggregate query: one pass over the data."""
        parts = [self._stats_sql(c) + ", " + self._bins_sql(c, e) for c, e in edges.items()]
        parts += [self._tally_sql(c) for c in categorical]
        row = self._sql(", ".join(parts))[0]
        stats, bins, i = {}, {}, 0
        for column, e in edges.items():
            stats[column], bins[column] = self._stats(row[i:i + 7]), self._bins(e, row[i + 7:i + 10])
            i += 10
        tallies = {}
        for column in categorical:
            tallies[column] = self._tally(column, row[i:i + 2])
            i += 2
        return stats, bins, tallies

    def missing_counts(self, columns: Sequence[str]) -> dict[str, int]:
        row = self._sql(", ".join(f"count(*) - count({quote(c)})" for c in columns))[0]
        return {c: int(v) for c, v in zip(columns, row, strict=True)}

    def duplicate_rows(self, columns: Sequence[str]) -> int:
        names = ", ".join(quote(c) for c in columns)
        total = self.n_rows()
        distinct = self.relation.query("mlgate_t", f"SELECT count(*) FROM (SELECT DISTINCT {names} FROM mlgate_t)")
        return total - int(distinct.fetchall()[0][0])

    def rows_also_in(self, other: Table, columns: Sequence[str]) -> int:
        assert isinstance(other, DuckDBTable)
        match = " AND ".join(f"mlgate_a.{quote(c)} IS NOT DISTINCT FROM mlgate_b.{quote(c)}" for c in columns)
        try:
            joined = self.relation.set_alias("mlgate_a").join(other.relation.set_alias("mlgate_b"), match, how="semi")
        except Exception as exc:  # relations of two different connections cannot be joined
            raise GateError(f"DuckDB could not join test with train ({type(exc).__name__}: {exc}); make both "
                            "relations on one connection") from None
        return int(joined.aggregate("count(*)").fetchall()[0][0])

    def group_counts(self, columns: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
        names = ", ".join(quote(c) for c in columns)
        rows = self.relation.query(
            "mlgate_t", f"SELECT {names}, count(*) FROM mlgate_t GROUP BY ALL ORDER BY ALL").fetchall()
        if not rows:
            return [np.empty(0) for _ in columns], np.empty(0, dtype=np.int64)
        cols = list(zip(*rows, strict=True))
        return [np.array(c, dtype=object) for c in cols[:-1]], np.array(cols[-1], dtype=np.int64)

    def score_bins(self, label: str, score: str, low: float, width: float, bins: int) -> tuple[
            np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        s = self._value(score)
        rows = self._sql(f"{quote(label)}, least(floor(({s} - {_double(low)}) / {_double(width)})::BIGINT, "
                         f"{int(bins) - 1}) AS mlgate_b, count(*), min({s}), max({s})", "GROUP BY ALL")
        cols = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
        return (np.array(cols[0], dtype=object), np.array(cols[1], dtype=np.int64), np.array(cols[2], dtype=np.int64),
                np.array(cols[3], dtype=float), np.array(cols[4], dtype=float))
