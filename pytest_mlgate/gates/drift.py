"""Drift between reference and current data, per column: KS or chi-square with an effect size, the missing-value
rate compared separately, p-values corrected across the columns: ``data_gate.drift``."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate._frames import _columns, _frame, _names, column_kind
from pytest_mlgate._validate import pct as _pct
from pytest_mlgate._validate import positive_int
from pytest_mlgate.gates.base import ALPHA, DATA_QUALITY, BaseGate, gate_check
from pytest_mlgate.gates.profiles import Summary, _summarize, is_profile, load_profile
from pytest_mlgate.results import GateError, GateResult, fmt, hide_our_frames, is_number, json_safe
from pytest_mlgate.stats import drift as stats
from pytest_mlgate.stats.multitest import CORRECTIONS, Correction, adjust

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = DATA_QUALITY
#: drift defaults: a column drifts only when its change is both significant and at least this large
DRIFT_ALPHA = ALPHA  # family-wise over a call's columns; 0.05 gave 4% false alarms at 1,000 rows (docs/verdicts.md)
MIN_WASSERSTEIN = 0.1  # Wasserstein distance / reference std: a shift of a tenth of a standard deviation
MIN_JENSEN_SHANNON = 0.1  # Jensen-Shannon distance (base 2, 0..1) between category distributions
MIN_MISSING_CHANGE = 0.02  # absolute change of a column's missing-value rate: two percentage points
MAX_THREADS = 8


def drift_columns(reference: Collection[Any], current: Collection[Any], columns: Any,
                  select: Callable[[Any], list[Any]], *, what: str = "frames") -> list[Any]:
    """The columns drift compares: every column (both sides must have the same ones) or ``columns``, which
    ``select`` checks against current's and which reference must have too. Shared with the binned path."""
    if columns is None:
        only_ref = [c for c in reference if c not in current]
        only_cur = [c for c in current if c not in reference]
        if only_ref or only_cur:
            parts = [f"missing from current: {_names(only_ref)}" if only_ref else "",
                     f"missing from reference: {_names(only_cur)}" if only_cur else ""]
            raise GateError(f"the {what} have different columns ({'; '.join(p for p in parts if p)}); fix the data, "
                            "or compare the shared ones with columns=[...]")
        return list(reference)
    selected = select(columns)
    absent = [c for c in selected if c not in reference]
    if absent:
        raise GateError(f"columns missing from reference: {_names(absent)}")
    return selected


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


def drift_verdicts(rows: list[dict[str, Any]], n_ref_rows: int, n_cur_rows: int, config: dict[str, Any],
                   *, from_profile: bool) -> list[GateResult]:
    """KS p-values for large samples (vectorized), the correction across every test, and each column's verdict:
    shared by the exact and the binned paths."""
    alpha, correction, min_missing_change = config["alpha"], config["correction"], config["min_missing_change"]
    tests: list[tuple[int, str]] = []  # (row index, "distribution" | "missing")
    asymptotic: list[tuple[int, float, int, int]] = []
    for i, row in enumerate(rows):
        if row["test"] is not None:
            tests.append((i, "distribution"))
            if row["test"] == "ks" and row.get("p_value") is None:
                asymptotic.append((i, row["statistic"], row["n_reference"], row["n_current"]))
        if row.get("missing_p_value") is not None:
            tests.append((i, "missing"))
    p_values: list[float] = []
    if asymptotic:
        index, d, n1, n2 = (np.array(v) for v in zip(*asymptotic, strict=True))
        for i, p in zip(index.tolist(), stats.ks_pvalues(d, n1, n2).tolist(), strict=True):
            rows[i]["p_value"] = p
    for i, which in tests:
        p_values.append(rows[i]["p_value" if which == "distribution" else "missing_p_value"])
    adjusted = adjust(np.array(p_values, dtype=float), correction).tolist()
    for (i, which), p_adj in zip(tests, adjusted, strict=True):
        rows[i]["p_adjusted" if which == "distribution" else "missing_p_adjusted"] = p_adj
    for row in rows:
        distribution = (row.get("p_adjusted") is not None and row["p_adjusted"] < alpha
                        and row["effect_size"] >= row["min_effect"])
        missing = (row.get("missing_p_adjusted") is not None and row["missing_p_adjusted"] < alpha
                   and abs(row["missing_change"]) >= min_missing_change)
        row["drifted"] = bool(distribution or missing)
        row["reasons"] = [r for r, hit in (("distribution", distribution), ("missing rate", missing)) if hit]
    return _drift_results(rows, n_ref_rows, n_cur_rows, config, from_profile=from_profile)


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


def missing_rate_fields(row: dict[str, Any], ref_missing: int, ref_total: int, cur_missing: int,
                        cur_total: int, *, correction: bool = True) -> None:
    """The missing-value rates of both sides, their change, and the test of equal rates (when any is missing)."""
    row["missing_reference"] = ref_missing / ref_total
    row["missing_current"] = cur_missing / cur_total
    row["missing_change"] = row["missing_current"] - row["missing_reference"]
    if ref_missing or cur_missing:
        row["missing_p_value"] = stats.missing_rate_pvalue(ref_missing, ref_total, cur_missing, cur_total,
                                                           correction=correction)


def _kind_text(kind: str) -> str:
    return "numeric" if kind == "numeric" else "categorical/text"


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


def _categorical_row(row: dict[str, Any], ref: stats.CategoricalSummary, cur: stats.CategoricalSummary,
                     minimum: float, correction: bool = True) -> None:
    comparison = stats.compare_categorical(ref, cur, correction=correction)
    unseen = [(k, int(c)) for k, c in zip(comparison.categories, comparison.cur_counts.tolist(), strict=True)
              if k not in ref.counts]
    unseen.sort(key=lambda kc: -kc[1])
    row.update(test="chi2", statistic=comparison.statistic, dof=comparison.dof, p_value=comparison.p_value,
               effect="jensen_shannon", effect_size=comparison.jensen_shannon, min_effect=minimum,
               n_unseen_categories=len(unseen), unseen_rows=sum(c for _, c in unseen),
               unseen_categories=[{"category": k, "count": c} for k, c in unseen[:20]],
               n_categories_reference=len(ref.counts), n_categories_current=len(cur.counts),
               distribution=_top_categories(comparison))


def _top_categories(comparison: stats.CategoricalComparison, limit: int = 20) -> dict[str, Any]:
    """The most frequent categories (both sides pooled), the rest summed as "(other)": what a report draws."""
    order = np.argsort(-(comparison.ref_counts + comparison.cur_counts), kind="stable")
    keep, rest = order[:limit], order[limit:]
    categories = [comparison.categories[i] for i in keep]
    reference, current = comparison.ref_counts[keep].tolist(), comparison.cur_counts[keep].tolist()
    if rest.size:
        categories.append("(other)")
        reference.append(int(comparison.ref_counts[rest].sum()))
        current.append(int(comparison.cur_counts[rest].sum()))
    return {"categories": categories, "reference": reference, "current": current}


def _drift_results(rows: list[dict[str, Any]], n_ref: int, n_cur: int, config: dict[str, Any],
                   *, from_profile: bool) -> list[GateResult]:
    method = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "uncorrected"}[config["correction"]]
    order = sorted(range(len(rows)), key=lambda i: (not rows[i]["drifted"], -(rows[i].get("effect_size") or 0.0)))
    ordered = [rows[i] for i in order]
    drifted = [r for r in ordered if r["drifted"]]
    per_column = []
    for row in ordered:
        line = _column_line(row, method)
        per_column.append(GateResult(
            FAMILY, "drift", str(row["column"]), "fail" if row["drifted"] else "pass",
            value=row.get("effect_size"), limit=row.get("min_effect"), comparison="<", n=row["n_current"],
            message=line, details=row,
        ))
    rule = (f"a column drifts when its {method}-corrected p-value < {fmt(config['alpha'])} and its effect reaches the "
            f"minimum (Wasserstein/std >= {fmt(config['min_wasserstein'])} numeric, Jensen-Shannon >= "
            f"{fmt(config['min_jensen_shannon'])} categorical, missing-rate change >= "
            f"{_pct(config['min_missing_change'])})")
    source = "reference profile" if from_profile else "reference"
    head = (f"{FAMILY}.drift: {len(drifted)} of {len(rows)} columns drifted ({source} n={n_ref}, current n={n_cur}; "
            f"{rule})")
    if drifted:
        head += f": {_names([r['column'] for r in drifted])}."
        steady = [r for r in ordered if not r["drifted"]]
        if steady:
            head += f" The other {len(steady)} columns are steady."
        head += ("\n  What to do: find what changed upstream for these columns (source, pipeline, population); if the "
                 "change is expected, retrain or refresh the reference (data_gate.profile(new_df)).")
    else:
        head += ": ok."
    summary = GateResult(FAMILY, "drift", "dataset", "fail" if drifted else "pass", value=len(drifted), limit=0,
                         comparison="<=", n=n_cur, message=head,
                         details={**config, "n_reference": n_ref, "n_current": n_cur, "from_profile": from_profile,
                                  "columns": json_safe(ordered)})
    return [summary, *per_column]


def _column_line(row: dict[str, Any], method: str) -> str:
    verdict = "DRIFTED" if row["drifted"] else "steady"
    short = {"Holm": "Holm", "Benjamini-Hochberg": "BH", "uncorrected": "uncorrected"}[method]
    parts = []
    if row["test"] == "ks":
        d = (f"D in [{fmt(row['statistic'])}, {fmt(row['statistic_upper'])}] (binned; p from the lower bound)"
             if "statistic_upper" in row else f"D={fmt(row['statistic'])}")
        parts.append(f"KS {d}, p={fmt(row['p_value'], 3)} ({short} {fmt(row['p_adjusted'], 3)}), "
                     f"Wasserstein/std={fmt(row['effect_size'])} (min {fmt(row['min_effect'])}), PSI={fmt(row['psi'])}")
    elif row["test"] == "chi2":
        parts.append(f"chi2={fmt(row['statistic'])} (dof {row['dof']}), p={fmt(row['p_value'], 3)} "
                     f"({short} {fmt(row['p_adjusted'], 3)}), Jensen-Shannon={fmt(row['effect_size'])} "
                     f"(min {fmt(row['min_effect'])})")
        if row["n_unseen_categories"]:
            shown = ", ".join(f"{u['category']!r} ({u['count']})" for u in row["unseen_categories"][:5])
            more = ", ..." if row["n_unseen_categories"] > 5 else ""
            parts.append(f"{row['n_unseen_categories']} categor{'y' if row['n_unseen_categories'] == 1 else 'ies'} "
                         f"unseen in reference, {row['unseen_rows']} rows: {shown}{more}")
    else:
        parts.append("every current value is missing: no distribution to compare")
    if row.get("missing_p_value") is not None:
        parts.append(f"missing {_pct(row['missing_reference'])} -> {_pct(row['missing_current'])} "
                     f"(p={fmt(row['missing_p_value'], 3)}, {short} {fmt(row['missing_p_adjusted'], 3)})")
    reasons = f" ({' and '.join(row['reasons'])})" if row["reasons"] else ""
    return f"  {row['column']!s}: {'; '.join(parts)}: {verdict}{reasons}"


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
    ) -> list[GateResult]:
        """Has ``current`` drifted from ``reference`` (a DataFrame or a saved :meth:`profile`)?

        Per column: Kolmogorov-Smirnov (numeric; as scipy.stats.ks_2samp) or chi-square (categorical; unseen
        categories reported), plus an effect size, and the missing-value rate compared separately. p-values are
        corrected across all the tests (``correction="holm"``, or ``"bh"``); a column drifts when its corrected
        p-value is below ``alpha`` (default: the ini key ``mlgate_alpha``, 0.01, spent family-wise over the
        columns) **and** its effect reaches the minimum, so a huge
        sample does not flag changes too small to matter. One result per column and one for the dataset.
        Columns are compared in ``threads`` threads (default: one per CPU core, at most 8).
        """
        from pytest_mlgate.gates import scale

        alpha = self.settings.alpha if alpha is None else alpha
        if alternative not in stats.KS_ALTERNATIVES or method not in stats.KS_METHODS:
            raise GateError(f"alternative must be one of {', '.join(stats.KS_ALTERNATIVES)} and method one of "
                            f"{', '.join(stats.KS_METHODS)} (scipy.stats.ks_2samp's), got {alternative!r}, {method!r}")
        if not isinstance(chi2_correction, bool):
            raise GateError(f"chi2_correction must be True or False, got {chi2_correction!r}")
        check_drift_settings(alpha, correction, threads, min_wasserstein, min_jensen_shannon, min_missing_change)
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
        return drift_verdicts(rows, n_ref_rows, len(cur_frame), config, from_profile=ref_frame is None)
