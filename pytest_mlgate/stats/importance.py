"""Permutation importance with scikit-learn's meaning, and bootstrap intervals for it.

``importance[j, r] = score(model, X) - score(model, X with column j permuted by permutation r)``, exactly as
:func:`sklearn.inspection.permutation_importance` defines it. :func:`sklearn_permutations` reproduces the
permutations scikit-learn draws for a ``random_state`` (one seed drawn from it, the same permutations for every
column, each repeat shuffling the previous one), so the same ``random_state`` gives the same numbers.

The interval of a feature's mean importance resamples the rows: one count matrix, applied to the unpermuted
output and to every permuted output, so the row luck they share cancels (as in a paired bootstrap).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_mlgate.stats.bootstrap import percentile_interval, resample_counts
from pytest_mlgate.stats.metrics import Metric, batch_values


def sklearn_permutations(n_rows: int, n_repeats: int, random_state: Any, max_rows: int | None = None
                         ) -> tuple[np.ndarray | None, np.ndarray]:
    """The rows and the permutations scikit-learn's ``permutation_importance`` uses for ``random_state``.

    Returns ``(rows, orders)``: ``rows`` the subsample of rows (``None`` for all), ``orders`` an array
    ``(n_repeats, m)`` where ``column[rows][orders[r]]`` is the column after repeat ``r``.
    """
    from sklearn.utils import check_random_state
    from sklearn.utils.random import sample_without_replacement

    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    column_state = check_random_state(seed)
    rows = None
    m = n_rows
    if max_rows is not None and max_rows < n_rows:
        rows = sample_without_replacement(n_rows, max_rows, random_state=column_state)
        m = max_rows
    shuffling = np.arange(m)
    current = np.arange(m)
    orders = np.empty((n_repeats, m), dtype=np.intp)
    for r in range(n_repeats):
        column_state.shuffle(shuffling)
        current = current[shuffling]  # scikit-learn permutes the already permuted column again
        orders[r] = current
    return rows, orders


@dataclass(frozen=True)
class Importance:
    """Per feature: the importances of each repeat, their mean and the mean's bootstrap interval."""

    features: list[Any]
    baseline_score: float
    importances: np.ndarray  # (n_features, n_repeats)
    intervals: list[tuple[float, float]]
    replicates: np.ndarray  # (n_features, n_resamples): bootstrap replicates of the mean importance
    n: int

    @property
    def means(self) -> np.ndarray:
        return self.importances.mean(axis=1)


def permutation_importance(
    m: Metric,
    y_true: np.ndarray,
    base_output: np.ndarray,
    permuted_outputs: Callable[[int], list[np.ndarray]],
    *,
    features: list[Any],
    point: Callable[[np.ndarray], float],
    n_resamples: int,
    confidence: float,
    seed: int,
) -> Importance:
    """Importances and intervals from the model's output on the rows and on each permuted copy.

    ``permuted_outputs(j)`` returns the model's outputs with feature ``j`` permuted, one per repeat; ``point``
    is the metric's point value (scikit-learn's function) on one output. Greater-is-better metrics give
    ``base - permuted``; for a loss the sign is flipped, as scikit-learn's ``neg_*`` scorers flip it, so a
    feature the model relies on always has a positive importance.
    """
    sign = 1.0 if m.greater_is_better else -1.0
    n = int(y_true.size)
    base_score = point(base_output)
    outputs = [permuted_outputs(j) for j in range(len(features))]
    importances = np.array([[sign * (base_score - point(out)) for out in outs] for outs in outputs])
    reps: list[list[np.ndarray]] = [[] for _ in features]
    for counts in resample_counts(n, n_resamples, seed, dtype=np.uint8):
        base = np.asarray(batch_values(m, y_true, base_output, counts), dtype=float)
        for j, outs in enumerate(outputs):
            permuted = np.mean([np.asarray(batch_values(m, y_true, out, counts), dtype=float) for out in outs],
                               axis=0)
            reps[j].append(sign * (base - permuted))
    replicates = np.array([np.concatenate(r) if r else np.empty(0) for r in reps])
    intervals = [percentile_interval(row, confidence) for row in replicates]
    return Importance(list(features), base_score, importances, intervals, replicates, n)


def top_k_probability(replicates: np.ndarray, k: int) -> np.ndarray:
    """Per feature, the share of bootstrap resamples in which it ranks among the ``k`` most important."""
    finite = np.all(np.isfinite(replicates), axis=0)
    reps = replicates[:, finite]
    if reps.shape[1] == 0:
        return np.full(replicates.shape[0], np.nan)
    ranks = np.argsort(np.argsort(-reps, axis=0, kind="stable"), axis=0, kind="stable")
    return np.asarray((ranks < k).mean(axis=1), dtype=float)
