"""Permutation importance with scikit-learn's meaning, and bootstrap intervals for it.

``importance[j, r] = score(model, X) - score(model, X with column j permuted by permutation r)``, exactly as
:func:`sklearn.inspection.permutation_importance` defines it. :func:`sklearn_permutations` reproduces the
permutations scikit-learn draws for a ``random_state`` (one seed drawn from it, the same permutations for every
column, each repeat shuffling the previous one), so the same ``random_state`` gives the same numbers.

The interval of a feature's mean importance is paired: the unpermuted and the permuted outputs are scored on
the same rows, so the row luck they share cancels (see :func:`permutation_importance` for the method per metric).
"""

from __future__ import annotations

import math
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


#: Metrics that are a mean over rows: the importance's interval needs one value per row, not a bootstrap.
ROW_MEANS = frozenset({"accuracy", "log_loss", "brier", "mae", "mse"})


@dataclass(frozen=True)
class Importance:
    """Per feature: the importances of each repeat, their mean and the mean's interval (``method`` says how)."""

    features: list[Any]
    baseline_score: float
    importances: np.ndarray  # (n_features, n_repeats)
    intervals: list[tuple[float, float]]
    method: str
    n: int

    @property
    def means(self) -> np.ndarray:
        return self.importances.mean(axis=1)


def row_values(name: str, y: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Each row's share of a mean-over-rows metric (``ROW_MEANS``), as scikit-learn averages them."""
    if name == "accuracy":
        return (y == output).astype(float)
    if name in ("mae", "mse"):
        error = y.astype(float) - output
        return np.abs(error) if name == "mae" else error**2
    positive = (y == np.unique(y)[-1]).astype(float)
    if name == "brier":
        return (positive - output) ** 2
    eps = np.finfo(float).eps
    q = np.clip(output, eps, 1 - eps)
    return -(positive * np.log(q) + (1 - positive) * np.log(1 - q))


def auc_components(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components, in row order: for each positive the share of negatives it outranks, for
    each negative the share of positives that outrank it (ties one half). Their means are the ROC AUC. One sort:
    per run of tied scores, the negatives below it and the positives above it."""
    order = np.argsort(score, kind="stable")
    ranked, is_pos = score[order], positive[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    group = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, ranked.size]))
    pos_in = np.add.reduceat(is_pos.astype(np.int64), starts)
    neg_in = np.diff(np.r_[starts, ranked.size]) - pos_in
    n_pos, n_neg = int(pos_in.sum()), int(neg_in.sum())
    neg_below = np.cumsum(neg_in) - neg_in
    pos_above = n_pos - np.cumsum(pos_in)
    g_pos, g_neg = group[is_pos], group[~is_pos]
    by_row = np.empty(score.size)  # back in the rows' own order, so components of two outputs pair up
    by_row[order[is_pos]] = (neg_below[g_pos] + 0.5 * neg_in[g_pos]) / n_neg
    by_row[order[~is_pos]] = (pos_above[g_neg] + 0.5 * pos_in[g_neg]) / n_pos
    return by_row[positive], by_row[~positive]


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
    sample_weight: np.ndarray | None = None,
) -> Importance:
    """Importances and intervals from the model's output on the rows and on each permuted copy.

    ``permuted_outputs(j)`` returns the model's outputs with feature ``j`` permuted, one per repeat; ``point``
    is the metric's point value (scikit-learn's function) on one output. Greater-is-better metrics give
    ``base - permuted``; for a loss the sign is flipped, as scikit-learn's ``neg_*`` scorers flip it, so a
    feature the model relies on always has a positive importance.

    The interval of the mean importance: for ROC AUC, DeLong's variance of a difference of paired AUCs (from the
    structural components, one sort per output); for a mean over rows, the normal interval of the per-row
    differences; for any other metric, the paired bootstrap over rows (one count matrix for every output).
    With ``sample_weight`` (which ``point`` must apply too, as scikit-learn's scorer does) the mean over rows is
    the weighted mean, with the ratio estimator's standard error, and ROC AUC takes the weighted bootstrap.
    """
    from scipy.stats import norm

    sign = 1.0 if m.greater_is_better else -1.0
    n = int(y_true.size)
    z = float(norm.ppf(0.5 + confidence / 2))
    base_score = point(base_output)
    scores = np.empty((len(features), 0)).tolist()
    intervals: list[tuple[float, float]] = []
    w = sample_weight
    method = ("delong" if m.name == "roc_auc" and base_output.ndim == 1 and w is None else
              "rows" if m.name in ROW_MEANS and base_output.ndim == 1 else "bootstrap")
    positive = (y_true == np.unique(y_true)[-1]) if method == "delong" else None
    base_parts = auc_components(positive, base_output) if positive is not None else None
    base_rows = row_values(m.name, y_true, base_output) if method == "rows" else None
    share = np.full(n, 1.0 / n) if w is None else w / w.sum()
    for j in range(len(features)):
        outs = permuted_outputs(j)
        scores[j] = [sign * (base_score - point(out)) for out in outs]
        mean = float(np.mean(scores[j]))
        if method == "delong":
            assert positive is not None and base_parts is not None
            b10, b01 = base_parts
            parts = [auc_components(positive, out) for out in outs]
            d10 = b10 - np.mean([p[0] for p in parts], axis=0)
            d01 = b01 - np.mean([p[1] for p in parts], axis=0)
            se = math.sqrt(np.var(d10, ddof=1) / d10.size + np.var(d01, ddof=1) / d01.size)
            intervals.append((mean - z * se, mean + z * se))
        elif method == "rows":
            assert base_rows is not None
            d = sign * (base_rows - np.mean([row_values(m.name, y_true, out) for out in outs], axis=0))
            # the (weighted) mean's standard error, the ratio estimator's: n/(n-1) sum s^2 (d - mean)^2 with each
            # row's share s of the weight (1/n unweighted, where it is std(d, ddof=1) / sqrt(n))
            se = float(math.sqrt(n / max(n - 1, 1) * np.sum(share**2 * (d - share @ d) ** 2)))
            intervals.append((mean - z * se, mean + z * se))
        else:
            reps = []
            for counts in resample_counts(n, n_resamples, seed, dtype=np.uint8):
                base = np.asarray(batch_values(m, y_true, base_output, counts, w), dtype=float)
                permuted = np.mean([np.asarray(batch_values(m, y_true, out, counts, w), dtype=float)
                                    for out in outs], axis=0)
                reps.append(sign * (base - permuted))
            intervals.append(percentile_interval(np.concatenate(reps) if reps else np.empty(0), confidence))
    return Importance(list(features), base_score, np.array(scores, dtype=float), intervals, method, n)
