"""What it would take to decide an inconclusive verdict: the smallest detectable difference and the rows needed.

A check decides on a two-sided interval at level ``1 - 2 * alpha``: it is a one-sided test at ``alpha`` on each
side of its limit. From the interval we read the standard error of the value (the half-width on the limit's side,
divided by ``z(1 - alpha)``), and the normal approximation gives

- the smallest difference from the limit this sample detects with the given power (80% by default):
  ``(z(1 - alpha) + z(power)) * se``;
- roughly how many rows would decide the current value, if the true value is the one measured: the ``n`` at which
  that difference from the limit is detected with the same power, standard errors shrinking as ``1 / sqrt(n)``:
  ``n * ((z(1 - alpha) + z(power)) * se / gap) ** 2``.

Both are rough (the interval need not be normal, the spread of a metric changes with its value), and say so in the
messages that quote them. Standard library only: this module runs in the reports' process without numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from pytest_mlgate.stats import StatsError

POWER = 0.8  #: the power of the hints


@dataclass(frozen=True)
class Decide:
    """What would decide a verdict whose interval straddles its limit."""

    detectable_difference: float  #: smallest difference from the limit this sample detects (at ``power``, ``alpha``)
    rows_needed: int | None  #: rows at which the measured gap would be detected; None when the value sits on the limit
    power: float
    alpha: float


def _z(p: float) -> float:
    return NormalDist().inv_cdf(p)


def standard_error(value: float, interval: tuple[float, float], limit: float, alpha: float) -> float:
    """The standard error implied by the interval's half on the side of ``limit`` (the side that decides)."""
    if not 0 < alpha < 0.5:
        raise StatsError(f"alpha must be between 0 and 0.5, got {alpha}")
    lo, hi = interval
    half = (value - lo) if limit <= value else (hi - value)
    if not (math.isfinite(half) and lo <= value <= hi):
        raise StatsError(f"the interval {interval} does not contain the value {value}")
    return half / _z(1 - alpha)


def decide(value: float, interval: tuple[float, float], limit: float, n: int | None, *, alpha: float,
           power: float = POWER) -> Decide:
    """The smallest difference from ``limit`` this sample detects, and roughly how many rows would decide ``value``."""
    if not 0.5 <= power < 1:
        raise StatsError(f"power must be in [0.5, 1), got {power}")
    se = standard_error(value, interval, limit, alpha)
    factor = _z(1 - alpha) + _z(power)
    gap = abs(value - limit)
    rows: int | None = None
    if n is not None and n > 0 and gap > 0 and se > 0:
        rows = math.ceil(n * (factor * se / gap) ** 2)
    return Decide(detectable_difference=factor * se, rows_needed=rows, power=power, alpha=alpha)
