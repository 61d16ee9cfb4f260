"""Drift statistics and multiple-testing corrections agree with scipy (and with hand computations)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from pytest_mlgate.stats import drift
from pytest_mlgate.stats.multitest import adjust, benjamini_hochberg, holm

SETTINGS = settings(max_examples=100, deadline=None)


@st.composite
def samples(draw: st.DrawFn, max_size: int = 80) -> np.ndarray:
    """Floats with ties (a few distinct values), or continuous draws, or a mix, including negative zeros."""
    size = draw(st.integers(1, max_size))
    kind = draw(st.sampled_from(["ties", "continuous", "mixed"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if kind == "ties":
        return rng.integers(-3, 4, size).astype(float) * draw(st.sampled_from([1.0, 0.5, 1e-3]))
    if kind == "continuous":
        return rng.normal(draw(st.floats(-2, 2)), draw(st.floats(0.1, 3)), size)
    values = rng.normal(size=size)
    values[rng.random(size) < 0.4] = 0.0
    return values


def _summaries(a: np.ndarray, b: np.ndarray) -> tuple[drift.NumericSummary, drift.NumericSummary]:
    return drift.NumericSummary.from_values(a), drift.NumericSummary.from_values(b)


@SETTINGS
@given(samples(), samples())
def test_ks_statistic_and_exact_p_value_equal_scipy(a: np.ndarray, b: np.ndarray) -> None:
    ref, cur = _summaries(a, b)
    comparison = drift.compare_numeric(ref, cur)
    statistic, p_value = drift.ks_exact(ref, cur, comparison.statistic)
    with warnings.catch_warnings():
        # scipy's note when its exact p-value falls back to the asymptotic one; we follow the same fallback
        warnings.filterwarnings("ignore", "ks_2samp: Exact calculation unsuccessful", RuntimeWarning)
        expected = sps.ks_2samp(a, b)
    assert abs(statistic - expected.statistic) <= 1e-12
    assert abs(p_value - expected.pvalue) <= 1e-9


@SETTINGS
@given(samples(), samples())
def test_raw_ks_statistic_is_scipys_maximum_ecdf_difference(a: np.ndarray, b: np.ndarray) -> None:
    """Before scipy's exact-mode rounding, the statistic is bitwise its max |F1 - F2| over the data points."""
    ref, cur = _summaries(a, b)
    data1, data2 = np.sort(a), np.sort(b)
    pooled = np.concatenate([data1, data2])
    diffs = (np.searchsorted(data1, pooled, side="right") / a.size
             - np.searchsorted(data2, pooled, side="right") / b.size)
    expected = max(float(np.clip(-diffs.min(), 0, 1)), float(diffs.max()))
    assert drift.compare_numeric(ref, cur).statistic == expected


@SETTINGS
@given(samples(), samples())
def test_wasserstein_equals_scipy(a: np.ndarray, b: np.ndarray) -> None:
    ref, cur = _summaries(a, b)
    expected = sps.wasserstein_distance(a, b)
    assert drift.compare_numeric(ref, cur).wasserstein == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("n1", "n2", "shift"), [(12_000, 15_000, 0.0), (20_000, 10_001, 0.03),
                                                 (30_000, 30_000, 0.05), (11_000, 40_000, 0.5)])
def test_large_samples_use_scipys_asymptotic_p_value(n1: int, n2: int, shift: float) -> None:
    rng = np.random.default_rng(n1 + n2)
    a, b = rng.normal(size=n1), rng.normal(shift, 1, size=n2)
    a[:50] = 0.25  # ties across and within the samples
    b[:70] = 0.25
    ref, cur = _summaries(a, b)
    statistic = drift.compare_numeric(ref, cur).statistic
    assert not drift.uses_exact(ref.n, cur.n)
    expected = sps.ks_2samp(a, b)
    assert statistic == expected.statistic
    assert abs(drift.ks_pvalues(np.array([statistic]), np.array([n1]), np.array([n2]))[0] - expected.pvalue) <= 1e-9


@pytest.mark.parametrize(("n", "nd2"), [(141, 2.2), (2_000, 3.0), (20_000, 2.2), (20_000, 9.0),
                                         (50_000, 40.0), (50_000, 200.0), (50_000, 369.9), (50_000, 370.0)])
def test_large_sample_tail_p_values_agree_with_scipys_kstwo(n: int, nd2: float) -> None:
    """Where scipy evaluates 2 * smirnov(n, D) (seconds per call at large n) our vectorized sum agrees."""
    d = math.sqrt(nd2 / n)
    ours = drift.ks_pvalues(np.array([d]), np.array([2.0 * n]), np.array([2.0 * n]))[0]
    assert abs(ours - sps.kstwo.sf(d, n)) <= 1e-9
    assert ours == pytest.approx(sps.kstwo.sf(d, n), rel=1e-8, abs=1e-300)


@SETTINGS
@given(samples(600), samples(600), st.integers(1, 40))
def test_chunked_comparison_equals_scipy_at_any_chunk_size(a: np.ndarray, b: np.ndarray, chunk: int) -> None:
    """compare_numeric walks the reference in chunks (with the current values among them): chunk boundaries that
    fall on ties, on shared values, before the first current value or after the last one change nothing."""
    ref, cur = _summaries(a, b)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drift, "CHUNK", chunk)
        comparison = drift.compare_numeric(ref, cur)
        spread = ref.std()
    data1, data2 = np.sort(a), np.sort(b)
    pooled = np.concatenate([data1, data2])
    diffs = (np.searchsorted(data1, pooled, side="right") / a.size
             - np.searchsorted(data2, pooled, side="right") / b.size)
    assert comparison.statistic == max(float(np.clip(-diffs.min(), 0, 1)), float(diffs.max()))
    assert comparison.wasserstein == pytest.approx(sps.wasserstein_distance(a, b), rel=1e-9, abs=1e-12)
    assert spread == pytest.approx(float(np.std(a)), rel=1e-12, abs=1e-15)


def test_psi_on_reference_deciles_by_hand() -> None:
    ref = np.arange(100, dtype=float)  # deciles at 9, 19, ..., 89: ten bins of ten values
    cur = np.concatenate([np.arange(50, dtype=float), np.full(50, 95.0)])
    counts_cur = np.array([10, 10, 10, 10, 10, 0, 0, 0, 0, 50])
    p_ref = np.full(10, 0.1)
    p_cur = np.maximum(counts_cur / 100, drift.PSI_FLOOR)
    expected = float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))
    r, c = _summaries(ref, cur)
    assert drift.psi(r, c) == pytest.approx(expected, rel=1e-12)
    assert drift.psi(r, r) == 0.0
    edges, count1, count2 = drift.psi_bins(r, c)
    assert count1.tolist() == [10] * 10 and count2.tolist() == counts_cur.tolist()
    assert edges[0] == 0 and edges[-1] == 99


@SETTINGS
@given(st.lists(st.integers(0, 400), min_size=1, max_size=8), st.lists(st.integers(0, 400), min_size=1, max_size=8))
def test_chi_square_and_jensen_shannon_equal_scipy(a_counts: list[int], b_counts: list[int]) -> None:
    a = pd.Series(np.repeat([f"c{i}" for i in range(len(a_counts))], a_counts))
    b = pd.Series(np.repeat([f"c{i}" for i in range(len(b_counts))], b_counts))
    if a.empty or b.empty:
        return
    result = drift.compare_categorical(drift.CategoricalSummary.from_series(a),
                                       drift.CategoricalSummary.from_series(b))
    table = pd.crosstab(pd.concat([a, b]), np.r_[np.zeros(a.size), np.ones(b.size)])
    if table.shape[0] >= 2:
        expected = sps.chi2_contingency(table.to_numpy().T)
        assert result.statistic == pytest.approx(expected.statistic, rel=1e-9, abs=1e-12)
        assert abs(result.p_value - expected.pvalue) <= 1e-9
    p = table.iloc[:, 0].to_numpy() / a.size
    q = table.iloc[:, 1].to_numpy() / b.size
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.nansum(np.where(p > 0, p * np.log2(p / m), 0)) + np.nansum(np.where(q > 0, q * np.log2(q / m), 0))
    assert result.jensen_shannon == pytest.approx(math.sqrt(max(kl / 2, 0)), abs=1e-9)
    assert result.jensen_shannon == pytest.approx(float(jensenshannon(p, q, base=2)), abs=1e-12)


def test_categories_are_compared_by_text_and_missing_counted() -> None:
    summary = drift.CategoricalSummary.from_series(pd.Series(["a", None, "b", "a", np.nan], dtype=object))
    assert summary.counts == {"a": 2, "b": 1} and summary.n_missing == 2
    booleans = drift.CategoricalSummary.from_series(pd.Series([True, False, True]))
    assert booleans.counts == {"True": 2, "False": 1}


def test_missing_rate_test_is_scipys_chi_square() -> None:
    expected = sps.chi2_contingency(np.array([[10, 990], [60, 940]])).pvalue
    assert drift.missing_rate_pvalue(10, 1000, 60, 1000) == pytest.approx(expected, rel=1e-12)
    assert drift.missing_rate_pvalue(0, 1000, 0, 500) == 1.0


@SETTINGS
@given(samples(200))
def test_numeric_profile_round_trip_through_json_is_exact(values: np.ndarray) -> None:
    summary = drift.NumericSummary.from_values(values)
    loaded = drift.NumericSummary.from_profile(json.loads(json.dumps(summary.to_profile())))
    assert np.array_equal(loaded.values, summary.values) and np.array_equal(loaded.cum, summary.cum)
    assert loaded.std() == pytest.approx(float(np.std(values)), rel=1e-12, abs=1e-15)


def test_missing_values_sort_last_and_are_counted() -> None:
    summary = drift.NumericSummary.from_values(np.array([3.0, np.nan, 1.0, 1.0, np.nan]))
    assert summary.values.tolist() == [1.0, 3.0] and summary.cum.tolist() == [2, 3] and summary.n_missing == 2


# --- multiple testing --------------------------------------------------------------------------------

p_lists = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=30)


@SETTINGS
@given(p_lists)
def test_benjamini_hochberg_equals_scipy(p: list[float]) -> None:
    expected = sps.false_discovery_control(np.array(p), method="bh")
    np.testing.assert_allclose(benjamini_hochberg(np.array(p)), expected, rtol=1e-12, atol=1e-15)


@SETTINGS
@given(p_lists)
def test_holm_equals_the_step_down_procedure_by_hand(p: list[float]) -> None:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    expected = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        expected[i] = running
    np.testing.assert_allclose(holm(np.array(p)), expected, rtol=1e-12, atol=0)


def test_adjust_dispatches_and_rejects_unknown_methods() -> None:
    p = np.array([0.01, 0.04, 0.03])
    assert adjust(p, "none").tolist() == p.tolist()
    assert adjust(p, "holm").tolist() == holm(p).tolist()
    assert adjust(np.array([]), "bh").size == 0
    with pytest.raises(ValueError, match="correction must be one of"):
        adjust(p, "bonferroni")  # type: ignore[arg-type]
