"""Multiple-testing corrections: adjusted p-values, so that "adjusted p < alpha" is the decision rule.

Holm controls the family-wise error rate (the chance of *any* false alarm across the columns) under any
dependence between the tests; Benjamini-Hochberg controls the false discovery rate (the expected share of false
alarms among the flagged columns), which is less strict when many columns really changed.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Correction = Literal["holm", "bh", "none"]
CORRECTIONS: tuple[str, ...] = ("holm", "bh", "none")


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values: ``max_{j<=i} min(1, (m - j + 1) * p_(j))`` in sorted order."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (as ``scipy.stats.false_discovery_control(p, method="bh")``)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return adjusted


def adjust(p_values: np.ndarray, method: Correction = "holm") -> np.ndarray:
    """Adjusted p-values by ``method`` ("holm", "bh" or "none")."""
    if method == "holm":
        return holm(p_values)
    if method == "bh":
        return benjamini_hochberg(p_values)
    if method == "none":
        return np.asarray(p_values, dtype=float).copy()
    raise ValueError(f"correction must be one of {CORRECTIONS}, got {method!r}")
