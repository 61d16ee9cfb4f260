"""statsmodels' McNemar reference cases, through ``baseline_gate.compare_models`` (accuracy, margin 0, where the
gate runs McNemar's exact test on the rows only one model got right): tables and expected values carried over
from statsmodels' own tests, each citing file and test, at that test's tolerance. ``alternative="two-sided"`` is
statsmodels' ``mcnemar(table, exact=True)``; the default ``"less"`` is its one-sided half. Plus scipy's ks_2samp
options on random samples through the drift gate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from pytest_mlgate import GateError
from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.gates.data import DataGate
from pytest_mlgate.stats.paired import mcnemar_counts

from quiet import quiet  # isort: skip

NP = "statsmodels/stats/tests/test_nonparametric.py"
CT = "statsmodels/stats/tests/test_contingency_tables.py"

# (source, 2 x 2 table [[both right, only champion right], [only challenger right, both wrong]], exact two-sided
#  p-value, statistic = the smaller discordant count, absolute tolerance of that test)
CASES = [
    # test_mcnemar_exact ("vassar college online computation"), assert_almost_equal(..., decimal=6)
    (f"{NP}::test_mcnemar_exact f_obs1", [[101, 121], [59, 33]], 0.000004, 59, 1.5e-6),
    (f"{NP}::test_mcnemar_exact f_obs2", [[101, 70], [59, 33]], 0.378688, 59, 1.5e-6),
    (f"{NP}::test_mcnemar_exact f_obs3", [[101, 80], [59, 33]], 0.089452, 59, 1.5e-6),
    (f"{NP}::test_mcnemar_exact f_obs4", [[101, 30], [60, 33]], 0.00206, 30, 1.5e-6),
    (f"{NP}::test_mcnemar_exact f_obs5", [[101, 10], [30, 33]], 0.002221, 10, 1.5e-6),
    (f"{NP}::test_mcnemar_exact f_obs6", [[101, 10], [10, 33]], 1.0, 10, 1.5e-6),
    # test_mcnemar: b4 = mcnemar(tables[0], exact=True) against R's binomial p (results/
    # contingency_table_r_results.csv, homog_binom_p), assert_allclose's default rtol=1e-7
    (f"{CT}::test_mcnemar tables[0]", [[23, 15], [19, 31]], 0.60759136127308, 15, 0.60759136127308 * 1e-7),
]


def _rows(table: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels and two models' predictions whose right/wrong cross-table is ``table``."""
    (both, only_a), (only_b, neither) = table
    right_a = np.repeat([True, True, False, False], [both, only_a, only_b, neither])
    right_b = np.repeat([True, False, True, False], [both, only_a, only_b, neither])
    y = np.ones(right_a.size, dtype=int)
    return y, right_a.astype(int), right_b.astype(int)


def _mcnemar(table: list[list[int]], **kwargs: object) -> dict:
    y, pred_a, pred_b = _rows(table)
    gate = quiet(BaselineGate, GateSettings(n_resamples=50))
    [result] = gate.compare_models(y_true=y, y_pred=(pred_a, pred_b), metric="accuracy", margin=0, **kwargs)
    return dict(result.details)


@pytest.mark.parametrize(("source", "table", "p_value", "statistic", "atol"), CASES, ids=[c[0] for c in CASES])
def test_mcnemar_exact_two_sided_reference_case(source: str, table: list, p_value: float, statistic: int,
                                                atol: float) -> None:
    details = _mcnemar(table, alternative="two-sided")
    assert details["test"] == "mcnemar_exact" and details["alternative"] == "two-sided"
    assert min(details["only_champion_right"], details["only_challenger_right"]) == statistic
    assert details["p_value"] == pytest.approx(p_value, abs=atol)


@pytest.mark.parametrize(("source", "table", "p_value", "statistic", "atol"), CASES, ids=[c[0] for c in CASES])
def test_mcnemar_one_sided_default_is_the_lower_binomial_tail(source: str, table: list, p_value: float,
                                                              statistic: int, atol: float) -> None:
    (_, only_a), (only_b, _) = table
    details = _mcnemar(table)  # "less": the challenger is less accurate
    assert details["alternative"] == "less"
    assert details["p_value"] == pytest.approx(binom.cdf(only_b, only_a + only_b, 0.5), rel=1e-12)
    if only_b <= only_a:  # the smaller count is the challenger's: two-sided is twice this (capped at 1)
        assert min(1.0, 2 * details["p_value"]) == pytest.approx(p_value, abs=atol)


@pytest.mark.parametrize("cells", [(0, 0), (8, 0), (10, 1), (1, 5), (3, 3), (12, 2), (0, 29), (59, 6)])
def test_mcnemar_two_sided_equals_statsmodels_exact(cells: tuple[int, int]) -> None:
    statsmodels = pytest.importorskip("statsmodels.stats.contingency_tables")
    only_a, only_b = cells
    theirs = statsmodels.mcnemar(np.array([[5, only_a], [only_b, 7]]), exact=True).pvalue
    assert mcnemar_counts(only_a, only_b, "two-sided").p_value == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert _mcnemar([[5, only_a], [only_b, 7]], alternative="two-sided")["p_value"] == pytest.approx(
        theirs, rel=1e-12, abs=1e-15)


def test_mcnemar_alternative_is_checked() -> None:
    y, pred_a, pred_b = _rows([[5, 3], [1, 4]])
    gate = quiet(BaselineGate, GateSettings(n_resamples=20))
    with pytest.raises(GateError, match="alternative must be 'less' or 'two-sided'"):
        gate.compare_models(y_true=y, y_pred=(pred_a, pred_b), metric="accuracy", margin=0, alternative="greater")
    with pytest.raises(GateError, match=r"alternative='two-sided' is McNemar's.*paired bootstrap decides"):
        gate.compare_models(y_true=y, y_pred=(pred_a, pred_b), metric="accuracy", margin=0.01,
                            alternative="two-sided")


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("method", ["auto", "exact", "asymp"])
def test_drift_ks_options_equal_scipy(alternative: str, method: str) -> None:
    from scipy.stats import ks_2samp

    rng = np.random.default_rng(1)
    ref, cur = rng.normal(size=60), rng.normal(0.4, 1, size=45)
    [*_, result] = quiet(DataGate).drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur}), alternative=alternative,
                               method=method)
    row = result.details
    theirs = ks_2samp(ref, cur, alternative=alternative, method=method)
    assert row["statistic"] == pytest.approx(theirs.statistic, abs=1e-12)
    assert row["p_value"] == pytest.approx(theirs.pvalue, rel=1e-9)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.98])
def test_midp_interval_solves_its_equations_and_lies_inside_clopper_pearson(confidence: float) -> None:
    """Each end leaves the tail of the binomial's mass beyond it, with half the observed count's probability
    (scipy's binomial); the interval lies inside statsmodels' Clopper-Pearson interval ("beta") and in [0, 1]."""
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    from scipy.stats import binom

    from pytest_mlgate.stats.proportion import midp_interval

    trials = np.array([1, 5, 20, 20, 20, 50, 100, 199, 7])
    successes = np.array([0, 5, 0, 7, 20, 31, 99, 1, 3])
    lo, hi = midp_interval(successes, trials, confidence)
    tail = (1 - confidence) / 2
    inner = (successes > 0) & (successes < trials)
    k, n = successes[inner], trials[inner]
    assert binom.sf(k, n, lo[inner]) + binom.pmf(k, n, lo[inner]) / 2 == pytest.approx(tail, abs=1e-9)
    assert binom.cdf(k - 1, n, hi[inner]) + binom.pmf(k, n, hi[inner]) / 2 == pytest.approx(tail, abs=1e-9)
    assert np.all(lo[successes == 0] == 0) and np.all(hi[successes == trials] == 1)
    their_lo, their_hi = proportion.proportion_confint(successes, trials, alpha=1 - confidence, method="beta")
    assert np.all((their_lo - 1e-12 <= lo) & (hi <= their_hi + 1e-12))
    assert np.all((lo >= 0) & (lo <= successes / trials) & (successes / trials <= hi) & (hi <= 1))
