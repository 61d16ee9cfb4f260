"""Model-validation gate: metric thresholds with confidence intervals, and (in its own functions) sanity,
behaviour, calibration and slices.

The check functions are pure: inputs in, :class:`GateResult` list out. :class:`ModelGate` binds them to a
recorder (the pytest fixture ``model_gate``), which applies severity and raises on failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import BaseGate, Decision, GateSettings, threshold_result
from pytest_mlgate.results import GateError, GateResult
from pytest_mlgate.stats.metrics import Metric, estimate, get_metric

__tracebackhide__ = True  # failures point at the user's test line, not at our internals

FAMILY = "model_validation"
MetricKey = str | Metric | Callable[..., float]


def _limits(min: Mapping[Any, float] | None, max: Mapping[Any, float] | None) -> dict[str, tuple[Metric, Any, Any]]:
    """name -> (metric, min, max), validating names before any prediction is made."""
    table: dict[str, tuple[Metric, Any, Any]] = {}
    for label, limits in (("min", min), ("max", max)):
        if limits is None:
            continue
        if not isinstance(limits, Mapping):
            raise GateError(f"{label} must be a mapping of metric -> limit, e.g. {label}={{'roc_auc': 0.8}}")
        for key, limit in limits.items():
            m = get_metric(key)
            _, lo, hi = table.get(m.name, (m, None, None))
            table[m.name] = (m, limit if label == "min" else lo, limit if label == "max" else hi)
    if not table:
        raise GateError("no metric to check: pass min={'metric': limit} and/or max={'metric': limit}")
    return table


def metric_output(m: Metric, outputs: _inputs.Outputs, y: np.ndarray) -> np.ndarray:
    """The model output a metric needs, checked for that metric."""
    if m.needs in ("label", "regression"):
        assert outputs.pred is not None
        output = outputs.pred
        if m.needs == "regression" and (y.dtype.kind not in "biuf" or output.dtype.kind not in "biuf"):
            raise GateError(f"{m.name} is a regression metric and needs numeric targets and predictions")
        return output
    if outputs.score is None:
        raise GateError(f"{m.name} needs scores or probabilities: pass y_score= (or a model that has them)")
    classes = np.unique(y)
    if classes.size < 2:
        raise GateError(f"y has a single class ({classes[0]!r}); {m.name} needs at least two classes")
    outside = np.any((outputs.score < 0) | (outputs.score > 1))
    if m.needs == "proba" and not outputs.is_proba and outputs.score.ndim == 1 and outside:
        raise GateError(f"{m.name} needs probabilities in [0, 1]; the scores given lie outside it")
    if outputs.score.ndim == 1 and classes.size > 2:
        raise GateError(f"y has {classes.size} classes but the scores are one column; pass the (rows x classes) "
                        f"probabilities for {m.name}")
    if m.binary_only and classes.size > 2:
        raise GateError(f"{m.name} is defined here for binary labels only; y has {classes.size} classes")
    return outputs.score


def check_metrics(
    model: Any,
    X: Any,
    y: Any,
    *,
    min: Mapping[Any, float] | None = None,
    max: Mapping[Any, float] | None = None,
    y_pred: Any = None,
    y_score: Any = None,
    decision: Decision = "interval",
    settings: GateSettings | None = None,
    key: str = "",
) -> list[GateResult]:
    """Each metric with its bootstrap interval, against its ``min``/``max``. See :meth:`ModelGate.metrics`."""
    settings = settings or GateSettings()
    table = _limits(min, max)
    if decision not in ("interval", "point"):
        raise GateError(f"decision must be 'interval' or 'point', got {decision!r}")
    y_true = _inputs.labels(y, "y")
    needs = {m.needs for m, _, _ in table.values()}
    outputs = _inputs.model_outputs(
        model, X, y_pred=y_pred, y_score=y_score,
        need_pred=bool(needs & {"label", "regression"}),
        need_score="score" in needs, need_proba="proba" in needs,
    )
    _inputs.same_length(y=y_true, **{"predictions": outputs.pred if outputs.pred is not None else outputs.score})
    if outputs.score is not None:
        _inputs.same_length(y=y_true, y_score=outputs.score)
    results = []
    for name, (m, lo, hi) in table.items():
        output = metric_output(m, outputs, y_true)
        est = estimate(m, y_true, output, n_resamples=settings.n_resamples, confidence=settings.confidence,
                       seed=settings.seed_for(key, "metrics", name))
        results.append(threshold_result(
            FAMILY, "metrics", name, est.value,
            minimum=lo, maximum=hi, interval=est.interval, n=est.n, confidence=settings.confidence,
            decision=decision,
            hint=f"improve the model, or if the limit is wrong change it in the test "
                 f"({'min' if lo is not None else 'max'}={{{name!r}: ...}}).",
            details={"greater_is_better": m.greater_is_better, "n_resamples": settings.n_resamples},
        ))
    return results


class ModelGate(BaseGate):
    """The ``model_gate`` fixture: checks on a model's predictions."""

    family = FAMILY

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
    ) -> list[GateResult]:
        """Gate metrics by name (``accuracy``, ``roc_auc``, ``f1``, ``log_loss``, ``brier``, ``rmse``, ``r2``, ...)
        or callables, each with a bootstrap confidence interval.

        A metric fails when its whole interval lies beyond its limit (``decision="interval"``, the default,
        which keeps false alarms at ``mlgate_alpha`` when the model sits exactly at the limit) or, with
        ``decision="point"``, when the point value does. Pass ``y_pred=``/``y_score=`` instead of a model to
        gate predictions made elsewhere.
        """
        subject = ",".join(str(getattr(k, "__name__", k)) for k in [*(min or {}), *(max or {})])
        return self._run("metrics", subject, lambda: check_metrics(
            model, X, y, min=min, max=max, y_pred=y_pred, y_score=y_score, decision=decision,
            settings=self.settings, key=self.recorder.node_id,
        ))
