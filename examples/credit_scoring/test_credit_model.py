"""Model-validation gates on the scoring rows: quality, sane outputs, the credit policy's monotonicity, and
probabilities that mean what they say (the bank prices loans with them)."""

from __future__ import annotations

import pytest


@pytest.mark.model_validation
def test_discrimination_and_accuracy(model_gate, model, X_score, y_score) -> None:
    model_gate.metrics(model, X_score, y_score, min={"roc_auc": 0.80}, max={"brier": 0.20})


@pytest.mark.model_validation
def test_outputs_are_sane(model_gate, model, X_score) -> None:
    model_gate.sanity(model, X_score)


@pytest.mark.model_validation
@pytest.mark.parametrize("feature", ["duration", "credit_amount"])
def test_risk_never_falls_as_the_loan_grows(model_gate, model, X_score, feature: str) -> None:
    """The credit policy: with everything else equal, a longer or larger loan is never the safer one."""
    model_gate.monotonic(model, X_score, feature=feature, direction="increasing")


@pytest.mark.model_validation
def test_probabilities_are_calibrated(model_gate, model, X_score, y_score) -> None:
    model_gate.calibration(model, X_score, y_score, max_ece=0.10, n_bins=10)
