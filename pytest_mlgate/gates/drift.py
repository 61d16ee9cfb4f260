"""Drift between reference and current data, per column: KS or chi-square with an effect size, the missing-value
rate compared separately, p-values corrected across the columns: ``data_gate.drift``."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate._frames import _columns, _frame, _names, column_kind
from pytest_mlgate._validate import pct as _pct
from pytest_mlgate._validate import positive_int
from pytest_mlgate.gates.base import ALPHA, DATA_QUALITY, BaseGate, gate_check
from pytest_mlgate.gates.data_rows import (
    _categorical_row,
    _kind_text,
    drift_columns,
    drift_verdicts,
    missing_rate_fields,
)
from pytest_mlgate.gates.profile_format import Summary, is_profile, load_profile
from pytest_mlgate.gates.profiles import _summarize
from pytest_mlgate.results import (
    GateError,
    GateResult,
    ci_text,
    fmt,
    hide_our_frames,
    interval_text,
    is_number,
    json_safe,
    percent,
)
from pytest_mlgate.stats import drift as stats
from pytest_mlgate.stats.multitest import CORRECTIONS, Correction

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = DATA_QUALITY
#: drift defaults: a column drifts only when its change is both significant and at least this large
DRIFT_ALPHA = ALPHA  # family-wise over a call's columns; 0.05 gave 4% false alarms at 1,000 rows (docs/verdicts.md)
MIN_WASSERSTEIN = 0.1  # Wasserstein distance / reference std: a shift of a tenth of a standard deviation
MIN_JENSEN_SHANNON = 0.1  # Jensen-Shannon distance (base 2, 0..1) between category distributions
MIN_MISSING_CHANGE = 0.02  # absolute change of a column's missing-value rate: two percentage points
MAX_THREADS = 8


def check_drift_settings(alpha: Any, correction: Any, threads: Any, min_wasserstein: Any, min_jensen_shannon: Any,
                         min_missing_change: Any) -> None:
    if not (is_number(alpha) and 0 < alpha < 1):
        raise GateError(f"alpha must be between 0 and 1, got {alpha!r}")
    if threads is not None:
        positive_int("threads", threads, note=" (or None for one per CPU core)")
    if correction not in CORRECTIONS:
        raise GateError(f"correction must be one of {', '.join(map(repr, CORRECTIONS))}, got {correction!r}")
    for label, value in (("min_wasserstein", min_wasserstein), ("min_jensen_shannon", min_jensen_shannon),
                         ("min_missing_change", min_missing_change)):
        if not is_number(value) or not value >= 0:
            raise GateError(f"{label} must be a number >= 0, got {value!r}")


@dataclass(frozen=True)
class KsChi2Options:
    """scipy's options for the per-column tests: ks_2samp's ``alternative``/``method``, chi2_contingency's
    ``correction`` (Yates', 2 x 2 tables only)."""

    alternative: str = "two-sided"
    method: str = "auto"
    correction: bool = True


def _compare_column(column: Any, ref_entry: tuple[str, str, Summary | None], ref_frame: pd.DataFrame | None,
                    series: pd.Series, min_wasserstein: float, min_jensen_shannon: float,
                    options: KsChi2Options = KsChi2Options()) -> dict[str, Any]:
    """One column's tests and effect sizes (KS p-values for large samples are filled in later, vectorized)."""
    ref_kind, ref_dtype, ref_summary = ref_entry
    cur_kind = column_kind(series, "current")
    if cur_kind != ref_kind and not series.isna().all():
        raise GateError(f"column {column!r} is {_kind_text(ref_kind)} in reference ({ref_dtype}) but "
                        f"{_kind_text(cur_kind)} in current ({series.dtype}); make the types agree "
                        "(e.g. pd.to_numeric or .astype(str)) before comparing")
    if ref_summary is None:
        assert ref_frame is not None
        ref_summary = _summarize(ref_frame[column], "reference", ref_kind)
    if ref_summary.n == 0:
        raise GateError(f"column {column!r} is entirely missing in reference ({ref_summary.n_missing} rows): "
                        "there is no distribution to compare against; drop it from columns=[...] or fix the data")
    cur_summary = _summarize(series, "current", ref_kind) if cur_kind == ref_kind else None
    n_cur_missing = cur_summary.n_missing if cur_summary is not None else len(series)
    row: dict[str, Any] = {"column": json_safe(column), "kind": ref_kind, "n_reference": ref_summary.n,
                           "n_current": len(series) - n_cur_missing}
    if cur_summary is not None and cur_summary.n > 0:
        if isinstance(ref_summary, stats.NumericSummary):
            assert isinstance(cur_summary, stats.NumericSummary)
            comparison = _numeric_row(row, ref_summary, cur_summary, min_wasserstein)
            if options.alternative != "two-sided" or options.method != "auto":
                row["statistic"], row["p_value"] = stats.ks_test(ref_summary, cur_summary, comparison,
                                                                 alternative=options.alternative,
                                                                 method=options.method)
                row.update(alternative=options.alternative, method=options.method)
            elif stats.uses_exact(ref_summary.n, cur_summary.n):
                row["statistic"], row["p_value"] = stats.ks_exact(ref_summary, cur_summary, row["statistic"])
        else:
            assert isinstance(cur_summary, stats.CategoricalSummary)
            _categorical_row(row, ref_summary, cur_summary, min_jensen_shannon, options.correction)
    else:
        row.update(test=None, statistic=None, p_value=None, effect=None, effect_size=None, min_effect=None)
    missing_rate_fields(row, ref_summary.n_missing, ref_summary.n + ref_summary.n_missing, n_cur_missing,
                        len(series), correction=options.correction)
    return row


def _numeric_row(row: dict[str, Any], ref: stats.NumericSummary, cur: stats.NumericSummary,
                 minimum: float) -> stats.NumericComparison:
    comparison = stats.compare_numeric(ref, cur)
    spread = ref.std()
    # a constant reference column: any change at all is infinitely many of its (zero) standard deviations
    effect = comparison.wasserstein / spread if spread > 0 else (math.inf if comparison.wasserstein > 0 else 0.0)
    row.update(test="ks", statistic=comparison.statistic, effect="wasserstein/std", effect_size=effect,
               min_effect=minimum, wasserstein=comparison.wasserstein, reference_std=spread, psi=comparison.psi,
               distribution={"edges": comparison.edges.tolist(), "reference": comparison.ref_counts.tolist(),
                             "current": comparison.cur_counts.tolist()})
    return comparison


def aa_verdict(rows: list[dict[str, Any]], n_first: int, n_second: int, config: dict[str, Any]) -> dict[str, Any]:
    """The A/A check: the reference's first half against its second (stored order), each column judged by the
    per-column rule at ``alpha`` without the correction (p < alpha and the effect at the floor). With independent
    rows a column is flagged with probability at most ``alpha``; the check is unreliable when the count flagged
    is itself significant, ``P(Binomial(k, alpha) >= flagged) <= alpha``."""
    from scipy.stats import binom

    judged = drift_verdicts(rows, n_first, n_second, {**config, "correction": "none"}, from_profile=False)[1:]
    flagged = [r.subject for r in judged if r.failed]
    k, alpha = len(judged), config["alpha"]
    tail = float(binom.sf(len(flagged) - 1, k, alpha)) if flagged else 1.0
    return {"split": "first half vs second half of the reference, in its stored order", "n_first": n_first,
            "n_second": n_second, "columns": k, "flagged": len(flagged), "flagged_columns": flagged,
            "rate": len(flagged) / k if k else 0.0, "alpha": alpha, "binomial_p": tail,
            "reliable": not (flagged and tail <= alpha)}


def apply_aa_check(results: list[GateResult], aa: dict[str, Any]) -> list[GateResult]:
    """Add the A/A check to the dataset result. When it is unreliable, failures become warnings that say why; when
    it is reliable overall, a column whose own halves differ is still not judged by an i.i.d. test (a trend or
    autocorrelation in that column): its failure becomes a warning too, and so does the dataset's when no other
    column failed."""
    from dataclasses import replace

    rate = f"{aa['flagged']} of {aa['columns']} columns ({_pct(aa['rate'])})"
    flagged = set(aa["flagged_columns"])
    if aa["reliable"]:
        note = (f"\n  A/A check: the reference's halves (stored order) differ by the per-column rule in {rate}, "
                f"no more than independent rows would at alpha {fmt(aa['alpha'])}.")
        if flagged:
            note += (f" The flagged column(s) ({', '.join(map(str, sorted(flagged, key=str)))}) differ from "
                     "themselves, so their tests' p-values overstate the evidence: a failure of theirs is a warning.")
    else:
        note = (f"\n  A/A check: the reference's own halves (stored order) differ by the per-column rule in {rate}, "
                f"far above alpha {fmt(aa['alpha'])} (binomial p={fmt(aa['binomial_p'], 3)}): the rows are not "
                "independent (time order, autocorrelation, batches), so the tests' p-values overstate the evidence "
                "and this verdict is a warning, not a failure.\n  What to do: compare with a reference drawn the way "
                "current is (the same period length, a random sample of rows), or judge by the effect sizes alone "
                "(min_wasserstein=, min_jensen_shannon=).")
    column_note = ("\n  A/A check: this column's own reference halves (stored order) differ by the same rule: its "
                   "rows are not independent (a trend, autocorrelation), so this verdict is a warning, not a failure.")
    others_failed = any(r.status == "fail" and r.subject not in flagged for r in results[1:])
    out = []
    for i, result in enumerate(results):
        if i == 0:
            soften = not aa["reliable"] or not others_failed
            details, message = {**result.details, "aa_check": aa}, result.message + note
        else:
            soften = not aa["reliable"] or result.subject in flagged
            details = dict(result.details)
            message = result.message + (column_note if aa["reliable"] and result.subject in flagged else "")
        status = "warn" if result.status == "fail" and soften else result.status
        out.append(replace(result, status=status, message=message, details=details))
    return out


def equivalence_results(rows: list[dict[str, Any]], ref_frame: pd.DataFrame, cur_frame: pd.DataFrame,
                        config: dict[str, Any], settings: Any, seed: int) -> list[GateResult]:
    """``mode="equivalence"``: each column passes only when the upper end of its effect size's interval (at
    ``1 - 2 alpha``, both samples resampled) lies below the floor, and its missing-rate change's interval lies
    within +-``min_missing_change``. Every column must pass on its own, so no correction is needed (an
    intersection-union test: the dataset's claim "nothing moved" is wrong at most at rate alpha)."""
    from scipy.special import ndtri

    alpha = config["alpha"]
    confidence = 1.0 - 2.0 * alpha
    z = float(ndtri(1.0 - alpha))
    per_column = []
    for i, row in enumerate(rows):
        column = row["column"]
        if row["test"] is None:
            interval, shown = (math.inf, math.inf), False
        else:
            ref = _summarize(ref_frame[column], "reference", row["kind"])
            cur = _summarize(cur_frame[column], "current", row["kind"])
            if row["test"] == "ks":
                assert isinstance(ref, stats.NumericSummary) and isinstance(cur, stats.NumericSummary)
                reps = stats.wasserstein_effect_replicates(ref, cur, settings.n_resamples, seed + i)
            else:
                assert isinstance(ref, stats.CategoricalSummary) and isinstance(cur, stats.CategoricalSummary)
                categories = sorted(set(ref.counts) | set(cur.counts))
                reps = stats.jensen_shannon_replicates(
                    np.array([ref.counts.get(k, 0) for k in categories], dtype=float),
                    np.array([cur.counts.get(k, 0) for k in categories], dtype=float), settings.n_resamples, seed + i)
            finite = reps[np.isfinite(reps)]
            upper = float(np.quantile(finite, confidence + alpha)) if finite.size == reps.size else math.inf
            interval = (float(np.quantile(finite, alpha)) if finite.size else math.inf, upper)
            shown = upper < row["min_effect"]
        n_ref, n_cur = row["n_reference"] + 0, row["n_current"] + 0
        p1, p2 = row["missing_reference"], row["missing_current"]
        se = math.sqrt(p1 * (1 - p1) / max(len(ref_frame), 1) + p2 * (1 - p2) / max(len(cur_frame), 1))
        missing_interval = (row["missing_change"] - z * se, row["missing_change"] + z * se)
        missing_ok = max(abs(missing_interval[0]), abs(missing_interval[1])) < config["min_missing_change"]
        passed = shown and missing_ok
        row = {**row, "effect_interval": list(interval), "missing_change_interval": list(missing_interval),
               "equivalent": passed}
        effect = row.get("effect") or "effect"
        why = [] if shown else [f"{effect} interval reaches {fmt(interval[1])} >= floor {fmt(row.get('min_effect'))}"]
        if not missing_ok:
            why.append(f"missing-rate change interval {interval_text(missing_interval)} "
                       f"reaches +-{fmt(config['min_missing_change'])}")
        message = (f"  {column!s}: {effect}={fmt(row.get('effect_size'))} ("
                   f"{ci_text(interval, confidence)}, floor {fmt(row.get('min_effect'))}), "
                   f"n={n_ref} vs {n_cur}: " + ("shown not to have moved" if passed else "; ".join(why)))
        per_column.append(GateResult(
            FAMILY, "drift_equivalence", str(column), "pass" if passed else "fail", value=row.get("effect_size"),
            limit=row.get("min_effect"), comparison="<", interval=interval if math.isfinite(interval[1]) else None,
            n=row["n_current"], message=message, details=json_safe(row)))
    unshown = [r.subject for r in per_column if r.failed]
    head = (f"{FAMILY}.drift_equivalence: {len(per_column) - len(unshown)} of {len(per_column)} columns shown not to "
            f"have moved (each effect's {percent(confidence)} interval below its floor: Wasserstein/std < "
            f"{fmt(config['min_wasserstein'])}, Jensen-Shannon < {fmt(config['min_jensen_shannon'])}, missing rate "
            f"within +-{_pct(config['min_missing_change'])}; reference n={len(ref_frame)}, current n={len(cur_frame)})")
    if unshown:
        head += (f": not shown for {_names(unshown)}.\n  What to do: more rows narrow the intervals; a column whose "
                 "effect itself is near the floor has moved, or the floor is too strict for this use.")
    else:
        head += ": ok."
    summary = GateResult(FAMILY, "drift_equivalence", "dataset", "fail" if unshown else "pass", value=len(unshown),
                         limit=0, comparison="<=", n=len(cur_frame), message=head,
                         details={**config, "mode": "equivalence", "not_shown": json_safe(unshown),
                                  "n_resamples": settings.n_resamples})
    return [summary, *per_column]


class DriftChecks(BaseGate):
    """``drift``: has current data drifted from the reference (a DataFrame or a profile)?"""

    @gate_check("drift", "dataset")
    def drift(
        self,
        reference: Any,
        current: Any,
        *,
        columns: Any = None,
        alpha: float | None = None,
        correction: Correction = "holm",
        min_wasserstein: float = MIN_WASSERSTEIN,
        min_jensen_shannon: float = MIN_JENSEN_SHANNON,
        min_missing_change: float = MIN_MISSING_CHANGE,
        threads: int | None = None,
        alternative: str = "two-sided",
        method: str = "auto",
        chi2_correction: bool = True,
        aa_check: bool = False,
        mode: str = "drift",
    ) -> list[GateResult]:
        """Has ``current`` drifted from ``reference`` (a DataFrame or a saved :meth:`profile`)?

        Per column: Kolmogorov-Smirnov (numeric; as scipy.stats.ks_2samp) or chi-square (categorical; unseen
        categories reported), plus an effect size, and the missing-value rate compared separately. p-values are
        corrected across all the tests (``correction="holm"``, or ``"bh"``); a column drifts when its corrected
        p-value is below ``alpha`` (default: the ini key ``mlgate_alpha``, 0.01, spent family-wise over the
        columns) **and** its effect reaches the minimum, so a huge
        sample does not flag changes too small to matter. One result per column and one for the dataset.
        Columns are compared in ``threads`` threads (default: one per CPU core, at most 8).

        ``aa_check=True`` first compares the reference's two halves (in their stored order) by the same
        per-column rule: when it flags far more columns than ``alpha`` allows (time-ordered or autocorrelated
        rows, where the tests' p-values overstate the evidence), failures become warnings and the result says
        why. ``mode="equivalence"`` asks the opposite question: a column passes only when the interval of its
        effect size lies wholly below the floor (``min_wasserstein`` / ``min_jensen_shannon``), i.e. the data
        show it did not move; both need a reference DataFrame, not a profile.
        """
        from pytest_mlgate.gates import scale

        alpha = self.settings.alpha if alpha is None else alpha
        if alternative not in stats.KS_ALTERNATIVES or method not in stats.KS_METHODS:
            raise GateError(f"alternative must be one of {', '.join(stats.KS_ALTERNATIVES)} and method one of "
                            f"{', '.join(stats.KS_METHODS)} (scipy.stats.ks_2samp's), got {alternative!r}, {method!r}")
        if not isinstance(chi2_correction, bool):
            raise GateError(f"chi2_correction must be True or False, got {chi2_correction!r}")
        check_drift_settings(alpha, correction, threads, min_wasserstein, min_jensen_shannon, min_missing_change)
        if mode not in ("drift", "equivalence"):
            raise GateError(f"mode must be 'drift' or 'equivalence', got {mode!r}")
        if not isinstance(aa_check, bool):
            raise GateError(f"aa_check must be True or False, got {aa_check!r}")
        if (aa_check or mode == "equivalence") and (scale.wants_binned(reference, current) or is_profile(reference)):
            what = "aa_check" if aa_check else "mode='equivalence'"
            raise GateError(f"{what} needs the reference rows: pass the reference DataFrame, not a profile or "
                            "binned summary")
        if scale.wants_binned(reference, current):
            return scale.check_binned_drift(reference, current, columns=columns, alpha=alpha, correction=correction,
                                            min_wasserstein=min_wasserstein, min_jensen_shannon=min_jensen_shannon,
                                            min_missing_change=min_missing_change)
        cur_frame = _frame(current, "current")
        ref_columns: dict[Any, tuple[str, str, Summary | None]]
        if is_profile(reference):
            loaded = load_profile(reference)
            n_ref_rows, ref_columns = loaded.n_rows, dict(loaded.columns)
            ref_frame = None
        elif isinstance(reference, Mapping) and "columns" in reference and "format" not in reference:
            raise GateError("reference looks like a profile without its 'format' key; pass the object "
                            "data_gate.profile(df) returned (or the DataFrame itself)")
        else:
            ref_frame = _frame(reference, "reference")
            n_ref_rows = len(ref_frame)
            ref_columns = {c: (column_kind(ref_frame[c], "reference"), str(ref_frame[c].dtype), None)
                           for c in ref_frame.columns}
        selected = drift_columns(ref_columns, cur_frame.columns, columns,
                                 lambda names: _columns(cur_frame, names, "current"))

        def compare(column: Any) -> dict[str, Any]:
            return _compare_column(column, ref_columns[column], ref_frame, cur_frame[column], min_wasserstein,
                                   min_jensen_shannon, options)

        options = KsChi2Options(alternative, method, chi2_correction)

        workers = min(len(selected), threads or os.cpu_count() or 1, MAX_THREADS)
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:  # numpy's sorts and searches release the GIL
                try:
                    rows = list(pool.map(compare, selected))
                except GateError as exc:  # raised again here: the traceback ends at the user's line, not in the pool
                    raise GateError(str(exc)) from None
        else:
            rows = [compare(column) for column in selected]
        config = {"alpha": alpha, "correction": correction, "min_wasserstein": min_wasserstein,
                  "min_jensen_shannon": min_jensen_shannon, "min_missing_change": min_missing_change}
        if mode == "equivalence":
            assert ref_frame is not None
            return equivalence_results(rows, ref_frame, cur_frame, config, self.settings,
                                       self.settings.seed_for(self.recorder.key, "drift-equivalence"))
        results = drift_verdicts(rows, n_ref_rows, len(cur_frame), config, from_profile=ref_frame is None)
        if aa_check:
            assert ref_frame is not None
            half = n_ref_rows // 2
            if half < 2:
                raise GateError(f"aa_check needs a reference of at least 4 rows to split in halves, got {n_ref_rows}")
            first, second = ref_frame.iloc[:half], ref_frame.iloc[half:]
            aa_rows = [_compare_column(c, ref_columns[c], first, second[c], min_wasserstein, min_jensen_shannon,
                                       options) for c in selected]
            aa = aa_verdict(aa_rows, half, n_ref_rows - half, config)
            results = apply_aa_check(results, aa)
        return results
