"""``model_gate.metrics(data=table, y="label", y_pred="pred", y_score="score", ...)``: model metrics from the
counts an engine computes over a table of labels and predictions (a month of production logs in Parquet, say).

Count metrics (accuracy, balanced accuracy, precision, recall, f1, selection rate) are exact: one ``GROUP BY
label, pred``. ROC AUC and average precision come from a score histogram per class (``GROUP BY label, bin`` with
each cell's smallest and largest score, :mod:`pytest_mlgate.stats.ranking`): the exact value lies in a reported
bound, and the interval is widened by it. Intervals resample the cells multinomially, which is the row bootstrap's
distribution (drawing n rows with replacement and counting them per cell).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from pytest_mlgate._frames import _names
from pytest_mlgate.gates.base import MODEL_VALIDATION, Decision, limit_entries, threshold_result
from pytest_mlgate.results import GateError, GateResult, hide_our_frames, json_safe
from pytest_mlgate.stats import groups, ranking
from pytest_mlgate.stats.bootstrap import block_size, percentile_interval
from pytest_mlgate.stats.metrics import positive_class

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = MODEL_VALIDATION
#: score bins per table (fixed width between the smallest and largest score): the binning bound is about the
#: share of positive-negative pairs that fall in one bin with different scores, ~1e-4 for a smooth score
SCORE_BINS = 10_000
#: bins the bootstrap resamples: adjacent score bins merged into at most this many of about equal rows (the
#: interval is the coarse replicates' spread around the coarse estimate, moved to the fine one)
BOOTSTRAP_BINS = 250

COUNTED: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "accuracy": groups._accuracy, "balanced_accuracy": groups._balanced_accuracy, "precision": groups._precision,
    "recall": groups._tpr, "f1": groups._f1, "selection_rate": groups._selection_rate,
}
RANKED: dict[str, Callable[[np.ndarray, np.ndarray, ranking.BinOrder], ranking.Bounded]] = {
    "roc_auc": ranking.roc_auc, "average_precision": ranking.average_precision,
}


def _limits(minimum: Any, maximum: Any) -> dict[str, tuple[Any, Any]]:
    table: dict[str, tuple[Any, Any]] = {}
    for label, key, limit in limit_entries(minimum, maximum, what="metric", example="'roc_auc': 0.8"):
        if not isinstance(key, str) or key not in {**COUNTED, **RANKED}:
            raise GateError(f"metric {key!r} cannot be computed from an engine table's counts; from data= the "
                            f"metrics are {_names([*COUNTED, *RANKED])} (load the rows to gate others)")
        lo, hi = table.get(key, (None, None))
        table[key] = (limit, hi) if label == "min" else (lo, limit)
    if not table:
        raise GateError("no metric to check: pass min={'metric': limit} and/or max={'metric': limit}")
    return table


def _column(name: str, value: Any, columns: Mapping[str, Any], *, required: bool) -> str | None:
    if value is None:
        if required:
            raise GateError(f"{name}= must name a column of data (e.g. {name}=\"label\")")
        return None
    if not isinstance(value, str):
        raise GateError(f"with data=, {name} must be a column name of the table, got {type(value).__name__}")
    if value not in columns:
        raise GateError(f"{name}={value!r} is not a column of data (it has {_names(list(columns))})")
    return value


def _labels(values: np.ndarray) -> np.ndarray:
    return np.asarray(values.tolist())  # engines return Python objects: let numpy infer the type


def _missing(values: np.ndarray) -> np.ndarray:
    return np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in values.tolist()], dtype=bool)


def check_table_metrics(data: Any, y: Any, y_pred: Any, y_score: Any, *, minimum: Any, maximum: Any,
                        decision: Decision, pos_label: Any, n_resamples: int, confidence: float,
                        seed: Callable[[str], int]) -> list[GateResult]:
    """Each metric from the engine's counts over ``data``, with its interval, against its limits."""
    from pytest_mlgate.gates.scale import engine_table

    limits = _limits(minimum, maximum)
    table = engine_table(data, "data")
    kinds = table.kinds()
    label = _column("y", y, kinds, required=True)
    assert label is not None
    pred = _column("y_pred", y_pred, kinds, required=any(m in COUNTED for m in limits))
    score = _column("y_score", y_score, kinds, required=any(m in RANKED for m in limits))
    results: list[GateResult] = []
    cells: Any = None
    if pred is not None and any(m in COUNTED for m in limits):
        cells = _confusion(table, label, pred, pos_label)
    hist: Any = None
    if score is not None and any(m in RANKED for m in limits):
        hist = _histogram(table, label, score, pos_label)
    for name, (lo, hi) in limits.items():
        if name in COUNTED:
            value, interval, n, details, positive = _counted(name, cells, n_resamples, confidence, seed(name))
            notes = "exact, from the GROUP BY counts"
        else:
            value, interval, n, details, positive = _ranked(name, hist, n_resamples, confidence, seed(name))
            notes = (f"from a {SCORE_BINS}-bin score histogram per class: the exact value lies in "
                     f"[{details['bound'][0]:.6g}, {details['bound'][1]:.6g}], the interval widened by it")
        details.update({"engine": table.engine, "n_resamples": n_resamples, "positive_class": json_safe(positive),
                        "greater_is_better": name != "selection_rate"})
        results.append(threshold_result(
            FAMILY, "metrics", name, value, minimum=lo, maximum=hi, interval=interval, n=n,
            confidence=confidence, decision=decision,
            hint=("improve the model, or if the limit is wrong change it in the test "
                  f"({'min' if lo is not None else 'max'}={{{name!r}: ...}}). Computed in {table.engine}, {notes}; "
                  f"positive class {positive!r}."),
            details=details))
    return results


def _confusion(table: Any, label: str, pred: str, pos_label: Any) -> tuple[np.ndarray, Any, int]:
    """The binary confusion counts (tn, fp / fn, tp) and the positive class, from ``GROUP BY label, pred``."""
    (labels, preds), counts = table.group_counts([label, pred])
    for name, values in ((label, labels), (pred, preds)):
        missing = _missing(values)
        if missing.any():
            raise GateError(f"column {name!r} has {int(counts[missing].sum())} missing value(s); drop or fill them "
                            "first")
    labels, preds = _labels(labels), _labels(preds)
    classes = np.unique(labels)
    if np.unique(np.concatenate([classes, np.unique(preds)])).size > 2:
        raise GateError(f"metrics from a table need binary labels and predictions; {label!r} and {pred!r} hold "
                        f"{_names(np.unique(np.concatenate([classes, np.unique(preds)])).tolist())}")
    positive = _positive(classes, pos_label)
    y_pos, p_pos = labels == positive, preds == positive
    conf = np.zeros((2, 2), dtype=np.int64)
    np.add.at(conf, (y_pos.astype(int), p_pos.astype(int)), counts)
    return conf, positive, int(counts.sum())


def _positive(classes: np.ndarray, pos_label: Any) -> Any:
    from pytest_mlgate.stats import StatsError

    try:
        return positive_class(classes, pos_label)
    except StatsError as exc:
        raise GateError(str(exc)) from None


def _counted(name: str, cells: tuple[np.ndarray, Any, int], n_resamples: int, confidence: float,
             seed: int) -> tuple[float, tuple[float, float], int, dict[str, Any], Any]:
    conf, positive, n = cells
    fn = COUNTED[name]
    value = float(fn(conf.astype(float)))
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, conf.ravel() / n, size=n_resamples).reshape(n_resamples, 2, 2).astype(float)
    interval = percentile_interval(fn(draws), confidence)
    tn, fp, fn_, tp = (int(v) for v in conf.ravel())
    return value, interval, n, {"confusion": {"tn": tn, "fp": fp, "fn": fn_, "tp": tp}, "exact": True}, positive


def _histogram(table: Any, label: str, score: str, pos_label: Any) -> dict[str, Any]:
    stats = table.numeric_stats([score])[score] if table.kinds()[score][0] == "numeric" else None
    if stats is None:
        raise GateError(f"y_score={score!r} is not a numeric column ({table.kinds()[score][1]})")
    if stats.n_missing or stats.n_infinite:
        raise GateError(f"column {score!r} has {stats.n_missing} missing and {stats.n_infinite} infinite score(s); "
                        "drop or fill them first")
    low, high = stats.minimum, stats.maximum
    width = (high - low) / SCORE_BINS if high > low else 1.0
    labels, bins, counts, smallest, largest = table.score_bins(label, score, low, width, SCORE_BINS)
    missing = _missing(labels)
    if missing.any():
        raise GateError(f"column {label!r} has {int(counts[missing].sum())} missing value(s); drop or fill them first")
    labels = _labels(labels)
    classes = np.unique(labels)
    if classes.size != 2:
        raise GateError(f"ROC AUC and average precision from a table need two classes in {label!r}, found "
                        f"{_names(classes.tolist())}")
    positive = _positive(classes, pos_label)
    used, at = np.unique(bins, return_inverse=True)
    is_pos = labels == positive
    pos, neg = np.zeros(used.size), np.zeros(used.size)
    np.add.at(pos, at[is_pos], counts[is_pos])
    np.add.at(neg, at[~is_pos], counts[~is_pos])
    ranges = {}
    for side, mask in (("pos", is_pos), ("neg", ~is_pos)):
        lo, hi = np.full(used.size, np.nan), np.full(used.size, np.nan)
        lo[at[mask]], hi[at[mask]] = smallest[mask], largest[mask]  # one cell per (class, bin)
        ranges[side] = (lo, hi)
    order = ranking.BinOrder.from_ranges(*ranges["pos"], *ranges["neg"])
    return {"pos": pos, "neg": neg, "order": order, "ranges": ranges, "positive": positive, "n": int(counts.sum()),
            "bins": int(used.size)}


def _coarse(hist: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, ranking.BinOrder]:
    """The histogram with adjacent bins merged into at most :data:`BOOTSTRAP_BINS` of about equal rows."""
    pos, neg = hist["pos"], hist["neg"]
    if pos.size <= BOOTSTRAP_BINS:
        return pos, neg, hist["order"]
    cum = np.cumsum(pos + neg)
    cuts = np.searchsorted(cum, np.linspace(0, cum[-1], BOOTSTRAP_BINS + 1)[1:-1], side="right")
    starts = np.unique(np.concatenate([[0], cuts[cuts < pos.size]]))
    (pos_lo, pos_hi), (neg_lo, neg_hi) = hist["ranges"]["pos"], hist["ranges"]["neg"]
    order = ranking.BinOrder.from_ranges(np.fmin.reduceat(pos_lo, starts), np.fmax.reduceat(pos_hi, starts),
                                         np.fmin.reduceat(neg_lo, starts), np.fmax.reduceat(neg_hi, starts))
    return np.add.reduceat(pos, starts), np.add.reduceat(neg, starts), order


def _ranked(name: str, hist: dict[str, Any], n_resamples: int, confidence: float,
            seed: int) -> tuple[float, tuple[float, float], int, dict[str, Any], Any]:
    fn = RANKED[name]
    pos, neg, order, n = hist["pos"], hist["neg"], hist["order"], hist["n"]
    point = fn(pos, neg, order)
    value, lower, upper = float(point.value), float(point.lower), float(point.upper)
    coarse_pos, coarse_neg, coarse_order = _coarse(hist)
    centre = float(fn(coarse_pos, coarse_neg, coarse_order).value)
    cells = np.concatenate([coarse_pos, coarse_neg])
    rng = np.random.default_rng(seed)
    step = block_size(cells.size, n_resamples)
    parts = []
    for start in range(0, n_resamples, step):
        block = min(step, n_resamples - start)
        draws = rng.multinomial(n, cells / n, size=block).astype(float)
        parts.append(fn(draws[:, :coarse_pos.size], draws[:, coarse_pos.size:], coarse_order).value)
    boot_lo, boot_hi = percentile_interval(np.concatenate(parts), confidence)
    # the replicates' spread around their own centre, moved to the fine estimate and widened by its bound
    interval = (max(value + boot_lo - centre - (value - lower), 0.0),
                min(value + boot_hi - centre + (upper - value), 1.0))
    details = {"bound": [lower, upper], "binning_error": upper - lower, "exact": upper == lower,
               "bins": SCORE_BINS, "bins_used": hist["bins"], "positives": int(pos.sum()),
               "negatives": int(neg.sum())}
    return value, interval, n, details, hist["positive"]


__all__ = ["COUNTED", "RANKED", "SCORE_BINS", "check_table_metrics"]
