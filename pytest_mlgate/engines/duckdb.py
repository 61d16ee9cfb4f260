"""DuckDB relations and Parquet files (read by DuckDB): every summary is one aggregate query, run in DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pytest_mlgate.engines.base import NumericStats, Table, from_buckets
from pytest_mlgate.results import GateError
from pytest_mlgate.stats.drift import CategoricalSummary

__tracebackhide__ = True

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
           "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
CATEGORICAL = ("VARCHAR", "BOOLEAN", "ENUM")


def quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _doubles(values: np.ndarray) -> str:
    """A DOUBLE[] literal that round-trips every float exactly (text -> double parses the shortest repr)."""
    return "[" + ",".join(f"'{float(v)!r}'" for v in values) + "]::DOUBLE[]"


class DuckDBTable(Table):
    engine = "DuckDB"

    def __init__(self, relation: Any, name: str) -> None:
        super().__init__(name)
        self.relation = relation
        self._types = {str(c): str(t) for c, t in zip(relation.columns, relation.types, strict=True)}
        if not self._types:
            raise GateError(f"{name} has no columns: there is nothing to check")

    def _sql(self, select: str) -> list[tuple[Any, ...]]:
        return self.relation.query("mlgate_t", f"SELECT {select} FROM mlgate_t").fetchall()

    def kinds(self) -> dict[str, tuple[str, str]]:
        out = {}
        for column, dtype in self._types.items():
            base = dtype.split("(")[0]
            if base in NUMERIC:
                out[column] = ("numeric", dtype)
            elif base in CATEGORICAL:
                out[column] = ("categorical", dtype)
            else:
                raise self.unsupported(column, dtype)
        return out

    def _value(self, column: str) -> str:
        """The column as DOUBLE, NaN as NULL (missing, as in pandas)."""
        q = quote(column)
        if self._types[column] in ("FLOAT", "DOUBLE"):
            return f"(CASE WHEN isnan({q}) THEN NULL ELSE {q}::DOUBLE END)"
        return f"{q}::DOUBLE"

    def n_rows(self) -> int:
        return int(self._sql("count(*)")[0][0])

    def numeric_stats(self, columns: Sequence[str]) -> dict[str, NumericStats]:
        parts = []
        for column in columns:
            v = self._value(column)
            parts.append(f"count({v}), count(*) - count({v}), count(*) FILTER (isinf({v})), min({v}), max({v}), "
                         f"avg({v}), var_pop({v}) * count({v})")
        row = self._sql(", ".join(parts))[0]
        out = {}
        for i, column in enumerate(columns):
            n, missing, inf, lo, hi, mean, m2 = row[7 * i:7 * i + 7]
            out[column] = NumericStats(int(n), int(missing), int(inf), np.nan if lo is None else float(lo),
                                       np.nan if hi is None else float(hi), float(mean or 0.0), float(m2 or 0.0))
        return out

    def values_at_ranks(self, ranks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        # quantile_disc(x, q) is the value at 0-based position ceil(q n) - 1 of the sorted column (as numpy's
        # inverted_cdf): q = (rank + 0.5) / n asks for position rank, clear of rounding at either side
        columns = list(ranks)
        parts = []
        counts = self.numeric_stats(columns)
        for column in columns:
            n = counts[column].n
            fractions = (ranks[column] + 0.5) / n
            parts.append(f"quantile_disc({self._value(column)}, {_doubles(fractions)})")
        row = self._sql(", ".join(parts))[0]
        return {c: np.asarray(row[i], dtype=float) for i, c in enumerate(columns)}

    def bin_counts(self, edges: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float, float]]:
        columns = list(edges)
        parts = []
        for column in columns:
            v, e = self._value(column), edges[column]
            if e.size:
                parts.append(f"histogram({v}, {_doubles(e)}), sum({v}) FILTER ({v} <= {float(e[0])!r}::DOUBLE), "
                             f"sum({v}) FILTER ({v} > {float(e[-1])!r}::DOUBLE)")
            else:
                parts.append(f"NULL, sum({v}), count({v})")
        row = self._sql(", ".join(parts))[0]
        out = {}
        for i, column in enumerate(columns):
            buckets, low, high = row[3 * i:3 * i + 3]
            e = edges[column]
            if e.size:
                buckets = buckets or {}
                counts = from_buckets(e, list(buckets.keys()), list(buckets.values()))
                out[column] = (counts, float(low or 0.0), float(high or 0.0))
            else:
                out[column] = (np.array([int(high)], dtype=np.int64), float(low or 0.0), float(low or 0.0))
        return out

    def category_counts(self, columns: Sequence[str]) -> dict[str, CategoricalSummary]:
        parts = [f"histogram({quote(c)}::VARCHAR), count(*) - count({quote(c)})" for c in columns]
        row = self._sql(", ".join(parts))[0]
        out = {}
        for i, column in enumerate(columns):
            tally, missing = row[2 * i] or {}, int(row[2 * i + 1])
            if self._types[column] == "BOOLEAN":  # as pandas' str(True)
                tally = {("True" if k == "true" else "False"): v for k, v in tally.items()}
            out[column] = CategoricalSummary({str(k): int(v) for k, v in tally.items()}, missing)
        return out

    def missing_counts(self, columns: Sequence[str]) -> dict[str, int]:
        parts = []
        for column in columns:
            if self._types[column] in ("FLOAT", "DOUBLE"):
                parts.append(f"count(*) - count({self._value(column)})")
            else:
                parts.append(f"count(*) - count({quote(column)})")
        row = self._sql(", ".join(parts))[0]
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
