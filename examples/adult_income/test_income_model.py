"""Model-validation and regression gates on the 16,281 rows of the scoring extract."""

from __future__ import annotations

import pytest


@pytest.mark.model_validation
def test_discrimination(model_gate, model, X_score, y_score) -> None:
    model_gate.metrics(model, X_score, y_score, min={"roc_auc": 0.90, "balanced_accuracy": 0.75})


@pytest.mark.model_validation
def test_outputs_are_sane(model_gate, model, X_score) -> None:
    model_gate.sanity(model, X_score)


@pytest.mark.model_validation
def test_probabilities_are_calibrated(model_gate, model, X_score, y_score) -> None:
    model_gate.calibration(model, X_score, y_score, max_ece=0.03)


@pytest.mark.baseline
def test_not_worse_than_the_committed_baseline(baseline_gate, model, X_score, y_score) -> None:
    baseline_gate.compare(model, X_score, y_score, metrics=["roc_auc", "log_loss"], max_drop=0.005)


@pytest.mark.model_validation
def test_every_kind_of_employment_is_served(model_gate, model, X_score, y_score) -> None:
    """The model must rank well within each kind of employment with enough people to judge (smaller ones are
    listed as too small to judge)."""
    model_gate.slices(model, X_score, y_score, by="workclass", metric="roc_auc", min=0.80, min_size=200)
