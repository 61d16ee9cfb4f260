"""Explanation drift: the top features by permutation importance against a stored baseline.

``baseline_gate.importance_ranking`` measures every feature's permutation importance (scikit-learn's meaning,
with an interval: :func:`pytest_mlgate.gates.lifecycle.importance_table`) and keeps them in the test's baseline
file, one entry per feature, under ``--mlgate-update-baselines``. A later run fails only when a feature enters or
leaves the stored top ``k`` *with evidence*:

- a stored top-k feature **leaves** when it is not in the current top k and its current interval lies wholly
  below the stored interval of the k-th stored feature (it is now less important than the weakest feature the top
  k had, beyond both intervals);
- a feature of the current top k that was not in the stored one **enters** when its current interval lies wholly
  above the stored interval of the k-th stored feature.

A feature that stays in the top k while its importance falls has neither entered nor left (``model_gate.importance``
with ``min=`` gates its level).

Two features tied at the k-th place trade places freely: a retrain with another seed on the same data does not
fail (docs/verdicts.md shows the false alarms by simulation).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from pytest_mlgate import baselines
from pytest_mlgate._validate import positive_int
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import BaseGate
from pytest_mlgate.records import ImportanceRanking, RankedFeature
from pytest_mlgate.results import GateError, GateResult, ci_text, fmt
from pytest_mlgate.stats.metrics import get_metric
from pytest_mlgate.stats.paired import rescale_interval

FAMILY = "baseline"
CHECK = "importance_ranking"


def _prefix(metric: str) -> str:
    return f"importance[{metric}]["


def entry_name(metric: str, feature: Any) -> str:
    """The key of one feature's importance in the baseline file's ``metrics``."""
    return f"{_prefix(metric)}{feature}]"


def _listing(rows: list[tuple[str, float, tuple[float, float]]], confidence: float) -> str:
    return "; ".join(f"{i}. {f} {fmt(v)} ({ci_text(iv, confidence)})" for i, (f, v, iv) in enumerate(rows, 1))


def _stored_entries(stored: baselines.Baseline, metric: str, top_k: int, data: dict[str, Any],
                    path: Path) -> dict[str, baselines.MetricBaseline]:
    """The stored importances in ``metric``, refused before any work when they cannot be compared."""
    prefix = _prefix(metric)
    entries = {k[len(prefix):-1]: e for k, e in stored.metrics.items() if k.startswith(prefix) and k.endswith("]")}
    if not entries:
        raise GateError(f"the baseline file {path} holds no importances in {metric} (it holds "
                        f"{', '.join(sorted(stored.metrics))}); use the metric it was written with, or rewrite it "
                        f"with {baselines.UPDATE_FLAG}")
    if top_k > len(entries):
        raise GateError(f"top_k={top_k} is more than the {len(entries)} features in {path}; pass a smaller "
                        f"top_k or rewrite the baseline with {baselines.UPDATE_FLAG}")
    differences = baselines.fingerprint_differences(stored.data, data)
    if differences:
        raise GateError(f"the baseline was computed on other data: {'; '.join(differences)} (baseline file "
                        f"{path}). Rank on the same evaluation data, or if it changed on purpose rewrite the "
                        f"baseline with {baselines.UPDATE_FLAG} and commit it")
    return entries


def _ranked(rows: list[tuple[str, float, tuple[float, float]]]) -> tuple[RankedFeature, ...]:
    return tuple(RankedFeature(f, v, iv) for f, v, iv in rows)


def importance_ranking(
    gate: BaseGate, model: Any, X: Any, y: Any, *, metric: Any, top_k: int, n_repeats: int,
    max_rows: int | None, name: str | None, sample_weight: Any = None, pos_label: Any = None,
) -> tuple[tuple[Path, baselines.Baseline, Path | None] | None, list[GateResult]]:
    """The check: returns what it would write under the update flag (``(path, baseline, legacy path)``, or
    ``None``) and its results. Reads the stored file, writes nothing."""
    from pytest_mlgate.gates.lifecycle import budget_text, importance_table

    settings, key, legacy_key = gate.settings, gate.recorder.key, gate.recorder.node_id
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise GateError(f"top_k must be a positive integer (how many top features the ranking keeps), got {top_k!r}")
    n_repeats = positive_int("n_repeats", n_repeats)
    if settings.baseline_dir is None:
        raise GateError("no baseline directory: run under pytest (mlgate_baseline_dir) or pass "
                        "GateSettings(baseline_dir=...) to the gate")
    file_name = "importance" if name is None else f"importance-{name}"
    path = baselines.baseline_path(settings.baseline_dir, key or "baseline", file_name)
    legacy = baselines.legacy_baseline_path(settings.baseline_dir, legacy_key, file_name) if legacy_key else None
    found = baselines.file_to_read(path, legacy)
    stored = None
    if not settings.update_baselines and (found.exists() or found.is_symlink()):
        stored = baselines.read_baseline(found)  # a broken file stops here, before any work
    m = get_metric(metric)
    if stored is not None and X is not None and getattr(X, "ndim", 2) == 2:
        columns = [str(c) for c in (X.columns if hasattr(X, "columns") else range(np.shape(X)[1]))]
        prefix = _prefix(m.name)
        gone = [k[len(prefix):-1] for k in stored.metrics if k.startswith(prefix) and k.endswith("]")
                and k[len(prefix):-1] not in columns]
        if gone:
            raise GateError(f"the stored ranking in {found} names feature(s) {gone} that X no longer has (its "
                            f"columns: {columns}); pass the same columns, or if they were dropped on purpose rewrite "
                            f"the baseline with {baselines.UPDATE_FLAG}, review it and commit it")
    y_true = _inputs.labels(y, "y")
    weights = _inputs.sample_weights(sample_weight, y_true.size)
    data = baselines.fingerprint(X, y_true, weights)
    stored_entries = None if stored is None else _stored_entries(stored, m.name, top_k, data, found)
    table = importance_table(gate, model, X, y, metric=m, n_repeats=n_repeats, max_rows=max_rows,
                             random_state=None, sample_weight=sample_weight, pos_label=pos_label)
    features = [str(f) for f in table.features]
    if top_k > len(features):
        raise GateError(f"top_k={top_k} is more than the {len(features)} features of X; pass top_k <= "
                        f"{len(features)}")
    confidence = settings.confidence
    means = [float(v) for v in table.means]
    intervals = [(float(lo), float(hi)) for lo, hi in table.intervals]
    undefined = [f for f, v in zip(features, means, strict=True) if not math.isfinite(v)]
    if undefined:
        raise GateError(f"the permutation importance of {undefined} is undefined ({m.name} is not a number on the "
                        "permuted rows), so no ranking can be kept or compared; check the metric on these rows")
    order = sorted(range(len(features)), key=lambda j: -means[j])
    current_top = [(features[j], means[j], intervals[j]) for j in order[:top_k]]
    budget = budget_text(table, n_repeats)
    base_details: dict[str, Any] = {"n_repeats": n_repeats, "confidence": confidence, "interval_method": table.method,
                                    "weighted": table.weights is not None, "budget": budget}
    current_record = ImportanceRanking(m.name, top_k, _ranked(current_top))

    if settings.update_baselines:
        baseline = baselines.Baseline(
            node_id=key,
            metrics={entry_name(m.name, f): baselines.MetricBaseline(means[j], intervals[j], table.n, True)
                     for j, f in enumerate(features)},
            data=data, confidence=confidence, n_resamples=settings.n_resamples,
            written_at=baselines.now(), versions=baselines.versions(),
        )
        result = GateResult(
            FAMILY, CHECK, m.name, "pass", n=table.n,
            message=(f"baseline.importance_ranking {m.name}: top {top_k} {_listing(current_top, confidence)}: "
                     f"baseline written to {path}. Review the diff and commit it."),
            record=current_record,
            details={**base_details, "baseline_written": str(path), "baseline_file": str(path)},
        )
        return (path, baseline, legacy), [result]
    if stored is None:
        return None, [GateResult(
            FAMILY, CHECK, m.name, "fail", n=table.n,
            message=(f"baseline.importance_ranking: the baseline file {path} does not exist, so there is nothing to "
                     f"compare with (now top {top_k}: {_listing(current_top, confidence)}).\n  What to do: run "
                     f"pytest {baselines.UPDATE_FLAG} to write it from the current model, review it and commit it."),
            record=current_record, details={**base_details, "baseline_file": str(path), "missing": [m.name]},
        )]
    path = found
    assert stored_entries is not None

    def stored_interval(e: baselines.MetricBaseline) -> tuple[float, float]:
        iv = e.interval if e.interval is not None else (e.value, e.value)
        lo, hi = rescale_interval(e.value, iv, from_confidence=stored.confidence, to_confidence=confidence)
        return (float(lo), float(hi))

    stored_order = sorted(stored_entries, key=lambda f: -stored_entries[f].value)
    stored_top = [(f, stored_entries[f].value, stored_interval(stored_entries[f])) for f in stored_order[:top_k]]
    kth_name, kth_value, (kth_lo, kth_hi) = stored_top[-1]
    top_names = {f for f, _, _ in stored_top}
    index = {f: j for j, f in enumerate(features)}
    now_names = {f for f, _, _ in current_top}
    left = [f for f, _, _ in stored_top if f not in now_names and intervals[index[f]][1] < kth_lo]
    entered = [f for f, _, _ in current_top if f not in top_names and intervals[index[f]][0] > kth_hi]
    failed = bool(left or entered)
    listing = (f"stored top {top_k}: {_listing(stored_top, confidence)}\n  current top {top_k}: "
               f"{_listing(current_top, confidence)}")

    def now(f: str) -> str:
        j = index[f]
        return f"{f!r} now {fmt(means[j])} ({ci_text(intervals[j], confidence)})"

    bar = f"the stored k-th feature {kth_name!r} ({fmt(kth_value)}, {ci_text((kth_lo, kth_hi), confidence)})"
    if failed:
        parts = ([f"left the top {top_k}: " + ", ".join(now(f) for f in left) + f", wholly below {bar}"]
                 if left else [])
        parts += ([f"entered the top {top_k}: " + ", ".join(now(f) for f in entered) + f", wholly above {bar}"]
                  if entered else [])
        message = (f"baseline.importance_ranking {m.name} vs {path}: the features the model relies on changed with "
                   f"evidence: {'; '.join(parts)}.\n  {listing}\n  {budget}\n  What to do: find out why the model's "
                   f"reliance moved (a feature dropped, broken or leaking in training, new data); if the change is "
                   f"intended, rewrite the baseline with pytest {baselines.UPDATE_FLAG}, review the diff and commit "
                   "it.")
    else:
        message = (f"baseline.importance_ranking {m.name}: ok, no feature entered or left the stored top {top_k} "
                   f"with evidence (the bar: {bar}).\n  {listing}\n  {budget}")
    return None, [GateResult(
        FAMILY, CHECK, m.name, "fail" if failed else "pass", n=table.n, message=message,
        record=ImportanceRanking(
            m.name, top_k, _ranked(current_top), _ranked(stored_top), tuple(left), tuple(entered), kth_name,
            (kth_lo, kth_hi) if all(math.isfinite(v) for v in (kth_lo, kth_hi)) else None,
            _ranked([(f, means[index[f]], intervals[index[f]]) for f, _, _ in stored_top if f not in now_names])),
        details={**base_details, "baseline_file": str(path)},
    )]
