"""ROC AUC and average precision from a score histogram per class, with the binning error bounded.

An engine returns, per (class, score bin), the row count and the smallest and largest score. Pairs of rows in
different bins are ordered by their bins; only pairs inside one bin are unknown, and a bin's scores often settle
them: one distinct score in the bin is a tie (scikit-learn counts a tied positive-negative pair as 1/2), every
positive above every negative orders them all. So each statistic is known as a bound ``[lower, upper]`` that
holds the exact value (the one scikit-learn computes from the rows), and is exact when every bin is settled.

Every function takes counts of shape ``(..., bins)`` (bins ascending by score), so a whole block of bootstrap
resamples is one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma


@dataclass(frozen=True)
class BinOrder:
    """What each bin's scores say about the order of its rows (bins ascending by score)."""

    tie: np.ndarray  # one distinct score in the bin: every pair in it is tied
    pos_above: np.ndarray  # every positive scores above every negative of the bin
    neg_above: np.ndarray  # every negative scores above every positive of the bin
    pos_tied: np.ndarray  # the bin's positives share one score

    @classmethod
    def from_ranges(cls, pos_min: np.ndarray, pos_max: np.ndarray, neg_min: np.ndarray,
                    neg_max: np.ndarray) -> BinOrder:
        """From each class's smallest and largest score per bin (NaN where the class has no row in the bin)."""
        lo, hi = np.fmin(pos_min, neg_min), np.fmax(pos_max, neg_max)
        with np.errstate(invalid="ignore"):
            return cls(lo == hi, ~(pos_min <= neg_max), ~(neg_min <= pos_max), ~(pos_min < pos_max))


@dataclass(frozen=True)
class Bounded:
    """An estimate with the bound ``[lower, upper]`` that holds the exact value."""

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def roc_auc(pos: np.ndarray, neg: np.ndarray, order: BinOrder) -> Bounded:
    """ROC AUC = P(positive scores above negative) + P(tie) / 2, from counts per bin; an unsettled bin's pairs
    count 1/2 in the estimate, 0 in the lower and 1 in the upper bound."""
    pos, neg = np.asarray(pos, dtype=float), np.asarray(neg, dtype=float)
    below = np.cumsum(neg, axis=-1) - neg
    ordered = np.sum(pos * below, axis=-1)
    same = pos * neg
    settled = np.where(order.tie, 0.5, np.where(order.pos_above, 1.0, np.where(order.neg_above, 0.0, np.nan)))
    unknown = np.isnan(settled)
    known = ordered + np.sum(same * np.where(unknown, 0.0, settled), axis=-1)
    open_pairs = np.sum(same * unknown, axis=-1)
    pairs = pos.sum(axis=-1) * neg.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return Bounded((known + open_pairs / 2) / pairs, known / pairs, (known + open_pairs) / pairs)


def _ascending_precisions(a: np.ndarray, c: np.ndarray, p: np.ndarray) -> np.ndarray:
    """sum over k = 1..p of (a + k) / (c + k): p positives counted one at a time after c rows of which a positive."""
    return p - (c - a) * (digamma(c + p + 1) - digamma(c + 1))


def average_precision(pos: np.ndarray, neg: np.ndarray, order: BinOrder) -> Bounded:
    """Average precision as scikit-learn defines it (recall steps times the precision at each distinct score,
    from the highest), from counts per bin. A bin counted as one score gives the estimate; the bound takes the
    best and worst order (and ties) its rows can have given what its scores settle."""
    pos, neg = np.asarray(pos, dtype=float), np.asarray(neg, dtype=float)
    a = np.flip(np.cumsum(np.flip(pos, -1), axis=-1), -1) - pos  # positives in higher bins
    c = a + np.flip(np.cumsum(np.flip(neg, -1), axis=-1), -1) - neg  # rows in higher bins
    p, q = pos, neg
    with np.errstate(invalid="ignore", divide="ignore"):
        tied = np.where(p > 0, p * (a + p) / (c + p + q), 0.0)  # the bin as one score
        first = np.where(p > 0, p * (a + p) / (c + p), 0.0)  # positives first, tied: the best case
        last = np.where(p > 0, p * (a + p) / (c + q + p), 0.0)  # after every negative, tied
    upper = np.where(order.tie, tied, np.where(order.neg_above, last, first))
    spread = np.where(order.pos_above, _ascending_precisions(a, c, p), _ascending_precisions(a, c + q, p))
    lower = np.where(order.tie, tied, np.where(order.pos_tied, np.where(order.pos_above, first,
                                                                          np.where(order.neg_above, last, tied)),
                                                  spread))
    lower = np.minimum(lower, upper)
    total = pos.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return Bounded(np.sum(np.clip(tied, lower, upper), axis=-1) / total, np.sum(lower, axis=-1) / total,
                       np.sum(upper, axis=-1) / total)


__all__ = ["BinOrder", "Bounded", "average_precision", "roc_auc"]
