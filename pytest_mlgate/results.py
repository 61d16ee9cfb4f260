"""The one result model every gate produces and every report reads.

A gate never prints or raises on its own account: it returns :class:`GateResult` objects. The fixture that runs
it records them and turns failures into :class:`GateFailure` (an ``AssertionError``, so pytest shows it like any
failed assertion) or, under ``severity="warn"``, into an :class:`MLGateWarning`. Bad input is a :class:`GateError`.

This module imports nothing heavy: reports and the plugin read results without numpy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from pytest_mlgate.records import Record, read_record

Status = Literal["pass", "inconclusive", "fail", "warn", "error"]
#: ``inconclusive``: the interval reaches across the limit, so the data cannot tell pass from fail yet
STATUSES: tuple[str, ...] = ("pass", "inconclusive", "fail", "warn", "error")
FAMILIES: tuple[str, ...] = ("data_quality", "model_validation", "baseline", "fairness")


class GateError(ValueError):
    """Bad input to a gate: the check could not be made. Names the problem and how to fix it."""


class GateFailure(AssertionError):
    """A gate's verdict is "fail". Carries the failed results so callers can inspect them."""

    def __init__(self, message: str, results: Sequence[GateResult] = ()) -> None:
        super().__init__(message)
        self.results: list[GateResult] = list(results)


class MLGateWarning(UserWarning):
    """A gate failed under ``severity="warn"`` (or ``--mlgate-warn-only``): reported, not fatal."""


@dataclass(frozen=True)
class GateResult:
    """One verdict: what was checked, on what, the measured value against its limit, and the evidence.

    ``limit`` and ``comparison`` read as "value must be ``comparison`` limit" (for example ``>= 0.85``).
    ``interval`` is the confidence interval of ``value`` when the gate computes one; ``n`` the sample size.
    ``record`` is the typed detail a report draws (:mod:`pytest_mlgate.records`: a drift column, a group table, a
    reliability table, a comparison, a leaderboard); ``details`` holds JSON-safe extras for the JSON report, and the
    record's own keys, written there by the record. Frozen: a result is never edited after it is made
    (``dataclasses.replace`` makes a changed copy).
    """

    family: str
    check: str
    subject: str
    status: Status
    value: float | None = None
    limit: float | None = None
    comparison: str | None = None
    interval: tuple[float, float] | None = None
    n: int | None = None
    message: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    node_id: str = ""
    record: Record | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        put = object.__setattr__  # frozen: the constructor normalizes its own fields once
        if self.value is not None:
            put(self, "value", float(self.value))
        if self.limit is not None:
            put(self, "limit", float(self.limit))
        if self.interval is not None:
            put(self, "interval", (float(self.interval[0]), float(self.interval[1])))
        if self.n is not None:
            put(self, "n", int(self.n))
        if self.record is not None:
            put(self, "details", {**self.details, **self.record.to_details()})

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def with_status(self, status: Status) -> GateResult:
        return replace(self, status=status)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (non-finite floats become ``None``): what crosses xdist and goes into reports."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["interval"] = list(self.interval) if self.interval is not None else None
        data["record"] = self.record.kind if self.record is not None else None
        return json_safe(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateResult:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data}
        interval = fields.get("interval")
        if interval is not None:
            lo, hi = interval
            fields["interval"] = (_nan_if_none(lo), _nan_if_none(hi))
        fields.setdefault("details", {})
        if fields.get("details") is None:
            fields["details"] = {}
        fields["record"] = read_record(fields.get("record"), fields["details"])
        return cls(**fields)

    def limit_text(self) -> str:
        if self.limit is None or self.comparison is None:
            return ""
        return f"{self.comparison} {fmt(self.limit)}"

    def interval_text(self) -> str:
        return interval_text(self.interval)


def _nan_if_none(value: Any) -> float:
    return math.nan if value is None else float(value)


def interval_text(interval: tuple[Any, Any] | None) -> str:
    """``[low, high]`` as every report writes an interval, or "" for none."""
    return "" if interval is None else f"[{fmt(interval[0])}, {fmt(interval[1])}]"


def ci_text(interval: tuple[Any, Any] | None, confidence: float) -> str:
    """``98% CI [low, high]`` as every message writes an interval, or "no interval" when there is none."""
    if interval is None or not all(is_number(v) and math.isfinite(float(v)) for v in interval):
        return "no interval"
    return f"{percent(confidence)} CI {interval_text(interval)}"


def percent(level: float) -> str:
    """98% stays "98%"; a corrected level such as 0.99667 reads "99.67%", not a misleading "100%"."""
    whole = f"{level:.0%}"
    return whole if abs(level * 100 - round(level * 100)) < 1e-9 else f"{level:.2%}"


def fmt(value: Any, digits: int = 4) -> str:
    """Numbers as people read them in a report: 4 significant digits, no noise."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if number == 0:
        return "0"
    if 1e-4 <= abs(number) < 1e6:
        return f"{number:.{digits}g}"
    return f"{number:.{digits - 1}e}"


def json_safe(value: Any) -> Any:
    """Recursively convert to plain JSON types: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [json_safe(v) for v in items]
    # numpy scalars and arrays, without importing numpy
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return json_safe(tolist())
    item = getattr(value, "item", None)
    if callable(item):
        return json_safe(item())
    return str(value)


def failure_message(results: Iterable[GateResult]) -> str:
    """The text of a :class:`GateFailure`: one block per failed result."""
    return "\n".join(r.message for r in results if r.message)


def is_number(value: Any) -> bool:
    """A real number as users pass them: int, float or any numpy scalar (pandas reductions return ``np.float64``
    and ``np.int64``, models ``np.float32``); never a bool, which is a flag, not a limit."""
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def hide_our_frames(excinfo: Any) -> bool:
    """``__tracebackhide__`` for our modules: a gate's verdict (GateFailure) or refusal (GateError) points at the
    user's test line; any other exception is a bug of ours and keeps our frames."""
    return bool(excinfo.errisinstance((GateFailure, GateError)))
