"""Intervals for rates in small groups and slices: Wilson score intervals.

A rate (accuracy, recall, precision, a selection rate, a true- or false-positive rate) is a proportion of
``successes`` in ``trials``. Below a couple of hundred trials the bootstrap percentile interval of a proportion
undercovers (it is the plug-in distribution again, and at 0 or ``trials`` successes it collapses to a point),
while the Wilson score interval keeps its coverage close to nominal down to a few dozen trials and always lies
inside [0, 1]. The gates use it for rates on fewer than :data:`SMALL` trials and the bootstrap above; the values
agree with ``statsmodels.stats.proportion.proportion_confint(method="wilson")`` (a test shows it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pytest_mlgate.stats import StatsError

#: Below this many trials a rate's interval is Wilson's, from this many on the bootstrap's.
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


def wilson_interval(successes: Any, trials: Any, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """The two-sided Wilson score interval at ``confidence`` for each proportion ``successes / trials``
    (arrays broadcast; NaN where ``trials`` is 0). Both ends lie in [0, 1]."""
    from scipy.special import ndtri

    if not 0.0 < confidence < 1.0:
        raise StatsError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise StatsError("successes must lie between 0 and the number of trials")
    z = float(ndtri(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denominator = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denominator
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denominator
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # exact ends at 0 and n successes (rounding would otherwise leave 1e-17 away from the bound)
    lo = np.where(k == 0, 0.0, lo)
    hi = np.where((k == n) & (n > 0), 1.0, hi)
    return lo, hi


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


def small_rate_interval(name: str, conf: np.ndarray, confidence: float) -> tuple[float, float] | None:
    """Wilson's interval for the rate ``name`` of a group with fewer than :data:`SMALL` trials (see
    :func:`rate_counts`), or None: the caller then keeps its bootstrap interval."""
    counts = rate_counts(name, conf)
    if counts is None or not 0 < counts[1] < SMALL:
        return None
    lo, hi = wilson_interval(counts[0], counts[1], confidence)
    return float(lo), float(hi)


def label_rate_counts(name: str, y: np.ndarray, pred: np.ndarray) -> tuple[float, float] | None:
    """(successes, trials) of ``accuracy`` (any labels), or of ``precision`` / ``recall`` on binary labels
    already encoded as ``y == positive`` (booleans), from the rows themselves; None for any other metric."""
    if name == "accuracy":
        return float(np.count_nonzero(y == pred)), float(y.size)
    if name in ("precision", "recall") and y.dtype == bool and pred.dtype == bool:
        hits = float(np.count_nonzero(y & pred))
        return hits, float(np.count_nonzero(pred if name == "precision" else y))
    return None
