"""fairlearn's reference cases through the fairness gate.

Inputs are fairlearn's ``test/unit/metrics/data_for_test.py`` (``y_t``, ``y_p``, ``s_w`` and the groupings
``g_1`` ... ``g_4``); the cases are those of ``test/unit/metrics/test_fairness_metrics.py`` (each
``test_<disparity>_<difference|ratio>[_weighted]`` over ``method`` and ``agg``), whose expected value is
fairlearn's own function on the same inputs, compared exactly there and here to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

from pytest_mlgate import FairnessGate, GateSettings

Y_T = np.asarray([1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1,
                  1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0,
                  0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1,
                  1, 1, 1, 1, 1, 1, 1, 1])
Y_P = np.asarray([0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1,
                  1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0,
                  1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1,
                  1, 1, 1, 1, 1, 1, 1, 1])
S_W = np.asarray([1, 2, 3, 1, 2, 1, 2, 3, 1, 1, 1, 2, 3, 3, 1, 2, 1, 1, 1, 2, 3,
                  2, 2, 1, 2, 1, 3, 1, 3, 1, 4, 1, 2, 1, 3, 2, 3, 3, 4, 1, 4, 1,
                  3, 1, 1, 1, 2, 3, 3, 1, 2, 1, 1, 1, 2, 3, 1, 1, 2, 3, 2, 1, 2,
                  2, 3, 2, 3, 2, 3, 4, 1])


def _groups(names: list[str], run: int) -> np.ndarray:  # data_for_test.array_gen
    return np.asarray([names[(x // run) % len(names)] for x in range(len(Y_T))])


GROUPINGS = {"g_1": _groups(["aa", "ba"], 2), "g_2": _groups(["f", "g"], 3), "g_3": _groups(["kk", "m"], 4),
             "g_4": _groups(["pp", "q"], 5)}
FAIRLEARN = {
    ("demographic_parity", "difference"): "demographic_parity_difference",
    ("demographic_parity", "ratio"): "demographic_parity_ratio",
    ("equalized_odds", "difference"): "equalized_odds_difference",
    ("equalized_odds", "ratio"): "equalized_odds_ratio",
    ("equal_opportunity", "difference"): "equal_opportunity_difference",
    ("equal_opportunity", "ratio"): "equal_opportunity_ratio",
}
CASES = [
    (disparity, kind, method, agg, weighted, grouping)
    for (disparity, kind) in FAIRLEARN
    for method in ("between_groups", "to_overall")
    for agg in (("worst_case", "mean") if disparity == "equalized_odds" else ("worst_case",))
    for weighted in (False, True)
    for grouping in GROUPINGS
]


@pytest.mark.parametrize(("disparity", "kind", "method", "agg", "weighted", "grouping"), CASES,
                         ids=["-".join(map(str, c)) for c in CASES])
def test_fairness_metrics_reference_case(disparity: str, kind: str, method: str, agg: str, weighted: bool,
                                         grouping: str) -> None:
    import fairlearn.metrics as flm

    groups = GROUPINGS[grouping]
    weights = S_W if weighted else None
    options = {"agg": agg} if disparity == "equalized_odds" else {}
    expected = getattr(flm, FAIRLEARN[disparity, kind])(Y_T, Y_P, sensitive_features=groups, method=method,
                                                        sample_weight=weights, **options)
    limit = {"max_difference": {disparity: 1.0}} if kind == "difference" else {"min_ratio": {disparity: 0.0}}
    gate = FairnessGate(settings=GateSettings(n_resamples=20))
    [result] = gate.check(y_true=Y_T, y_pred=Y_P, sensitive_features=groups, method=method, agg=agg,
                          sample_weight=weights, min_group_size=1, decision="point", **limit)
    assert result.value == pytest.approx(expected, abs=1e-12)


SR = "test/unit/metrics/test_selection_rate.py"
BM = "test/unit/metrics/test_base_metrics.py"
A, B = "a", "b"
# (fairlearn test, y_true, y_pred, sample_weight, pos_label, our per-group metric, fairlearn's metric, expected):
# fairlearn's literal expected values; TNR and FNR are read as 1 - false_positive_rate and 1 - true_positive_rate
LITERAL = [
    (f"{SR}::test_selection_rate_unweighted", [0] * 8, [0, 0, 0, 1, 1, 1, 1, 1], None, None, "selection_rate",
     "selection_rate", 0.625),
    (f"{SR}::test_selection_rate_weighted", [0] * 8, [0, 1, 1, 0, 0, 0, 0, 0], [1, 2, 3, 4, 1, 2, 1, 2], None,
     "selection_rate", "selection_rate", 0.3125),
    (f"{SR}::test_selection_rate_non_numeric", [A, B, A, B, A, B, A, B], [A, A, A, B, B, B, A, A], None, B,
     "selection_rate", "selection_rate", 0.375),
    *[(f"{BM}::TestTPR::{test}", [0, 0, 0, 0, 1], pred, None, pos, "true_positive_rate", "true_positive_rate", e)
      for test, pred, pos, e in [("test_all_correct", [0, 0, 0, 0, 1], None, 1),
                                 ("test_all_correct", [0, 0, 0, 0, 1], 0, 1),
                                 ("test_none_correct", [1, 1, 1, 1, 0], None, 0),
                                 ("test_none_correct", [1, 1, 1, 1, 0], 0, 0)]],
    *[(f"{BM}::TestTPR::test_some_correct", [0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0, 0], None, pos,
       "true_positive_rate", "true_positive_rate", e) for pos, e in [(None, 0.25), (0, 0.75)]],
    *[(f"{BM}::TestTNR::{test}", y, pred, None, pos, "false_positive_rate", "true_negative_rate", e)
      for test, y, pred, pos, e in [
          ("test_all_correct", [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], None, 1),
          ("test_all_correct", [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], 0, 1),
          ("test_none_correct", [0, 0, 0, 0, 1], [1, 1, 1, 1, 0], None, 0),
          ("test_none_correct", [0, 0, 0, 0, 1], [1, 1, 1, 1, 0], 0, 0),
          ("test_some_correct", [-1, -1, -1, -1, 1], [-1, -1, -1, 1, 1], None, 0.75),
          ("test_some_correct", [-1, -1, -1, -1, 1], [-1, -1, -1, 1, 1], -1, 1),
          ("test_some_correct_other_labels", [B, B, B, B, A], [B, B, B, A, A], B, 1),
          ("test_some_correct_other_labels", [B, B, B, B, A], [B, B, B, A, A], A, 0.75),
          ("test_tnr_some_correct_with_false_negative", [0, 0, 0, 0, 1], [0, 0, 1, 0, 0], None, 0.75)]],
    *[(f"{BM}::TestFNR::{test}", y, pred, None, pos, "true_positive_rate", "false_negative_rate", e)
      for test, y, pred, pos, e in [
          ("test_all_correct", [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], None, 0),
          ("test_none_correct", [0, 0, 0, 0, 1], [1, 1, 1, 1, 0], None, 1),
          ("test_with_false_positive", [0, 0, 0, 0, 1], [0, 0, 0, 1, 1], None, 0),
          ("test_some_correct", [1, 1, 1, 1, 0, 0], [0, 0, 1, 0, 0, 1], None, 0.75),
          ("test_some_correct", [1, 1, 1, 1, 0, 0], [0, 0, 1, 0, 0, 1], 1, 0.75),
          ("test_some_correct", [1, 1, 1, 1, 0, 0], [0, 0, 1, 0, 0, 1], 0, 0.5),
          ("test_some_correct_other_labels", [A, A, A, A, B, B], [B, B, A, B, B, A], A, 0.75),
          ("test_some_correct_other_labels", [A, A, A, A, B, B], [B, B, A, B, B, A], B, 0.5)]],
    *[(f"{BM}::TestFPR::{test}", y, pred, None, pos, "false_positive_rate", "false_positive_rate", e)
      for test, y, pred, pos, e in [
          ("test_all_correct", [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], None, 0),
          ("test_none_correct", [0, 0, 0, 0, 1], [1, 1, 1, 1, 0], None, 1),
          ("test_some_correct", [-1, -1, -1, -1, 1, 1, 1], [-1, 1, 1, -1, -1, 1, -1], None, 0.5),
          ("test_some_correct", [-1, -1, -1, -1, 1, 1, 1], [-1, 1, 1, -1, -1, 1, -1], 1, 0.5),
          ("test_some_correct", [-1, -1, -1, -1, 1, 1, 1], [-1, 1, 1, -1, -1, 1, -1], -1, 0.6666667)]],
]


@pytest.mark.parametrize(("test", "y_true", "y_pred", "weight", "pos_label", "ours", "theirs", "expected"),
                         LITERAL, ids=[f"{c[0]}-{c[6]}-pos_label={c[4]}" for c in LITERAL])
def test_fairlearn_literal_reference_case(test: str, y_true: list, y_pred: list, weight: list | None,
                                          pos_label: object, ours: str, theirs: str, expected: float) -> None:
    """The rows twice, as two identical groups (a gate needs two): each group's rate is the test's value
    (``assert result == value`` there; 1e-12 here, fairlearn's pytest.approx default for 0.6666667)."""
    groups = ["x"] * len(y_true) + ["y"] * len(y_true)
    gate = FairnessGate(settings=GateSettings(n_resamples=20))
    [result] = gate.check(y_true=np.asarray(y_true * 2), y_pred=np.asarray(y_pred * 2), sensitive_features=groups,
                          max_difference={"demographic_parity": 1.0}, show=[ours], min_group_size=1,
                          sample_weight=None if weight is None else weight * 2, pos_label=pos_label,
                          decision="point")
    assert [group["group"] for group in result.details["groups"]] == ["x", "y"]
    for group in result.details["groups"]:
        rate = group[ours] if theirs == ours else 1 - group[ours]
        tolerance = 1e-6 * expected if expected == 0.6666667 else 1e-12
        assert rate == pytest.approx(expected, abs=tolerance)
