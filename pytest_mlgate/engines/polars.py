"""polars LazyFrames and DataFrames, and pyarrow Tables (read by polars without a copy): every summary is a lazy
query run by polars' streaming engine, so the frame is never materialised whole, nor converted to pandas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pytest_mlgate.engines.base import NumericStats, Table, from_buckets
from pytest_mlgate.results import GateError, hide_our_frames
from pytest_mlgate.stats.drift import CategoricalSummary

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


class PolarsTable(Table):
    engine = "polars"

    def __init__(self, data: Any, name: str) -> None:
        import polars as pl

        super().__init__(name)
        if type(data).__module__.split(".")[0] == "pyarrow":
            data = pl.from_arrow(data)
        self.pl = pl
        self.lazy = data.lazy()
        self.schema = dict(self.lazy.collect_schema())
        if not self.schema:
            raise GateError(f"{name} has no columns: there is nothing to check")

    def _collect(self, query: Any) -> Any:
        return query.collect(engine="streaming")

    def kinds(self) -> dict[str, tuple[str, str]]:
        out = {}
        for column, dtype in self.schema.items():
            if dtype == self.pl.Boolean or dtype in (self.pl.String, self.pl.Categorical) \
                    or isinstance(dtype, self.pl.Enum):
                out[column] = ("categorical", str(dtype))
            elif dtype.is_numeric() and not dtype.is_decimal():
                out[column] = ("numeric", str(dtype))
            else:
                raise self.unsupported(column, str(dtype))
        return out

    def _value(self, column: str) -> Any:
        """The column as Float64 with NaN as null (missing, as in pandas)."""
        pl = self.pl
        x = pl.col(column).cast(pl.Float64)
        return pl.when(x.is_nan()).then(None).otherwise(x)

    def n_rows(self) -> int:
        return int(self._collect(self.lazy.select(self.pl.len())).item())

    def numeric_stats(self, columns: Sequence[str]) -> dict[str, NumericStats]:
        exprs = []
        for i, column in enumerate(columns):
            v = self._value(column)
            exprs += [v.count().alias(f"n{i}"), v.null_count().alias(f"m{i}"), v.is_infinite().sum().alias(f"i{i}"),
                      v.min().alias(f"lo{i}"), v.max().alias(f"hi{i}"), v.mean().alias(f"mu{i}"),
                      (v.var(ddof=0) * v.count()).alias(f"m2{i}")]
        row = self._collect(self.lazy.select(exprs)).row(0, named=True)
        out = {}
        for i, column in enumerate(columns):
            lo, hi = row[f"lo{i}"], row[f"hi{i}"]
            out[column] = NumericStats(int(row[f"n{i}"]), int(row[f"m{i}"]), int(row[f"i{i}"] or 0),
                                       np.nan if lo is None else float(lo), np.nan if hi is None else float(hi),
                                       float(row[f"mu{i}"] or 0.0), float(row[f"m2{i}"] or 0.0))
        return out

    def values_at_ranks(self, ranks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = {}
        for column, at in ranks.items():
            query = self.lazy.select(self._value(column).drop_nulls().sort().gather(at.tolist()).alias("q"))
            out[column] = self._collect(query).get_column("q").to_numpy().astype(float)
        return out

    def bin_counts(self, edges: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float, float]]:
        pl = self.pl
        out = {}
        for column, e in edges.items():
            v = self._value(column)
            values = self.lazy.select(v.drop_nulls().alias("v"))
            if e.size:
                binned = values.select(pl.lit(pl.Series(e, dtype=pl.Float64)).search_sorted(pl.col("v"), side="left")
                                       .alias("b"), pl.col("v"))
                table = self._collect(binned.group_by("b").agg(pl.len().alias("n"), pl.col("v").sum().alias("s")))
                keys, n, s = (table.get_column(c).to_numpy() for c in ("b", "n", "s"))
                counts = from_buckets(np.arange(e.size, dtype=float), keys.astype(float), n)
                low = float(s[keys == 0].sum())
                high = float(s[keys == e.size].sum())
            else:
                table = self._collect(values.select(pl.len().alias("n"), pl.col("v").sum().alias("s")))
                counts = np.array([int(table.item(0, "n"))], dtype=np.int64)
                low = high = float(table.item(0, "s") or 0.0)
            out[column] = (counts, low, high)
        return out

    def category_counts(self, columns: Sequence[str]) -> dict[str, CategoricalSummary]:
        pl = self.pl
        out = {}
        for column in columns:
            table = self._collect(self.lazy.group_by(pl.col(column).cast(pl.String).alias("k")).agg(pl.len()))
            counts: dict[str, int] = {}
            missing = 0
            for key, n in zip(table.get_column("k").to_list(), table.get_column("len").to_list(), strict=True):
                if key is None:
                    missing += int(n)
                else:
                    counts[("True" if key == "true" else "False") if self.schema[column] == pl.Boolean else key] = n
            out[column] = CategoricalSummary(counts, missing)
        return out

    def missing_counts(self, columns: Sequence[str]) -> dict[str, int]:
        pl = self.pl
        exprs = [(self._value(c) if self.schema[c].is_float() else pl.col(c)).null_count().alias(c) for c in columns]
        row = self._collect(self.lazy.select(exprs)).row(0, named=True)
        return {c: int(row[c]) for c in columns}

    def duplicate_rows(self, columns: Sequence[str]) -> int:
        distinct = self._collect(self.lazy.select(columns).unique().select(self.pl.len())).item()
        return self.n_rows() - int(distinct)

    def rows_also_in(self, other: Table, columns: Sequence[str]) -> int:
        assert isinstance(other, PolarsTable)
        keys = other.lazy.select(list(columns)).unique()
        joined = self.lazy.join(keys, on=list(columns), how="semi", nulls_equal=True)
        return int(self._collect(joined.select(self.pl.len())).item())

    def group_counts(self, columns: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
        pl = self.pl
        table = self._collect(self.lazy.group_by(list(columns)).agg(pl.len().alias("mlgate_n")).sort(list(columns)))
        return ([table.get_column(c).to_numpy() for c in columns],
                table.get_column("mlgate_n").to_numpy().astype(np.int64))

    def score_bins(self, label: str, score: str, low: float, width: float, bins: int) -> tuple[
            np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        pl = self.pl
        s = self._value(score)
        b = ((s - low) / width).floor().cast(pl.Int64).clip(upper_bound=int(bins) - 1)
        query = self.lazy.select(pl.col(label).alias("y"), b.alias("b"), s.alias("s")).group_by(["y", "b"]).agg(
            pl.len().alias("n"), pl.col("s").min().alias("lo"), pl.col("s").max().alias("hi"))
        table = self._collect(query)
        return (np.array(table.get_column("y").to_list(), dtype=object),
                table.get_column("b").to_numpy().astype(np.int64), table.get_column("n").to_numpy().astype(np.int64),
                table.get_column("lo").to_numpy().astype(float), table.get_column("hi").to_numpy().astype(float))
