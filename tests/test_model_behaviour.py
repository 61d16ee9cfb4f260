"""model_gate.sanity, .invariance and .monotonic: a sound model passes, a broken one fails with an actionable
message (through pytest itself), and bad input is a GateError that names the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError, GateFailure

import model_models as mm  # isort: skip
from quiet import quiet  # isort: skip

MODELS = (Path(__file__).parent / "model_models.py").read_text()
HEADER = """
import numpy as np
import polars as pl
import pytest
from models import *

X, y = make_data()
X_polars = pl.DataFrame({c: X[c].to_numpy() for c in X.columns})
"""


def run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makepyfile(models=MODELS)
    pytester.makepyfile(test_suite=HEADER + body)
    # every summary row, passing ones too: some tests look for the property that passed
    return pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", "-o", "mlgate_summary=all")


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    return mm.make_data()


# --- through pytest: a sound model passes every check, each broken one fails with an actionable message -------


def test_sound_model_passes_every_behaviour_check_on_pandas_and_polars(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_sanity(model_gate):
    results = model_gate.sanity(Sound(X, y), X)
    assert [r.subject for r in results] == ["runs", "rows", "finite", "proba_range", "proba_sum", "classes",
                                            "argmax", "deterministic", "input_unchanged"]
    assert all(r.status == "pass" and r.value == 0 for r in results)
    model_gate.sanity(Sound(X, y), X_polars)

def test_invariance(model_gate):
    model_gate.invariance(Sound(X, y), X, perturb={"noise": 0.0, "region": "north"}, output="predict_proba")
    shuffle = lambda frame: frame.with_columns(pl.col("noise").shuffle(seed=1))
    model_gate.invariance(Sound(X, y), X_polars, perturb=shuffle)

def test_monotonic(model_gate):
    model_gate.monotonic(Sound(X, y), X, feature="income")
    model_gate.monotonic(Sound(X, y), X_polars, feature="age", direction="decreasing")
""")
    result.assert_outcomes(passed=3)


def test_broken_models_fail_with_the_offending_rows(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_nan(model_gate):
    model_gate.sanity(NaNForOld(X, y), X)

def test_unnormalised(model_gate):
    model_gate.sanity(Unnormalised(X, y), X)

def test_noisy(model_gate):
    model_gate.sanity(Noisy(X, y), X)

def test_leaky(model_gate):
    shuffled = lambda column: column.sample(frac=1, random_state=0).to_numpy()
    model_gate.invariance(Leaky(X, y), X, perturb={"noise": shuffled})

def test_not_monotonic(model_gate):
    model_gate.monotonic(NotMonotonic(X, y), X, feature="income", step=1.0)
""")
    result.assert_outcomes(failed=5)
    n_old = int((mm.make_data()[0]["age"] > 70).sum())
    result.stdout.fnmatch_lines([
        # NaN rows: the property, the count, the first rows with their inputs and outputs, what to do
        f"*GateFailure: model_validation.sanity finite: no NaN, inf or missing output: model.predict_proba(X) "
        f"returned NaN, inf or missing values in {n_old} of 400 rows*none allowed*",
        "*First offending rows:",
        "*row * (index *): income=*, age=7*, noise=*, region=* -> predict *; predict_proba [[]nan, nan[]]",
        "*What to do: find what these rows have in common*",
        # probabilities that do not sum to 1
        "*sanity proba_sum: probability rows sum to 1 (within 1e-06): model.predict_proba(X) rows do not sum to 1 "
        "in * of 400 rows*",
        "*row sum 0.9*",
        "*What to do: normalise each row*",
        # a model that is not deterministic
        "*sanity deterministic: two calls on the same input agree: model.predict(X), model.predict_proba(X) gave "
        "different outputs on the same rows in * of 400 rows*",
        "*predict_proba (1st call) [[]*predict_proba (2nd call) [[]*",
        "*What to do: fix the random state*",
        # a model that uses a column it must ignore
        "*GateFailure: model_validation.invariance noise: model.predict unchanged when replacing 'noise': "
        "model.predict changed when replacing 'noise' in * of 400 rows (*%; none allowed).",
        "*First offending rows:",
        "*row * (index *): noise=* -> * -> before *; after *",
        "*What to do: the model uses information it should ignore*",
        # a model that is not monotonic in income
        "*GateFailure: model_validation.monotonic income: predict_proba[[]1[]] increasing in 'income' (step 1): "
        "raising 'income' by 1 lowered predict_proba[[]1[]] in * of 400 rows (*%; none allowed).",
        "*row * (index *): income=* -> *, age=*-> predict_proba[[]1[]] before *; after *",
        "*What to do: constrain the model (e.g. HistGradientBoosting*(monotonic_cst=...)*",
    ])
    # only the broken property fails: in the NaN test every other property passes
    result.stdout.fnmatch_lines(["*test_nan*sanity*deterministic*0*<= 0*400*PASS"])


# --- sanity -------------------------------------------------------------------------------------------


def test_sanity_unit_properties(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    by_name = {r.subject: r for r in quiet(ModelGate).sanity(mm.Mutating(X, y), X.copy())}
    assert by_name["input_unchanged"].status == "fail"
    assert by_name["input_unchanged"].details["count"] == int((X["income"] != X["income"].round()).sum())

    class Shorter(mm.Sound):
        def predict(self, X: object) -> np.ndarray:
            return super().predict(X)[:-1]

    by_name = {r.subject: r for r in quiet(ModelGate).sanity(Shorter(X, y), X)}
    assert by_name["rows"].status == "fail" and "returned 399 rows for 400 input rows" in by_name["rows"].message
    assert "argmax" not in by_name  # predict's rows are unusable, so it is not compared

    class Thresholded(mm.Sound):
        def predict(self, X: object) -> np.ndarray:
            return (self.predict_proba(X)[:, 1] > 0.3).astype(int)

    by_name = {r.subject: r for r in quiet(ModelGate).sanity(Thresholded(X, y), X)}
    expected = int(((mm.Sound(X, y).predict_proba(X)[:, 1] > 0.3) & (mm.Sound(X, y).predict_proba(X)[:, 1] <= 0.5))
                   .sum())
    assert by_name["argmax"].details["count"] == expected > 0
    assert "argmax" not in {r.subject for r in quiet(ModelGate).sanity(Thresholded(X, y), X, skip=["argmax"])}

    class Crashes(mm.Sound):
        def predict_proba(self, X: object) -> np.ndarray:
            raise RuntimeError("boom")

    by_name = {r.subject: r for r in quiet(ModelGate).sanity(Crashes(X, y), X)}
    assert by_name["runs"].status == "fail" and "RuntimeError: boom" in by_name["runs"].message


def test_sanity_regressor_and_numpy_input() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 0.0])
    results = quiet(ModelGate).sanity(model, X)
    assert {r.subject for r in results} == {"runs", "rows", "finite", "deterministic", "input_unchanged"}
    assert all(r.status == "pass" for r in results)


def test_sanity_bad_input_is_a_gate_error(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    with pytest.raises(GateError, match="has no predict method"):
        quiet(ModelGate).sanity(object(), X)
    with pytest.raises(GateError, match=r"LogisticRegression.*is not fitted"):
        quiet(ModelGate).sanity(LogisticRegression(), X)
    with pytest.raises(GateError, match="unknown sanity properties"):
        quiet(ModelGate).sanity(mm.Sound(X, y), X, skip=["argmx"])


# --- invariance ---------------------------------------------------------------------------------------


def test_invariance_counts_exactly_the_changed_rows(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    model = mm.Leaky(X, y)
    replaced = np.zeros(len(X))
    before, after = model.predict(X), model.predict(X.assign(noise=replaced))
    [result] = quiet(ModelGate).invariance(model, X, perturb={"noise": replaced}, max_changed=0.5)
    assert result.details["count"] == int((before != after).sum()) > 0
    assert result.value == pytest.approx((before != after).mean())
    assert result.status == ("pass" if (before != after).mean() <= 0.5 else "fail")
    assert X["noise"].abs().sum() > 0  # the user's frame is untouched
    [polars_result] = quiet(ModelGate).invariance(model, pl.from_dict({c: X[c].to_numpy() for c in X.columns}),
                                       perturb={"noise": replaced}, max_changed=0.5)
    assert polars_result.details["count"] == result.details["count"]


def test_invariance_numpy_input_by_column_position(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    numbers = X[["income", "age", "noise"]].to_numpy()
    model = LogisticRegression().fit(numbers[:, :2], y)

    class FirstTwo:
        classes_ = model.classes_

        def predict(self, X: np.ndarray) -> np.ndarray:
            return model.predict(X[:, :2])

    [ignored] = quiet(ModelGate).invariance(FirstTwo(), numbers, perturb={2: 0.0})
    [used] = quiet(ModelGate).invariance(FirstTwo(), numbers, perturb={"x0": lambda col: col + 10}, max_changed=1.0)
    assert ignored.status == "pass" and used.details["count"] > 0 and used.subject == "x0"


def test_invariance_bad_input(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    model = mm.Sound(X, y)
    with pytest.raises(GateError, match=r"perturb column 'noize' is not a column of X\. Did you mean 'noise'\?"):
        quiet(ModelGate).invariance(model, X, perturb={"noize": 0})
    with pytest.raises(GateError, match="gave 3 values for 400 rows"):
        quiet(ModelGate).invariance(model, X, perturb={"noise": [1, 2, 3]})
    with pytest.raises(GateError, match="returned 10 rows for 400"):
        quiet(ModelGate).invariance(model, X, perturb=lambda frame: frame.head(10))
    with pytest.raises(GateError, match="max_changed must be a fraction"):
        quiet(ModelGate).invariance(model, X, perturb={"noise": 0}, max_changed=2)


# --- monotonic ----------------------------------------------------------------------------------------


def test_monotonic_counts_and_default_step(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    model = mm.NotMonotonic(X, y)
    step = 0.1 * X["income"].std(ddof=0)
    base = model.predict_proba(X)[:, 1]
    moved = model.predict_proba(X.assign(income=X["income"] + step))[:, 1]
    [result] = quiet(ModelGate).monotonic(model, X, feature="income", max_violations=1.0)
    assert result.details["step"] == pytest.approx(step)
    assert result.details["count"] == int((moved < base - 1e-9).sum()) > 0
    assert result.status == "pass"  # every row may violate under max_violations=1
    [age] = quiet(ModelGate).monotonic(mm.Sound(X, y), X.astype({"age": int}), feature="age", direction="decreasing")
    assert age.status == "pass" and age.details["step"] == round(0.1 * X["age"].std(ddof=0))
    # a regressor's prediction is the score
    reg = LinearRegression().fit(X[["income", "age"]].to_numpy(), y)
    [r] = quiet(ModelGate).monotonic(reg, X[["income", "age"]].to_numpy(), feature=0)
    assert r.status == "pass" and r.details["score"] == "predict"


def test_monotonic_bad_input(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    model = mm.Sound(X, y)
    with pytest.raises(GateError, match="feature 'salary' is not a column of X"):
        quiet(ModelGate).monotonic(model, X, feature="salary")
    with pytest.raises(GateError, match="feature 'region' is not numeric"):
        quiet(ModelGate).monotonic(model, X, feature="region")
    with pytest.raises(GateError, match="direction must be 'increasing' or 'decreasing'"):
        quiet(ModelGate).monotonic(model, X, feature="income", direction="up")
    with pytest.raises(GateError, match="is constant in X"):
        quiet(ModelGate).monotonic(model, X.assign(income=1.0), feature="income")


def test_gate_records_error_and_failure_results(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    gate = ModelGate()
    with pytest.raises(GateError):
        gate.monotonic(mm.Sound(X, y), X, feature="nope")
    with pytest.raises(GateFailure) as failure:
        gate.invariance(mm.Leaky(X, y), X, perturb={"noise": 0.0})
    assert [r.status for r in gate.results] == ["error", "fail"]
    assert failure.value.results[0].details["examples"][0]["input"]["noise"].endswith("-> 0.0")
