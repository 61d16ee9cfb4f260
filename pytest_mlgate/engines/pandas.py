"""pandas (and anything pytest-mlgate turns into pandas): numpy computes the same summaries the engines do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.engines.base import NumericStats, Table
from pytest_mlgate.stats.drift import CategoricalSummary


class PandasTable(Table):
    engine = "pandas"

    def __init__(self, data: Any, name: str) -> None:
        from pytest_mlgate._frames import _frame

        super().__init__(name)
        self.frame = _frame(data, name)

    def kinds(self) -> dict[str, tuple[str, str]]:
        from pytest_mlgate._frames import column_kind

        return {str(c): (column_kind(self.frame[c], self.name), str(self.frame[c].dtype)) for c in self.frame.columns}

    def _column(self, column: str) -> pd.Series:
        return self.frame[column] if column in self.frame.columns else self.frame[self._label(column)]

    def _label(self, column: str) -> Any:
        return next(c for c in self.frame.columns if str(c) == column)

    def _floats(self, column: str) -> np.ndarray:
        from pytest_mlgate._frames import _floats

        return _floats(self._column(column))

    def n_rows(self) -> int:
        return len(self.frame)

    def numeric_stats(self, columns: Sequence[str]) -> dict[str, NumericStats]:
        out = {}
        for column in columns:
            x = self._floats(column)
            finite = x[~np.isnan(x)]
            n = finite.size
            mean = float(finite.mean()) if n else 0.0
            centred = finite - mean
            out[column] = NumericStats(n, int(x.size - n), int(np.isinf(finite).sum()),
                                       float(finite.min()) if n else np.nan, float(finite.max()) if n else np.nan,
                                       mean, float(np.einsum("i,i->", centred, centred)))
        return out

    def values_at_ranks(self, ranks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = {}
        for column, at in ranks.items():
            x = self._floats(column)
            out[column] = np.sort(x[~np.isnan(x)])[at]
        return out

    def bin_counts(self, edges: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float, float]]:
        out = {}
        for column, e in edges.items():
            x = self._floats(column)
            x = x[~np.isnan(x)]
            index = np.searchsorted(e, x, side="left")
            k = e.size + 1
            low = float(x[index == 0].sum())
            out[column] = (np.bincount(index, minlength=k).astype(np.int64), low,
                           float(x[index == k - 1].sum()) if k > 1 else low)
        return out

    def category_counts(self, columns: Sequence[str]) -> dict[str, CategoricalSummary]:
        return {c: CategoricalSummary.from_series(self._column(c)) for c in columns}

    def missing_counts(self, columns: Sequence[str]) -> dict[str, int]:
        return {c: int(self._column(c).isna().sum()) for c in columns}

    def duplicate_rows(self, columns: Sequence[str]) -> int:
        return int(self.frame[[self._label(c) for c in columns]].duplicated().sum())

    def rows_also_in(self, other: Table, columns: Sequence[str]) -> int:
        from pytest_mlgate._frames import _aligned, _member, row_hashes

        assert isinstance(other, PandasTable)
        labels = [self._label(c) for c in columns]
        left, right = _aligned(other.frame, self.frame, labels)
        train_hashes, test_hashes = row_hashes(left, right)
        return int(_member(test_hashes, train_hashes).sum())

    def group_counts(self, columns: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
        counts = self.frame.groupby([self._label(c) for c in columns], dropna=False, sort=True).size()
        index = counts.index.to_frame(index=False)
        return [index.iloc[:, i].to_numpy() for i in range(len(columns))], counts.to_numpy().astype(np.int64)

    def score_bins(self, label: str, score: str, low: float, width: float, bins: int) -> tuple[
            np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        s = self._floats(score)
        b = np.minimum(np.floor((s - low) / width), bins - 1).astype(np.int64)
        table = pd.DataFrame({"y": self._column(label).to_numpy(), "b": b, "s": s}).groupby(
            ["y", "b"], dropna=False, sort=False)["s"].agg(["size", "min", "max"]).reset_index()
        return (table["y"].to_numpy(dtype=object), table["b"].to_numpy(np.int64), table["size"].to_numpy(np.int64),
                table["min"].to_numpy(float), table["max"].to_numpy(float))
