"""The lifecycle checks: beats a fallback, select among variants, permutation importance, label-free estimates."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError, GateFailure
from pytest_mlgate.stats import labelfree

DOC = Path(__file__).parent.parent / "docs" / "lifecycle.md"

DATA = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd
    import pytest
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(1500, 4)), columns=["income", "age", "debt", "sex"])
    y = (X["income"] - X["debt"] + 0.8 * X["sex"] + rng.normal(size=1500) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    """
)


@pytest.fixture
def data() -> tuple[pd.DataFrame, pd.Series, LogisticRegression]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(1500, 4)), columns=["income", "age", "debt", "sex"])
    y = (X["income"] - X["debt"] + 0.8 * X["sex"] + rng.normal(size=1500) > 0).astype(int)
    return X, y, LogisticRegression().fit(X, y)


def run(pytester: pytest.Pytester, body: str, *args: str) -> tuple[pytest.RunResult, dict]:
    pytester.makepyfile(test_life=DATA + textwrap.dedent(body))
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200", "--mlgate-report=r.json",
                                *args)
    return result, json.loads((pytester.path / "r.json").read_text())


# --- beats ---------------------------------------------------------------------------------------------------------


def test_beats_passes_for_a_real_model_and_fails_for_a_useless_one(pytester: pytest.Pytester) -> None:
    result, report = run(pytester, """
        def test_real(model_gate):
            model_gate.beats(model, "prior", X, y, metric="roc_auc", margin=0.1, fit_data=(X, y))

        def test_useless(model_gate):
            useless = LogisticRegression().fit(X, np.random.default_rng(1).permutation(y))
            rule = lambda rows: (rows["income"] > rows["debt"]).astype(int)
            model_gate.beats(useless, rule, X, y, metric="accuracy", margin=0.05)
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*beats accuracy vs <lambda>*required >= 0.05*",
                                 "*What to do: the model is not better than the fallback*"])
    rows = {r["node_id"].split("::")[1]: r for r in report["results"]}
    assert rows["test_real"]["status"] == "pass" and rows["test_real"]["value"] > 0.3
    assert rows["test_real"]["details"]["fallback_value"] == pytest.approx(0.5)


def test_beats_with_an_estimator_fallback_refitted_and_a_loss(data: tuple) -> None:
    X, y, model = data
    gate = ModelGate()
    weak = LogisticRegression(C=1e-6)
    result = gate.beats(model, weak, X, y, metric="log_loss", fit_data=(X, y))[0]
    assert result.status == "pass" and result.value > 0  # a lower loss is an improvement
    assert result.details["fallback"] == "LogisticRegression"
    assert not hasattr(weak, "coef_")  # the user's estimator is cloned, never fitted in place


@pytest.mark.parametrize(("fallback", "kwargs", "message"), [
    ("prior", {}, "must be fitted first: pass fit_data=(X_train, y_train)"),
    ("priors", {"fit_data": None}, "Did you mean 'prior'?"),
    (LogisticRegression(), {}, "is not fitted"),
    (42, {}, "fallback must be a dummy strategy name"),
])
def test_beats_bad_fallbacks_are_gate_errors(data: tuple, fallback: object, kwargs: dict, message: str) -> None:
    X, y, model = data
    with pytest.raises(GateError, match=re.escape(message)):
        ModelGate().beats(model, fallback, X, y, metric="roc_auc", **kwargs)


# --- select --------------------------------------------------------------------------------------------------------


def test_select_names_the_better_challenger_and_writes_the_leaderboard(pytester: pytest.Pytester) -> None:
    result, report = run(pytester, """
        def test_choice(baseline_gate):
            blind = LogisticRegression().fit(X[["age"]], y)
            candidates = {"full": model, "blind": blind.predict_proba(X[["age"]])[:, 1],
                          "no_sex": LogisticRegression().fit(X[["income", "debt"]], y).predict_proba(
                              X[["income", "debt"]])[:, 1]}
            baseline_gate.select(candidates, X, y, metric="roc_auc", champion="no_sex")
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*'full' beat(s) the champion*worse with evidence: 'blind'*",
                                 "*promote 'full' (champion='full')*"])
    (row,) = report["results"]
    board = {entry["candidate"]: entry for entry in row["details"]["leaderboard"]}
    assert [e["candidate"] for e in row["details"]["leaderboard"]] == ["full", "no_sex", "blind"]
    assert board["full"]["verdict"] == "better" and board["blind"]["verdict"] == "worse"
    assert board["no_sex"]["verdict"] == "champion"
    assert board["full"]["difference_interval"][0] > 0
    assert row["details"]["confidence"] == pytest.approx(0.99)  # 1 - 2 * 0.01 / 2 challengers


def test_select_with_equal_variants_passes(data: tuple) -> None:
    X, y, model = data
    twin = LogisticRegression(C=0.99).fit(X, y)
    (result,) = BaselineGate().select({"a": model, "b": twin}, X, y, metric="accuracy", champion="a")
    assert result.status == "pass"
    assert result.details["better"] == [] and result.details["worse"] == []


@pytest.mark.parametrize(("candidates", "champion", "message"), [
    ({"only": None}, "only", "at least one challenger; got 1 entry"),
    ({"a": None, "b": None}, "c", "champion 'c' is not one of the candidates"),
])
def test_select_bad_input(data: tuple, candidates: dict, champion: str, message: str) -> None:
    X, y, model = data
    candidates = {k: model for k in candidates}
    with pytest.raises(GateError, match=re.escape(message)):
        BaselineGate().select(candidates, X, y, metric="roc_auc", champion=champion)


# --- importance ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("metric", "scoring"), [("roc_auc", "roc_auc"), ("accuracy", "accuracy"),
                                                 ("log_loss", "neg_log_loss")])
def test_importance_equals_scikit_learn_for_the_same_permutations(data: tuple, metric: str, scoring: str) -> None:
    X, y, model = data
    results = ModelGate().importance(model, X, y, metric=metric, n_repeats=4, random_state=7)
    ours = np.array([r.details["repeats"] for r in results])
    theirs = permutation_importance(model, X, y, scoring=scoring, n_repeats=4, random_state=7).importances
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert all(lo <= r.value <= hi for r in results for lo, hi in [r.interval])


@pytest.mark.parametrize(("metric", "scoring"), [("roc_auc", "roc_auc"), ("accuracy", "accuracy"),
                                                 ("log_loss", "neg_log_loss"), ("f1", "f1")])
def test_weighted_importance_equals_scikit_learns_sample_weight(data: tuple, metric: str, scoring: str) -> None:
    """The interval per method: the weighted mean over rows (accuracy, log loss), the weighted bootstrap (ROC AUC,
    f1); the numbers scikit-learn's for the same permutations and weights."""
    X, y, model = data
    weights = np.random.default_rng(5).integers(0, 4, len(y)).astype(float)
    results = ModelGate(settings=GateSettings(n_resamples=200)).importance(
        model, X, y, metric=metric, n_repeats=3, random_state=2, sample_weight=weights)
    ours = np.array([r.details["repeats"] for r in results])
    theirs = permutation_importance(model, X, y, scoring=scoring, n_repeats=3, random_state=2,
                                    sample_weight=weights).importances
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    unweighted = permutation_importance(model, X, y, scoring=scoring, n_repeats=3, random_state=2).importances
    assert not np.allclose(ours, unweighted)  # the weights did count
    assert all(lo <= r.value <= hi and r.details["weighted"] for r in results for lo, hi in [r.interval])
    assert {r.details["interval_method"] for r in results} == {
        "accuracy": {"rows"}, "log_loss": {"rows"}}.get(metric, {"bootstrap"})
    assert "weighted by sample_weight" in results[0].message
    with pytest.raises(GateError, match="sample_weight must be finite, >= 0"):
        ModelGate().importance(model, X, y, metric=metric, sample_weight=-weights)


def test_weighted_mean_importance_interval_is_the_weighted_bootstraps() -> None:
    """Rows are the sampling unit, their weights ride along (as in every weighted interval of the project): the
    ratio estimator's standard error of a weighted mean matches the bootstrap over rows of the same weighted
    mean, not the narrower one of rows repeated by their weights."""
    from pytest_mlgate.stats.importance import permutation_importance as ours
    from pytest_mlgate.stats.metrics import get_metric

    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 400)
    base = np.where(rng.random(400) < 0.8, y, 1 - y)
    permuted = [np.where(rng.random(400) < 0.6, y, 1 - y) for _ in range(3)]
    w = rng.integers(1, 6, 400).astype(float)
    weighted = ours(get_metric("accuracy"), y, base, lambda j: permuted, features=["a"],
                    point=lambda out: float(np.average(out == y, weights=w)), n_resamples=10, confidence=0.95,
                    seed=0, sample_weight=w)
    d = (base == y) - np.mean([p == y for p in permuted], axis=0)
    draws = rng.integers(0, 400, (4000, 400))
    boot = (w[draws] * d[draws]).sum(axis=1) / w[draws].sum(axis=1)
    lo, hi = weighted.intervals[0]
    assert weighted.means[0] == pytest.approx(np.average(d, weights=w), abs=1e-12)
    assert (hi - lo) / (2 * 1.959964) == pytest.approx(boot.std(), rel=0.08)


def test_importance_on_arrays_and_a_row_budget_draws_scikit_learns_rows(data: tuple) -> None:
    X, y, model = data
    arrays = X.to_numpy()
    model = LogisticRegression().fit(arrays, y)
    results = ModelGate().importance(model, arrays, y, metric="roc_auc", n_repeats=3, random_state=1, max_rows=600)
    ours = np.array([r.details["repeats"] for r in results])
    theirs = permutation_importance(model, arrays, y, scoring="roc_auc", n_repeats=3, random_state=1,
                                    max_samples=600).importances
    full = roc_auc_score(y, model.predict_proba(arrays)[:, 1])
    # scikit-learn scores the unpermuted model on all rows; we score it on the same subsample (documented)
    np.testing.assert_allclose(ours, theirs - full + results[0].details["baseline_score"], atol=1e-12)
    assert results[0].n == 600


def test_importance_governance_limit_fails_with_evidence(pytester: pytest.Pytester) -> None:
    result, report = run(pytester, """
        def test_governance(model_gate):
            model_gate.importance(model, X, y, metric="roc_auc", max={"sex": 0.005, "age": 0.005},
                                  min={"income": 0.05})
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*importance sex = * required <= 0.005: above the maximum*",
                                 "*budget: 5 repeat(s) on 1500 rows buys a median interval width of*"])
    status = {r["subject"]: r["status"] for r in report["results"]}
    assert status == {"sex": "fail", "age": "pass", "income": "pass"}


def test_importance_unknown_feature_suggests_the_right_one(data: tuple) -> None:
    X, y, model = data
    with pytest.raises(GateError, match=r"feature 'incme', which X does not have. Did you mean 'income'\?"):
        ModelGate().importance(model, X, y, metric="roc_auc", max={"incme": 0.1})


# --- performance without labels ------------------------------------------------------------------------------------


def test_calibration_equals_scikit_learns_isotonic_regression() -> None:
    rng = np.random.default_rng(3)
    scores = np.round(rng.random(2000), 3)
    labels = (rng.random(2000) < scores).astype(int)
    weights = rng.integers(0, 3, 2000)
    grid = np.r_[rng.random(300), -1.0, 2.0]
    for w in (None, weights):
        expected = IsotonicRegression(out_of_bounds="clip").fit(scores, labels, sample_weight=w).predict(grid)
        np.testing.assert_allclose(labelfree.Calibration(scores, labels, w)(grid), expected, atol=1e-12)


@pytest.mark.parametrize("metric", ["roc_auc", "accuracy", "precision", "recall", "f1"])
def test_expected_metric_is_the_mean_of_the_realised_metric(metric: str) -> None:
    """Labels drawn from their probabilities: the mean realised value converges to the expected value, and each
    realised value equals scikit-learn's metric on those labels."""
    from sklearn import metrics

    rng = np.random.default_rng(5)
    p, scores = rng.random(400), np.round(rng.random(400), 2)
    pred = (scores > 0.5).astype(int)
    ranks = labelfree.average_ranks(scores)
    draws = rng.random((20_000, 400)) < p
    realised = labelfree.realised_metrics(metric, draws, pred, ranks)
    sk = {"roc_auc": lambda t: metrics.roc_auc_score(t, scores), "accuracy": lambda t: metrics.accuracy_score(t, pred),
          "precision": lambda t: metrics.precision_score(t, pred), "recall": lambda t: metrics.recall_score(t, pred),
          "f1": lambda t: metrics.f1_score(t, pred)}[metric]
    np.testing.assert_allclose(realised[:5], [sk(d.astype(int)) for d in draws[:5]], atol=1e-12)
    assert labelfree.expected_metric(metric, p, pred, ranks) == pytest.approx(realised.mean(), abs=2e-3)


def test_estimated_performance_fails_when_the_expected_value_misses(pytester: pytest.Pytester) -> None:
    result, report = run(pytester, """
        def test_shifted(model_gate):
            current = X.assign(age=X["age"] + 1.0)  # the rows moved, no labels yet; the bar is above the model
            model_gate.estimated_performance(model, current, reference=(X, y), metric="roc_auc", min=0.95)

        def test_same(model_gate):
            model_gate.estimated_performance(model, X, reference=(X, y), metric="accuracy", min=0.7)
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*estimated_performance roc_auc = * required >= 0.95: below the minimum*"])
    rows = {r["node_id"].split("::")[1]: r for r in report["results"]}
    same = rows["test_same"]["details"]
    assert same["reference_estimate"] == pytest.approx(same["reference_realised"], abs=0.03)


def test_estimated_performance_refuses_multiclass(data: tuple) -> None:
    X, _, _ = data
    y3 = np.arange(len(X)) % 3
    model = LogisticRegression().fit(X, y3)
    with pytest.raises(GateError, match="binary classifiers; the model has 3 classes"):
        ModelGate().estimated_performance(model, X, reference=(X, y3), metric="roc_auc", min=0.5)


def test_estimated_performance_bad_reference(data: tuple) -> None:
    X, y, model = data
    with pytest.raises(GateError, match=r"reference must be a pair \(X_ref, y_ref\)"):
        ModelGate().estimated_performance(model, X, reference=X, metric="roc_auc")
    with pytest.raises(GateError, match="supports accuracy, precision, recall, f1, roc_auc"):
        ModelGate().estimated_performance(model, X, reference=(X, y), metric="brier")


def test_failures_raise_gate_failure_outside_pytest(data: tuple) -> None:
    X, y, model = data
    with pytest.raises(GateFailure, match="beats roc_auc vs dummy 'prior'"):
        ModelGate().beats(model, "prior", X, y, metric="roc_auc", margin=0.45, fit_data=(X, y))


def test_every_snippet_of_the_lifecycle_page_runs_and_passes(pytester: pytest.Pytester) -> None:
    source = "\n\n".join(re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S))
    tests = re.findall(r"^def (test_\w+)", source, re.M)
    assert len(tests) == 7
    pytester.makepyfile(test_docs=source)
    first = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200", "--mlgate-update-baselines")
    first.assert_outcomes(passed=len(tests))  # the importance ranking's baseline is written, then checked
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200")
    result.assert_outcomes(passed=len(tests))


# --- baseline history and slow decay -------------------------------------------------------------------------------

HISTORY_TEST = """
import numpy as np

y = np.arange(2000) % 2
def test_model(baseline_gate):
    wrong = {wrong}  # how many of the 2000 predictions are wrong
    pred = y.copy(); pred[:wrong] = 1 - pred[:wrong]
    baseline_gate.compare(y=y, y_pred=pred, metrics="accuracy", max_drop=0.08, max_total_drop={total})
"""


def _history_run(pytester: pytest.Pytester, wrong: int, *args: str, total: float = 0.04) -> pytest.RunResult:
    pytester.makepyfile(test_h=HISTORY_TEST.format(wrong=wrong, total=total))
    return pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200", *args)


def test_history_one_entry_per_real_change_and_slow_decay_fails(pytester: pytest.Pytester,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SHA", "a" * 40)
    _history_run(pytester, 100, "--mlgate-update-baselines").assert_outcomes(passed=1)
    (path,) = (pytester.path / "mlgate_baselines").glob("*.json")
    first = path.read_bytes()
    _history_run(pytester, 100, "--mlgate-update-baselines").assert_outcomes(passed=1)
    assert path.read_bytes() == first  # nothing changed: the reviewed file is byte-identical
    monkeypatch.setenv("GITHUB_SHA", "b" * 40)
    _history_run(pytester, 160, "--mlgate-update-baselines").assert_outcomes(passed=1)  # accepted: 0.95 -> 0.92
    history = json.loads(path.read_text())["history"]
    assert [h["commit"] for h in history] == ["a" * 40, "b" * 40]
    assert [h["metrics"]["accuracy"]["value"] for h in history] == [0.95, 0.92]
    assert {"numpy", "python"} <= set(history[0]["versions"])
    # another small step: within max_drop of the current baseline, but 0.06 below the best accepted value
    result = _history_run(pytester, 220, "--mlgate-report=r.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*total_drop accuracy = 0.89*best accepted value 0.95*decayed by more than*"])
    rows = {r["check"]: r for r in json.loads((pytester.path / "r.json").read_text())["results"]}
    assert rows["compare"]["status"] == "pass" and rows["total_drop"]["status"] == "fail"
    assert [h["value"] for h in rows["total_drop"]["details"]["history"]] == [0.95, 0.92]
    _history_run(pytester, 220, total=0.1).assert_outcomes(passed=1)


def test_history_edited_into_nonsense_is_a_gate_error_and_the_file_stays(pytester: pytest.Pytester) -> None:
    _history_run(pytester, 100, "--mlgate-update-baselines").assert_outcomes(passed=1)
    (path,) = (pytester.path / "mlgate_baselines").glob("*.json")
    doc = json.loads(path.read_text())
    doc["history"][0]["metrics"]["accuracy"]["value"] = "high"
    path.write_text(json.dumps(doc))
    broken = path.read_bytes()
    result = _history_run(pytester, 100)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*is broken: history entry 0: metric 'accuracy' must hold a finite 'value'*"])
    assert path.read_bytes() == broken


def test_auc_components_are_delongs_in_row_order() -> None:
    from pytest_mlgate.stats.importance import auc_components

    rng = np.random.default_rng(2)
    positive = rng.random(300) < 0.4
    score = np.round(rng.random(300), 1)
    v10, v01 = auc_components(positive, score)
    neg, pos = score[~positive], score[positive]
    expected10 = [(np.sum(neg < s) + 0.5 * np.sum(neg == s)) / neg.size for s in pos]
    expected01 = [(np.sum(pos > s) + 0.5 * np.sum(pos == s)) / pos.size for s in neg]
    np.testing.assert_allclose(v10, expected10, atol=1e-12)
    np.testing.assert_allclose(v01, expected01, atol=1e-12)
    assert v10.mean() == pytest.approx(roc_auc_score(positive, score), abs=1e-12)


@pytest.mark.parametrize("metric", ["roc_auc", "log_loss", "f1"])
def test_importance_interval_covers_the_permutation_noise_free_truth(metric: str) -> None:
    """A feature the model ignores has importance exactly 0 on every repeat; its interval holds 0 and is tight."""
    rng = np.random.default_rng(4)
    X = pd.DataFrame({"signal": rng.normal(size=800), "ignored": rng.normal(size=800)})
    y = (X["signal"] + rng.normal(size=800) > 0).astype(int)
    model = LogisticRegression().fit(X[["signal"]].assign(ignored=0.0), y)
    model.coef_[0, 1] = 0.0
    results = {r.subject: r for r in ModelGate().importance(model, X, y, metric=metric, n_repeats=3)}
    assert results["ignored"].value == 0.0
    lo, hi = results["ignored"].interval
    assert lo <= 0.0 <= hi and hi - lo < 1e-9
    lo, hi = results["signal"].interval
    assert 0 < lo < results["signal"].value < hi
