"""Spark DataFrames: every summary is a Spark aggregation, and only aggregates reach the driver, never rows.

A scan computes every numeric column's summary in one job: the columns are stacked into ``(column, bin, value)``
rows (``stack``), the values put in the reference's bins by Spark ML's ``Bucketizer`` (a binary search in the JVM),
and one ``groupBy(column, bin)`` counts them; the categorical columns likewise in one ``groupBy(column,
category)``. The reference's quantiles come from one job too: a window numbers each column's sorted values, and
only the values at the edge positions are fetched. The integrity queries are ``distinct``, a null-safe semi-join and a
``groupBy``; NaN in a float column reads as missing (NULL), as in pandas, and -0.0 equals 0.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pytest_mlgate.engines.base import NumericStats, Table
from pytest_mlgate.results import GateError, hide_our_frames
from pytest_mlgate.stats.drift import CategoricalSummary

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

NUMERIC = ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal")
CATEGORICAL = ("string", "boolean", "varchar", "char")
FLOATS = ("float", "double")


def quote(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


class SparkTable(Table):
    engine = "Spark"

    def __init__(self, df: Any, name: str) -> None:
        from pyspark.sql import functions

        super().__init__(name)
        self.df = df
        self.F = functions
        self._types = {str(c): str(t) for c, t in df.dtypes}
        self._n_rows: int | None = None
        if not self._types:
            raise GateError(f"{name} has no columns: there is nothing to check")

    def kinds(self) -> dict[str, tuple[str, str]]:
        return self.kinds_from_types(self._types, NUMERIC, CATEGORICAL)

    def _col(self, column: str) -> Any:
        return self.F.col(quote(column))

    def _value(self, column: str) -> Any:
        """The column as double, NaN as NULL (missing, as in pandas) and -0.0 as 0.0."""
        F = self.F
        x = self._col(column).cast("double")
        if self._types[column] in FLOATS:
            x = F.nanvl(x, F.lit(None).cast("double"))
        return x + F.lit(0.0)

    def _key(self, column: str) -> Any:
        """The column as it compares in rows (duplicates, leakage): floats with NaN as NULL and -0.0 as 0.0."""
        return self._value(column) if self._types[column] in FLOATS else self._col(column)

    def n_rows(self) -> int:
        if self._n_rows is None:
            self._n_rows = int(self.df.count())
        return self._n_rows

    def numeric_stats(self, columns: Sequence[str]) -> dict[str, NumericStats]:
        F = self.F
        exprs = []
        for column in columns:
            v = self._value(column)
            exprs += [F.count(v), F.count(F.lit(1)) - F.count(v),
                      F.sum(F.when(F.abs(v) == F.lit(float("inf")), 1).otherwise(0)), F.min(v), F.max(v), F.avg(v),
                      F.var_pop(v) * F.count(v)]
        row = self.df.agg(*exprs).collect()[0]
        out = {}
        for i, column in enumerate(columns):
            n, missing, inf, lo, hi, mean, m2 = row[7 * i:7 * i + 7]
            out[column] = NumericStats(int(n), int(missing), int(inf or 0), np.nan if lo is None else float(lo),
                                       np.nan if hi is None else float(hi), float(mean or 0.0), float(m2 or 0.0))
        return out

    def values_at_ranks(self, ranks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One job: the columns' non-missing values stacked as (column, value), numbered in order within each
        column by a window (``row_number() OVER (PARTITION BY column ORDER BY value)``: a sort of each column in
        one task, as DuckDB sorts a column), and only the values at the requested positions are fetched (a
        broadcast semi-join with the positions)."""
        from pyspark.sql import Window

        F = self.F
        columns = list(ranks)
        stacked = self.df.select(F.explode(F.array(*[
            F.struct(F.lit(j).alias("c"), self._value(c).alias("v")) for j, c in enumerate(columns)])).alias("s"))
        numbered = (stacked.select("s.c", "s.v").where(F.col("v").isNotNull())
                    .select("c", "v", F.row_number().over(Window.partitionBy("c").orderBy("v")).alias("r")))
        wanted = sorted({(j, int(r) + 1) for j, c in enumerate(columns) for r in np.asarray(ranks[c]).tolist()})
        targets = self.df.sparkSession.createDataFrame(wanted, "c int, r int")
        chosen = numbered.join(F.broadcast(targets), on=["c", "r"], how="left_semi").select("c", "r", "v")
        found = {(int(row["c"]), int(row["r"])): float(row["v"]) for row in chosen.collect()}
        out = {}
        for j, column in enumerate(columns):
            at = [int(r) + 1 for r in np.asarray(ranks[column]).tolist()]
            if any((j, r) not in found for r in at):
                raise GateError(f"Spark found fewer values of {column!r} than its count: a bug in pytest-mlgate's "
                                "Spark adapter, please report it")
            out[column] = np.array([found[(j, r)] for r in at], dtype=float)
        return out

    def scan(self, edges: dict[str, np.ndarray], categorical: Sequence[str]) -> tuple[
            dict[str, NumericStats], dict[str, tuple[np.ndarray, float, float]], dict[str, CategoricalSummary]]:
        """The numeric columns in one job, values and bins stacked as (column, bin, value) and counted by one
        ``groupBy``: per bin its count, sum, min, max and squared deviations, merged here (Chan's formula); the
        categorical columns in another, stacked as (column, category)."""
        F = self.F
        numeric = list(edges)
        projected = [self._value(c).alias(f"v{j}") for j, c in enumerate(numeric)]
        # Bucketizer's buckets are [s_i, s_i+1); the bins are right-closed (e_j, e_j+1], so bucket -x instead
        with_edges = [j for j, c in enumerate(numeric) if edges[c].size]
        projected += [F.coalesce(-F.col(f"v{j}"), F.lit(0.0)).alias(f"w{j}") for j in with_edges]
        projected += [self._col(c).cast("string").alias(f"k{j}") for j, c in enumerate(categorical)]
        frame = self.df.select(*projected)
        if with_edges:
            from pyspark.ml.feature import Bucketizer

            splits = [[-np.inf, *(-(edges[numeric[j]][::-1] + 0.0)).tolist(), np.inf] for j in with_edges]
            frame = Bucketizer(splitsArray=splits, inputCols=[f"w{j}" for j in with_edges],
                               outputCols=[f"u{j}" for j in with_edges]).transform(frame)
        by_column: dict[int, list[Any]] = {}
        if numeric:
            entries = []
            for j, column in enumerate(numeric):
                bucket = f"{edges[column].size} - CAST(u{j} AS INT)" if edges[column].size else "0"
                entries.append(f"{j}, CASE WHEN v{j} IS NULL THEN NULL ELSE {bucket} END, v{j}")
            stacked = frame.select(F.expr(f"stack({len(entries)}, {', '.join(entries)}) AS (c, b, v)"))
            v = F.col("v")
            for r in stacked.groupBy("c", "b").agg(
                    F.count(F.lit(1)).alias("n"), F.sum(v).alias("s"), F.min(v).alias("lo"), F.max(v).alias("hi"),
                    F.sum(F.when(F.abs(v) == F.lit(float("inf")), 1).otherwise(0)).alias("inf"),
                    (F.var_pop(v) * F.count(v)).alias("m2")).collect():
                by_column.setdefault(int(r["c"]), []).append(r)
        stats, bins = {}, {}
        for j, column in enumerate(numeric):
            stats[column], bins[column] = self._merge(edges[column], by_column.get(j, []))
        tallies = {}
        if categorical:
            pairs = ", ".join(f"{j}, k{j}" for j in range(len(categorical)))
            stacked = frame.select(F.expr(f"stack({len(categorical)}, {pairs}) AS (c, k)"))
            for r in stacked.groupBy("c", "k").agg(F.count(F.lit(1)).alias("n")).collect():
                by_column.setdefault(len(numeric) + int(r["c"]), []).append(r)
        for j, column in enumerate(categorical):
            counts: dict[str, int] = {}
            missing = 0
            boolean = self._types[column] == "boolean"
            for r in by_column.get(len(numeric) + j, []):
                if r["k"] is None:
                    missing += int(r["n"])
                else:
                    counts[("True" if r["k"] == "true" else "False") if boolean else str(r["k"])] = int(r["n"])
            tallies[column] = CategoricalSummary(counts, missing)
        return stats, bins, tallies

    @staticmethod
    def _merge(e: np.ndarray, rows: list[Any]) -> tuple[NumericStats, tuple[np.ndarray, float, float]]:
        """A column's bins merged: counts per bin, the outer bins' sums, and the scalars (moments by Chan's
        formula from each bin's count, mean and squared deviations)."""
        k = e.size + 1
        counts = np.zeros(k, dtype=np.int64)
        sums = np.zeros(k)
        means = np.zeros(k)
        m2s = np.zeros(k)
        missing = inf = 0
        lo, hi = np.inf, -np.inf
        for r in rows:
            if r["b"] is None:
                missing += int(r["n"])
                continue
            b = int(r["b"])
            counts[b], sums[b] = int(r["n"]), float(r["s"])
            means[b], m2s[b] = sums[b] / counts[b], float(r["m2"])
            inf += int(r["inf"])
            lo, hi = min(lo, float(r["lo"])), max(hi, float(r["hi"]))
        n = int(counts.sum())
        if n == 0:
            return NumericStats(0, missing, 0, np.nan, np.nan, 0.0, 0.0), (counts, 0.0, 0.0)
        filled = counts > 0
        if inf:
            mean = m2 = np.nan
        else:
            mean = float(sums[filled].sum() / n)
            m2 = float(m2s[filled].sum() + np.einsum("i,i->", counts[filled], (means[filled] - mean) ** 2))
        return NumericStats(n, missing, inf, lo, hi, mean, m2), (counts, float(sums[0]), float(sums[-1]))

    def bin_counts(self, edges: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float, float]]:
        return self.scan(edges, [])[1]

    def category_counts(self, columns: Sequence[str]) -> dict[str, CategoricalSummary]:
        return self.scan({}, columns)[2]

    def missing_counts(self, columns: Sequence[str]) -> dict[str, int]:
        F = self.F
        row = self.df.agg(*[F.count(F.lit(1)) - F.count(self._key(c)) for c in columns]).collect()[0]
        return {c: int(v) for c, v in zip(columns, row, strict=True)}

    def _keys(self, columns: Sequence[str], prefix: str) -> Any:
        return self.df.select(*[self._key(c).alias(f"{prefix}{j}") for j, c in enumerate(columns)])

    def duplicate_rows(self, columns: Sequence[str]) -> int:
        return self.n_rows() - int(self._keys(columns, "a").distinct().count())

    def rows_also_in(self, other: Table, columns: Sequence[str]) -> int:
        assert isinstance(other, SparkTable)
        left, right = self._keys(columns, "a"), other._keys(columns, "b").distinct()
        F = self.F
        match = [F.col(f"a{j}").eqNullSafe(F.col(f"b{j}")) for j in range(len(columns))]
        return int(left.join(right, on=match, how="left_semi").count())

    def group_counts(self, columns: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
        F = self.F
        names = [f"g{j}" for j in range(len(columns))]
        grouped = (self.df.select(*[self._col(c).alias(g) for c, g in zip(columns, names, strict=True)])
                   .groupBy(*names).agg(F.count(F.lit(1)).alias("mlgate_n")).orderBy(*names).collect())
        if not grouped:
            return [np.empty(0) for _ in columns], np.empty(0, dtype=np.int64)
        return ([np.array([r[g] for r in grouped], dtype=object) for g in names],
                np.array([int(r["mlgate_n"]) for r in grouped], dtype=np.int64))

    def score_bins(self, label: str, score: str, low: float, width: float, bins: int) -> tuple[
            np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        F = self.F
        cells = self.df.select(self._col(label).alias("y"), self._value(score).alias("s"))
        cells = cells.withColumn("b", F.least(F.floor((F.col("s") - F.lit(float(low))) / F.lit(float(width)))
                                           .cast("long"), F.lit(int(bins) - 1)))
        rows = cells.groupBy("y", "b").agg(F.count(F.lit(1)).alias("n"), F.min("s").alias("lo"),
                                            F.max("s").alias("hi")).collect()
        return (np.array([r["y"] for r in rows], dtype=object), np.array([r["b"] for r in rows], dtype=np.int64),
                np.array([r["n"] for r in rows], dtype=np.int64), np.array([r["lo"] for r in rows], dtype=float),
                np.array([r["hi"] for r in rows], dtype=float))


def failure_cases(table: Table, schema: Any) -> Any:
    """pandera's pyspark backend on the table (its checks run in Spark), as the failure table ``validate`` reads.

    That backend reports each failed column/check once, with its error text, and neither the failing values nor
    their count nor their rows: one row per failed check, ``count`` 1, ``row`` unknown."""
    import pandas as pd
    import pandera.errors
    from pandera.config import ValidationDepth, config_context

    assert isinstance(table, SparkTable)
    api = type(schema).__module__
    if not api.startswith("pandera.api.pyspark"):
        raise GateError(f"the data is a Spark DataFrame but the schema is a {api.split('.')[2]} schema; build it "
                        "with pandera.pyspark (import pandera.pyspark as pa), whose checks run in Spark")
    columns = ["schema_context", "column", "check", "failure_case", "index", "count", "row"]
    try:
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            checked = schema.validate(table.df, lazy=True)
    except (pandera.errors.SchemaError, pandera.errors.SchemaDefinitionError, pandera.errors.BackendNotFoundError,
            TypeError, ValueError) as exc:
        raise GateError(f"pandera could not validate the data with this schema: {type(exc).__name__}: {exc}"
                        ) from None
    rows = []
    for by_reason in (checked.pandera.errors or {}).values():  # {"SCHEMA" | "DATA": {reason: [failures]}}
        for failures in by_reason.values():
            for failure in failures:
                column = failure.get("column")
                rows.append({"schema_context": "Column" if column is not None else "DataFrameSchema",
                             "column": column, "check": failure.get("check"), "failure_case": failure.get("error"),
                             "index": None, "count": 1, "row": None})
    return pd.DataFrame(rows, columns=columns, dtype=object)
