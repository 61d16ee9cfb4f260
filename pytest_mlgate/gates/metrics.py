"""Model metrics with bootstrap confidence intervals, against their limits: ``model_gate.metrics``."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import (
    MODEL_VALIDATION,
    BaseGate,
    Decision,
    gate_check,
    gate_errors,
    limit_entries,
    threshold_result,
)
from pytest_mlgate.results import GateError, GateResult, hide_our_frames, json_safe
from pytest_mlgate.stats import metrics as stats
from pytest_mlgate.stats.metrics import Metric, Prepared, estimate_prepared, get_metric

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = MODEL_VALIDATION
MetricKey = str | Metric | Callable[..., float]
#: ``pytest_mlgate.metric``: wrap your own function as a metric (bad arguments are a GateError)
metric = gate_errors(stats.metric)


def computed_notes(m: Metric | None, positive: Any, weights: np.ndarray | None) -> list[str]:
    """What a value was computed with, said in its message: a scorer name's sign, the positive class, the
    weights."""
    notes = [m.note] if m is not None and m.note else []
    if positive is not None:
        notes.append(f"positive class {json_safe(positive)!r}")
    if weights is not None:
        notes.append("weighted by sample_weight")
    return notes


def computed_details(positive: Any, weights: np.ndarray | None) -> dict[str, Any]:
    """The same for the JSON details: ``positive_class`` (binary labels only) and ``weighted``."""
    details: dict[str, Any] = {"weighted": weights is not None}
    if positive is not None:
        details["positive_class"] = json_safe(positive)
    return details


def computed_with(result: GateResult, notes: Sequence[str]) -> GateResult:
    """``result`` with ``notes`` said on the line after its message's first one (reports show it with the
    message, the HTML report under the first line)."""
    if not notes:
        return result
    first, _, rest = result.message.partition("\n")
    return replace(result, message=f"{first}\n  Computed with {'; '.join(notes)}." + (f"\n{rest}" if rest else ""))


def small_sample_interval(m: Metric, ready: Prepared, weights: np.ndarray | None,
                          confidence: float) -> tuple[tuple[float, float], str] | None:
    """The interval of a built-in label metric on fewer than 200 unweighted rows, where the bootstrap's misleads,
    and its method's name; None otherwise, and the bootstrap's interval stands.

    - A rate (accuracy, the error rate, binary precision / recall): the mid-p exact interval, since the bootstrap
      percentile interval undercovers there (see stats/proportion.py).
    - Any other label metric (f1, balanced accuracy, MCC, ...) on a sample with no error: every resample is
      perfect too, so the bootstrap's interval is the single point [1, 1]. The far end is then the metric with the
      errors the data cannot rule out, placed where they hurt most (:func:`_no_error_interval`).
    """
    from pytest_mlgate.stats.proportion import SMALL, label_rate_counts, small_count_interval

    if weights is not None or ready.y.size >= SMALL or stats.METRICS.get(m.name) is not m or m.needs != "label":
        return None
    y, pred = np.asarray(ready.y), np.asarray(ready.output)
    rate = small_count_interval(label_rate_counts(m.name, y, pred), confidence)
    if rate is not None:
        return rate, "mid-p exact"
    if y.size and np.array_equal(y, pred):
        return _no_error_interval(m, y, confidence), "no errors: the worst placement of the mid-p error bound"
    return None


def _no_error_interval(m: Metric, y: np.ndarray, confidence: float) -> tuple[float, float]:
    """The interval of ``m`` on ``y`` predicted without error: from the perfect value to the worst value with
    ``e`` errors, ``e`` the mid-p upper bound of the error count (0 errors in n rows; rounded up). The errors are
    placed every way that can hurt: for binary labels every split between missed positives and false alarms, for
    more classes all of them taken from one class into one other. An approximation (the class shares are those
    observed), which errs toward inconclusive: a tiny perfect slice no longer passes a limit its size cannot
    show."""
    from pytest_mlgate.stats.proportion import midp_interval

    n = y.size
    errors = min(n, int(np.ceil(float(midp_interval(0, n, confidence)[1]) * n - 1e-9)))
    classes, counts = np.unique(y, return_counts=True)
    values = [float(m.fn(y, y))]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a placement's undefined value (0/0) is ours to drop, not the user's news
        values += _placed_errors(m, y, classes, counts, errors)
    finite = [v for v in values if np.isfinite(v)]
    return (min(finite), max(finite)) if finite else (values[0], values[0])


def _placed_errors(m: Metric, y: np.ndarray, classes: np.ndarray, counts: np.ndarray, errors: int) -> list[float]:
    """``m`` with ``errors`` wrong predictions in each placement :func:`_no_error_interval` tries."""
    values: list[float] = []
    if y.dtype == bool:
        positives, negatives = np.flatnonzero(y), np.flatnonzero(~y)
        for missed in range(errors + 1):
            alarms = errors - missed
            if missed > positives.size or alarms > negatives.size:
                continue
            pred = y.copy()
            pred[positives[:missed]] = False
            pred[negatives[:alarms]] = True
            values.append(float(m.fn(y, pred)))
    else:
        for source, size in zip(classes, counts, strict=True):
            rows = np.flatnonzero(y == source)[:min(errors, int(size))]
            for target in classes[classes != source]:
                pred = y.copy()
                pred[rows] = target
                values.append(float(m.fn(y, pred)))
    return values


def _limits(min: Mapping[Any, float] | None, max: Mapping[Any, float] | None) -> dict[str, tuple[Metric, Any, Any]]:
    """name -> (metric, min, max), validating names before any prediction is made."""
    table: dict[str, tuple[Metric, Any, Any]] = {}
    for label, key, limit in limit_entries(min, max, what="metric", example="'roc_auc': 0.8"):
        m = get_metric(key)
        _, lo, hi = table.get(m.name, (m, None, None))
        table[m.name] = (m, limit if label == "min" else lo, limit if label == "max" else hi)
    if not table:
        raise GateError("no metric to check: pass min={'metric': limit} and/or max={'metric': limit}")
    return table


def _missing_outputs(table: dict[str, tuple[Metric, Any, Any]], *, y_pred: Any, y_score: Any) -> None:
    """Name the metrics whose input is missing when predictions are passed instead of a model."""
    for given, kinds, argument, what in ((y_pred, ("label", "regression"), "y_pred", "predicted labels or values"),
                                         (y_score, ("score", "proba"), "y_score", "scores or probabilities")):
        names = [name for name, (m, _, _) in table.items() if m.needs in kinds]
        if given is None and names and (y_pred is not None or y_score is not None):
            raise GateError(f"{', '.join(names)} need(s) {what}: pass {argument}= (or a model)")


def _metrics_subject(args: dict[str, Any]) -> str:
    keys = [k for limits in (args["min"], args["max"]) if isinstance(limits, Mapping) for k in limits]
    return ",".join(str(getattr(k, "__name__", k)) for k in keys)  # not a mapping: a GateError in the check


class MetricChecks(BaseGate):
    """``metrics``: each metric with its bootstrap interval against its ``min``/``max``."""

    @gate_check("metrics", _metrics_subject)
    def metrics(
        self,
        model: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        min: Mapping[Any, float] | None = None,
        max: Mapping[Any, float] | None = None,
        y_pred: Any = None,
        y_score: Any = None,
        decision: Decision = "interval",
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
        data: Any = None,
    ) -> list[GateResult]:
        """Gate metrics by name (``accuracy``, ``roc_auc``, ``f1``, ``log_loss``, ``brier``, ``rmse``, ``r2``, ...)
        or callables, each with a bootstrap confidence interval.

        A metric fails when its whole interval lies beyond its limit (``decision="interval"``, the default,
        which keeps false alarms at ``mlgate_alpha`` when the model sits exactly at the limit) or, with
        ``decision="point"``, when the point value does. Pass ``y_pred=``/``y_score=`` instead of a model to
        gate predictions made elsewhere; ``y_true=`` is scikit-learn's spelling of ``y``. ``sample_weight=``
        weighs rows as scikit-learn does, in every resample too. Binary labels other than {0, 1}, {-1, 1} and
        {False, True} need ``pos_label=``; the message and details name the positive class.

        ``data=`` takes a table an engine holds (a Parquet path, a DuckDB relation, a polars LazyFrame, ...) with
        ``y``, ``y_pred`` and ``y_score`` naming its columns: count metrics exactly from ``GROUP BY`` counts, ROC
        AUC and average precision from a score histogram per class with the binning error bounded and reported.
        """
        settings, key = self.settings, self.recorder.key
        if data is not None:
            from pytest_mlgate.gates import table_metrics

            if model is not None or X is not None or sample_weight is not None:
                raise GateError("with data=, name the columns (y=\"label\", y_pred=\"pred\", y_score=\"score\"); "
                                "model, X and sample_weight are not accepted")
            return table_metrics.check_table_metrics(
                data, y if y is not None else y_true, y_pred, y_score, minimum=min, maximum=max, decision=decision,
                pos_label=pos_label, n_resamples=settings.n_resamples, confidence=settings.confidence,
                seed=lambda name: settings.seed_for(key, "metrics", name))
        table = _limits(min, max)
        if decision not in ("interval", "point"):
            raise GateError(f"decision must be 'interval' or 'point', got {decision!r}")
        labels = _inputs.true_labels(y, y_true)
        weights = _inputs.sample_weights(sample_weight, labels.size)
        y_true = labels
        needs = {m.needs for m, _, _ in table.values()}
        if model is None:
            _missing_outputs(table, y_pred=y_pred, y_score=y_score)
        outputs = _inputs.model_outputs(model, X, y_pred=y_pred, y_score=y_score, **_inputs.output_needs(needs))
        _inputs.same_length(y=y_true, **{"predictions": outputs.pred if outputs.pred is not None else outputs.score})
        if outputs.score is not None:
            _inputs.same_length(y=y_true, y_score=outputs.score)
        results = []
        for name, (m, lo, hi) in table.items():
            ready = _inputs.metric_input(m, outputs, y_true, pos_label)
            est = estimate_prepared(m, ready, n_resamples=settings.n_resamples, confidence=settings.confidence,
                                    seed=settings.seed_for(key, "metrics", name), sample_weight=weights)
            small = small_sample_interval(m, ready, weights, settings.confidence)
            details: dict[str, Any] = {"greater_is_better": m.greater_is_better,
                                       "n_resamples": settings.n_resamples, **computed_details(est.positive, weights),
                                       "interval_method": "bootstrap percentile" if small is None else small[1]}
            results.append(computed_with(threshold_result(
                FAMILY, "metrics", name, est.value,
                minimum=lo, maximum=hi, interval=small[0] if small is not None else est.interval, n=est.n,
                confidence=settings.confidence,
                decision=decision,
                hint=("improve the model, or if the limit is wrong change it in the test "
                      f"({'min' if lo is not None else 'max'}={{{name!r}: ...}})."),
                details=details,
            ), computed_notes(m, est.positive, weights)))
        return results
