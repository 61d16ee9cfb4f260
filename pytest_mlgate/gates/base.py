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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Concatenate, Literal, ParamSpec, TypeVar

from pytest_mlgate._validate import positive_int
from pytest_mlgate.results import (
    GateError,
    GateFailure,
    GateResult,
    MLGateWarning,
    Status,
    ci_text,
    failure_message,
    fmt,
    hide_our_frames,
    interval_text,
    is_number,
    percent,
)

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

Severity = Literal["fail", "warn"]
Inconclusive = Literal["pass", "warn", "fail"]
INCONCLUSIVE_POLICIES: tuple[str, ...] = ("pass", "warn", "fail")
INCONCLUSIVE_DEFAULT: Inconclusive = "pass"  #: docs/inconclusive.md says why
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
    inconclusive: Inconclusive = INCONCLUSIVE_DEFAULT  #: what an inconclusive verdict does to the test

    def __post_init__(self) -> None:
        problem = alpha_problem(self.alpha, "GateSettings(alpha=...)")
        if problem:
            raise GateError(problem)
        positive_int("GateSettings(n_resamples=...)", self.n_resamples)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise GateError(f"GateSettings(seed=...) must be an integer, got {self.seed!r}")
        if self.inconclusive not in INCONCLUSIVE_POLICIES:
            raise GateError(f"inconclusive must be one of {', '.join(map(repr, INCONCLUSIVE_POLICIES))}, "
                            f"got {self.inconclusive!r}")

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

    def emit(self, results: Sequence[GateResult], family: str = "") -> list[GateResult]:
        """Apply the inconclusive policy and severity, record, then raise or warn.

        An inconclusive row stays inconclusive under ``inconclusive="pass"`` and ``"warn"`` (which also warns); under
        ``"fail"`` it is a failure. A warning the user's filters turn into an error (``-W error``) fails the test, so
        its rows are recorded as ``fail``: reports agree with the exit code."""
        policy = self.settings.inconclusive
        recorded = []
        for result in results:
            result = replace(result, node_id=result.node_id or self.node_id, family=result.family or family)
            if result.status == "inconclusive" and policy == "fail":
                result = replace(result, status="fail", message=result.message + _POLICY_NOTE)
            if result.status == "fail" and self.severity == "warn":
                result = result.with_status("warn")
            recorded.append(result)
        warned = [r for r in recorded if r.status == "warn" or (r.status == "inconclusive" and policy == "warn")]
        raised: Warning | None = None
        if warned:
            try:
                warnings.warn(MLGateWarning(failure_message(warned)), stacklevel=4)
            except Warning as exc:  # the warning filters made it an error: the test fails
                raised = exc
                ids = {id(r) for r in warned}
                recorded = [r.with_status("fail") if id(r) in ids else r for r in recorded]
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


_POLICY_NOTE = "\n  (inconclusive, and the test's inconclusive='fail' makes that a failure)"


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
        return self.recorder.emit(results, family=self.family)

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
                    alpha=self.settings.alpha,
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


@dataclass(frozen=True)
class Verdict:
    """The verdict of an interval against a limit: ``pass`` when it lies wholly on the good side, ``fail`` wholly on
    the bad side, ``inconclusive`` when it straddles the limit (then ``decide`` says what would settle it)."""

    status: Status
    problems: tuple[str, ...] = ()
    straddled: float | None = None  #: the limit the interval reaches across
    decide: Any = None  #: a :class:`pytest_mlgate.stats.power.Decide` when inconclusive

    def details(self) -> dict[str, Any]:
        """The JSON-safe record of what would decide an inconclusive verdict (empty otherwise)."""
        if self.decide is None:
            return {}
        return {"decide": {"limit": self.straddled, "detectable_difference": self.decide.detectable_difference,
                           "rows_needed": self.decide.rows_needed, "power": self.decide.power,
                           "alpha": self.decide.alpha}}

    def decide_text(self, n: int | None) -> str:
        """One sentence: the smallest difference this sample detects and the rows that would decide."""
        if self.decide is None:
            return "the interval is unbounded, so no sample size can be estimated"
        d = self.decide
        sample = f"n={n}" if n is not None else "this sample"
        text = (f"at {sample} the smallest difference from the limit the check can detect is "
                f"{fmt(d.detectable_difference)} ({percent(d.power)} power, alpha {fmt(d.alpha)})")
        if d.rows_needed is not None:
            text += f"; roughly {d.rows_needed:,} rows would decide the current value"
        elif n is not None:
            text += "; the value sits on the limit, so no sample size decides it"
        return text


def limit_verdict(
    value: float,
    interval: tuple[float, float] | None,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    n: int | None = None,
    alpha: float = ALPHA,
    decision: Decision = "interval",
) -> Verdict:
    """Pass, fail or inconclusive: the one rule every limit of every gate uses.

    With ``decision="interval"`` and an interval, a check fails when the whole interval lies beyond a limit
    (evidence of a miss), passes when it lies wholly within (evidence of meeting the bar), and is inconclusive when
    it reaches across a limit. With ``decision="point"`` (or no interval) the value decides: pass or fail.
    """
    use_interval = decision == "interval" and interval is not None
    lo, hi = interval if use_interval and interval is not None else (value, value)
    problems: list[str] = []
    if minimum is not None and hi < minimum:
        problems.append(f"below the minimum by {fmt(minimum - value)}")
    if maximum is not None and lo > maximum:
        problems.append(f"above the maximum by {fmt(value - maximum)}")
    if problems:
        return Verdict("fail", tuple(problems))
    straddled = None
    if minimum is not None and lo < minimum:
        straddled = float(minimum)
    elif maximum is not None and hi > maximum:
        straddled = float(maximum)
    if straddled is None or interval is None:
        return Verdict("pass")
    if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(value)):
        return Verdict("inconclusive", straddled=straddled)  # an unbounded interval: no sample size is implied
    from pytest_mlgate.stats.power import decide

    centre = min(max(value, lo), hi)  # a point outside its own interval (rare, bootstrap bias) is clipped into it
    return Verdict("inconclusive", straddled=straddled, decide=decide(centre, (lo, hi), straddled, n, alpha=alpha))


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
    alpha: float | None = None,
) -> GateResult:
    """The verdict of ``value`` against ``min``/``max`` (see :func:`limit_verdict`).

    With ``decision="interval"`` (the default when an interval exists) a check fails only when the whole
    interval lies beyond the limit, passes when it lies wholly within, and is inconclusive in between. With
    ``decision="point"`` the point value decides.
    """
    check_limits(subject, minimum, maximum)
    use_interval = decision == "interval" and interval is not None
    if alpha is None:
        alpha = float(f"{(1.0 - confidence) / 2.0:.12g}") if confidence is not None else ALPHA  # no float noise
    verdict = limit_verdict(value, interval, minimum=minimum, maximum=maximum, n=n, alpha=alpha, decision=decision)
    comparison: str | None = None
    limit: float | None = None
    if minimum is not None:
        comparison, limit = ">=", float(minimum)
    if maximum is not None and minimum is None:
        comparison, limit = "<=", float(maximum)
    required = _required_text(minimum, maximum)
    evidence = _interval_text(interval, n, confidence)
    message = f"{family}.{check} {subject} = {fmt(value)}{evidence}, required {required}"
    if decision == "interval" and interval is None:
        message += " (no interval could be computed, so the point value decides)"
    if verdict.status == "fail":
        reason = "; ".join(verdict.problems)
        if use_interval:
            reason += " (the whole interval misses the limit)"
        message += f": {reason}."
        if hint:
            message += f"\n  What to do: {hint}"
    elif verdict.status == "inconclusive":
        message += (f": inconclusive: the interval reaches across the limit {fmt(verdict.straddled)}, so the data "
                    f"cannot tell yet; {verdict.decide_text(n)} (decision='point' judges the point value).")
    else:
        message += ": ok."
    extra = dict(details or {})
    if minimum is not None and maximum is not None:
        extra.setdefault("min", minimum)
        extra.setdefault("max", maximum)
    extra.setdefault("decision", "interval" if use_interval else "point")
    extra.update(verdict.details())
    return GateResult(
        family,
        check,
        subject,
        verdict.status,
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
        parts.append(ci_text(interval, confidence) if confidence is not None else f"CI {interval_text(interval)}")
    if n is not None:
        parts.append(f"n={n}")
    return f" ({', '.join(parts)})" if parts else ""
