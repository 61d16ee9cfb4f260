"""Turning what users pass (pandas, polars, numpy, lists, fitted models) into clean numpy arrays.

Every problem becomes a :class:`GateError` that names it; no gate should see NaN labels, ragged lengths or a model
that cannot predict.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
import pandas as pd

from pytest_mlgate._frames import is_polars as is_polars  # re-exported: the gates call _inputs.is_polars
from pytest_mlgate._frames import to_frame as to_frame
from pytest_mlgate._validate import did_you_mean
from pytest_mlgate.results import GateError, hide_our_frames

if TYPE_CHECKING:
    from pytest_mlgate.stats.metrics import Metric, Prepared

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


def n_rows(X: Any, name: str = "X") -> int:
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) >= 1:
        return int(shape[0])
    try:
        return len(X)
    except TypeError:
        raise GateError(f"{name} has no length: pass a DataFrame, an array or a list") from None


def as_array(values: Any, name: str) -> np.ndarray:
    """A 1-D (or, for class probabilities, 2-D) numpy array from a list, Series or array."""
    if is_polars(values) and hasattr(values, "to_numpy"):
        values = values.to_numpy()
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise GateError(f"{name} must be one column, got a DataFrame with {values.shape[1]} columns")
        values = values.iloc[:, 0].to_numpy()
    try:
        array = np.asarray(values)
    except Exception as exc:
        raise GateError(f"{name} could not be read as an array: {exc}") from None
    if array.ndim == 0:
        raise GateError(f"{name} must be a sequence of values, got a single {type(values).__name__}")
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    return array


def labels(values: Any, name: str = "y") -> np.ndarray:
    """Labels or targets: non-empty, no missing values, numeric values finite."""
    array = as_array(values, name)
    if array.ndim != 1:
        raise GateError(f"{name} must be 1-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise GateError(f"{name} is empty: a gate needs at least one row")
    if array.dtype.kind in "fc":
        bad = ~np.isfinite(array)
        if bad.any():
            raise GateError(f"{name} contains {int(bad.sum())} NaN or infinite value(s) "
                            f"(first at row {int(np.flatnonzero(bad)[0])}); drop or impute them first")
    elif array.dtype.kind == "O":
        missing = pd.isna(array)
        if missing.any():
            raise GateError(f"{name} contains {int(missing.sum())} missing value(s) "
                            f"(first at row {int(np.flatnonzero(missing)[0])}); drop or impute them first")
    return array


def scores(values: Any, name: str = "y_score") -> np.ndarray:
    """Scores or probabilities: numeric, finite, 1-D (or 2-D class probabilities)."""
    array = as_array(values, name)
    if array.size == 0:
        raise GateError(f"{name} is empty: a gate needs at least one row")
    if array.ndim > 2:
        raise GateError(f"{name} must be 1- or 2-dimensional, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise GateError(f"{name} must be numeric, got values of type {array.dtype}")
    array = array.astype(float)
    bad = ~np.isfinite(array)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1) if array.ndim == 2 else bad)
        raise GateError(f"{name} contains NaN or infinite values in {rows.size} row(s) "
                        f"(first at row {int(rows[0])}); the model's output is not usable")
    return array


def same_length(**arrays: Any) -> int:
    """The common length of the named inputs, or a GateError listing them all."""
    lengths = {name: n_rows(a, name) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {length}" for name, length in lengths.items())
        raise GateError(f"inputs have mismatched lengths: {listed} rows")
    return next(iter(lengths.values()))


def check_fitted(model: Any, name: str = "model") -> None:
    """An object that can predict: has ``predict`` and, if it is a scikit-learn estimator, is fitted."""
    if not callable(getattr(model, "predict", None)):
        raise GateError(f"{name} has no predict method (got {type(model).__name__}); pass a fitted model "
                        "or the predictions themselves (y_pred= / y_score=)")
    if hasattr(model, "get_params") and hasattr(model, "fit"):
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted

        try:
            check_is_fitted(model)
        except NotFittedError:
            raise GateError(f"{name} ({type(model).__name__}) is not fitted: call fit() before gating it") from None
        except TypeError:
            pass


def call_model(model: Any, method: str, X: Any, name: str = "model") -> np.ndarray:
    """Call ``model.<method>(X)``, turning any exception into a GateError that names the model and method."""
    try:
        output = getattr(model, method)(X)
    except GateError:
        raise
    except Exception as exc:
        raise GateError(f"{name}.{method}(X) raised {type(exc).__name__}: {exc}") from None
    if not isinstance(output, np.ndarray):
        if isinstance(output, (list, tuple)):
            raise GateError(f"{name}.{method}(X) returned a {type(output).__name__}, not an array; "
                            "wrap the model so it returns a numpy array (as scikit-learn models do)")
        output = as_array(output, f"{name}.{method}(X)")
    expected = n_rows(X)
    if output.shape[0] != expected:
        raise GateError(f"{name}.{method}(X) returned {output.shape[0]} rows for {expected} input rows")
    return output


@dataclass
class Outputs:
    """What a model said about the rows: labels (or regression values) and, for classifiers, scores.

    ``score`` is the positive class's probability (or decision value) for binary problems and the
    (rows x classes) probability matrix for multiclass ones; ``is_proba`` says whether it is a probability.
    ``sorted_columns``: the score is the second of two columns passed without a model, which by scikit-learn's
    convention belong to the labels in sorted order (so it is the larger label's score).
    """

    pred: np.ndarray | None
    score: np.ndarray | None
    is_proba: bool
    classes: np.ndarray | None
    sorted_columns: bool = False


class OutputNeeds(TypedDict):
    need_pred: bool
    need_score: bool
    need_proba: bool


def output_needs(needs: Collection[str]) -> OutputNeeds:
    """Which model outputs a set of metric needs ("label", "score", "proba", "regression") asks for, as the
    ``need_*`` keywords of :func:`model_outputs`."""
    return {"need_pred": bool({"label", "regression"} & set(needs)), "need_score": "score" in needs,
            "need_proba": "proba" in needs}


def model_outputs(
    model: Any,
    X: Any,
    *,
    y_pred: Any = None,
    y_score: Any = None,
    need_pred: bool = True,
    need_score: bool = False,
    need_proba: bool = False,
    name: str = "model",
) -> Outputs:
    """Predictions from a model, or the ones the user passed instead (``y_pred`` / ``y_score``)."""
    if model is None:
        if y_pred is None and y_score is None:
            raise GateError("pass a model (with X) or its predictions: y_pred= and/or y_score=")
        pred = labels(y_pred, "y_pred") if y_pred is not None else None
        score = scores(y_score, "y_score") if y_score is not None else None
        if need_pred and pred is None:
            raise GateError("this check needs predicted labels: pass y_pred= (or a model)")
        if (need_score or need_proba) and score is None:
            raise GateError("this check needs scores or probabilities: pass y_score= (or a model)")
        two = score is not None and score.ndim == 2 and score.shape[1] == 2
        if score is not None and two:
            score = score[:, 1]
        return Outputs(pred, score, is_proba=score is not None and bool(np.all((score >= 0) & (score <= 1))),
                       classes=None, sorted_columns=two)
    if y_pred is not None or y_score is not None:
        raise GateError("pass either a model or its predictions (y_pred= / y_score=), not both")
    if X is None:
        raise GateError("pass X, the rows the model should predict")
    check_fitted(model, name)
    if n_rows(X) == 0:
        raise GateError("X is empty: a gate needs at least one row")
    pred = call_model(model, "predict", X, name) if need_pred else None
    if pred is not None:
        pred = labels(pred, f"{name}.predict(X)") if pred.dtype.kind not in "fc" else scores(pred, f"{name}.predict(X)")
    score = None
    is_proba = False
    classes = getattr(model, "classes_", None)
    if need_score or need_proba:
        if callable(getattr(model, "predict_proba", None)):
            score = scores(call_model(model, "predict_proba", X, name), f"{name}.predict_proba(X)")
            is_proba = True
        elif callable(getattr(model, "decision_function", None)) and not need_proba:
            score = scores(call_model(model, "decision_function", X, name), f"{name}.decision_function(X)")
        else:
            needed = "predict_proba" if need_proba else "predict_proba or decision_function"
            raise GateError(f"{name} ({type(model).__name__}) has no {needed}, which this metric needs")
        if score.ndim == 2 and score.shape[1] == 2:
            score = score[:, 1]
    return Outputs(pred, score, is_proba, np.asarray(classes) if classes is not None else None)


def metric_output(m: Metric, outputs: Outputs, y: np.ndarray) -> np.ndarray:
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


def sample_weights(values: Any, n: int) -> np.ndarray | None:
    """``sample_weight=`` as scikit-learn takes it: None, or one finite weight >= 0 per row, not all zero."""
    if values is None:
        return None
    array = as_array(values, "sample_weight")
    if array.ndim != 1 or array.dtype.kind not in "biuf" or array.dtype.kind == "b":
        raise GateError(f"sample_weight must be a 1-dimensional array of numbers, got shape {array.shape}, "
                        f"dtype {array.dtype}")
    if array.size != n:
        raise GateError(f"mismatched lengths: y has {n}, sample_weight has {array.size} rows")
    weights = array.astype(float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.sum() > 0:
        raise GateError("sample_weight must be finite, >= 0 and not all zero")
    return weights


def true_labels(y: Any, y_true: Any, name: str = "y") -> np.ndarray:
    """The labels from ``y`` or its scikit-learn spelling ``y_true`` (one of them, not both)."""
    if y is not None and y_true is not None:
        raise GateError(f"pass the labels once: {name}= or y_true=, not both")
    return labels(y if y is not None else y_true, name if y is not None or y_true is None else "y_true")


def given_labels(y: Any, y_true: Any, name: str = "y") -> Any:
    """The labels as passed, under ``y`` or its scikit-learn spelling ``y_true`` (one of them), not yet read."""
    if y is not None and y_true is not None:
        raise GateError(f"pass the labels once: {name}= or y_true=, not both")
    if y is None and y_true is None:
        raise GateError(f"pass the labels: {name}= (or y_true=)")
    return y if y is not None else y_true


def positive_score(score: np.ndarray, outputs: Outputs, positive: Any, y: np.ndarray | None = None) -> np.ndarray:
    """A binary model's score for ``positive``: its second column's score is for ``classes_[1]``, so when the
    positive class is ``classes_[0]`` the score is complemented (probabilities) or negated (decision values).
    Two columns passed without a model are for the sorted labels of ``y``; one column is the positive class's."""
    classes = outputs.classes
    if classes is None and outputs.sorted_columns and y is not None:
        classes = np.unique(y)
    if score.ndim != 1 or classes is None or len(classes) != 2 or positive is None or classes[0] != positive:
        return score
    return 1.0 - score if outputs.is_proba else -score


def metric_input(m: Metric, outputs: Outputs, y: np.ndarray, pos_label: Any = None, *,
                 classes: Any = None) -> Prepared:
    """What one metric computes on, by the one positive-class rule of every gate: the model output it needs
    (checked), a binary model's score turned to the positive class's (see :func:`positive_score`), and binary
    labels encoded as ``y == positive`` (``pos_label``, else 1 / True; any other labels are an error naming them).
    ``classes``: the labels of both models when two are compared on the same rows."""
    from pytest_mlgate.stats.metrics import positive_class, prepare

    output = metric_output(m, outputs, y)
    if m.needs in ("score", "proba") and output.ndim == 1:
        output = positive_score(output, outputs, positive_class(y, pos_label), y)
    return prepare(m, y, output, pos_label, classes=classes)


def prediction_pair(values: Any, name: str, sides: tuple[str, str] = ("champion", "challenger")) -> tuple[Any, Any]:
    """``y_pred=`` / ``y_score=`` of a check on two models: a pair (``sides[0]``'s, ``sides[1]``'s), either may be
    None (that side is then a model)."""
    if values is None:
        return None, None
    if not isinstance(values, (tuple, list)) or len(values) != 2:
        first, second = sides
        raise GateError(f"{name} must be a pair of predictions ({first}'s, {second}'s), e.g. "
                        f"{name}=({first}_{name[2:]}, {second}_{name[2:]}); got {type(values).__name__}"
                        + (f" of length {len(values)}" if isinstance(values, (tuple, list)) else ""))
    return values[0], values[1]


def _column_key(X: Any, frame: pd.DataFrame, column: Any, *, what: str = "column") -> Any:
    """The column of ``frame`` that ``column`` names (for a numpy X also its position), or a GateError."""
    if column in frame.columns:
        return column
    if isinstance(X, np.ndarray) and isinstance(column, (int, np.integer)) and 0 <= column < frame.shape[1]:
        return frame.columns[int(column)]
    known = ", ".join(map(str, frame.columns[:20])) + (", ..." if frame.shape[1] > 20 else "")
    raise GateError(f"{what} {column!r} is not a column of X.{did_you_mean(column, frame.columns)} Columns: {known}")


def _short(value: Any, width: int = 60) -> str:
    if isinstance(value, np.ndarray):
        value = np.round(value, 6).tolist() if value.dtype.kind == "f" else value.tolist()
    elif isinstance(value, (np.floating, float)):
        value = float(np.round(value, 6))
    elif isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."

