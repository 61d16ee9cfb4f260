"""Fairness gates: the candidate's decisions (predicted bad risk) by sex and by age group.

The limits are this example's choice, not a universal rule: a real team sets them with its legal and risk
colleagues. Age groups differ in their true default rates in this data, so the age gate compares error rates
(equalized odds) rather than raw selection rates.
"""

from __future__ import annotations

import pytest


@pytest.mark.fairness
def test_fair_by_sex(fairness_gate, model, X_score, y_score) -> None:
    fairness_gate.check(model, X_score, y_score, sensitive_features="sex",
                        max_difference={"demographic_parity": 0.10, "equalized_odds": 0.15})


@pytest.mark.fairness
def test_fair_by_age_group(fairness_gate, model, X_score, y_score) -> None:
    fairness_gate.check(model, X_score, y_score, sensitive_features="age_group",
                        max_difference={"equalized_odds": 0.30})
