"""Regression-versus-baseline gate: is the model worse than the one we ship?

Two checks, both deciding on an interval of the *difference*, never on point values:

- :meth:`BaselineGate.compare` measures each metric with its bootstrap interval and compares it with the test's stored
  baseline file (see :mod:`pytest_mlgate.baselines`). With stored predictions the difference is bootstrapped on
  the same rows (paired); without, both intervals are combined as independent estimates.
- :meth:`BaselineGate.compare_models` scores a champion and a challenger on the same rows and bootstraps the difference
  with the same resampled rows for both; for accuracy, McNemar's exact test must agree.

A check fails only when the whole interval of the difference lies beyond the allowed drop, so when nothing
changed it fails at most at the rate ``mlgate_alpha`` (one-sided; see ``docs/baseline.md``). An improvement never
fails; when the interval says it is real, the message suggests raising the baseline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from pytest_mlgate import baselines
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import GateSettings, Verdict, gate_check, limit_verdict
from pytest_mlgate.gates.lifecycle import SelectionCheck
from pytest_mlgate.gates.metrics import computed_details, computed_notes, computed_with
from pytest_mlgate.records import Comparison, Estimate
from pytest_mlgate.results import GateError, GateResult, ci_text, fmt, hide_our_frames, is_number
from pytest_mlgate.stats.metrics import Metric, estimate_prepared, get_metric, point_value
from pytest_mlgate.stats.paired import (
    ACCURACY_LIKE,
    mcnemar_exact,
    paired_difference,
    rescale_interval,
    unpaired_difference,
)
from pytest_mlgate.stats.power import decide

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = "baseline"
MetricKey = str | Metric | Callable[..., float]
OUTPUT_KEYS = {"label": "y_pred", "regression": "y_pred", "score": "y_score", "proba": "y_score"}


# --- arguments ---------------------------------------------------------------------------------------------------


def _metric_list(metrics: MetricKey | Sequence[MetricKey]) -> list[Metric]:
    if isinstance(metrics, (str, Metric)) or callable(metrics):
        metrics = [metrics]
    if not isinstance(metrics, Sequence) or not metrics:
        raise GateError("metrics must be a metric name, a callable, or a non-empty list of them, "
                        "e.g. metrics=['roc_auc', 'f1']")
    chosen: dict[str, Metric] = {}
    for key in metrics:
        m = get_metric(key)
        chosen[m.name] = m
    return list(chosen.values())


def _tolerance(label: str, value: Any) -> float:
    if not is_number(value) or not math.isfinite(value) or value < 0:
        raise GateError(f"{label} must be a finite number >= 0, got {value!r}")
    return float(value)


def _max_drops(max_drop: float | Mapping[Any, float] | None, chosen: list[Metric]) -> dict[str, float | None]:
    if max_drop is None:
        return {m.name: None for m in chosen}
    if not isinstance(max_drop, Mapping):
        drop = _tolerance("max_drop", max_drop)
        return {m.name: drop for m in chosen}
    given = {get_metric(key).name: _tolerance(f"max_drop[{key!r}]", value) for key, value in max_drop.items()}
    missing = [m.name for m in chosen if m.name not in given]
    if missing:
        raise GateError(f"max_drop has no entry for {', '.join(missing)}; give every compared metric its allowed "
                        "drop, or pass one number for all")
    return {m.name: given[m.name] for m in chosen}


def _label(key: Any) -> str:
    return str(getattr(key, "name", None) or getattr(key, "__name__", None) or key)


def _point(m: Metric, y_true: np.ndarray, output: np.ndarray, who: str,
           sample_weight: np.ndarray | None = None) -> float:
    """scikit-learn's value of a metric, or a GateError saying why it is undefined here."""
    return point_value(m, y_true, output, who, sample_weight=sample_weight)


def _label_values(*arrays: np.ndarray | None) -> np.ndarray:
    """The labels that two sets of predicted labels and the true ones use, together: both sides of a paired
    comparison are encoded from the same classes."""
    try:
        return np.unique(np.concatenate([np.unique(a) for a in arrays if a is not None]))
    except TypeError:
        raise GateError("the labels and the two sets of predictions mix value types that cannot be compared; "
                        "pass labels of one type") from None


def _raw_output(outputs: _inputs.Outputs, m: Metric) -> np.ndarray | None:
    return outputs.pred if m.needs in ("label", "regression") else outputs.score


def _direction(m: Metric) -> float:
    return 1.0 if m.greater_is_better else -1.0


#: Scores on a 0-1 scale, higher is better: their default margin is absolute.
UNIT_SCORES = frozenset({"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc",
                         "roc_auc_ovr_weighted", "average_precision"})
DEFAULT_MARGIN = 0.005  #: on 0-1 scores
DEFAULT_RELATIVE_MARGIN = 0.01  #: of the champion's (baseline's) value, for losses and every other metric


def default_margin(m: Metric, reference_value: float) -> float:
    """The tolerance of a paired comparison when none is given: a retrain with another seed is a little better
    or worse than the model it replaces, and a paired interval on many rows sees that. 0.005 on 0-1 scores
    (``roc_auc``, ``accuracy``, ...), 1% of the champion's value for losses and other metrics
    (``docs/verdicts.md`` shows the seed-only false alarms this keeps at or below 1%)."""
    if m.name in UNIT_SCORES:
        return DEFAULT_MARGIN
    return DEFAULT_RELATIVE_MARGIN * abs(reference_value) if math.isfinite(reference_value) else 0.0


def _margin_text(margin: float, given: bool) -> str:
    return fmt(margin) if given else f"{fmt(margin)} (the default: see docs/baseline.md)"


def _value_entry(value: float, interval: tuple[float, float] | None, n: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": value, "interval": list(interval) if interval is not None else None}
    if n is not None:
        entry["n"] = n
    return entry


def _verdict(difference: float, interval: tuple[float, float], allowed: float, sign: float, n: int | None,
             confidence: float) -> Verdict:
    """A difference ``new - old`` against the allowed drop: pass, fail or inconclusive (one rule for every gate)."""
    alpha = float(f"{(1.0 - confidence) / 2.0:.12g}")  # 12 significant digits: no float noise, tiny alphas kept
    if sign > 0:
        return limit_verdict(difference, interval, minimum=-allowed, n=n, alpha=alpha)
    return limit_verdict(difference, interval, maximum=allowed, n=n, alpha=alpha)


# --- compare with the stored baseline ------------------------------------------------------------------------------


def _total_drop(m: Metric, est: Any, stored: baselines.Baseline, max_total_drop: float, path: Path,
                confidence: float) -> GateResult:
    """The current value against the best value any accepted baseline update had: slow decay, step by step
    within ``max_drop``, still fails once it adds up to more than ``max_total_drop``."""
    best = baselines.best_accepted(stored, m.name)
    assert best is not None
    best_value, best_interval = best
    current_interval = est.interval if all(math.isfinite(v) for v in est.interval) else (est.value, est.value)
    difference, interval = unpaired_difference(est.value, current_interval, best_value,
                                               best_interval or (best_value, best_value))
    sign = _direction(m)
    verdict = _verdict(difference, interval, max_total_drop, sign, est.n, confidence)
    failed = verdict.status == "fail"
    head = (f"baseline.total_drop {m.name} = {fmt(est.value)} ({ci_text(est.interval, confidence)}) vs the best "
            f"accepted value {fmt(best_value)} in the history of {path}: difference {fmt(difference)} "
            f"({ci_text(interval, confidence)}), allowed total drop {fmt(max_total_drop)}")
    if failed:
        message = (f"{head}: the model has decayed by more than that since its best accepted baseline, even if each "
                   f"update stayed within max_drop.\n  What to do: look at the history in {path} for where it "
                   "started to slide; fix the cause, or accept the lower level by raising max_total_drop= in the "
                   "test.")
    elif verdict.status == "inconclusive":
        message = (f"{head}: inconclusive, the interval reaches across the allowed total drop; "
                   f"{verdict.decide_text(est.n)}.")
    else:
        message = f"{head}: ok."
    return GateResult(
        FAMILY, "total_drop", m.name, verdict.status, value=difference,
        limit=-max_total_drop if sign > 0 else max_total_drop, comparison=">=" if sign > 0 else "<=",
        interval=interval, n=est.n, message=message,
        details={"metric": m.name, "baseline_file": str(path), "best_accepted": best_value,
                 "max_total_drop": max_total_drop, **verdict.details(), "history": [
                     {"value": item["metrics"][m.name]["value"], "interval": item["metrics"][m.name].get("interval"),
                      "commit": item.get("commit"), "written_at": item.get("written_at")}
                     for item in stored.history if m.name in item["metrics"]]},
    )


@dataclass(frozen=True)
class BaselineToWrite:
    """What ``compare`` under ``--mlgate-update-baselines`` would write: the file, its predictions, the legacy file
    it replaces. The check makes it without writing; the gate object writes it (:meth:`BaselineGate.write`),
    merging the file's history as it stands at that moment."""

    path: Path
    baseline: baselines.Baseline
    arrays: dict[str, np.ndarray] | None = None
    replaces: Path | None = None


def _to_write(
    path: Path,
    current: dict[str, tuple[Metric, np.ndarray, Any]],
    data: dict[str, Any],
    outputs: _inputs.Outputs,
    store_predictions: bool,
    settings: GateSettings,
    key: str,
    replaces: Path | None = None,
) -> tuple[BaselineToWrite, list[GateResult]]:
    """The baseline the current model makes and the results that say so; reads nothing and writes nothing (the
    history of the file it replaces is merged when it is written, inside the folder's lock)."""
    arrays = None
    if store_predictions:
        arrays = {name: value for name, value in (("y_pred", outputs.pred), ("y_score", outputs.score))
                  if value is not None}
    baseline = baselines.Baseline(
        node_id=key,
        metrics={name: baselines.MetricBaseline(est.value, est.interval, est.n, m.greater_is_better)
                 for name, (m, _, est) in current.items()},
        data=data,
        confidence=settings.confidence,
        n_resamples=settings.n_resamples,
        written_at=baselines.now(),
        versions=baselines.versions(),
    )
    pending = BaselineToWrite(path, baseline, arrays or None, replaces)
    reference = arrays or None
    results = []
    for name, (m, _, est) in current.items():
        stored_too = " (with the model's predictions)" if reference is not None else ""
        results.append(GateResult(
            FAMILY, "compare", name, "pass", value=est.value, interval=est.interval, n=est.n,
            message=(f"baseline.compare {name} = {fmt(est.value)} ({ci_text(est.interval, settings.confidence)}, "
                     f"n={est.n}): baseline written to {path}{stored_too}. Review the diff and commit it."),
            details={"baseline_written": str(path), "baseline_file": str(path), "metric": name,
                     "current": _value_entry(est.value, est.interval, est.n),
                     "greater_is_better": m.greater_is_better, "stored_predictions": reference is not None},
        ))
    return pending, results


def _missing(
    path: Path,
    chosen: list[Metric],
    current: dict[str, tuple[Metric, np.ndarray, Any]],
    settings: GateSettings,
    known: list[str] | None = None,
) -> GateResult:
    names = [m.name for m in chosen]
    values = ", ".join(f"{n} = {fmt(current[n][2].value)} ({ci_text(current[n][2].interval, settings.confidence)})"
                       for n in names)
    what = (f"has no baseline for {', '.join(names)} (it holds {', '.join(known)})" if known is not None
            else "does not exist")
    return GateResult(
        FAMILY, "compare", ",".join(names), "fail", n=next(iter(current.values()))[2].n,
        message=(f"baseline.compare: the baseline file {path} {what}, so there is nothing to compare with "
                 f"(now {values}).\n  What to do: run pytest {baselines.UPDATE_FLAG} to write it from the current "
                 "model, review it and commit it."),
        details={"baseline_file": str(path), "missing": names,
                 "current": {n: _value_entry(current[n][2].value, current[n][2].interval) for n in names}},
    )


def _compare_one(
    m: Metric,
    est: Any,
    entry: baselines.MetricBaseline,
    *,
    output: np.ndarray,
    old_output: np.ndarray | None,
    y_true: np.ndarray,
    max_drop: float | None,
    relative: bool,
    path: Path,
    stored_confidence: float,
    settings: GateSettings,
    seed: int,
    sample_weight: np.ndarray | None = None,
    computed: dict[str, Any] | None = None,
) -> GateResult:
    confidence = settings.confidence
    baseline_interval = entry.interval
    if baseline_interval is not None:
        baseline_interval = rescale_interval(entry.value, baseline_interval, from_confidence=stored_confidence,
                                             to_confidence=confidence)
    if old_output is not None:
        old_value = _point(m, y_true, old_output, "stored predictions", sample_weight)
        paired = paired_difference(m, y_true, old_output, output, value_a=old_value, value_b=est.value,
                                   n_resamples=settings.n_resamples, confidence=confidence, seed=seed,
                                   sample_weight=sample_weight)
        difference, interval = paired.difference, paired.interval
        how = "paired bootstrap against the stored predictions, same rows"
    else:
        current_interval = est.interval if all(math.isfinite(v) for v in est.interval) else (est.value, est.value)
        difference, interval = unpaired_difference(est.value, current_interval, entry.value,
                                                   baseline_interval or (entry.value, entry.value))
        how = "current and baseline intervals combined"
    if max_drop is None:  # the default: a paired comparison tolerates a seed's spread, an unpaired one is wide
        allowed = default_margin(m, entry.value) if old_output is not None else 0.0
    else:
        allowed = max_drop * (abs(entry.value) if relative else 1.0)
    if abs(difference) <= 1e-11 * max(1.0, abs(entry.value)):  # below the file's 12 significant digits
        difference = 0.0
    sign = _direction(m)
    lo, hi = interval
    worst_case = lo if sign > 0 else -hi
    verdict = _verdict(difference, interval, allowed, sign, est.n, confidence)
    failed = verdict.status == "fail"
    improved = math.isfinite(worst_case) and worst_case > 0
    limit = -allowed if sign > 0 else allowed
    if max_drop is None:
        allowed_text = _margin_text(allowed, False)
    else:
        allowed_text = f"{fmt(max_drop)} of the baseline ({fmt(allowed)})" if relative else fmt(allowed)
    head = (f"baseline.compare {m.name} = {fmt(est.value)} ({ci_text(est.interval, confidence)}, n={est.n}) vs "
            f"baseline {fmt(entry.value)} ({ci_text(baseline_interval, confidence)})")
    change = f"difference {fmt(difference)} ({ci_text(interval, confidence)}, {how})"
    worse = "dropped" if sign > 0 else "rose"
    if failed:
        message = (f"{head} in {path}: {m.name} {worse} by {fmt(abs(difference))}; {change} lies entirely beyond "
                   f"the allowed drop of {allowed_text}.\n  What to do: find what made the model worse (data, "
                   f"features, training code). If the change is intended, rewrite the baseline with pytest "
                   f"{baselines.UPDATE_FLAG}, review the diff and commit it.")
    elif improved:
        message = (f"{head}: improved; {change} lies entirely on the better side.\n  Hint: raise the baseline so "
                   f"the gain is kept: run pytest {baselines.UPDATE_FLAG}, review the diff and commit it.")
    elif verdict.status == "inconclusive":
        message = (f"{head}: {change}, allowed drop {allowed_text}: inconclusive, the interval reaches across the "
                   f"allowed drop, so the data cannot tell yet; {verdict.decide_text(est.n)}.")
    else:
        message = f"{head}: {change}, allowed drop {allowed_text}: ok, the whole interval lies within it."
    return GateResult(
        FAMILY, "compare", m.name, verdict.status,
        value=difference, limit=limit, comparison=">=" if sign > 0 else "<=", interval=interval, n=est.n,
        message=message,
        record=Comparison(m.name, Estimate(entry.value, baseline_interval, entry.n),
                          Estimate(est.value, est.interval, est.n)),
        details={
            "baseline_file": str(path),
            "difference": difference,
            "max_drop": max_drop,
            "allowed_drop": allowed,
            "relative": relative,
            "paired": old_output is not None,
            "greater_is_better": m.greater_is_better,
            "improved": improved,
            "hint": f"update the baseline with {baselines.UPDATE_FLAG}" if improved else "",
            "confidence": confidence,
            "n_resamples": settings.n_resamples,
            **(computed or {}),
            **verdict.details(),
        },
    )


# --- champion versus challenger ------------------------------------------------------------------------------------


# --- the fixture's class -------------------------------------------------------------------------------------------


def _compare_subject(args: dict[str, Any]) -> str:
    metrics = args["metrics"]
    return ",".join(_label(k) for k in (metrics if isinstance(metrics, (list, tuple)) else [metrics]))


class BaselineGate(SelectionCheck):
    """The ``baseline_gate`` fixture: the current model against the stored baseline, or against a champion."""

    family = FAMILY

    def __init__(self, *args: Any, baseline_dir: str | Path | None = None, **kwargs: Any) -> None:
        """Under pytest the fixture sets everything. In a script or notebook, ``BaselineGate(baseline_dir="...")``
        is all it takes (``settings=GateSettings(update_baselines=True)`` writes the baselines)."""
        super().__init__(*args, **kwargs)
        if baseline_dir is not None:
            self.recorder = replace(self.recorder, settings=replace(self.settings, baseline_dir=Path(baseline_dir)))
        self._baseline_names: set[str | None] = set()

    def write(self, pending: BaselineToWrite) -> None:
        """Write what a check would write: the baseline file and its predictions, as one unit."""
        baselines.write_pair(pending.path, pending.baseline, pending.arrays, replaces=pending.replaces,
                             commit=baselines.current_commit(pending.path.parent))

    @gate_check("compare", _compare_subject)
    def compare(
        self,
        model: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        metrics: MetricKey | Sequence[MetricKey],
        max_drop: float | Mapping[Any, float] | None = None,
        relative: bool = False,
        y_pred: Any = None,
        y_score: Any = None,
        store_predictions: bool = False,
        name: str | None = None,
        max_total_drop: float | None = None,
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> list[GateResult]:
        """Compare each metric with this test's baseline file; fail on a drop larger than ``max_drop``.

        ``max_drop`` is in the metric's units (or a fraction of the baseline value with ``relative=True``; a
        mapping gives each metric its own). A metric fails only when the interval of ``current - baseline``
        lies entirely on the worse side of ``-max_drop``: the evidence says the drop exceeds what is allowed.
        The default (``None``) allows no drop the unpaired comparison can show, and, when the comparison is
        paired (stored predictions), the spread of a retrain with another seed: 0.005 on 0-1 scores, 1% of
        the baseline's value otherwise (see :func:`default_margin`).
        Under ``--mlgate-update-baselines`` the file is (re)written and the check passes.
        ``store_predictions=True`` keeps the model's predictions next to the file, so later runs compare on
        the same rows (paired), which detects smaller drops. ``name`` keeps a second baseline in one test.
        Each accepted update appends to the file's bounded history; ``max_total_drop`` fails when the model has
        fallen by more than that from the best accepted value in the history (slow decay in small steps).
        ``y_true=``, ``sample_weight=`` and ``pos_label=`` mean what they mean in ``model_gate.metrics``.
        """
        if name in self._baseline_names:
            raise GateError("compare was already called in this test for the same baseline file; pass "
                            "name='...' to keep a second baseline for this test")
        self._baseline_names.add(name)
        settings, key, legacy_key = self.settings, self.recorder.key, self.recorder.node_id
        chosen = _metric_list(metrics)
        drops = _max_drops(max_drop, chosen)
        if max_total_drop is not None:
            max_total_drop = _tolerance("max_total_drop", max_total_drop)
        if settings.baseline_dir is None:
            raise GateError("no baseline directory: run under pytest (mlgate_baseline_dir) or create the gate with "
                            "BaselineGate(baseline_dir=...)")
        path = baselines.baseline_path(settings.baseline_dir, key or "baseline", name)
        legacy = baselines.legacy_baseline_path(settings.baseline_dir, legacy_key, name) if legacy_key else None
        found = baselines.file_to_read(path, legacy)
        stored = None
        if not settings.update_baselines and (found.exists() or found.is_symlink()):
            stored = baselines.read_baseline(found)  # a broken file stops here, before any work, and stays as it is

        y_true = _inputs.true_labels(y, y_true)
        weights = _inputs.sample_weights(sample_weight, y_true.size)
        needs = {m.needs for m in chosen}
        outputs = _inputs.model_outputs(model, X, y_pred=y_pred, y_score=y_score, **_inputs.output_needs(needs))
        for output in (outputs.pred, outputs.score):
            if output is not None:
                _inputs.same_length(y=y_true, predictions=output)
        if X is not None:
            _inputs.same_length(X=X, y=y_true)
        data = baselines.fingerprint(X, y_true, weights)
        current = {}
        ready_inputs = {}
        for m in chosen:
            ready = _inputs.metric_input(m, outputs, y_true, pos_label)
            est = estimate_prepared(m, ready, n_resamples=settings.n_resamples, confidence=settings.confidence,
                                    seed=settings.seed_for(key, "compare", name or "", m.name), sample_weight=weights)
            current[m.name] = (m, ready.output, est)
            ready_inputs[m.name] = ready

        if settings.update_baselines:
            pending, written = _to_write(path, current, data, outputs, store_predictions, settings, key,
                                         replaces=legacy)
            self.write(pending)
            return written
        if stored is None:
            return [_missing(path, chosen, current, settings)]
        differences = baselines.fingerprint_differences(stored.data, data)
        if differences:
            raise GateError(f"the baseline was computed on other data: {'; '.join(differences)} (baseline file "
                            f"{path}). Compare on the same evaluation data, or if it changed on purpose rewrite the "
                            f"baseline with {baselines.UPDATE_FLAG} and commit it")
        path = found
        stored_outputs = (baselines.read_predictions(path, stored.predictions)
                          if stored.predictions is not None else {})
        results = []
        for m, output, est in current.values():
            entry = stored.metrics.get(m.name)
            if entry is None:
                results.append(_missing(path, [m], current, settings, known=sorted(stored.metrics)))
                continue
            if entry.greater_is_better != m.greater_is_better:
                raise GateError(f"{m.name} is {'higher' if m.greater_is_better else 'lower'}-is-better now but the "
                                f"baseline {path} stored it the other way round; fix greater_is_better or rewrite the "
                                f"baseline with {baselines.UPDATE_FLAG}")
            ready = ready_inputs[m.name]
            old_output = stored_outputs.get(OUTPUT_KEYS[m.needs])
            paired = old_output is not None and old_output.shape == output.shape
            old_ready = None
            if paired:  # the stored raw output, encoded as the current one is (its score turned the same way)
                assert old_output is not None
                old = replace(outputs, pred=old_output, score=old_output)
                classes = (_label_values(y_true, _raw_output(outputs, m), old_output) if m.needs == "label"
                           else None)
                ready = _inputs.metric_input(m, outputs, y_true, pos_label, classes=classes)
                old_ready = _inputs.metric_input(m, old, y_true, pos_label, classes=classes)
            results.append(computed_with(_compare_one(
                m, est, entry, output=ready.output, old_output=old_ready.output if old_ready is not None else None,
                y_true=ready.y, max_drop=drops[m.name], relative=relative, path=path,
                stored_confidence=stored.confidence, settings=settings,
                seed=settings.seed_for(key, "compare-paired", name or "", m.name),
                sample_weight=weights, computed=computed_details(est.positive, weights),
            ), computed_notes(m, est.positive, weights)))
            if max_total_drop is not None:
                results.append(_total_drop(m, est, stored, max_total_drop, path, settings.confidence))
        return results

    @gate_check("importance_ranking", lambda a: _label(a["metric"]))
    def importance_ranking(
        self,
        model: Any,
        X: Any,
        y: Any = None,
        *,
        metric: MetricKey,
        top_k: int = 5,
        n_repeats: int = 5,
        max_rows: int | None = None,
        name: str | None = None,
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> list[GateResult]:
        """Explanation drift: fail when a feature enters or leaves the stored top ``top_k`` by permutation
        importance (``model_gate.importance``'s numbers) with evidence: its interval lies wholly below (leaves) or
        above (enters) the stored interval of the k-th stored feature. Under ``--mlgate-update-baselines`` every
        feature's importance is (re)written to the test's baseline file; ``name`` keeps a second ranking in one
        test. ``sample_weight=`` weighs the scores, as in ``model_gate.importance``. See
        :mod:`pytest_mlgate.gates.explanation`."""
        from pytest_mlgate.gates.explanation import importance_ranking

        slot = f"importance_ranking:{name or ''}"
        if slot in self._baseline_names:
            raise GateError("importance_ranking was already called in this test for the same baseline file; pass "
                            "name='...' to keep a second ranking for this test")
        self._baseline_names.add(slot)
        pending, results = importance_ranking(self, model, X, _inputs.true_labels(y, y_true), metric=metric,
                                              top_k=top_k, n_repeats=n_repeats, max_rows=max_rows, name=name,
                                              sample_weight=sample_weight, pos_label=pos_label)
        if pending is not None:  # the check made the baseline; the gate writes it, as for compare
            path, baseline, replaces = pending
            self.write(BaselineToWrite(path, baseline, None, replaces))
        return results

    @gate_check("compare_models", lambda a: _label(a["metric"]))
    def compare_models(
        self,
        champion: Any = None,
        challenger: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        metric: MetricKey,
        margin: float | None = None,
        y_true: Any = None,
        y_pred: Any = None,
        y_score: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
        alternative: Literal["less", "two-sided"] = "less",
    ) -> list[GateResult]:
        """Fail when the challenger is worse than the champion by more than ``margin`` (metric units).

        Both models predict the same rows; the difference ``challenger - champion`` is bootstrapped with the
        same resampled rows for both, and the check fails when its whole interval lies beyond ``-margin``. For
        accuracy with ``margin=0``, McNemar's exact test on the rows where only one model is right must agree.
        The default margin (``None``) is a seed's spread: 0.005 on 0-1 scores, 1% of the champion's value for
        losses and other metrics (:func:`default_margin`).

        ``champion`` may also be a list of seed variants of the champion (the same pipeline trained with
        different seeds, at least two): the challenger is then one more draw of that seed lottery, and the check
        fails when it lies below the variants' mean by more than a t-bound on their spread allows (a prediction
        interval for one new variant, which ``margin`` widens; its default is the one above).

        Predictions made elsewhere come as pairs, ``y_pred=(champion's, challenger's)`` and/or
        ``y_score=(...)``, in place of the models (``None`` on a side that is a model). ``y_true=``,
        ``sample_weight=`` and ``pos_label=`` mean what they mean in ``model_gate.metrics``; with weights the
        paired bootstrap decides alone (McNemar's test counts rows).

        ``alternative`` is McNemar's: ``"less"`` (the challenger is less accurate, the gate's own question) or
        ``"two-sided"`` (they differ: statsmodels' ``mcnemar(table, exact=True)`` p-value, twice the one-sided
        one, so the check fails less readily); ``"greater"`` would ask whether the challenger is better, which a
        check that fails when it is worse cannot use.
        """
        settings, key = self.settings, self.recorder.key
        m = get_metric(metric)
        if alternative not in ("less", "two-sided"):
            raise GateError(f"alternative must be 'less' or 'two-sided' (McNemar's test of the challenger being "
                            f"less accurate), got {alternative!r}")
        given = margin is not None
        if margin is not None:
            margin = _tolerance("margin", margin)
        y_true = _inputs.true_labels(y, y_true)
        weights = _inputs.sample_weights(sample_weight, y_true.size)
        pred_a, pred_b = _inputs.prediction_pair(y_pred, "y_pred")
        score_a, score_b = _inputs.prediction_pair(y_score, "y_score")
        if X is None and (champion is not None or challenger is not None):
            raise GateError("pass X, the rows both models should predict")
        if X is not None:
            _inputs.same_length(X=X, y=y_true)
        flags = _inputs.output_needs({m.needs})
        if isinstance(champion, (list, tuple)):
            if y_pred is not None or y_score is not None or weights is not None or pos_label is not None:
                raise GateError("champion as seed variants takes models only: no y_pred=, y_score=, sample_weight= "
                                "or pos_label=")
            return [_seed_variants(m, list(champion), challenger, X, y_true, flags, margin, settings)]
        sides = []
        for who, model, pred, score in (("champion", champion, pred_a, score_a),
                                        ("challenger", challenger, pred_b, score_b)):
            if model is None and pred is None and score is None:
                raise GateError(f"pass the {who} model (with X) or its predictions: y_pred=/y_score= as pairs "
                                "(champion's, challenger's)")
            outputs = _inputs.model_outputs(model, X, y_pred=pred, y_score=score, name=who, **flags)
            for output in (outputs.pred, outputs.score):
                if output is not None:
                    _inputs.same_length(y=y_true, **{f"{who}'s predictions": output})
            sides.append(outputs)
        classes = (_label_values(y_true, *(_raw_output(o, m) for o in sides)) if m.needs == "label" else None)
        ready_a, ready_b = (_inputs.metric_input(m, o, y_true, pos_label, classes=classes) for o in sides)
        out_a, out_b, labels = ready_a.output, ready_b.output, ready_a.y
        value_a = _point(m, labels, out_a, "champion", weights)
        value_b = _point(m, labels, out_b, "challenger", weights)
        if margin is None:
            margin = default_margin(m, value_a)
        seed = settings.seed_for(key, "compare_models", m.name)
        paired = paired_difference(m, labels, out_a, out_b, value_a=value_a, value_b=value_b,
                                   n_resamples=settings.n_resamples, confidence=settings.confidence, seed=seed,
                                   sample_weight=weights)
        sign = _direction(m)
        verdict = _verdict(paired.difference, paired.interval, margin, sign, paired.n, settings.confidence)
        details: dict[str, Any] = {
            "margin": margin,
            "default_margin": not given,
            "greater_is_better": m.greater_is_better,
            "confidence": settings.confidence,
            "n_resamples": settings.n_resamples,
            "seed": seed,
            **computed_details(ready_a.positive, weights),
        }
        if m.name in ACCURACY_LIKE and margin == 0 and weights is None:  # McNemar counts rows, not weights
            test = mcnemar_exact(labels, out_a, out_b, alternative)
            p_value = test.p_value
            p_name = "McNemar exact p" + (" (two-sided)" if alternative == "two-sided" else "")
            details.update(test="mcnemar_exact", only_champion_right=test.only_a, only_challenger_right=test.only_b,
                           alternative=alternative)
            if verdict.status == "fail" and p_value >= settings.alpha:  # the interval and the exact test must agree
                limit = -margin if sign > 0 else margin
                verdict = Verdict("inconclusive", straddled=limit, decide=decide(
                    paired.difference, paired.interval, limit, paired.n, alpha=settings.alpha))
        elif alternative != "less":
            raise GateError(f"alternative={alternative!r} is McNemar's, which compare_models uses for accuracy with "
                            f"margin=0 and no sample_weight only; here ({m.name}, margin {fmt(margin)}) the paired "
                            "bootstrap decides: drop alternative=")
        else:
            p_value = paired.p_value(greater_is_better=m.greater_is_better, margin=margin)
            p_name = "bootstrap p"
            details.update(test="paired_bootstrap")
        details["p_value"] = p_value
        details.update(verdict.details())
        head = (f"baseline.compare_models {m.name}: challenger {fmt(value_b)} vs champion {fmt(value_a)}, difference "
                f"{fmt(paired.difference)} ({ci_text(paired.interval, settings.confidence)}, paired bootstrap "
                f"on the same {paired.n} rows, {p_name}={fmt(p_value)})")
        margin_text = _margin_text(margin, given)
        if verdict.status == "fail":
            message = (f"{head}: the challenger is worse than the champion by more than the margin of "
                       f"{margin_text} (the whole interval lies beyond it).\n  What to do: keep the "
                       "champion; if the challenger must ship anyway, make the trade-off explicit with a larger "
                       "margin= in the test.")
        elif verdict.status == "inconclusive":
            message = (f"{head}: inconclusive, the data cannot tell whether the challenger is worse by more than "
                       f"{margin_text}; {verdict.decide_text(paired.n)}.")
        else:
            message = f"{head}: ok, the challenger is worse by at most {margin_text} (the whole interval says so)."
        return [computed_with(GateResult(
            FAMILY, "compare_models", m.name, verdict.status,
            value=paired.difference, limit=-margin if sign > 0 else margin, comparison=">=" if sign > 0 else "<=",
            interval=paired.interval, n=paired.n, message=message, details=details,
            record=Comparison(m.name, Estimate(value_a, paired.interval_a), Estimate(value_b, paired.interval_b),
                              ("champion", "challenger")),
        ), computed_notes(m, ready_a.positive, weights))]


def _seed_variants(m: Metric, variants: list[Any], challenger: Any, X: Any, y_true: np.ndarray,
                   flags: _inputs.OutputNeeds, margin: float | None, settings: GateSettings) -> GateResult:
    """``compare_models`` with the champion given as seed variants: is the challenger below what one more seed
    of the champion's pipeline would give? The variants' values on these rows are a sample of that lottery
    (seed and row noise together, since every model sees the same rows); a new draw lies within
    ``mean +- t(k-1) * s * sqrt(1 + 1/k)`` with the interval's confidence if the lottery were normal. It is
    skewed (a metric is at its best near the optimum, so bad seeds lie further out than good ones), which
    makes the t-bound alone alarm about twice as often as it should; the default margin on top restores it."""
    from scipy.stats import t as student_t

    if len(variants) < 2:
        raise GateError(f"champion as seed variants needs at least two models (five or more give a useful bound), "
                        f"got {len(variants)}; pass a single champion model instead")
    values = []
    for i, variant in enumerate(variants):
        out = _inputs.metric_output(m, _inputs.model_outputs(variant, X, name=f"champion[{i}]", **flags), y_true)
        values.append(_point(m, y_true, out, f"champion[{i}]"))
    out_b = _inputs.metric_output(m, _inputs.model_outputs(challenger, X, name="challenger", **flags), y_true)
    value_b = _point(m, y_true, out_b, "challenger")
    k = len(values)
    spread = float(np.std(values, ddof=1))
    if spread == 0.0:
        raise GateError(f"the {k} champion variants give the same {m.name} ({fmt(values[0])}) on these rows: they "
                        "are one model, so they show no seed spread. Pass variants trained with different seeds, or "
                        "a single champion")
    mean = float(np.mean(values))
    given = margin is not None
    margin = default_margin(m, mean) if margin is None else margin
    difference = value_b - mean
    t_value = float(student_t.ppf(1.0 - settings.alpha, k - 1))
    half = t_value * spread * math.sqrt(1.0 + 1.0 / k)
    interval = (difference - half, difference + half)
    sign = _direction(m)
    verdict = _verdict(difference, interval, margin, sign, None, settings.confidence)  # decided by seeds, not rows
    failed = verdict.status == "fail"
    head = (f"baseline.compare_models {m.name}: challenger {fmt(value_b)} vs the mean {fmt(mean)} of {k} champion "
            f"seed variants (spread sd {fmt(spread)}), difference {fmt(difference)} "
            f"({ci_text(interval, settings.confidence)}, t-bound for one more seed, t={fmt(t_value)} with {k - 1} "
            f"degrees of freedom, same {y_true.size} rows)")
    if failed:
        message = (f"{head}: the challenger is worse than another seed of the champion would be, by more than the "
                   f"margin of {_margin_text(margin, given)}.\n  What to do: keep the champion; if the challenger "
                   "must ship anyway, make the trade-off explicit with margin= in the test. More variants narrow "
                   "the bound (t falls fast up to about 5-10 variants).")
    elif verdict.status == "inconclusive":
        message = (f"{head}: inconclusive, the bound reaches across the margin of {_margin_text(margin, given)}; "
                   f"{verdict.decide_text(None)}. More variants narrow the bound.")
    else:
        message = f"{head}: ok, within the seed spread of the champion (margin {_margin_text(margin, given)})."
    return GateResult(
        FAMILY, "compare_models", m.name, verdict.status, value=difference,
        limit=-margin if sign > 0 else margin, comparison=">=" if sign > 0 else "<=", interval=interval,
        n=int(y_true.size), message=message,
        record=Comparison(m.name, Estimate(mean), Estimate(value_b), ("champion", "challenger")),
        details={"champion_variants": values, "seed_spread": spread, "t": t_value, "margin": margin,
                 "default_margin": not given,
                 "greater_is_better": m.greater_is_better, "confidence": settings.confidence,
                 "test": "seed_variants_t_bound", **verdict.details()},
    )
