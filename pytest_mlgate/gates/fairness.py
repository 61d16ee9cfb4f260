"""Fairness gate: per-group metrics and disparities with fairlearn's definitions, bootstrap intervals, and small
groups handled openly.

:meth:`FairnessGate.check` is the one definition of the check (inputs in, :class:`GateResult` list out, recorded
by the gate's recorder: the pytest fixture ``fairness_gate``). The numbers come from
:mod:`pytest_mlgate.stats.groups`: one ``np.bincount`` over ``(group, y_true, y_pred)`` cells and a bootstrap
stratified by group. See docs/fairness.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from pytest_mlgate import engines
from pytest_mlgate._validate import did_you_mean
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import BaseGate, Decision, GateSettings, gate_check, threshold_result
from pytest_mlgate.gates.fairness_inputs import (
    Encoded,
    Groups,
    encode_groups,
    encode_labels,
    examples,
    is_names,
    plain,
    sensitive_columns,
)
from pytest_mlgate.gates.metrics import computed_details, computed_notes, computed_with
from pytest_mlgate.records import GroupRow, GroupTable
from pytest_mlgate.results import GateError, GateResult, fmt, hide_our_frames, is_number, percent
from pytest_mlgate.stats import groups as gs
from pytest_mlgate.stats.bootstrap import percentile_interval
from pytest_mlgate.stats.proportion import SMALL, midp_interval, rate_counts, small_rate_interval

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = "fairness"
BINARY_TABLE = ["selection_rate", "true_positive_rate", "false_positive_rate"]
MULTICLASS_TABLE = ["accuracy"]
NEEDS_TEXT = {
    "positives": "no rows with a positive label (y_true == {pos!r})",
    "negatives": "no rows with a negative label (y_true != {pos!r})",
    "predicted_positives": "no positive predictions (y_pred == {pos!r})",
    "rows": "a total sample_weight of 0",
    "binary": "a total sample_weight of 0",
    "varying_y": "the same y_true on every row (R2 divides by its variance)",
}


def _resolve_metric(name: Any, what: str) -> str:
    if not isinstance(name, str):
        raise GateError(f"{what} must be a metric name, got {type(name).__name__}: {name!r}")
    resolved = gs.GROUP_METRIC_ALIASES.get(name, name)
    if resolved not in gs.GROUP_METRICS:
        if what == "metric" and name in gs.DISPARITIES:
            raise GateError(f"{name!r} is a disparity, not a metric: show= takes per-group metrics "
                            f"({', '.join(sorted(gs.GROUP_METRICS))}); give {name!r} its limit in max_difference= "
                            f"or min_ratio=, e.g. max_difference={{{name!r}: 0.1}}")
        known = sorted(gs.GROUP_METRICS) if what == "metric" else sorted([*gs.DISPARITIES, *gs.GROUP_METRICS])
        raise GateError(f"unknown {what} {name!r}.{did_you_mean(name, known)} Known: {', '.join(known)}")
    return resolved


def _requests(max_difference: Any, min_ratio: Any) -> list[tuple[str, gs.Kind, float, tuple[str, ...]]]:
    """(name, kind, limit, metrics) for each requested disparity, validated before anything is computed."""
    requests: list[tuple[str, gs.Kind, float, tuple[str, ...]]] = []
    for argument, kind in (("max_difference", "difference"), ("min_ratio", "ratio")):
        limits = max_difference if kind == "difference" else min_ratio
        if limits is None:
            continue
        if not isinstance(limits, Mapping):
            raise GateError(f"{argument} must map disparity names to limits, e.g. "
                            f"{argument}={{'demographic_parity': {0.1 if kind == 'difference' else 0.8}}}")
        for name, limit in limits.items():
            if isinstance(name, str) and name in gs.DISPARITIES:
                metrics = gs.DISPARITIES[name].metrics
            else:
                resolved = _resolve_metric(name, "disparity")
                name, metrics = resolved, (resolved,)
            if not is_number(limit) or not np.isfinite(limit):
                raise GateError(f"{argument}[{name!r}] must be a finite number, got {limit!r}")
            if kind == "difference" and limit < 0:
                raise GateError(f"{argument}[{name!r}] = {limit} is negative; a difference is never below 0")
            if kind == "ratio" and not 0 <= limit <= 1:
                raise GateError(f"{argument}[{name!r}] = {limit} must lie in [0, 1]: ratios are folded below 1 "
                                "(the smaller group value over the larger)")
            requests.append((name, kind, float(limit), metrics))  # type: ignore[arg-type]
    if not requests:
        raise GateError("no disparity to check: pass max_difference={'demographic_parity': 0.1, ...} "
                        "and/or min_ratio={'demographic_parity': 0.8, ...}")
    return requests


# --- the check ---------------------------------------------------------------------------------------


def _engine_cells(data: Any, y: Any, y_pred: Any, sensitive_features: Any,
                  control_features: Any = None) -> tuple[Groups, np.ndarray, np.ndarray, np.ndarray, int]:
    """``GROUP BY control features, sensitive features, y, y_pred`` in the engine: the groups of the cells, the
    cells' row counts, each cell's label and prediction (the rows never leave the engine), and how many of the
    groups' features are control features."""
    from pytest_mlgate.gates.scale import engine_table

    names = [sensitive_features] if isinstance(sensitive_features, str) else sensitive_features
    controls = [] if control_features is None else \
        [control_features] if isinstance(control_features, str) else control_features
    if not is_names(names) or not isinstance(y, str) or not isinstance(y_pred, str) \
            or (controls and not is_names(controls)):
        raise GateError("with data= (an engine table), y, y_pred, sensitive_features and control_features are "
                        f"column names of it, got y={y!r}, y_pred={y_pred!r}, "
                        f"sensitive_features={sensitive_features!r}, control_features={control_features!r}")
    both = [c for c in controls if c in names]
    if both:
        raise GateError(f"column(s) {', '.join(map(repr, both))} are both sensitive and control features; "
                        "a feature is one or the other")
    names = [*controls, *names]
    table = engine_table(data, "data")
    columns = [*names, y, y_pred]
    available = table.kinds()
    absent = [c for c in columns if c not in available]
    if absent:
        raise GateError(f"column(s) {', '.join(map(repr, absent))} not in data (it has "
                        f"{', '.join(map(repr, list(available)[:20]))})")
    values, cells = table.group_counts(columns)
    plain = [np.array(v.tolist()) if v.dtype == object else v for v in values]
    for name, column in zip(columns[-2:], plain[-2:], strict=True):
        missing = np.array([v is None or (isinstance(v, float) and v != v) for v in column.tolist()], dtype=bool)
        if missing.any():
            raise GateError(f"column {name!r} has {int(cells[missing].sum())} missing value(s); drop or fill them")
    groups = encode_groups({name: column for name, column in zip(names, plain[:-2], strict=True)})
    return groups, cells, plain[-2], plain[-1], len(controls)


def _weights(sample_weight: Any) -> np.ndarray | None:
    if sample_weight is None:
        return None
    weights = _inputs.scores(sample_weight, "sample_weight")
    if weights.ndim != 1:
        raise GateError(f"sample_weight must be one number per row, got shape {weights.shape}")
    if np.any(weights < 0):
        raise GateError(f"sample_weight has {int((weights < 0).sum())} negative value(s); weights must be >= 0")
    return weights


def _require_binary(names: list[str], encoded: Encoded, pred: np.ndarray, y: np.ndarray) -> None:
    if encoded.k <= 2:
        return
    binary = [n for n in names if gs.GROUP_METRICS[n].needs != "rows"]
    if not binary:
        return
    pred_values, y_values = np.unique(pred), np.unique(y)
    hint = ("if they are scores or probabilities, threshold them first (y_pred=scores >= threshold)"
            if pred.dtype.kind == "f" and pred_values.size > 2 else
            "binarize labels and predictions, e.g. y == positive_class")
    raise GateError(f"{', '.join(binary)} need(s) binary labels and predictions, but the predictions take "
                    f"{pred_values.size} distinct values ({examples(pred_values)}) and y takes {y_values.size} "
                    f"({examples(y_values)}): {encoded.k} labels together; {hint}. "
                    "For multiclass models only accuracy and error_rate are compared by group here")



def _require_defined(names: list[str], conf: np.ndarray, included: np.ndarray, groups: Groups,
                     encoded: Encoded | None, zero_division: float | None, stratum: dict[str, Any] | None) -> None:
    """A gated metric must be defined in every group it compares (or take ``zero_division`` where its
    denominator is 0): say which group lacks what."""
    for name in names:
        metric = gs.GROUP_METRICS[name]
        if zero_division is not None and metric.zero_division:
            continue
        undefined = np.flatnonzero(included & ~np.isfinite(metric.fn(conf)))
        if undefined.size == 0:
            continue
        listed = ", ".join(repr(groups.label(g)) for g in undefined[:10])
        where = "" if stratum is None else " (stratum " + ", ".join(f"{k}={v!r}" for k, v in stratum.items()) + ")"
        lacking = NEEDS_TEXT[metric.needs].format(pos=None if encoded is None else encoded.pos_label)
        fix = ("pass zero_division=0 or 1 (scikit-learn's keyword) to give it that value there, or collect more "
               "data for the group" if metric.zero_division else "collect more data for the group")
        raise GateError(
            f"{name} is undefined for group(s) {listed}{where}: they have {lacking}. fairlearn reports 0 there, "
            f"which would hide the problem. Either {fix}, merge it with another, or leave {name} out of this check"
        )


def _group_rows(groups: Groups, counts: np.ndarray, conf: np.ndarray, point: dict[str, np.ndarray],
                reps: dict[str, np.ndarray], table: list[str], included: np.ndarray, confidence: float,
                weighted: bool, regression: bool) -> list[dict[str, Any]]:
    rows = []
    intervals = {m: _percentile_intervals(reps[m], confidence) for m in table}
    for g in range(len(groups.keys)):
        row: dict[str, Any] = {"group": groups.label(g), "features": groups.as_dict(g), "count": int(counts[g]),
                               "included": bool(included[g])}
        if weighted:
            row["weight"] = float(conf[g, 0] if regression else conf[g].sum())
        for m in table:
            value = float(point[m][g])
            row[m] = value if np.isfinite(value) else None
            small = (None if weighted or regression or row[m] is None
                     else small_rate_interval(m, conf[g], confidence))
            row[f"{m}_interval"] = list(small) if small is not None else intervals[m][g] if row[m] is not None \
                else None
        rows.append(row)
    return rows


def _percentile_intervals(reps: np.ndarray, confidence: float) -> list[list[float]]:
    """:func:`percentile_interval` of each column of ``reps`` (resamples, groups), one call for the columns
    without undefined resamples."""
    out: list[list[float]] = [[]] * reps.shape[1]
    finite = np.isfinite(reps).all(axis=0)
    if finite.any():
        tail = (1.0 - confidence) / 2.0 * 100.0
        bounds = np.percentile(reps[:, finite], [tail, 100.0 - tail], axis=0)
        for g, lo, hi in zip(np.flatnonzero(finite), bounds[0], bounds[1], strict=True):
            out[g] = [float(lo), float(hi)]
    for g in np.flatnonzero(~finite):
        out[g] = list(percentile_interval(reps[:, g], confidence))
    return out


@dataclass(frozen=True)
class _Context:
    groups: Groups
    rows: list[dict[str, Any]]
    table: list[str]
    too_small: list[tuple[str, int]]
    min_group_size: int
    settings: GateSettings
    method: gs.Method
    agg: gs.Agg
    stratum: dict[str, Any] | None
    unjudged: list[str]
    confidence: float  # of the disparity's interval: 1 - 2 alpha, alpha divided among the strata

    @functools.cached_property
    def table_lines(self) -> list[str]:
        """The per-group table, the same in every result of the context."""
        return _table_lines(self)


def _result(ctx: _Context, name: str, kind: gs.Kind, limit: float, value: float, interval: tuple[float, float],
            replicates: np.ndarray, components: list[dict[str, Any]], point: dict[str, np.ndarray],
            overall: dict[str, np.ndarray], included: np.ndarray, n: int, decision: Decision) -> GateResult:
    undefined = int((~np.isfinite(replicates)).sum())
    subject = f"{name}_{kind}"
    if ctx.stratum is not None:
        subject += "[" + ", ".join(f"{k}={plain(v)}" for k, v in ctx.stratum.items()) + "]"
    if not np.isfinite(value):
        raise GateError(f"{subject} is undefined on these inputs (a group's {components[0]['metric']} is 0, "
                        "so the ratio divides by 0); gate the difference instead")
    argument = "max_difference" if kind == "difference" else "min_ratio"
    hint = (f"the groups furthest apart are in the table above; mitigate (reweighting, more data for the group, "
            f"per-group thresholds such as fairlearn.postprocessing.ThresholdOptimizer) or, if the limit is not "
            f"what the team decided, change {argument}={{{name!r}: ...}} in the test.")
    result = threshold_result(
        FAMILY, "check", subject, value,
        maximum=limit if kind == "difference" else None,
        minimum=limit if kind == "ratio" else None,
        interval=None if np.isnan(interval).any() else interval,
        n=n, confidence=ctx.confidence, decision=decision, hint=hint,
    )
    extremes = _extremes(ctx, components, point, overall, included)
    message = "\n".join([result.message.split("\n  What to do:")[0], *_explain(ctx, components, extremes),
                         *ctx.table_lines, *(["  What to do: " + hint] if result.failed else [])])
    table = GroupTable(tuple(c["metric"] for c in components),
                       tuple(GroupRow.from_json(row, ctx.table) for row in ctx.rows))
    return replace(result, message=message, record=table, details={**result.details,
        "method": ctx.method, "agg": ctx.agg if len(components) > 1 else None, "kind": kind,
        "components": components, "extremes": extremes,
        "too_small": [{"group": g, "count": c} for g, c in ctx.too_small],
        "min_group_size": ctx.min_group_size, "n_resamples": ctx.settings.n_resamples,
        "confidence": ctx.confidence, "undefined_resamples": undefined,
        "interval_method": "simultaneous studentized bootstrap bounds (max-t) over "
        + ("all ordered group pairs" if ctx.method == "between_groups" else "each group's gap to overall")
        + (", on the log scale" if kind == "ratio" else ""),
        "overall": {m: float(overall[m]) for m in ctx.table if np.isfinite(overall[m])},
        "stratum": None if ctx.stratum is None else {k: plain(v) for k, v in ctx.stratum.items()},
        "strata_too_small": ctx.unjudged,
    })


def _extremes(ctx: _Context, components: list[dict[str, Any]], point: dict[str, np.ndarray],
              overall: dict[str, np.ndarray], included: np.ndarray) -> list[dict[str, Any]]:
    """For each compared metric, the groups that set the disparity (highest and lowest, or furthest from
    overall)."""
    out = []
    index = np.flatnonzero(included)
    for c in components:
        values = point[c["metric"]][index]
        if ctx.method == "between_groups":
            hi, lo = index[int(np.argmax(values))], index[int(np.argmin(values))]
            out.append({"metric": c["metric"], "highest": ctx.groups.label(hi), "highest_value": float(point[
                c["metric"]][hi]), "lowest": ctx.groups.label(lo), "lowest_value": float(point[c["metric"]][lo])})
        else:
            far = index[int(np.argmax(np.abs(values - overall[c["metric"]])))]
            out.append({"metric": c["metric"], "furthest": ctx.groups.label(far),
                        "furthest_value": float(point[c["metric"]][far]), "overall": float(overall[c["metric"]])})
    return out


def _explain(ctx: _Context, components: list[dict[str, Any]], extremes: list[dict[str, Any]]) -> list[str]:
    lines = []
    for c, e in zip(components, extremes, strict=True):
        label = gs.GROUP_METRICS[c["metric"]].label
        if "highest" in e:
            where = (f"highest {fmt(e['highest_value'])} in {e['highest']!r}, lowest {fmt(e['lowest_value'])} in "
                     f"{e['lowest']!r}")
        else:
            where = f"furthest from overall {fmt(e['overall'])}: {fmt(e['furthest_value'])} in {e['furthest']!r}"
        ci = c["interval"]
        lines.append(f"  {label} ({ctx.method}): {fmt(c['value'])} [{fmt(ci[0])}, {fmt(ci[1])}]; {where}")
    if len(components) > 1:
        lines.append(f"  combined with agg={ctx.agg!r} ({'the worst' if ctx.agg == 'worst' else 'the mean'} "
                     "of the above, as fairlearn)")
    return lines


def _table_lines(ctx: _Context) -> list[str]:
    level = percent(ctx.settings.confidence)
    header = [" / ".join(ctx.groups.features), "count", *(f"{gs.GROUP_METRICS[m].label} [{level} CI]"
                                                            for m in ctx.table), ""]
    body = []
    for row in ctx.rows:
        cells = [row["group"], str(row["count"])]
        for m in ctx.table:
            ci = row[f"{m}_interval"]
            cells.append("-" if row[m] is None else f"{fmt(row[m])} [{fmt(ci[0])}, {fmt(ci[1])}]")
        cells.append("" if row["included"] else "too small: left out")
        body.append(cells)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  per group:"]
    for r in [header, *body]:
        text = "  ".join(cell.rjust(w) if 0 < i < len(header) - 1 else cell.ljust(w)
                         for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
        lines.append("    " + text.rstrip())
    if ctx.too_small:
        listed = ", ".join(f"{g!r} ({c} rows)" for g, c in ctx.too_small)
        lines.append(f"  too small to judge (fewer than min_group_size={ctx.min_group_size} rows, left out of the "
                     f"disparity): {listed}")
    return lines


def _fairness_subject(args: dict[str, Any]) -> str:
    keys = [k for limits in (args["max_difference"], args["min_ratio"]) if isinstance(limits, Mapping) for k in limits]
    return ",".join(str(k) for k in keys)  # limits that are not mappings are a GateError in the check


class FairnessGate(BaseGate):
    """The ``fairness_gate`` fixture: group metrics and disparities of a classifier's predictions."""

    family = FAMILY

    @gate_check("check", _fairness_subject)
    def check(
        self,
        model: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        sensitive_features: Any,
        max_difference: Mapping[str, float] | None = None,
        min_ratio: Mapping[str, float] | None = None,
        show: list[str] | tuple[str, ...] | None = None,
        control_features: Any = None,
        method: gs.Method = "between_groups",
        min_group_size: int = 30,
        sample_weight: Any = None,
        y_pred: Any = None,
        agg: str = "worst",
        pos_label: Any = None,
        zero_division: float | None = None,
        decision: Decision = "interval",
        data: Any = None,
        y_true: Any = None,
        metrics: Any = None,
    ) -> list[GateResult]:
        """Gate disparities between groups, with fairlearn's definitions and bootstrap intervals.

        ``max_difference`` / ``min_ratio`` map names to limits: these are the metrics that are gated.
        ``demographic_parity`` (selection rate), ``equalized_odds`` (TPR and FPR, combined by ``agg``: ``"worst"``
        or ``"mean"``), ``equal_opportunity`` (TPR), or any per-group metric (``accuracy``, ``precision``,
        ``recall``, ``false_positive_rate``, ...; for regression ``mae``, ``mse``, ``rmse``, ``r2``,
        ``mean_prediction``). ``show`` lists more per-group metrics to show in the table, without a limit.
        ``sensitive_features`` is a column name of X, the values, or several columns (intersectional groups).
        ``control_features`` (same forms) splits the rows into strata and judges the disparities within each
        stratum, one result per stratum, as fairlearn's ``MetricFrame(control_features=...)`` does (each at
        ``alpha / strata``, so the run keeps its false-alarm rate). Groups with fewer than ``min_group_size``
        rows are listed but left out of the comparison. A group where a gated rate is undefined (no positives, no
        predicted positives) is a ``GateError`` naming it, unless ``zero_division`` (scikit-learn's keyword: 0 or
        1) gives the value to use. A disparity fails when its whole interval lies beyond the limit
        (``decision="interval"``), so noise alone does not fail the build; ``decision="point"`` compares the point
        value. Pass ``y_pred=`` instead of a model to gate predictions made elsewhere.

        For data in an engine (``data=`` a DuckDB relation, Parquet path, polars LazyFrame, pyarrow Table or
        Spark DataFrame), ``y``, ``y_pred``, ``sensitive_features`` and ``control_features`` name its columns:
        the engine counts the confusion cells per group (``GROUP BY``) and the result equals the in-memory gate's
        on the same rows.
        """
        settings, key = self.settings, self.recorder.key
        if metrics is not None:
            raise GateError("metrics= names the metrics that are gated, in every gate; here those are the keys of "
                            "max_difference= / min_ratio=. To show more per-group metrics without a limit, pass "
                            f"show={list(metrics) if isinstance(metrics, (list, tuple)) else metrics!r}")
        requests = _requests(max_difference, min_ratio)
        if method not in ("between_groups", "to_overall"):
            raise GateError(f"method must be 'between_groups' or 'to_overall' (fairlearn's), got {method!r}")
        agg = {"worst_case": "worst"}.get(agg, agg)
        if agg not in ("worst", "mean"):
            raise GateError(f"agg must be 'worst' (fairlearn's 'worst_case') or 'mean', got {agg!r}")
        if decision not in ("interval", "point"):
            raise GateError(f"decision must be 'interval' or 'point', got {decision!r}")
        if isinstance(min_group_size, np.integer):  # numpy's integers are integers too
            min_group_size = int(min_group_size)
        if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) or min_group_size < 0:
            raise GateError(f"min_group_size must be a non-negative integer, got {min_group_size!r}")
        if show is not None and (isinstance(show, str) or not isinstance(show, (list, tuple))):
            raise GateError(f"show must be a list of metric names, got {show!r}")
        if zero_division is not None and (isinstance(zero_division, bool) or zero_division not in (0, 1)):
            raise GateError(f"zero_division must be 0 or 1 (scikit-learn's values; the default None makes an "
                            f"undefined rate a GateError naming the group), got {zero_division!r}")
        extra = [_resolve_metric(m, "metric") for m in (show or [])]
        requested = list(dict.fromkeys(m for _, _, _, ms in requests for m in ms))
        regression = _task([*requested, *extra])
        for name, kind, _, ms in requests:
            if kind == "ratio" and any(gs.GROUP_METRICS[m].low < 0 for m in ms):
                raise GateError(f"min_ratio[{name!r}]: {name} can be negative, so a ratio of its group values has "
                                f"no meaning; gate max_difference={{{name!r}: ...}} instead")

        if y is None and y_true is None:
            raise GateError("y (the true labels) is required: fairness metrics compare errors and selections by group")
        weights = None
        n_control = 0
        if data is not None or engines.is_engine_table(X):
            if model is not None or sample_weight is not None:
                raise GateError("with data= (an engine table) pass column names: y=\"label\", y_pred=\"pred\", "
                                "sensitive_features=\"sex\"; no model and no sample_weight")
            if regression:
                raise GateError("regression metrics by group need the rows in memory; data= (an engine table) "
                                "counts confusion cells, for classifiers")
            groups, cells, y_true, pred, n_control = _engine_cells(
                X if data is None else data, y if y is not None else y_true, y_pred, sensitive_features,
                control_features)
            encoded = encode_labels(y_true, pred, pos_label)
            n_groups = len(groups.keys)
            counts = np.bincount(groups.codes, weights=cells, minlength=n_groups).astype(np.int64)
            # the cells' counts summed as weights: the same (exact integer) floats as counting rows one by one
            stats = gs.group_confusion(groups.codes, n_groups, encoded.y, encoded.pred, encoded.k, cells.astype(float))
        else:
            y_true = _inputs.true_labels(y, y_true)
            outputs = _inputs.model_outputs(model, X, y_pred=y_pred, need_pred=True)
            assert outputs.pred is not None
            pred = outputs.pred
            columns = sensitive_columns(sensitive_features, X, y_true.size)
            controls = {} if control_features is None else \
                sensitive_columns(control_features, X, y_true.size, "control_features")
            both = [name for name in controls if name in columns]
            if both:
                raise GateError(f"column(s) {', '.join(map(repr, both))} are both sensitive and control features; "
                                "a feature is one or the other")
            weights = _weights(sample_weight)
            _inputs.same_length(y=y_true, predictions=pred, sample_weight=weights,
                                sensitive_features=next(iter(columns.values())),
                                control_features=next(iter(controls.values()), None))
            n_control = len(controls)
            groups = encode_groups({**controls, **columns})
            n_groups = len(groups.keys)
            counts = np.bincount(groups.codes, minlength=n_groups)
            if regression:
                encoded = None
                row_stats = gs.regression_sums(_numeric(y_true, "y"), _numeric(pred, "the predictions"), weights)
                stats = gs.group_sums(groups.codes, n_groups, row_stats)
            else:
                encoded = encode_labels(y_true, pred, pos_label)
                stats = gs.group_confusion(groups.codes, n_groups, encoded.y, encoded.pred, encoded.k, weights)

        table = list(dict.fromkeys([*(REGRESSION_TABLE if encoded is None else
                                      BINARY_TABLE if encoded.k == 2 else MULTICLASS_TABLE), *requested, *extra]))
        if encoded is not None:
            _require_binary([*requested, *extra], encoded, pred, y_true)
        seed = settings.seed_for(key, "fairness.check", *groups.features, *(f"{n}_{k}" for n, k, _, _ in requests))
        if regression:
            reps_stats = gs.resample_sums(groups.codes, n_groups, row_stats, settings.n_resamples, seed)
        elif weights is None:
            reps_stats = gs.resample_confusion(stats, settings.n_resamples, seed)
        else:
            assert encoded is not None
            reps_stats = gs.resample_confusion_weighted(
                groups.codes, n_groups, encoded.y * encoded.k + encoded.pred, encoded.k ** 2, weights,
                settings.n_resamples, seed).reshape(settings.n_resamples, n_groups, encoded.k, encoded.k)
        strata = _strata(groups, n_control)
        judged = [(label, index) for label, index in strata if (counts[index] >= min_group_size).sum() >= 2]
        if not judged:
            label, index = strata[0]
            listed = ", ".join(f"{groups.label(g)!r} ({int(counts[g])} rows)" for g in index[:20])
            listed += f" and {index.size - 20} more" if index.size > 20 else ""
            where = f" in any stratum of {', '.join(groups.features[:n_control])}" if n_control else ""
            raise GateError(f"fewer than two groups have at least min_group_size={min_group_size} rows{where}, so "
                            f"no disparity can be judged; groups: {listed}. Collect more data, merge small groups, "
                            "or lower min_group_size if you accept noisier estimates")
        alpha = settings.alpha / len(strata)
        unjudged = [str(label) for label, _ in strata if label not in {j for j, _ in judged}]
        results = []
        for label, index in judged:
            part = Groups(groups.codes, [groups.keys[g][n_control:] for g in index], groups.features[n_control:])
            stratum = None if label is None else dict(zip(groups.features[:n_control], groups.keys[index[0]][
                :n_control], strict=True))
            results += _judge(part, counts[index], stats[index], reps_stats[:, index], requests, table, requested,
                              encoded, zero_division, min_group_size, settings, method, agg,  # type: ignore[arg-type]
                              alpha, decision,
                              stratum, unjudged, weights is not None)
        positive = encoded.pos_label if encoded is not None and encoded.k == 2 else None
        notes = computed_notes(None, positive, weights)
        return [computed_with(replace(r, details={**r.details, **computed_details(positive, weights)}), notes)
                for r in results]


REGRESSION_TABLE = ["mean_prediction", "mae"]


def _task(names: list[str]) -> bool:
    """True for regression metrics, False for classification ones; a mix is a GateError."""
    tasks = {gs.GROUP_METRICS[m].task for m in names}
    if len(tasks) > 1:
        kinds = {t: [m for m in names if gs.GROUP_METRICS[m].task == t] for t in tasks}
        raise GateError(f"classification metrics ({', '.join(kinds['classification'])}) and regression metrics "
                        f"({', '.join(kinds['regression'])}) in one check; a model is one or the other")
    return tasks == {"regression"}


def _numeric(values: np.ndarray, what: str) -> np.ndarray:
    if values.dtype.kind not in "biuf":
        raise GateError(f"regression metrics need numbers, but {what} hold {values.dtype} values")
    array = values.astype(float)
    if not np.isfinite(array).all():
        raise GateError(f"{what} hold {int((~np.isfinite(array)).sum())} NaN or infinite value(s)")
    return array


def _strata(groups: Groups, n_control: int) -> list[tuple[str | None, np.ndarray]]:
    """(label, indices of its groups) per stratum of the control features (groups are sorted by them first);
    one unlabelled stratum of all groups without control features."""
    if n_control == 0:
        return [(None, np.arange(len(groups.keys)))]
    out: dict[tuple[Any, ...], list[int]] = {}
    for g, key in enumerate(groups.keys):
        out.setdefault(key[:n_control], []).append(g)
    return [(", ".join(f"{n}={plain(v)}" for n, v in zip(groups.features, key, strict=False)),
             np.array(index)) for key, index in out.items()]


def _judge(groups: Groups, counts: np.ndarray, stats: np.ndarray, reps_stats: np.ndarray,
           requests: list[tuple[str, gs.Kind, float, tuple[str, ...]]], table: list[str], requested: list[str],
           encoded: Encoded | None, zero_division: float | None, min_group_size: int, settings: GateSettings,
           method: gs.Method, agg: gs.Agg, alpha: float, decision: Decision, stratum: dict[str, Any] | None,
           unjudged: list[str], weighted: bool) -> list[GateResult]:
    """The results of every requested disparity among ``groups`` (one stratum, or all rows)."""
    included = counts >= min_group_size
    too_small = [(groups.label(int(g)), int(counts[g])) for g in np.flatnonzero(~included)]
    _require_defined(requested, stats, included, groups, encoded, zero_division, stratum)

    point = gs.metric_values(stats, table, zero_division)
    overall_point = gs.metric_values(stats.sum(axis=0), table, zero_division)
    reps = gs.metric_values(reps_stats, table, zero_division)
    overall_reps = gs.metric_values(reps_stats.sum(axis=1), table, zero_division)
    rows = _group_rows(groups, counts, stats, point, reps, table, included, settings.confidence, weighted,
                       encoded is None)
    context = _Context(groups, rows, table, too_small, min_group_size, settings, method, agg, stratum, unjudged,
                       1.0 - 2.0 * alpha)
    results = []
    for name, kind, limit, metric_names in requests:
        parts = [gs.disparity_of(point[m], overall_point[m], kind=kind, method=method, included=included)
                 for m in metric_names]
        value = float(gs.combine(parts, kind=kind, agg=agg))
        replicates = gs.combine([gs.disparity_of(reps[m], overall_reps[m], kind=kind, method=method,
                                                 included=included) for m in metric_names], kind=kind, agg=agg)
        span = max(gs.GROUP_METRICS[m].span for m in metric_names)

        def interval(names: tuple[str, ...], kind: gs.Kind = kind,
                     span: float = span) -> tuple[tuple[float, float], bool]:
            """The disparity's bounds, and whether small groups widened them."""
            boot = gs.disparity_interval(
                [point[m][included] for m in names], [overall_point[m] for m in names],
                [reps[m][:, included] for m in names], [overall_reps[m] for m in names],
                kind=kind, method=method, agg=agg, alpha=alpha, span=span)
            small = None if weighted or encoded is None or method != "between_groups" else _small_group_bounds(
                stats[included], names, kind, agg, alpha, span)
            if small is None or np.isnan(boot).any():
                return boot, False
            return (min(boot[0], small[0]), max(boot[1], small[1])), True

        singles = [interval((m,)) for m in metric_names]
        each = [b for b, _ in singles]
        widened = [m for m, (_, wide) in zip(metric_names, singles, strict=True) if wide]
        components = [{"metric": m, "value": float(p), "interval": list(b)}
                      for m, p, b in zip(metric_names, parts, each, strict=True)]
        bounds, wide = singles[0] if len(singles) == 1 else interval(metric_names)
        if kind == "ratio":
            for m in metric_names:
                negative = np.flatnonzero(included & (point[m] < 0))
                if negative.size:
                    raise GateError(f"{name}_ratio needs {m} >= 0 in every group, but group(s) "
                                    f"{', '.join(repr(groups.label(g)) for g in negative[:10])} have a negative "
                                    f"value; gate the difference instead")
        result = _result(context, name, kind, limit, value, bounds, replicates, components, point, overall_point,
                         included, int(counts[included].sum()), decision)
        if wide:
            result = replace(result, details={**result.details, "interval_method": result.details["interval_method"]
                             + "; widened to the groups' simultaneous mid-p intervals, since a group is small for "
                             f"{', '.join(widened or metric_names)}"})
        results.append(result)
    return results


#: Up to this many trials in a group the disparity's bootstrap bounds undercover (two groups of 50 rows whose true
#: accuracy gap is on the limit: 92.8% coverage for 95% bounds) and are widened (see :func:`_small_group_bounds`).
SMALL_GROUP = 100


def _small_group_bounds(conf: np.ndarray, names: tuple[str, ...], kind: gs.Kind, agg: gs.Agg, alpha: float,
                        span: float) -> tuple[float, float] | None:
    """Bounds on a between-groups disparity of rates from every group's mid-p interval at once, when a group has
    at most SMALL_GROUP trials for one of the rates, or fewer than SMALL and a rate of 0 or 1; None otherwise.

    The bootstrap's bounds rest on each group's replicates, and a small group's rate of 0 or 1 does not vary
    across resamples: the disparity's interval collapses (five rows all right in each group: a difference of
    [0, 0], a pass of any limit). Here each rate of each group lies in its mid-p interval at level
    1 - 2 alpha / (rates x groups) (Bonferroni), so with probability at least 1 - 2 alpha all do at once, and the
    largest minus the smallest rate lies between the largest lower end minus the smallest upper end and the
    largest upper end minus the smallest lower end (ratios alike); several rates (equalized odds) combine as their
    disparities do. The gate takes the hull of these bounds and the bootstrap's."""
    counts = [[rate_counts(m, group) for group in conf] for m in names]
    if any(c is None for per_metric in counts for c in per_metric):
        return None
    k, n = (np.array([[c[i] for c in per_metric] for per_metric in counts]) for i in (0, 1))  # type: ignore[index]
    degenerate = (k == 0) | (k == n)  # a rate the resamples cannot move
    if n.shape[1] < 2 or np.any(n == 0) or not np.any((n <= SMALL_GROUP) | (degenerate & (n < SMALL))):
        return None
    lo, hi = midp_interval(k, n, 1.0 - 2.0 * alpha / n.size)  # (rates, groups)
    if kind == "difference":
        low, high = np.maximum(lo.max(axis=1) - hi.min(axis=1), 0.0), np.minimum(hi.max(axis=1) - lo.min(axis=1), span)
    else:
        with np.errstate(divide="ignore"):
            low, high = lo.min(axis=1) / hi.max(axis=1), np.minimum(hi.min(axis=1) / lo.max(axis=1), 1.0)
    return (float(gs.combine(list(low), kind=kind, agg=agg)), float(gs.combine(list(high), kind=kind, agg=agg)))
