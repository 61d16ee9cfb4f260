"""scipy's reference cases for the two-sample KS test, through the drift gate's ``alternative=`` / ``method=``.

Every case is from ``scipy/stats/tests/test_stats.py::TestKSTwoSamples`` (the test method named in each
row): inputs, alternative, method, expected statistic and p-value, checked at that suite's own tolerance
(``assert_array_almost_equal``: 6 decimals). Also ``chi2_contingency``'s documented examples through the
categorical drift test with ``chi2_correction=``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate import DataGate, GateSettings

X100 = np.linspace(1, 100, 100)
X110 = np.linspace(1, 100, 110)
X2233 = np.array([2] * 3 + [3] * 4 + [5] * 5 + [6] * 4, dtype=int)
X2356 = np.array([2] * 3 + [3] * 4 + [5] * 10 + [6] * 4, dtype=int)
X3467 = np.array([3] * 10 + [4] * 2 + [6] * 10 + [7] * 4, dtype=int)
TWO = np.array([1.0, 2.0])
THREE = np.array([1.0, 2.0, 3.0])
FOUR = np.array([1.0, 2.0, 3.0, 4.0])


def _middling(n1: int, n2: int, top: float = 200) -> tuple[np.ndarray, np.ndarray]:
    delta = 1.0 / n1 / n2 / 2 / 2
    return np.linspace(1, 200, n1) - delta, np.linspace(2, top, n2)


M500 = _middling(500, 600)
M1000 = _middling(1000, 1100)
L10000 = _middling(10000, 110, top=100)

# (scipy test, x1, x2, alternative, method, statistic, p-value)
CASES = [
    ("testTwoVsThree", TWO + 0.01, THREE, "two-sided", "auto", 1.0 / 3, 1.0),
    ("testTwoVsThree", TWO + 0.01, THREE, "greater", "auto", 1.0 / 3, 0.7),
    ("testTwoVsThree", TWO + 0.01, THREE, "less", "auto", 1.0 / 3, 0.7),
    ("testTwoVsThree", TWO - 0.01, THREE, "two-sided", "auto", 2.0 / 3, 0.6),
    ("testTwoVsThree", TWO - 0.01, THREE, "greater", "auto", 2.0 / 3, 0.3),
    ("testTwoVsThree", TWO - 0.01, THREE, "less", "auto", 0.0, 1.0),
    ("testTwoVsFour", TWO + 0.01, FOUR, "two-sided", "auto", 2.0 / 4, 14.0 / 15),
    ("testTwoVsFour", TWO + 0.01, FOUR, "greater", "auto", 2.0 / 4, 8.0 / 15),
    ("testTwoVsFour", TWO + 0.01, FOUR, "less", "auto", 1.0 / 4, 12.0 / 15),
    ("testTwoVsFour", TWO - 0.01, FOUR, "two-sided", "auto", 3.0 / 4, 6.0 / 15),
    ("testTwoVsFour", TWO - 0.01, FOUR, "greater", "auto", 3.0 / 4, 3.0 / 15),
    ("testTwoVsFour", TWO - 0.01, FOUR, "less", "auto", 0.0, 1.0),
    ("test100_100", X100, X100 + 2 + 0.1, "two-sided", "auto", 3.0 / 100, 0.9999999999962055),
    ("test100_100", X100, X100 + 2 + 0.1, "greater", "auto", 3.0 / 100, 0.9143290114276248),
    ("test100_100", X100, X100 + 2 + 0.1, "less", "auto", 0.0, 1.0),
    ("test100_100", X100, X100 + 2 - 0.1, "two-sided", "auto", 2.0 / 100, 1.0),
    ("test100_100", X100, X100 + 2 - 0.1, "greater", "auto", 2.0 / 100, 0.960978450786184),
    ("test100_100", X100, X100 + 2 - 0.1, "less", "auto", 0.0, 1.0),
    ("test100_110", X100, X110 + 20 + 0.1, "two-sided", "auto", 232.0 / 1100, 0.015739183865607353),
    ("test100_110", X100, X110 + 20 + 0.1, "greater", "auto", 232.0 / 1100, 0.007869594319053203),
    ("test100_110", X100, X110 + 20 + 0.1, "less", "auto", 0.0, 1.0),
    ("test100_110", X100, X110 + 20 - 0.1, "two-sided", "auto", 229.0 / 1100, 0.017803803861026313),
    ("test100_110", X100, X110 + 20 - 0.1, "greater", "auto", 229.0 / 1100, 0.008901905958245056),
    ("test100_110", X100, X110 + 20 - 0.1, "less", "auto", 0.0, 1.0),
    ("testRepeatedValues", X2233, X2233 + 1, "two-sided", "auto", 5.0 / 16, 0.4262934613454952),
    ("testRepeatedValues", X2233, X2233 + 1, "greater", "auto", 5.0 / 16, 0.21465428276573786),
    ("testRepeatedValues", X2233, X2233 + 1, "less", "auto", 0.0, 1.0),
    ("testRepeatedValues", X2356, X3467, "two-sided", "auto", 190.0 / 21 / 26, 0.0919245790168125),
    ("testRepeatedValues", X2356, X3467, "greater", "auto", 190.0 / 21 / 26, 0.0459633806858544),
    ("testRepeatedValues", X2356, X3467, "less", "auto", 70.0 / 21 / 26, 0.6121593130022775),
    ("testEqualSizes", THREE, THREE + 1, "two-sided", "auto", 1.0 / 3, 1.0),
    ("testEqualSizes", THREE, THREE + 1, "greater", "auto", 1.0 / 3, 0.75),
    ("testEqualSizes", THREE, THREE + 1, "less", "auto", 0.0, 1.0),
    ("testEqualSizes", THREE, THREE + 0.5, "two-sided", "auto", 1.0 / 3, 1.0),
    ("testEqualSizes", THREE, THREE + 0.5, "greater", "auto", 1.0 / 3, 0.75),
    ("testEqualSizes", THREE, THREE + 0.5, "less", "auto", 0.0, 1.0),
    ("testEqualSizes", THREE, THREE - 0.5, "two-sided", "auto", 1.0 / 3, 1.0),
    ("testEqualSizes", THREE, THREE - 0.5, "greater", "auto", 0.0, 1.0),
    ("testEqualSizes", THREE, THREE - 0.5, "less", "auto", 1.0 / 3, 0.75),
    ("testMiddlingBoth", *M500, "two-sided", "auto", 2000.0 / 500 / 600, 1.0),
    ("testMiddlingBoth", *M500, "two-sided", "asymp", 2000.0 / 500 / 600, 1.0),
    ("testMiddlingBoth", *M500, "greater", "asymp", 2000.0 / 500 / 600, 0.9697596024683929),
    ("testMiddlingBoth", *M500, "less", "asymp", 500.0 / 500 / 600, 0.9968735843165021),
    ("testMediumBoth", *M1000, "two-sided", "asymp", 6600.0 / 1000 / 1100, 1.0),
    ("testMediumBoth", *M1000, "two-sided", "auto", 6600.0 / 1000 / 1100, 1.0),
    ("testMediumBoth", *M1000, "greater", "asymp", 6600.0 / 1000 / 1100, 0.9573185808092622),
    ("testMediumBoth", *M1000, "less", "asymp", 1000.0 / 1000 / 1100, 0.9982410869433984),
]


def _drift_row(x1: np.ndarray, x2: np.ndarray, **options: object) -> dict:
    gate = DataGate(settings=GateSettings())
    results = gate.drift(pd.DataFrame({"x": x1}), pd.DataFrame({"x": x2}), alpha=0.5 - 1e-9, min_wasserstein=1e9,
                         **options)
    [row] = [r for r in results if r.subject == "x"]
    return dict(row.details)


@pytest.mark.parametrize(("test", "x1", "x2", "alternative", "method", "statistic", "p_value"), CASES,
                         ids=[f"{c[0]}-{c[3]}-{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_ks_2samp_reference_case(test: str, x1: np.ndarray, x2: np.ndarray, alternative: str, method: str,
                                 statistic: float, p_value: float) -> None:
    row = _drift_row(x1, x2, alternative=alternative, method=method)
    assert row["statistic"] == pytest.approx(statistic, abs=1.5e-6)
    assert row["p_value"] == pytest.approx(p_value, abs=1.5e-6)


@pytest.mark.parametrize(
    ("test", "table", "correction", "p_value"),
    [
        ("test_chi2_contingency_trivial", [[1, 2], [1, 2]], False, 1.0),
        ("test_result[True]", [[1, 2], [1, 2]], True, 1.0),  # same table, Yates-corrected: still no difference
        ("test_chi2_contingency_yates_gh13875", [[1573, 3], [4, 0]], True, 1.0),
    ],
)
def test_chi2_contingency_reference_case(test: str, table: list, correction: bool, p_value: float) -> None:
    """scipy/stats/tests/test_contingency.py::TestChi2Contingency::<test>: rows are reference and current."""
    (a, b), (c, d) = table
    ref = pd.DataFrame({"c": ["u"] * a + ["v"] * b})
    cur = pd.DataFrame({"c": ["u"] * c + ["v"] * d})
    [row] = [r for r in DataGate(settings=GateSettings()).drift(ref, cur, chi2_correction=correction)
             if r.subject == "c"]
    assert row.details["p_value"] == pytest.approx(p_value, rel=1e-12)


def test_chi2_correction_changes_a_two_by_two_p_value_as_scipy_does() -> None:
    from scipy.stats import chi2_contingency

    ref = pd.DataFrame({"c": ["u"] * 30 + ["v"] * 20})
    cur = pd.DataFrame({"c": ["u"] * 18 + ["v"] * 27})
    for correction in (True, False):
        [row] = [r for r in DataGate(settings=GateSettings()).drift(ref, cur, chi2_correction=correction, alpha=1e-3)
                 if r.subject == "c"]
        theirs = chi2_contingency(np.array([[30, 20], [18, 27]]), correction=correction).pvalue
        assert row.details["p_value"] == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize(
    ("source", "table", "correction", "statistic", "p_value"),
    [
        # scipy.stats.chi2_contingency's docstring, "A two-way example (2 x 3)": res.statistic, res.pvalue
        ("chi2_contingency docstring (2 x 3)", [[10, 10, 20], [20, 20, 20]], True, 2.7777777777777777,
         0.24935220877729619),
        # ... its small-table example, chi2_contingency(obs, correction=False).pvalue
        ("chi2_contingency docstring (2 x 2, correction=False)", [[12, 3], [17, 16]], False, None,
         0.0614122539870913),
    ],
)
def test_chi2_contingency_docstring_case(source: str, table: list, correction: bool, statistic: float | None,
                                         p_value: float) -> None:
    """Rows of the table are the reference's and the current data's category counts."""
    names = [f"k{j}" for j in range(len(table[0]))]
    ref = pd.DataFrame({"c": np.repeat(names, table[0])})
    cur = pd.DataFrame({"c": np.repeat(names, table[1])})
    [row] = [r for r in DataGate(settings=GateSettings()).drift(ref, cur, chi2_correction=correction, alpha=1e-6)
             if r.subject == "c"]
    if statistic is not None:
        assert row.details["statistic"] == pytest.approx(statistic, rel=1e-12)
    assert row.details["p_value"] == pytest.approx(p_value, rel=1e-12)
