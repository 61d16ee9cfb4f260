"""pytest-mlgate: quality gates for ML models and data, as pytest fixtures and markers.

Importing this package is cheap: the gate classes (and numpy, pandas, scikit-learn behind them) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlgate._version import __version__
from pytest_mlgate.results import GateError, GateFailure, GateResult, MLGateWarning

if TYPE_CHECKING:
    from pytest_mlgate.gates.base import GateSettings
    from pytest_mlgate.gates.baseline import BaselineGate
    from pytest_mlgate.gates.data import DataGate
    from pytest_mlgate.gates.fairness import FairnessGate
    from pytest_mlgate.gates.metrics import metric
    from pytest_mlgate.gates.model import ModelGate

_LAZY = {
    "DataGate": "pytest_mlgate.gates.data",
    "ModelGate": "pytest_mlgate.gates.model",
    "BaselineGate": "pytest_mlgate.gates.baseline",
    "FairnessGate": "pytest_mlgate.gates.fairness",
    "GateSettings": "pytest_mlgate.gates.base",
    "metric": "pytest_mlgate.gates.metrics",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pytest_mlgate' has no attribute {name!r}")


__all__ = [
    "BaselineGate",
    "DataGate",
    "FairnessGate",
    "GateError",
    "GateFailure",
    "GateResult",
    "GateSettings",
    "MLGateWarning",
    "ModelGate",
    "__version__",
    "metric",
]
