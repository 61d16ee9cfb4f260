"""Our metrics agree with scikit-learn: the point values, and the vectorized bootstrap versions row by row."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError, GateFailure
from pytest_mlgate.stats import StatsError
from pytest_mlgate.stats.bootstrap import counts_from_indices, percentile_interval, resample_counts, resample_indices
from pytest_mlgate.stats.metrics import METRICS, batch_values, estimate, get_metric, metric

from quiet import quiet  # isort: skip

SK_BINARY_LABEL = {
    "accuracy": skm.accuracy_score,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "precision": lambda y, p, **kw: skm.precision_score(y, p, zero_division=0, **kw),
    "recall": lambda y, p, **kw: skm.recall_score(y, p, zero_division=0, **kw),
    "f1": lambda y, p, **kw: skm.f1_score(y, p, zero_division=0, **kw),
}
SK_MULTICLASS_LABEL = {
    "accuracy": skm.accuracy_score,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "precision": lambda y, p, **kw: skm.precision_score(y, p, average="macro", zero_division=0, **kw),
    "recall": lambda y, p, **kw: skm.recall_score(y, p, average="macro", zero_division=0, **kw),
    "f1": lambda y, p, **kw: skm.f1_score(y, p, average="macro", zero_division=0, **kw),
}
SK_SCORE = {
    "roc_auc": skm.roc_auc_score,
    "average_precision": skm.average_precision_score,
    "log_loss": lambda y, p, **kw: skm.log_loss(y, p, labels=[0, 1], **kw),
    "brier": skm.brier_score_loss,
}
SK_REGRESSION = {
    "mae": skm.mean_absolute_error,
    "mse": skm.mean_squared_error,
    "rmse": lambda y, p, **kw: np.sqrt(skm.mean_squared_error(y, p, **kw)),
    "r2": skm.r2_score,
}


def sk(fn, y, p, weights=None):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn(y, p, sample_weight=weights))


@st.composite
def binary_case(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(4, 60))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]  # both classes present
    ties = draw(st.booleans())
    score = rng.integers(0, 5, n) / 4 if ties else rng.random(n)
    pred = (rng.random(n) < 0.5).astype(int)
    counts = rng.integers(0, 4, size=(3, n)).astype(float)
    counts[:, :2] += 1  # keep both classes in every weighting
    return y, score, pred, counts


@settings(max_examples=60, deadline=None)
@given(binary_case())
def test_binary_metrics_agree_with_sklearn(case) -> None:  # type: ignore[no-untyped-def]
    y, score, pred, counts = case
    for name, fn in SK_BINARY_LABEL.items():
        m = METRICS[name]
        assert m.fn(y, pred) == pytest.approx(sk(fn, y, pred), abs=1e-12)
        got = batch_values(m, y, pred, counts)
        want = [sk(fn, y, pred, w) for w in counts]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, err_msg=name)
    for name, fn in SK_SCORE.items():
        m = METRICS[name]
        assert m.fn(y, score) == pytest.approx(sk(fn, y, score), abs=1e-12)
        got = batch_values(m, y, score, counts)
        want = [sk(fn, y, score, w) for w in counts]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(st.integers(6, 60), st.integers(3, 5), st.integers(0, 2**31 - 1))
def test_multiclass_label_metrics_agree_with_sklearn(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    pred = np.where(rng.random(n) < 0.6, y, rng.integers(0, k, n))
    counts = rng.integers(1, 4, size=(3, n)).astype(float)
    for name, fn in SK_MULTICLASS_LABEL.items():
        m = METRICS[name]
        assert m.fn(y, pred) == pytest.approx(sk(fn, y, pred), abs=1e-12)
        np.testing.assert_allclose(batch_values(m, y, pred, counts), [sk(fn, y, pred, w) for w in counts],
                                   rtol=0, atol=1e-9, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 60), st.integers(0, 2**31 - 1))
def test_regression_metrics_agree_with_sklearn(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n) * 10
    pred = y + rng.normal(size=n)
    counts = rng.integers(1, 4, size=(3, n)).astype(float)
    for name, fn in SK_REGRESSION.items():
        m = METRICS[name]
        assert m.fn(y, pred) == pytest.approx(sk(fn, y, pred), abs=1e-9)
        np.testing.assert_allclose(batch_values(m, y, pred, counts), [sk(fn, y, pred, w) for w in counts],
                                   rtol=1e-9, atol=1e-9, err_msg=name)


def test_counts_are_the_resampled_rows() -> None:
    n, b = 50, 30
    blocks = list(resample_indices(n, b, seed=3, max_cells=n * 7))
    assert [len(block) for block in blocks] == [7, 7, 7, 7, 2]
    counts = np.concatenate(list(resample_counts(n, b, seed=3, max_cells=n * 7)))
    indices = np.concatenate(blocks)
    for row_counts, row_indices in zip(counts, indices, strict=True):
        np.testing.assert_array_equal(row_counts, np.bincount(row_indices, minlength=n))
    assert counts_from_indices(indices, n).sum(axis=1).tolist() == [n] * b


def test_bootstrap_interval_equals_a_plain_loop_over_the_same_rows() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    score = np.clip(y * 0.3 + rng.random(500), 0, 1)
    est = estimate(METRICS["roc_auc"], y, score, n_resamples=200, confidence=0.95, seed=11)
    loop = [skm.roc_auc_score(y[idx], score[idx]) for block in resample_indices(500, 200, 11) for idx in block]
    np.testing.assert_allclose(est.replicates, loop, atol=1e-12)
    assert est.interval == pytest.approx(percentile_interval(np.array(loop), 0.95))
    assert est.value == pytest.approx(skm.roc_auc_score(y, score), abs=1e-15)


def test_interval_coverage_of_accuracy_is_close_to_nominal() -> None:
    """On simulated data with a known true accuracy, the 95% interval covers it about 95% of the time."""
    true_accuracy, n, runs = 0.8, 300, 300
    rng = np.random.default_rng(1)
    covered = 0
    for run in range(runs):
        y = rng.integers(0, 2, n)
        pred = np.where(rng.random(n) < true_accuracy, y, 1 - y)
        lo, hi = estimate(METRICS["accuracy"], y, pred, n_resamples=400, confidence=0.95, seed=run).interval
        covered += lo <= true_accuracy <= hi
    assert 0.91 <= covered / runs <= 0.98


def test_unknown_metric_suggests_the_closest_name() -> None:
    with pytest.raises(GateError, match=re.escape("unknown metric 'f_1'. Did you mean 'f1'")):
        ModelGate().metrics(y=[0, 1], y_pred=[0, 1], min={"f_1": 0.5})  # stats' own error, as the gate's
    with pytest.raises(StatsError, match=re.escape("unknown metric 'f_1'. Did you mean 'f1'")) as raised:
        get_metric("f_1")  # the statistics raise their own error (a ValueError), never the gates' GateError
    assert not isinstance(raised.value, GateError) and isinstance(raised.value, ValueError)


def test_custom_metric_callable_and_direction() -> None:
    def false_negatives(y_true, y_pred):  # type: ignore[no-untyped-def]
        return float(np.sum((y_true == 1) & (y_pred == 0)))

    y = np.array([0, 1, 1, 0, 1, 1, 0, 1])
    pred = np.array([0, 1, 0, 0, 1, 1, 1, 0])
    gate = ModelGate(settings=GateSettings(n_resamples=50))
    [result] = gate.metrics(y=y, y_pred=pred, max={metric(false_negatives, greater_is_better=False): 3})
    # 8 rows cannot show that 2 false negatives stay below 3: inconclusive, not a failure
    assert result.subject == "false_negatives" and result.value == 2 and result.status == "inconclusive"
    with pytest.raises(GateFailure, match="false_negatives = 2"):
        gate.metrics(y=y, y_pred=pred, max={metric(false_negatives, greater_is_better=False): 1}, decision="point")
    with pytest.raises(GateError, match="does not say what it needs"):  # issue 12: never guessed as labels
        gate.metrics(y=y, y_pred=pred, max={false_negatives: 1}, decision="point")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": [0, 1, 1], "y_pred": [0, 1]}, "mismatched lengths: y has 3, predictions has 2 rows"),
        ({"y": [], "y_pred": []}, "y is empty"),
        ({"y": [1, 1, 1], "y_score": [0.2, 0.4, 0.9], "min": {"roc_auc": 0.5}}, "single class"),
        ({"y": [0, 1, 1], "y_score": [0.2, np.inf, 0.9], "min": {"roc_auc": 0.5}},
         "y_score contains NaN or infinite"),
        ({"y": [0, 1, 1], "y_pred": [0, 1, 1], "min": {"roc_auc": 0.5}},
         "roc_auc need(s) scores or probabilities: pass y_score="),
        ({"y": [0, 1, 2], "y_score": [0.2, 0.4, 0.9], "min": {"roc_auc": 0.5}},
         "3 classes but the scores are one column"),
        ({"y": [0, 1, 1], "y_pred": [0, 1, 1], "min": {}}, "no metric to check"),
        ({"y": [0, 1, 1], "y_pred": [0, 1, 1], "min": {"accuracy": float("nan")}},
         "min for 'accuracy' must be a finite"),
        ({"y": ["a", "b", "b"], "y_pred": ["a", "b", "a"], "max": {"mae": 1}}, "needs numeric targets"),
    ],
)
def test_bad_inputs_name_the_problem(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    kwargs.setdefault("min", {"accuracy": 0.5})
    with pytest.raises(GateError, match=re.escape(message)):
        quiet(ModelGate).metrics(None, None, **kwargs)


def test_model_problems_are_gate_errors() -> None:
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(0).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(GateError, match=re.escape("LogisticRegression) is not fitted")):
        quiet(ModelGate).metrics(LogisticRegression(), X, y, min={"accuracy": 0.5})
    with pytest.raises(GateError, match="has no predict method"):
        quiet(ModelGate).metrics(object(), X, y, min={"accuracy": 0.5})

    class Broken:
        def predict(self, X):  # type: ignore[no-untyped-def]
            raise RuntimeError("feature 'age' missing")

    with pytest.raises(GateError, match=re.escape("model.predict(X) raised RuntimeError: feature 'age' missing")):
        quiet(ModelGate).metrics(Broken(), X, y, min={"accuracy": 0.5})

    class Lister:
        def predict(self, X):  # type: ignore[no-untyped-def]
            return [0] * len(X)

    with pytest.raises(GateError, match="returned a list, not an array"):
        quiet(ModelGate).metrics(Lister(), X, y, min={"accuracy": 0.5})


def test_multiclass_and_regression_models() -> None:
    from sklearn.datasets import make_classification, make_regression
    from sklearn.linear_model import LinearRegression, LogisticRegression

    gate = ModelGate(settings=GateSettings(n_resamples=100))
    X, y = make_classification(n_samples=300, n_classes=3, n_informative=4, random_state=0)
    model = LogisticRegression(max_iter=500).fit(X, y)
    results = gate.metrics(model, X, y, min={"accuracy": 0.5, "f1": 0.5, "roc_auc": 0.7}, max={"log_loss": 1.0})
    assert [r.status for r in results] == ["pass"] * 4
    assert results[2].value == pytest.approx(skm.roc_auc_score(y, model.predict_proba(X), multi_class="ovr"))
    Xr, yr = make_regression(n_samples=200, n_features=3, noise=5.0, random_state=0)
    reg = LinearRegression().fit(Xr, yr)
    results = gate.metrics(reg, Xr, yr, min={"r2": 0.9}, max={"rmse": 10, "mae": 10})
    assert [r.status for r in results] == ["pass"] * 3
    assert results[1].value == pytest.approx(np.sqrt(skm.mean_squared_error(yr, reg.predict(Xr))))


def test_decision_rule_interval_versus_point() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 200)
    pred = np.where(rng.random(200) < 0.8, y, 1 - y)
    settings_ = GateSettings(n_resamples=300)
    value = METRICS["accuracy"].fn(y, pred)
    # a limit just above the point value: the interval still reaches it, so no evidence of a miss: inconclusive
    [lenient] = quiet(ModelGate, settings=settings_).metrics(None, None, y, y_pred=pred, min={"accuracy": value + 0.01})
    assert lenient.status == "inconclusive"
    [strict] = quiet(ModelGate, settings=settings_).metrics(None, None, y, y_pred=pred, min={"accuracy": value + 0.01},
                                                            decision="point")
    assert strict.status == "fail"


def test_a_failing_user_metric_is_a_gate_error_naming_it() -> None:
    def recall_at_k(y_true, y_pred):  # type: ignore[no-untyped-def]
        return {"k": 1}["missing"]

    with pytest.raises(GateError, match="recall_at_k could not be computed: KeyError: 'missing'"):
        quiet(ModelGate).metrics(None, None, [0, 1, 1], y_pred=[0, 1, 1], min={metric(recall_at_k): 0.5})


def test_slices_all_too_small_is_an_error_not_a_pass() -> None:
    import pandas as pd

    X = pd.DataFrame({"region": [f"r{i % 20}" for i in range(200)], "x": range(200)})
    y = np.arange(200) % 2
    with pytest.raises(GateError, match="no slice of region has at least min_size=30 rows"):
        quiet(ModelGate).slices(None, X, y, by="region", metric="accuracy", min=0.5, y_pred=y)


@pytest.mark.parametrize("name", ["roc_auc", "roc_auc_ovr_weighted", "log_loss", "brier", "neg_log_loss"])
def test_multiclass_bootstrap_equals_a_sklearn_loop_on_the_same_draws(name: str) -> None:
    from pytest_mlgate.stats.metrics import estimate, get_metric

    rng = np.random.default_rng(5)
    y = rng.integers(0, 3, 300)
    logits = rng.normal(size=(300, 3)) + (np.arange(3)[None, :] == y[:, None])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    w = rng.uniform(0.5, 2.0, 300)
    sk_fn = {
        "roc_auc": lambda t, q, sw: skm.roc_auc_score(t, q, multi_class="ovr", sample_weight=sw),
        "roc_auc_ovr_weighted": lambda t, q, sw: skm.roc_auc_score(t, q, multi_class="ovr", average="weighted",
                                                                   sample_weight=sw),
        "log_loss": lambda t, q, sw: skm.log_loss(t, q, labels=[0, 1, 2], sample_weight=sw),
        "brier": lambda t, q, sw: skm.brier_score_loss(t, q, labels=[0, 1, 2], sample_weight=sw),
        "neg_log_loss": lambda t, q, sw: -skm.log_loss(t, q, labels=[0, 1, 2], sample_weight=sw),
    }[name]
    for weights in (None, w):
        est = estimate(get_metric(name), y, p, n_resamples=40, confidence=0.9, seed=2, sample_weight=weights)
        loop = [sk_fn(y[idx], p[idx], None if weights is None else weights[idx])
                for block in resample_indices(300, 40, 2) for idx in block]
        np.testing.assert_allclose(est.replicates, loop, rtol=0, atol=1e-9)
        assert est.value == pytest.approx(sk_fn(y, p, weights), abs=1e-12)
