"""Calibration statistics: expected calibration error (ECE), the reliability table and the Brier score, each
also for a whole block of bootstrap resamples at once.

Rows are put into bins once (by predicted probability); a resample is a row of counts, so the per-bin sums of a
whole block of resamples are one product of the count matrix with a sparse (row -> bin) design matrix: a
bincount over (resample, bin) ids. The binning follows
scikit-learn's ``calibration_curve`` exactly (uniform edges on [0, 1] or quantile edges, and the same
``searchsorted`` rule for values on an edge), and a test shows the ECE and the reliability table agree with it.

Binary problems use the positive class's probability against the positive outcome. Multiclass problems use the
top-label view: the largest probability of each row (the model's confidence) against whether its arg-max class is
right. The Brier score is scikit-learn's: the mean squared error of the probability for binary problems, and the
mean over rows of the sum over classes of squared errors for multiclass ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Strategy = Literal["uniform", "quantile"]


@dataclass(frozen=True)
class CalibrationData:
    """What calibration is measured on, one value per row: the predicted probability of the event, whether the
    event happened (0/1), and the row's Brier loss."""

    prob: np.ndarray
    outcome: np.ndarray
    brier_loss: np.ndarray
    view: str  # "positive class" or "top label"


def calibration_data(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> CalibrationData:
    """Binary: ``proba`` is the positive class's probability (1-D) and ``classes[-1]`` the positive class.
    Multiclass: ``proba`` is (rows x classes) in the order of ``classes``; two columns are a binary problem."""
    if proba.ndim == 2 and proba.shape[1] == 2:
        proba = proba[:, 1]
    if proba.ndim == 1:
        outcome = (y == classes[-1]).astype(float)
        return CalibrationData(proba, outcome, (outcome - proba) ** 2, "positive class")
    onehot = (y[:, None] == classes[None, :]).astype(float)
    top = np.argmax(proba, axis=1)
    rows = np.arange(proba.shape[0])
    outcome = onehot[rows, top]
    return CalibrationData(proba[rows, top], outcome, ((onehot - proba) ** 2).sum(axis=1), "top label")


def bin_edges(prob: np.ndarray, n_bins: int, strategy: Strategy = "uniform") -> np.ndarray:
    """``n_bins + 1`` edges: equal widths on [0, 1], or quantiles of ``prob`` (as scikit-learn's
    ``calibration_curve``; tied quantiles make some bins empty)."""
    if strategy == "quantile":
        return np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)
    return np.linspace(0.0, 1.0, n_bins + 1)


def bin_ids(prob: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of each row, by scikit-learn's rule (a value on an inner edge goes to the lower bin)."""
    return np.searchsorted(edges[1:-1], prob)


def _bin_sums(
    ids: np.ndarray, n_bins: int, counts: np.ndarray, prob: np.ndarray, outcome: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per resample and bin: weight, sum of predicted probabilities, sum of outcomes, each (block, n_bins).

    One product of the count matrix with a sparse (rows x 3 bins) design: each row has three entries, 1, its
    probability and its outcome, in the columns of its bin. That is a bincount over (resample, bin) ids done by
    scipy's sparse kernels, about 2.5 times faster than three weighted ``np.bincount`` calls and without their
    (block x rows) temporaries."""
    from scipy import sparse

    n = ids.size
    rows = np.tile(np.arange(n), 3)
    columns = np.concatenate([ids, n_bins + ids, 2 * n_bins + ids])
    design = sparse.csr_matrix((np.concatenate([np.ones(n), prob, outcome]), (rows, columns)), shape=(n, 3 * n_bins))
    sums = np.asarray((design.T @ counts.T).T)
    return sums[:, :n_bins], sums[:, n_bins : 2 * n_bins], sums[:, 2 * n_bins :]


def ece_batch(
    prob: np.ndarray, outcome: np.ndarray, ids: np.ndarray, n_bins: int, counts: np.ndarray
) -> np.ndarray:
    """ECE of each resample (row of ``counts``): sum over bins of |observed - predicted| / rows.

    The bin's weight times |mean outcome - mean probability| is |sum of outcomes - sum of probabilities|, so
    no division by a bin's size is needed (and empty bins add nothing)."""
    total, predicted, observed = _bin_sums(ids, n_bins, counts, prob, outcome)
    rows = total.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rows > 0, np.abs(observed - predicted).sum(axis=1) / rows, np.nan)


def _expected_abs_normal(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """``E|Z|`` for ``Z ~ N(mean, sd**2)`` (the folded normal's mean; ``|mean|`` where ``sd`` is 0)."""
    from scipy.special import ndtr

    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, mean / sd, 0.0)
        folded = sd * np.sqrt(2.0 / np.pi) * np.exp(-0.5 * z * z) + mean * (1.0 - 2.0 * ndtr(-z))
    return np.where(sd > 0, folded, np.abs(mean))


def debiased_ece_batch(
    prob: np.ndarray, outcome: np.ndarray, ids: np.ndarray, n_bins: int, counts: np.ndarray,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """The debiased ECE of each resample (Kumar, Liang and Ma, "Verified uncertainty calibration", 2019).

    The plug-in bin term ``|observed - predicted|`` is biased upward: noise in a bin's observed rate only adds
    to it. Its bias is estimated with the bin's normal approximation, ``E|N(gap, rate (1 - rate) / rows)| -
    |gap|`` (in closed form), and subtracted: each bin contributes ``2 |gap| - E|N(gap, var)|``, weighted by
    its share of the rows. The result can be slightly negative for a well-calibrated model. With ``weights``
    the bins are weighted and the variance uses each bin's effective rows, ``(sum w)^2 / sum w^2``."""
    weighted = counts if weights is None else counts * weights
    total, predicted, observed = _bin_sums(ids, n_bins, weighted, prob, outcome)
    rows = total.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if weights is None:
            effective = total
        else:
            squares = _bin_sums(ids, n_bins, counts * weights**2, prob, outcome)[0]
            effective = np.where(squares > 0, total**2 / np.where(squares > 0, squares, 1.0), 0.0)
        size = np.where(total > 0, total, 1.0)
        rate = observed / size
        gap = rate - predicted / size
        sd = np.sqrt(np.clip(rate * (1.0 - rate), 0.0, None) / np.where(effective > 0, effective, 1.0))
        term = np.where(total > 0, 2.0 * np.abs(gap) - _expected_abs_normal(gap, sd), 0.0)
        return np.where(rows > 0, (total * term).sum(axis=1) / rows, np.nan)


#: Rows a signed-gap bound needs (its sample's effective size): below it the normal bound of a mean of 0/1
#: residuals is not trusted, and the bound is not used.
SIGNED_GAP_MIN_ROWS = 50


@dataclass(frozen=True)
class SignedGapBound:
    """The ECE's lower confidence bound from signed gaps, and which signs gave it (None: no bound applied)."""

    lower: float
    signs: str | None


def _mean_lower_bound(values: np.ndarray, weights: np.ndarray, tail: float) -> float:
    """One-sided lower confidence bound of a (weighted) mean at level ``1 - tail``: the normal bound with the
    Cornish-Fisher correction for the skewness of the studentized mean (Hall 1992, eq. 3.27), used only to widen.

    Residuals of high probabilities are skewed (rare misses are large): the plain normal bound of a 500-row mean
    then misses its 0.5% tail in 0.7% of samples, the corrected one in 0.5% (simulated, 20,000 runs)."""
    from scipy.special import ndtri

    total = weights.sum()
    effective = total**2 / np.square(weights).sum()
    if effective < SIGNED_GAP_MIN_ROWS:
        return float("-inf")
    mean = float(weights @ values / total)
    centred = values - mean
    variance = float(weights @ centred**2 / total)
    se = np.sqrt(float(np.square(weights) @ centred**2) * effective / (effective - 1)) / total
    z = float(-ndtri(tail))
    skew = float(weights @ centred**3 / total) / variance**1.5 if variance > 0 else 0.0
    critical = max(z, z - skew * (2 * z * z + 1) / (6 * np.sqrt(effective)))
    return mean - critical * se


def signed_gap_lower_bound(
    prob: np.ndarray, outcome: np.ndarray, ids: np.ndarray, n_bins: int, tail: float, seed: int,
    weights: np.ndarray | None = None,
) -> SignedGapBound:
    """A lower confidence bound of the ECE that holds whatever the shape of the miscalibration.

    For any signs ``s_b``, one per bin, ``ECE = sum_b w_b |gap_b| >= sum_b w_b s_b gap_b``, and the right side is
    a plain mean of ``s_b (outcome - prob)`` over rows: its normal lower bound is a valid bound of the ECE as long
    as the signs do not depend on the outcomes it is computed from. The debiased ECE cannot give that guarantee:
    it is biased upward in well-calibrated bins (by about half a bin's standard error), and a bootstrap does not
    see that bias, so a model with some bins calibrated and some off failed 2-2.6% of runs at its limit.

    Six sign choices, each bound at ``tail / 6`` (Bonferroni), the largest taken:
    - signs chosen on a random half of each bin's rows, applied to the other half, both ways (cross-fitting:
      any shape, at the price of half the rows);
    - every sign +1 or every sign -1 (calibration in the large: a model that predicts too high or too low
      everywhere, on all rows);
    - one sign below a predicted probability of 0.5 and the other above, both ways (under- and overconfidence).
    """
    weights = np.ones(prob.size) if weights is None else weights
    residual = outcome - prob
    each = tail / 6.0
    with np.errstate(invalid="ignore", divide="ignore"):
        bin_mean = np.bincount(ids, weights * prob, n_bins) / np.bincount(ids, weights, n_bins)
    side = np.where(np.nan_to_num(bin_mean, nan=0.5) < 0.5, 1.0, -1.0)
    candidates: list[tuple[float, str]] = []
    for signs, label in ((np.ones(n_bins), "calibration in the large"), (side, "under- or overconfidence")):
        for direction in (1.0, -1.0):
            candidates.append((_mean_lower_bound(direction * signs[ids] * residual, weights, each), label))
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(prob.size)
    by_bin = shuffled[np.argsort(ids[shuffled], kind="stable")]
    first = np.zeros(prob.size, dtype=bool)
    first[by_bin[::2]] = True  # each bin's rows split in halves, at random
    for chosen in (first, ~first):
        used = ~chosen
        signs = np.sign(np.bincount(ids[chosen], weights[chosen] * residual[chosen], n_bins))
        bound = _mean_lower_bound(signs[ids[used]] * residual[used], weights[used], each)
        candidates.append((bound, "signs chosen on the other half of the rows"))
    lower, label = max(candidates, key=lambda candidate: candidate[0])
    if not np.isfinite(lower):
        return SignedGapBound(0.0, None)
    return SignedGapBound(float(min(max(lower, 0.0), 1.0)), label)


def debiased_expected_calibration_error(prob: np.ndarray, outcome: np.ndarray, ids: np.ndarray, n_bins: int,
                                        weights: np.ndarray | None = None) -> float:
    """The debiased ECE on the rows as given (see :func:`debiased_ece_batch`)."""
    return float(debiased_ece_batch(prob, outcome, ids, n_bins, np.ones((1, prob.size)), weights)[0])


def expected_calibration_error(
    prob: np.ndarray, outcome: np.ndarray, ids: np.ndarray, n_bins: int, weights: np.ndarray | None = None
) -> float:
    """ECE on the rows as given (every row counted once, or with its weight: a row of weight 2 counts as the
    same row twice)."""
    counts = np.ones((1, prob.size)) if weights is None else weights[None, :]
    return float(ece_batch(prob, outcome, ids, n_bins, counts)[0])


def mean_batch(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The count-weighted mean of ``values`` for each resample (used for the Brier score)."""
    rows = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rows > 0, counts @ values / rows, np.nan)


def reliability_table(
    prob: np.ndarray, outcome: np.ndarray, ids: np.ndarray, edges: np.ndarray, weights: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """One row per non-empty bin: its edges, mean predicted probability, observed rate and row count (with
    ``weights``: weighted means, and the bin's total ``weight`` beside its row count)."""
    n_bins = edges.size - 1
    rows = np.bincount(ids, minlength=n_bins)
    counts = np.ones((1, prob.size)) if weights is None else weights[None, :]
    total, predicted, observed = _bin_sums(ids, n_bins, counts, prob, outcome)
    table = []
    for b in np.flatnonzero((rows > 0) & (total[0] > 0)):  # a bin of zero total weight says nothing
        weight = total[0, b]
        entry = {
            "bin": int(b),
            "lower": float(edges[b]),
            "upper": float(edges[b + 1]),
            "mean_predicted": float(predicted[0, b] / weight),
            "observed_rate": float(observed[0, b] / weight),
            "count": int(rows[b]),
        }
        if weights is not None:
            entry["weight"] = float(weight)
        table.append(entry)
    return table
