"""Group metrics on 1,000,000 rows and 10 groups: pytest-mlgate versus fairlearn, in one run.

Per-group accuracy, selection rate, TPR and FPR, plus the demographic parity and equalized odds differences:
fairlearn's ``MetricFrame`` and its disparity functions against our one ``np.bincount`` over (group, y, pred)
cells. Prints both times, the ratio, the largest difference between the numbers, and the time of the whole gate
with 1,000 bootstrap resamples (unweighted or class weights: multinomial draws over cells; continuous weights:
blocks of rows' weighted cell totals resampled), CPU times as medians of interleaved rounds, and peak memory.

Run: ``python benchmarks/bench_fairness.py [--rows N] [--groups G] [--resamples B] [--rounds R]``
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.gates.fairness_inputs import encode_groups, encode_labels
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


def cpu_median(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    """Median CPU seconds of ``rounds`` calls (CPU time: other jobs on a shared machine inflate wall time)."""
    times, out = [], None
    for _ in range(rounds):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), out


def peak_memory(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--fairlearn-rounds", type=int, default=None,
                        help="run fairlearn in the first N rounds only (it takes about a minute per run)")
    args = parser.parse_args()

    y, pred, group = make_data(args.rows, args.groups)
    columns = {"numpy unicode": group, "pandas categorical": pd.Series(group).astype("category"),
               "numpy integer": np.char.lstrip(group.astype(str), "g").astype(np.int64)}
    limits = {"demographic_parity": 1.0, "equalized_odds": 1.0}
    settings = GateSettings(n_resamples=args.resamples)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
    class_weights = np.where(y == 1, 2.5, 1.0)

    def gate(column: Any = group, sample_weight: np.ndarray | None = None) -> Any:
        return FairnessGate(Recorder(settings=settings, raises=False)).check(
            None, None, y, y_pred=pred, sensitive_features=column, max_difference=limits,
                              show=["accuracy"], sample_weight=sample_weight)

    print(f"{args.rows:,} rows, {args.groups} groups: per-group {', '.join(PER_GROUP)}; "
          "demographic parity and equalized odds differences")
    print(f"CPU seconds, median of {args.rounds} interleaved rounds")
    ours(y[:1000], pred[:1000], group[:1000])  # warm up imports
    runs: dict[str, Callable[[], Any]] = {
        "fairlearn": lambda: fairlearn(y, pred, group),
        **{f"ours {name}": (lambda c=c: ours(y, pred, c)) for name, c in columns.items()},
        "gate": gate,
        **{f"gate {name}": (lambda c=c: gate(column=c)) for name, c in columns.items() if name != "numpy unicode"},
        "gate class weights": lambda: gate(sample_weight=class_weights),
        "gate continuous weights": lambda: gate(sample_weight=weights),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fairlearn(y[:1000], pred[:1000], group[:1000])
        for round_ in range(args.rounds):
            for name, fn in runs.items():
                if name == "fairlearn" and round_ >= (args.fairlearn_rounds or args.rounds):
                    continue
                t, out[name] = cpu_median(fn, 1)
                times[name].append(t)
    t = {name: statistics.median(v) for name, v in times.items()}
    theirs, mine = out["fairlearn"], out["ours numpy unicode"]

    by_group_diff = float(np.max(np.abs(mine["by_group"][PER_GROUP].to_numpy()
                                        - theirs["by_group"].loc[mine["by_group"].index, PER_GROUP].to_numpy())))
    disparity_diff = max(abs(mine[k] - theirs[k]) for k in ("demographic_parity_difference",
                                                            "equalized_odds_difference"))
    print(f"  fairlearn MetricFrame + functions : {t['fairlearn']:9.3f} s ({len(times['fairlearn'])} runs)")
    for name, column in columns.items():
        peak = peak_memory(lambda c=column: ours(y, pred, c))
        size = y.nbytes + pred.nbytes + (column.nbytes if isinstance(column, np.ndarray) else
                                         column.memory_usage(index=False, deep=True))
        print(f"  ours, {name:<18} groups : {t['ours ' + name]:9.3f} s   {t['fairlearn'] / t['ours ' + name]:7.0f}x "
              f"fairlearn (target >= 1000x); peak memory {peak / 2**20:.0f} MiB = {peak / size:.2f}x the inputs "
              f"(target <= 2x)")
    t_encode, _ = cpu_median(lambda: encode_groups({"group": group}), 3)
    print(f"    of which encoding the {group.dtype} group column: {t_encode:.3f} s")
    print(f"  largest difference in the numbers : by group {by_group_diff:.1e}, disparities {disparity_diff:.1e} "
          f"({'identical' if max(by_group_diff, disparity_diff) == 0 else 'not identical'})")
    print(f"  demographic parity difference {mine['demographic_parity_difference']:.6f} "
          f"(fairlearn {theirs['demographic_parity_difference']:.6f}); equalized odds difference "
          f"{mine['equalized_odds_difference']:.6f} (fairlearn {theirs['equalized_odds_difference']:.6f})")
    print(f"  whole gate (encoding, labels, {args.resamples} stratified resamples as multinomial draws over cells, "
          "intervals, table), against fairlearn's point values alone:")
    for name, column in columns.items():
        run = "gate" if name == "numpy unicode" else f"gate {name}"
        gate_peak = peak_memory(lambda c=column: gate(column=c))
        size = y.nbytes + pred.nbytes + (column.nbytes if isinstance(column, np.ndarray) else
                                         column.memory_usage(index=False, deep=True))
        print(f"    {name:<18} groups: {t[run]:.3f} s = {t['fairlearn'] / t[run]:5.0f}x fairlearn (target >= 1000x); "
              f"peak memory {gate_peak / 2**20:.0f} MiB = {gate_peak / size:.2f}x the inputs (target <= 2x)")
    for r in out["gate"]:
        print(f"    {r.subject} = {r.value:.4f}, {settings.confidence:.0%} CI "
              f"[{r.interval[0]:.4f}, {r.interval[1]:.4f}]")
    print(f"  whole gate with class weights (2 values), {args.resamples} resamples (multinomial over "
          f"(cell, weight) bins): {t['gate class weights']:.3f} s")
    print(f"  whole gate with continuous weights, {args.resamples} resamples (blocks of weighted cell totals): "
          f"{t['gate continuous weights']:.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
