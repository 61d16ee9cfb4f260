"""Each silent trap that issue 12 lists, run through pytest as a user would: the right number or a clear error."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SETUP = """
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

X, y01 = make_classification(n_samples=600, n_features=5, flip_y=0.25, random_state=0)
model = LogisticRegression().fit(X[:300], y01[:300])
Xt, yt = X[300:], y01[300:]
proba = model.predict_proba(Xt)[:, 1]
"""


def run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nmlgate_n_resamples = 100\n")
    pytester.makepyfile(test_trap=SETUP + body)
    return pytester.runpytest("-q", "-p", "no:cacheprovider")


def test_labels_1_2_need_pos_label(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_recall(model_gate):
    y12, pred12 = yt + 1, model.predict(Xt) + 1
    model_gate.metrics(y=y12, y_pred=pred12, min={"recall": 0.1})

def test_recall_with_pos_label(model_gate):
    from sklearn.metrics import recall_score
    y12, pred12 = yt + 1, model.predict(Xt) + 1
    [r] = model_gate.metrics(y=y12, y_pred=pred12, min={"recall": 0.1}, pos_label=1)
    assert r.value == pytest.approx(recall_score(y12, pred12, pos_label=1))
    assert r.details["positive_class"] == 1
""")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*labels are [[]1, 2[]]*ambiguous*pos_label=*"])


def test_string_labels_need_pos_label(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_auc(model_gate):
    names = np.where(yt == 1, "good", "bad")
    model_gate.metrics(y=names, y_score=proba, min={"roc_auc": 0.5})

def test_auc_good(model_gate):
    names = np.where(yt == 1, "good", "bad")
    [r] = model_gate.metrics(y=names, y_score=proba, min={"roc_auc": 0.5}, pos_label="good")
    assert r.value == pytest.approx(roc_auc_score(yt, proba), abs=1e-12)
""")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*labels are [[]'bad', 'good'[]]*pos_label=*"])


def test_neg_log_loss_keeps_its_sign(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_neg_log_loss(model_gate):
    assert log_loss(yt, proba) > 0.3
    model_gate.metrics(model, Xt, yt, min={"neg_log_loss": -0.3}, decision="point")
""")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*neg_log_loss = -0.*required >= -0.3*", "*minus log_loss*"])


def test_sklearn_roc_auc_score_uses_scores_not_labels(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_callable(model_gate):
    [r] = model_gate.metrics(model, Xt, yt, min={roc_auc_score: 0.5})
    assert r.value == pytest.approx(roc_auc_score(yt, proba), abs=1e-12)
    assert r.value != pytest.approx(roc_auc_score(yt, model.predict(Xt)), abs=1e-3)

def test_unknown_callable(model_gate):
    def my_score(y_true, y_pred):
        return 1.0
    model_gate.metrics(model, Xt, yt, min={my_score: 0.5})
""")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*my_score* does not say what it needs*needs=*"])


def test_y_true_and_sample_weight_on_metrics(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_weighted(model_gate):
    from sklearn.metrics import f1_score
    w = np.linspace(0.5, 2.0, yt.size)
    [r] = model_gate.metrics(model, Xt, y_true=yt, sample_weight=w, min={"f1": 0.1})
    assert r.value == pytest.approx(f1_score(yt, model.predict(Xt), sample_weight=w), abs=1e-12)
    assert r.details["weighted"] is True
""")
    result.assert_outcomes(passed=1)


def test_multiclass_brier_is_gated(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_brier(model_gate):
    from sklearn.metrics import brier_score_loss
    X3, y3 = make_classification(n_samples=400, n_features=6, n_informative=4, n_classes=3, random_state=1)
    m3 = LogisticRegression(max_iter=500).fit(X3, y3)
    [r] = model_gate.metrics(m3, X3, y3, max={"brier": 2.0})
    assert r.value == pytest.approx(brier_score_loss(y3, m3.predict_proba(X3)), abs=1e-12)
""")
    result.assert_outcomes(passed=1)


def test_disparity_interval_stays_inside_its_range(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_interval(fairness_gate):
    rng = np.random.default_rng(3)
    group = np.repeat(["a", "b", "c"], 12)
    y = rng.integers(0, 2, group.size)
    pred = np.where(group == "a", 1, np.where(group == "b", 0, rng.integers(0, 2, group.size)))
    pred[0], pred[12] = 0, 1  # a: 11 of 12 selected, b: 1 of 12; the max-t upper bound alone passes 1
    for method in ("between_groups", "to_overall"):
        [r] = fairness_gate.check(y_true=y, y_pred=pred, sensitive_features=group, min_group_size=1,
                                  max_difference={"demographic_parity": 1.0}, method=method)
        assert 0.0 <= r.interval[0] <= r.value <= r.interval[1] <= 1.0, r.interval
        [q] = fairness_gate.check(y_true=y, y_pred=pred, sensitive_features=group, min_group_size=1,
                                  min_ratio={"demographic_parity": 0.0}, method=method)
        assert 0.0 <= q.interval[0] <= q.interval[1] <= 1.0, q.interval
""")
    result.assert_outcomes(passed=1)


def test_numpy_scalars_are_numbers_and_bools_are_not(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
import pandas as pd

def test_numpy_limits(model_gate, baseline_gate, data_gate):
    frame = pd.DataFrame({"a": [1.0, 2.0, None, 4.0]})
    limit = frame["a"].isna().mean()  # a numpy float64, as pandas reductions return
    data_gate.missing(frame, max_fraction=np.float32(limit + 0.01))
    model_gate.metrics(model, Xt, yt, min={"accuracy": np.float32(0.5), "roc_auc": np.int64(0)})
    baseline_gate.compare_models(model, model, Xt, yt, metric="roc_auc", margin=np.float64(0.01))

def test_bool_limit(model_gate):
    model_gate.metrics(model, Xt, yt, min={"accuracy": True})
""")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*min for 'accuracy' must be a finite number, got True*"])
