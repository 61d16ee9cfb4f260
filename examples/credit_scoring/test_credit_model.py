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


#: the same applicant with the other sex (status_sex codes marital status and sex together)
OTHER_SEX = {
    "male : single": "female : single",
    "female : single": "male : single",
    "male : divorced/separated": "female : divorced/separated/married",
    "male : married/widowed": "female : divorced/separated/married",
    "female : divorced/separated/married": "male : married/widowed",
}


@pytest.mark.model_validation
def test_decisions_do_not_depend_on_sex(model_gate, model, X_score) -> None:
    """Swap every applicant's sex (in both columns that carry it): no decision may change."""
    model_gate.invariance(model, X_score, perturb={
        "sex": lambda sex: sex.map({"female": "male", "male": "female"}),
        "status_sex": lambda status: status.map(OTHER_SEX),
    })

