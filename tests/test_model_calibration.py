"""Calibration: the statistics agree with scikit-learn (reliability curve, Brier score) and with a plain loop over
resampled rows; model_gate.calibration passes a calibrated model and fails an overconfident one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError
from pytest_mlgate.stats import calibration as cal
from pytest_mlgate.stats.bootstrap import resample_counts, resample_indices

import model_models as mm  # isort: skip
from quiet import quiet  # isort: skip

MODELS = (Path(__file__).parent / "model_models.py").read_text()


@st.composite
def binary_problem(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, str]:
    n = draw(st.integers(10, 300))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    p = rng.beta(draw(st.floats(0.3, 3)), draw(st.floats(0.3, 3)), n)
    if draw(st.booleans()):
        p = np.round(p, 1)  # values on bin edges and ties
    y = (rng.random(n) < p).astype(int)
    y[:2] = [0, 1]  # both classes present, as calibration_curve needs
    return p, y, draw(st.integers(1, 15)), draw(st.sampled_from(["uniform", "quantile"]))


@settings(max_examples=80, deadline=None)
@given(binary_problem())
def test_reliability_table_and_ece_agree_with_sklearn_calibration_curve(
    problem: tuple[np.ndarray, np.ndarray, int, str],
) -> None:
    p, y, n_bins, strategy = problem
    data = cal.calibration_data(y, p, np.array([0, 1]))
    edges = cal.bin_edges(data.prob, n_bins, strategy)  # type: ignore[arg-type]
    ids = cal.bin_ids(data.prob, edges)
    table = cal.reliability_table(data.prob, data.outcome, ids, edges)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose([r["observed_rate"] for r in table], prob_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose([r["mean_predicted"] for r in table], prob_pred, rtol=0, atol=1e-12)
    counts = np.array([r["count"] for r in table])
    assert counts.sum() == p.size
    expected_ece = float(np.sum(counts / p.size * np.abs(prob_true - prob_pred)))
    assert cal.expected_calibration_error(data.prob, data.outcome, ids, n_bins) == pytest.approx(expected_ece,
                                                                                                  abs=1e-12)
    assert float(data.brier_loss.mean()) == pytest.approx(brier_score_loss(y, p), abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.integers(6, 200), st.integers(2, 6), st.integers(0, 2**31 - 1))
def test_multiclass_top_label_and_brier_agree_with_sklearn(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(k), n)
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    classes = np.arange(k)
    data = cal.calibration_data(y, proba, classes)
    assert float(data.brier_loss.mean()) == pytest.approx(brier_score_loss(y, proba, labels=classes), abs=1e-12)
    if k > 2:  # top label: the model's confidence against whether its arg-max is right
        np.testing.assert_array_equal(data.prob, proba.max(axis=1))
        np.testing.assert_array_equal(data.outcome, (proba.argmax(axis=1) == y).astype(float))
    else:  # two columns are a binary problem: the positive class
        np.testing.assert_array_equal(data.prob, proba[:, 1])
        np.testing.assert_array_equal(data.outcome, (y == 1).astype(float))


@settings(max_examples=50, deadline=None)
@given(binary_problem(), st.integers(0, 2**31 - 1))
def test_batch_ece_and_brier_equal_a_loop_over_resampled_rows(
    problem: tuple[np.ndarray, np.ndarray, int, str], seed: int
) -> None:
    p, y, n_bins, strategy = problem
    data = cal.calibration_data(y, p, np.array([0, 1]))
    edges = cal.bin_edges(data.prob, n_bins, strategy)  # type: ignore[arg-type]
    ids = cal.bin_ids(data.prob, edges)
    counts = np.concatenate(list(resample_counts(p.size, 20, seed)))
    batch = cal.ece_batch(data.prob, data.outcome, ids, n_bins, counts)
    brier = cal.mean_batch(data.brier_loss, counts)
    rows = np.concatenate(list(resample_indices(p.size, 20, seed)))
    for i, idx in enumerate(rows):
        # the resample's own ECE, bins as fixed on the full data: one bin at a time
        total = sum(abs(data.outcome[idx][ids[idx] == b].sum() - data.prob[idx][ids[idx] == b].sum())
                    for b in range(n_bins))
        assert batch[i] == pytest.approx(total / p.size, abs=1e-12)
        assert brier[i] == pytest.approx(brier_score_loss(y[idx], p[idx], labels=[0, 1]), abs=1e-12)


def test_calibration_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=MODELS)
    pytester.makepyfile(test_suite="""
import pytest
from models import *

X, y = make_data(n=1000, seed=3)

def test_calibrated(model_gate):
    ece, brier = model_gate.calibration(Sound(*make_data(n=1000, seed=4)), X, y, max_ece=0.08)
    assert ece.status == brier.status == "pass"  # ECE 0.04, its interval wholly below 0.08
    assert sum(row["count"] for row in ece.details["reliability"]) == 1000

def test_overconfident(model_gate):
    model_gate.calibration(Overconfident(*make_data(n=1000, seed=4)), X, y, max_ece=0.05)
""")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*GateFailure: model_validation.calibration ece = 0.1* (98% CI [[]0.1*, 0.*], n=1000), required <= 0.05: "
        "above the maximum by 0.* (the whole interval misses the limit).",
        "*What to do: recalibrate the model (sklearn.calibration.CalibratedClassifierCV*"
        "Worst bins: [[]*]: predicted *, observed * (n=*)*",
    ])


def test_calibration_values_and_inputs() -> None:
    X, y = mm.make_data(n=600, seed=5)
    model = mm.Overconfident(*mm.make_data(n=600, seed=6))
    settings_ = GateSettings(n_resamples=200)
    ece, brier = quiet(ModelGate, settings=settings_).calibration(model, X, y, max_ece=0.5, max_brier=0.5)
    p = model.predict_proba(X)[:, 1]
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    counts = np.bincount(cal.bin_ids(p, np.linspace(0, 1, 11)), minlength=10)
    assert ece.value == pytest.approx(np.sum(counts[counts > 0] / 600 * np.abs(prob_true - prob_pred)), abs=1e-12)
    assert brier.value == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert ece.interval[0] <= ece.interval[1] and brier.interval[0] < brier.value < brier.interval[1]
    # a polars frame gives the same result as pandas
    X_polars = pl.DataFrame({c: X[c].to_numpy() for c in X.columns})
    polars_ece, _ = quiet(ModelGate, settings=settings_).calibration(model, X_polars, y, max_ece=0.5)
    assert polars_ece.value == ece.value and polars_ece.interval == ece.interval
    # predictions instead of a model give the same verdicts
    from_scores = quiet(ModelGate, settings=settings_).calibration(None, None, y, y_score=p, max_ece=0.5)
    assert from_scores[0].value == ece.value and from_scores[0].interval == ece.interval
    # multiclass: top-label view
    iris_X, iris_y = load_iris(return_X_y=True)
    iris = LogisticRegression(max_iter=500).fit(iris_X, iris_y)
    multi, _ = quiet(ModelGate, settings=settings_).calibration(iris, iris_X, iris_y, max_ece=0.2)
    assert multi.details["view"] == "top label" and multi.status == "pass"
    with pytest.raises(GateError, match="has no predict_proba"):
        quiet(ModelGate).calibration(_NoProba(), X, y)
    with pytest.raises(GateError, match="mismatched lengths"):
        quiet(ModelGate).calibration(model, X, y[:-1])
    with pytest.raises(GateError, match="n_bins must be a positive integer"):
        quiet(ModelGate).calibration(model, X, y, n_bins=0)
    with pytest.raises(GateError, match="probabilities in"):
        quiet(ModelGate).calibration(None, None, y, y_score=np.linspace(-1, 2, y.size))


class _NoProba:
    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(X))


def _shaped_at_the_limit(rng: np.random.Generator, n: int, shape: str) -> tuple[np.ndarray, np.ndarray]:
    """Predicted probabilities uniform in [0.1, 0.9) (eight bins of equal mass) and outcomes whose binned ECE in
    the population is exactly 0.05, spread over the bins in one of four ways."""
    q = rng.uniform(0.1, 0.9, n)
    truth = {"every": q - 0.05, "half": np.where(q < 0.5, q, q + 0.1), "one": np.where(q < 0.2, q + 0.4, q),
             "overconfident": np.where(q < 0.5, q + 0.05, q - 0.05)}[shape]
    return q, (rng.random(n) < truth).astype(float)


@pytest.mark.parametrize("shape", ["every", "half", "one", "overconfident"])
def test_signed_gap_bound_exceeds_the_population_ece_at_most_its_tail(shape: str) -> None:
    """Every candidate bounds a linear functional sum_b w_b s_b gap_b, which is at most the ECE; the largest of the
    six, each at tail / 6, must lie above the population's ECE (0.05) in at most ``tail`` of the samples, whichever
    bins carry the gaps. 1,000 runs of 300 rows: the rates are 0.2-0.7%, sd 0.3 points at 1%."""
    rng = np.random.default_rng(list(map(ord, shape)))
    tail, runs, n = 0.01, 1_000, 300
    above = 0
    for run in range(runs):
        q, outcome = _shaped_at_the_limit(rng, n, shape)
        bound = cal.signed_gap_lower_bound(q, outcome, cal.bin_ids(q, cal.bin_edges(q, 10)), 10, tail, run)
        assert isinstance(bound.lower, float) and 0.0 <= bound.lower <= 1.0
        above += bound.lower > 0.05
    assert above / runs <= tail + 0.008, f"{shape}: bound above the population ECE in {above / runs:.1%}"


def test_signed_gap_bound_finds_the_shape_and_declines_small_samples() -> None:
    rng = np.random.default_rng(3)
    q = rng.uniform(0.1, 0.9, 5_000)
    ids = cal.bin_ids(q, cal.bin_edges(q, 10))
    too_high = (rng.random(q.size) < q - 0.1).astype(float)  # every prediction 0.1 too high: ECE 0.1
    bound = cal.signed_gap_lower_bound(q, too_high, ids, 10, 0.01, 0)
    assert 0.07 < bound.lower < 0.1 and bound.signs == "calibration in the large"
    overconfident = (rng.random(q.size) < np.where(q < 0.5, q + 0.1, q - 0.1)).astype(float)
    bound = cal.signed_gap_lower_bound(q, overconfident, ids, 10, 0.01, 0)
    assert 0.07 < bound.lower < 0.1 and bound.signs == "under- or overconfidence"
    # unit weights are no weights; too few rows for any candidate: no bound (0, None)
    assert cal.signed_gap_lower_bound(q, too_high, ids, 10, 0.01, 0, np.ones(q.size)) == \
        cal.signed_gap_lower_bound(q, too_high, ids, 10, 0.01, 0)
    small = cal.signed_gap_lower_bound(q[:40], too_high[:40], ids[:40], 10, 0.01, 0)
    assert small == cal.SignedGapBound(0.0, None)
