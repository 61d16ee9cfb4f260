"""Fairness gates by sex and by race.

In this census data the share of high incomes differs a lot between men and women (31% against 11% in the
training file), so raw selection rates differ too (demographic parity, about 0.17 here): that gate is advisory
(``severity="warn"``) while the team decides what to do about it. The error rates are gated for real: among
people with the same outcome, the model must treat the groups alike (equalized odds).
"""

from __future__ import annotations

import pytest


@pytest.mark.fairness
def test_error_rates_by_sex(fairness_gate, model, X_score, y_score) -> None:
    fairness_gate.check(model, X_score, y_score, sensitive_features="sex",
                        max_difference={"equalized_odds": 0.10})


@pytest.mark.fairness(severity="warn")
def test_selection_rate_by_sex(fairness_gate, model, X_score, y_score) -> None:
    fairness_gate.check(model, X_score, y_score, sensitive_features="sex",
                        max_difference={"demographic_parity": 0.10})


@pytest.mark.fairness
def test_error_rates_by_race(fairness_gate, model, X_score, y_score) -> None:
    fairness_gate.check(model, X_score, y_score, sensitive_features="race", min_group_size=100,
                        max_difference={"equalized_odds": 0.20})
