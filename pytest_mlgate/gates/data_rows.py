"""The result builders the data checks share between the in-memory path (:mod:`.drift`, :mod:`.integrity`) and
the engine-table path (:mod:`.scale`): drift rows and verdicts, missing/duplicates/leakage results. Below all
three, so the messages and verdicts read the same whichever path computed the counts."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from pytest_mlgate._frames import EXAMPLES, _names, _rows
from pytest_mlgate._validate import pct as _pct
from pytest_mlgate.gates.base import DATA_QUALITY
from pytest_mlgate.records import DriftColumn, DriftOverview
from pytest_mlgate.results import GateError, GateResult, fmt, hide_our_frames, json_safe
from pytest_mlgate.stats import drift as stats
from pytest_mlgate.stats.multitest import adjust

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = DATA_QUALITY


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
            message=line, record=DriftColumn.from_details(row),
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
                                  },
                         record=DriftOverview(tuple(DriftColumn.from_details(r) for r in json_safe(ordered))))
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


def missing_result(column: Any, count: int, n: int, limit: float, rows: np.ndarray | None) -> GateResult:
    """One column's verdict from its missing count (``rows``: where they are, when the data has an order)."""
    fraction = count / n
    failed = fraction > limit
    message = (f"{FAMILY}.missing {column!r}: {count} of {n} values missing ({_pct(fraction)}), "
               f"allowed at most {_pct(limit)}")
    if failed:
        allow = fmt(math.ceil(fraction * 1e4) / 1e4)
        where = f"; first missing at rows {_rows(rows)}" if rows is not None else ""
        message += (f"{where}.\n  What to do: fix the source or impute before this point, or allow them with "
                    f"max_fraction={allow}.")
    else:
        message += ": ok."
    return GateResult(FAMILY, "missing", str(column), "fail" if failed else "pass", value=fraction,
                      limit=limit, comparison="<=", n=n, message=message,
                      details={"missing": count, "first_rows": [] if rows is None else rows[:EXAMPLES].tolist()})


def duplicates_result(count: int, n: int, limit: float, columns: list[Any], all_columns: bool,
                      examples: list[dict[str, int]]) -> GateResult:
    fraction = count / n
    failed = fraction > limit
    on = "all columns" if all_columns else f"columns {_names(columns)}"
    message = (f"{FAMILY}.duplicates: {count} of {n} rows ({_pct(fraction)}) repeat an earlier row on {on}, "
               f"allowed at most {_pct(limit)}")
    if failed:
        shown = "; e.g. " + ", ".join(f"row {e['row']} = row {e['first']}" for e in examples) if examples else ""
        message += (f"{shown}.\n  What to do: drop them (df.drop_duplicates()) or find the join that "
                    "multiplies rows; if repeats are legitimate, compare on a key with subset=[...] "
                    "or raise max_fraction.")
    else:
        message += ": ok."
    return GateResult(FAMILY, "duplicates", "rows", "fail" if failed else "pass", value=fraction, limit=limit,
                      comparison="<=", n=n, message=message,
                      details={"duplicates": count, "columns": [str(c) for c in columns], "examples": examples})


def leakage_result(count: int, n: int, n_train: int, limit: float, columns: list[Any], all_columns: bool,
                   examples: list[dict[str, int]]) -> GateResult:
    fraction = count / n
    failed = fraction > limit
    on_text = f"all {len(columns)} columns" if all_columns else f"columns {_names(columns)}"
    message = (f"{FAMILY}.leakage: {count} of {n} test rows ({_pct(fraction)}) also occur in train "
               f"(compared on {on_text}), allowed at most {_pct(limit)}")
    if failed:
        shown = ("; e.g. " + ", ".join(f"test row {e['test_row']} = train row {e['train_row']}" for e in examples)
                 if examples else "")
        message += (f"{shown}.\n  What to do: split so that no row (or entity: group or time) is on both "
                    "sides, e.g. deduplicate before splitting or use GroupKFold; the test score is inflated otherwise.")
    else:
        message += ": ok."
    return GateResult(FAMILY, "leakage", "test", "fail" if failed else "pass", value=fraction, limit=limit,
                      comparison="<=", n=n, message=message,
                      details={"leaked": count, "n_train": n_train, "columns": [str(c) for c in columns],
                               "examples": examples})
