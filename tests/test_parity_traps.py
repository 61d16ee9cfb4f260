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


NAMED = """
names = np.where(yt == 1, "good", "bad")
named_model = LogisticRegression().fit(X[:300], np.where(y01[:300] == 1, "good", "bad"))  # classes_ bad, good
named_pred, named_proba = named_model.predict(Xt), named_model.predict_proba(Xt)
region = np.where(Xt[:, 0] > 0, "north", "south")
"""


def test_other_binary_labels_need_pos_label_in_every_gate(pytester: pytest.Pytester) -> None:
    result = run(pytester, NAMED + """
CALLS = {
    "metrics": lambda g: g["model"].metrics(named_model, Xt, names, min={"recall": 0.1}),
    "slices": lambda g: g["model"].slices(named_model, Xt, names, by=region, metric="recall", min=0.1),
    "calibration": lambda g: g["model"].calibration(named_model, Xt, names, max_ece=1.0),
    "compare": lambda g: g["baseline"].compare(named_model, Xt, names, metrics=["roc_auc"]),
    "compare_models": lambda g: g["baseline"].compare_models(named_model, named_model, Xt, names, metric="f1"),
    "fairness": lambda g: g["fairness"].check(named_model, Xt, names, sensitive_features=region,
                                              max_difference={"equal_opportunity": 1.0}),
}

@pytest.mark.parametrize("check", list(CALLS))
def test_ambiguous(check, model_gate, baseline_gate, fairness_gate):
    CALLS[check]({"model": model_gate, "baseline": baseline_gate, "fairness": fairness_gate})
""")
    result.assert_outcomes(failed=6)
    for check in ("metrics", "slices", "calibration", "compare", "compare_models", "fairness"):
        assert any(line.startswith(f"FAILED test_trap.py::test_ambiguous[{check}] - ")
                   and "GateError: the labels are ['bad', 'good']: which one is the positive" in line
                   for line in result.stdout.lines), check
    result.stdout.fnmatch_lines(["*Pass pos_label= (e.g. pos_label='good')*"])


def test_pos_label_gives_scikit_learns_numbers_in_every_gate(pytester: pytest.Pytester) -> None:
    """pos_label="bad" is the model's classes_[0]: its probability is the first column, which each gate must take."""
    result = run(pytester, NAMED + """
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, f1_score, recall_score

p_bad = named_proba[:, 0]

def test_metrics(model_gate):
    auc, recall = model_gate.metrics(named_model, Xt, names, min={"roc_auc": 0.5, "recall": 0.1}, pos_label="bad")
    assert auc.value == pytest.approx(roc_auc_score(names == "bad", p_bad), abs=1e-12)
    assert recall.value == pytest.approx(recall_score(names, named_pred, pos_label="bad"), abs=1e-12)
    assert auc.details["positive_class"] == "bad" and "Computed with positive class 'bad'" in auc.message

def test_slices(model_gate):
    results = model_gate.slices(named_model, Xt, names, by=region, metric="recall", min=0.1, pos_label="bad")
    for r in results:
        rows = region == r.details["slice"].split("=")[1].strip("'")
        assert r.value == pytest.approx(recall_score(names[rows], named_pred[rows], pos_label="bad"), abs=1e-12)
        assert r.details["positive_class"] == "bad" and "positive class 'bad'" in r.message

def test_calibration(model_gate):
    ece, brier = model_gate.calibration(named_model, Xt, names, max_ece=1.0, pos_label="bad")
    assert brier.value == pytest.approx(brier_score_loss(names, p_bad, pos_label="bad"), abs=1e-12)
    observed, predicted = calibration_curve(names, p_bad, pos_label="bad", n_bins=10)
    table = ece.details["reliability"]
    assert [r["observed_rate"] for r in table] == pytest.approx(observed, abs=1e-12)
    assert [r["mean_predicted"] for r in table] == pytest.approx(predicted, abs=1e-12)
    assert ece.details["positive_class"] == "bad" and "positive class 'bad'" in ece.message

def test_compare_models(baseline_gate):
    [r] = baseline_gate.compare_models(named_model, named_model, Xt, names, metric="roc_auc", pos_label="bad")
    assert r.details["champion"]["value"] == pytest.approx(roc_auc_score(names == "bad", p_bad), abs=1e-12)
    [f] = baseline_gate.compare_models(named_model, named_model, Xt, names, metric="f1", pos_label="bad")
    assert f.details["challenger"]["value"] == pytest.approx(f1_score(names, named_pred, pos_label="bad"))
    assert f.details["positive_class"] == "bad" and "positive class 'bad'" in f.message

def test_fairness(fairness_gate):
    [r] = fairness_gate.check(named_model, Xt, names, sensitive_features=region, pos_label="bad",
                              max_difference={"equal_opportunity": 1.0})
    rates = [recall_score(names[region == g], named_pred[region == g], pos_label="bad") for g in ("north", "south")]
    assert r.value == pytest.approx(abs(rates[0] - rates[1]), abs=1e-12)
    assert r.details["positive_class"] == "bad" and "positive class 'bad'" in r.message

def test_two_score_columns_without_a_model(model_gate):
    # two columns passed as y_score belong to the sorted labels: pos_label="bad" takes the first
    [r] = model_gate.metrics(y_true=names, y_score=named_proba, min={"roc_auc": 0.5}, pos_label="bad")
    assert r.value == pytest.approx(roc_auc_score(names == "bad", p_bad), abs=1e-12)
""")
    result.assert_outcomes(passed=6)


def test_compare_writes_and_reads_with_pos_label_and_weights(pytester: pytest.Pytester) -> None:
    body = NAMED + """
from sklearn.metrics import f1_score
w = np.linspace(0.2, 3.0, yt.size)

def test_compare(baseline_gate):
    r, s = baseline_gate.compare(named_model, Xt, y_true=names, metrics=["roc_auc", "f1"], pos_label="bad",
                                 sample_weight=w, store_predictions=True)
    if "baseline_written" in r.details:
        assert r.value == pytest.approx(roc_auc_score(names == "bad", named_proba[:, 0], sample_weight=w))
        assert s.value == pytest.approx(f1_score(names, named_pred, pos_label="bad", sample_weight=w))
    else:
        assert r.details["paired"] and r.value == 0.0 and r.details["positive_class"] == "bad"
        assert r.details["weighted"] and "positive class 'bad'; weighted by sample_weight" in r.message
"""
    pytester.makeini("[pytest]\nmlgate_n_resamples = 100\n")
    pytester.makepyfile(test_trap=SETUP + body)
    pytester.runpytest("-q", "-p", "no:cacheprovider", "--mlgate-update-baselines").assert_outcomes(passed=1)
    pytester.runpytest("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_sample_weight_gives_scikit_learns_weighted_values(pytester: pytest.Pytester) -> None:
    result = run(pytester, NAMED + """
from sklearn.metrics import accuracy_score, brier_score_loss, recall_score
w = np.random.default_rng(0).integers(0, 4, yt.size).astype(float)
pred = model.predict(Xt)

def test_slices(model_gate):
    results = model_gate.slices(model, Xt, y_true=yt, by=region, metric="recall", min=0.1, sample_weight=w)
    for r in results:
        rows = region == r.details["slice"].split("=")[1].strip("'")
        assert r.value == pytest.approx(recall_score(yt[rows], pred[rows], sample_weight=w[rows]), abs=1e-12)
        assert r.details["weighted"] is True and "weighted by sample_weight" in r.message

def test_calibration(model_gate):
    ece, brier = model_gate.calibration(model, Xt, y_true=yt, max_ece=1.0, sample_weight=w)
    assert brier.value == pytest.approx(brier_score_loss(yt, proba, sample_weight=w), abs=1e-12)
    # integer weights are repeated rows: the weighted ECE is the ECE of the rows repeated
    rows = np.repeat(np.arange(yt.size), w.astype(int))
    [plain, _] = model_gate.calibration(y_true=yt[rows], y_score=proba[rows], max_ece=1.0)
    assert ece.value == pytest.approx(plain.value, abs=1e-12)

def test_compare_models(baseline_gate):
    other = LogisticRegression(C=0.01).fit(X[:300, :2], y01[:300])
    p2 = other.predict(Xt[:, :2])
    [r] = baseline_gate.compare_models(y_true=yt, y_pred=(pred, p2), metric="accuracy", sample_weight=w,
                                       margin=1.0)
    expected = accuracy_score(yt, p2, sample_weight=w) - accuracy_score(yt, pred, sample_weight=w)
    assert r.value == pytest.approx(expected, abs=1e-12)
    assert r.details["test"] == "paired_bootstrap" and r.details["weighted"] is True
""")
    result.assert_outcomes(passed=3)


def test_compare_models_takes_precomputed_predictions(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_pairs(baseline_gate):
    other = LogisticRegression(C=0.001).fit(X[:300, :1], y01[:300])
    p_other = other.predict_proba(Xt[:, :1])[:, 1]
    [r] = baseline_gate.compare_models(y_true=yt, y_score=(proba, p_other), metric="roc_auc", margin=1.0)
    assert r.value == pytest.approx(roc_auc_score(yt, p_other) - roc_auc_score(yt, proba), abs=1e-12)
    # one side a model, the other its predictions: the same numbers
    [s] = baseline_gate.compare_models(model, None, Xt, yt, y_score=(None, p_other), metric="roc_auc", margin=1.0)
    assert s.value == r.value and s.interval == r.interval

def test_not_a_pair(baseline_gate):
    baseline_gate.compare_models(y=yt, y_pred=model.predict(Xt), metric="accuracy")

def test_a_side_missing(baseline_gate):
    baseline_gate.compare_models(y=yt, y_pred=(model.predict(Xt), None), metric="accuracy")
""")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*y_pred must be a pair of predictions (champion's, challenger's)*"])
    result.stdout.fnmatch_lines(["*pass the challenger model (with X) or its predictions*"])


def test_lifecycle_checks_take_the_same_names(pytester: pytest.Pytester) -> None:
    """beats, select, importance and estimated_performance: y_true=, pos_label= (a model whose positive class is
    its classes_[0] gets its first column), sample_weight= where rows are averaged."""
    result = run(pytester, NAMED + """
from sklearn.metrics import accuracy_score

p_bad = named_proba[:, 0]
auc_bad = roc_auc_score(names == "bad", p_bad)

def test_beats(model_gate):
    [r] = model_gate.beats(named_model, lambda X: np.full(len(X), 0.5), Xt, y_true=names, metric="roc_auc",
                           pos_label="bad")
    assert r.details["model_value"] == pytest.approx(auc_bad, abs=1e-12) and r.details["positive_class"] == "bad"
    w = np.linspace(0.1, 2.0, yt.size)
    [a] = model_gate.beats(named_model, lambda X: np.full(len(X), "bad"), Xt, y_true=names, metric="accuracy",
                           sample_weight=w)
    assert a.details["model_value"] == pytest.approx(accuracy_score(names, named_pred, sample_weight=w))

def test_beats_needs_pos_label(model_gate):
    model_gate.beats(named_model, lambda X: np.full(len(X), 0.5), Xt, names, metric="roc_auc")

def test_select(baseline_gate):
    w = np.linspace(0.1, 2.0, yt.size)
    [r] = baseline_gate.select({"a": named_model, "b": p_bad * 0.5}, Xt, y_true=names, metric="roc_auc",
                               champion="a", pos_label="bad", sample_weight=w)
    board = {row["candidate"]: row for row in r.details["leaderboard"]}
    assert board["a"]["value"] == pytest.approx(roc_auc_score(names == "bad", p_bad, sample_weight=w))
    assert board["b"]["value"] == pytest.approx(board["a"]["value"])  # the same ranking, halved

def test_importance(model_gate):
    results = model_gate.importance(named_model, Xt, y_true=names, metric="roc_auc", pos_label="bad", n_repeats=2)
    assert results[0].details["baseline_score"] == pytest.approx(auc_bad, abs=1e-12)

def test_estimated_performance(model_gate):
    [r] = model_gate.estimated_performance(named_model, Xt, reference=(Xt, names), metric="roc_auc",
                                           pos_label="bad")
    assert r.details["positive_class"] == "bad"
    assert r.details["reference_realised"] == pytest.approx(auc_bad, abs=1e-12)
""")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*test_beats_needs_pos_label*labels are [[]'bad', 'good'[]]*"])


def test_numpy_scalars_work_in_every_gate_and_bools_are_refused(pytester: pytest.Pytester) -> None:
    result = run(pytester, NAMED + """
f32, i64 = np.float32, np.int64  # limits below are whole numbers, so every kind passes

CALLS = {
    "slices": lambda g, v: g["model"].slices(model, Xt, yt, by=region, metric="accuracy", min=v(0)
                                             if v is not bool else True, min_size=i64(10)),
    "calibration": lambda g, v: g["model"].calibration(model, Xt, yt, max_ece=v(1) if v is not bool else True,
                                                       n_bins=i64(5), max_brier=f32(0.9)),
    "compare_models": lambda g, v: g["baseline"].compare_models(model, model, Xt, yt, metric="accuracy",
                                                                margin=v(1) if v is not bool else True),
    "fairness": lambda g, v: g["fairness"].check(model, Xt, yt, sensitive_features=region, min_group_size=i64(10),
                                                 max_difference={"demographic_parity": v(1) if v is not bool
                                                                 else True}),
    "beats": lambda g, v: g["model"].beats(model, "prior", Xt, yt, metric="roc_auc", fit_data=(X[:300], y01[:300]),
                                           margin=v(0) if v is not bool else True),
    "select": lambda g, v: g["baseline"].select({"a": model, "b": proba}, Xt, yt, metric="roc_auc", champion="a",
                                                margin=v(1) if v is not bool else True),
    "importance": lambda g, v: g["model"].importance(model, Xt, yt, metric="roc_auc", n_repeats=i64(2),
                                                     max={0: v(1) if v is not bool else True}),
    "drift": lambda g, v: g["data"].drift(Xt[:150], Xt[150:], min_wasserstein=v(0) if v is not bool else True),
    "expect": lambda g, v: g["model"].expect("x", f32(0.5), min=v(0) if v is not bool else True, n=i64(10)),
}

@pytest.mark.parametrize("kind", [np.float32, np.float64, np.int64, bool], ids=["f32", "f64", "i64", "bool"])
@pytest.mark.parametrize("check", list(CALLS))
def test_number(check, kind, model_gate, baseline_gate, fairness_gate, data_gate):
    gates = {"model": model_gate, "baseline": baseline_gate, "fairness": fairness_gate, "data": data_gate}
    CALLS[check](gates, kind)
""")
    outcomes = result.parseoutcomes()
    failed = sorted(line.split("::")[1].split(" ")[0] for line in result.stdout.lines if line.startswith("FAILED"))
    assert failed == sorted(f"test_number[{check}-bool]" for check in (
        "beats", "calibration", "compare_models", "drift", "expect", "fairness", "importance", "select", "slices"))
    assert outcomes["passed"] == 27
    for line in result.stdout.lines:
        if line.startswith("FAILED"):
            assert "GateError" in line and "True" in line, line


def test_more_sklearn_functions_are_recognised(pytester: pytest.Pytester) -> None:
    result = run(pytester, NAMED + """
from sklearn.metrics import jaccard_score, matthews_corrcoef, max_error

def test_symmetric(model_gate):
    [r] = model_gate.metrics(named_model, Xt, names, min={matthews_corrcoef: 0.0})  # no positive class needed
    assert r.value == pytest.approx(matthews_corrcoef(names, named_pred), abs=1e-12)
    assert r.subject == "matthews_corrcoef"

def test_jaccard(model_gate):
    [r] = model_gate.metrics(named_model, Xt, names, min={jaccard_score: 0.0}, pos_label="bad")
    assert r.value == pytest.approx(jaccard_score(names, named_pred, pos_label="bad"), abs=1e-12)

def test_max_error_sign(model_gate):
    [r] = model_gate.metrics(y=proba * 10, y_pred=proba * 9, max={"neg_max_error": 0.0}, decision="point")
    assert r.value == pytest.approx(-max_error(proba * 10, proba * 9), abs=1e-12) and r.value < 0

def test_jaccard_needs_pos_label(model_gate):
    model_gate.metrics(named_model, Xt, names, min={jaccard_score: 0.0})

def test_data_gates_take_y_true(data_gate):
    [b] = data_gate.label_balance(y_true=names, min_fraction=0.1)
    assert b.details["counts"] == {"bad": int((names == "bad").sum()), "good": int((names == "good").sum())}
    [c] = data_gate.conflicting_labels(Xt, y_true=names)
    assert c.value == 0.0
""")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*test_jaccard_needs_pos_label*labels are [[]'bad', 'good'[]]*"])


def test_multiclass_slices_stay_multiclass(pytester: pytest.Pytester) -> None:
    """A slice holding two of three classes: f1 is the slice's macro average (scikit-learn's f1_score with
    average="macro" on those rows), not the binary f1 of whichever class sorts last there."""
    result = run(pytester, """
from sklearn.metrics import f1_score

def test_slices(model_gate):
    rng = np.random.default_rng(4)
    y3 = np.r_[rng.integers(0, 2, 150), rng.integers(0, 3, 150)]  # slice "a" has classes 0 and 1 only
    pred3 = np.where(rng.random(300) < 0.7, y3, rng.integers(0, 3, 300))
    pred3[:150] = np.where(pred3[:150] == 2, 0, pred3[:150])
    part = np.repeat(["a", "b"], 150)
    results = model_gate.slices(y=y3, y_pred=pred3, by=part, metric="f1", min=0.0)
    for r, rows in zip(results, (slice(0, 150), slice(150, 300))):
        assert r.value == pytest.approx(f1_score(y3[rows], pred3[rows], average="macro"), abs=1e-12)
        assert r.value != pytest.approx(f1_score(y3[rows], pred3[rows], average=None)[-1], abs=1e-6)
""")
    result.assert_outcomes(passed=1)


def test_beats_takes_precomputed_predictions(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_pairs(model_gate):
    flat = np.full(yt.size, 0.5)
    [r] = model_gate.beats(y_true=yt, y_score=(proba, flat), metric="roc_auc", margin=0.1)
    assert r.value == pytest.approx(roc_auc_score(yt, proba) - 0.5, abs=1e-12)
    [s] = model_gate.beats(model, None, Xt, yt, y_score=(None, flat), metric="roc_auc", margin=0.1)
    assert s.value == r.value and s.interval == r.interval

def test_a_side_missing(model_gate):
    model_gate.beats(y_true=yt, y_score=(proba, None), metric="roc_auc")
""")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*pass the fallback (with X) or its predictions*"])
