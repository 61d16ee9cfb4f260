"""Fairness gate. Its checks are added by the issue that builds this family."""

from __future__ import annotations

from pytest_mlgate.gates.base import BaseGate

FAMILY = "fairness"


class FairnessGate(BaseGate):
    """The `fairness_gate` fixture."""

    family = FAMILY
