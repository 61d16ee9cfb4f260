"""sample_weight rides along in every bootstrap resample: the replicates equal a loop of scikit-learn calls with
``sample_weight=w[rows]`` on the same draws, for every binary and regression metric, for the paired difference
of two models and for the calibration statistics; labels other than {0, 1} are encoded by ``pos_label``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import sklearn.metrics as skm
from sklearn.calibration import calibration_curve

from pytest_mlgate.stats import calibration as cal
from pytest_mlgate.stats.bootstrap import resample_counts, resample_indices
from pytest_mlgate.stats.metrics import estimate, get_metric, prepare
from pytest_mlgate.stats.paired import paired_difference

RNG = np.random.default_rng(11)
N = 250
Y01 = RNG.integers(0, 2, N)
SCORE = np.clip(0.35 * Y01 + RNG.uniform(0, 0.65, N), 0, 1)
PRED = (SCORE > 0.5).astype(int)
SCORE_B = np.clip(0.2 * Y01 + RNG.uniform(0, 0.8, N), 0, 1)
PRED_B = (SCORE_B > 0.5).astype(int)
W = RNG.uniform(0.0, 3.0, N)
NAMES = np.where(Y01 == 1, "good", "bad")
TARGET = RNG.normal(size=N)
FIT = TARGET + RNG.normal(scale=0.5, size=N)

Sk = Callable[[np.ndarray, np.ndarray, Any], float]
BINARY: dict[str, tuple[str, Sk]] = {
    "accuracy": ("label", lambda t, o, w: skm.accuracy_score(t, o, sample_weight=w)),
    "balanced_accuracy": ("label", lambda t, o, w: skm.balanced_accuracy_score(t, o, sample_weight=w)),
    "precision": ("label", lambda t, o, w: skm.precision_score(t, o, pos_label="good", sample_weight=w,
                                                               zero_division=0)),
    "recall": ("label", lambda t, o, w: skm.recall_score(t, o, pos_label="good", sample_weight=w, zero_division=0)),
    "f1": ("label", lambda t, o, w: skm.f1_score(t, o, pos_label="good", sample_weight=w, zero_division=0)),
    "roc_auc": ("score", lambda t, o, w: skm.roc_auc_score(t == "good", o, sample_weight=w)),
    "average_precision": ("score", lambda t, o, w: skm.average_precision_score(t, o, pos_label="good",
                                                                                 sample_weight=w)),
    "log_loss": ("score", lambda t, o, w: skm.log_loss(t == "good", o, labels=[False, True], sample_weight=w)),
    "neg_log_loss": ("score", lambda t, o, w: -skm.log_loss(t == "good", o, labels=[False, True], sample_weight=w)),
    "brier": ("score", lambda t, o, w: skm.brier_score_loss(t, o, pos_label="good", sample_weight=w)),
    "neg_brier_score": ("score", lambda t, o, w: -skm.brier_score_loss(t, o, pos_label="good", sample_weight=w)),
}
REGRESSION: dict[str, Sk] = {
    "mae": lambda t, o, w: skm.mean_absolute_error(t, o, sample_weight=w),
    "neg_mean_absolute_error": lambda t, o, w: -skm.mean_absolute_error(t, o, sample_weight=w),
    "mse": lambda t, o, w: skm.mean_squared_error(t, o, sample_weight=w),
    "rmse": lambda t, o, w: skm.root_mean_squared_error(t, o, sample_weight=w),
    "neg_root_mean_squared_error": lambda t, o, w: -skm.root_mean_squared_error(t, o, sample_weight=w),
    "r2": lambda t, o, w: skm.r2_score(t, o, sample_weight=w),
}


def loop(fn: Sk, y: np.ndarray, output: np.ndarray, weights: np.ndarray, n_resamples: int, seed: int) -> list[float]:
    values = []
    for block in resample_indices(y.size, n_resamples, seed):
        for rows in block:
            try:
                values.append(float(fn(y[rows], output[rows], weights[rows])))
            except ValueError:  # undefined on this draw: the gate counts it as NaN and leaves it out
                values.append(np.nan)
    return values


@pytest.mark.parametrize("name", list(BINARY))
def test_weighted_binary_replicates_equal_a_sklearn_loop(name: str) -> None:
    needs, fn = BINARY[name]
    output = np.where(PRED == 1, "good", "bad") if needs == "label" else SCORE
    est = estimate(get_metric(name), NAMES, output, n_resamples=30, confidence=0.9, seed=4, sample_weight=W,
                   pos_label="good")
    assert est.value == pytest.approx(fn(NAMES, output, W), abs=1e-12)
    np.testing.assert_allclose(est.replicates, loop(fn, NAMES, output, W, 30, 4), rtol=0, atol=1e-9)
    assert est.positive == (None if name in ("accuracy", "balanced_accuracy") else "good")  # symmetric ones


@pytest.mark.parametrize("name", list(REGRESSION))
def test_weighted_regression_replicates_equal_a_sklearn_loop(name: str) -> None:
    fn = REGRESSION[name]
    est = estimate(get_metric(name), TARGET, FIT, n_resamples=30, confidence=0.9, seed=4, sample_weight=W)
    assert est.value == pytest.approx(fn(TARGET, FIT, W), abs=1e-12)
    np.testing.assert_allclose(est.replicates, loop(fn, TARGET, FIT, W, 30, 4), rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", ["accuracy", "f1", "roc_auc", "brier"])
def test_weighted_paired_difference_equals_a_sklearn_loop(name: str) -> None:
    needs, fn = BINARY[name]
    m = get_metric(name)
    a = np.where(PRED == 1, "good", "bad") if needs == "label" else SCORE
    b = np.where(PRED_B == 1, "good", "bad") if needs == "label" else SCORE_B
    ready_a, ready_b = prepare(m, NAMES, a, "good"), prepare(m, NAMES, b, "good")
    paired = paired_difference(m, ready_a.y, ready_a.output, ready_b.output, value_a=fn(NAMES, a, W),
                               value_b=fn(NAMES, b, W), n_resamples=30, confidence=0.9, seed=8, sample_weight=W)
    expected = np.subtract(loop(fn, NAMES, b, W, 30, 8), loop(fn, NAMES, a, W, 30, 8))
    np.testing.assert_allclose(paired.replicates, expected, rtol=0, atol=1e-9)


def test_weighted_calibration_statistics_equal_a_loop_and_sklearn() -> None:
    data = cal.calibration_data(NAMES, SCORE, np.array(["bad", "good"]))
    edges = cal.bin_edges(data.prob, 10, "uniform")
    ids = cal.bin_ids(data.prob, edges)
    counts = next(resample_counts(N, 20, 3))
    batch = cal.ece_batch(data.prob, data.outcome, ids, 10, counts * W)
    for value, rows in zip(batch, next(resample_indices(N, 20, 3)), strict=True):
        assert value == pytest.approx(cal.expected_calibration_error(data.prob[rows], data.outcome[rows], ids[rows],
                                                                     10, W[rows]), abs=1e-12)
    brier = cal.mean_batch(data.brier_loss, counts * W)
    for value, rows in zip(brier, next(resample_indices(N, 20, 3)), strict=True):
        assert value == pytest.approx(skm.brier_score_loss(NAMES[rows], SCORE[rows], pos_label="good",
                                                           sample_weight=W[rows]), abs=1e-12)
    # integer weights are repeated rows: the weighted reliability table is calibration_curve on the repeated rows
    k = RNG.integers(1, 4, N)
    rows = np.repeat(np.arange(N), k)
    table = cal.reliability_table(data.prob, data.outcome, ids, edges, k.astype(float))
    observed, predicted = calibration_curve(NAMES[rows], SCORE[rows], pos_label="good", n_bins=10)
    np.testing.assert_allclose([r["observed_rate"] for r in table], observed, rtol=0, atol=1e-12)
    np.testing.assert_allclose([r["mean_predicted"] for r in table], predicted, rtol=0, atol=1e-12)
    assert sum(r["weight"] for r in table) == pytest.approx(rows.size)
