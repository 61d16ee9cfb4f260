"""What every gate family shares: settings, the recorder that applies severity, and ``expect``.

Nothing here imports pytest: a gate works the same from a script or a notebook (``ModelGate().metrics(...)``
raises :class:`GateFailure` on a failed check), and the plugin only hands each gate a recorder bound to a test.
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Concatenate, Literal, ParamSpec, TypeVar

from pytest_mlgate._validate import percent, positive_int
from pytest_mlgate.results import (
    GateError,
    GateFailure,
    GateResult,
    MLGateWarning,
    Status,
    failure_message,
    fmt,
    hide_our_frames,
    is_number,
)

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

Severity = Literal["fail", "warn"]
Decision = Literal["interval", "point"]
T = TypeVar("T")
P = ParamSpec("P")
G = TypeVar("G", bound="BaseGate")

ALPHA = 0.01  #: the default false-alarm rate (ini key ``mlgate_alpha``); drift's default too
MODEL_VALIDATION = "model_validation"
DATA_QUALITY = "data_quality"


@dataclass(frozen=True)
class GateSettings:
    """Defaults every check reads; the plugin fills them from ini keys and command-line options.

    ``alpha`` is the false-alarm rate a single check allows when nothing changed. Intervals are shown at the
    two-sided level ``1 - 2 * alpha`` (98% for the default 0.01), so a check fails exactly when its interval lies
    entirely on the wrong side of its limit.
    """

    alpha: float = ALPHA
    n_resamples: int = 1000
    seed: int = 0
    baseline_dir: Path | None = None
    update_baselines: bool = False

    def __post_init__(self) -> None:
        problem = alpha_problem(self.alpha, "GateSettings(alpha=...)")
        if problem:
            raise GateError(problem)
        positive_int("GateSettings(n_resamples=...)", self.n_resamples)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise GateError(f"GateSettings(seed=...) must be an integer, got {self.seed!r}")

    @property
    def confidence(self) -> float:
        return 1.0 - 2.0 * self.alpha

    def seed_for(self, *parts: object) -> int:
        """A seed that depends on the session seed and on what is being checked, so that two checks never
        share random draws and a check gives the same answer whichever tests run before it."""
        key = "\x1f".join([str(self.seed), *map(str, parts)])
        return zlib.crc32(key.encode()) & 0x7FFFFFFF


def alpha_problem(alpha: Any, name: str = "alpha") -> str:
    """Why ``alpha`` cannot be a false-alarm rate ("" when it can): a number in (0, 0.5) whose two-sided level
    ``1 - 2 * alpha`` is below 1 in floating point (so a baseline written with it is read back)."""
    if not is_number(alpha) or not 0 < alpha < 0.5:
        return f"{name} must be between 0 and 0.5, got {alpha!r}"
    confidence = 1.0 - 2.0 * float(alpha)
    if not confidence < 1.0:
        return f"{name} = {alpha!r} is too small: 1 - 2 * alpha rounds to 1 in floating point; use at least 1e-15"
    if not 0.5 + confidence / 2 > 0.5:
        return f"{name} = {alpha!r} is too close to 0.5: the interval at level 1 - 2 * alpha has no width"
    return ""


@dataclass
class Recorder:
    """Collects the results of one test and applies its severity.

    ``severity="fail"`` raises :class:`GateFailure` for failed results; ``"warn"`` records them as "warn" rows and
    emits :class:`MLGateWarning` instead. ``on_record`` lets the plugin see every result as it is made.
    """

    node_id: str = ""
    identity: str = ""  # the test's file (relative to its baseline folder) and name: keys baselines and seeds
    severity: Severity = "fail"
    settings: GateSettings = field(default_factory=GateSettings)
    results: list[GateResult] = field(default_factory=list)
    on_record: Callable[[GateResult], None] | None = None
    raises: bool = True  # False: failed results are recorded and returned, not raised (scripts, simulations)

    @property
    def key(self) -> str:
        """What seeds and baseline names derive from: the test's identity, the same from any rootdir."""
        return self.identity or self.node_id

    def emit(self, results: Sequence[GateResult]) -> list[GateResult]:
        """Apply severity, record, then raise or warn. A warning the user's filters turn into an error
        (``-W error``) fails the test, so its rows are recorded as ``fail``: reports agree with the exit code."""
        recorded = []
        for result in results:
            result.node_id = result.node_id or self.node_id
            if result.status == "fail" and self.severity == "warn":
                result = result.with_status("warn")
            recorded.append(result)
        warned = [r for r in recorded if r.status == "warn"]
        raised: Warning | None = None
        if warned:
            try:
                warnings.warn(MLGateWarning(failure_message(warned)), stacklevel=4)
            except Warning as exc:  # the warning filters made it an error: the test fails
                raised = exc
                recorded = [r.with_status("fail") if r.status == "warn" else r for r in recorded]
        for result in recorded:
            self.results.append(result)
            if self.on_record is not None:
                self.on_record(result)
        if raised is not None:
            raise raised
        failed = [r for r in recorded if r.status == "fail"]
        if failed and self.raises:
            raise GateFailure(failure_message(failed), failed)
        return recorded

    def error(self, family: str, check: str, subject: str, exc: GateError) -> None:
        self.emit([GateResult(family, check, subject, "error", message=f"{check}: {exc}")])


class BaseGate:
    """The base of the four fixtures. Subclasses add checks; every check goes through :meth:`_run`."""

    family: ClassVar[str] = ""

    def __init__(self, recorder: Recorder | None = None, *, settings: GateSettings | None = None,
                 raises: bool = True) -> None:
        """``ModelGate()`` works as it stands, with default settings; ``raises=False`` returns failed results
        instead of raising :class:`GateFailure` (to count verdicts in a script or a simulation)."""
        if recorder is None:
            recorder = Recorder(settings=settings or GateSettings(), raises=raises)
        self.recorder = recorder

    @property
    def settings(self) -> GateSettings:
        return self.recorder.settings

    @property
    def results(self) -> list[GateResult]:
        """Every result this gate recorded, in order."""
        return [r for r in self.recorder.results if r.family == self.family]

    def _run(self, check: str, subject: str, compute: Callable[[], list[GateResult]]) -> list[GateResult]:
        """Run one check: record its results (raising on failure) or record and re-raise a GateError."""
        from pytest_mlgate.stats import StatsError

        try:
            results = compute()
        except GateError as exc:
            self.recorder.error(self.family, check, subject, exc)
            raise
        except StatsError as exc:  # bad input found by the statistics: the user's error, with the same message
            error = GateError(str(exc))
            self.recorder.error(self.family, check, subject, error)
            raise error from None
        except Exception as exc:  # a bug of ours: an error row, and the exception keeps its frames
            self.recorder.emit([GateResult(self.family, check, subject, "error",
                                           message=f"{check}: internal error {type(exc).__name__}: {exc}")])
            raise
        for result in results:
            result.family = result.family or self.family
        return self.recorder.emit(results)

    def expect(
        self,
        name: str,
        value: float,
        *,
        min: float | None = None,
        max: float | None = None,
        interval: tuple[float, float] | None = None,
        n: int | None = None,
    ) -> GateResult:
        """Gate a number your own code computed: ``gate.expect("recall@10", r, min=0.3)``.

        With ``interval`` the decision uses it (fail only when the interval misses the limit), as the
        built-in checks do; without one the value itself is compared.
        """

        def compute() -> list[GateResult]:
            number = _as_number(name, value)
            return [
                threshold_result(
                    self.family,
                    "expect",
                    name,
                    number,
                    minimum=min,
                    maximum=max,
                    interval=_as_interval(name, interval),
                    n=_as_count(name, n),
                    decision="interval" if interval is not None else "point",
                )
            ]

        return self._run("expect", name, compute)[0]


def gate_check(
    check: str, subject: str | Callable[[dict[str, Any]], str]
) -> Callable[[Callable[Concatenate[G, P], list[GateResult]]], Callable[Concatenate[G, P], list[GateResult]]]:
    """Make a method a check: its signature is the one public definition; the wrapper records the results it
    returns (raising on failure) and turns bad input into an ``error`` row. ``subject`` names what the error row
    is about: a string, or a function of the call's arguments by name (defaults filled in)."""

    def wrap(method: Callable[Concatenate[G, P], list[GateResult]]) -> Callable[Concatenate[G, P], list[GateResult]]:
        signature = inspect.signature(method)

        @functools.wraps(method)
        def run(self: G, *args: P.args, **kwargs: P.kwargs) -> list[GateResult]:
            if isinstance(subject, str):
                name = subject
            else:
                try:
                    bound = signature.bind(self, *args, **kwargs)
                except TypeError:
                    return method(self, *args, **kwargs)  # Python's own message for a wrong call
                bound.apply_defaults()
                name = subject(bound.arguments)
            return self._run(check, name, lambda: method(self, *args, **kwargs))

        return run

    return wrap


def gate_errors(function: Callable[P, T]) -> Callable[P, T]:
    """``function`` with the statistics' own error turned into a :class:`GateError` (same message), for the
    helpers of ``stats`` that users call directly (``pytest_mlgate.metric``)."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        from pytest_mlgate.stats import StatsError

        try:
            return function(*args, **kwargs)
        except StatsError as exc:
            raise GateError(str(exc)) from None

    return call


def _as_number(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GateError(f"{name!r} must be a number, got {type(value).__name__}: {value!r}") from None
    if math.isnan(number):
        raise GateError(f"{name!r} is NaN: the value could not be computed, so it cannot be gated")
    return number


def _as_interval(name: str, interval: Any) -> tuple[float, float] | None:
    """``interval=`` of ``expect``: two finite numbers, low <= high."""
    if interval is None:
        return None
    try:
        low, high = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise GateError(f"interval for {name!r} must be two numbers (low, high), got {interval!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise GateError(f"interval for {name!r} must be two finite numbers with low <= high, got {interval!r}")
    return (low, high)


def _as_count(name: str, n: Any) -> int | None:
    """``n=`` of ``expect``: a positive integer (a row count)."""
    if n is None:
        return None
    return positive_int(f"n for {name!r}", n, note=" (the number of rows)")


def limit_entries(minimum: Any, maximum: Any, *, what: str, example: str) -> Iterator[tuple[str, Any, Any]]:
    """``("min" | "max", key, limit)`` for every entry of ``min=`` and ``max=``, mappings of ``what`` -> limit
    (``example`` shows one in the message when an argument is not a mapping)."""
    for label, given in (("min", minimum), ("max", maximum)):
        if given is None:
            continue
        if not isinstance(given, Mapping):
            raise GateError(f"{label} must be a mapping of {what} -> limit, e.g. {label}={{{example}}}")
        yield from ((label, key, limit) for key, limit in given.items())


def check_limits(name: str, minimum: float | None, maximum: float | None) -> None:
    for label, limit in (("min", minimum), ("max", maximum)):
        if limit is not None and not (is_number(limit) and math.isfinite(limit)):
            raise GateError(f"{label} for {name!r} must be a finite number, got {limit!r}")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise GateError(f"min ({minimum}) is above max ({maximum}) for {name!r}: no value can pass")


def threshold_result(
    family: str,
    check: str,
    subject: str,
    value: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    interval: tuple[float, float] | None = None,
    n: int | None = None,
    confidence: float | None = None,
    decision: Decision = "interval",
    hint: str = "",
    details: dict[str, Any] | None = None,
) -> GateResult:
    """The verdict of ``value`` against ``min``/``max``.

    With ``decision="interval"`` (the default when an interval exists) a check fails only when the whole
    interval lies beyond the limit: the data give evidence that the true value misses it. With
    ``decision="point"`` the point value decides.
    """
    check_limits(subject, minimum, maximum)
    use_interval = decision == "interval" and interval is not None
    lo, hi = interval if use_interval and interval is not None else (value, value)
    problems: list[str] = []
    comparison: str | None = None
    limit: float | None = None
    if minimum is not None:
        comparison, limit = ">=", float(minimum)
        if hi < minimum:
            problems.append(f"below the minimum by {fmt(minimum - value)}")
    if maximum is not None:
        if minimum is None:
            comparison, limit = "<=", float(maximum)
        if lo > maximum:
            problems.append(f"above the maximum by {fmt(value - maximum)}")
    status: Status = "fail" if problems else "pass"
    required = _required_text(minimum, maximum)
    evidence = _interval_text(interval, n, confidence)
    message = f"{family}.{check} {subject} = {fmt(value)}{evidence}, required {required}"
    if decision == "interval" and interval is None:
        message += " (no interval could be computed, so the point value decides)"
    if problems:
        reason = "; ".join(problems)
        if use_interval:
            reason += " (the whole interval misses the limit)"
        message += f": {reason}."
        if hint:
            message += f"\n  What to do: {hint}"
    elif (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        message += (": passes for lack of evidence: the point value is past the limit but the interval reaches it "
                    "(more rows would settle it; decision='point' judges the point value).")
    else:
        message += ": ok."
    extra = dict(details or {})
    if minimum is not None and maximum is not None:
        extra.setdefault("min", minimum)
        extra.setdefault("max", maximum)
    extra.setdefault("decision", "interval" if use_interval else "point")
    return GateResult(
        family,
        check,
        subject,
        status,
        value=value,
        limit=limit,
        comparison=comparison if minimum is None or maximum is None else "in",
        interval=interval,
        n=n,
        message=message,
        details=extra,
    )


def _required_text(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"within [{fmt(minimum)}, {fmt(maximum)}]"
    if minimum is not None:
        return f">= {fmt(minimum)}"
    if maximum is not None:
        return f"<= {fmt(maximum)}"
    return "(no limit: reported only)"


def _interval_text(interval: tuple[float, float] | None, n: int | None, confidence: float | None) -> str:
    parts = []
    if interval is not None:
        level = f"{percent(confidence)} " if confidence is not None else ""
        parts.append(f"{level}CI [{fmt(interval[0])}, {fmt(interval[1])}]")
    if n is not None:
        parts.append(f"n={n}")
    return f" ({', '.join(parts)})" if parts else ""
