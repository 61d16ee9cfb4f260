"""A metric on every slice of the data, each with its Bonferroni-widened interval: ``model_gate.slices``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate._validate import positive_int
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates._inputs import _column_key, _short
from pytest_mlgate.gates.base import MODEL_VALIDATION, BaseGate, check_limits, gate_check, threshold_result
from pytest_mlgate.gates.metrics import (
    MetricKey,
    computed_details,
    computed_notes,
    computed_with,
    small_sample_interval,
)
from pytest_mlgate.results import GateError, GateResult, fmt, hide_our_frames, json_safe
from pytest_mlgate.stats import StatsError
from pytest_mlgate.stats.metrics import METRICS, Metric, Prepared, estimate_prepared, get_metric, point_value

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = MODEL_VALIDATION


def _slice_keys(X: Any, frame: pd.DataFrame | None, by: Any, n: int) -> pd.DataFrame:
    """The slicing variables as a frame: columns of X named in ``by``, or arrays given directly."""
    items = [by] if isinstance(by, str) or not isinstance(by, (list, tuple)) else list(by)
    if not items:
        raise GateError("by is empty: name the column (or columns) to slice by")
    keys = {}
    for i, item in enumerate(items):
        if isinstance(item, (str, int, np.integer)) and not isinstance(item, bool):
            if frame is None:
                raise GateError(f"by names column {item!r} but no X was given: pass X (or the values themselves)")
            column = _column_key(X, frame, item, what="by column")
            keys[str(column)] = frame[column].to_numpy()
        else:
            values = _inputs.as_array(item, "by")
            if values.ndim != 1 or values.shape[0] != n:
                raise GateError(f"by[{i}] has {values.shape[0]} values for {n} rows: one value per row is needed")
            name = getattr(item, "name", None) or f"by{i}"
            keys[str(name)] = values
    return pd.DataFrame(keys)


def _groups(keys: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """(label, row positions) per combination of the slicing variables, missing values included."""
    columns = list(keys.columns)
    try:
        grouped = keys.groupby(columns, dropna=False, sort=True, observed=True)
        indices = grouped.indices
    except TypeError:  # values that cannot be sorted together
        indices = keys.groupby(columns, dropna=False, sort=False, observed=True).indices
    groups = []
    for value, rows in indices.items():
        values = value if isinstance(value, tuple) else (value,)
        label = ", ".join(f"{c}={_short(v, 30)}" for c, v in zip(columns, values, strict=True))
        groups.append((label, np.asarray(rows)))
    return groups


def _point_value(m: Metric, ready: Prepared, weights: np.ndarray | None) -> float | None:
    """The metric on one slice, or None where it is undefined there (the slice is then reported as such)."""
    try:
        return point_value(m, ready.y, ready.output, sample_weight=weights)
    except (GateError, StatsError):
        return None


def _take(weights: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if weights is None else weights[rows]


def _slice_metric(m: Metric, ready: Prepared) -> Metric:
    """The metric as computed on one slice. A multiclass problem stays multiclass on a slice that holds only
    two of its classes: ``f1`` (``precision``, ``recall``, ``jaccard``) is then the slice's macro average, not
    the binary score of whichever class sorts last there."""
    averaged = METRICS.get(f"{m.name}_macro")
    if averaged is None or METRICS.get(m.name) is not m or ready.positive is not None:
        return m
    classes = np.unique(np.concatenate([np.unique(ready.y), np.unique(ready.output)]))
    return replace(averaged, name=m.name) if classes.size > 2 else m


class SliceChecks(BaseGate):
    """``slices``: the metric on every value of ``by``."""

    @gate_check("slices", lambda a: str(getattr(a["metric"], "__name__", a["metric"])))
    def slices(
        self,
        model: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        by: Any,
        metric: MetricKey,
        min: float | None = None,
        max: float | None = None,
        min_size: int = 30,
        y_pred: Any = None,
        y_score: Any = None,
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> list[GateResult]:
        """The metric on every value of ``by`` (a column of X, several columns together, or arrays), each with
        its interval. A slice of at least ``min_size`` rows fails when its whole interval misses ``min`` (or
        ``max``); intervals are Bonferroni-widened over the slices judged. Rates (accuracy, binary precision and
        recall) on unweighted slices under 200 rows get the mid-p exact interval, whose coverage holds there; others the
        bootstrap. Smaller slices are listed in one "too small to judge" result, never dropped. ``y_true=``,
        ``sample_weight=`` and ``pos_label=`` mean what they mean in :meth:`metrics`; the positive class is
        decided once, on all rows.
        """
        settings, key = self.settings, self.recorder.key
        m = get_metric(metric)
        if min is None and max is None:
            raise GateError(f"no limit to check: pass min= (or max=) for {m.name} on every slice")
        check_limits(m.name, min, max)
        positive_int("min_size", min_size)
        y_true = _inputs.true_labels(y, y_true)
        weights = _inputs.sample_weights(sample_weight, y_true.size)
        outputs = _inputs.model_outputs(model, X, y_pred=y_pred, y_score=y_score, **_inputs.output_needs({m.needs}))
        output = _inputs.metric_output(m, outputs, y_true)
        n = _inputs.same_length(y=y_true, predictions=output)
        ready = _inputs.metric_input(m, outputs, y_true, pos_label)
        per_slice = _slice_metric(m, ready)
        frame = _inputs.to_frame(X) if X is not None else None
        keys = _slice_keys(X, frame, by, n)
        groups = _groups(keys)
        overall = _point_value(m, ready, weights)
        by_text = ", ".join(map(str, keys.columns))
        judged_groups = [(label, rows) for label, rows in groups if rows.size >= min_size]
        if not judged_groups:
            sizes = ", ".join(f"{label}: {rows.size}" for label, rows in groups[:10])
            raise GateError(f"no slice of {by_text} has at least min_size={min_size} rows ({sizes}"
                            f"{', ...' if len(groups) > 10 else ''}): nothing can be judged; "
                            "collect more rows, slice more coarsely or lower min_size")
        # Bonferroni: each of k slices is judged at alpha / k, so a model that meets the limit on every slice
        # fails the whole check at most at the documented rate alpha.
        k = len(judged_groups) or 1
        confidence = 1.0 - 2.0 * settings.alpha / k
        results: list[GateResult] = []
        not_judged: list[dict[str, Any]] = []
        for label, rows in groups:
            if rows.size < min_size:
                not_judged.append({"slice": label, "n": int(rows.size),
                                   "reason": f"n={rows.size} < min_size={min_size}",
                                   "value": _point_value(per_slice, ready.take(rows), _take(weights, rows))})
                continue
            try:
                est = estimate_prepared(per_slice, ready.take(rows), n_resamples=settings.n_resamples,
                                        confidence=confidence,
                                        seed=settings.seed_for(key, "slices", m.name, label),
                                        sample_weight=_take(weights, rows))
            except (GateError, StatsError) as exc:
                not_judged.append({"slice": label, "n": int(rows.size), "reason": str(exc), "value": None})
                continue
            small = small_sample_interval(m, ready.take(rows), _take(weights, rows), confidence)
            limit_name = "min" if min is not None else "max"
            results.append(computed_with(threshold_result(
                FAMILY, "slices", f"{m.name}[{label}]", est.value, minimum=min, maximum=max,
                interval=small[0] if small is not None else est.interval,
                n=est.n, confidence=confidence,
                hint=f"the model is weak on {label} (overall {m.name} is {fmt(overall)}): look at these rows, add "
                     f"training data or features for them, or if the limit is wrong change {limit_name}=.",
                details={"slice": label, "by": by_text, "overall": overall, "slices_judged": k,
                         "n_resamples": settings.n_resamples, **computed_details(ready.positive, weights),
                         "interval_method": small[1] if small is not None else "bootstrap percentile"},
            ), computed_notes(m, ready.positive, weights)))
        if not_judged:
            listed = "; ".join(f"{s['slice']} ({s['reason']}, {m.name} {fmt(s['value'])})" for s in not_judged[:10])
            more = f"; and {len(not_judged) - 10} more" if len(not_judged) > 10 else ""
            results.append(GateResult(
                FAMILY, "slices", f"{m.name}[too small to judge]", "pass", value=float(len(not_judged)),
                n=sum(s["n"] for s in not_judged),
                message=f"{FAMILY}.slices {m.name} by {by_text}: {len(not_judged)} slice(s) not judged: "
                        f"{listed}{more}. "
                        f"They are not gated: collect more rows for them or lower min_size.",
                details=json_safe({"slices": not_judged, "min_size": min_size, "by": by_text}),
            ))
        return results
