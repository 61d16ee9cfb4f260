"""What every engine adapter provides, and the summaries built from it (written once, for every engine)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pytest_mlgate.results import GateError, hide_our_frames
from pytest_mlgate.stats.binned import BINS, BinnedNumeric, clean_edges, edge_ranks
from pytest_mlgate.stats.drift import CategoricalSummary

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

Summary = BinnedNumeric | CategoricalSummary


@dataclass(frozen=True)
class NumericStats:
    """One numeric column's scalars, as the engine aggregates them (NaN counts as missing)."""

    n: int
    n_missing: int
    n_infinite: int
    minimum: float
    maximum: float
    mean: float
    m2: float  # sum of squared deviations from the mean


class Table(ABC):
    """A table some engine holds; ``name`` says which argument it is in messages ("reference", "current")."""

    engine = "?"

    def __init__(self, name: str) -> None:
        self.name = name

    @abstractmethod
    def kinds(self) -> dict[str, tuple[str, str]]:
        """column -> ("numeric" | "categorical", the engine's type name); a type drift cannot compare is an
        error naming it."""

    @abstractmethod
    def n_rows(self) -> int: ...

    @abstractmethod
    def numeric_stats(self, columns: Sequence[str]) -> dict[str, NumericStats]: ...

    @abstractmethod
    def values_at_ranks(self, ranks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The sorted non-missing values of each column at the given 0-based positions (its quantiles)."""

    @abstractmethod
    def bin_counts(self, edges: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float, float]]:
        """Per column: counts in the right-closed bins of ``edges`` (one more than edges), and the sums of the
        values in the first and last bins."""

    def scan(self, edges: dict[str, np.ndarray], categorical: Sequence[str]) -> tuple[
            dict[str, NumericStats], dict[str, tuple[np.ndarray, float, float]], dict[str, CategoricalSummary]]:
        """Scalars and bin counts of the numeric columns in ``edges``, counts of the categorical ones; an engine
        that can do it in one pass over the data overrides this."""
        numeric = list(edges)
        return (self.numeric_stats(numeric) if numeric else {}, self.bin_counts(edges) if numeric else {},
                self.category_counts(categorical) if categorical else {})

    @abstractmethod
    def category_counts(self, columns: Sequence[str]) -> dict[str, CategoricalSummary]: ...

    @abstractmethod
    def missing_counts(self, columns: Sequence[str]) -> dict[str, int]: ...

    @abstractmethod
    def duplicate_rows(self, columns: Sequence[str]) -> int:
        """Rows that repeat an earlier row on ``columns`` (rows less distinct rows)."""

    @abstractmethod
    def rows_also_in(self, other: Table, columns: Sequence[str]) -> int:
        """Rows of this table whose values on ``columns`` occur in a row of ``other`` (an adapter of the same
        engine), missing values matching missing values (as row hashing matches them)."""

    @abstractmethod
    def group_counts(self, columns: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
        """``GROUP BY columns``: the distinct combinations (one array per column) and their row counts; rows with
        a missing value in any of the columns are an error, counted."""

    def score_bins(self, label: str, score: str, low: float, width: float, bins: int) -> tuple[
            np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``GROUP BY label, bin`` with bin ``floor((score - low) / width)`` capped at ``bins - 1``: the labels, the
        bins, the rows and the smallest and largest score of each cell (for ROC AUC and average precision from
        counts). An engine that cannot is an error saying so."""
        raise GateError(f"{self.name} is a {self.engine} table, which cannot give score histograms yet; write it as "
                        "Parquet and pass the path (read by DuckDB)")

    def kinds_from_types(self, types: dict[str, str], numeric: Sequence[str],
                         categorical: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Each column's kind from its engine type name (its base before any "(...)"), refusing other types."""
        out = {}
        for column, dtype in types.items():
            base = dtype.split("(")[0]
            if base in numeric:
                out[column] = ("numeric", dtype)
            elif base in categorical:
                out[column] = ("categorical", dtype)
            else:
                raise self.unsupported(column, dtype)
        return out

    def unsupported(self, column: str, dtype: str) -> GateError:
        return GateError(f"column {column!r} of {self.name} has type {dtype}, which drift does not support; cast it "
                         "to a number or to text in the query")


def summarize(table: Table, columns: Sequence[str], *, edges: dict[str, np.ndarray] | None = None,
              bins: int = BINS) -> dict[str, Summary]:
    """Binned summaries of ``columns``: numeric columns in the given ``edges`` (the reference's), or in edges at
    this table's own quantiles when ``edges`` is None; categorical columns as exact counts."""
    kinds = table.kinds()
    numeric = [c for c in columns if kinds[c][0] == "numeric"]
    categorical = [c for c in columns if kinds[c][0] == "categorical"]
    out: dict[str, Summary] = {}
    if edges is None and numeric:  # the reference: a pass for the counts, one for its quantiles, then the scan
        scalars = table.numeric_stats(numeric)
        _finite(table, scalars)
        ranked = {c: edge_ranks(scalars[c].n, bins) for c in numeric if scalars[c].n}
        values = table.values_at_ranks(ranked) if ranked else {}
        edges = {c: clean_edges(values[c], scalars[c].maximum) if c in values else np.empty(0) for c in numeric}
    chosen = edges or {}
    scalars, counted, tallies = table.scan({c: chosen[c] for c in numeric}, categorical)
    out.update(tallies)
    if numeric:
        _finite(table, scalars)
        for column in numeric:
            s = scalars[column]
            counts, low, high = counted[column]
            if int(counts.sum()) != s.n:
                raise GateError(f"{table.engine} counted {int(counts.sum())} values of {column!r} in bins but {s.n} "
                                "in all: a bug in pytest-mlgate's adapter, please report it")
            out[column] = BinnedNumeric(chosen[column], counts, s.n_missing, s.minimum, s.maximum, s.mean, s.m2,
                                        low, high)
    return {c: out[c] for c in columns}


def _finite(table: Table, scalars: dict[str, NumericStats]) -> None:
    for column, s in scalars.items():
        if s.n_infinite:
            raise GateError(f"column {column!r} of {table.name} has {s.n_infinite} infinite value(s); replace them "
                            "with NULL or finite values")


def from_buckets(edges: np.ndarray, keys: Sequence[float], values: Sequence[int]) -> np.ndarray:
    """Counts per bin from an engine's {upper boundary: count} buckets (the last boundary +inf)."""
    counts = np.zeros(edges.size + 1, dtype=np.int64)
    if len(keys):
        np.add.at(counts, np.searchsorted(edges, np.asarray(keys, dtype=float), side="left"),
                  np.asarray(values, dtype=np.int64))
    return counts


