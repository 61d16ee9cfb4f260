"""statsmodels' McNemar: our exact two-sided value equals ``mcnemar(table, exact=True)`` (statsmodels/stats/
tests/test_contingency_tables.py::test_mcnemar_exact uses the same call); plus scipy's ks_2samp options on
random samples through the drift gate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate.gates.data import DataGate
from pytest_mlgate.stats.paired import mcnemar_counts

from quiet import quiet  # isort: skip


@pytest.mark.parametrize("cells", [(0, 0), (8, 0), (10, 1), (1, 5), (3, 3), (12, 2), (0, 29), (59, 6)])
def test_mcnemar_two_sided_equals_statsmodels_exact(cells: tuple[int, int]) -> None:
    statsmodels = pytest.importorskip("statsmodels.stats.contingency_tables")
    only_a, only_b = cells
    theirs = statsmodels.mcnemar(np.array([[5, only_a], [only_b, 7]]), exact=True).pvalue
    assert mcnemar_counts(only_a, only_b, "two-sided").p_value == pytest.approx(theirs, rel=1e-12, abs=1e-15)


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
