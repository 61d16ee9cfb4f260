"""Fairness beyond one grouping of a classifier: control features (disparities within strata), regression
metrics by group, scikit-learn's zero_division, and intervals that stay inside the metric's possible range.

Every number is compared with fairlearn's ``MetricFrame`` (``control_features=``, ``.difference()``,
``.ratio()``, ``.by_group``) and scikit-learn's metric functions on the same inputs.
"""

from __future__ import annotations

import functools
import textwrap

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as fm
from sklearn import metrics as skm

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.results import GateError

from quiet import quiet  # isort: skip

QUICK = GateSettings(n_resamples=200)
TOL = 1e-12


def _data(seed: int, n: int = 3000, regression: bool = False) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["F", "M", "X"]), n, p=[0.45, 0.45, 0.1])
    age = rng.choice(np.array(["old", "young"]), n)
    bias = (sex == "M") * 0.1 + (age == "young") * 0.05
    if regression:
        y = rng.normal(2.0 + bias * 5, 1.0, n)
        pred = y + rng.normal(bias, 0.5 + bias, n)
    else:
        y = (rng.random(n) < 0.4 + bias).astype(int)
        pred = (rng.random(n) < np.where(y == 1, 0.6 + bias, 0.2 + bias)).astype(int)
    return {"sex": sex, "age": age, "y": y, "pred": pred, "w": rng.uniform(0.2, 3.0, n)}


def _gate(d: dict[str, np.ndarray], **kwargs: object) -> list:
    return quiet(FairnessGate, settings=QUICK).check(  # type: ignore[arg-type]
        None, None, d["y"], y_pred=d["pred"], sensitive_features=pd.Series(d["sex"], name="sex"),
        min_group_size=0, **kwargs)  # type: ignore[arg-type]


CLASSIFICATION = {"selection_rate": fm.selection_rate, "true_positive_rate": fm.true_positive_rate,
                  "false_positive_rate": fm.false_positive_rate, "accuracy": skm.accuracy_score}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize("kind", ["difference", "ratio"])
def test_control_features_equal_metricframe_per_stratum(weighted: bool, method: str, kind: str) -> None:
    d = _data(1)
    weights = d["w"] if weighted else None
    frame = fm.MetricFrame(metrics=CLASSIFICATION, y_true=d["y"], y_pred=d["pred"],
                           sensitive_features=pd.Series(d["sex"], name="sex"),
                           control_features=pd.Series(d["age"], name="age"),
                           sample_params={m: {"sample_weight": weights} for m in CLASSIFICATION} if weighted else None)
    theirs = frame.difference(method=method) if kind == "difference" else frame.ratio(method=method)
    limits = {m: (1.0 if kind == "difference" else 0.0) for m in CLASSIFICATION}
    results = _gate(d, control_features=pd.Series(d["age"], name="age"), sample_weight=weights, method=method,
                    **{"max_difference" if kind == "difference" else "min_ratio": limits})
    assert len(results) == len(CLASSIFICATION) * 2  # every metric in each of the two strata
    for r in results:
        stratum = r.details["stratum"]["age"]
        metric = r.details["metrics"][0]
        assert r.subject == f"{metric}_{kind}[age={stratum}]"
        assert r.value == pytest.approx(theirs.loc[stratum, metric], abs=TOL, rel=0)
        by_group = frame.by_group.loc[stratum]
        for row in r.details["groups"]:
            assert row[metric] == pytest.approx(by_group.loc[row["group"], metric], abs=TOL, rel=0)
        assert r.details["confidence"] == pytest.approx(1 - 2 * QUICK.alpha / 2)  # alpha shared by the strata


def test_equalized_odds_within_strata_is_fairlearns_worst_case() -> None:
    d = _data(2)
    frame = fm.MetricFrame(metrics={"tpr": fm.true_positive_rate, "fpr": fm.false_positive_rate}, y_true=d["y"],
                           y_pred=d["pred"], sensitive_features=d["sex"], control_features=d["age"])
    theirs = frame.difference().max(axis=1)
    results = _gate(d, control_features=d["age"], max_difference={"equalized_odds": 1.0})
    assert {r.details["stratum"]["control_feature"]: r.value for r in results} == pytest.approx(
        theirs.to_dict(), abs=TOL, rel=0)


def test_control_features_through_pytest_judge_each_stratum(pytester: pytest.Pytester) -> None:
    """A disparity confined to one stratum fails that stratum's result only, and each result says which."""
    pytester.makepyfile(textwrap.dedent(
        """
        import numpy as np
        import pandas as pd

        def test_strata(fairness_gate):
            rng = np.random.default_rng(0)
            n = 8000
            X = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "region": rng.choice(["north", "south"], n)})
            unfair = (X["region"] == "south") & (X["sex"] == "M")
            y = rng.integers(0, 2, n)
            pred = (rng.random(n) < np.where(unfair, 0.7, 0.4)).astype(int)
            fairness_gate.check(None, X, y, y_pred=pred, sensitive_features="sex", control_features="region",
                                max_difference={"demographic_parity": 0.1})
        """
    ))
    result = pytester.runpytest("-v")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fairness.check demographic_parity_difference[[]region=south] = 0.3* required <= 0.1: above the maximum*",
    ])
    result.stdout.fnmatch_lines(["*[[]pass] fairness.check demographic_parity_difference[[]region=north] = *"])


REGRESSION = {"mae": skm.mean_absolute_error, "mse": skm.mean_squared_error,
              "rmse": skm.root_mean_squared_error, "r2": skm.r2_score, "mean_prediction": fm.mean_prediction}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_regression_metrics_by_group_equal_fairlearn(weighted: bool, method: str) -> None:
    d = _data(3, regression=True)
    weights = d["w"] if weighted else None
    frame = fm.MetricFrame(metrics=REGRESSION, y_true=d["y"], y_pred=d["pred"], sensitive_features=d["sex"],
                           sample_params={m: {"sample_weight": weights} for m in REGRESSION} if weighted else None)
    results = _gate(d, sample_weight=weights, method=method, max_difference={m: 10.0 for m in REGRESSION},
                    min_ratio={m: 0.0 for m in REGRESSION if m not in ("r2", "mean_prediction")})
    assert len(results) == 2 * len(REGRESSION) - 2
    difference, ratio = frame.difference(method=method), frame.ratio(method=method)
    for r in results:
        metric = r.details["metrics"][0]
        theirs = difference[metric] if r.details["kind"] == "difference" else ratio[metric]
        assert r.value == pytest.approx(theirs, abs=1e-9, rel=1e-9), r.subject
        for row in r.details["groups"]:
            assert row[metric] == pytest.approx(frame.by_group.loc[row["group"], metric], abs=1e-9, rel=1e-9)
        low, high = r.interval
        assert 0.0 <= low <= r.value <= high
        if r.details["kind"] == "ratio":
            assert high <= 1.0


def test_regression_gate_fails_on_a_group_with_larger_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent(
        """
        import numpy as np

        def test_mae(fairness_gate):
            rng = np.random.default_rng(0)
            n = 4000
            group = rng.choice(["a", "b"], n)
            y = rng.normal(size=n)
            pred = y + rng.normal(0, np.where(group == "b", 2.0, 0.5), n)
            fairness_gate.check(None, None, y, y_pred=pred, sensitive_features=group, max_difference={"mae": 0.5},
                                show=["r2"])
        """
    ))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*fairness.check mae_difference = 1.19* required <= 0.5: above the maximum*",
                                 "*mean prediction [[]98% CI]*MAE [[]98% CI]*R2 [[]98% CI]*"])


@pytest.mark.parametrize("zero_division", [0, 1])
def test_zero_division_gives_scikit_learns_value_to_the_group(zero_division: int) -> None:
    d = _data(4)
    d["pred"] = np.where(d["sex"] == "X", 0, d["pred"])  # group X: no predicted positives, precision undefined
    precision = functools.partial(skm.precision_score, zero_division=zero_division)
    frame = fm.MetricFrame(metrics={"precision": precision}, y_true=d["y"], y_pred=d["pred"],
                           sensitive_features=d["sex"])
    (result,) = _gate(d, max_difference={"precision": 1.0}, zero_division=zero_division)
    assert result.value == pytest.approx(frame.difference()["precision"], abs=TOL, rel=0)
    assert {row["group"]: row["precision"] for row in result.details["groups"]}["X"] == zero_division
    with pytest.raises(GateError, match=r"precision is undefined for group.s. 'X': they have no positive "
                                        r"predictions .*pass zero_division=0 or 1"):
        _gate(d, max_difference={"precision": 1.0})


@pytest.mark.parametrize("seed", range(6))
def test_every_interval_lies_inside_the_possible_range(seed: int) -> None:
    """Small, lopsided groups push bootstrap bounds past 0 and 1 (and past the span of a difference); the
    reported intervals are cut to what the metric can be."""
    rng = np.random.default_rng(seed)
    n = 120
    sex = rng.choice(np.array(["a", "b", "c"]), n, p=[0.8, 0.1, 0.1])
    y = rng.integers(0, 2, n)
    pred = np.where(sex == "a", 1, rng.integers(0, 2, n))
    d = {"sex": sex, "y": y, "pred": pred}
    for weights in (None, rng.uniform(0.1, 5, n)):
        results = _gate(d, sample_weight=weights, max_difference={"demographic_parity": 1, "equalized_odds": 1},
                        min_ratio={"demographic_parity": 0, "accuracy": 0}, agg="mean")
        for r in results:
            assert 0.0 <= r.interval[0] <= r.interval[1] <= 1.0, r.subject
            for c in r.details["components"]:
                assert 0.0 <= c["interval"][0] <= c["interval"][1] <= 1.0
            for row in r.details["groups"]:
                for m in ("selection_rate", "true_positive_rate", "false_positive_rate"):
                    if row[m] is not None:
                        assert 0.0 <= row[f"{m}_interval"][0] <= row[f"{m}_interval"][1] <= 1.0


@pytest.mark.parametrize(("max_blocks", "n"), [(100, 10_000), (1_000, 1_000)])
def test_regression_block_bootstrap_covers_the_true_mae_gap_95_percent_of_the_time(max_blocks: int, n: int) -> None:
    """Regression metrics resample blocks of rows' sums (100 blocks of about 60 and 40 rows per group of 10,000
    rows, or one row per block: the row bootstrap), with continuous weights. Errors |N(0, 1)| and |N(0, 1.5)| in
    groups of 60% and 40% of the rows: the true MAE gap is 0.5 sqrt(2 / pi). The 95% percentile interval must
    cover it about 95% of the time (measured 94.2% and 93.0%; percentile intervals undercover a little): 500
    runs, sd 0.97 points, band [91%, 98.5%]."""
    from pytest_mlgate.stats import groups as gs

    rng = np.random.default_rng(40 + max_blocks)
    truth = 0.5 * np.sqrt(2 / np.pi)
    covered, runs, resamples = 0, 500, 200
    for run in range(runs):
        group = (rng.random(n) < 0.4).astype(np.int64)
        y = rng.normal(size=n)
        pred = y + rng.normal(0.0, np.where(group == 1, 1.5, 1.0))
        stats = gs.regression_sums(y, pred, rng.uniform(0.5, 2.0, n))
        sums = gs.resample_sums(group, 2, stats, resamples, seed=run, max_blocks=max_blocks)
        mae = gs.metric_values(sums, ["mae"])["mae"]
        lo, hi = np.percentile(mae[:, 1] - mae[:, 0], [2.5, 97.5])
        covered += lo <= truth <= hi
    assert 0.91 <= covered / runs <= 0.985, f"covered the true gap in {covered / runs:.1%} of {runs} runs"
