"""Metrics by name: scikit-learn's value, and a vectorized version over bootstrap count matrices.

Each :class:`Metric` knows what it needs (labels, scores, probabilities or regression values), which direction is
better, how scikit-learn computes it (the point value we report is always scikit-learn's) and, where it can,
``batch``: the same metric for a whole block of resamples at once, from a (block, n) matrix of row counts.
Weighting by counts is the same as resampling rows, and a test checks every batch against scikit-learn's
``sample_weight`` result. Metrics without a batch form are bootstrapped with a loop over resampled rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from pytest_mlgate.results import hide_our_frames
from pytest_mlgate.stats import StatsError

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

Needs = Literal["label", "score", "proba", "regression"]
Batch = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Metric:
    """A named metric. ``fn(y_true, output, sample_weight=None)`` gives the point value; ``batch(y_true, output,
    counts)`` gives one value per row of ``counts`` (optional; weights are folded into the counts). ``needs`` says
    which model output ``output`` is. Built-in metrics see binary labels already encoded as ``y == pos_label``
    (``encoded``); a user's metric sees the labels as given."""

    name: str
    fn: Callable[..., float]
    needs: Needs = "label"
    greater_is_better: bool = True
    batch: Batch | None = None
    binary_only: bool = False
    multiclass_batch: Batch | None = None  # the same for (rows x classes) probabilities
    encoded: bool = True
    takes_weight: bool = True
    note: str = ""  # said in the message, e.g. the sign of a scikit-learn scorer name


def metric(
    fn: Callable[..., float],
    *,
    name: str | None = None,
    needs: Needs = "label",
    greater_is_better: bool = True,
) -> Metric:
    """Wrap your own ``fn(y_true, output)`` as a metric, saying what it needs and which direction is better.
    If ``fn`` takes ``sample_weight=``, weighted checks pass the weights to it; otherwise they refuse it."""
    if needs not in ("label", "score", "proba", "regression"):
        raise StatsError(f"needs must be 'label', 'score', 'proba' or 'regression', got {needs!r}")
    import inspect

    try:
        takes_weight = "sample_weight" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes_weight = False

    def call(y: Any, output: Any, sample_weight: Any = None) -> float:
        return float(fn(y, output) if sample_weight is None else fn(y, output, sample_weight=sample_weight))

    return Metric(name or str(getattr(fn, "__name__", "metric")), call, needs, greater_is_better,
                  encoded=False, takes_weight=takes_weight)


# --- the positive class ------------------------------------------------------------------------------

#: Binary label sets whose positive class scikit-learn takes without being told: 1 (or True).
DEFAULT_POSITIVE_SETS = ({0, 1}, {-1, 1})


def positive_class(classes: Any, pos_label: Any = None) -> Any:
    """The positive class of binary labels, by scikit-learn's rule: ``pos_label`` when given (it must be one of
    the labels), else 1 / True for labels within {0, 1}, {-1, 1} or {False, True}; any other labels are a
    StatsError naming them and the keyword (a silent guess is how a gate passes on the wrong number)."""
    values = np.unique(np.asarray(classes))
    listed = [v.item() if isinstance(v, np.generic) else v for v in values]
    if pos_label is not None:
        if not any(_same(pos_label, v) for v in listed):
            raise StatsError(f"pos_label={pos_label!r} is not one of the labels {listed}")
        return pos_label
    if values.dtype.kind == "b":
        return True
    if values.dtype.kind in "iuf" and any(set(listed) <= allowed for allowed in DEFAULT_POSITIVE_SETS):
        return 1
    raise StatsError(f"the labels are {listed}: which one is the positive class is ambiguous. Pass "
                     f"pos_label= (e.g. pos_label={listed[-1]!r}); only labels within {{0, 1}}, {{-1, 1}} or "
                     "{False, True} take 1 / True as positive without it, as in scikit-learn")


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # an incomparable label is simply not this one
        return False


@dataclass(frozen=True)
class Prepared:
    """Labels and output as a built-in metric computes on them, and the positive class (None: not binary)."""

    y: np.ndarray
    output: np.ndarray
    positive: Any

    def take(self, rows: np.ndarray) -> Prepared:
        """The same for some of the rows (a slice), keeping the positive class decided on all of them."""
        return Prepared(self.y[rows], self.output[rows], self.positive)


def prepare(
    m: Metric, y: np.ndarray, output: np.ndarray, pos_label: Any = None, *, classes: Any = None
) -> Prepared:
    """Encode binary labels as ``y == positive`` (and predicted labels likewise) for built-in metrics.
    ``classes``: the label values to decide binary or multiclass on (default: those of ``y`` and ``output``;
    two models compared on the same rows pass the labels of both, so both are encoded alike)."""
    if m.needs == "regression":
        return Prepared(y, output, None)
    if m.needs == "label":
        if m.name in SYMMETRIC:  # the same value whichever class is positive
            return Prepared(y, output, None)
        if classes is None:
            classes = np.unique(np.concatenate([np.unique(y), np.unique(output)]))
        classes = np.unique(np.asarray(classes))
        if classes.size > 2:
            return Prepared(y, output, None)
        pos = positive_class(classes, pos_label)
        if not m.encoded:
            return Prepared(y, output, pos)
        return Prepared(y == pos, output == pos, pos)
    if output.ndim == 2:
        return Prepared(y, output, None)
    pos = positive_class(y, pos_label)
    return Prepared(y == pos if m.encoded else y, output, pos)


SYMMETRIC = frozenset({"accuracy", "balanced_accuracy", "matthews_corrcoef", "cohen_kappa", "hamming_loss",
                       "zero_one_loss",
                       *(f"{kind}_{avg}" for kind in ("precision", "recall", "f1", "jaccard")
                         for avg in ("macro", "micro", "weighted"))})


# --- confusion-matrix metrics ------------------------------------------------------------------------


def _encode(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, int]:
    classes = np.unique(np.concatenate([np.unique(y_true), np.unique(y_pred)]))
    k = classes.size
    codes = np.searchsorted(classes, y_true) * k + np.searchsorted(classes, y_pred)
    return codes, k


def confusion_batch(y_true: np.ndarray, y_pred: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(block, k, k) weighted confusion matrices, rows = true class, columns = predicted class."""
    codes, k = _encode(y_true, y_pred)
    onehot = np.zeros((codes.size, k * k))
    onehot[np.arange(codes.size), codes] = 1.0
    return (counts @ onehot).reshape(counts.shape[0], k, k)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def _per_class(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diagonal(conf, axis1=1, axis2=2)
    return tp, conf.sum(axis=2), conf.sum(axis=1)  # tp, true totals, predicted totals


def _average(per_class: np.ndarray, k: int, present: np.ndarray | None = None) -> np.ndarray:
    """Binary: the positive class (encoded True, the last column); multiclass: the macro average over the
    classes ``present`` in the resample (in its labels or predictions), as scikit-learn averages over the
    labels it finds."""
    if k == 2:
        return per_class[:, -1]
    if present is None:
        return per_class.mean(axis=1)
    return _ratio((per_class * present).sum(axis=1), present.sum(axis=1))


def _averaged(kind: str, average: str) -> Batch:
    """precision / recall / f1 with scikit-learn's ``average="macro" | "micro" | "weighted"`` (its scorer names
    ``f1_macro``, ...), from the same confusion counts; classes absent from a resample are left out as
    scikit-learn leaves out labels it does not see."""

    def batch(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
        tp, true_tot, pred_tot = _per_class(confusion_batch(y, p, c))
        num, den = {"precision": (tp, pred_tot), "recall": (tp, true_tot),
                    "f1": (2 * tp, true_tot + pred_tot), "jaccard": (tp, true_tot + pred_tot - tp)}[kind]
        if average == "micro":
            return _ratio(num.sum(axis=1), den.sum(axis=1))
        per_class = _ratio(num, den)
        if average == "weighted":
            return _ratio((per_class * true_tot).sum(axis=1), true_tot.sum(axis=1))
        present = (true_tot + pred_tot) > 0
        return _ratio((per_class * present).sum(axis=1), present.sum(axis=1))

    return batch


def _accuracy_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    return _ratio(c @ (y == p).astype(float), c.sum(axis=1))


def _balanced_accuracy_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    tp, true_tot, _ = _per_class(confusion_batch(y, p, c))
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(true_tot > 0, tp / np.where(true_tot > 0, true_tot, 1.0), np.nan)
    return np.nanmean(recall, axis=1)


def _precision_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    conf = confusion_batch(y, p, c)
    tp, true_tot, pred_tot = _per_class(conf)
    return _average(_ratio(tp, pred_tot), conf.shape[1], (true_tot + pred_tot) > 0)


def _recall_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    conf = confusion_batch(y, p, c)
    tp, true_tot, pred_tot = _per_class(conf)
    return _average(_ratio(tp, true_tot), conf.shape[1], (true_tot + pred_tot) > 0)


def _jaccard_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    conf = confusion_batch(y, p, c)
    tp, true_tot, pred_tot = _per_class(conf)
    return _average(_ratio(tp, true_tot + pred_tot - tp), conf.shape[1], (true_tot + pred_tot) > 0)


def _f1_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    conf = confusion_batch(y, p, c)
    tp, true_tot, pred_tot = _per_class(conf)
    return _average(_ratio(2 * tp, true_tot + pred_tot), conf.shape[1], (true_tot + pred_tot) > 0)


# --- ranking metrics (binary) ------------------------------------------------------------------------


def _groups_by_score(score: np.ndarray, descending: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row order sorted by score, and the start of each run of tied scores in that order."""
    order = np.argsort(-score if descending else score, kind="mergesort")
    sorted_scores = score[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    return order, starts


def _positive(y: np.ndarray) -> np.ndarray:
    classes = np.unique(y)
    if classes.size > 2:
        raise StatsError(f"this metric needs binary labels, got {classes.size} classes")
    return (y == positive_class(classes)).astype(float)


def _roc_auc_plan(y: np.ndarray, scores: list[np.ndarray]) -> Callable[[np.ndarray], list[np.ndarray]]:
    """Weighted Mann-Whitney AUC (ties count one half), the quantity scikit-learn's ROC curve integrates, of
    each score vector on the same labels, as a function of a (block, n) count matrix; the sorting is done once
    for every block it is given.

    Each score's negatives are sorted once and every positive finds its place among them once
    (``searchsorted``), so a resample costs one cumulative sum over the negatives' counts, one gather and one dot
    product: no sort per resample. The positives' counts are gathered once for all the scores (in the first
    score's order, where its gathers run forward through memory). Integer counts (``resample_counts(...,
    dtype=np.uint8)``) are summed exactly in integers, which makes the gathers several times cheaper than on
    float counts; the work arrays are reused from block to block.
    """
    pos = _positive(y).astype(bool)
    pos_rows, neg_all = np.flatnonzero(pos), np.flatnonzero(~pos)
    pos_rows = pos_rows[np.argsort(scores[0][pos_rows], kind="mergesort")]
    plans = []
    for score in scores:
        neg_rows = neg_all[np.argsort(score[neg_all], kind="mergesort")]
        neg_scores = score[neg_rows]
        below = np.searchsorted(neg_scores, score[pos_rows], side="left")  # negatives strictly below
        not_above = np.searchsorted(neg_scores, score[pos_rows], side="right")  # ... plus the tied ones
        plans.append((neg_rows, below, not_above if not np.array_equal(below, not_above) else None))
    buffers: dict[tuple[Any, ...], np.ndarray] = {}

    def buffer(name: str, shape: tuple[int, int], dtype: Any, zero: bool = False) -> np.ndarray:
        key = (name, shape, np.dtype(dtype))
        if key not in buffers:
            buffers[key] = (np.zeros if zero else np.empty)(shape, dtype=dtype)
        return buffers[key]

    def aucs(c: np.ndarray) -> list[np.ndarray]:
        b = c.shape[0]
        if c.dtype.kind in "iu":
            small = c.dtype.itemsize <= 2 and 2 * c.shape[1] * np.iinfo(c.dtype).max < 2**31
            acc: Any = np.int32 if small else np.int64
        else:
            acc = np.float64
        pos_counts = np.take(c, pos_rows, axis=1, out=buffer("pos", (b, pos_rows.size), c.dtype))
        total_p = pos_counts.sum(axis=1, dtype=np.float64)
        cum = buffer("cum", (b, neg_all.size + 1), acc, zero=True)  # column 0 stays 0: no negative below
        taken = buffer("neg", (b, neg_all.size), c.dtype)
        negatives_below = buffer("below", (b, pos_rows.size), acc)
        values = []
        for neg_rows, below, not_above in plans:
            np.cumsum(np.take(c, neg_rows, axis=1, out=taken), axis=1, out=cum[:, 1:])
            np.take(cum, below, axis=1, out=negatives_below)
            if not_above is not None:  # twice the area: below counts twice, ties once
                negatives_below += np.take(cum, not_above, axis=1)
            if acc is np.float64:
                area = np.einsum("ij,ij->i", pos_counts, negatives_below)
            else:
                area = np.einsum("ij,ij->i", negatives_below, pos_counts, dtype=np.int64).astype(np.float64)
            if not_above is not None:
                area = area / 2.0
            total_n = cum[:, -1].astype(np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                values.append(np.where((total_p > 0) & (total_n > 0), area / (total_p * total_n), np.nan))
        return values

    return aucs


def _roc_auc_b(y: np.ndarray, score: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Binary ROC AUC of each resample (row of ``c``): see :func:`_roc_auc_plan`."""
    return _roc_auc_plan(y, [score])(c)[0]


def _average_precision_b(y: np.ndarray, score: np.ndarray, c: np.ndarray) -> np.ndarray:
    pos = _positive(y)
    order, starts = _groups_by_score(score, descending=True)
    w = c[:, order]
    tp = np.cumsum(np.add.reduceat(w * pos[order], starts, axis=1), axis=1)
    fp = np.cumsum(np.add.reduceat(w * (1.0 - pos[order]), starts, axis=1), axis=1)
    total_p = tp[:, -1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = _ratio(tp, tp + fp)
        recall = tp / total_p
    gain = np.diff(np.concatenate([np.zeros((c.shape[0], 1)), recall], axis=1), axis=1)
    return np.where(total_p[:, 0] > 0, (gain * precision).sum(axis=1), np.nan)


# --- probability metrics (binary) --------------------------------------------------------------------


def _clip(p: np.ndarray) -> np.ndarray:
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps)


def _mean_b(values: np.ndarray, c: np.ndarray) -> np.ndarray:
    return _ratio(c @ values, c.sum(axis=1))


def _log_loss_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    pos = _positive(y)
    q = _clip(p)
    return _mean_b(-(pos * np.log(q) + (1 - pos) * np.log(1 - q)), c)


def _brier_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    return _mean_b((_positive(y) - p) ** 2, c)


# --- multiclass (probabilities: rows x classes, columns in sorted label order) ---------------------------


def _onehot(y: np.ndarray, k: int) -> np.ndarray:
    classes = np.unique(y)
    if classes.size != k:
        raise StatsError(f"y has {classes.size} classes but the probabilities have {k} columns")
    return np.searchsorted(classes, y)[:, None] == np.arange(k)[None, :]


def _roc_auc_ovr_b(y: np.ndarray, p: np.ndarray, c: np.ndarray, *, weighted: bool) -> np.ndarray:
    """One-vs-rest AUC of each class from the same counts, averaged (macro) or weighted by each class's
    (resampled, weighted) prevalence, as ``roc_auc_score(multi_class="ovr", average=...)``."""
    onehot = _onehot(y, p.shape[1])
    per_class = np.stack([_roc_auc_b(onehot[:, j], p[:, j], c) for j in range(p.shape[1])], axis=1)
    if not weighted:
        return per_class.mean(axis=1)
    prevalence = np.asarray(c @ onehot.astype(float), dtype=float)
    return _ratio((per_class * prevalence).sum(axis=1), prevalence.sum(axis=1))


def _roc_auc_macro_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    return _roc_auc_ovr_b(y, p, c, weighted=False)


def _roc_auc_weighted_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    return _roc_auc_ovr_b(y, p, c, weighted=True)


def _log_loss_multi_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    own = p[_onehot(y, p.shape[1])]  # each row's probability of its own class
    return _mean_b(-np.log(_clip(own)), c)


def _brier_multi_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    """scikit-learn 1.9's multiclass Brier score: the mean over rows of the summed squared error over the
    classes (range [0, 2]); halved only for two columns, which is the binary score."""
    loss = ((_onehot(y, p.shape[1]) - p) ** 2).sum(axis=1)
    return _mean_b(loss * (0.5 if p.shape[1] < 3 else 1.0), c)


# --- regression --------------------------------------------------------------------------------------


def _mae_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    return _mean_b(np.abs(y - p), c)


def _mse_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    return _mean_b((y - p) ** 2, c)


def _rmse_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.sqrt(_mse_b(y, p, c))


def _r2_b(y: np.ndarray, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    total = c.sum(axis=1)
    mean = c @ y / total
    ss_tot = c @ (y**2) - total * mean**2
    ss_res = c @ ((y - p) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ss_tot > 1e-12 * np.maximum(total, 1), 1 - ss_res / ss_tot, np.nan)


# --- scikit-learn point values ------------------------------------------------------------------------


def _sk(name: str) -> Callable[..., float]:
    import sklearn.metrics as skm

    fn: Callable[..., float] = getattr(skm, name)
    return fn


def _weights(w: Any) -> dict[str, Any]:
    return {} if w is None else {"sample_weight": w}


#: label metrics that take neither a positive class nor an average
PLAIN_LABEL_FUNCTIONS = frozenset({"accuracy_score", "balanced_accuracy_score", "matthews_corrcoef",
                                   "cohen_kappa_score", "hamming_loss", "zero_one_loss"})


def _label_fn(sk_name: str, average: str = "macro", *, always: bool = False) -> Callable[..., float]:
    """scikit-learn's label metric: binary (the encoded positive class) for two classes, ``average`` for more;
    ``always``: ``average`` for any number of classes (the scorer names ``f1_macro``, ...)."""

    def compute(y: np.ndarray, p: np.ndarray, sample_weight: Any = None) -> float:
        fn = _sk(sk_name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if sk_name in PLAIN_LABEL_FUNCTIONS:
                return float(fn(y, p, **_weights(sample_weight)))
            classes = np.unique(np.concatenate([np.unique(y), np.unique(p)]))
            if classes.size <= 2 and not always:
                return float(fn(y, p, pos_label=positive_class(classes), average="binary", zero_division=0,
                                **_weights(sample_weight)))
            return float(fn(y, p, average=average, zero_division=0, **_weights(sample_weight)))

    return compute


def _roc_auc_fn(average: str) -> Callable[..., float]:
    def compute(y: np.ndarray, s: np.ndarray, sample_weight: Any = None) -> float:
        if s.ndim == 2:
            return float(_sk("roc_auc_score")(y, s, multi_class="ovr", average=average, **_weights(sample_weight)))
        return float(_sk("roc_auc_score")(y == positive_class(y), s, **_weights(sample_weight)))

    return compute


def _average_precision(y: np.ndarray, s: np.ndarray, sample_weight: Any = None) -> float:
    if s.ndim == 2:
        return float(_sk("average_precision_score")(y, s, **_weights(sample_weight)))
    return float(_sk("average_precision_score")(y == positive_class(y), s, **_weights(sample_weight)))


def _log_loss(y: np.ndarray, p: np.ndarray, sample_weight: Any = None) -> float:
    if p.ndim == 2:
        return float(_sk("log_loss")(y, p, **_weights(sample_weight)))
    return float(_sk("log_loss")(y == positive_class(y), p, labels=[False, True], **_weights(sample_weight)))


def _brier(y: np.ndarray, p: np.ndarray, sample_weight: Any = None) -> float:
    if p.ndim == 2:
        return float(_sk("brier_score_loss")(y, p, **_weights(sample_weight)))
    return float(_sk("brier_score_loss")(y == positive_class(y), p, **_weights(sample_weight)))


def _rmse(y: np.ndarray, p: np.ndarray, sample_weight: Any = None) -> float:
    return float(np.sqrt(_sk("mean_squared_error")(y, p, **_weights(sample_weight))))


def _regression(sk_name: str) -> Callable[..., float]:
    return lambda y, p, sample_weight=None: float(_sk(sk_name)(y, p, **_weights(sample_weight)))


METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("accuracy", _label_fn("accuracy_score"), "label", True, _accuracy_b),
        Metric("balanced_accuracy", _label_fn("balanced_accuracy_score"), "label", True, _balanced_accuracy_b),
        Metric("precision", _label_fn("precision_score"), "label", True, _precision_b),
        Metric("recall", _label_fn("recall_score"), "label", True, _recall_b),
        Metric("f1", _label_fn("f1_score"), "label", True, _f1_b),
        Metric("roc_auc", _roc_auc_fn("macro"), "score", True, _roc_auc_b),
        Metric("roc_auc_ovr_weighted", _roc_auc_fn("weighted"), "score", True, _roc_auc_b),
        Metric("average_precision", _average_precision, "score", True, _average_precision_b),
        Metric("log_loss", _log_loss, "proba", False, _log_loss_b),
        Metric("brier", _brier, "proba", False, _brier_b),
        Metric("mae", _regression("mean_absolute_error"), "regression", False, _mae_b),
        Metric("mse", _regression("mean_squared_error"), "regression", False, _mse_b),
        Metric("rmse", _rmse, "regression", False, _rmse_b),
        Metric("r2", _regression("r2_score"), "regression", True, _r2_b),
    ]
}
#: scikit-learn metrics without a vectorized form here (bootstrapped by a loop of scikit-learn calls): name ->
#: (scikit-learn function, needs, greater is better, takes sample_weight).
LOOPED: dict[str, tuple[str, Needs, bool, bool]] = {
    "matthews_corrcoef": ("matthews_corrcoef", "label", True, True),
    "cohen_kappa": ("cohen_kappa_score", "label", True, True),
    "hamming_loss": ("hamming_loss", "label", False, True),
    "zero_one_loss": ("zero_one_loss", "label", False, True),
    "explained_variance": ("explained_variance_score", "regression", True, True),
    "median_absolute_error": ("median_absolute_error", "regression", False, True),
    "max_error": ("max_error", "regression", False, False),
    "mean_absolute_percentage_error": ("mean_absolute_percentage_error", "regression", False, True),
    "mean_squared_log_error": ("mean_squared_log_error", "regression", False, True),
    "root_mean_squared_log_error": ("root_mean_squared_log_error", "regression", False, True),
    "mean_poisson_deviance": ("mean_poisson_deviance", "regression", False, True),
    "mean_gamma_deviance": ("mean_gamma_deviance", "regression", False, True),
    "d2_absolute_error_score": ("d2_absolute_error_score", "regression", True, True),
}
for _name, (_fn, _needs, _better, _weighted) in LOOPED.items():
    METRICS[_name] = Metric(_name, _label_fn(_fn) if _needs == "label" else _regression(_fn), _needs, _better,
                            takes_weight=_weighted)
METRICS["jaccard"] = Metric("jaccard", _label_fn("jaccard_score"), "label", True, _jaccard_b)
for _kind in ("precision", "recall", "f1", "jaccard"):
    for _avg in ("macro", "micro", "weighted"):
        METRICS[f"{_kind}_{_avg}"] = Metric(f"{_kind}_{_avg}", _label_fn(f"{_kind}_score", _avg, always=True), "label",
                                            True, _averaged(_kind, _avg))
for _name, _multi in (("roc_auc", _roc_auc_macro_b), ("roc_auc_ovr_weighted", _roc_auc_weighted_b),
                      ("log_loss", _log_loss_multi_b), ("brier", _brier_multi_b)):
    METRICS[_name] = replace(METRICS[_name], multiclass_batch=_multi)
#: Other spellings of the same metric, with the same sign (scikit-learn's scorer names among them).
ALIASES = {"auc": "roc_auc", "brier_score": "brier", "ap": "average_precision", "roc_auc_ovr": "roc_auc",
           "mean_absolute_error": "mae", "mean_squared_error": "mse", "root_mean_squared_error": "rmse",
           "r2_score": "r2", "accuracy_score": "accuracy", "f1_score": "f1", "precision_score": "precision",
           "recall_score": "recall", "roc_auc_score": "roc_auc", "average_precision_score": "average_precision",
           "balanced_accuracy_score": "balanced_accuracy", "brier_score_loss": "brier"}
#: scikit-learn scorer names that negate a loss: they work, with the scorer's sign (greater is better).
NEGATED = {"neg_log_loss": "log_loss", "neg_brier_score": "brier", "neg_mean_absolute_error": "mae",
           "neg_mean_squared_error": "mse", "neg_root_mean_squared_error": "rmse",
           **{f"neg_{name}": name for name in ("median_absolute_error", "max_error", "mean_absolute_percentage_error",
                                               "mean_squared_log_error", "root_mean_squared_log_error",
                                               "mean_poisson_deviance", "mean_gamma_deviance")}}
#: scikit-learn's own metric functions, recognised when passed as callables: what each needs.
SKLEARN_FUNCTIONS = {"accuracy_score": "accuracy", "balanced_accuracy_score": "balanced_accuracy",
                     "precision_score": "precision", "recall_score": "recall", "f1_score": "f1",
                     "roc_auc_score": "roc_auc", "average_precision_score": "average_precision",
                     "log_loss": "log_loss", "brier_score_loss": "brier", "mean_absolute_error": "mae",
                     "mean_squared_error": "mse", "root_mean_squared_error": "rmse", "r2_score": "r2",
                     "jaccard_score": "jaccard", "cohen_kappa_score": "cohen_kappa",
                     "explained_variance_score": "explained_variance",
                     **{fn: name for name, (fn, *_) in LOOPED.items()}}


def _negated(name: str) -> Metric:
    plain = METRICS[NEGATED[name]]

    def fn(y: Any, output: Any, sample_weight: Any = None) -> float:
        return -plain.fn(y, output, sample_weight)

    def negate(batch: Batch | None) -> Batch | None:
        return None if batch is None else (lambda y, output, c: -batch(y, output, c))

    return Metric(name, fn, plain.needs, True, negate(plain.batch), plain.binary_only,
                  negate(plain.multiclass_batch), takes_weight=plain.takes_weight,
                  note=f"{name} is minus {plain.name} (scikit-learn's scorer sign: greater is better)")


def _is_sklearn_scorer(name: str) -> bool:
    from sklearn.metrics import get_scorer_names

    return name in get_scorer_names()


def get_metric(key: str | Metric | Callable[..., float]) -> Metric:
    """A metric by name (see ``METRICS``, ``ALIASES``, ``NEGATED``), a :class:`Metric`, or one of
    scikit-learn's metric functions. Any other callable must say what it needs: ``pytest_mlgate.metric(fn,
    needs=...)`` (computing it on hard labels by guess would give a wrong number silently)."""
    if isinstance(key, Metric):
        return key
    if callable(key):
        name = getattr(key, "__name__", "")
        if str(getattr(key, "__module__", "")).startswith("sklearn.metrics") and name in SKLEARN_FUNCTIONS:
            return METRICS[SKLEARN_FUNCTIONS[name]]
        raise StatsError(f"the metric {name or key!r} is a callable that does not say what it needs: wrap it as "
                         f"pytest_mlgate.metric({name or 'fn'}, needs='label' | 'score' | 'proba' | 'regression', "
                         "greater_is_better=...), or use a metric name")
    if isinstance(key, str):
        if key in NEGATED:
            return _negated(key)
        name = ALIASES.get(key, key)
        if name in METRICS:
            return METRICS[name]
        if key.startswith("neg_"):
            raise StatsError(f"scikit-learn's scorer {key!r} is not supported here; gate the plain metric "
                             f"({key[4:]!r}) with max= instead. Supported negated scorers: {', '.join(NEGATED)}")
        if _is_sklearn_scorer(key):  # no "did you mean": the nearest name here is another metric
            raise StatsError(f"scikit-learn's scorer {key!r} is not supported here. Known metrics: "
                             f"{', '.join(sorted(METRICS))}; or wrap the function as pytest_mlgate.metric(fn, "
                             "needs=..., greater_is_better=...)")
        from pytest_mlgate._validate import did_you_mean
        from pytest_mlgate.stats.groups import DISPARITIES

        if key in DISPARITIES:
            raise StatsError(f"{key!r} is a fairness disparity, not a metric of the model: gate it with "
                             f"fairness_gate.check(..., max_difference={{{key!r}: 0.1}}) (or min_ratio=)")
        raise StatsError(f"unknown metric {key!r}.{did_you_mean(key, METRICS)} Known metrics: "
                         f"{', '.join(sorted(METRICS))}; "
                         "or pass a callable (pytest_mlgate.metric(fn, needs=..., greater_is_better=...))")
    raise StatsError(f"a metric must be a name or a callable, got {type(key).__name__}")


def batch_values(
    m: Metric, y: np.ndarray, output: np.ndarray, counts: np.ndarray, sample_weight: np.ndarray | None = None
) -> np.ndarray:
    """The metric for each resample (row of ``counts``): vectorized where possible, else one call per row.
    Weights multiply the counts: a row drawn twice with weight w weighs 2w, as scikit-learn would weigh it."""
    batch = m.batch if output.ndim == 1 else m.multiclass_batch
    if batch is not None:
        weighted = counts if sample_weight is None else counts * sample_weight
        return batch(y, output, weighted)
    values = np.full(counts.shape[0], np.nan)
    for i, row in enumerate(counts):
        idx = np.repeat(np.arange(row.size), row.astype(np.int64))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values[i] = m.fn(y[idx], output[idx], None if sample_weight is None else sample_weight[idx])
        except Exception:  # undefined on this resample (e.g. one class drawn); the point value was computed
            values[i] = np.nan
    return values


def batch_plan(
    m: Metric, y: np.ndarray, outputs: list[np.ndarray], sample_weight: np.ndarray | None = None
) -> Callable[[np.ndarray], list[np.ndarray]]:
    """:func:`batch_values` of each output on these labels as a function of the counts alone, with what does not
    depend on the counts (the binary ROC AUC's sorting, the positives' gather) done once for every block."""
    if m.batch is _roc_auc_b and all(output.ndim == 1 for output in outputs):
        aucs = _roc_auc_plan(y, outputs)
        return aucs if sample_weight is None else (lambda counts: aucs(counts * sample_weight))
    return lambda counts: [batch_values(m, y, output, counts, sample_weight) for output in outputs]


def point_value(
    m: Metric, y: np.ndarray, output: np.ndarray, who: str = "", sample_weight: np.ndarray | None = None
) -> float:
    """The metric's value on all rows, or a StatsError saying why it is undefined (any error in a user's metric
    included: it names the metric rather than escaping as a traceback from inside the gate)."""
    of = f" of the {who}" if who else ""
    if sample_weight is not None and not m.takes_weight:
        raise StatsError(f"{m.name} does not take sample_weight: give the function a sample_weight= parameter")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(m.fn(y, output, sample_weight))
    except StatsError:
        raise
    except Exception as exc:
        raise StatsError(f"{m.name}{of} could not be computed: {type(exc).__name__}: {exc}") from None
    if not np.isfinite(value):
        raise StatsError(f"{m.name}{of} is {value} on these rows: it is undefined here (check the labels' classes)")
    return value


@dataclass(frozen=True)
class Estimate:
    """A metric's point value (scikit-learn's) with its bootstrap percentile interval, and the positive class
    it was computed for (None when not binary)."""

    value: float
    interval: tuple[float, float]
    n: int
    replicates: np.ndarray
    positive: Any = None


def estimate(
    m: Metric,
    y: np.ndarray,
    output: np.ndarray,
    *,
    n_resamples: int,
    confidence: float,
    seed: int,
    sample_weight: np.ndarray | None = None,
    pos_label: Any = None,
) -> Estimate:
    """Point value and bootstrap interval of one metric on one set of predictions (weighted rows resampled
    with their weights)."""
    return estimate_prepared(m, prepare(m, y, output, pos_label), n_resamples=n_resamples, confidence=confidence,
                             seed=seed, sample_weight=sample_weight)


def estimate_prepared(
    m: Metric,
    ready: Prepared,
    *,
    n_resamples: int,
    confidence: float,
    seed: int,
    sample_weight: np.ndarray | None = None,
) -> Estimate:
    """:func:`estimate` on labels already encoded by :func:`prepare` (a slice of them, say: the positive class
    is decided once, on all rows, not per slice)."""
    from pytest_mlgate.stats.bootstrap import percentile_interval, replicates

    value = point_value(m, ready.y, ready.output, sample_weight=sample_weight)
    plan = batch_plan(m, ready.y, [ready.output], sample_weight)
    reps = replicates(lambda counts: plan(counts)[0], ready.y.size, n_resamples, seed)
    return Estimate(value, percentile_interval(reps, confidence), int(ready.y.size), reps, ready.positive)
