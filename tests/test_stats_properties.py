"""Property tests that fill the gaps between our statistics and scipy's, and that KS p-values are uniform under
the null.

What the other test files already prove (not repeated here): metric point values and count-weighted batches
against scikit-learn (test_metrics.py), the paired bootstrap against a loop of scikit-learn calls on fixed data
(test_baseline_stats.py), group metrics and disparities against fairlearn (test_fairness_stats.py), KS, Wasserstein,
chi-square, Jensen-Shannon and Benjamini-Hochberg against scipy (test_data_stats.py), calibration against
scikit-learn's calibration_curve (test_model_calibration.py).

Here:
- every bootstrap interval the metric and baseline gates report is scipy.stats.bootstrap's percentile interval:
  our resamples are the very rows scipy draws from the same seed, so the replicates and the interval agree to
  1e-9 for every metric with a vectorized batch, paired differences included;
- the asymptotic KS p-values (our vectorized Birnbaum-Tingey series where scipy takes seconds) agree with scipy's
  ``kstwo`` over generated sample sizes and statistics, and the missing-rate test with ``chi2_contingency``;
- under the null, the KS p-values the drift gate reports are uniform, on both the exact and the asymptotic path.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from pytest_mlgate.stats import drift
from pytest_mlgate.stats.metrics import METRICS, Metric, estimate
from pytest_mlgate.stats.paired import paired_difference

BATCHED = sorted(name for name, m in METRICS.items() if m.batch is not None)
PROPERTY = settings(max_examples=40, deadline=None)
SCIPY_LOOP = settings(max_examples=12, deadline=None)  # scipy calls scikit-learn once per resample: keep it small
RESAMPLES = 40


def outputs_for(m: Metric, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels (or targets) and two outputs of the kind the metric needs, with ties in the scores."""
    if m.needs == "regression":
        y = rng.normal(size=n)
        return y, y + rng.normal(scale=0.5, size=n), y + rng.normal(scale=0.8, size=n)
    y = np.tile([0, 1], n // 2 + 1)[:n]  # balanced: a resample with one class is (astronomically) unlikely
    rng.shuffle(y)

    def scores() -> np.ndarray:
        raw = 1 / (1 + np.exp(-(1.5 * y - 0.75 + rng.normal(size=n))))
        return np.round(raw, 2)  # ties, as real probabilities have

    a, b = scores(), scores()
    if m.needs == "label":
        return y, (a > 0.5).astype(np.int64), (b > 0.5).astype(np.int64)
    return y, a, b


def scipy_bootstrap(
    statistic: Callable[..., float], data: tuple[np.ndarray, ...], *, n_resamples: int, confidence: float, seed: int
) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's notes on ill-defined resamples, if any
        return sps.bootstrap(data, statistic, paired=True, vectorized=False, n_resamples=n_resamples,
                             confidence_level=confidence, method="percentile", rng=np.random.default_rng(seed))


@SCIPY_LOOP
@given(st.sampled_from(BATCHED), st.integers(40, 120), st.integers(0, 2**31 - 1),
       st.sampled_from([0.9, 0.95, 0.98]))
def test_metric_interval_is_scipys_percentile_bootstrap(name: str, n: int, seed: int, confidence: float) -> None:
    m = METRICS[name]
    y, output, _ = outputs_for(m, np.random.default_rng(seed), n)
    ours = estimate(m, y, output, n_resamples=RESAMPLES, confidence=confidence, seed=seed)
    theirs = scipy_bootstrap(m.fn, (y, output), n_resamples=RESAMPLES, confidence=confidence, seed=seed)
    np.testing.assert_allclose(ours.replicates, theirs.bootstrap_distribution, rtol=0, atol=1e-9)
    assert ours.interval == pytest.approx(tuple(theirs.confidence_interval), abs=1e-9)


@SCIPY_LOOP
@given(st.sampled_from(BATCHED), st.integers(40, 120), st.integers(0, 2**31 - 1))
def test_paired_difference_interval_is_scipys_paired_percentile_bootstrap(name: str, n: int, seed: int) -> None:
    m = METRICS[name]
    y, a, b = outputs_for(m, np.random.default_rng(seed), n)
    ours = paired_difference(m, y, a, b, value_a=m.fn(y, a), value_b=m.fn(y, b), n_resamples=RESAMPLES,
                             confidence=0.98, seed=seed)
    theirs = scipy_bootstrap(lambda t, u, v: m.fn(t, v) - m.fn(t, u), (y, a, b), n_resamples=RESAMPLES, confidence=0.98,
                             seed=seed)
    np.testing.assert_allclose(ours.replicates, theirs.bootstrap_distribution, rtol=0, atol=1e-9)
    assert ours.interval == pytest.approx(tuple(theirs.confidence_interval), abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(141, 20_000), st.floats(2.2, 369.0), st.integers(0, 3))
def test_asymptotic_ks_p_values_agree_with_scipys_kstwo(n: int, nd2: float, extra: int) -> None:
    """The regime where we replace scipy's 2 * smirnov(n, D) by a vectorized series; n is the effective size
    round(n1 n2 / (n1 + n2)), so equal samples of 2n rows (plus ``extra`` rows that round away) give it."""
    d = math.sqrt(nd2 / n)
    n1, n2 = 2 * n, 2 * n + extra
    effective = round(n1 * n2 / (n1 + n2))
    ours = drift.ks_pvalues(np.array([d]), np.array([n1]), np.array([n2]))[0]
    expected = float(sps.kstwo.sf(d, effective))
    assert ours == pytest.approx(expected, rel=1e-8, abs=1e-12)


@PROPERTY
@given(st.integers(0, 500), st.integers(1, 500), st.integers(0, 500), st.integers(1, 500))
def test_missing_rate_p_value_is_scipys_chi_square(missing1: int, present1: int, missing2: int, present2: int) -> None:
    ours = drift.missing_rate_pvalue(missing1, missing1 + present1, missing2, missing2 + present2)
    if missing1 + missing2 == 0:
        assert ours == 1.0  # nothing missing on either side: nothing to compare (scipy cannot test a zero column)
        return
    table = np.array([[missing1, present1], [missing2, present2]])
    assert ours == pytest.approx(float(sps.chi2_contingency(table).pvalue), abs=1e-12)


# --- KS p-values under the null ------------------------------------------------------------------------------------
#
# Robustness: both tests are seeded (deterministic). With other seeds a correct implementation would fail the KS
# test of uniformity with probability 1e-3 (its threshold), and the tail check below sits 3.5 standard deviations
# above the expected count. Sample sizes are coprime, so the attainable statistics are dense and the p-values
# nearly continuous (with equal sizes they take few values, and a uniformity test would flag the lattice, not a bug).

NULL_RUNS = 600


def null_p_values(n1: int, n2: int, seed: int) -> np.ndarray:
    """The drift gate's KS p-values for NULL_RUNS pairs of samples from one continuous distribution."""
    rng = np.random.default_rng(seed)
    statistics, p_exact = [], []
    for _ in range(NULL_RUNS):
        ref = drift.NumericSummary.from_values(rng.normal(size=n1))
        cur = drift.NumericSummary.from_values(rng.normal(size=n2))
        statistic = drift.compare_numeric(ref, cur).statistic
        statistics.append(statistic)
        if drift.uses_exact(ref.n, cur.n):
            p_exact.append(drift.ks_exact(ref, cur, statistic)[1])
    if p_exact:
        return np.array(p_exact)
    return drift.ks_pvalues(np.array(statistics), np.full(NULL_RUNS, n1), np.full(NULL_RUNS, n2))


@pytest.mark.parametrize(("n1", "n2", "path"), [(149, 211, "exact"), (10_007, 12_011, "asymptotic")])
def test_ks_p_values_are_uniform_under_the_null(n1: int, n2: int, path: str) -> None:
    assert drift.uses_exact(n1, n2) == (path == "exact")
    p = null_p_values(n1, n2, seed=n1)
    assert p.min() >= 0 and p.max() <= 1
    uniformity = sps.kstest(p, "uniform")
    assert uniformity.pvalue > 1e-3, f"{path} KS p-values are not uniform under the null: {uniformity}"
    # the tail a gate acts on: at most alpha of the p-values below alpha (+3.5 sd of a binomial count)
    for alpha in (0.01, 0.05):
        limit = NULL_RUNS * alpha + 3.5 * math.sqrt(NULL_RUNS * alpha * (1 - alpha))
        assert np.count_nonzero(p < alpha) <= limit
