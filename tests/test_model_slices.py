"""model_gate.slices (a metric per slice, each with its interval; small slices listed, never dropped) and
model_gate.metrics on multiclass and regression models, through pytest."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sklearn.datasets  # noqa: F401  (imported once in the outer process: pytester restores sys.modules)
from sklearn.metrics import accuracy_score, roc_auc_score

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError

import model_models as mm  # isort: skip
from quiet import quiet  # isort: skip

MODELS = (Path(__file__).parent / "model_models.py").read_text()


def test_slices_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=MODELS)
    pytester.makepyfile(test_suite="""
import polars as pl
from models import *

X, y = make_data(n=600, seed=1)
X_polars = pl.DataFrame({c: X[c].to_numpy() for c in X.columns})

def test_sound(model_gate):
    results = model_gate.slices(Sound(X, y), X_polars, y, by="region", metric="accuracy", min=0.6)
    assert [r.subject for r in results] == ["accuracy[region='east']", "accuracy[region='north']",
                                            "accuracy[region='south']"]

def test_poor_in_east(model_gate):
    model_gate.slices(PoorInEast(X, y), X, y, by="region", metric="accuracy", min=0.6)
""")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*GateFailure: model_validation.slices accuracy[[]region='east'[]] = 0.* (99.33% CI [[]0.*, 0.*[]], n=*), "
        "required >= 0.6: below the minimum by 0.* (the whole interval misses the limit).",
        "*What to do: the model is weak on region='east' (overall accuracy is 0.*): look at these rows*",
    ])
    result.stdout.no_fnmatch_line("*GateFailure: model_validation.slices accuracy[[]region='north'*")


def test_slices_values_intervals_and_small_slices() -> None:
    X, y = mm.make_data(n=600, seed=2)
    model = mm.PoorInEast(X, y)
    settings = GateSettings(n_resamples=200)
    results = quiet(ModelGate, settings=settings, key="k").slices(model, X, y, by=["region", X["age"] > 60],
                                                                  metric="roc_auc", min=0.5, min_size=25)
    judged = [r for r in results if r.details.get("slice")]
    [small] = [r for r in results if r.subject == "roc_auc[too small to judge]"]
    proba = model.predict_proba(X)[:, 1]
    keys = X.assign(age=X["age"] > 60).groupby(["region", "age"]).indices
    assert len(judged) + len(small.details["slices"]) == len(keys)  # every slice accounted for
    for r in judged:
        rows = keys[(r.details["slice"].split("'")[1], r.details["slice"].endswith("True"))]
        assert r.n == rows.size >= 25
        assert r.value == pytest.approx(roc_auc_score(y[rows], proba[rows]), abs=1e-12)
        assert r.interval[0] <= r.value <= r.interval[1]
        assert r.status == ("fail" if r.interval[1] < 0.5 else "pass")
    assert [s["slice"] for s in small.details["slices"]] == ["region='east', age=True"]  # 16 rows
    assert all(s["n"] < 25 for s in small.details["slices"]) and small.status == "pass"
    assert "not judged" in small.message and "collect more rows" in small.message
    # east is judged and below chance (its predictions are reversed)
    [east] = [r for r in judged if "east" in r.subject]
    assert east.value < 0.5
    # Bonferroni: the interval level accounts for every slice judged
    assert all(r.details["slices_judged"] == len(judged) for r in judged)


def test_slices_predictions_instead_of_a_model_and_bad_input() -> None:
    X, y = mm.make_data(n=300, seed=3)
    y_pred = mm.Sound(X, y).predict(X)
    [r, *_] = quiet(ModelGate).slices(None, X, y, by="region", metric="accuracy", min=0.1, y_pred=y_pred, min_size=5)
    east = (X["region"] == "east").to_numpy()
    assert r.subject == "accuracy[region='east']" and r.value == pytest.approx(accuracy_score(y[east], y_pred[east]))
    # slicing by an array that is not a column of X
    by = pl.Series("older", X["age"].to_numpy() > 50)
    results = quiet(ModelGate).slices(None, X, y, by=by, metric="accuracy", min=0.1, y_pred=y_pred)
    assert [r.subject for r in results] == ["accuracy[older=False]", "accuracy[older=True]"]
    # a loss metric with max=: fails where the whole interval lies above it
    y_score = mm.PoorInEast(X, y).predict_proba(X)
    results = quiet(ModelGate).slices(None, X, y, by="region", metric="log_loss", max=0.9, y_score=y_score, min_size=20)
    assert {r.subject: r.status for r in results} == {
        "log_loss[region='east']": "fail", "log_loss[region='north']": "pass", "log_loss[region='south']": "pass"}
    assert all(r.comparison == "<=" and r.limit == 0.9 for r in results)
    with pytest.raises(GateError, match=r"by column 'regoin' is not a column of X\. Did you mean 'region'\?"):
        quiet(ModelGate).slices(None, X, y, by="regoin", metric="accuracy", min=0.5, y_pred=y_pred)
    with pytest.raises(GateError, match="no limit to check"):
        quiet(ModelGate).slices(None, X, y, by="region", metric="accuracy", y_pred=y_pred)
    with pytest.raises(GateError, match="mismatched lengths"):
        quiet(ModelGate).slices(None, X, y[:-1], by="region", metric="accuracy", min=0.5, y_pred=y_pred)
    with pytest.raises(GateError, match="unknown metric 'acuracy'"):
        quiet(ModelGate).slices(None, X, y, by="region", metric="acuracy", min=0.5, y_pred=y_pred)


def test_metrics_multiclass_and_regression_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite="""
import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

iris_X, iris_y = load_iris(return_X_y=True)
iris = LogisticRegression(max_iter=500).fit(iris_X, iris_y)
dia_X, dia_y = load_diabetes(return_X_y=True)
dia = LinearRegression().fit(dia_X, dia_y)

def test_multiclass(model_gate):
    model_gate.metrics(iris, iris_X, iris_y, min={"accuracy": 0.9, "f1": 0.9}, max={"log_loss": 0.3})
    model_gate.metrics(None, None, iris_y, y_pred=iris.predict(iris_X), min={"balanced_accuracy": 0.9})

def test_regression(model_gate):
    model_gate.metrics(dia, dia_X, dia_y, min={"r2": 0.4}, max={"rmse": 60})

def test_regression_fails(model_gate):
    model_gate.metrics(None, None, dia_y, y_pred=np.full(dia_y.size, dia_y.mean()), min={"r2": 0.3})
""")
    # multiclass probability metrics are bootstrapped one resample at a time: fewer resamples keep this fast
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*GateFailure: model_validation.metrics r2 = 0 (98% CI [[]*], n=442), required >= 0.3: below the minimum "
        "by 0.3 (the whole interval misses the limit).",
    ])
