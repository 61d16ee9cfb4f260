"""Data-quality gate. Its checks are added by the issue that builds this family."""

from __future__ import annotations

from pytest_mlgate.gates.base import BaseGate

FAMILY = "data_quality"


class DataGate(BaseGate):
    """The `data_gate` fixture."""

    family = FAMILY
