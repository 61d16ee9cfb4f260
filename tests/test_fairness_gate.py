"""The fairness gate as users meet it: verdicts on built-in disparities, small groups, the table, bad input."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest

import pytest_mlgate.gates.fairness  # noqa: F401  (loaded once in the outer process, see conftest)
from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.results import GateError, GateFailure

from quiet import quiet  # isort: skip

#: Exact counts, no randomness: group -> (rows, selected rows among y=1 rows, selected among y=0 rows)
DATA = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd

    def make(groups):
        '''groups: name -> (positives, negatives, tpr, fpr): rows with exactly those rates, shuffled.'''
        parts = []
        for name, (pos, neg, tpr, fpr) in groups.items():
            y = np.r_[np.ones(pos, int), np.zeros(neg, int)]
            pred = np.r_[np.arange(pos) < round(tpr * pos), np.arange(neg) < round(fpr * neg)].astype(int)
            parts.append(pd.DataFrame({"sex": name, "y": y, "pred": pred}))
        frame = pd.concat(parts, ignore_index=True)
        return frame.sample(frac=1.0, random_state=0).reset_index(drop=True)

    FAIR = {"F": (500, 500, 0.6, 0.2), "M": (500, 500, 0.6, 0.2)}
    UNFAIR = {"F": (500, 500, 0.4, 0.1), "M": (500, 500, 0.7, 0.3)}
    """
)


def make(groups: dict[str, tuple[int, int, float, float]]) -> pd.DataFrame:
    namespace: dict[str, object] = {}
    exec(DATA, namespace)
    return namespace["make"](groups)  # type: ignore[operator]


FAIR = {"F": (500, 500, 0.6, 0.2), "M": (500, 500, 0.6, 0.2)}
UNFAIR = {"F": (500, 500, 0.4, 0.1), "M": (500, 500, 0.7, 0.3)}
QUICK = GateSettings(n_resamples=200)


def _check(frame: pd.DataFrame, **kwargs: object) -> list:
    settings = kwargs.pop("settings", QUICK)
    return quiet(FairnessGate, settings=settings).check(  # type: ignore[arg-type]
        None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex", **kwargs)  # type: ignore[arg-type]


# --- verdicts --------------------------------------------------------------------------------------------


def test_built_in_disparity_fails_through_pytest_and_the_table_shows_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DATA + textwrap.dedent(
        """
        def test_fair(fairness_gate):
            frame = make(UNFAIR)
            fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex",
                                max_difference={"demographic_parity": 0.1, "equalized_odds": 0.1})
        """
    ))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fairness.check demographic_parity_difference = 0.25 (98% CI [[]*], n=2000), required <= 0.1: "
        "above the maximum by 0.15*",
        "*selection rate (between_groups): 0.25 *; highest 0.5 in 'M', lowest 0.25 in 'F'*",
        "*per group:*",
        "*sex*count*selection rate [[]98% CI]*TPR [[]98% CI]*FPR [[]98% CI]*",
        "*F*1000*0.25 [[]*]*0.4 [[]*]*0.1 [[]*]*",
        "*M*1000*0.5 [[]*]*0.7 [[]*]*0.3 [[]*]*",
        "*What to do:*max_difference={'demographic_parity': ...}*",
    ])


def test_disparity_removed_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DATA + textwrap.dedent(
        """
        def test_fair(fairness_gate):
            frame = make(FAIR)
            results = fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex",
                                          max_difference={"demographic_parity": 0.1, "equalized_odds": 0.1},
                                          min_ratio={"demographic_parity": 0.8})
            assert [r.status for r in results] == ["pass", "pass", "pass"]
            assert results[0].value == 0
        """
    ))
    result = pytester.runpytest("--mlgate-report=report.json")
    result.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "report.json").read_text())
    rows = report["results"]
    assert [r["subject"] for r in rows] == ["demographic_parity_difference", "equalized_odds_difference",
                                            "demographic_parity_ratio"]
    assert all(r["status"] == "pass" for r in rows)
    table = rows[0]["details"]["groups"]
    assert [(g["group"], g["count"], g["selection_rate"]) for g in table] == [("F", 1000, 0.4), ("M", 1000, 0.4)]
    assert rows[1]["details"]["components"][0]["metric"] == "true_positive_rate"


def test_each_disparity_is_its_own_result_with_the_table_in_details() -> None:
    with pytest.raises(GateFailure) as info:
        FairnessGate(settings=QUICK).check(
            None, make(UNFAIR), make(UNFAIR)["y"], y_pred=make(UNFAIR)["pred"], sensitive_features="sex",
            max_difference={"equal_opportunity": 0.1, "accuracy": 0.5}, min_ratio={"demographic_parity": 0.8},
            show=["precision"],
        )
    failed = {r.subject: r for r in info.value.results}
    assert set(failed) == {"equal_opportunity_difference", "demographic_parity_ratio"}
    ratio = failed["demographic_parity_ratio"]
    assert ratio.value == pytest.approx(0.5)
    assert ratio.interval is not None and ratio.interval[1] < 0.8
    details = json.loads(json.dumps(ratio.to_dict()))["details"]
    assert [row["group"] for row in details["groups"]] == ["F", "M"]
    female = details["groups"][0]
    assert female["count"] == 1000 and female["selection_rate"] == pytest.approx(0.25)
    assert female["true_positive_rate"] == pytest.approx(0.4) and female["false_positive_rate"] == pytest.approx(0.1)
    assert female["precision"] == pytest.approx(0.2 / 0.25)
    lo, hi = female["selection_rate_interval"]
    assert lo < 0.25 < hi
    assert details["extremes"] == [{"metric": "selection_rate", "highest": "M", "highest_value": 0.5,
                                    "lowest": "F", "lowest_value": 0.25}]


def test_a_small_group_alone_never_flips_the_verdict() -> None:
    """Groups below min_group_size are left out; a group just above it needs evidence, not noise, to fail."""
    base = {"A": (1000, 1000, 0.6, 0.2), "B": (1000, 1000, 0.6, 0.2)}
    tiny = make({**base, "tiny": (10, 10, 1.0, 1.0)})  # selects everyone, but has only 20 rows
    (result,) = _check(tiny, max_difference={"demographic_parity": 0.1})
    assert result.status == "pass" and result.value == 0
    assert result.details["too_small"] == [{"group": "tiny", "count": 20}]
    assert "too small to judge (fewer than min_group_size=30 rows, left out of the disparity): 'tiny' (20 rows)" \
        in result.message
    # 40 rows whose selection rate is 0.2 below the others: the point value exceeds 0.1, the evidence does not
    small = make({**base, "small": (20, 20, 0.4, 0.0)})
    (result,) = _check(small, max_difference={"demographic_parity": 0.1})
    assert result.value == pytest.approx(0.2)
    assert result.status == "inconclusive"
    assert result.interval is not None and result.interval[0] <= 0.1 < result.interval[1]
    assert "inconclusive: the interval reaches across the limit 0.1, so the data cannot tell yet" in result.message
    assert result.details["decide"]["rows_needed"] > result.n
    # the same gap in a large group is evidence
    large = make({**base, "large": (1000, 1000, 0.4, 0.0)})
    (result,) = _check(large, max_difference={"demographic_parity": 0.1})
    assert result.status == "fail" and result.value == pytest.approx(0.2)
    # decision="point" judges the point value alone, small group or not
    (result,) = _check(small, max_difference={"demographic_parity": 0.1}, decision="point")
    assert result.status == "fail"


def test_no_group_flips_the_verdict_by_noise_across_seeds() -> None:
    """Equal true rates in three groups (one of 40 rows), limit at 0.1: the interval rule rarely fails."""
    failures = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        sex = np.r_[np.repeat(["A", "B"], 1500), np.repeat("small", 40)]
        y = rng.integers(0, 2, sex.size)
        pred = (rng.random(sex.size) < 0.5).astype(int)
        gate = quiet(FairnessGate, settings=GateSettings(n_resamples=200, seed=seed))
        (result,) = gate.check(None, None, y, y_pred=pred, sensitive_features=sex,
                               max_difference={"demographic_parity": 0.1})
        failures += result.status == "fail"
    assert failures <= 1


def test_intersectional_groups_from_a_list_of_columns_and_a_model() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    n = 3000
    X = pd.DataFrame({"sex": rng.integers(0, 2, n), "age_band": rng.integers(0, 2, n), "x": rng.normal(size=n)})
    y = (X["x"] + 1.5 * X["sex"] + rng.normal(size=n) > 0.5).astype(int)
    model = LogisticRegression().fit(X, y)
    (result,) = quiet(FairnessGate, settings=QUICK).check(model, X, y, sensitive_features=["sex", "age_band"],
                               max_difference={"demographic_parity": 0.1})
    assert result.status == "fail"
    assert [row["features"] for row in result.details["groups"]] == [
        {"sex": 0, "age_band": 0}, {"sex": 0, "age_band": 1}, {"sex": 1, "age_band": 0}, {"sex": 1, "age_band": 1}]
    assert "sex / age_band" in result.message
    from fairlearn.metrics import demographic_parity_difference

    assert result.value == pytest.approx(demographic_parity_difference(
        y, model.predict(X), sensitive_features=X[["sex", "age_band"]]), abs=1e-12)


def test_intersectional_groups_of_many_columns_keep_every_label(pytester: pytest.Pytester) -> None:
    """8 columns x 300 values: the combined code would overflow int64 if multiplied out (300**8 > 2**63); each
    group's labels are still exactly its rows' values, in sorted order, and the numbers equal fairlearn's."""
    pytester.makepyfile(textwrap.dedent(
        """
        import numpy as np
        import pandas as pd

        def test_many_columns(fairness_gate):
            rng = np.random.default_rng(0)
            group = np.repeat(np.arange(300), 40)
            X = pd.DataFrame({f"c{j}": rng.permutation(300)[group] * 7 + j for j in range(8)})
            y = rng.integers(0, 2, group.size)
            pred = rng.integers(0, 2, group.size)
            (result,) = fairness_gate.check(None, X, y, y_pred=pred, sensitive_features=list(X.columns),
                                            max_difference={"demographic_parity": 1.0})
            rows = result.details["groups"]
            assert len(rows) == 300
            expected = X.drop_duplicates().sort_values(list(X.columns)).to_dict("records")
            assert [row["features"] for row in rows] == expected
            # fairlearn's MetricFrame refuses this many columns ("Product space too large"); pandas groups them
            theirs = pd.Series(pred).groupby([X[c] for c in X.columns]).mean()
            for row in rows:
                assert row["selection_rate"] == theirs.loc[tuple(row["features"].values())]
            assert result.value == theirs.max() - theirs.min()
        """
    ))
    pytester.makeini("[pytest]\nmlgate_n_resamples = 50\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_sensitive_features_as_values_dataframe_and_polars() -> None:
    frame = make(UNFAIR)
    by_name = _check(frame, max_difference={"demographic_parity": 1})[0].value
    gate = quiet(FairnessGate, settings=QUICK)
    as_series = gate.check(None, None, frame["y"], y_pred=frame["pred"], sensitive_features=frame["sex"],
                           max_difference={"demographic_parity": 1})[0]
    assert as_series.value == by_name and "sex" in as_series.message
    as_frame = gate.check(None, None, frame["y"], y_pred=frame["pred"], sensitive_features=frame[["sex"]],
                          max_difference={"demographic_parity": 1})[0]
    assert as_frame.value == by_name
    pl = pytest.importorskip("polars")
    polars_x = pl.DataFrame({c: frame[c].to_numpy() for c in frame.columns})
    as_polars = gate.check(None, polars_x, frame["y"], y_pred=frame["pred"], sensitive_features="sex",
                           max_difference={"demographic_parity": 1})[0]
    assert as_polars.value == by_name


def test_weighted_check_reports_weights_and_matches_unweighted_with_unit_weights() -> None:
    frame = make(UNFAIR)
    plain = _check(frame, max_difference={"equalized_odds": 1})[0]
    weighted = _check(frame, max_difference={"equalized_odds": 1}, sample_weight=np.ones(len(frame)))[0]
    assert weighted.value == plain.value
    assert weighted.details["groups"][0]["weight"] == 1000.0
    assert weighted.interval is not None and plain.interval is not None
    assert weighted.interval == pytest.approx(plain.interval, abs=0.05)


def test_string_labels_with_pos_label() -> None:
    frame = make(UNFAIR)
    y = np.where(frame["y"] == 1, "approved", "denied")
    pred = np.where(frame["pred"] == 1, "approved", "denied")
    with pytest.raises(GateError, match=r"labels are \['approved', 'denied'\].*pos_label="):  # issue 12: no guess
        quiet(FairnessGate, settings=QUICK).check(None, frame, y, y_pred=pred, sensitive_features="sex",
                       max_difference={"demographic_parity": 1})
    (result,) = quiet(FairnessGate, settings=QUICK).check(None, frame, y, y_pred=pred, sensitive_features="sex",
                               max_difference={"demographic_parity": 1}, pos_label="approved")
    assert result.value == pytest.approx(0.25)
    (flipped,) = quiet(FairnessGate, settings=QUICK).check(None, frame, y, y_pred=pred, sensitive_features="sex",
                                max_difference={"demographic_parity": 1}, pos_label="denied")
    assert flipped.value == pytest.approx(0.25)
    assert flipped.details["groups"][0]["selection_rate"] == pytest.approx(0.75)


def test_multiclass_accuracy_by_group() -> None:
    rng = np.random.default_rng(1)
    sex = np.repeat(["F", "M"], 500)
    y = rng.integers(0, 3, 1000)
    pred = np.where(rng.random(1000) < np.where(sex == "F", 0.9, 0.5), y, (y + 1) % 3)
    (result,) = quiet(FairnessGate, settings=QUICK).check(None, None, y, y_pred=pred, sensitive_features=sex,
                               max_difference={"accuracy": 0.1})
    assert result.status == "fail"
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import accuracy_score

    reference = MetricFrame(metrics=accuracy_score, y_true=y, y_pred=pred, sensitive_features=sex).difference()
    assert result.value == pytest.approx(reference, abs=1e-12)


# --- bad input: each through pytest, showing the message ---------------------------------------------------


BAD_INPUTS = {
    "wrong_length": (
        'fairness_gate.check(None, None, frame["y"], y_pred=frame["pred"], sensitive_features=frame["sex"][:-5],\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*inputs have mismatched lengths: y has 2000, predictions has 2000, sensitive_features has 1995 rows*",
    ),
    "wrong_length_list_of_strings": (
        'fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features=["F", "M", "F"],\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*sensitive_features is a list of 3 strings but y has 2000 rows, and none of them is a column of X "
        "(columns: 'sex', 'y', 'pred'): pass one value per row (2000), or names of X's columns*",
    ),
    "wrong_length_values_without_x": (
        'fairness_gate.check(None, None, frame["y"], y_pred=frame["pred"], sensitive_features=list(frame["sex"][1:]),\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*sensitive_features is a list of 1999 strings but y has 2000 rows, and X was not given*",
    ),
    "wrong_length_frame": (
        'fairness_gate.check(None, None, frame["y"], y_pred=frame["pred"], sensitive_features=frame[["sex"]][:7],\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*inputs have mismatched lengths: y has 2000, predictions has 2000, sensitive_features has 7 rows*",
    ),
    "missing_column": (
        'fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="gender",\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*sensitive feature column(s) 'gender' not found in X; X has columns 'sex', 'y', 'pred'*",
    ),
    "nan_in_sensitive_feature": (
        'frame.loc[[3, 7], "sex"] = None\n'
        'fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex",\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*sensitive feature 'sex' has 2 missing value(s) (first at row 3); every row must belong to a group. "
        "To make them a group of their own, fill them first, e.g. X[[]'sex'].fillna(\"unknown\")*",
    ),
    "no_positives_for_tpr": (
        'frame = make({"F": (0, 500, 0.0, 0.1), "M": (500, 500, 0.7, 0.3)})\n'
        'fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex",\n'
        '                    max_difference={"equal_opportunity": 0.1})',
        "*true_positive_rate is undefined for group(s) 'F': they have no rows with a positive label "
        "(y_true == 1). fairlearn reports 0 there*",
    ),
    "non_binary_predictions": (
        'scores = np.linspace(0.01, 0.99, len(frame))\n'
        'fairness_gate.check(None, frame, frame["y"], y_pred=scores, sensitive_features="sex",\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*selection_rate need(s) binary labels and predictions, but the predictions take 2000 distinct values*"
        "threshold them first (y_pred=scores >= threshold)*",
    ),
    "fewer_than_two_large_groups": (
        'frame = make({"F": (10, 10, 0.5, 0.5), "M": (500, 500, 0.7, 0.3)})\n'
        'fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex",\n'
        '                    max_difference={"demographic_parity": 0.1})',
        "*fewer than two groups have at least min_group_size=30 rows, so no disparity can be judged; "
        "groups: 'F' (20 rows), 'M' (1000 rows)*",
    ),
    "unknown_disparity": (
        'fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex",\n'
        '                    max_difference={"demographic_parit": 0.1})',
        "*unknown disparity 'demographic_parit'. Did you mean 'demographic_parity'?*",
    ),
    "no_limits": (
        'fairness_gate.check(None, frame, frame["y"], y_pred=frame["pred"], sensitive_features="sex")',
        "*no disparity to check: pass max_difference=*",
    ),
}


def test_bad_input_is_a_gate_error_naming_the_problem(pytester: pytest.Pytester) -> None:
    """One pytest run with a test per bad input: each fails with a GateError whose message names the problem
    (a recorded "error" row, not a failed gate and not an internal traceback)."""
    tests = [f"\ndef test_{case}(fairness_gate):\n    frame = make(UNFAIR)\n{textwrap.indent(call, '    ')}\n"
             for case, (call, _) in BAD_INPUTS.items()]
    pytester.makepyfile(DATA + "".join(tests))
    result = pytester.runpytest()
    result.assert_outcomes(failed=len(BAD_INPUTS))
    for case, (_, expected) in BAD_INPUTS.items():
        result.stdout.fnmatch_lines([f"*_ test_{case} _*", "E *GateError: " + expected.lstrip("*")])
    result.stdout.fnmatch_lines([f"*{len(BAD_INPUTS)} error*"])
    result.stdout.no_fnmatch_line("*GateFailure*")


def test_ratio_undefined_when_a_group_selects_no_one() -> None:
    frame = make({"F": (500, 500, 0.0, 0.0), "M": (500, 500, 0.0, 0.0)})
    with pytest.raises(GateError, match="demographic_parity_ratio is undefined"):
        _check(frame, min_ratio={"demographic_parity": 0.8})


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_difference": {"demographic_parity": -0.1}}, "is negative"),
    ({"min_ratio": {"demographic_parity": 1.2}}, "must lie in"),
    ({"max_difference": {"demographic_parity": 0.1}, "method": "pairwise"}, "method must be"),
    ({"max_difference": {"equalized_odds": 0.1}, "agg": "max"}, "agg must be"),
    ({"max_difference": {"demographic_parity": 0.1}, "min_group_size": -1}, "min_group_size"),
    ({"max_difference": {"demographic_parity": 0.1}, "sample_weight": -np.ones(2000)}, "negative"),
    ({"max_difference": {"demographic_parity": 0.1}, "show": "accuracy"}, "list of metric names"),
    ({"max_difference": {"demographic_parity": 0.1}, "metrics": ["accuracy"]},
     r"metrics= names the metrics that are gated, in every gate; .* pass show=\['accuracy'\]"),
    ({"max_difference": {"demographic_parity": 0.1}, "zero_division": "warn"}, "zero_division must be 0 or 1"),
    ({"max_difference": {"mae": 0.1, "demographic_parity": 0.1}}, "classification metrics .* and regression"),
    ({"min_ratio": {"r2": 0.8}}, "r2 can be negative"),
])
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(GateError, match=message):
        _check(make(UNFAIR), **kwargs)


def test_a_group_nobody_is_selected_from_fails_the_ratio_with_certainty() -> None:
    frame = make({"F": (500, 500, 0.0, 0.0), "M": (500, 500, 0.6, 0.2)})
    (result,) = _check(frame, min_ratio={"demographic_parity": 0.8})
    assert result.status == "fail" and result.value == 0 and result.interval == (0.0, 0.0)


def test_a_shown_metric_undefined_in_a_group_is_a_dash_not_an_error() -> None:
    frame = make({"F": (500, 500, 0.0, 0.0), "M": (500, 500, 0.0, 0.0), "X": (500, 500, 0.1, 0.0)})
    (result,) = _check(frame, max_difference={"demographic_parity": 0.2}, show=["precision"])
    assert result.status == "pass"
    assert [row["precision"] for row in result.details["groups"]] == [None, None, 1.0]
    f_line = next(line for line in result.message.splitlines() if line.startswith("    F "))
    assert f_line.endswith(" -")
    with pytest.raises(GateError, match="precision is undefined for group"):
        _check(frame, max_difference={"precision": 0.2})


def test_labels_of_different_kinds_and_unnamed_missing_groups_are_explained() -> None:
    frame = make(UNFAIR)
    with pytest.raises(GateError, match="y and the predictions use different kinds of labels"):
        quiet(FairnessGate).check(None, None, np.where(frame["y"] == 1, "yes", "no"), y_pred=frame["pred"],
                       sensitive_features=frame["sex"], max_difference={"demographic_parity": 0.1})
    values = np.where(np.arange(len(frame)) % 7 == 0, np.nan, 1.0)
    with pytest.raises(GateError, match=r'sensitive_features=pd\.Series\(values\)\.fillna\("unknown"\)'):
        quiet(FairnessGate).check(None, None, frame["y"], y_pred=frame["pred"], sensitive_features=values,
                       max_difference={"demographic_parity": 0.1})
