"""Paired comparisons of two sets of predictions on the same rows, and the unpaired comparison with a baseline.

Two models scored on the same rows share the rows' luck: a hard test set makes both look worse. Resampling the
same rows for both (one count matrix, two metric batches) keeps that shared part out of the difference, so its
interval is much narrower than the two separate intervals suggest. :func:`paired_difference` does that in blocks
of count matrices (no Python loop over resamples when the metric has a batch form) and, for accuracy, adds
McNemar's exact test on the rows where exactly one model is right (:func:`mcnemar_exact`).

When only a stored baseline value and its interval are left (no predictions), :func:`unpaired_difference`
combines both intervals' half-widths side by side, treating the two estimates as independent: see
``docs/baseline.md`` for why that is the honest rule when the baseline was measured on the same rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pytest_mlgate.stats import StatsError
from pytest_mlgate.stats.bootstrap import percentile_interval, resample_counts
from pytest_mlgate.stats.metrics import Metric, batch_plan

#: Metrics where a row is either right or wrong for each model, so McNemar's exact test applies.
ACCURACY_LIKE = frozenset({"accuracy"})


#: Counts per block of resamples: 5,000,000 uint8 counts (50 resamples of 100,000 rows) and the metric's
#: temporaries stay near the cache, where 200-resample blocks spent their time in page faults and memory traffic.
PAIRED_CELLS = 5_000_000


Alternative = Literal["less", "greater", "two-sided"]


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test: rows only model A got right, rows only B got right, and the p-value of the
    ``alternative`` (a binomial test of B's wins among the discordant rows against one half)."""

    only_a: int
    only_b: int
    p_value: float
    alternative: Alternative = "less"


def mcnemar_counts(only_a: int, only_b: int, alternative: Alternative = "less") -> McNemar:
    """Exact McNemar test from the two discordant counts. ``"less"``: B is less accurate than A (the gate's
    question); ``"greater"``: B is more accurate; ``"two-sided"``: they differ, computed as statsmodels'
    ``mcnemar(table, exact=True)`` does (twice the binomial tail of the smaller count, at most 1)."""
    from scipy.stats import binom

    if alternative not in ("less", "greater", "two-sided"):
        raise StatsError(f"alternative must be 'less', 'greater' or 'two-sided', got {alternative!r}")
    discordant = only_a + only_b
    if discordant == 0:
        return McNemar(only_a, only_b, 1.0, alternative)
    if alternative == "less":
        p_value = float(binom.cdf(only_b, discordant, 0.5))
    elif alternative == "greater":
        p_value = float(binom.sf(only_b - 1, discordant, 0.5))
    else:
        p_value = min(1.0, 2.0 * float(binom.cdf(min(only_a, only_b), discordant, 0.5)))
    return McNemar(only_a, only_b, p_value, alternative)


def mcnemar_exact(
    y_true: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, alternative: Alternative = "less"
) -> McNemar:
    """Exact McNemar test on the rows where exactly one of the two models is right (see :func:`mcnemar_counts`)."""
    right_a, right_b = pred_a == y_true, pred_b == y_true
    only_a = int(np.count_nonzero(right_a & ~right_b))
    only_b = int(np.count_nonzero(right_b & ~right_a))
    return mcnemar_counts(only_a, only_b, alternative)


@dataclass(frozen=True)
class PairedDifference:
    """``value_b - value_a`` with the percentile interval of the paired bootstrap, and each side's interval."""

    value_a: float
    value_b: float
    difference: float
    interval: tuple[float, float]
    interval_a: tuple[float, float]
    interval_b: tuple[float, float]
    replicates: np.ndarray
    n: int

    def p_value(self, *, greater_is_better: bool, margin: float = 0.0) -> float:
        """Bootstrap p-value of "B is worse than A by more than ``margin``": the share of resamples in which B
        is not that much worse (the percentile interval's inversion; resolution ``1 / (resamples + 1)``)."""
        finite = self.replicates[np.isfinite(self.replicates)]
        if finite.size == 0:
            return math.nan
        better = finite if greater_is_better else -finite
        return float((1 + np.count_nonzero(better >= -margin)) / (finite.size + 1))


def paired_difference(
    m: Metric,
    y_true: np.ndarray,
    output_a: np.ndarray,
    output_b: np.ndarray,
    *,
    value_a: float,
    value_b: float,
    n_resamples: int,
    confidence: float,
    seed: int,
    sample_weight: np.ndarray | None = None,
) -> PairedDifference:
    """Bootstrap the difference ``metric(B) - metric(A)`` with the same resampled rows for both.

    Rows are resampled exactly as :func:`pytest_mlgate.stats.bootstrap.resample_indices` draws them for ``seed``,
    so a plain loop over those indices reproduces every replicate. Counts are kept as ``uint8`` (exact; wider
    only if a count ever overflows), which the rank metrics gather several times faster than floats, in blocks
    of ``PAIRED_CELLS``; what does not depend on the counts (the ROC AUC's sorting) is done once per model.
    ``sample_weight`` rides along in every resample (a row drawn twice with weight w weighs 2w).
    """
    n = int(y_true.size)
    reps_a, reps_b = [], []
    plan = batch_plan(m, y_true, [output_a, output_b], sample_weight)  # sorted once, not per block
    for counts in resample_counts(n, n_resamples, seed, dtype=np.uint8, max_cells=PAIRED_CELLS):
        values_a, values_b = plan(counts)
        reps_a.append(np.asarray(values_a, dtype=float))
        reps_b.append(np.asarray(values_b, dtype=float))
    a = np.concatenate(reps_a) if reps_a else np.empty(0)
    b = np.concatenate(reps_b) if reps_b else np.empty(0)
    diff = b - a
    return PairedDifference(
        value_a=value_a,
        value_b=value_b,
        difference=value_b - value_a,
        interval=percentile_interval(diff, confidence),
        interval_a=percentile_interval(a, confidence),
        interval_b=percentile_interval(b, confidence),
        replicates=diff,
        n=n,
    )


def rescale_interval(
    value: float, interval: tuple[float, float], *, from_confidence: float, to_confidence: float
) -> tuple[float, float]:
    """An interval's half-widths stretched from one two-sided level to another (normal scaling), for a
    baseline written under a different ``mlgate_alpha`` than the current run uses."""
    if math.isclose(from_confidence, to_confidence):
        return interval
    from scipy.stats import norm

    ratio = float(norm.ppf(0.5 + to_confidence / 2) / norm.ppf(0.5 + from_confidence / 2))
    lo, hi = interval
    return (value - (value - lo) * ratio, value + (hi - value) * ratio)


def unpaired_difference(
    current: float,
    current_interval: tuple[float, float],
    baseline: float,
    baseline_interval: tuple[float, float],
) -> tuple[float, tuple[float, float]]:
    """``current - baseline`` and its interval, from two independent estimates' intervals at the same level.

    Each side of the difference's interval adds the matching half-widths in quadrature: the upper end uses how
    far the current value could be higher and the baseline lower, the lower end the opposite. With symmetric
    normal intervals this is the usual ``z * sqrt(se_current**2 + se_baseline**2)``; with skewed bootstrap
    intervals (an AUC near 1) each side keeps its own skew.
    """
    c_lo, c_hi = current_interval
    b_lo, b_hi = baseline_interval
    difference = current - baseline
    down = math.hypot(max(current - c_lo, 0.0), max(b_hi - baseline, 0.0))
    up = math.hypot(max(c_hi - current, 0.0), max(baseline - b_lo, 0.0))
    return difference, (difference - down, difference + up)
