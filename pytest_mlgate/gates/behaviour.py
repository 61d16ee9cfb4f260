"""Behaviour of a model on its inputs, as fractions of offending rows: ``sanity``, ``invariance``, ``monotonic``
and ``fuzz`` (sanity on inputs hypothesis draws from a pandera schema)."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate._validate import fraction, positive_int
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates._inputs import _column_key, _short
from pytest_mlgate.gates.base import MODEL_VALIDATION, BaseGate, gate_check
from pytest_mlgate.results import GateError, GateResult, Status, fmt, hide_our_frames, is_number, json_safe

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = MODEL_VALIDATION


# --- shared helpers for the behavioural checks --------------------------------------------------------

N_EXAMPLES = 5  # offending rows shown in a message (all counts are in the result)
PROBA_TOLERANCE = 1e-6  # how far a row of probabilities may sum from 1
REPEAT_RTOL = 1e-9  # two calls "agree" when their float outputs differ by less than this (relative) ...
REPEAT_ATOL = 1e-12  # ... or this (absolute): summation order in threaded BLAS may move the last bits
SCORE_TOLERANCE = 1e-9  # monotonic: score changes smaller than this (relative to the score) are ties
SANITY_PROPERTIES = ("runs", "rows", "finite", "proba_range", "proba_sum", "argmax", "classes", "deterministic",
                     "input_unchanged")


def _copy_input(X: Any) -> Any:
    """A deep copy of X in its own type, so a model or a perturbation cannot change the user's data."""
    if isinstance(X, pd.DataFrame):
        return X.copy(deep=True)
    if isinstance(X, np.ndarray):
        return X.copy()
    if _inputs.is_polars(X) and hasattr(X, "clone"):
        return X.clone()
    return copy.deepcopy(X)


def _with_columns(X: Any, frame: pd.DataFrame, replacements: Mapping[Any, np.ndarray]) -> Any:
    """A copy of X, in X's own type (pandas, polars or numpy), with some columns replaced.

    The model sees the kind of input it was given: polars stays polars (other columns untouched), numpy stays
    numpy (cast to a wider dtype when the new values need it)."""
    if isinstance(X, pd.DataFrame):
        out = X.copy(deep=True)
        for column, values in replacements.items():
            out[column] = values
        return out
    if _inputs.is_polars(X):
        import polars as pl

        return X.with_columns([pl.Series(str(column), values) for column, values in replacements.items()])
    if isinstance(X, np.ndarray):
        dtype = np.result_type(X.dtype, *(np.asarray(v).dtype for v in replacements.values()))
        out = X.astype(dtype, copy=True)
        for column, values in replacements.items():
            out[:, frame.columns.get_loc(column)] = values
        return out
    out = frame.copy(deep=True)
    for column, values in replacements.items():
        out[column] = values
    return out


def _call(model: Any, method: str, X: Any) -> tuple[np.ndarray | None, str | None]:
    """``model.<method>(X)`` as a numpy array, or the error it raised (as text): sanity and fuzz judge a crash
    as a finding, not as bad input."""
    try:
        output = getattr(model, method)(X)
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if isinstance(output, (pd.Series, pd.DataFrame)) or (_inputs.is_polars(output) and hasattr(output, "to_numpy")):
        output = output.to_numpy()
    try:
        array = np.asarray(output)
    except Exception as exc:
        return None, f"returned a {type(output).__name__} that is not array-like ({exc})"
    if array.ndim == 0:
        return None, f"returned a single {type(output).__name__}, not one output per row"
    return array, None


def _row_close(a: np.ndarray, b: np.ndarray, *, rtol: float, atol: float) -> np.ndarray:
    """Per row: do ``a`` and ``b`` agree (floats within tolerance, NaN equal to NaN, other values equal)?"""
    if a.shape != b.shape:
        return np.zeros(a.shape[0] if a.ndim else 0, dtype=bool)
    if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
        close = np.isclose(a.astype(float), b.astype(float), rtol=rtol, atol=atol, equal_nan=True)
    else:  # objects, text, pandas' NA (which has no truth value, so it is never compared)
        a_missing, b_missing = np.asarray(pd.isna(a), dtype=bool), np.asarray(pd.isna(b), dtype=bool)
        both = ~a_missing & ~b_missing
        equal = np.zeros(a.shape, dtype=bool)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            equal[both] = np.asarray(a[both] == b[both], dtype=bool)
        close = equal | (a_missing & b_missing)
    if close.ndim > 1:
        close = close.reshape(close.shape[0], -1).all(axis=1)
    return np.asarray(close, dtype=bool)


def _nonfinite_rows(output: np.ndarray) -> np.ndarray:
    if output.dtype.kind in "biu":
        return np.zeros(output.shape[0], dtype=bool)
    bad = np.asarray(~np.isfinite(output) if output.dtype.kind in "fc" else pd.isna(output), dtype=bool)
    return np.asarray(bad.reshape(bad.shape[0], -1).any(axis=1) if bad.ndim > 1 else bad, dtype=bool)


def _row_input(frame: pd.DataFrame, row: int, max_columns: int = 8) -> dict[str, Any]:
    record = frame.iloc[row]
    shown = {str(c): record[c] for c in frame.columns[:max_columns]}
    if frame.shape[1] > max_columns:
        shown["..."] = f"{frame.shape[1] - max_columns} more columns"
    return shown


def _examples(
    frame: pd.DataFrame, rows: np.ndarray, outputs: Mapping[str, np.ndarray], limit: int = N_EXAMPLES
) -> list[dict[str, Any]]:
    """The first offending rows: position, index label, input values and the model's outputs for them."""
    examples = []
    for row in rows[:limit]:
        row = int(row)
        examples.append({
            "row": row,
            "index": frame.index[row] if row < len(frame.index) else row,
            "input": _row_input(frame, row),
            "output": {label: values[row] for label, values in outputs.items() if row < values.shape[0]},
        })
    return examples


def _examples_text(examples: list[dict[str, Any]]) -> str:
    lines = []
    for ex in examples:
        inputs = ", ".join(f"{k}={_short(v, 24)}" for k, v in ex["input"].items())
        outputs = "; ".join(f"{k} {_short(v)}" for k, v in ex["output"].items())
        lines.append(f"    row {ex['row']} (index {_short(ex['index'], 20)}): {inputs} -> {outputs}")
    return "\n".join(lines)


def _rate_result(
    check: str,
    subject: str,
    *,
    bad: int,
    n: int,
    limit: float,
    checked: str,
    problem: str,
    hint: str,
    examples: list[dict[str, Any]] | None = None,
    details: dict[str, Any] | None = None,
    whole: bool = False,
) -> GateResult:
    """A deterministic property measured as the fraction of offending rows, against a maximum fraction.
    ``whole``: the property concerns the output as a whole (a crash, a wrong shape), so no rows are listed."""
    value = bad / n if n else 0.0
    status: Status = "fail" if value > limit else "pass"
    head = f"{FAMILY}.{check} {subject}: {checked}"
    if status == "pass":
        note = f" ({bad} of {n} rows, allowed {fmt(limit)})" if bad else f" (n={n})"
        message = f"{head}: ok{note}."
    else:
        allowed = "none allowed" if limit == 0 else f"at most {fmt(limit)} allowed"
        extent = "" if whole else f" in {bad} of {n} rows ({value:.2%}; {allowed})"
        message = f"{head}: {problem}{extent}."
        if examples:
            message += f"\n  First offending rows:\n{_examples_text(examples)}"
        message += f"\n  What to do: {hint}"
    extra = {"count": bad, **(details or {})}
    if examples is not None:
        extra["examples"] = examples
    return GateResult(FAMILY, check, subject, status, value=value, limit=limit, comparison="<=", n=n,
                      message=message, details=json_safe(extra))


# --- sanity -------------------------------------------------------------------------------------------


@dataclass
class Finding:
    """One sanity property on one input: which rows break it (positions) and how to show them."""

    prop: str
    checked: str
    problem: str
    hint: str
    bad: np.ndarray
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    whole: bool = False  # the property fails for the output as a whole (wrong shape, crash), not row by row

    @property
    def failed(self) -> bool:
        return bool(self.bad.size)


def sanity_findings(model: Any, X: Any, *, proba_tolerance: float = PROBA_TOLERANCE) -> list[Finding]:
    """Every applicable sanity property of ``model`` on ``X``; shared by ``sanity`` and
    ``fuzz``. Properties that do not apply (no ``predict_proba``, no ``classes_``) are left out."""
    n = _inputs.n_rows(X)
    all_rows = np.arange(n)
    none = np.empty(0, dtype=int)
    before = _copy_input(X)
    methods = ["predict"] + [m for m in ("predict_proba", "decision_function") if callable(getattr(model, m, None))]
    first = {m: _call(model, m, X) for m in methods}
    second = {m: _call(model, m, X) for m in methods}
    findings: list[Finding] = []

    crashed = [f"model.{m}(X) raised {err}" for m, (_, err) in first.items() if err is not None]
    findings.append(Finding(
        "runs", "every prediction method runs", "; ".join(crashed) or "", "fix the model (or its wrapper) so it "
        "predicts for these inputs; the exception is shown above", all_rows if crashed else none, whole=True))

    outputs: dict[str, np.ndarray] = {}
    shape_problems = []
    for m, (out, _) in first.items():
        if out is None:
            continue
        if out.shape[0] != n:
            shape_problems.append(f"model.{m}(X) returned {out.shape[0]} rows for {n} input rows")
        elif m == "predict_proba" and out.ndim != 2:
            shape_problems.append(f"model.predict_proba(X) returned shape {out.shape}, not (rows, classes)")
        else:
            outputs[m] = out
    findings.append(Finding(
        "rows", "one output per input row", "; ".join(shape_problems), "return exactly one prediction per row, in "
        "the order of the rows (check for dropped or duplicated rows in the model's preprocessing)",
        all_rows if shape_problems else none, whole=True))

    nonfinite = {m: _nonfinite_rows(out) for m, out in outputs.items()}
    bad_finite = np.flatnonzero(np.logical_or.reduce(list(nonfinite.values()))) if nonfinite else none
    where = ", ".join(f"model.{m}(X)" for m, bad in nonfinite.items() if bad.any())
    findings.append(Finding(
        "finite", "no NaN, inf or missing output", f"{where} returned NaN, inf or missing values",
        "find what these rows have in common (missing or extreme inputs, unseen categories) and make the model or "
        "its preprocessing handle them", bad_finite, outputs=dict(outputs)))

    proba = outputs.get("predict_proba")
    if proba is not None and proba.dtype.kind in "biuf":
        proba = proba.astype(float)
        finite_rows = ~nonfinite["predict_proba"]
        with np.errstate(invalid="ignore"):
            outside = ((proba < 0) | (proba > 1)).any(axis=1) & finite_rows
            sums = proba.sum(axis=1)
            off = (np.abs(sums - 1.0) > proba_tolerance) & finite_rows
        findings.append(Finding(
            "proba_range", "probabilities within [0, 1]", "model.predict_proba(X) returned values outside [0, 1]",
            "apply a softmax or sigmoid (or clip) so the outputs are probabilities", np.flatnonzero(outside),
            outputs={"predict_proba": proba}))
        findings.append(Finding(
            "proba_sum", f"probability rows sum to 1 (within {proba_tolerance:g})",
            "model.predict_proba(X) rows do not sum to 1",
            "normalise each row (divide by its sum) or use a softmax; check that no class column is missing",
            np.flatnonzero(off), outputs={"predict_proba": proba, "row sum": sums}))

    classes = getattr(model, "classes_", None)
    pred = outputs.get("predict")
    if classes is not None:
        classes = np.asarray(classes)
        problems = []
        bad_classes = none
        if pred is not None and pred.ndim == 1:
            unknown = ~pd.Series(pred).isin(classes).to_numpy()
            if unknown.any():
                problems.append("model.predict(X) returned labels that are not in model.classes_")
                bad_classes = np.flatnonzero(unknown)
        for m in ("predict_proba", "decision_function"):
            out = outputs.get(m)
            expected = classes.size if (m == "predict_proba" or classes.size > 2) else None
            if out is not None and out.ndim == 2 and expected is not None and out.shape[1] != expected:
                problems.append(f"model.{m}(X) has {out.shape[1]} columns but model.classes_ lists "
                                f"{classes.size} classes")
                bad_classes = all_rows
        findings.append(Finding(
            "classes", "outputs consistent with model.classes_", "; ".join(problems),
            "make classes_ list every label predict can return, in the order of predict_proba's columns",
            bad_classes, outputs={"predict": pred} if pred is not None else {}))
        if pred is not None and proba is not None and pred.ndim == 1 and proba.shape[1] == classes.size:
            position = {c: i for i, c in enumerate(classes.tolist())}
            index = np.array([position.get(p, -1) for p in pred.tolist()])
            known = (index >= 0) & ~nonfinite["predict_proba"]
            rows = np.arange(n)
            chosen = proba[rows, np.where(known, index, 0)]
            disagree = known & (chosen < proba.max(axis=1) - 1e-12)  # ties: any top class is the arg-max
            findings.append(Finding(
                "argmax", "predict agrees with the arg-max of predict_proba",
                "model.predict(X) is not the most probable class of model.predict_proba(X)",
                "predict and predict_proba come from different decision rules (a threshold, or a separate "
                "calibration as in SVC(probability=True)); make them consistent, or pass skip=('argmax',) if "
                "that is intended", np.flatnonzero(disagree), outputs={"predict": pred, "predict_proba": proba}))

    changed = np.zeros(n, dtype=bool)
    shown: dict[str, np.ndarray] = {}
    varied = []
    for m in methods:
        (a, _), (b, _) = first[m], second[m]
        if a is None or b is None or a.shape[0] != n:
            continue
        differs = ~_row_close(a, b, rtol=REPEAT_RTOL, atol=REPEAT_ATOL) if a.shape == b.shape else np.ones(n, bool)
        if differs.any():
            varied.append(f"model.{m}(X)")
            shown[f"{m} (1st call)"], shown[f"{m} (2nd call)"] = a, b
            changed |= differs
    findings.append(Finding(
        "deterministic", "two calls on the same input agree", f"{', '.join(varied)} gave different outputs on "
        "the same rows", "fix the random state (random_state=..., seeded sampling, dropout off at inference) so "
        "the model predicts the same way every time", np.flatnonzero(changed), outputs=shown))

    modified = _modified_rows(before, X, n)
    findings.append(Finding(
        "input_unchanged", "the model does not modify its input", "the model changed the input X it was given",
        "work on a copy inside the model (X = X.copy()) instead of assigning into the caller's frame",
        np.flatnonzero(modified), outputs={}))
    return findings


def _modified_rows(before: Any, after: Any, n: int) -> np.ndarray:
    """Per row: did any value (or the shape, columns or dtypes) change between two versions of an input?"""
    a, b = _inputs.to_frame(before), _inputs.to_frame(after)
    if a.shape != b.shape or list(a.columns) != list(b.columns) or list(a.dtypes) != list(b.dtypes):
        return np.ones(n, dtype=bool)
    changed = np.zeros(n, dtype=bool)
    for column in a.columns:
        changed |= ~_row_close(a[column].to_numpy(), b[column].to_numpy(), rtol=0.0, atol=0.0)
    return changed


# --- invariance ---------------------------------------------------------------------------------------

Perturbation = Callable[[Any], Any] | Mapping[Any, Any]


def _perturbed(X: Any, frame: pd.DataFrame, perturb: Perturbation) -> tuple[Any, str, list[Any]]:
    """The perturbed copy of X, a description of the perturbation, and the columns it targets."""
    n = len(frame)
    if isinstance(perturb, Mapping):
        if not perturb:
            raise GateError("perturb is an empty mapping: name at least one column to change")
        replacements = {}
        for column, values in perturb.items():
            name = _column_key(X, frame, column, what="perturb column")
            if callable(values):
                try:
                    values = values(frame[name].copy())
                except Exception as exc:
                    raise GateError(f"perturb[{column!r}] raised {type(exc).__name__}: {exc}") from None
            array = _inputs.as_array(values, f"perturb[{column!r}]") if np.ndim(values) else np.full(n, values)
            if array.shape[0] != n:
                raise GateError(f"perturb[{column!r}] gave {array.shape[0]} values for {n} rows: give one value "
                                "per row, a single value, or a function of the column")
            replacements[name] = _keep_dtype(X, values, array)
        described = ", ".join(f"replacing {c!r}" for c in replacements)
        return _with_columns(X, frame, replacements), described, list(replacements)
    if not callable(perturb):
        raise GateError(f"perturb must be a function returning a modified copy of X, or a mapping column -> "
                        f"replacement values; got {type(perturb).__name__}")
    try:
        changed = perturb(_copy_input(X))
    except Exception as exc:
        raise GateError(f"perturb raised {type(exc).__name__}: {exc}") from None
    if changed is None:
        raise GateError("perturb returned None: it must return the modified copy of X")
    if _inputs.n_rows(changed, "perturb(X)") != n:
        raise GateError(f"perturb(X) returned {_inputs.n_rows(changed)} rows for {n}: it must keep every row, "
                        "in order")
    return changed, f"applying {getattr(perturb, '__name__', type(perturb).__name__)}", []


def _keep_dtype(X: Any, values: Any, array: np.ndarray) -> Any:
    """The replacement values for a pandas X in their own pandas dtype (nullable Int64, boolean, Float64 keep
    their NA and their dtype: the model sees what it was trained on), by position; else the numpy array."""
    if isinstance(X, pd.DataFrame) and isinstance(values, (pd.Series, pd.api.extensions.ExtensionArray)) \
            and isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
        return values.array if isinstance(values, pd.Series) else values
    return array


def _raised(values: pd.Series, step: float | None) -> tuple[Any, np.ndarray, float, str, str]:
    """``values`` raised by ``step`` in the column's own dtype (nullable ones keep NA), the rows that could be
    raised, the step and how to say it. A boolean feature is raised from False to True (rows already True, or
    missing, are not judged); an integer one by a whole step (default a tenth of its spread, at least 1)."""
    extension = isinstance(values.dtype, pd.api.extensions.ExtensionDtype)
    if pd.api.types.is_bool_dtype(values.dtype):
        if step is not None:
            raise GateError("step= does not apply to a boolean feature: raising it means False -> True")
        present = (~values.astype("boolean")).fillna(False).to_numpy(dtype=bool)
        if not present.any():
            raise GateError(f"feature {values.name!r} is never False in X, so no row can be raised to True")
        flipped = values.mask(pd.Series(present, index=values.index), True)
        return (flipped.array if extension else flipped.to_numpy()), present, 1.0, "False -> True", "from False to True"
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    present = np.isfinite(numbers)
    if not present.any():
        raise GateError(f"feature {values.name!r} has no finite values in X")
    integer = values.dtype.kind in "iu"
    if step is None:
        spread = float(np.std(numbers[present]))
        if spread == 0:
            raise GateError(f"feature {values.name!r} is constant in X, so the default step (a tenth of its standard "
                            "deviation) is 0: pass step=")
        step = max(1, round(0.1 * spread)) if integer else 0.1 * spread
    elif not (is_number(step) and np.isfinite(step) and step > 0):
        raise GateError(f"step must be a positive number, got {step!r}")
    raised: Any
    dtype: Any = values.dtype
    if integer and float(step).is_integer():
        raised = (values + int(step)).array if extension else (values.to_numpy() + int(step)).astype(dtype)
    elif extension:
        raised = pd.array(numbers + step, dtype=dtype if dtype.kind == "f" else "Float64")
    else:
        raised = numbers + step
    return raised, present, float(step), f"step {fmt(step)}", f"by {fmt(step)}"


def _output(model: Any, method: str, X: Any, what: str) -> np.ndarray:
    if not callable(getattr(model, method, None)):
        raise GateError(f"model ({type(model).__name__}) has no {method} method")
    try:
        return _inputs.call_model(model, method, X)
    except GateError as exc:
        raise GateError(f"{exc} (on the {what} input)") from None


# --- monotonic ----------------------------------------------------------------------------------------


def _score(model: Any, X: Any, target: Any, what: str) -> tuple[np.ndarray, str]:
    """One score per row that should move with the feature: a class probability, the decision function, or a
    regressor's prediction."""
    classes = getattr(model, "classes_", None)
    for method in ("predict_proba", "decision_function"):
        if not callable(getattr(model, method, None)):
            continue
        out = _inputs.scores(_output(model, method, X, what), f"model.{method}(X)")
        if out.ndim == 1:
            return out, method
        if target is None:
            if out.shape[1] != 2:
                raise GateError(f"model.{method}(X) has {out.shape[1]} columns: pass target= (the class whose "
                                "score must be monotonic)")
            column = 1
        else:
            labels = list(np.asarray(classes).tolist()) if classes is not None else list(range(out.shape[1]))
            if target not in labels:
                raise GateError(f"target {target!r} is not one of the model's classes {labels}")
            column = labels.index(target)
        label = classes[column] if classes is not None else column
        return out[:, column], f"{method}[{_short(label)}]"
    pred = _output(model, "predict", X, what)
    if pred.dtype.kind not in "biuf":
        raise GateError("the model predicts labels and has no predict_proba or decision_function, so there is no "
                        "score whose direction could be checked")
    return _inputs.scores(pred, "model.predict(X)"), "predict"


# --- fuzz ---------------------------------------------------------------------------------------------


def _to_polars(frame: pd.DataFrame) -> Any:
    """A polars frame from a generated pandas one (column by column, so pyarrow is not needed)."""
    import polars as pl

    try:
        return pl.from_pandas(frame)
    except ImportError:
        return pl.DataFrame({str(c): frame[c].to_numpy() for c in frame.columns})


class _FuzzProblem(Exception):
    """Raised inside the hypothesis test when the model is not sane on a generated input."""


def _schema_strategy(schema: Any, max_rows: int) -> Any:
    from hypothesis import strategies as st

    if not callable(getattr(schema, "strategy", None)):
        raise GateError(f"schema must be a pandera DataFrameSchema (or DataFrameModel), got {type(schema).__name__}")
    to_schema = getattr(schema, "to_schema", None)
    if isinstance(schema, type) and callable(to_schema):
        schema = to_schema()

    built: dict[int, Any] = {}

    def frames(size: int) -> Any:  # one strategy per size, built once: pandera's construction is not cheap
        if size not in built:
            built[size] = schema.strategy(size=size)
        return built[size]

    try:
        frames(1)
    except NotImplementedError as exc:
        raise GateError(f"pandera cannot generate data from this schema ({exc}). For a polars model, describe the "
                        "data with a pandas schema (pandera.pandas) and pass convert='polars' (or any function "
                        "that turns the pandas frame into what the model takes)") from None
    except Exception as exc:
        raise GateError(f"pandera could not build a data strategy from the schema: {type(exc).__name__}: {exc}"
                        ) from None
    return st.integers(min_value=1, max_value=max_rows).flatmap(frames)


def _perturb_subject(args: dict[str, Any]) -> str:
    perturb = args["perturb"]
    return ",".join(map(str, perturb)) if isinstance(perturb, Mapping) else getattr(perturb, "__name__", "")


class BehaviourChecks(BaseGate):
    """``sanity``, ``invariance``, ``monotonic`` and ``fuzz``: deterministic properties of a model's outputs."""

    @gate_check("sanity", lambda a: type(a["model"]).__name__)
    def sanity(
        self,
        model: Any,
        X: Any,
        *,
        skip: Collection[str] = (),
        proba_tolerance: float = PROBA_TOLERANCE,
    ) -> list[GateResult]:
        """Properties any usable model has on ``X``, each its own result showing the first offending rows:
        ``runs`` (no method raises), ``rows`` (one output per row), ``finite`` (no NaN, inf or missing output),
        ``proba_range`` and ``proba_sum`` (probabilities in [0, 1], rows summing to 1 within ``proba_tolerance``,
        default 1e-6), ``classes`` (labels and columns match ``classes_``), ``argmax`` (``predict`` is the most
        probable class), ``deterministic`` (a second call agrees to 1e-9 relative) and ``input_unchanged``.
        Properties that do not apply to the model are left out; ``skip=`` leaves out others on purpose.
        """
        unknown = sorted(set(skip) - set(SANITY_PROPERTIES))
        if unknown:
            raise GateError(f"skip names unknown sanity properties {unknown}; known: {', '.join(SANITY_PROPERTIES)}")
        if not (is_number(proba_tolerance) and 0 <= proba_tolerance < 1):
            raise GateError(f"proba_tolerance must be a number in [0, 1), got {proba_tolerance!r}")
        _inputs.check_fitted(model)
        frame = _inputs.to_frame(X)
        n = _inputs.n_rows(X)
        if n == 0:
            raise GateError("X is empty: a gate needs at least one row")
        results = []
        for finding in sanity_findings(model, X, proba_tolerance=proba_tolerance):
            if finding.prop in skip:
                continue
            examples = None if finding.whole else _examples(frame, finding.bad, finding.outputs)
            results.append(_rate_result(
                "sanity", finding.prop, bad=int(finding.bad.size), n=n, limit=0.0, checked=finding.checked,
                problem=finding.problem, hint=finding.hint, examples=examples,
                details={"proba_tolerance": proba_tolerance} if finding.prop == "proba_sum" else None,
                whole=finding.whole,
            ))
        return results

    @gate_check("invariance", _perturb_subject)
    def invariance(
        self,
        model: Any,
        X: Any,
        *,
        perturb: Perturbation,
        max_changed: float = 0.0,
        output: str = "predict",
        tolerance: float = 1e-9,
    ) -> list[GateResult]:
        """Outputs must not change when ``perturb`` changes what should not matter.

        ``perturb`` is a function returning a modified copy of X, or a mapping column -> replacement values (one
        value, one per row, or a function of the column). Fails when more than ``max_changed`` (a fraction) of
        the rows change their ``output`` (numeric outputs by more than ``tolerance``).
        """
        fraction("max_changed", max_changed, of="rows")
        if output not in ("predict", "predict_proba", "decision_function"):
            raise GateError(f"output must be 'predict', 'predict_proba' or 'decision_function', got {output!r}")
        if not (is_number(tolerance) and tolerance >= 0):
            raise GateError(f"tolerance must be a non-negative number, got {tolerance!r}")
        _inputs.check_fitted(model)
        frame = _inputs.to_frame(X)
        n = len(frame)
        if n == 0:
            raise GateError("X is empty: a gate needs at least one row")
        changed_X, described, columns = _perturbed(X, frame, perturb)
        before = _output(model, output, X, "original")
        after = _output(model, output, changed_X, "perturbed")
        if before.shape != after.shape:
            raise GateError(f"model.{output} returned shape {after.shape} on the perturbed input and {before.shape} "
                            "on the original")
        changed = np.flatnonzero(~_row_close(before, after, rtol=0.0, atol=tolerance))
        new_frame = _inputs.to_frame(changed_X, "perturb(X)")
        examples = _examples(frame, changed, {"before": before, "after": after})
        for example in examples:
            row = example["row"]
            targets = columns or [c for c in frame.columns if c in new_frame.columns
                                  and not _row_close(frame[c].to_numpy()[row:row + 1],
                                                     new_frame[c].to_numpy()[row:row + 1], rtol=0.0, atol=0.0)[0]]
            example["input"] = {str(c): f"{_short(frame[c].iloc[row], 20)} -> {_short(new_frame[c].iloc[row], 20)}"
                                for c in targets[:8]}
        subject = ",".join(map(str, columns)) or described.removeprefix("applying ")
        return [_rate_result(
            "invariance", subject, bad=int(changed.size), n=n, limit=float(max_changed),
            checked=f"model.{output} unchanged when {described}",
            problem=f"model.{output} changed when {described}",
            hint="the model uses information it should ignore: drop the column from its features (or the pipeline), "
                 "or if some change is acceptable raise max_changed",
            examples=examples, details={"output": output, "tolerance": tolerance, "perturbation": described},
        )]

    @gate_check("monotonic", lambda a: str(a["feature"]))
    def monotonic(
        self,
        model: Any,
        X: Any,
        *,
        feature: Any,
        direction: str = "increasing",
        step: float | None = None,
        max_violations: float = 0.0,
        target: Any = None,
    ) -> list[GateResult]:
        """Raising ``feature`` by ``step`` must not lower the score ("increasing") or raise it ("decreasing").

        The score is the positive class's probability (``target=`` picks the class for multiclass models), else
        the decision function, else a regressor's prediction. ``step`` defaults to a tenth of the feature's
        standard deviation in X (at least 1 for integer columns). Fails when more than ``max_violations`` (a
        fraction) of the rows move the wrong way.
        """
        if direction not in ("increasing", "decreasing"):
            raise GateError(f"direction must be 'increasing' or 'decreasing', got {direction!r}")
        fraction("max_violations", max_violations, of="rows")
        _inputs.check_fitted(model)
        frame = _inputs.to_frame(X)
        if len(frame) == 0:
            raise GateError("X is empty: a gate needs at least one row")
        column = _column_key(X, frame, feature, what="feature")
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            raise GateError(f"feature {feature!r} is not numeric (dtype {values.dtype}): monotonicity needs a number "
                            "that can be raised; encode it as a number first")
        raised, present, step, how, by = _raised(values.rename(feature), step)
        base, method = _score(model, X, target, "original")
        moved, _ = _score(model, _with_columns(X, frame, {column: raised}), target, "raised")
        tolerance = SCORE_TOLERANCE * np.maximum(1.0, np.abs(base))
        wrong = (moved < base - tolerance) if direction == "increasing" else (moved > base + tolerance)
        wrong &= present
        n = int(present.sum())
        change = moved - base
        order = np.flatnonzero(wrong)
        order = order[np.argsort(change[order] if direction == "increasing" else -change[order], kind="stable")]
        examples = _examples(frame, order, {f"{method} before": base, "after": moved})
        for example in examples:
            row = example["row"]
            example["input"] = {str(column): f"{_short(values.iloc[row], 20)} -> {_short(raised[row], 20)}",
                                **{k: v for k, v in example["input"].items() if k != str(column)}}
        verb = "lowered" if direction == "increasing" else "raised"
        return [_rate_result(
            "monotonic", str(feature), bad=int(wrong.sum()), n=n, limit=float(max_violations),
            checked=f"{method} {direction} in {feature!r} ({how})",
            problem=f"raising {feature!r} {by} {verb} {method}",
            hint=f"constrain the model (e.g. HistGradientBoosting*(monotonic_cst=...) or monotone_constraints in "
                 f"LightGBM/XGBoost) so {method} is {direction} in {feature!r}; if a few violations are acceptable "
                 f"raise max_violations (worst rows shown first)",
            examples=examples,
            details={"direction": direction, "step": step, "score": method,
                     "missing_feature_rows": int(values.isna().sum() if by == "from False to True"
                                                 else (~present).sum()),
                     "largest_wrong_move": float(np.max(np.abs(change[wrong]))) if wrong.any() else 0.0},
        )]

    @gate_check("fuzz", lambda a: type(a["model"]).__name__)
    def fuzz(
        self,
        model: Any,
        schema: Any,
        *,
        max_examples: int = 100,
        max_rows: int = 20,
        convert: Callable[[pd.DataFrame], Any] | str | None = None,
        proba_tolerance: float = PROBA_TOLERANCE,
    ) -> list[GateResult]:
        """The model must stay sane (as in :meth:`sanity`) on inputs hypothesis draws from a pandera schema.

        Up to ``max_examples`` frames of 1 to ``max_rows`` rows; the first failure is shrunk to a smallest
        input and shown. Deterministic for a given ``--mlgate-seed``. ``convert`` turns each generated pandas
        frame into what the model takes: ``convert="polars"`` for a model that takes polars frames, or any
        function of a pandas DataFrame.
        """
        import hypothesis
        from hypothesis import HealthCheck, Phase, Verbosity, given

        settings, key = self.settings, self.recorder.key
        positive_int("max_examples", max_examples)
        positive_int("max_rows", max_rows)
        if convert is not None and convert != "polars" and not callable(convert):
            raise GateError(f"convert must be 'polars' or a function of a pandas DataFrame, got {convert!r}")
        to_model: Callable[[pd.DataFrame], Any] | None = _to_polars if convert == "polars" else convert  # type: ignore[assignment]
        _inputs.check_fitted(model)
        strategy = _schema_strategy(schema, max_rows)
        seed = settings.seed_for(key, "fuzz")
        calls = 0
        first_failure_at: int | None = None
        last: dict[str, Any] = {}

        @hypothesis.seed(seed)
        @hypothesis.settings(
            max_examples=max_examples, deadline=None, database=None, derandomize=False, print_blob=False,
            report_multiple_bugs=False, verbosity=Verbosity.quiet,
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                   HealthCheck.large_base_example, HealthCheck.nested_given],
        )
        @given(strategy)
        def probe(frame: pd.DataFrame) -> None:
            nonlocal calls, first_failure_at
            calls += 1
            data = to_model(frame.copy()) if to_model is not None else frame.copy()
            failed = [f for f in sanity_findings(model, data, proba_tolerance=proba_tolerance) if f.failed]
            if failed:
                first_failure_at = first_failure_at or calls
                last.update(frame=frame, finding=failed[0], data=data)
                raise _FuzzProblem(failed[0].problem)

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandera/hypothesis notes on generation are not the user's concern
                probe()
        except _FuzzProblem:
            pass
        except GateError:
            raise
        except hypothesis.errors.Unsatisfiable as exc:
            raise GateError(f"hypothesis could not generate inputs that satisfy the schema ({exc}); give the checks "
                            "that filter rows a strategy, or loosen them") from None
        except hypothesis.errors.HypothesisException as exc:
            raise GateError(f"hypothesis could not run: {type(exc).__name__}: {exc}") from None
        except Exception as exc:
            raise GateError(f"generating inputs from the schema failed: {type(exc).__name__}: {exc}") from None

        details: dict[str, Any] = {"seed": seed, "max_examples": max_examples, "max_rows": max_rows, "calls": calls}
        if not last:
            message = (f"{FAMILY}.fuzz {type(model).__name__}: sane outputs on {calls} schema-valid inputs "
                       f"(up to {max_rows} rows each, seed {seed}): ok.")
            return [GateResult(FAMILY, "fuzz", type(model).__name__, "pass", value=0.0, limit=0.0, comparison="<=",
                               n=calls, message=message, details=details)]
        frame, finding = last["frame"], last["finding"]
        shown = _examples(frame.reset_index(drop=True), finding.bad, finding.outputs, limit=len(frame))
        outputs = "\n".join(f"    row {ex['row']}: " + "; ".join(f"{k} {_short(v)}" for k, v in ex["output"].items())
                            for ex in shown if ex["output"])
        with pd.option_context("display.max_columns", 20, "display.width", 120):
            table = "\n".join("    " + line for line in frame.to_string().splitlines())
        message = (
            f"{FAMILY}.fuzz {type(model).__name__}: {finding.problem} on a schema-valid input "
            f"(property '{finding.prop}': {finding.checked}). Found after {first_failure_at} generated inputs "
            f"(seed {seed}), shrunk by hypothesis to this {len(frame)}-row input:\n{table}"
            + (f"\n  Outputs on the offending rows:\n{outputs}" if outputs else "")
            + f"\n  What to do: {finding.hint}; or, if such rows cannot occur, tighten the schema. The same "
            "--mlgate-seed reproduces this input."
        )
        details.update(property=finding.prop, problem=finding.problem, example=frame.to_dict(orient="records"),
                       first_failure_at=first_failure_at)
        return [GateResult(FAMILY, "fuzz", type(model).__name__, "fail", value=1.0, limit=0.0, comparison="<=",
                           n=calls, message=message, details=json_safe(details))]
