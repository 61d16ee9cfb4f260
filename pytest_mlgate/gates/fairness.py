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
import pandas as pd

from pytest_mlgate import engines
from pytest_mlgate._validate import did_you_mean, percent
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import BaseGate, Decision, GateSettings, gate_check, threshold_result
from pytest_mlgate.gates.metrics import computed_details, computed_notes, computed_with
from pytest_mlgate.records import GroupRow, GroupTable
from pytest_mlgate.results import GateError, GateResult, fmt, hide_our_frames, is_number
from pytest_mlgate.stats import groups as gs
from pytest_mlgate.stats.bootstrap import percentile_interval
from pytest_mlgate.stats.metrics import positive_class
from pytest_mlgate.stats.proportion import small_rate_interval

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


# --- inputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Groups:
    """Rows mapped to groups: ``codes[i]`` is row i's group; ``keys[g]`` its value of each feature."""

    codes: np.ndarray
    keys: list[tuple[Any, ...]]
    features: list[str]

    def label(self, g: int) -> str:
        return ", ".join(str(v) for v in self.keys[g])

    def as_dict(self, g: int) -> dict[str, Any]:
        return {name: _plain(value) for name, value in zip(self.features, self.keys[g], strict=True)}


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _is_names(values: Any) -> bool:
    return isinstance(values, (list, tuple)) and len(values) > 0 and all(isinstance(v, str) for v in values)


def sensitive_columns(sensitive_features: Any, X: Any, n: int, what: str = "sensitive_features") -> dict[str, Any]:
    """The sensitive feature(s) as ``{name: values}`` (Series or numpy arrays; several = intersectional groups).

    Accepts a column name of ``X``, a list of names, a Series/array/list of values, a 2-D array, a dict of
    columns or a (pandas or polars) DataFrame. ``what`` names the argument in messages (``control_features``
    take the same forms).
    """
    sf = sensitive_features
    if sf is None:
        raise GateError(f"{what} is required: a column name of X, the values (Series or array), "
                        "or several columns (a list of names or a DataFrame) for intersectional groups")
    if _is_names(sf) and len(sf) != n and not _column_names(X).intersection(sf):
        where = "X was not given" if X is None else f"none of them is a column of X (columns: {_columns_text(X)})"
        raise GateError(f"{what} is a list of {len(sf)} strings but y has {n} rows, and {where}: "
                        f"pass one value per row ({n}), or names of X's columns")
    as_names = isinstance(sf, str) or (_is_names(sf) and (len(sf) != n or _column_names(X).issuperset(sf)))
    if as_names:
        names = [sf] if isinstance(sf, str) else list(sf)
        if X is None:
            raise GateError(f"{what} names column(s) {names} but no X was given; "
                            "pass X, or pass the feature values themselves")
        frame = _inputs.to_frame(X)
        missing = [name for name in names if name not in frame.columns]
        if missing:
            listed = ", ".join(map(repr, missing))
            raise GateError(f"{what.rstrip('s').replace('_', ' ')} column(s) {listed} not found in X; "
                            f"X has columns {_columns_text(X)}")
        return {str(name): frame[name] for name in names}
    if isinstance(sf, (pd.DataFrame, dict)) or (_inputs.is_polars(sf) and hasattr(sf, "columns")):
        frame = _inputs.to_frame(sf, what)
        return {str(name): frame[name] for name in frame.columns}
    single = what.rstrip("s")
    if isinstance(sf, np.ndarray) and sf.ndim == 2 and sf.shape[1] > 1:
        return {f"{single}_{i}": sf[:, i] for i in range(sf.shape[1])}
    name = getattr(sf, "name", None)
    if isinstance(sf, pd.Series) and isinstance(sf.dtype, pd.CategoricalDtype):  # its codes are the group codes
        return {str(name) if name is not None else what.rstrip("s"): sf}
    array = _inputs.as_array(sf, what)
    if array.ndim != 1:
        raise GateError(f"{what} must be one value per row (or several columns), got shape {array.shape}")
    return {str(name) if name is not None else single: array}


def _columns_text(X: Any) -> str:
    try:
        columns = list(_inputs.to_frame(X).columns)
    except GateError:
        return f"X is a {type(X).__name__}, without named columns"
    return ", ".join(map(repr, columns[:20])) + (f" and {len(columns) - 20} more" if len(columns) > 20 else "")


def _column_names(X: Any) -> set[Any]:
    """The column names of ``X``; none when it has no named columns (or is absent)."""
    if X is None:
        return set()
    try:
        return set(_inputs.to_frame(X).columns)
    except GateError:
        return set()


def encode_groups(columns: Mapping[str, Any] | pd.DataFrame) -> Groups:
    """Dense group codes (sorted by feature values where they sort), refusing missing values.

    Several columns are combined one at a time: the combined code so far (dense, so below the number of rows)
    times the next column's number of values plus its code, made dense again before the next column. Every
    intermediate code is below rows x values, so nothing overflows whatever the number of columns."""
    items = list(columns.items())
    codes = np.zeros(_inputs.n_rows(items[0][1]), dtype=np.int64)
    keys_index = np.zeros((1, 0), dtype=np.int64)  # row g: each column's value index of combined group g
    uniques = []
    for name, column in items:
        col_codes, col_uniques = _encode_column(str(name), column)
        width = max(len(col_uniques), 1)
        combined = codes * width + col_codes if keys_index.shape[0] > 1 else col_codes
        if keys_index.shape[0] == 1 and _all_present(column, col_codes, col_uniques):
            present, codes = np.arange(width), col_codes  # hashed codes number exactly the values seen
        else:
            present, codes = _dense(combined, keys_index.shape[0] * width)
        keys_index = np.column_stack([keys_index[present // width], present % width])
        uniques.append(col_uniques)
    keys = [tuple(values[i] for values, i in zip(uniques, row, strict=True)) for row in keys_index.tolist()]
    return Groups(codes.astype(np.int64, copy=False), keys, [str(name) for name, _ in items])


def _all_present(column: Any, codes: np.ndarray, uniques: list[Any]) -> bool:
    """Whether every value in ``uniques`` occurs: true of codes found by hashing the column (strings, or any
    column pandas factorizes), not of integer ranges or a categorical's declared categories."""
    if isinstance(column, (np.ndarray, pd.Series)) and column.dtype.kind in "iub":
        return False
    return not (isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype))


def _dense(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``codes`` (in ``[0, size)``), sorted, and each row's rank among them."""
    if size <= 10 * codes.size + 1000:  # O(n) relabelling of the observed codes, no sort
        seen = np.bincount(codes, minlength=size) > 0
        present = np.flatnonzero(seen)
        return present, (codes if seen.all() else (np.cumsum(seen) - 1)[codes])
    present, dense = np.unique(codes, return_inverse=True)
    return present, dense.reshape(-1)


def _encode_column(name: str, column: Any) -> tuple[np.ndarray, list[Any]]:
    """One feature's codes and sorted values. Numpy strings, integers and booleans cannot be missing and are
    encoded without hashing Python strings (several times faster); the rest go through pandas."""
    if isinstance(column, np.ndarray) and column.dtype.kind == "U":
        return factorize_unicode(column)
    if isinstance(column, pd.Series) and column.dtype.kind in "iu":
        column = column.to_numpy()
    if isinstance(column, np.ndarray) and column.dtype.kind in "iu" and column.size:
        low, high = int(column.min()), int(column.max())
        if high - low <= column.size:  # the values are their own codes: no hashing, no sort
            codes = column if column.dtype == np.int64 and low == 0 else column.astype(np.int64)
            if low:
                codes -= low
            return codes, list(np.arange(low, high + 1).astype(column.dtype))
    if isinstance(column, np.ndarray) and column.dtype.kind in "biu":
        int_codes, int_values = pd.factorize(column, sort=True)
        return np.asarray(int_codes, dtype=np.int64), list(np.asarray(int_values))
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype) \
            and not column.hasnans:  # pandas' own codes, in category order (what factorize(sort=True) gives)
        return column.cat.codes.to_numpy().astype(np.int64), list(column.cat.categories)
    if isinstance(column, np.ndarray) and column.dtype.kind == "S":
        byte_values, byte_codes = np.unique(column, return_inverse=True)
        return byte_codes.astype(np.int64), list(byte_values)
    series = column if isinstance(column, pd.Series) else pd.Series(column)
    missing = series.isna().to_numpy()
    if missing.any():
        raise GateError(
            f"sensitive feature {name!r} has {int(missing.sum())} missing value(s) (first at row "
            f"{int(np.flatnonzero(missing)[0])}); every row must belong to a group. To make them a group of "
            f"their own, fill them first, e.g. {_fill_example(name)} (or drop those rows)"
        )
    try:
        codes, values = pd.factorize(series, sort=True)
    except TypeError:  # values of mixed types do not sort
        codes, values = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.int64), list(values)


def _fill_example(name: str) -> str:
    if name.startswith("sensitive_feature"):  # values passed without a name
        return 'sensitive_features=pd.Series(values).fillna("unknown")'
    return f'X[{name!r}].fillna("unknown")'


def factorize_unicode(column: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes and sorted distinct values of a numpy unicode array, as ``np.unique(return_inverse=True)`` gives,
    without comparing strings per row: each row's bytes are read as 64-bit words (32-bit if the width is odd),
    the words are factorized by hashing one after another, and only the few distinct strings are sorted."""
    column = np.ascontiguousarray(column)
    if column.dtype.itemsize == 0 or column.size == 0:
        return np.zeros(column.size, dtype=np.int64), [str(v) for v in column[:1]]
    small = _factorize_code_points(column)
    if small is not None:
        return small
    words = column.view(np.uint64 if column.dtype.itemsize % 8 == 0 else np.uint32).reshape(column.size, -1)
    if words.shape[1] == 1:  # one word per string: the distinct words are the distinct strings
        codes, uniques = pd.factorize(words[:, 0])
        values = np.asarray(uniques, dtype=words.dtype).view(column.dtype)
        order = np.argsort(values, kind="stable")
        if np.array_equal(order, np.arange(order.size)):
            return codes.astype(np.int64, copy=False), [str(v) for v in values]
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        return rank[codes], [str(v) for v in values[order]]
    codes, _ = pd.factorize(words[:, 0])
    for j in range(1, words.shape[1]):
        part_codes, part_values = pd.factorize(words[:, j])
        codes, _ = pd.factorize(codes * len(part_values) + part_codes)
    running_max = np.maximum.accumulate(codes)  # codes number the values in order of first appearance
    first = np.flatnonzero(np.r_[True, running_max[1:] > running_max[:-1]])
    values = column[first]
    order = np.argsort(values, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[codes], [str(v) for v in values[order]]


def _factorize_code_points(column: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
    """Codes by arithmetic instead of hashing, when each character position takes code points in a small range
    ('g0' ... 'g9', 'A'/'B'/'C'): the positions' offsets from their minimum, read as one mixed-radix number,
    sort as the strings do (numpy compares code points, shorter strings padded with NUL), and a bincount over
    that number gives dense codes in two passes. None when the ranges multiply past about 10 x rows."""
    points = column.view(np.uint32).reshape(column.size, -1)
    lows, spans, size = [], [], 1
    for j in range(points.shape[1]):  # column by column: a reduction along axis 0 of a narrow array is slow
        low, high = int(points[:, j].min()), int(points[:, j].max())
        lows.append(low)
        spans.append(high - low + 1)
        size *= high - low + 1
        if size > 10 * column.size + 1000:
            return None
    number: np.ndarray | None = None
    for j, (low, span) in enumerate(zip(lows, spans, strict=True)):
        if span == 1:
            continue
        if number is None:
            number = points[:, j].astype(np.int64)
        else:
            number *= span
            number += points[:, j]
        if low:
            number -= low
    if number is None:
        number = np.zeros(column.size, dtype=np.int64)
    seen = np.bincount(number, minlength=size) > 0
    present = np.flatnonzero(seen)
    codes = number if present.size == size else (np.cumsum(seen) - 1)[number]
    digits = np.empty((present.size, points.shape[1]), dtype=np.uint32)
    rest = present.copy()
    for j in reversed(range(points.shape[1])):
        rest, digit = np.divmod(rest, spans[j])
        digits[:, j] = digit + lows[j]
    values = np.ascontiguousarray(digits).view(column.dtype).reshape(-1)
    return codes, [str(v) for v in values]


@dataclass(frozen=True)
class Encoded:
    """Labels and predictions as class codes; for binary problems code 1 is the positive class."""

    y: np.ndarray
    pred: np.ndarray
    k: int
    classes: list[Any]
    pos_label: Any


def encode_labels(y: np.ndarray, pred: np.ndarray, pos_label: Any = None) -> Encoded:
    """Binary labels as 0/1 with the positive class 1, by scikit-learn's rule (``pos_label``, else 1 / True for
    labels within {0, 1}, {-1, 1} or {False, True}, else a GateError naming the labels); more classes are kept
    for accuracy."""
    if (y.dtype.kind in "biuf") != (pred.dtype.kind in "biuf"):
        raise GateError(f"y and the predictions use different kinds of labels (y: {_examples(y)}; predictions: "
                        f"{_examples(pred)}); they must use the same label values")
    try:
        classes = np.unique(np.concatenate([_distinct(y), _distinct(pred)]))  # O(n) first, then sort few
    except TypeError:
        raise GateError("y and the predictions mix value types that cannot be compared "
                        f"({y.dtype} and {pred.dtype}); pass labels of one type") from None
    values = classes.tolist()
    if pos_label is None:
        if len(values) <= 2:
            pos_label = positive_class(classes)
    elif len(values) == 2 and pos_label not in values:
        raise GateError(f"pos_label={pos_label!r} is not among the labels ({', '.join(map(repr, values))})")
    if pos_label is not None and len(values) <= 2:
        return Encoded((y == pos_label).view(np.int8), (pred == pos_label).view(np.int8), 2,  # 0/1, no copy
                       [_negative_of(values, pos_label), pos_label], pos_label)
    return Encoded(np.searchsorted(classes, y).astype(np.int64), np.searchsorted(classes, pred).astype(np.int64),
                   len(values), values, pos_label)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values in O(n): counted when they are small non-negative integers (0/1 labels), else hashed."""
    if values.dtype.kind in "iu" and values.size:
        low, high = int(values.min()), int(values.max())
        if high - low <= 1:  # binary (or constant) labels: the extremes are the distinct values
            return np.unique(np.array([low, high], dtype=values.dtype))
        if low >= 0 and high < 4096:
            return np.flatnonzero(np.bincount(values, minlength=high + 1)).astype(values.dtype)
    return np.asarray(pd.unique(values))


def _negative_of(values: list[Any], pos_label: Any) -> Any:
    others = [v for v in values if v != pos_label]
    return others[0] if others else "not " + str(pos_label)


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
    if not _is_names(names) or not isinstance(y, str) or not isinstance(y_pred, str) \
            or (controls and not _is_names(controls)):
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
                    f"{pred_values.size} distinct values ({_examples(pred_values)}) and y takes {y_values.size} "
                    f"({_examples(y_values)}): {encoded.k} labels together; {hint}. "
                    "For multiclass models only accuracy and error_rate are compared by group here")


def _examples(values: np.ndarray) -> str:
    distinct = pd.unique(values)[:5]
    return ", ".join(fmt(v) if not isinstance(v, str) else repr(v) for v in distinct) + \
        (", ..." if len(pd.unique(values)) > 5 else "")


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
        subject += "[" + ", ".join(f"{k}={_plain(v)}" for k, v in ctx.stratum.items()) + "]"
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
        "stratum": None if ctx.stratum is None else {k: _plain(v) for k, v in ctx.stratum.items()},
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
    return [(", ".join(f"{n}={_plain(v)}" for n, v in zip(groups.features, key, strict=False)),
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

        def interval(names: tuple[str, ...], kind: gs.Kind = kind, span: float = span) -> tuple[float, float]:
            return gs.disparity_interval(
                [point[m][included] for m in names], [overall_point[m] for m in names],
                [reps[m][:, included] for m in names], [overall_reps[m] for m in names],
                kind=kind, method=method, agg=agg, alpha=alpha, span=span)

        each = [interval((m,)) for m in metric_names]
        components = [{"metric": m, "value": float(p), "interval": list(b)}
                      for m, p, b in zip(metric_names, parts, each, strict=True)]
        bounds = each[0] if len(each) == 1 else interval(metric_names)
        if kind == "ratio":
            for m in metric_names:
                negative = np.flatnonzero(included & (point[m] < 0))
                if negative.size:
                    raise GateError(f"{name}_ratio needs {m} >= 0 in every group, but group(s) "
                                    f"{', '.join(repr(groups.label(g)) for g in negative[:10])} have a negative "
                                    f"value; gate the difference instead")
        results.append(_result(context, name, kind, limit, value, bounds, replicates, components, point,
                               overall_point, included, int(counts[included].sum()), decision))
    return results
