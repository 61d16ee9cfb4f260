"""Reference cases from scikit-learn's own test suite (values carried over, each citing its file and test),
through the public gate API: ``ModelGate.metrics`` with precomputed ``y_pred=`` / ``y_score=``."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_mlgate import GateError, GateFailure, GateSettings, ModelGate

GATE = ModelGate(settings=GateSettings(n_resamples=20))


def value(name: str, y, **kwargs) -> float:  # type: ignore[no-untyped-def]
    [result] = GATE.metrics(y_true=y, max={name: 1e9}, decision="point", **kwargs) if name in (
        "log_loss", "brier", "mae", "mse", "rmse") else GATE.metrics(y_true=y, min={name: -1e9}, decision="point",
                                                                       **kwargs)
    return float(result.value)


TOY_SCORES = np.array([[1.0, 0.0, 0.0], [0.1, 0.5, 0.4], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])


@pytest.mark.parametrize(
    ("name", "y", "output", "expected"),
    [
        # sklearn/metrics/tests/test_classification.py::test_log_loss ("multiclass case")
        ("log_loss", [1, 0, 2], [[0.2, 0.7, 0.1], [0.6, 0.2, 0.2], [0.6, 0.1, 0.3]], 0.6904911),
        # ... the same rows doubled ("check that we got all the shapes and axes right"): same mean loss
        ("log_loss", [1, 0, 2] * 2, [[0.2, 0.7, 0.1], [0.6, 0.2, 0.2], [0.6, 0.1, 0.3]] * 2, 0.6904911),
        # sklearn/metrics/tests/test_classification.py::test_brier_score_loss_multiclass
        ("brier", [1, 0, 2], [[0.2, 0.7, 0.1], [0.6, 0.2, 0.2], [0.6, 0.1, 0.3]], 0.41333333),
        ("brier", [0, 1, 2], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], 0.0),
        ("brier", [0, 1, 2], [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], 2.0),
        # sklearn/metrics/tests/test_ranking.py::test_multiclass_ovr_roc_auc_toydata: macro = mean of the
        # one-vs-rest AUCs (1, 1, 0.875), weighted = 0.25, 0.25, 0.5 of them
        ("roc_auc", [0, 1, 2, 2], TOY_SCORES, (1 + 1 + 0.875) / 3),
        ("roc_auc_ovr", [0, 1, 2, 2], TOY_SCORES, (1 + 1 + 0.875) / 3),
        ("roc_auc_ovr_weighted", [0, 1, 2, 2], TOY_SCORES, 0.25 + 0.25 + 0.5 * 0.875),
    ],
)
def test_probability_reference_cases(name: str, y: list, output: list, expected: float) -> None:
    assert value(name, y, y_score=np.array(output)) == pytest.approx(expected, abs=1e-7)


def test_log_loss_symbolic_binary_labels_need_pos_label() -> None:
    # sklearn/metrics/tests/test_classification.py::test_log_loss ("binary case with symbolic labels"):
    # sklearn takes "yes" as the second column; we ask for the positive class instead of guessing it
    y = ["no", "no", "no", "yes", "yes", "yes"]
    p_yes = np.array([0.5, 0.9, 0.99, 0.1, 0.25, 0.999])
    expected = -np.mean(np.log(np.where(np.array(y) == "yes", p_yes, 1 - p_yes)))
    with pytest.raises(GateError, match=r"labels are \['no', 'yes'\].*pos_label="):
        value("log_loss", y, y_score=p_yes)
    assert value("log_loss", y, y_score=p_yes, pos_label="yes") == pytest.approx(expected, rel=1e-7)


def test_neg_log_loss_keeps_the_scorer_sign() -> None:
    y, p = [1, 0, 2], np.array([[0.2, 0.7, 0.1], [0.6, 0.2, 0.2], [0.6, 0.1, 0.3]])
    with pytest.raises(GateFailure, match=r"(?s)neg_log_loss = -0.6905.*minus log_loss"):
        GATE.metrics(y_true=y, y_score=p, min={"neg_log_loss": -0.3}, decision="point")


BRIER_Y = np.array([0, 1, 1, 0, 1, 1])
BRIER_P = np.array([0.1, 0.8, 0.9, 0.3, 1.0, 0.95])
BRIER_TRUE = float(np.sum((BRIER_Y - BRIER_P) ** 2) / 6)  # the test's own linalg.norm(...) ** 2 / n
AP_Y = np.zeros(100, dtype=int)
AP_Y[::4] = 1


@pytest.mark.parametrize(
    ("test", "name", "y", "y_score", "pos_label", "expected"),
    [
        # sklearn/metrics/tests/test_classification.py::test_brier_score_loss_binary
        ("test_brier_score_loss_binary", "brier", BRIER_Y, BRIER_Y.astype(float), None, 0.0),
        ("test_brier_score_loss_binary", "brier", BRIER_Y, BRIER_P, None, BRIER_TRUE),
        # labels {1, 2}: scikit-learn's brier guesses the larger; our one rule asks for pos_label
        ("test_brier_score_loss_binary", "brier", 1.0 + BRIER_Y, BRIER_P, 2.0, BRIER_TRUE),
        ("test_brier_score_loss_binary", "brier", 2 * BRIER_Y - 1, BRIER_P, None, BRIER_TRUE),
        ("test_brier_score_loss_binary", "brier", BRIER_Y, np.column_stack((1 - BRIER_P, BRIER_P)), None,
         BRIER_TRUE),
        # sklearn/metrics/tests/test_classification.py::test_log_loss ("y_true is a string array object")
        ("test_log_loss", "log_loss", np.array(["ham", "spam", "spam", "ham"]),
         np.array([[0.3, 0.7], [0.6, 0.4], [0.4, 0.6], [0.7, 0.3]]), "spam", 0.7469410),
        # sklearn/metrics/tests/test_ranking.py::test_roc_curve_toydata
        ("test_roc_curve_toydata", "roc_auc", np.array([0, 1]), np.array([0.0, 1.0]), None, 1.0),
        ("test_roc_curve_toydata", "roc_auc", np.array([0, 1]), np.array([1.0, 0.0]), None, 0.0),
        ("test_roc_curve_toydata", "roc_auc", np.array([1, 0]), np.array([1.0, 1.0]), None, 0.5),
        ("test_roc_curve_toydata", "roc_auc", np.array([1, 0]), np.array([1.0, 0.0]), None, 1.0),
        ("test_roc_curve_toydata", "roc_auc", np.array([1, 0]), np.array([0.5, 0.5]), None, 0.5),
        # sklearn/metrics/tests/test_ranking.py::test_average_precision_constant_values
        ("test_average_precision_constant_values", "average_precision", AP_Y, np.ones(100), None, 0.25),
    ],
)
def test_binary_reference_cases(test: str, name: str, y: np.ndarray, y_score: np.ndarray, pos_label: object,
                                expected: float) -> None:
    assert value(name, y, y_score=y_score, pos_label=pos_label) == pytest.approx(expected, abs=1e-7)


def test_brier_with_labels_1_2_and_no_pos_label_is_refused() -> None:
    with pytest.raises(GateError, match=r"labels are \[1.0, 2.0\].*pos_label="):
        value("brier", 1.0 + BRIER_Y, y_score=BRIER_P)


REG_Y = np.arange(50)


@pytest.mark.parametrize(
    ("test", "name", "y", "y_pred", "expected", "tolerance"),
    [
        # sklearn/metrics/tests/test_regression.py::test_regression_metrics (n_samples=50)
        ("test_regression_metrics", "mse", REG_Y, REG_Y + 1, 1.0, 1e-7),
        ("test_regression_metrics", "mae", REG_Y, REG_Y + 1, 1.0, 1e-7),
        ("test_regression_metrics", "rmse", REG_Y, REG_Y + 1, 1.0, 1e-7),
        ("test_regression_metrics", "r2", REG_Y, REG_Y + 1, 0.995, 1e-2),  # assert_almost_equal(..., 2)
        ("test_regression_metrics", "neg_mean_squared_error", REG_Y, REG_Y + 1, -1.0, 1e-7),
        ("test_regression_metrics", "neg_mean_absolute_error", REG_Y, REG_Y + 1, -1.0, 1e-7),
        # sklearn/metrics/tests/test_regression.py::test_regression_metrics_at_limits
        ("test_regression_metrics_at_limits", "mse", [0.0], [0.0], 0.0, 1e-7),
        ("test_regression_metrics_at_limits", "rmse", [0.0], [0.0], 0.0, 1e-7),
        ("test_regression_metrics_at_limits", "mae", [0.0], [0.0], 0.0, 1e-7),
        ("test_regression_metrics_at_limits", "r2", [0.0, 1], [0.0, 1], 1.0, 1e-7),
        ("test_regression_metrics_at_limits", "r2", [0, 0], [1, -1], 0.0, 1e-7),
        ("test_regression_metrics_at_limits", "r2", [1, 1], [1, 1], 1.0, 1e-7),
    ],
)
def test_regression_reference_cases(test: str, name: str, y: object, y_pred: object, expected: float,
                                    tolerance: float) -> None:
    kind = "max" if name in ("mse", "mae", "rmse") else "min"
    limit = 1e9 if kind == "max" else -1e9
    [result] = GATE.metrics(y_true=y, y_pred=y_pred, decision="point", **{kind: {name: limit}})
    assert result.value == pytest.approx(expected, abs=tolerance)


CAL = "sklearn/tests/test_calibration.py"
CURVE_Y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1])  # test_calibration_curve_pos_label's y_true
CURVE_P = np.array([0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0])


def _str_labels(dtype: type) -> np.ndarray:
    return np.array(["spam", "egg"], dtype=dtype)[CURVE_Y]


@pytest.mark.parametrize(
    ("test", "y", "prob", "n_bins", "strategy", "pos_label", "prob_true", "prob_pred"),
    [
        (f"{CAL}::test_calibration_curve", [0, 0, 0, 1, 1, 1], [0.0, 0.1, 0.2, 0.8, 0.9, 1.0], 2, "uniform", None,
         [0, 1], [0.1, 0.9]),
        (f"{CAL}::test_calibration_curve (quantile)", [0, 0, 0, 0, 1, 1], [0.0, 0.1, 0.2, 0.5, 0.9, 1.0], 2,
         "quantile", None, [0, 2 / 3], [0.1, 0.8]),
        (f"{CAL}::test_calibration_curve_pos_label (default)", CURVE_Y, CURVE_P, 4, "uniform", None,
         [0, 0.5, 1, 1], None),
        (f"{CAL}::test_calibration_curve_pos_label (pos_label=0)", CURVE_Y, 1 - CURVE_P, 4, "uniform", 0,
         [0, 0, 0.5, 1], None),
        *[(f"{CAL}::test_calibration_curve_pos_label[{dtype.__name__}] (pos_label='egg')", _str_labels(dtype),
           CURVE_P, 4, "uniform", "egg", [0, 0.5, 1, 1], None) for dtype in (str, object)],
        *[(f"{CAL}::test_calibration_curve_pos_label[{dtype.__name__}] (pos_label='spam')", _str_labels(dtype),
           1 - CURVE_P, 4, "uniform", "spam", [0, 0, 0.5, 1], None) for dtype in (str, object)],
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("sklearn/") else "",
)
def test_calibration_curve_reference_case(test: str, y: object, prob: object, n_bins: int, strategy: str,
                                          pos_label: object, prob_true: list, prob_pred: list | None) -> None:
    """calibration_curve's (prob_true, prob_pred) are the reliability table's observed rates and mean predicted
    probabilities of the non-empty bins; assert_almost_equal / assert_allclose there, 1e-7 here."""
    [ece, _] = _calibration(y, prob, n_bins, strategy, pos_label)
    table = ece.details["reliability"]
    assert [row["observed_rate"] for row in table] == pytest.approx(prob_true, abs=1e-7)
    if prob_pred is not None:
        assert [row["mean_predicted"] for row in table] == pytest.approx(prob_pred, abs=1e-7)


def _calibration(y: object, prob: object, n_bins: int, strategy: str, pos_label: object) -> list:
    return GATE.calibration(y_true=y, y_score=np.asarray(prob, dtype=float), n_bins=n_bins, strategy=strategy,
                            pos_label=pos_label, max_ece=1.0, max_brier=1.0)


@pytest.mark.parametrize("dtype", [str, object])
def test_calibration_curve_string_labels_without_pos_label_are_refused(dtype: type) -> None:
    # sklearn/tests/test_calibration.py::test_calibration_curve_pos_label_error_str: labels {'eggs', 'spam'} and
    # no pos_label is an error naming the keyword, in scikit-learn as here
    y = np.array(["spam"] * 3 + ["eggs"] * 2, dtype=dtype)
    with pytest.raises(GateError, match=r"pos_label="):
        _calibration(y, [0.0, 1.0, 1.0, 0.0, 1.0], 5, "uniform", None)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "expected"),
    [  # sklearn/metrics/tests/test_classification.py::test_balanced_accuracy_score: the macro recall over
        # the classes of y_true (worked out by hand from each parametrized case)
        (["a", "b", "a", "b"], ["a", "a", "a", "b"], (1 + 1 / 2) / 2),
        (["a", "b", "c", "b"], ["a", "a", "a", "b"], (1 + 1 / 2 + 0) / 3),
        (["a", "a", "a", "b"], ["a", "b", "c", "b"], (1 / 3 + 1) / 2),
    ],
)
def test_balanced_accuracy_reference_case(y_true: list, y_pred: list, expected: float) -> None:
    assert value("balanced_accuracy", y_true, y_pred=y_pred) == pytest.approx(expected, rel=1e-6)
