"""Regression gates: the candidate is not worse than the committed baseline, nor than the model in production.

The baseline file under ``mlgate_baselines/`` was written by ``python -m pytest examples --mlgate-update-baselines``
and committed; a pull request that changes it shows the new numbers in its diff.
"""

from __future__ import annotations

import pytest


@pytest.mark.baseline
def test_not_worse_than_the_committed_baseline(baseline_gate, model, X_score, y_score) -> None:
    """The baseline keeps the shipped model's predictions (``store_predictions=True``, a small ``.npz`` beside the
    JSON), so the comparison is paired: the same rows, old predictions against new ones."""
    baseline_gate.compare(model, X_score, y_score, metrics=["roc_auc", "brier"], max_drop=0.02,
                          store_predictions=True)


@pytest.mark.baseline
def test_challenger_not_worse_than_champion(baseline_gate, champion, model, X_score, y_score) -> None:
    """Both models on the same rows: a paired comparison, far tighter than comparing two separate intervals."""
    baseline_gate.compare_models(champion, model, X_score, y_score, metric="roc_auc", margin=0.02)
