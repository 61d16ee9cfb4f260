"""Lifecycle gates: the candidate beats the rule a bank would fall back to, it is the right pick among the
variants kept, what it relies on stays inside the credit policy (sex must carry almost no weight), and the
features it relies on most are still those reviewed when its baseline was committed."""

from __future__ import annotations

import credit_model
import pytest


@pytest.mark.model_validation
def test_beats_the_fallback_rule(model_gate, model, train, X_score, y_score) -> None:
    """The fallback that ships if the model is switched off: the prior rate of bad loans, as a dummy model."""
    model_gate.beats(model, "prior", X_score, y_score, metric="roc_auc", margin=0.1,
                     fit_data=(credit_model.features_of(train), train[credit_model.TARGET]))


@pytest.mark.baseline
def test_the_candidate_is_the_right_pick(baseline_gate, champion, model, X_score, y_score) -> None:
    """The candidate is the one to ship: no kept variant (today's production model among them) is better."""
    variants = {"candidate": model, "production": champion}
    baseline_gate.select(variants, X_score, y_score, metric="roc_auc", champion="candidate", margin=0.01)


@pytest.mark.model_validation
def test_relies_on_sex_at_most_a_little(model_gate, model, X_score, y_score) -> None:
    """Governance: permuting sex (in both columns that carry it) may cost at most 0.02 AUC."""
    model_gate.importance(model, X_score, y_score, metric="roc_auc", n_repeats=5,
                          max={"sex": 0.02, "status_sex": 0.02}, min={"status": 0.01})


@pytest.mark.baseline
def test_relies_on_the_features_reviewed(baseline_gate, model, X_score, y_score) -> None:
    """Explanation drift: the two features the model relied on most when the baseline was reviewed (checking
    account status, then the loan's duration) may trade places, but none may leave or enter the top 2 with
    evidence."""
    baseline_gate.importance_ranking(model, X_score, y_score, metric="roc_auc", top_k=2, n_repeats=5)
