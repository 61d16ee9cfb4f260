"""Calibration of a classifier's probabilities: expected calibration error with a bias-corrected interval, and
the Brier score: ``model_gate.calibration``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate._validate import positive_int
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import MODEL_VALIDATION, BaseGate, check_limits, gate_check, threshold_result
from pytest_mlgate.gates.metrics import computed_details, computed_notes, computed_with
from pytest_mlgate.records import ReliabilityBin, ReliabilityTable
from pytest_mlgate.results import GateError, GateResult, fmt, hide_our_frames

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = MODEL_VALIDATION


def _probabilities(
    model: Any, X: Any, y: np.ndarray, y_score: Any, pos_label: Any
) -> tuple[np.ndarray, np.ndarray, Any]:
    """Class probabilities (1-D positive class for binary, rows x classes otherwise), the class labels in the
    order of the columns (for binary: the positive class last), checked against ``y``, and the positive class
    (None for multiclass), by the positive-class rule of every gate."""
    from pytest_mlgate.stats.metrics import positive_class

    outputs = _inputs.model_outputs(model, X, y_score=y_score, need_pred=False, need_proba=True)
    proba = outputs.score
    assert proba is not None
    _inputs.same_length(y=y, probabilities=proba)
    if np.any((proba < 0) | (proba > 1)):
        raise GateError("calibration needs probabilities in [0, 1]; the scores given lie outside it "
                        "(pass predict_proba's output, not decision_function's)")
    classes = outputs.classes if outputs.classes is not None else np.unique(y)
    if proba.ndim == 1:
        if classes.size > 2:
            raise GateError(f"y has {classes.size} classes but the probabilities are one column; pass the "
                            "(rows x classes) probabilities")
        if classes.size < 2 and outputs.classes is None:
            raise GateError(f"y has a single class ({classes[0]!r}): pass a model (whose classes_ say which class "
                            "the probability is for) or labels of both classes")
    elif proba.shape[1] != classes.size:
        raise GateError(f"the probabilities have {proba.shape[1]} columns but there are {classes.size} classes "
                        f"({', '.join(map(str, classes[:10]))})")
    unknown = ~pd.Series(y).isin(classes).to_numpy()
    if unknown.any():
        raise GateError(f"y holds labels the model does not know (first {y[unknown][0]!r} at row "
                        f"{int(np.flatnonzero(unknown)[0])}); classes are {list(classes[:10])}")
    if proba.ndim == 2:
        return proba, classes, None
    positive = positive_class(classes, pos_label)
    proba = _inputs.positive_score(proba, outputs, positive, y)
    negative = [c for c in classes.tolist() if c != positive]
    return proba, np.array([*negative, positive], dtype=classes.dtype), positive


class CalibrationChecks(BaseGate):
    """``calibration``: ECE and Brier score of a classifier's probabilities."""

    @gate_check("calibration", "ece")
    def calibration(
        self,
        model: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        max_ece: float = 0.05,
        n_bins: int = 10,
        strategy: str = "uniform",
        max_brier: float | None = None,
        y_score: Any = None,
        y_true: Any = None,
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> list[GateResult]:
        """Expected calibration error (fails when its whole interval lies above ``max_ece``) and the Brier
        score (gated only with ``max_brier``). Binary models use the positive class's probability, multiclass
        ones the top-label confidence. Details hold the reliability table (bin, mean predicted, observed rate,
        count). Pass ``y_score=`` (probabilities) instead of a model to gate predictions made elsewhere.
        ``y_true=``, ``sample_weight=`` (weighted ECE and Brier score, in every resample too) and ``pos_label=``
        mean what they mean in :meth:`metrics`; a one-column ``y_score`` is the positive class's probability.
        """
        from pytest_mlgate.stats import calibration as cal
        from pytest_mlgate.stats.bootstrap import percentile_interval, replicates, upper_order_statistic

        settings, key = self.settings, self.recorder.key
        positive_int("n_bins", n_bins)
        if strategy not in ("uniform", "quantile"):
            raise GateError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}")
        check_limits("ece", None, max_ece)
        check_limits("brier", None, max_brier)
        y_true = _inputs.true_labels(y, y_true)
        weights = _inputs.sample_weights(sample_weight, y_true.size)
        proba, classes, positive = _probabilities(model, X, y_true, y_score, pos_label)
        data = cal.calibration_data(y_true, proba, classes)
        edges = cal.bin_edges(data.prob, n_bins, strategy)  # type: ignore[arg-type]
        ids = cal.bin_ids(data.prob, edges)
        ece = cal.expected_calibration_error(data.prob, data.outcome, ids, n_bins, weights)
        brier = float(np.average(data.brier_loss, weights=weights))
        debiased = cal.debiased_expected_calibration_error(data.prob, data.outcome, ids, n_bins, weights)
        brier_parts: list[np.ndarray] = []

        def statistic(counts: np.ndarray) -> np.ndarray:
            brier_parts.append(cal.mean_batch(data.brier_loss, counts if weights is None else counts * weights))
            return cal.debiased_ece_batch(data.prob, data.outcome, ids, n_bins, counts, weights)

        reps = replicates(statistic, y_true.size, settings.n_resamples, settings.seed_for(key, "calibration"))
        # The lower end decides a failure, so it must hold whatever the shape of the miscalibration: the largest
        # of six bounds of signed gaps (cal.signed_gap_lower_bound). The upper end is the percentile end of the
        # debiased ECE (Kumar et al. 2019), whose replicates sit above the debiased value, as a pass should. q_hi is
        # an order statistic, not an interpolated percentile, whose Monte Carlo noise lifts a 1% tail's misses to
        # 1.09% at 1,000 resamples. See docs/model_validation.md for the simulations.
        tail = (1.0 - settings.confidence) / 2.0
        bound = cal.signed_gap_lower_bound(data.prob, data.outcome, ids, n_bins, tail,
                                           settings.seed_for(key, "calibration-split"), weights)
        q_hi = min(max(upper_order_statistic(reps, settings.confidence), 0.0), 1.0)
        ece_interval = (min(bound.lower, q_hi), q_hi)
        brier_interval = percentile_interval(np.concatenate(brier_parts), settings.confidence)
        table = cal.reliability_table(data.prob, data.outcome, ids, edges, weights)
        worst = sorted(table, key=lambda row: -row["count"] * abs(row["observed_rate"] - row["mean_predicted"]))[:3]
        worst_text = "; ".join(
            f"[{fmt(r['lower'], 2)}, {fmt(r['upper'], 2)}]: predicted {fmt(r['mean_predicted'], 3)}, observed "
            f"{fmt(r['observed_rate'], 3)} (n={r['count']})" for r in worst)
        computed = computed_details(positive, weights)
        details = {"n_bins": n_bins, "strategy": strategy, "view": data.view,
                   "brier": brier, "n_resamples": settings.n_resamples, "debiased_ece": debiased,
                   "interval": "lower end: the largest of six one-sided bounds (each at tail / 6) of signed bin "
                               "gaps, which the ECE is at least whatever their signs; upper end: percentile end of "
                               "the debiased ECE's bootstrap (Kumar et al. 2019; the order statistic of rank "
                               "ceil((B + 1) (1 - tail)))",
                   "lower_end_signs": bound.signs,
                   **computed}
        ece_result = threshold_result(
            FAMILY, "calibration", "ece", ece, maximum=max_ece, interval=ece_interval, n=int(y_true.size),
            confidence=settings.confidence,
            hint=f"recalibrate the model (sklearn.calibration.CalibratedClassifierCV with method='isotonic' or "
                 f"'sigmoid', fitted on held-out data). Worst bins: {worst_text}.",
            details=details,
        )
        ece_result = replace(ece_result, record=ReliabilityTable(tuple(ReliabilityBin(**row) for row in table)))
        if not ece_interval[0] <= ece <= ece_interval[1]:
            ece_result = replace(ece_result, message=ece_result.message + (
                f"\n  Note: the plug-in ECE is biased upward when bins hold few rows; the interval's upper end "
                f"comes from the debiased ECE ({fmt(debiased)}) and its lower end from signed bin gaps, neither "
                f"of which carries that bias, so the interval can lie below the plug-in value."))
        brier_result = threshold_result(
            FAMILY, "calibration", "brier", brier, maximum=max_brier, interval=brier_interval, n=int(y_true.size),
            confidence=settings.confidence,
            hint="the probabilities are far from the outcomes: improve the model or recalibrate it.",
            details={"view": data.view, "n_resamples": settings.n_resamples, **computed},
        )
        notes = computed_notes(None, positive, weights)
        return [computed_with(ece_result, notes), computed_with(brier_result, notes)]
