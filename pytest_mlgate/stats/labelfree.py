"""Performance without labels: confidence-based performance estimation (CBPE) for binary classifiers.

Calibrate the model's scores on labelled reference rows (isotonic regression, scikit-learn's
``IsotonicRegression(out_of_bounds="clip")``), read the calibrated score of each unlabelled current row as the
probability that its label is positive, and compute the metric's expected value from those probabilities.

The interval is for the metric as it will be realised once the labels arrive. Each replicate resamples the
reference (refits the calibration: its own uncertainty) and then draws each current label from its
calibrated probability (the luck of which rows turn out positive). Both assume the relation between score and
label is the same on both sides: under concept shift (the labels' meaning moves) no label-free method can see
the change, and the estimate is wrong with confidence. Covariate shift (the rows move, the relation stays) is
what it handles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_mlgate.stats.bootstrap import percentile_interval

#: Metrics the estimate supports: their value from expected confusion cells, or (ROC AUC) from pairs.
LABEL_FREE_METRICS: tuple[str, ...] = ("accuracy", "precision", "recall", "f1", "roc_auc")
_BLOCK = 4_000_000  # label draws per block of replicates


class Calibration:
    """Isotonic calibration of scores to P(y = 1), equal to scikit-learn's ``IsotonicRegression`` with
    ``out_of_bounds="clip"`` (linear interpolation between fitted points, clipped outside the fitted range),
    but weighted by counts so a bootstrap refit needs no copied rows."""

    def __init__(self, scores: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> None:
        self.unique, self.inverse = np.unique(scores, return_inverse=True)
        self.y = np.asarray(y, dtype=float)
        self.thresholds, self.values = self._fit(np.ones(scores.size) if weights is None else weights)

    def _fit(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from scipy.optimize import isotonic_regression

        w = np.asarray(weights, dtype=float)
        total = np.bincount(self.inverse, weights=w, minlength=self.unique.size)
        positive = np.bincount(self.inverse, weights=w * self.y, minlength=self.unique.size)
        keep = total > 0
        fitted = isotonic_regression(positive[keep] / total[keep], weights=total[keep]).x
        return self.unique[keep], np.asarray(fitted, dtype=float)

    def refit(self, weights: np.ndarray) -> Calibration:
        """The same calibration fitted with other row weights (a bootstrap resample), without sorting again."""
        other = object.__new__(Calibration)
        other.unique, other.inverse, other.y = self.unique, self.inverse, self.y
        other.thresholds, other.values = self._fit(weights)
        return other

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        if self.thresholds.size == 1:
            return np.full(scores.shape, self.values[0])
        return np.interp(scores, self.thresholds, self.values)

    def at_every_threshold(self) -> np.ndarray:
        """The calibrated value at each distinct reference score, fitted with weight or not."""
        return self(self.unique)


class Interpolation:
    """Linear interpolation of fixed points ``x`` onto fixed ``targets`` (clipped at the ends), precomputed once
    so that many sets of values at ``x`` are interpolated with two gathers and no search."""

    def __init__(self, x: np.ndarray, targets: np.ndarray) -> None:
        right = np.clip(np.searchsorted(x, targets, side="right"), 1, max(x.size - 1, 1))
        self.left, self.right = right - 1, right
        width = x[self.right] - x[self.left]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(width > 0, (targets - x[self.left]) / width, 0.0)
        self.t = np.clip(t, 0.0, 1.0)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        if values.size == 1:
            return np.full(self.t.shape, values[0])
        return values[self.left] * (1.0 - self.t) + values[self.right] * self.t


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties averaged (``scipy.stats.rankdata``'s default), from one sort."""
    from scipy.stats import rankdata

    return np.asarray(rankdata(values), dtype=float)


def expected_metric(metric: str, p: np.ndarray, pred: np.ndarray, ranks: np.ndarray) -> float:
    """The metric's expected value when row ``i`` is positive with probability ``p[i]``.

    Confusion-cell metrics take the ratio of expected cells; ROC AUC the expected share of correctly ordered
    (positive, negative) pairs of distinct rows, ties counting one half.
    """
    if metric == "roc_auc":
        q = 1.0 - p
        order = np.argsort(ranks, kind="stable")
        r, pq, qq = ranks[order], p[order], q[order]
        starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        tie_mass = np.add.reduceat(qq, starts)
        below = np.cumsum(tie_mass) - tie_mass
        group = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, r.size]))
        concordant = np.sum(pq * (below[group] + 0.5 * (tie_mass[group] - qq)))
        pairs = p.sum() * q.sum() - np.sum(p * q)
        return float(concordant / pairs) if pairs > 0 else float("nan")
    positive = pred == 1
    tp = float(p[positive].sum())
    fp = float(positive.sum()) - tp
    fn = float(p[~positive].sum())
    tn = float((~positive).sum()) - fn
    return float(_from_cells(metric, tp, fp, fn, tn))


def _from_cells(metric: str, tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
    """The metric from (expected or realised) confusion cells, scalars or arrays alike; NaN where undefined."""
    tp, fp, fn, tn = (np.asarray(c, dtype=float) for c in (tp, fp, fn, tn))
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "accuracy":
            value = (tp + tn) / (tp + fp + fn + tn)
        elif metric == "precision":
            value = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        elif metric == "recall":
            value = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        elif metric == "f1":
            value = np.where(tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
        else:
            raise ValueError(f"no label-free estimate for {metric!r}; choose one of {LABEL_FREE_METRICS}")
    return value


def realised_metrics(metric: str, labels: np.ndarray, pred: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The metric for each row of a (replicates, n) matrix of 0/1 labels: scikit-learn's value on each."""
    labels = labels.astype(float)
    n = labels.shape[1]
    n_pos = labels.sum(axis=1)
    if metric == "roc_auc":
        n_neg = n - n_pos
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((n_pos > 0) & (n_neg > 0),
                            (labels @ ranks - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg), np.nan)
    predicted = pred.astype(float)
    tp = labels @ predicted
    fp = predicted.sum() - tp
    fn = n_pos - tp
    tn = n - tp - fp - fn
    return np.asarray(_from_cells(metric, tp, fp, fn, tn), dtype=float)


@dataclass(frozen=True)
class LabelFreeEstimate:
    metric: str
    value: float
    interval: tuple[float, float]
    n_current: int
    n_reference: int
    reference_value: float  # the estimate on the labelled reference rows, to set beside their realised value
    mean_probability: float


def estimate(
    metric: str,
    reference_scores: np.ndarray,
    reference_labels: np.ndarray,
    current_scores: np.ndarray,
    current_pred: np.ndarray,
    reference_pred: np.ndarray,
    *,
    n_resamples: int,
    confidence: float,
    seed: int,
) -> LabelFreeEstimate:
    """The expected ``metric`` on the current rows and the interval of its realised value (see the module)."""
    if metric not in LABEL_FREE_METRICS:
        raise ValueError(f"no label-free estimate for {metric!r}; choose one of {LABEL_FREE_METRICS}")
    calibration = Calibration(reference_scores, reference_labels)
    p = calibration(current_scores)
    ranks = average_ranks(current_scores)
    value = expected_metric(metric, p, current_pred, ranks)
    reference_p = calibration(reference_scores)
    reference_value = expected_metric(metric, reference_p, reference_pred, average_ranks(reference_scores))

    rng = np.random.default_rng(seed)
    n_ref, n_cur = reference_scores.size, current_scores.size
    replicate_p = np.empty((n_resamples, n_cur))
    onto_current = Interpolation(calibration.unique, current_scores)
    for b in range(n_resamples):
        weights = np.bincount(rng.integers(0, n_ref, n_ref), minlength=n_ref)
        replicate_p[b] = onto_current(calibration.refit(weights).at_every_threshold())
    values = []
    block = max(1, _BLOCK // max(n_cur, 1))
    for start in range(0, n_resamples, block):
        probs = replicate_p[start:start + block]
        labels = rng.random(probs.shape) < probs
        values.append(realised_metrics(metric, labels, current_pred, ranks))
    replicates = np.concatenate(values) if values else np.empty(0)
    return LabelFreeEstimate(metric, value, percentile_interval(replicates, confidence), n_cur, n_ref,
                             reference_value, float(p.mean()))
