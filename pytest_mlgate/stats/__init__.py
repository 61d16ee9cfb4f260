"""Vectorized statistics shared by the gates. numpy and scipy only: no pytest, no I/O."""


class StatsError(ValueError):
    """Input a statistic cannot be computed on. The gates turn it into a ``GateError`` with the same message, so
    ``stats`` knows nothing of the layers above it."""


__all__ = ["StatsError"]
