"""How often does the drift gate fail? Simulated, with default settings.

- nothing changed: reference and current are independent samples of one distribution (10 columns: 6 numeric of
  three shapes, 4 categorical); the share of runs with any drifted column is the false-alarm rate, with and without
  the effect-size floor (the floor off = the corrected tests alone);
- something changed: one numeric column shifted by a stated number of its standard deviations; the share of runs
  in which that column is flagged (detection), at a small and a large sample size.

Usage: python benchmarks/sim_drift.py [--runs 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from pytest_mlgate.gates.data import DRIFT_ALPHA, MIN_JENSEN_SHANNON, MIN_WASSERSTEIN, DataGate

LEVELS = np.array(list("abcdef"), dtype=object)


def sample(rows: int, rng: np.random.Generator, *, shift: float = 0.0) -> pd.DataFrame:
    data = {
        "normal": rng.normal(size=rows) + shift,  # the shifted column, in units of its sd (1)
        "normal2": rng.normal(size=rows),
        "lognormal": rng.lognormal(0, 0.5, rows),
        "lognormal2": rng.lognormal(0, 0.5, rows),
        "uniform": rng.uniform(0, 1, rows),
        "integers": rng.poisson(3, rows).astype(float),
    }
    for i in range(4):
        data[f"cat{i}"] = LEVELS[rng.choice(6, size=rows, p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])]
    return pd.DataFrame(data)


def flagged(results: list) -> set[str]:
    return {r.subject for r in results if r.subject != "dataset" and r.status == "fail"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(20240601)
    start = time.perf_counter()
    print(f"drift gate, default settings (Holm, alpha {DRIFT_ALPHA} family-wise, Wasserstein/std >= {MIN_WASSERSTEIN}, "
          f"JS >= {MIN_JENSEN_SHANNON}); {args.runs} runs each")
    print()
    print(f"{'rows per side':>14}  {'any column flagged (false alarm)':>34}  {'tests alone (no effect floor)':>30}")
    for rows in (2_000, 50_000):
        alarms = alarms_no_floor = 0
        for _ in range(args.runs):
            reference, current = sample(rows, rng), sample(rows, rng)
            alarms += bool(flagged(DataGate(raises=False).drift(reference, current, threads=1)))
            alarms_no_floor += bool(flagged(DataGate(raises=False).drift(
                reference, current, threads=1, min_wasserstein=0,
                                                        min_jensen_shannon=0, min_missing_change=0)))
        print(f"{rows:>14,}  {alarms / args.runs:>34.3f}  {alarms_no_floor / args.runs:>30.3f}")
    print()
    print(f"{'shift (sd)':>10}  {'rows per side':>14}  {'shifted column flagged':>23}  {'another column flagged':>23}")
    for rows in (2_000, 50_000):
        for shift in (0.05, 0.1, 0.15, 0.25):
            hits = others = 0
            for _ in range(args.runs // 2):
                found = flagged(DataGate(raises=False).drift(
                    sample(rows, rng), sample(rows, rng, shift=shift), threads=1))
                hits += "normal" in found
                others += bool(found - {"normal"})
            runs = args.runs // 2
            print(f"{shift:>10}  {rows:>14,}  {hits / runs:>23.3f}  {others / runs:>23.3f}")
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
