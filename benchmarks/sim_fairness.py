"""How often the fairness gate fails, by simulation: at the limit (false alarms), below it, and above it (power).

Each scenario draws fresh data many times (groups of given sizes whose true selection rates are given), runs
``check_fairness`` with ``max_difference={"demographic_parity": 0.1}`` and the default settings
(alpha = 0.01, 1,000 resamples), and prints the fraction of runs that failed. With the interval rule, a
disparity exactly at the limit should fail in about alpha = 1% of runs or fewer; the max-minus-min of noisy
groups is biased upwards, so scenarios with several groups tied at the extremes show how far that pushes it.

Run: ``python benchmarks/sim_fairness.py [--runs N]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.fairness import check_fairness

LIMIT = 0.1
RATIO = 0.8
SCENARIOS: list[tuple[str, list[int], list[float]]] = [
    ("at the limit: 2 groups x 1000, rates 0.5 / 0.6", [1000, 1000], [0.5, 0.6]),
    ("at the limit: 2 groups x 200, rates 0.5 / 0.6", [200, 200], [0.5, 0.6]),
    ("at the limit: 5 groups x 500, rates 0.5 x4 / 0.6", [500] * 5, [0.5] * 4 + [0.6]),
    ("at the limit: 10 groups x 300, rates 0.5 x5 / 0.6 x5", [300] * 10, [0.5] * 5 + [0.6] * 5),
    ("no disparity: 2 x 1500 + one group of 40, all 0.5", [1500, 1500, 40], [0.5, 0.5, 0.5]),
    ("below the limit: 4 groups x 500, rates 0.50 / 0.55", [500] * 4, [0.5, 0.5, 0.55, 0.55]),
    ("above the limit: 2 groups x 1000, rates 0.5 / 0.65", [1000, 1000], [0.5, 0.65]),
    ("above the limit: 2 groups x 1000, rates 0.5 / 0.7", [1000, 1000], [0.5, 0.7]),
]
RATIO_SCENARIOS: list[tuple[str, list[int], list[float]]] = [
    ("ratio at the limit: 2 groups x 1000, rates 0.4 / 0.5", [1000, 1000], [0.4, 0.5]),
    ("ratio at the limit: 6 groups x 400, rates 0.4 x3 / 0.5 x3", [400] * 6, [0.4] * 3 + [0.5] * 3),
    ("ratio below the limit: 2 groups x 1000, rates 0.3 / 0.5", [1000, 1000], [0.3, 0.5]),
]


def fail_rate(sizes: list[int], rates: list[float], runs: int, seed: int, ratio: bool = False) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(len(sizes)), sizes)
    p = np.repeat(rates, sizes)
    failures = point_failures = 0
    for run in range(runs):
        y = rng.integers(0, 2, group.size)
        pred = (rng.random(group.size) < p).astype(int)
        limits = {"min_ratio": {"demographic_parity": RATIO}} if ratio else \
            {"max_difference": {"demographic_parity": LIMIT}}
        (result,) = check_fairness(None, None, y, y_pred=pred, sensitive_features=group,
                                   settings=GateSettings(seed=run), **limits)  # type: ignore[arg-type]
        failures += result.status == "fail"
        assert result.value is not None
        point_failures += result.value < RATIO if ratio else result.value > LIMIT
    return failures / runs, point_failures / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    print(f"demographic parity difference <= {LIMIT}, alpha 0.01 (98% intervals), 1000 resamples, "
          f"{args.runs} runs per scenario")
    print(f"  {'scenario':58s} {'gate fails':>10s} {'point beyond limit':>19s}")
    start = time.perf_counter()
    for i, (name, sizes, rates) in enumerate(SCENARIOS):
        rate, point = fail_rate(sizes, rates, args.runs, seed=i)
        print(f"  {name:58s} {rate:10.1%} {point:19.1%}")
    print(f"demographic parity ratio >= {RATIO}, same settings")
    for i, (name, sizes, rates) in enumerate(RATIO_SCENARIOS):
        rate, point = fail_rate(sizes, rates, args.runs, seed=100 + i, ratio=True)
        print(f"  {name:58s} {rate:10.1%} {point:19.1%}")
    print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
