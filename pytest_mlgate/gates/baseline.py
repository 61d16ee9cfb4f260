"""Regression-versus-baseline gate. Its checks are added by the issue that builds this family."""

from __future__ import annotations

from pytest_mlgate.gates.base import BaseGate

FAMILY = "baseline"


class BaselineGate(BaseGate):
    """The `baseline_gate` fixture."""

    family = FAMILY
