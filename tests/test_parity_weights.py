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


def _scorer_problems() -> dict[str, tuple[Any, np.ndarray, np.ndarray]]:
    from sklearn.datasets import make_classification, make_regression
    from sklearn.linear_model import LinearRegression, LogisticRegression

    Xb, yb = make_classification(n_samples=300, n_features=5, flip_y=0.2, random_state=1)
    Xm, ym = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=2)
    Xr, yr = make_regression(n_samples=300, n_features=4, noise=10.0, random_state=3)
    yr = yr - yr.min() + 100.0  # targets and predictions > 0, as the log and deviance scorers need
    return {"binary": (_proba_only(LogisticRegression().fit(Xb, yb)), Xb, yb),
            "multiclass": (_proba_only(LogisticRegression(max_iter=500).fit(Xm, ym)), Xm, ym),
            "regression": (LinearRegression().fit(Xr, yr), Xr, yr)}


def _proba_only(model: Any) -> Any:
    """The classifier without decision_function: the scorers then score predict_proba, the output the gate
    takes from any model that has it (with decision_function, the multiclass average_precision scorer ranks
    by decision values instead, a different number for the same name)."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class ProbaOnly(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
        def predict(self, X: Any) -> Any:
            return model.predict(X)

        def predict_proba(self, X: Any) -> Any:
            return model.predict_proba(X)

    wrapped = ProbaOnly()
    wrapped.classes_ = model.classes_
    return wrapped


def test_every_sklearn_scorer_name_works_with_its_sign_or_is_refused() -> None:
    """Each of scikit-learn's scorer names gives the scorer's own value (sign included) or a GateError that
    offers no near name; none is aliased with the wrong sign."""
    from sklearn.metrics import get_scorer, get_scorer_names

    from pytest_mlgate.gates.model import ModelGate
    from pytest_mlgate.results import GateError
    from pytest_mlgate.stats import StatsError

    import quiet  # isort: skip

    problems = _scorer_problems()
    from pytest_mlgate.gates.base import GateSettings

    gate = quiet.quiet(ModelGate, GateSettings(n_resamples=50))
    accepted = []
    for name in get_scorer_names():
        try:
            m = get_metric(name)
        except StatsError as exc:
            assert "Did you mean" not in str(exc), (name, str(exc))
            continue
        tasks = ["regression"] if m.needs == "regression" else ["binary", "multiclass"]
        for task in tasks:
            model, X, y = problems[task]
            try:
                expected = get_scorer(name)(model, X, y)
            except ValueError:  # scikit-learn's f1, precision, recall, roc_auc scorers are binary only; here
                # they are macro averages for more classes (roc_auc one-vs-rest, as its roc_auc_ovr)
                macro = {"f1": "f1_macro", "precision": "precision_macro", "recall": "recall_macro",
                         "jaccard": "jaccard_macro",
                         "roc_auc": "roc_auc_ovr"}
                assert task == "multiclass" and name in macro, name
                expected = get_scorer(macro[name])(model, X, y)
            try:
                [r] = gate.metrics(model, X, y, min={name: -1e12}, decision="point")
            except GateError as exc:
                assert task == "multiclass" and "binary labels only" in str(exc), (name, task, str(exc))
                continue
            assert r.value == pytest.approx(expected, abs=1e-9), (name, task)
            accepted.append(name)
    assert {"neg_log_loss", "neg_brier_score", "neg_mean_absolute_error", "f1_macro", "recall_weighted",
            "roc_auc_ovr_weighted", "matthews_corrcoef", "jaccard_weighted", "explained_variance",
            "neg_median_absolute_error", "neg_mean_gamma_deviance"} <= set(accepted)


@pytest.mark.parametrize("kind", ["precision", "recall", "f1"])
@pytest.mark.parametrize("average", ["", "_macro", "_micro", "_weighted"])
@pytest.mark.parametrize("labels", ["binary", "multiclass"])
def test_averaged_label_metrics_equal_a_sklearn_loop(kind: str, average: str, labels: str) -> None:
    """f1, f1_macro, f1_micro, f1_weighted (and precision, recall) with weights; a rare class that some
    resamples miss is left out of the average there, as scikit-learn leaves out labels it does not see."""
    fn = getattr(skm, f"{kind}_score")
    rng = np.random.default_rng(3)
    if labels == "binary":
        y, pred = NAMES, np.where(PRED == 1, "good", "bad")
    else:
        y = rng.choice(["a", "b", "c", "rare"], size=80, p=[0.4, 0.3, 0.29, 0.01]).astype("<U4")
        pred = np.where(rng.random(80) < 0.7, y, rng.choice(["a", "b", "c"], size=80))
        y[0] = pred[0] = "rare"  # one row: about a third of the resamples miss it
    w = rng.uniform(0.1, 2.0, y.size)
    sk_average = average[1:] or ("binary" if labels == "binary" else "macro")
    options = {"pos_label": "good"} if sk_average == "binary" else {}

    def sk(t: np.ndarray, o: np.ndarray, sw: Any) -> float:
        return float(fn(t, o, average=sk_average, sample_weight=sw, zero_division=0, **options))

    est = estimate(get_metric(kind + average), y, pred, n_resamples=40, confidence=0.9, seed=6, sample_weight=w,
                   pos_label="good" if labels == "binary" and not average else None)
    assert est.value == pytest.approx(sk(y, pred, w), abs=1e-12)
    np.testing.assert_allclose(est.replicates, loop(sk, y, pred, w, 40, 6), rtol=0, atol=1e-9)
