"""Lifecycle gates on the Adult model: it beats the rule that would ship without it, it relies on what an income
model should (and on native country hardly at all), and the performance it will show once the labels arrive is
estimated today from the unlabelled scoring extract."""

from __future__ import annotations

import income_model
import pytest


@pytest.mark.model_validation
def test_beats_the_prior_rate(model_gate, model, train, X_score, y_score) -> None:
    """The fallback: everyone scored with the share of high incomes in the training data."""
    model_gate.beats(model, "prior", X_score, y_score, metric="roc_auc", margin=0.2,
                     fit_data=(income_model.features_of(train), train[income_model.TARGET]))


@pytest.mark.model_validation
def test_relies_on_what_an_income_model_should(model_gate, model, X_score, y_score) -> None:
    """Governance: capital gains must carry weight, the country of birth almost none."""
    model_gate.importance(model, X_score, y_score, metric="roc_auc", n_repeats=5, max_rows=5000,
                          min={"capital_gain": 0.01}, max={"native_country": 0.01})


@pytest.mark.model_validation
def test_performance_before_the_labels_arrive(model_gate, model, train, X_score) -> None:
    """The scoring extract without its labels: the AUC its labels will show, estimated from the model's scores
    calibrated on the training rows (CBPE)."""
    model_gate.estimated_performance(model, X_score, metric="roc_auc", min=0.85,
                                     reference=(income_model.features_of(train), train[income_model.TARGET]))
