"""Group metrics and disparities from confusion counts, with fairlearn's definitions and a stratified bootstrap.

Every metric fairness cares about for a classifier (selection rate, true and false positive rates, accuracy,
precision, ...) is a function of each group's confusion matrix. So one ``np.bincount`` over the cell index
``(group, y_true, y_pred)`` (weighted by ``sample_weight`` when given) gives everything, and the metrics are
arithmetic on a small ``(groups, k, k)`` array. The point values equal fairlearn's ``MetricFrame.by_group`` and its
``difference``/``ratio`` (``between_groups`` and ``to_overall``); the tests prove it.

The bootstrap resamples rows *within* each group, so every group keeps its size in every resample (fairlearn's
own bootstrap resamples all rows and can lose a small group entirely). Without weights, drawing ``n_g`` rows
with replacement from a group is the same in distribution as one multinomial draw of ``n_g`` over that group's
confusion cells, so ``B`` resamples cost ``B x groups`` draws over ``k*k`` cells, whatever the number of rows.
With weights taking few distinct values (class or frequency weights) the same holds over (cell, weight) bins.
With continuous weights the cell totals depend on which rows were drawn, so each group's rows are shuffled into
at most 1,000 blocks whose weighted cell totals are resampled (row by row for groups of at most 1,000 rows): ``B x
groups x 1,000`` draws, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pytest_mlgate.stats.bootstrap import block_size

Method = Literal["between_groups", "to_overall"]
Kind = Literal["difference", "ratio"]
Agg = Literal["worst", "mean"]
Needs = Literal["rows", "positives", "negatives", "predicted_positives", "binary", "varying_y"]


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den is 0 (the metric is undefined there; fairlearn and scikit-learn report 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _cells(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """tn, fp, fn, tp of binary confusion matrices (..., 2, 2) with rows = true class, columns = predicted."""
    return conf[..., 0, 0], conf[..., 0, 1], conf[..., 1, 0], conf[..., 1, 1]


def _accuracy(conf: np.ndarray) -> np.ndarray:
    return _rate(np.trace(conf, axis1=-2, axis2=-1), conf.sum(axis=(-2, -1)))


def _error_rate(conf: np.ndarray) -> np.ndarray:
    return 1.0 - _accuracy(conf)


def _selection_rate(conf: np.ndarray) -> np.ndarray:
    tn, fp, fn, tp = _cells(conf)
    return _rate(fp + tp, tn + fp + fn + tp)


def _tpr(conf: np.ndarray) -> np.ndarray:
    _, _, fn, tp = _cells(conf)
    return _rate(tp, tp + fn)


def _fnr(conf: np.ndarray) -> np.ndarray:
    _, _, fn, tp = _cells(conf)
    return _rate(fn, tp + fn)


def _fpr(conf: np.ndarray) -> np.ndarray:
    tn, fp, _, _ = _cells(conf)
    return _rate(fp, tn + fp)


def _tnr(conf: np.ndarray) -> np.ndarray:
    tn, fp, _, _ = _cells(conf)
    return _rate(tn, tn + fp)


def _precision(conf: np.ndarray) -> np.ndarray:
    _, fp, _, tp = _cells(conf)
    return _rate(tp, tp + fp)


def _f1(conf: np.ndarray) -> np.ndarray:
    _, fp, fn, tp = _cells(conf)
    return _rate(2 * tp, 2 * tp + fp + fn)


def _balanced_accuracy(conf: np.ndarray) -> np.ndarray:
    return (_tpr(conf) + _tnr(conf)) / 2.0


# --- regression: per-group sums of row statistics -------------------------------------------------------
#
# A regression metric of a group is a function of a few weighted sums over its rows, in this order: the total
# weight, sum w |e|, sum w e^2 (e = y_pred - y_true), sum w y_pred, sum w y and sum w y^2, with y shifted by one
# constant (the overall mean) so the sums stay additive across groups (overall, strata) and r2's total sum of
# squares loses no precision. Resamples are sums over resampled rows, so the same arrays carry the bootstrap.

REGRESSION_SUMS = 6


def regression_sums(y_true: np.ndarray, y_pred: np.ndarray,
                    sample_weight: np.ndarray | None = None) -> np.ndarray:
    """(rows, 6) row statistics whose per-group sums give every regression metric (see above)."""
    w = np.ones(y_true.size) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    y = np.asarray(y_true, dtype=float)
    pred = np.asarray(y_pred, dtype=float)
    total = w.sum()
    shift = float((w * y).sum() / total) if total > 0 else 0.0
    error = pred - y
    centred = y - shift
    return np.column_stack([w, w * np.abs(error), w * error * error, w * pred, w * centred, w * centred * centred])


def group_sums(groups: np.ndarray, n_groups: int, stats: np.ndarray) -> np.ndarray:
    """(groups, p) sums of the row statistics ``stats`` (rows, p) per group, one bincount per column."""
    return np.column_stack([np.bincount(groups, weights=stats[:, j], minlength=n_groups)
                            for j in range(stats.shape[1])])


def _mae(s: np.ndarray) -> np.ndarray:
    return _rate(s[..., 1], s[..., 0])


def _mse(s: np.ndarray) -> np.ndarray:
    return _rate(s[..., 2], s[..., 0])


def _rmse(s: np.ndarray) -> np.ndarray:
    return np.sqrt(_mse(s))


def _mean_prediction(s: np.ndarray) -> np.ndarray:
    return _rate(s[..., 3], s[..., 0])


def _r2(s: np.ndarray) -> np.ndarray:
    """scikit-learn's r2_score: 1 - SSE / SST, undefined (NaN) where y is constant in the group (SST = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s[..., 4] / s[..., 0]
        total = s[..., 5] - s[..., 4] * mean
        scale = np.maximum(s[..., 5], 1e-300)
        return np.where((s[..., 0] > 0) & (total > 1e-12 * scale), 1.0 - s[..., 2] / total, np.nan)


@dataclass(frozen=True)
class GroupMetric:
    """A per-group metric computed from confusion matrices ``(..., k, k)`` (classification) or from the
    per-group sums of :func:`regression_sums` (``(..., 6)``, regression).

    ``needs`` names what must be present in a group for the metric to be defined (``"positives"``: rows with
    ``y_true`` positive; ``"binary"``: binary labels, no other requirement), so the gate can say which group
    lacks it. ``fairlearn`` names the fairlearn/scikit-learn function with the same meaning, for the docs.
    ``low``/``high`` is the metric's possible range (intervals never leave it); ``zero_division`` says whether
    scikit-learn's ``zero_division=`` decides its value where its denominator is 0.
    """

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    label: str
    needs: Needs
    fairlearn: str
    task: Literal["classification", "regression"] = "classification"
    low: float = 0.0
    high: float = 1.0
    zero_division: bool = False

    @property
    def span(self) -> float:
        """The width of the possible range: the largest possible difference between two groups."""
        return self.high - self.low


INF = float("inf")
GROUP_METRICS: dict[str, GroupMetric] = {
    m.name: m
    for m in [
        GroupMetric("selection_rate", _selection_rate, "selection rate", "binary", "selection_rate"),
        GroupMetric("true_positive_rate", _tpr, "TPR", "positives", "true_positive_rate", zero_division=True),
        GroupMetric("false_positive_rate", _fpr, "FPR", "negatives", "false_positive_rate", zero_division=True),
        GroupMetric("false_negative_rate", _fnr, "FNR", "positives", "false_negative_rate", zero_division=True),
        GroupMetric("true_negative_rate", _tnr, "TNR", "negatives", "true_negative_rate", zero_division=True),
        GroupMetric("accuracy", _accuracy, "accuracy", "rows", "sklearn.metrics.accuracy_score"),
        GroupMetric("error_rate", _error_rate, "error rate", "rows", "fairlearn.metrics.zero_one_loss"),
        GroupMetric("precision", _precision, "precision", "predicted_positives", "sklearn.metrics.precision_score",
                    zero_division=True),
        GroupMetric("recall", _tpr, "recall", "positives", "sklearn.metrics.recall_score", zero_division=True),
        GroupMetric("f1", _f1, "F1", "positives", "sklearn.metrics.f1_score", zero_division=True),
        GroupMetric("balanced_accuracy", _balanced_accuracy, "balanced accuracy", "positives",
                    "sklearn.metrics.balanced_accuracy_score"),
        GroupMetric("mae", _mae, "MAE", "rows", "sklearn.metrics.mean_absolute_error", "regression", 0.0, INF),
        GroupMetric("mse", _mse, "MSE", "rows", "sklearn.metrics.mean_squared_error", "regression", 0.0, INF),
        GroupMetric("rmse", _rmse, "RMSE", "rows", "sklearn.metrics.root_mean_squared_error", "regression", 0.0,
                    INF),
        GroupMetric("r2", _r2, "R2", "varying_y", "sklearn.metrics.r2_score", "regression", -INF, 1.0),
        GroupMetric("mean_prediction", _mean_prediction, "mean prediction", "rows", "fairlearn.metrics.mean_prediction",
                    "regression", -INF, INF),
    ]
}
GROUP_METRIC_ALIASES = {
    "tpr": "true_positive_rate", "fpr": "false_positive_rate", "fnr": "false_negative_rate",
    "tnr": "true_negative_rate", "sensitivity": "true_positive_rate", "specificity": "true_negative_rate",
    "zero_one_loss": "error_rate", "f1_score": "f1", "accuracy_score": "accuracy",
    "precision_score": "precision", "recall_score": "recall",
    "mean_absolute_error": "mae", "mean_squared_error": "mse", "root_mean_squared_error": "rmse",
    "r2_score": "r2",
}


@dataclass(frozen=True)
class Disparity:
    """A named disparity: which per-group metrics it compares and how several are combined (``agg``)."""

    name: str
    metrics: tuple[str, ...]


#: fairlearn's named disparities; any name of :data:`GROUP_METRICS` is a disparity of that one metric too.
DISPARITIES: dict[str, Disparity] = {
    "demographic_parity": Disparity("demographic_parity", ("selection_rate",)),
    "equalized_odds": Disparity("equalized_odds", ("true_positive_rate", "false_positive_rate")),
    "equal_opportunity": Disparity("equal_opportunity", ("true_positive_rate",)),
}


def group_confusion(
    groups: np.ndarray,
    n_groups: int,
    y_codes: np.ndarray,
    pred_codes: np.ndarray,
    k: int,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """(groups, k, k) confusion matrices (weighted sums when ``sample_weight`` is given) with one bincount."""
    if k * k <= 127 and y_codes.dtype == np.int8 and pred_codes.dtype == np.int8:
        within = y_codes * np.int8(k)  # the cell within a group, in the labels' own small dtype
        within += pred_codes
        cell = groups * (k * k) if groups.dtype == np.int64 else groups.astype(np.int64) * (k * k)
        cell += within
    else:
        cell = groups * k if groups.dtype == np.int64 else groups.astype(np.int64) * k  # in place from here on
        cell += y_codes
        cell *= k
        cell += pred_codes
    flat = np.bincount(cell, weights=sample_weight, minlength=n_groups * k * k)
    return flat.astype(float).reshape(n_groups, k, k)


def metric_values(conf: np.ndarray, names: list[str], zero_division: float | None = None) -> dict[str, np.ndarray]:
    """Each named metric for every confusion matrix in ``conf`` (..., k, k) (or regression sums (..., 6)).

    With ``zero_division`` (scikit-learn's keyword), a rate whose denominator is 0 takes that value instead of
    NaN (undefined), as scikit-learn's ``precision_score(..., zero_division=...)`` does."""
    out = {}
    for name in names:
        metric = GROUP_METRICS[name]
        values = metric.fn(conf)
        if zero_division is not None and metric.zero_division:
            values = np.where(np.isnan(values), zero_division, values)
        out[name] = values
    return out


def disparity_of(
    values: np.ndarray,
    overall: np.ndarray,
    *,
    kind: Kind,
    method: Method,
    included: np.ndarray | None = None,
) -> np.ndarray:
    """fairlearn's ``MetricFrame.difference``/``ratio`` of per-group ``values`` (..., groups).

    ``between_groups``: max - min (difference) or min / max (ratio). ``to_overall``: the largest
    ``|group - overall|`` (difference) or the smallest of ``group / overall`` folded below 1 (ratio).
    ``overall`` (...) is the metric on all rows. ``included`` selects the groups to compare; a NaN in an
    included group makes the result NaN (a bootstrap resample where the metric is undefined is dropped).
    """
    if included is not None:
        values = values[..., included]
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "between_groups":
            high, low = values.max(axis=-1), values.min(axis=-1)
            return high - low if kind == "difference" else low / high
        if kind == "difference":
            return np.abs(values - overall[..., None]).max(axis=-1)
        ratios = values / overall[..., None]
        folded = np.where(ratios > 1, 1.0 / ratios, ratios)
        return folded.min(axis=-1)


def combine(parts: list[np.ndarray], *, kind: Kind, agg: Agg) -> np.ndarray:
    """Combine the disparities of several metrics (equalized odds: TPR and FPR) as fairlearn does:
    ``worst`` is the largest difference or the smallest ratio; ``mean`` their average."""
    stacked = np.stack(parts, axis=0)
    if agg == "mean":
        return stacked.mean(axis=0)
    return stacked.max(axis=0) if kind == "difference" else stacked.min(axis=0)


# --- the stratified bootstrap ------------------------------------------------------------------------


def resample_confusion(
    conf: np.ndarray,
    n_resamples: int,
    seed: int,
) -> np.ndarray:
    """(n_resamples, groups, k, k) confusion matrices of unweighted resamples stratified by group.

    ``conf`` holds each group's row counts per cell. Drawing ``n_g`` rows with replacement from a group and
    counting them per cell is a multinomial draw of ``n_g`` over the group's cell frequencies, so this costs
    ``n_resamples x groups`` multinomial draws, independent of the number of rows.
    """
    n_groups, k, _ = conf.shape
    counts = conf.reshape(n_groups, k * k)
    sizes = counts.sum(axis=1)
    if np.any(counts != np.round(counts)):
        raise ValueError("resample_confusion needs unweighted counts; use resample_confusion_weighted")
    rng = np.random.default_rng(seed)
    sizes_int = sizes.astype(np.int64)
    pvals = counts / np.where(sizes > 0, sizes, 1.0)[:, None]
    draws = rng.multinomial(sizes_int, pvals, size=(n_resamples, n_groups))
    return draws.astype(float).reshape(n_resamples, n_groups, k, k)


def resample_confusion_weighted(
    groups: np.ndarray,
    n_groups: int,
    cells: np.ndarray,
    n_cells: int,
    sample_weight: np.ndarray,
    n_resamples: int,
    seed: int,
    *,
    max_cells: int = 20_000_000,
    max_distinct_weights: int = 64,
    max_blocks: int = 1000,
) -> np.ndarray:
    """(n_resamples, groups, n_cells) weighted cell totals of resamples that draw rows within each group.

    ``cells`` is each row's cell index (``y_code * k + pred_code``). When the weights take few distinct values
    (class weights, frequency weights), rows sharing a (cell, weight) bin are interchangeable, so a resample is
    again one multinomial draw per group over its bins: exact, and as cheap as the unweighted case. Otherwise
    each group's rows are shuffled into at most ``max_blocks`` blocks of near-equal size, each block is reduced
    to its weighted totals per cell, and a resample draws blocks with replacement (one count per block, the
    counts times the blocks' cell totals). A group with at most ``max_blocks`` rows has one row per block, which
    is the row bootstrap itself; a larger one is a bootstrap over random subsets of its rows, whose sums have the
    same variance as the rows' (up to ``1 - 1/blocks``), so ``B`` resamples cost ``B x groups x max_blocks``
    draws whatever the number of rows.
    """
    values, weight_codes = np.unique(sample_weight, return_inverse=True)
    if values.size <= max_distinct_weights:
        return _resample_binned(groups, n_groups, cells, n_cells, weight_codes, values, n_resamples, seed,
                                max_cells=max_cells)

    def totals(rows: np.ndarray, block_of: np.ndarray, n_blocks: int) -> np.ndarray:
        return np.bincount(block_of * n_cells + cells[rows], weights=sample_weight[rows],
                           minlength=n_blocks * n_cells).reshape(n_blocks, n_cells)

    return _resample_blocks(groups, n_groups, n_cells, totals, n_resamples, seed, max_cells=max_cells,
                            max_blocks=max_blocks)


def resample_sums(
    groups: np.ndarray,
    n_groups: int,
    stats: np.ndarray,
    n_resamples: int,
    seed: int,
    *,
    max_cells: int = 20_000_000,
    max_blocks: int = 1000,
) -> np.ndarray:
    """(n_resamples, groups, p) per-group sums of the row statistics ``stats`` (rows, p) over resamples that draw
    rows within each group: the blocks of :func:`resample_confusion_weighted`, each reduced to its sums."""
    p = stats.shape[1]

    def totals(rows: np.ndarray, block_of: np.ndarray, n_blocks: int) -> np.ndarray:
        return np.column_stack([np.bincount(block_of, weights=stats[rows, j], minlength=n_blocks)
                                for j in range(p)])

    return _resample_blocks(groups, n_groups, p, totals, n_resamples, seed, max_cells=max_cells,
                            max_blocks=max_blocks)


def _resample_blocks(
    groups: np.ndarray,
    n_groups: int,
    width: int,
    totals: Callable[[np.ndarray, np.ndarray, int], np.ndarray],
    n_resamples: int,
    seed: int,
    *,
    max_cells: int,
    max_blocks: int,
) -> np.ndarray:
    """Each group's rows shuffled into at most ``max_blocks`` blocks, ``totals(rows, block_of, n_blocks)`` the
    blocks' sums (n_blocks, width), and resamples that draw each group's blocks with replacement."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n_resamples, n_groups, width))
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    for g in range(n_groups):
        size = int(bounds[g + 1] - bounds[g])
        if size == 0:
            continue
        rows = rng.permutation(order[bounds[g]:bounds[g + 1]])
        n_blocks = min(size, max_blocks)
        block_of = np.arange(size, dtype=np.int64) * n_blocks // size
        block_totals = totals(rows, block_of, n_blocks)
        step = block_size(n_blocks, n_resamples, max_cells)
        for start in range(0, n_resamples, step):
            block = min(step, n_resamples - start)
            drawn = rng.integers(0, n_blocks, size=(block, n_blocks))
            drawn += np.arange(block, dtype=np.int64)[:, None] * n_blocks
            counts = np.bincount(drawn.ravel(), minlength=block * n_blocks).reshape(block, n_blocks)
            out[start:start + block, g, :] = counts @ block_totals
    return out


def _resample_binned(
    groups: np.ndarray,
    n_groups: int,
    cells: np.ndarray,
    n_cells: int,
    weight_codes: np.ndarray,
    weight_values: np.ndarray,
    n_resamples: int,
    seed: int,
    *,
    max_cells: int,
) -> np.ndarray:
    """Multinomial draws over each group's (cell, distinct weight) bins, then totals = counts x weights."""
    n_weights = weight_values.size
    key = (groups.astype(np.int64) * n_cells + cells) * n_weights + weight_codes
    counts = np.bincount(key, minlength=n_groups * n_cells * n_weights).reshape(n_groups, n_cells * n_weights)
    sizes = counts.sum(axis=1)
    pvals = counts / np.where(sizes > 0, sizes, 1)[:, None]
    rng = np.random.default_rng(seed)
    out = np.empty((n_resamples, n_groups, n_cells))
    step = block_size(n_groups * n_cells * n_weights, n_resamples, max_cells)
    for start in range(0, n_resamples, step):
        block = min(step, n_resamples - start)
        draws = rng.multinomial(sizes, pvals, size=(block, n_groups))
        out[start:start + block] = draws.reshape(block, n_groups, n_cells, n_weights) @ weight_values
    return out


# --- confidence bounds for a disparity ------------------------------------------------------------------
#
# A difference is the largest of several "components": for ``between_groups`` the difference of every ordered
# pair of groups (max - min is the largest pairwise difference), for ``to_overall`` each group's deviation from
# the overall value in either direction. A ratio is the same on the log scale: ``-log(ratio)`` is the largest
# difference of log values, and logs make the sampling distribution of a ratio far more symmetric. The percentile
# interval of a bootstrapped max is biased upwards when several groups are close to the extremes (the max of noisy
# values exceeds the max of the true ones), so at the limit it fails far more often than alpha. Instead every
# component is bounded at once with the studentized maximum of the bootstrap deviations (a max-t simultaneous
# bound): with probability about 1 - alpha every component is at least its estimate minus ``q * se``, so the
# disparity is at least the largest of those lower bounds. That is what "the evidence says the disparity
# exceeds the limit" means here.


def components(values: np.ndarray, overall: np.ndarray, *, method: Method) -> Iterator[np.ndarray]:
    """Chunks (rows, K) of components whose maximum is the difference (``between_groups`` or ``to_overall``).

    ``values`` (rows, groups) and ``overall`` (rows,) hold the point value in row 0 and replicates after it.
    Chunks keep memory at rows x groups whatever the number of pairs.
    """
    with np.errstate(invalid="ignore"):
        if method == "to_overall":
            o = overall[:, None]
            yield np.concatenate([values - o, o - values], axis=1)
            return
        rows, n = values.shape
        if rows * n * n <= 4_000_000:  # every ordered pair at once, in the order of the chunks below
            pairs = values[:, :, None] - values[:, None, :]
            yield pairs.reshape(rows, n * n)[:, ~np.eye(n, dtype=bool).ravel()]
            return
        for i in range(n):
            yield values[:, i:i + 1] - np.delete(values, i, axis=1)


def max_bounds(chunks: Iterable[np.ndarray], alpha: float) -> tuple[float, float]:
    """Simultaneous one-sided bounds (each at level ``alpha``) for the maximum of components.

    Each chunk is (1 + B, K): the point values in row 0, bootstrap replicates below. With ``se`` the bootstrap
    standard deviation of each component, ``q_low`` is the (1 - alpha) quantile over resamples of the largest
    standardized deviation ``(replicate - point) / se`` and the lower bound is ``max(point - q_low * se)``;
    the upper bound mirrors it. Non-finite replicates (the component undefined in that resample) are ignored; a
    component constant across resamples (se = 0) bounds at its point value, an infinite one (a log ratio with a
    zero rate) at infinity, and an undefined one (NaN) takes no part.
    """
    points, ses, up, down = [], [], [], []
    for chunk in chunks:
        point, reps = chunk[0], chunk[1:]
        fast = _all_finite_bounds(point, reps)
        if fast is not None:  # the common case, the same numbers without the masks
            points.append(point)
            ses.append(fast[0])
            up.append(fast[1])
            down.append(fast[2])
            continue
        finite = np.isfinite(reps)
        count = finite.sum(axis=0)
        safe = np.where(finite, reps, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = safe.sum(axis=0) / count
            se = np.sqrt(np.where(finite, (safe - mean) ** 2, 0.0).sum(axis=0) / (count - 1))
            se = np.where(count > 1, se, np.inf)
            ok = finite & np.isfinite(point) & (se > 0) & np.isfinite(se)
            z_up = np.where(ok, (reps - point) / se, -np.inf)
            z_down = np.where(ok, (point - reps) / se, -np.inf)
        empty = np.full(reps.shape[0], -np.inf)
        up.append(z_up.max(axis=1) if z_up.shape[1] else empty)
        down.append(z_down.max(axis=1) if z_down.shape[1] else empty)
        points.append(point)
        ses.append(np.where(np.isfinite(point), se, 0.0))
    point_all, se_all = np.concatenate(points), np.concatenate(ses)
    defined = ~np.isnan(point_all)
    if not defined.any():
        return (float("nan"), float("nan"))
    largest_up, largest_down = np.max(up, axis=0), np.max(down, axis=0)
    if np.isfinite(largest_up).all() and np.isfinite(largest_down).all():  # both quantiles in one call
        q_low, q_high = (float(q) for q in np.quantile(np.stack([largest_up, largest_down]), 1.0 - alpha, axis=1))
    else:
        q_low, q_high = _upper_quantile(largest_up, alpha), _upper_quantile(largest_down, alpha)
    with np.errstate(invalid="ignore"):
        low = point_all[defined] - q_low * se_all[defined]
        high = point_all[defined] + q_high * se_all[defined]
    low = np.where(np.isnan(low), -np.inf, low)  # finite point, no usable replicates: no evidence either way
    high = np.where(np.isnan(high), np.inf, high)
    return (float(low.max()), float(high.max()))


def _all_finite_bounds(point: np.ndarray, reps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(se, largest standardized deviation up, down) of a chunk whose points and replicates are all finite and
    vary; None otherwise (the masked computation of :func:`max_bounds` handles it)."""
    if reps.shape[0] < 2 or reps.shape[1] == 0 or not (np.isfinite(point).all() and np.isfinite(reps).all()):
        return None
    mean = reps.sum(axis=0) / reps.shape[0]
    se = np.sqrt(((reps - mean) ** 2).sum(axis=0) / (reps.shape[0] - 1))
    if not (se > 0).all() or not np.isfinite(se).all():
        return None
    deviation = (reps - point) / se
    return se, deviation.max(axis=1), (-deviation).max(axis=1)


def _upper_quantile(values: np.ndarray, alpha: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.quantile(finite, 1.0 - alpha)) if finite.size else 0.0


def disparity_interval(
    point: list[np.ndarray],
    point_overall: list[np.ndarray],
    reps: list[np.ndarray],
    reps_overall: list[np.ndarray],
    *,
    kind: Kind,
    method: Method,
    agg: Agg,
    alpha: float,
    span: float = 1.0,
) -> tuple[float, float]:
    """The (1 - 2 alpha) interval of a disparity of one or more metrics (lists, one entry per metric; values
    restricted to the compared groups). ``worst`` bounds the maximum over all metrics' components together;
    ``mean`` averages per-metric bounds each made at ``alpha / metrics`` (Bonferroni), so it stays valid.
    Every interval lies inside the disparity's possible range: a difference in [0, ``span``] (the width of the
    metrics' range: 1 for rates), a ratio in [0, 1]; the max-t bounds alone can overshoot it."""

    def stacked(m: int) -> tuple[np.ndarray, np.ndarray]:
        values = np.concatenate([point[m][None, :], reps[m]], axis=0)
        overall = np.concatenate([np.atleast_1d(point_overall[m]), reps_overall[m]])
        if kind == "ratio":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(values), np.log(overall)
        return values, overall

    def bounds(metrics: list[int], level: float) -> tuple[float, float]:
        chunks = (c for m in metrics for c in components(*stacked(m), method=method))
        low, high = max_bounds(chunks, level)
        if kind == "difference":
            return (min(max(low, 0.0), span), min(max(high, 0.0), span))
        return (float(np.exp(-high)), min(float(np.exp(-low)), 1.0))  # ratio = exp(-max log difference)

    if agg == "worst" or len(point) == 1:
        return bounds(list(range(len(point))), alpha)
    per_metric = [bounds([m], alpha / len(point)) for m in range(len(point))]
    return (float(np.mean([b[0] for b in per_metric])), float(np.mean([b[1] for b in per_metric])))
