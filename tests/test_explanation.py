"""baseline_gate.importance_ranking: explanation drift of the top features against a stored baseline."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.records import ImportanceRanking
from pytest_mlgate.results import GateError, GateResult

DATA = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(1500, 4)), columns=["income", "age", "debt", "sex"])
    y = (1.5 * X["income"] - X["debt"] + 0.6 * X["sex"] + rng.normal(size=1500) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    shuffled = X.assign(income=rng.permutation(X["income"].to_numpy()))  # income permuted in training
    without_income = LogisticRegression().fit(shuffled, y)
    """
)


def run(pytester: pytest.Pytester, body: str, *args: str) -> tuple[pytest.RunResult, dict]:
    pytester.makepyfile(test_rank=DATA + textwrap.dedent(body))
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200", "--mlgate-report=r.json",
                                *args)
    return result, json.loads((pytester.path / "r.json").read_text())


SAME = """
def test_rank(baseline_gate):
    baseline_gate.importance_ranking({model}, X, y, metric="roc_auc", top_k=2)
"""


def test_first_run_fails_asking_for_the_baseline_then_update_writes_it_and_the_same_model_passes(
        pytester: pytest.Pytester) -> None:
    result, report = run(pytester, SAME.format(model="model"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*importance_ranking: the baseline file*does not exist*",
                                 "*run pytest --mlgate-update-baselines*"])
    result, report = run(pytester, SAME.format(model="model"), "--mlgate-update-baselines")
    result.assert_outcomes(passed=1)
    [row] = report["results"]
    path = pytester.path / row["details"]["baseline_written"]
    stored = json.loads(path.read_text())
    assert path.name.endswith("__importance.json")
    assert sorted(stored["metrics"]) == [f"importance[roc_auc][{f}]" for f in sorted(["age", "debt", "income", "sex"])]
    assert [r["feature"] for r in row["details"]["current"]] == ["income", "debt"]
    result, report = run(pytester, SAME.format(model="model"), "-o", "mlgate_seed=7")  # other permutations
    result.assert_outcomes(passed=1)
    [row] = report["results"]
    assert row["details"]["left"] == [] and row["details"]["entered"] == []
    assert [r["feature"] for r in row["details"]["stored"]] == ["income", "debt"]


def test_a_model_retrained_without_its_most_important_feature_fails(pytester: pytest.Pytester) -> None:
    run(pytester, SAME.format(model="model"), "--mlgate-update-baselines")
    result, report = run(pytester, SAME.format(model="without_income"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*left the top 2: 'income' now*wholly below the stored k-th feature 'debt'*",
                                 "*stored top 2: 1. income*2. debt*", "*current top 2: 1. debt*",
                                 "*What to do:*--mlgate-update-baselines*"])
    [row] = report["results"]
    assert row["status"] == "fail" and row["details"]["left"] == ["income"]
    assert row["details"]["entered"] == []  # sex (0.08) is not above what debt stored (about 0.13), beyond both


def test_a_feature_entering_the_top_k_fails(pytester: pytest.Pytester) -> None:
    run(pytester, SAME.format(model="without_income").replace("top_k=2", "top_k=1"), "--mlgate-update-baselines")
    result, report = run(pytester, SAME.format(model="model").replace("top_k=2", "top_k=1"))
    result.assert_outcomes(failed=1)
    [row] = report["results"]
    assert row["details"]["entered"] == ["income"] and row["details"]["left"] == ["debt"]


def test_bad_inputs_are_gate_errors(pytester: pytest.Pytester) -> None:
    run(pytester, SAME.format(model="model"), "--mlgate-update-baselines")
    result, report = run(pytester, """
        def test_zero(baseline_gate):
            baseline_gate.importance_ranking(model, X, y, metric="roc_auc", top_k=0)

        def test_too_many(baseline_gate):
            baseline_gate.importance_ranking(model, X, y, metric="roc_auc", top_k=5)

        def test_rank(baseline_gate):  # the stored ranking names "age", which X no longer has
            baseline_gate.importance_ranking(_Drop(model), X.drop(columns="age"), y,
                                             metric="roc_auc", top_k=2)

        class _Drop:
            def __init__(self, model):
                self.model = model
            def predict_proba(self, rows):
                return self.model.predict_proba(rows.assign(age=0.0)[["income", "age", "debt", "sex"]])
            def predict(self, rows):
                return self.model.predict(rows.assign(age=0.0)[["income", "age", "debt", "sex"]])
    """)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*top_k must be a positive integer*got 0*"])
    result.stdout.fnmatch_lines(["*top_k=5 is more than the 4 features of X*"])
    result.stdout.fnmatch_lines(["*stored ranking in*names feature(s) ?'age'? that X no longer has*"])
    assert {r["status"] for r in report["results"]} == {"error"}


def test_importances_stored_are_scikit_learns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(600, 3)), columns=["a", "b", "c"])
    y = (X["a"] + 0.5 * X["b"] + rng.normal(size=600) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    settings = GateSettings(n_resamples=100, baseline_dir=tmp_path, update_baselines=True)
    writer = BaselineGate(settings=settings)
    [row] = writer.importance_ranking(model, X, y, metric="roc_auc", top_k=2, n_repeats=3)
    stored = json.loads((tmp_path / row.details["baseline_written"]).read_text())["metrics"]
    seed = settings.seed_for(writer.recorder.key, "importance", "roc_auc")
    ours = {name: entry["value"] for name, entry in stored.items()}
    sk = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=3, random_state=seed)
    expected = {f"importance[roc_auc][{f}]": v for f, v in zip(X.columns, sk.importances_mean, strict=True)}
    assert ours == pytest.approx(expected)
    with pytest.raises(GateError, match="importance_ranking was already called"):
        gate = BaselineGate(settings=settings)
        gate.importance_ranking(model, X, y, metric="roc_auc", top_k=1)
        gate.importance_ranking(model, X, y, metric="roc_auc", top_k=1)


def test_the_ranking_is_a_typed_record_drawn_in_every_report(pytester: pytest.Pytester) -> None:
    """The stored and current top k, the features that moved and the bar they crossed: a table in Markdown and
    HTML, a chart in HTML, and the record's keys in the JSON."""
    run(pytester, SAME.format(model="model"), "--mlgate-update-baselines")
    result, report = run(pytester, SAME.format(model="without_income"), "--mlgate-markdown=r.md",
                         "--mlgate-html=r.html")
    result.assert_outcomes(failed=1)
    [row] = report["results"]
    assert row["record"] == "importance_ranking"
    assert [r["feature"] for r in row["details"]["outside"]] == ["income"]  # where the leaver stands now
    assert row["details"]["kth_feature"] == "debt" and len(row["details"]["kth_interval"]) == 2
    record = GateResult.from_dict(row).record  # as a result crosses from an xdist worker
    assert isinstance(record, ImportanceRanking) and record.left == ("income",) and record.entered == ()
    assert [f.feature for f in record.stored] == ["income", "debt"] and record.now("income") == record.outside[0]
    markdown = (pytester.path / "r.md").read_text()
    assert "### Leaderboards and rankings" in markdown
    assert "| rank | stored | importance | now | current | importance |" in markdown
    [first] = [line for line in markdown.splitlines() if line.startswith("| 1 | income (left)")]
    assert first.count("|") == 7 and "| debt " in first  # debt now first; income's stored and current values
    page = (pytester.path / "r.html").read_text()
    assert page.count('<table class="record">') == 1 and "income (left)" in page
    assert "Explanation drift of roc_auc" in page and "income left" in page  # the chart's caption


class _Linear:
    """A logistic model with weights we choose, to place every feature's importance where a case needs it."""

    def __init__(self, weights: list[float]) -> None:
        self.w = np.asarray(weights, dtype=float)
        self.classes_ = np.array([0, 1])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1 / (1 + np.exp(-(X.to_numpy(dtype=float) @ self.w)))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def _ranking(truth: list[float], stored: list[float], current: list[float], top_k: int, tmp_path) -> GateResult:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(3000, len(truth))), columns=list("ABCDE"[:len(truth)]))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(X.to_numpy() @ np.asarray(truth))))).astype(int)
    settings = GateSettings(n_resamples=100, baseline_dir=tmp_path)
    BaselineGate(settings=GateSettings(n_resamples=100, baseline_dir=tmp_path, update_baselines=True)
                 ).importance_ranking(_Linear(stored), X, y, metric="roc_auc", top_k=top_k)
    [row] = BaselineGate(settings=settings, raises=False).importance_ranking(_Linear(current), X, y,
                                                                             metric="roc_auc", top_k=top_k)
    return row


def test_entering_and_leaving_are_about_the_top_k_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two features clear the bar but only one fits in the top 2: that one entered (the other is not in the top
    2, so every report can show what moved); a feature that stays in the top k while its importance drops has
    not left it."""
    row = _ranking([3, 1, 2, 1.8, 0], [3, 1, 0, 0, 0], [3, 0, 2, 1.8, 0], 2, tmp_path / "a")
    record = row.record
    assert isinstance(record, ImportanceRanking) and row.status == "fail"
    assert (record.left, record.entered) == (("B",), ("C",))
    assert [f.feature for f in record.current] == ["A", "C"]
    damped = _ranking([3, 1.5, 0.3, 0], [3, 1.5, 0.3, 0], [3, 0.6, 0.1, 0], 2, tmp_path / "b")
    assert damped.status == "pass" and damped.details["left"] == [] and damped.details["entered"] == []
    alone = _ranking([3, 1.5, 0.3, 0], [3, 1.5, 0.3, 0], [3, 0.6, 0.1, 0], 1, tmp_path / "c")
    assert alone.status == "pass"  # the top feature, still the top one, is not compared with itself


def test_an_undefined_importance_is_refused_before_anything_is_written(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A metric that is not a number on the permuted rows (a user's function, say) gives no ranking: refused
    before the baseline is written, not stored to break every later read."""
    from pytest_mlgate.gates import lifecycle

    real = lifecycle.importance_table

    def with_a_nan(*args, **kwargs):  # type: ignore[no-untyped-def]
        table = real(*args, **kwargs)
        table.means = np.r_[np.nan, table.means[1:]]
        return table

    monkeypatch.setattr(lifecycle, "importance_table", with_a_nan)
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    y = (X["a"] + rng.normal(size=400) > 0).astype(int)
    settings = GateSettings(n_resamples=50, baseline_dir=tmp_path, update_baselines=True)
    with pytest.raises(GateError, match=r"importance of \['a'\] is undefined"):
        BaselineGate(settings=settings).importance_ranking(_Linear([1.0, 0.0]), X, y, metric="roc_auc", top_k=1)
    assert not list(tmp_path.iterdir())
