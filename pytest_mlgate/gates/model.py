"""Model-validation gate: :class:`ModelGate` composed of one mixin per job.

Metrics (:mod:`.metrics`), behaviour (sanity, invariance, monotonic, fuzz: :mod:`.behaviour`), calibration
(:mod:`.calibration`), slices (:mod:`.slices`) and the lifecycle checks (:mod:`.lifecycle`). Each check is
defined once, as the method users call; ``ModelGate(raises=False)`` returns failed results instead of raising.
"""

from __future__ import annotations

from pytest_mlgate.gates.base import MODEL_VALIDATION
from pytest_mlgate.gates.behaviour import (
    N_EXAMPLES,
    PROBA_TOLERANCE,
    REPEAT_ATOL,
    REPEAT_RTOL,
    SANITY_PROPERTIES,
    SCORE_TOLERANCE,
    BehaviourChecks,
    Finding,
    Perturbation,
    sanity_findings,
)
from pytest_mlgate.gates.calibration import CalibrationChecks
from pytest_mlgate.gates.lifecycle import ModelLifecycleChecks
from pytest_mlgate.gates.metrics import MetricChecks, MetricKey
from pytest_mlgate.gates.slices import SliceChecks
from pytest_mlgate.results import hide_our_frames

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = MODEL_VALIDATION


class ModelGate(MetricChecks, BehaviourChecks, CalibrationChecks, SliceChecks, ModelLifecycleChecks):
    """The ``model_gate`` fixture: checks on a model's predictions."""

    family = FAMILY


__all__ = ["FAMILY", "N_EXAMPLES", "PROBA_TOLERANCE", "REPEAT_ATOL", "REPEAT_RTOL", "SANITY_PROPERTIES",
           "SCORE_TOLERANCE", "Finding", "MetricKey", "ModelGate", "Perturbation", "sanity_findings"]
