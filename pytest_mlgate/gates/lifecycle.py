"""The model's life after launch, as gates: it beats a simple fallback, one of many variants is chosen with
evidence, what it relies on (permutation importance) stays within governance limits, and its performance is
estimated where labels have not arrived yet.

Each check is defined once, as the gate method users call: :class:`ModelLifecycleChecks` is mixed into the
``model_gate`` fixture's class and :class:`SelectionCheck` into ``baseline_gate``'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from pytest_mlgate._validate import did_you_mean, positive_int
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import BaseGate, limit_entries, threshold_result
from pytest_mlgate.gates.metrics import computed_details, computed_notes, computed_with
from pytest_mlgate.records import Leaderboard, LeaderboardEntry
from pytest_mlgate.results import GateError, GateResult, fmt, hide_our_frames, is_number, percent
from pytest_mlgate.stats.metrics import Metric, batch_values, get_metric, point_value, positive_class

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

MetricKey = str | Metric | Callable[..., float]
#: Fallback names: scikit-learn's DummyClassifier and DummyRegressor strategies.
CLASSIFIER_STRATEGIES = ("prior", "most_frequent", "stratified", "uniform")
REGRESSOR_STRATEGIES = ("mean", "median")


def _output(m: Metric, model: Any, X: Any, y: np.ndarray, name: str, pos_label: Any = None) -> Any:
    """The model's output for ``m`` with the labels as ``m`` computes on them (a ``Prepared``), by the
    positive-class rule of every gate."""
    outputs = _inputs.model_outputs(model, X, name=name, **_inputs.output_needs({m.needs}))
    return _ready(m, outputs, y, pos_label)


def _ready(m: Metric, outputs: _inputs.Outputs, y: np.ndarray, pos_label: Any) -> Any:
    classes = None
    if m.needs == "label" and outputs.pred is not None:  # a model's classes_ too: every model encoded alike
        known = [np.unique(y), np.unique(outputs.pred)] + ([outputs.classes] if outputs.classes is not None else [])
        try:
            classes = np.unique(np.concatenate(known))
        except TypeError:
            raise GateError("the labels and the predictions mix value types that cannot be compared") from None
    return _inputs.metric_input(m, outputs, y, pos_label, classes=classes)


def _same_labels(ready: list[Any], names: list[str]) -> np.ndarray:
    """The encoded labels every output was computed against; they differ only when one model's labels make
    the problem binary and another's do not."""
    for other, name in zip(ready[1:], names[1:], strict=True):
        if not np.array_equal(ready[0].y, other.y):
            raise GateError(f"{names[0]} and {name} predict different sets of labels, so one metric cannot compare "
                            "them; predict the same classes")
    return np.asarray(ready[0].y)


def _fitted_fallback(fallback: Any, fit_data: tuple[Any, Any] | None, seed: int) -> tuple[Any, str]:
    """The fallback as something with ``predict``, and the name to show for it."""
    if isinstance(fallback, str):
        if fallback not in CLASSIFIER_STRATEGIES + REGRESSOR_STRATEGIES:
            hint = did_you_mean(fallback, CLASSIFIER_STRATEGIES + REGRESSOR_STRATEGIES)
            raise GateError(f"unknown fallback {fallback!r}.{hint} Name one of scikit-learn's dummy strategies "
                            f"{CLASSIFIER_STRATEGIES + REGRESSOR_STRATEGIES}, or pass an estimator or a rule")
        if fit_data is None:
            raise GateError(f"the fallback {fallback!r} must be fitted first: pass fit_data=(X_train, y_train), "
                            "the data the fallback learns its constant or class frequencies from")
        from sklearn.dummy import DummyClassifier, DummyRegressor

        dummy = (DummyClassifier(strategy=fallback, random_state=seed) if fallback in CLASSIFIER_STRATEGIES
                 else DummyRegressor(strategy=fallback))
        return _fit(dummy, fit_data), f"dummy {fallback!r}"
    if callable(getattr(fallback, "predict", None)):
        name = type(fallback).__name__
        if fit_data is not None:
            from sklearn.base import clone

            return _fit(clone(fallback), fit_data), name
        _inputs.check_fitted(fallback, "fallback")
        return fallback, name
    if callable(fallback):
        return _Rule(fallback), getattr(fallback, "__name__", "rule")
    raise GateError(f"fallback must be a dummy strategy name, an estimator or a callable rule on X, "
                    f"got {type(fallback).__name__}")


def _fit(estimator: Any, fit_data: Any) -> Any:
    if not (isinstance(fit_data, tuple) and len(fit_data) == 2):
        raise GateError("fit_data must be a pair (X_train, y_train)")
    X_fit, y_fit = fit_data
    _inputs.same_length(X_fit=X_fit, y_fit=_inputs.labels(y_fit, "fit_data's y"))
    try:
        return estimator.fit(X_fit, y_fit)
    except Exception as exc:
        raise GateError(f"fitting the fallback {type(estimator).__name__} failed: {type(exc).__name__}: {exc}"
                        ) from None


class _Rule:
    """A rule ``f(X) -> predictions`` seen as a model: its output serves as labels and, for score metrics, as
    the score (a hard rule ranks rows in two groups)."""

    def __init__(self, rule: Callable[[Any], Any]) -> None:
        self.rule = rule

    def predict(self, X: Any) -> Any:
        return np.asarray(self.rule(X))

    def decision_function(self, X: Any) -> Any:
        return np.asarray(self.rule(X), dtype=float)


def _sign(m: Metric) -> float:
    return 1.0 if m.greater_is_better else -1.0


class ModelLifecycleChecks(BaseGate):
    """``model_gate.beats``, ``model_gate.importance`` and ``model_gate.estimated_performance``."""

    def beats(
        self,
        model: Any = None,
        fallback: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        metric: MetricKey,
        margin: float = 0.0,
        fit_data: tuple[Any, Any] | None = None,
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
        y_pred: Any = None,
        y_score: Any = None,
    ) -> list[GateResult]:
        """Fail when the evidence says ``model`` does not beat ``fallback`` by ``margin`` on the same rows.

        ``fallback`` is an estimator (refitted on ``fit_data`` when given), a rule ``f(X) -> predictions``, or
        one of scikit-learn's dummy strategies by name ("prior", "most_frequent", "stratified", "uniform",
        "mean", "median"), fitted on ``fit_data=(X_train, y_train)``. The improvement (in the metric's good
        direction) is bootstrapped with the same resampled rows for both models, as ``compare_models`` does.
        ``y_true=``, ``sample_weight=`` and ``pos_label=`` mean what they mean in :meth:`metrics`. Predictions
        made elsewhere come as pairs, ``y_pred=(model's, fallback's)`` and/or ``y_score=(...)``, in place of the
        model and the fallback (``None`` on a side that is given as a model, a rule or a strategy).
        """
        y_true_given = y_true

        def compute() -> list[GateResult]:
            from pytest_mlgate.stats.paired import paired_difference

            m = get_metric(metric)
            if not is_number(margin) or not math.isfinite(margin):
                raise GateError(f"margin must be a finite number, got {margin!r}")
            y_true = _inputs.true_labels(y, y_true_given)
            weights = _inputs.sample_weights(sample_weight, y_true.size)
            given = [_inputs.prediction_pair(y_pred, "y_pred", ("model", "fallback")),
                     _inputs.prediction_pair(y_score, "y_score", ("model", "fallback"))]
            if X is None and (model is not None or fallback is not None):
                raise GateError("pass X, the rows both the model and the fallback should predict")
            if X is not None:
                _inputs.same_length(X=X, y=y_true)
            seed = self.settings.seed_for(self.recorder.key, "beats", m.name)
            fitted, fallback_name = (None, "the given predictions") if fallback is None else \
                _fitted_fallback(fallback, fit_data, seed)
            flags = _inputs.output_needs({m.needs})
            ready = []
            for i, (who, candidate) in enumerate((("model", model), ("fallback", fitted))):
                pred, score = given[0][i], given[1][i]
                if candidate is None and pred is None and score is None:
                    raise GateError(f"pass the {who} (with X) or its predictions: y_pred=/y_score= as pairs "
                                    "(model's, fallback's)")
                outputs = _inputs.model_outputs(candidate, X, y_pred=pred, y_score=score, name=who, **flags)
                for output in (outputs.pred, outputs.score):
                    if output is not None:
                        _inputs.same_length(y=y_true, **{f"{who}'s predictions": output})
                ready.append(_ready(m, outputs, y_true, pos_label))
            labels = _same_labels(ready, ["the model", "the fallback"])
            out_model, out_fallback = ready[0].output, ready[1].output
            value_model = point_value(m, labels, out_model, "model", sample_weight=weights)
            value_fallback = point_value(m, labels, out_fallback, "fallback", sample_weight=weights)
            paired = paired_difference(m, labels, out_fallback, out_model, value_a=value_fallback,
                                       value_b=value_model, n_resamples=self.settings.n_resamples,
                                       confidence=self.settings.confidence, seed=seed, sample_weight=weights)
            sign = _sign(m)
            lo, hi = sorted((sign * paired.interval[0], sign * paired.interval[1]))
            better = "higher" if m.greater_is_better else "lower"
            return [computed_with(threshold_result(
                self.family, "beats", f"{m.name} vs {fallback_name}", sign * paired.difference,
                minimum=float(margin), interval=(lo, hi), n=paired.n, confidence=self.settings.confidence,
                hint=(f"the model is not better than the fallback {fallback_name} ({m.name} {fmt(value_model)} vs "
                      f"{fmt(value_fallback)}): ship the fallback, or find why the model learned nothing "
                      "(features, labels, leakage in the fallback's fit data)"),
                details={"metric": m.name, "fallback": fallback_name, "model_value": value_model,
                         "fallback_value": value_fallback, "margin": float(margin),
                         "improvement": f"{better} is better; value = how much the model beats the fallback",
                         "seed": seed, "n_resamples": self.settings.n_resamples,
                         **computed_details(ready[0].positive, weights)},
            ), computed_notes(m, ready[0].positive, weights))]

        return self._run("beats", str(getattr(metric, "__name__", metric)), compute)

    def importance(
        self,
        model: Any,
        X: Any,
        y: Any = None,
        *,
        metric: MetricKey,
        n_repeats: int = 5,
        max_rows: int | None = None,
        random_state: Any = None,
        min: Mapping[Any, float] | None = None,
        max: Mapping[Any, float] | None = None,
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> list[GateResult]:
        """Permutation importance (scikit-learn's ``permutation_importance``: the same numbers for the same
        ``random_state``) per feature, with a bootstrap interval over rows, gated by ``min``/``max``.

        ``max={"sex": 0.005}`` fails when the evidence says the model relies on ``sex`` for more than 0.005 of
        the metric; ``min={"income": 0.01}`` when it says the model relies on ``income`` for less. Features
        without a limit are reported only when no limit is given at all. The compute budget is ``n_repeats``
        permutations of ``max_rows`` rows (all rows by default); the message says the interval width it buys.
        ``y_true=``, ``sample_weight=`` (scikit-learn's ``sample_weight``: the scores are weighted) and
        ``pos_label=`` mean what they mean in :meth:`metrics`.
        """
        labels = y_true

        def compute() -> list[GateResult]:
            result = importance_table(self, model, X, _inputs.true_labels(y, labels), metric=metric,
                                      n_repeats=n_repeats, max_rows=max_rows, random_state=random_state,
                                      sample_weight=sample_weight, pos_label=pos_label)
            limited = _importance_limits(result.features, min, max)
            chosen = list(limited) if limited else list(range(len(result.features)))
            budget = budget_text(result, n_repeats)
            rows = []
            for j in chosen:
                lo_limit, hi_limit = limited.get(j, (None, None))
                feature = result.features[j]
                rows.append(threshold_result(
                    self.family, "importance", str(feature), float(result.means[j]), minimum=lo_limit,
                    maximum=hi_limit, interval=result.intervals[j], n=result.n, confidence=self.settings.confidence,
                    hint=(f"the model's reliance on {feature!r} ({result.metric.name} lost when it is permuted) is "
                          f"outside the limit; {budget}"),
                    details={"metric": result.metric.name, "feature": str(feature), "n_repeats": n_repeats,
                             "repeats": result.importances[j].tolist(), "baseline_score": result.baseline_score,
                             "rank": int(np.argsort(np.argsort(-result.means, kind="stable"))[j]) + 1,
                             "budget": budget, "interval_method": result.method,
                             **computed_details(result.positive, result.weights)},
                ))
            return [computed_with(row, computed_notes(None, result.positive, result.weights)) for row in rows]

        return self._run("importance", str(getattr(metric, "__name__", metric)), compute)

    def estimated_performance(
        self,
        model: Any,
        X_current: Any,
        *,
        reference: tuple[Any, Any],
        metric: str = "roc_auc",
        min: float | None = None,
        pos_label: Any = None,
    ) -> list[GateResult]:
        """The model's ``metric`` on unlabelled current rows, estimated from its calibrated scores (CBPE), with
        the interval of the value the labels will show; fails when the whole interval lies below ``min``.

        ``reference=(X_ref, y_ref)`` are labelled rows like the training data's: the model's scores are
        calibrated on them. Binary classifiers only; accuracy, precision, recall, f1 or roc_auc. Blind to
        concept shift (the relation between rows and labels changing): see docs/model_validation.md.
        The positive class follows the rule of every gate: 1 / True, else ``pos_label=``.
        """
        def compute() -> list[GateResult]:
            from pytest_mlgate.stats.labelfree import LABEL_FREE_METRICS, estimate

            if metric not in LABEL_FREE_METRICS:
                raise GateError(f"estimated_performance supports {', '.join(LABEL_FREE_METRICS)}; got {metric!r}")
            if not (isinstance(reference, tuple) and len(reference) == 2):
                raise GateError("reference must be a pair (X_ref, y_ref) of labelled rows to calibrate on")
            X_ref, y_ref = reference
            y_ref = _inputs.labels(y_ref, "reference's y")
            _inputs.same_length(X_ref=X_ref, y_ref=y_ref)
            ref = _inputs.model_outputs(model, X_ref, need_pred=True, need_score=True, name="model")
            classes = ref.classes if ref.classes is not None else np.unique(y_ref)
            if ref.score is None or ref.score.ndim != 1 or len(classes) != 2:
                raise GateError(f"estimated_performance is for binary classifiers; the model has "
                                f"{len(classes)} classes")
            if not np.isin(y_ref, classes).all():
                raise GateError(f"the reference labels hold values the model does not know (classes {list(classes)})")
            positive = positive_class(classes, pos_label)
            cur = _inputs.model_outputs(model, X_current, need_pred=True, need_score=True, name="model")
            assert cur.score is not None and cur.pred is not None and ref.pred is not None
            ref.score = _inputs.positive_score(ref.score, ref, positive)
            cur.score = _inputs.positive_score(cur.score, cur, positive)
            seed = self.settings.seed_for(self.recorder.key, "estimated_performance", metric)
            est = estimate(metric, ref.score, (y_ref == positive).astype(int), cur.score,
                           (cur.pred == positive).astype(int), (ref.pred == positive).astype(int),
                           n_resamples=self.settings.n_resamples, confidence=self.settings.confidence, seed=seed)
            realised = point_value(get_metric(metric), (y_ref == positive).astype(int),
                                   ref.score if metric == "roc_auc" else (ref.pred == positive).astype(int))
            check = f"on the labelled reference the estimate is {fmt(est.reference_value)}, realised {fmt(realised)}"
            return [threshold_result(
                self.family, "estimated_performance", metric, est.value, minimum=min, interval=est.interval,
                n=est.n_current, confidence=self.settings.confidence,
                hint=(f"the model is expected to miss the bar on the current rows ({check}); look for drift in "
                      "the inputs (data_gate.drift) and retrain, or get labels for a sample to confirm"),
                details={"metric": metric, "positive_class": _plain(positive), "n_reference": est.n_reference,
                         "reference_estimate": est.reference_value, "reference_realised": realised,
                         "mean_probability": est.mean_probability, "method": "CBPE (isotonic calibration)",
                         "seed": seed},
            )]

        return self._run("estimated_performance", metric, compute)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _importance_limits(features: list[Any], minimum: Mapping[Any, float] | None, maximum: Mapping[Any, float] | None
                       ) -> dict[int, tuple[float | None, float | None]]:
    index = {f: j for j, f in enumerate(features)} | {str(f): j for j, f in enumerate(features)}
    limits: dict[int, tuple[float | None, float | None]] = {}
    for label, feature, limit in limit_entries(minimum, maximum, what="feature", example="'income': 0.01"):
        if feature not in index:
            raise GateError(f"{label} names the feature {feature!r}, which X does not have."
                            f"{did_you_mean(feature, features)}")
        lo, hi = limits.get(index[feature], (None, None))
        limits[index[feature]] = (limit, hi) if label == "min" else (lo, limit)
    return limits


def importance_table(gate: BaseGate, model: Any, X: Any, y: Any, *, metric: MetricKey, n_repeats: int,
                     max_rows: int | None, random_state: Any, sample_weight: Any = None,
                     pos_label: Any = None) -> Any:
    """Permutation importances of every column of ``X`` (see :meth:`ModelLifecycleChecks.importance`)."""
    import pandas as pd

    from pytest_mlgate.stats.importance import permutation_importance, sklearn_permutations

    m = get_metric(metric)
    n_repeats = positive_int("n_repeats", n_repeats)
    y_true = _inputs.labels(y, "y")
    if X is None:
        raise GateError("pass X, the rows whose columns are permuted")
    n = _inputs.same_length(X=X, y=y_true)
    weights = _inputs.sample_weights(sample_weight, n)
    if max_rows is not None:
        max_rows = positive_int("max_rows", max_rows)
    frame = X if isinstance(X, pd.DataFrame) else None
    if frame is None:
        X = np.asarray(X)
        if X.ndim != 2:
            raise GateError(f"X must be a DataFrame or a 2-D array, got shape {X.shape}")
    features = list(frame.columns) if frame is not None else list(range(X.shape[1]))
    seed = gate.settings.seed_for(gate.recorder.key, "importance", m.name)
    rows, orders = sklearn_permutations(n, n_repeats, seed if random_state is None else random_state, max_rows)
    if rows is not None:
        X = X.iloc[rows] if frame is not None else X[rows]
        y_true = y_true[rows]
        weights = weights[rows] if weights is not None else None
    m_rows = y_true.size
    ready = _output(m, model, X, y_true, "model", pos_label)
    base, encoded = ready.output, ready.y
    flat = orders.ravel()
    stacked: Any = pd.concat([X] * n_repeats) if frame is not None else np.tile(X, (n_repeats, 1))
    if frame is not None:
        stacked = stacked.copy()

    def permuted(j: int) -> list[np.ndarray]:
        if frame is not None:
            column = X.columns[j]
            original = stacked[column]
            stacked[column] = X[column].iloc[flat].set_axis(stacked.index)
        else:
            original = stacked[:, j].copy()
            stacked[:, j] = X[flat, j]
        try:
            output = _output(m, model, stacked, np.tile(y_true, n_repeats), "model", pos_label).output
        finally:
            if frame is not None:
                stacked[column] = original
            else:
                stacked[:, j] = original
        return [output[r * m_rows:(r + 1) * m_rows] for r in range(n_repeats)]

    return _Table(m, permutation_importance(
        m, encoded, base, permuted, features=features,
        point=lambda out: point_value(m, encoded, out, "model", sample_weight=weights),
        n_resamples=gate.settings.n_resamples, confidence=gate.settings.confidence, seed=seed,
        sample_weight=weights), ready.positive, weights)


def budget_text(table: Any, n_repeats: int) -> str:
    """What the compute budget (repeats, rows) buys: the median width of the importances' intervals."""
    widths = [hi - lo for lo, hi in table.intervals]
    return (f"budget: {n_repeats} repeat(s) on {table.n} rows buys a median interval width of "
            f"{fmt(float(np.nanmedian(widths)))}; more rows (max_rows=) narrow it about as 1/sqrt(rows)")


class _Table:
    """An :class:`~pytest_mlgate.stats.importance.Importance` with the metric it was measured in, the positive
    class and the weights it was computed with."""

    def __init__(self, m: Metric, importance: Any, positive: Any, weights: np.ndarray | None) -> None:
        self.metric = m
        self.positive = positive
        self.weights = weights
        self.features = importance.features
        self.means = importance.means
        self.intervals = importance.intervals
        self.importances = importance.importances
        self.method = importance.method
        self.baseline_score = importance.baseline_score
        self.n = importance.n


class SelectionCheck(BaseGate):
    """``baseline_gate.select``: many variants against the champion, Holm-corrected, with a leaderboard."""

    def select(
        self,
        candidates: Mapping[str, Any],
        X: Any = None,
        y: Any = None,
        *,
        metric: MetricKey,
        champion: str,
        margin: float = 0.0,
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> list[GateResult]:
        """Every challenger against ``champion`` on the same resampled rows; fails when a challenger is better
        than the champion by more than ``margin`` with evidence (Holm-corrected for the number of
        challengers): the choice should then change. Challengers worse with evidence are named too.

        ``candidates`` maps names to models (predicting ``X``) or to their precomputed predictions (labels for
        label metrics, scores or positive-class probabilities for score metrics). ``y_true=``,
        ``sample_weight=`` and ``pos_label=`` mean what they mean in ``model_gate.metrics``.
        """
        def compute() -> list[GateResult]:
            return [_select(self, candidates, X, _inputs.true_labels(y, y_true), metric=metric, champion=champion,
                            margin=margin, sample_weight=sample_weight, pos_label=pos_label)]

        return self._run("select", str(getattr(metric, "__name__", metric)), compute)


def _select(gate: BaseGate, candidates: Mapping[str, Any], X: Any, y: Any, *, metric: MetricKey, champion: str,
            margin: float, sample_weight: Any = None, pos_label: Any = None) -> GateResult:
    from pytest_mlgate.stats.bootstrap import percentile_interval, resample_counts
    from pytest_mlgate.stats.multitest import holm

    if not isinstance(candidates, Mapping) or len(candidates) < 2:
        count = len(candidates) if isinstance(candidates, Mapping) else 0
        raise GateError(f"candidates must map names to models or predictions, the champion and at least one "
                        f"challenger; got {count} entr{'y' if count == 1 else 'ies'}")
    names = [str(k) for k in candidates]
    if champion not in names:
        raise GateError(f"champion {champion!r} is not one of the candidates {names}.{did_you_mean(champion, names)}")
    if not is_number(margin) or not math.isfinite(margin) or margin < 0:
        raise GateError(f"margin must be a finite number >= 0, got {margin!r}")
    m = get_metric(metric)
    y_true = _inputs.labels(y, "y")
    weights = _inputs.sample_weights(sample_weight, y_true.size)
    ready = []
    for name, candidate in zip(names, candidates.values(), strict=True):
        if callable(getattr(candidate, "predict", None)):
            if X is None:
                raise GateError(f"candidate {name!r} is a model: pass X, the rows every candidate predicts")
            ready.append(_output(m, candidate, X, y_true, name, pos_label))
        else:
            kind = "y_pred" if m.needs in ("label", "regression") else "y_score"
            given = _inputs.model_outputs(None, None, name=name, **{kind: candidate},
                                          **_inputs.output_needs({m.needs}))
            ready.append(_ready(m, given, y_true, pos_label))
        if ready[-1].output.shape[0] != y_true.size:
            raise GateError(f"candidate {name!r} gives {ready[-1].output.shape[0]} predictions for {y_true.size} "
                            "labels")
    labels = _same_labels(ready, [f"candidate {name!r}" for name in names])
    outputs = {name: r.output for name, r in zip(names, ready, strict=True)}
    values = {name: point_value(m, labels, out, f"candidate {name!r}", sample_weight=weights)
              for name, out in outputs.items()}
    settings = gate.settings
    seed = settings.seed_for(gate.recorder.key, "select", m.name)
    reps: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for counts in resample_counts(y_true.size, settings.n_resamples, seed, dtype=np.uint8):
        for name, out in outputs.items():
            reps[name].append(np.asarray(batch_values(m, labels, out, counts, weights), dtype=float))
    replicates = {name: np.concatenate(parts) for name, parts in reps.items()}
    sign = _sign(m)
    challengers = [name for name in names if name != champion]
    k = len(challengers)
    level = 1.0 - 2.0 * settings.alpha / k  # the two-sided level whose one-sided tails are Holm's first step
    gains, p_better, p_worse = {}, [], []
    for name in challengers:
        gain = sign * (replicates[name] - replicates[champion])
        gain = gain[np.isfinite(gain)]
        gains[name] = gain
        p_better.append((1 + np.count_nonzero(gain <= margin)) / (gain.size + 1))
        p_worse.append((1 + np.count_nonzero(gain >= -margin)) / (gain.size + 1))
    adj_better, adj_worse = holm(np.array(p_better)), holm(np.array(p_worse))
    board: list[dict[str, Any]] = []
    for i, name in enumerate(challengers):
        verdict = ("better" if adj_better[i] < settings.alpha else "worse" if adj_worse[i] < settings.alpha
                   else "no evidence")
        board.append({"candidate": name, "value": values[name],
                      "interval": list(percentile_interval(replicates[name], settings.confidence)),
                      "difference": sign * (values[name] - values[champion]),
                      "difference_interval": list(percentile_interval(gains[name], level)),
                      "p_better": float(adj_better[i]), "p_worse": float(adj_worse[i]), "verdict": verdict})
    board.append({"candidate": champion, "value": values[champion],
                  "interval": list(percentile_interval(replicates[champion], settings.confidence)),
                  "difference": 0.0, "difference_interval": [0.0, 0.0], "p_better": None, "p_worse": None,
                  "verdict": "champion"})
    board.sort(key=lambda row: -sign * row["value"])
    best = max((row for row in board if row["candidate"] != champion), key=lambda row: row["difference"])
    better = [row["candidate"] for row in board if row["verdict"] == "better"]
    worse = [row["candidate"] for row in board if row["verdict"] == "worse"]
    lines = [f"  {row['candidate']:<20} {m.name} {fmt(row['value'])}  difference {fmt(row['difference'])} "
             f"[{fmt(row['difference_interval'][0])}, {fmt(row['difference_interval'][1])}]  {row['verdict']}"
             for row in board]
    head = (f"baseline.select {m.name}: champion {champion!r} ({fmt(values[champion])}) against {k} challenger(s) "
            f"on the same {y_true.size} rows, Holm-corrected, margin {fmt(margin)}, differences at "
            f"{percent(level)}")
    worse_text = f"; worse with evidence: {', '.join(map(repr, worse))}" if worse else ""
    if better:
        message = (f"{head}: {', '.join(map(repr, better))} beat(s) the champion by more than the margin"
                   f"{worse_text}.\n" + "\n".join(lines) + f"\n  What to do: promote {better[0]!r} "
                   f"(champion={better[0]!r}), or raise margin= if the gain is not worth a change.")
    else:
        message = (f"{head}: no challenger is better with evidence{worse_text}; keep {champion!r}.\n"
                   + "\n".join(lines))
    return computed_with(GateResult(
        gate.family, "select", f"{m.name}: champion {champion}", "fail" if better else "pass",
        value=best["difference"], limit=float(margin), comparison="<=",
        interval=(best["difference_interval"][0], best["difference_interval"][1]), n=int(y_true.size),
        message=message,
        record=Leaderboard(m.name, champion, tuple(LeaderboardEntry(
            row["candidate"], row["value"], _pair(row["interval"]), row["difference"],
            _pair(row["difference_interval"]), row["p_better"], row["p_worse"], row["verdict"]) for row in board)),
        details={"margin": float(margin), "correction": "holm",
                 "best_challenger": best["candidate"], "better": better, "worse": worse,
                 "confidence": level, "n_resamples": settings.n_resamples, "seed": seed,
                 **computed_details(ready[0].positive, weights)},
    ), computed_notes(m, ready[0].positive, weights))


def _pair(interval: Any) -> tuple[float, float]:
    return (float(interval[0]), float(interval[1]))
