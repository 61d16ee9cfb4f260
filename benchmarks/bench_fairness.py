"""Group metrics on 1,000,000 rows and 10 groups: pytest-mlgate versus fairlearn, in one run.

Per-group accuracy, selection rate, TPR and FPR, plus the demographic parity and equalized odds differences:
fairlearn's ``MetricFrame`` and its disparity functions against our one ``np.bincount`` over (group, y, pred)
cells. Prints both times, the ratio, the largest difference between the numbers, and the time of the whole gate
with 1,000 bootstrap resamples (unweighted or class weights: multinomial draws over cells; continuous weights:
rows resampled for real).

Run: ``python benchmarks/bench_fairness.py [--rows N] [--groups G] [--resamples B]``
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.fairness import check_fairness, encode_groups, encode_labels
from pytest_mlgate.stats import groups as gs

PER_GROUP = ["accuracy", "selection_rate", "true_positive_rate", "false_positive_rate"]


def make_data(n: int, n_groups: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    group = rng.choice([f"g{i}" for i in range(n_groups)], size=n, p=np.linspace(1, 3, n_groups) / np.linspace(
        1, 3, n_groups).sum())
    codes = np.char.lstrip(group.astype(str), "g").astype(int)
    y = (rng.random(n) < 0.3 + 0.02 * codes).astype(np.int64)
    pred = (rng.random(n) < np.where(y == 1, 0.7 - 0.01 * codes, 0.2 + 0.01 * codes)).astype(np.int64)
    return y, pred, group


def ours(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> dict[str, Any]:
    groups = encode_groups({"group": group})
    encoded = encode_labels(y, pred)
    conf = gs.group_confusion(groups.codes, len(groups.keys), encoded.y, encoded.pred, encoded.k)
    values = gs.metric_values(conf, PER_GROUP)
    overall = gs.metric_values(conf.sum(axis=0), PER_GROUP)

    def diff(m: str) -> np.ndarray:
        return gs.disparity_of(values[m], overall[m], kind="difference", method="between_groups")

    return {
        "by_group": pd.DataFrame(values, index=[k[0] for k in groups.keys]),
        "demographic_parity_difference": float(diff("selection_rate")),
        "equalized_odds_difference": float(gs.combine([diff("true_positive_rate"), diff("false_positive_rate")],
                                                      kind="difference", agg="worst")),
    }


def fairlearn(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> dict[str, Any]:
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_difference,
        equalized_odds_difference,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score

    frame = MetricFrame(
        metrics={"accuracy": accuracy_score, "selection_rate": selection_rate,
                 "true_positive_rate": true_positive_rate, "false_positive_rate": false_positive_rate},
        y_true=y, y_pred=pred, sensitive_features=group,
    )
    return {
        "by_group": frame.by_group,
        "demographic_parity_difference": float(demographic_parity_difference(y, pred, sensitive_features=group)),
        "equalized_odds_difference": float(equalized_odds_difference(y, pred, sensitive_features=group)),
    }


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--fairlearn-repeat", type=int, default=1)
    args = parser.parse_args()

    y, pred, group = make_data(args.rows, args.groups)
    print(f"{args.rows:,} rows, {args.groups} groups: per-group {', '.join(PER_GROUP)}; "
          "demographic parity and equalized odds differences")
    ours(y[:1000], pred[:1000], group[:1000])  # warm up imports
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fairlearn(y[:1000], pred[:1000], group[:1000])
        t_fair, theirs = best_time(lambda: fairlearn(y, pred, group), args.fairlearn_repeat)
    t_ours, mine = best_time(lambda: ours(y, pred, group), 5)

    by_group_diff = float(np.max(np.abs(mine["by_group"][PER_GROUP].to_numpy()
                                        - theirs["by_group"].loc[mine["by_group"].index, PER_GROUP].to_numpy())))
    disparity_diff = max(abs(mine[k] - theirs[k]) for k in ("demographic_parity_difference",
                                                            "equalized_odds_difference"))
    print(f"  fairlearn MetricFrame + functions : {t_fair:9.3f} s")
    print(f"  pytest-mlgate (bincount)          : {t_ours:9.3f} s")
    print(f"  ratio                             : {t_fair / t_ours:9.1f}x faster (target >= 100x)")
    t_encode, _ = best_time(lambda: encode_groups({"group": group}), 5)
    print(f"    of which encoding the {group.dtype} group column: {t_encode:.3f} s")
    print(f"  largest difference in the numbers : by group {by_group_diff:.1e}, disparities {disparity_diff:.1e} "
          f"({'identical' if max(by_group_diff, disparity_diff) == 0 else 'not identical'})")
    print(f"  demographic parity difference {mine['demographic_parity_difference']:.6f} "
          f"(fairlearn {theirs['demographic_parity_difference']:.6f}); equalized odds difference "
          f"{mine['equalized_odds_difference']:.6f} (fairlearn {theirs['equalized_odds_difference']:.6f})")

    limits = {"demographic_parity": 1.0, "equalized_odds": 1.0}
    gate_settings = GateSettings(n_resamples=args.resamples)
    t_gate, results = best_time(lambda: check_fairness(
        None, None, y, y_pred=pred, sensitive_features=group, max_difference=limits, metrics=["accuracy"],
        settings=gate_settings), 3)
    print(f"  whole gate, {args.resamples} stratified resamples (multinomial over cells): {t_gate:9.3f} s")
    for r in results:
        print(f"    {r.subject} = {r.value:.4f}, {gate_settings.confidence:.0%} CI "
              f"[{r.interval[0]:.4f}, {r.interval[1]:.4f}]")
    class_weights = np.where(y == 1, 2.5, 1.0)
    t_class, _ = best_time(lambda: check_fairness(
        None, None, y, y_pred=pred, sensitive_features=group, max_difference=limits, sample_weight=class_weights,
        settings=gate_settings), 1)
    print(f"  whole gate with class weights (2 values), {args.resamples} resamples (multinomial over "
          f"(cell, weight) bins): {t_class:.3f} s")
    weights = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
    weighted_resamples = max(1, args.resamples // 10)
    t_weighted, _ = best_time(lambda: check_fairness(
        None, None, y, y_pred=pred, sensitive_features=group, max_difference=limits, sample_weight=weights,
        settings=GateSettings(n_resamples=weighted_resamples)), 1)
    print(f"  whole gate with continuous weights, {weighted_resamples} resamples (rows redrawn): {t_weighted:.3f} s "
          f"(~{t_weighted * args.resamples / weighted_resamples:.0f} s for {args.resamples})")

if __name__ == "__main__":
    main()
