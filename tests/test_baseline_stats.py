"""Statistics behind the baseline gate: the vectorized AUC, compact count matrices, the paired bootstrap against
a plain loop of scikit-learn calls on the same rows, McNemar's exact test and the unpaired difference rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, norm
from sklearn import metrics as skm

from pytest_mlgate.stats.bootstrap import counts_from_indices, resample_counts, resample_indices
from pytest_mlgate.stats.metrics import METRICS, _roc_auc_b
from pytest_mlgate.stats.paired import (
    mcnemar_exact,
    paired_difference,
    rescale_interval,
    unpaired_difference,
)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 120),
    seed=st.integers(0, 2**31 - 1),
    decimals=st.sampled_from([0, 1, 8]),
    dtype=st.sampled_from(["float64", "uint8", "int64"]),
)
def test_roc_auc_batch_agrees_with_sklearn_sample_weight(n: int, seed: int, decimals: int, dtype: str) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.round(rng.normal(size=n) + y, decimals)  # decimals=0 makes many ties
    counts = next(resample_counts(n, 10, seed, dtype=dtype))
    ours = _roc_auc_b(y, score, counts)
    for row, value in zip(counts.astype(float), ours, strict=True):
        drawn = y[row > 0]
        if np.unique(drawn).size < 2:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(skm.roc_auc_score(y, score, sample_weight=row), abs=1e-12)


def test_fractional_weights_still_work_for_roc_auc() -> None:
    rng = np.random.default_rng(3)
    y, score = rng.integers(0, 2, 200), rng.normal(size=200)
    weights = rng.random((4, 200))
    ours = _roc_auc_b(y, score, weights)
    expected = [skm.roc_auc_score(y, score, sample_weight=w) for w in weights]
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_integer_counts_equal_float_counts_and_never_wrap() -> None:
    indices = next(resample_indices(500, 7, seed=11))
    as_float = counts_from_indices(indices, 500)
    as_uint8 = counts_from_indices(indices, 500, np.uint8)
    assert as_uint8.dtype == np.uint8
    np.testing.assert_array_equal(as_float, as_uint8)
    crowded = np.zeros((1, 300), dtype=np.int64)  # one row drawn 300 times: more than uint8 holds
    wide = counts_from_indices(crowded, 300, np.uint8)
    assert wide.dtype == np.int64 and wide[0, 0] == 300


@pytest.mark.parametrize("n", [1, 50, 257, 1001])
def test_resample_counts_are_the_index_draws_in_any_block_size(n: int) -> None:
    indices = np.concatenate(list(resample_indices(n, 13, seed=4)))
    expected = np.stack([np.bincount(row, minlength=n) for row in indices])
    for max_cells, dtype in ((n * 5, np.uint8), (n * 13, float), (n, np.int64)):
        counts = np.concatenate(list(resample_counts(n, 13, seed=4, max_cells=max_cells, dtype=dtype)))
        assert counts.dtype == dtype
        np.testing.assert_array_equal(counts, expected)


class _OneRowGenerator:
    """Draws row 0 every time, until the state is set back: a count of ``n`` at row 0 in the first block."""

    def __init__(self) -> None:
        self.bit_generator = self
        self.state: object = "start"

    def integers(self, low: int, high: int, size: int, dtype: type) -> np.ndarray:
        return np.zeros(size, dtype=dtype)


def test_resample_counts_draw_a_wrapped_block_again_wider(monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_mlgate.stats import bootstrap

    monkeypatch.setattr(bootstrap.np.random, "default_rng", lambda seed: _OneRowGenerator())
    blocks = list(resample_counts(300, 3, seed=0, max_cells=600, dtype=np.uint8))
    assert [b.dtype for b in blocks] == [np.int64, np.int64]  # 300 does not fit in uint8: never wrapped
    assert all(int(b[0, 0]) == 300 for b in blocks)


def test_paired_roc_auc_sorts_once_and_matches_the_loop_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_mlgate.stats import paired

    monkeypatch.setattr(paired, "PAIRED_CELLS", 400 * 3)  # blocks of 3 resamples: the plan serves them all
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 400)
    out_a, out_b = np.round(y + rng.normal(size=400), 1), y * 0.5 + rng.normal(size=400)  # ties in A
    m = METRICS["roc_auc"]
    result = paired_difference(m, y, out_a, out_b, value_a=m.fn(y, out_a), value_b=m.fn(y, out_b),
                               n_resamples=20, confidence=0.9, seed=9)
    loop = _loop_differences("roc_auc", y, out_a, out_b, 20, seed=9)
    np.testing.assert_allclose(result.replicates, loop, rtol=0, atol=1e-12)


def _loop_differences(name: str, y: np.ndarray, out_a: np.ndarray, out_b: np.ndarray, n_resamples: int,
                      seed: int) -> np.ndarray:
    fn = METRICS[name].fn
    diffs = []
    for block in resample_indices(y.size, n_resamples, seed):
        for idx in block:
            diffs.append(fn(y[idx], out_b[idx]) - fn(y[idx], out_a[idx]))
    return np.array(diffs)


@pytest.mark.parametrize("name", ["roc_auc", "accuracy", "f1", "log_loss", "brier", "average_precision"])
def test_paired_bootstrap_matches_a_loop_of_sklearn_calls_on_the_same_rows(name: str) -> None:
    rng = np.random.default_rng(5)
    n = 300
    y = rng.integers(0, 2, n)
    noise = rng.normal(size=n)
    proba_a = 1 / (1 + np.exp(-(2 * y - 1 + noise)))
    proba_b = 1 / (1 + np.exp(-(1.5 * y - 0.75 + noise + rng.normal(scale=0.5, size=n))))
    m = METRICS[name]
    if m.needs == "label":
        out_a, out_b = (proba_a > 0.5).astype(int), (proba_b > 0.5).astype(int)
    else:
        out_a, out_b = proba_a, proba_b
    result = paired_difference(m, y, out_a, out_b, value_a=m.fn(y, out_a), value_b=m.fn(y, out_b),
                               n_resamples=200, confidence=0.98, seed=42)
    loop = _loop_differences(name, y, out_a, out_b, 200, seed=42)
    np.testing.assert_allclose(result.replicates, loop, rtol=0, atol=1e-9)
    lo, hi = np.percentile(loop, [1, 99])
    assert result.interval == pytest.approx((lo, hi), abs=1e-9)
    assert result.difference == pytest.approx(m.fn(y, out_b) - m.fn(y, out_a), abs=1e-12)


def test_paired_bootstrap_for_regression_metrics() -> None:
    rng = np.random.default_rng(8)
    y = rng.normal(size=150)
    out_a, out_b = y + rng.normal(scale=0.3, size=150), y + rng.normal(scale=0.5, size=150)
    for name in ("mae", "rmse", "r2"):
        m = METRICS[name]
        result = paired_difference(m, y, out_a, out_b, value_a=m.fn(y, out_a), value_b=m.fn(y, out_b),
                                   n_resamples=50, confidence=0.98, seed=1)
        np.testing.assert_allclose(result.replicates, _loop_differences(name, y, out_a, out_b, 50, 1),
                                   rtol=0, atol=1e-9)


def test_mcnemar_exact_by_hand() -> None:
    y = np.ones(20, dtype=int)
    pred_a = np.r_[np.ones(10), np.zeros(2), np.ones(8)].astype(int)  # A alone right on rows 0-9
    pred_b = np.r_[np.zeros(10), np.ones(2), np.ones(8)].astype(int)  # B alone right on rows 10-11
    test = mcnemar_exact(y, pred_a, pred_b)
    assert (test.only_a, test.only_b) == (10, 2)
    assert test.p_value == pytest.approx((1 + 12 + 66) / 2**12, abs=1e-15)
    assert test.p_value == pytest.approx(binom.cdf(2, 12, 0.5), abs=1e-15)
    assert mcnemar_exact(y, pred_a, pred_a).p_value == 1.0


def test_unpaired_difference_is_the_usual_normal_rule_for_symmetric_intervals() -> None:
    z = norm.ppf(0.99)
    se_c, se_b = 0.01, 0.02
    difference, (lo, hi) = unpaired_difference(0.80, (0.80 - z * se_c, 0.80 + z * se_c),
                                               0.83, (0.83 - z * se_b, 0.83 + z * se_b))
    half = z * math.hypot(se_c, se_b)
    assert difference == pytest.approx(-0.03)
    assert (lo, hi) == pytest.approx((-0.03 - half, -0.03 + half), abs=1e-12)


def test_unpaired_difference_keeps_skew_on_each_side() -> None:
    _, (lo, hi) = unpaired_difference(0.95, (0.90, 0.97), 0.95, (0.94, 0.99))
    assert lo == pytest.approx(-math.hypot(0.05, 0.04))  # current could be lower, baseline higher
    assert hi == pytest.approx(math.hypot(0.02, 0.01))


def test_rescale_interval_between_levels() -> None:
    z95, z98 = norm.ppf(0.975), norm.ppf(0.99)
    lo, hi = rescale_interval(0.5, (0.5 - z95, 0.5 + 2 * z95), from_confidence=0.95, to_confidence=0.98)
    assert (lo, hi) == pytest.approx((0.5 - z98, 0.5 + 2 * z98))
    assert rescale_interval(0.5, (0.4, 0.6), from_confidence=0.98, to_confidence=0.98) == (0.4, 0.6)
