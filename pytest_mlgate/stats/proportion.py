"""Intervals for rates in small groups and slices: the mid-p exact interval.

A rate (accuracy, recall, precision, a selection rate, a true- or false-positive rate) is a proportion of
``successes`` in ``trials``. Below a couple of hundred trials the bootstrap percentile interval of a proportion
undercovers (it is the plug-in distribution again, and at 0 or ``trials`` successes it collapses to a point). The
gates use the mid-p exact interval there (Lancaster 1961; Agresti and Gottard 2007): the Clopper-Pearson interval
with half the probability of the observed count, so each end leaves ``(1 - confidence) / 2`` of the binomial's mass
beyond it. Computed exactly (no simulation) at 20, 50 and 100 trials, its 95% intervals cover 95.7%, 95.2% and 95.1%
on average over true rates in [0.1, 0.9], and one end misses a 1% tail in at most 2.0% of samples at any true rate.
Wilson's score interval, which it replaced, covers as well on average but missed one end in up to 9.5%, 5.4% and
4.0% of samples at high rates, where real models sit; Clopper-Pearson's interval never misses more than the tail but
covers 97.4% on average at 20 trials (wider than it needs). It always lies inside [0, 1]. The gates use it for rates
on fewer than :data:`SMALL` trials and the bootstrap above.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pytest_mlgate.stats import StatsError

#: Below this many trials a rate's interval is the mid-p interval, from this many on the bootstrap's.
SMALL = 200

#: Rates of binary confusion counts: (successes, trials) from ``tn, fp, fn, tp``.
_RATE_CELLS = {
    "accuracy": (("tn", "tp"), ("tn", "fp", "fn", "tp")),
    "error_rate": (("fp", "fn"), ("tn", "fp", "fn", "tp")),
    "selection_rate": (("fp", "tp"), ("tn", "fp", "fn", "tp")),
    "true_positive_rate": (("tp",), ("tp", "fn")),
    "recall": (("tp",), ("tp", "fn")),
    "false_negative_rate": (("fn",), ("tp", "fn")),
    "false_positive_rate": (("fp",), ("tn", "fp")),
    "true_negative_rate": (("tn",), ("tn", "fp")),
    "precision": (("tp",), ("tp", "fp")),
}


def midp_interval(successes: Any, trials: Any, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """The two-sided mid-p exact interval at ``confidence`` for each proportion ``successes / trials`` (arrays
    broadcast; NaN where ``trials`` is 0): the lower end is the rate at which ``P(X > k) + P(X = k) / 2`` is the
    tail ``(1 - confidence) / 2``, the upper end the rate at which ``P(X < k) + P(X = k) / 2`` is; 0 at no
    successes and 1 at all. Both ends lie in [0, 1], found by bisection to 1e-12."""
    from scipy.stats import binom

    if not 0.0 < confidence < 1.0:
        raise StatsError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    k, n = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(trials, dtype=float))
    if np.any(k < 0) or np.any(k > n) or np.any(k != np.round(k)) or np.any(n != np.round(n)):
        raise StatsError("successes and trials must be whole counts, successes between 0 and the trials")
    tail = (1.0 - confidence) / 2.0

    def solve(rising: Any) -> np.ndarray:  # the rate where ``rising(p)``, increasing in p, crosses 0
        lo, hi = np.zeros(k.shape), np.ones(k.shape)
        for _ in range(45):  # 2**-45 < 1e-13
            mid = (lo + hi) / 2.0
            above = rising(mid) > 0.0
            hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
        return (lo + hi) / 2.0

    with np.errstate(invalid="ignore"):
        lower = solve(lambda p: binom.sf(k, n, p) + binom.pmf(k, n, p) / 2.0 - tail)
        upper = solve(lambda p: tail - binom.cdf(k - 1, n, p) - binom.pmf(k, n, p) / 2.0)
    lower = np.where(n > 0, np.where(k == 0, 0.0, lower), np.nan)
    upper = np.where(n > 0, np.where(k == n, 1.0, upper), np.nan)
    return lower, upper


def rate_counts(name: str, conf: np.ndarray) -> tuple[float, float] | None:
    """(successes, trials) of the rate ``name`` from one binary confusion matrix (rows = true class, columns =
    predicted; 2 x 2, integer counts), or None when ``name`` is not such a rate or the counts are weighted."""
    parts = _RATE_CELLS.get(name)
    conf = np.asarray(conf)
    if parts is None or conf.shape != (2, 2) or not np.all(np.equal(np.mod(conf, 1), 0)):
        return None
    cells = {"tn": conf[0, 0], "fp": conf[0, 1], "fn": conf[1, 0], "tp": conf[1, 1]}
    successes, trials = (float(sum(cells[c] for c in names)) for names in parts)
    return successes, trials


def small_count_interval(counts: tuple[float, float] | None, confidence: float) -> tuple[float, float] | None:
    """The mid-p interval of ``(successes, trials)`` with fewer than :data:`SMALL` (and more than 0) trials, or
    None: the caller then keeps its bootstrap interval."""
    if counts is None or not 0 < counts[1] < SMALL:
        return None
    lo, hi = midp_interval(counts[0], counts[1], confidence)
    return float(lo), float(hi)


def small_rate_interval(name: str, conf: np.ndarray, confidence: float) -> tuple[float, float] | None:
    """The mid-p interval for the rate ``name`` of a group with fewer than :data:`SMALL` trials (see
    :func:`rate_counts`), or None."""
    return small_count_interval(rate_counts(name, conf), confidence)


def label_rate_counts(name: str, y: np.ndarray, pred: np.ndarray) -> tuple[float, float] | None:
    """(successes, trials) of ``accuracy`` or of the error rate ``zero_one_loss`` / ``hamming_loss`` (any labels),
    or of ``precision`` / ``recall`` on binary labels
    already encoded as ``y == positive`` (booleans), from the rows themselves; None for any other metric."""
    if name == "accuracy":
        return float(np.count_nonzero(y == pred)), float(y.size)
    if name in ("zero_one_loss", "hamming_loss"):  # the error rate (one label per row: the two are the same)
        return float(np.count_nonzero(y != pred)), float(y.size)
    if name in ("precision", "recall") and y.dtype == bool and pred.dtype == bool:
        hits = float(np.count_nonzero(y & pred))
        return hits, float(np.count_nonzero(pred if name == "precision" else y))
    return None
