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
