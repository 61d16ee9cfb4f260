"""How often the fairness gate fails, by simulation: at the limit (false alarms), below it, and above it (power).

Each scenario draws fresh data many times (groups of given sizes, half positive labels, predictions drawn with
each group's true TPR and FPR), runs ``FairnessGate.check`` with the default settings (alpha = 0.01, 1,000
resamples, interval decision) and prints the fraction of runs that failed, next to the fraction whose point value
alone was beyond the limit. With the interval rule a disparity exactly at the limit should fail in at most about
alpha = 1% of runs, however many groups tie at the extremes (where max - min of noisy values is biased upwards).

Run: ``python benchmarks/sim_fairness.py [--runs N]``
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.fairness import FairnessGate


@dataclass(frozen=True)
class Scenario:
    name: str
    sizes: list[int]
    tpr: list[float]
    fpr: list[float]
    disparity: str = "demographic_parity"
    kind: str = "difference"
    limit: float = 0.1


def rates(*values: tuple[float, int]) -> list[float]:
    return [v for v, count in values for _ in range(count)]


SCENARIOS = [
    Scenario("DP diff at the limit: 2 x 1000, rates 0.5 / 0.6", [1000] * 2, [0.5, 0.6], [0.5, 0.6]),
    Scenario("DP diff at the limit: 2 x 200, rates 0.5 / 0.6", [200] * 2, [0.5, 0.6], [0.5, 0.6]),
    Scenario("DP diff at the limit: 5 x 500, rates 0.5 x4 / 0.6", [500] * 5, rates((0.5, 4), (0.6, 1)),
             rates((0.5, 4), (0.6, 1))),
    Scenario("DP diff at the limit: 10 x 300, rates 0.5 x5 / 0.6 x5", [300] * 10, rates((0.5, 5), (0.6, 5)),
             rates((0.5, 5), (0.6, 5))),
    Scenario("DP diff, no disparity: 2 x 1500 + a group of 40", [1500, 1500, 40], [0.5] * 3, [0.5] * 3),
    Scenario("DP diff below the limit: 4 x 500, rates 0.50 / 0.55", [500] * 4, rates((0.5, 2), (0.55, 2)),
             rates((0.5, 2), (0.55, 2))),
    Scenario("DP diff beyond the limit (0.15): 2 x 1000, 0.5 / 0.65", [1000] * 2, [0.5, 0.65], [0.5, 0.65]),
    Scenario("DP diff beyond the limit (0.2): 2 x 1000, 0.5 / 0.7", [1000] * 2, [0.5, 0.7], [0.5, 0.7]),
    Scenario("DP ratio at the limit: 2 x 1000, rates 0.4 / 0.5", [1000] * 2, [0.4, 0.5], [0.4, 0.5],
             kind="ratio", limit=0.8),
    Scenario("DP ratio at the limit: 6 x 400, rates 0.4 x3 / 0.5 x3", [400] * 6, rates((0.4, 3), (0.5, 3)),
             rates((0.4, 3), (0.5, 3)), kind="ratio", limit=0.8),
    Scenario("DP ratio beyond the limit (0.6): 2 x 1000, rates 0.3 / 0.5", [1000] * 2, [0.3, 0.5], [0.3, 0.5],
             kind="ratio", limit=0.8),
    Scenario("EO diff at the limit: 4 x 1000, TPR 0.7 x3 / 0.6, FPR 0.1", [1000] * 4, rates((0.7, 3), (0.6, 1)),
             [0.1] * 4, disparity="equalized_odds"),
    Scenario("EO diff beyond the limit (0.2): 4 x 1000, TPR 0.7 x3 / 0.5", [1000] * 4, rates((0.7, 3), (0.5, 1)),
             [0.1] * 4, disparity="equalized_odds"),
    Scenario("EO ratio at the limit: 3 x 1000, FPR 0.05 x2 / 0.04", [1000] * 3, [0.7] * 3, [0.05, 0.05, 0.04],
             disparity="equalized_odds", kind="ratio", limit=0.8),
]


def fail_rate(s: Scenario, runs: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(len(s.sizes)), s.sizes)
    tpr, fpr = np.repeat(s.tpr, s.sizes), np.repeat(s.fpr, s.sizes)
    argument = "max_difference" if s.kind == "difference" else "min_ratio"
    failures = beyond = 0
    for run in range(runs):
        y = rng.integers(0, 2, group.size)
        pred = (rng.random(group.size) < np.where(y == 1, tpr, fpr)).astype(int)
        (result,) = FairnessGate(Recorder(settings=GateSettings(seed=run), raises=False)).check(
            None, None, y, y_pred=pred, sensitive_features=group,
                                   **{argument: {s.disparity: s.limit}})  # type: ignore[arg-type]
        failures += result.status == "fail"
        assert result.value is not None
        beyond += result.value > s.limit if s.kind == "difference" else result.value < s.limit
    return failures / runs, beyond / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    print(f"alpha 0.01 (98% intervals), 1000 resamples, {args.runs} runs per scenario; "
          "difference limits 0.1, ratio limits 0.8")
    print(f"  {'scenario':60s} {'gate fails':>10s} {'point beyond limit':>19s}")
    start = time.perf_counter()
    for i, scenario in enumerate(SCENARIOS):
        failed, beyond = fail_rate(scenario, args.runs, seed=i)
        print(f"  {scenario.name:60s} {failed:10.1%} {beyond:19.1%}", flush=True)
    print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
