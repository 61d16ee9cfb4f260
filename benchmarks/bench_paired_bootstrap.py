"""Paired bootstrap of the ROC AUC difference between two models: ours against a loop of scikit-learn calls.

100,000 predictions, 1,000 resamples. Both sides use the same resampled rows (``resample_indices`` with the same
seed), so their replicates and intervals must agree to floating-point precision; the script checks that and
prints the times side by side with their ratio.

    python benchmarks/bench_paired_bootstrap.py            # the full comparison (the loop takes minutes)
    python benchmarks/bench_paired_bootstrap.py --n 20000 --resamples 200   # a quick look
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import roc_auc_score

from pytest_mlgate.stats.bootstrap import percentile_interval, resample_counts, resample_indices
from pytest_mlgate.stats.metrics import METRICS, batch_values
from pytest_mlgate.stats.paired import paired_difference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n, resamples, seed, confidence = args.n, args.resamples, args.seed, 0.98

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    signal = rng.normal(size=n)
    champion = 1.2 * y + signal
    challenger = 1.1 * y + signal + rng.normal(scale=0.5, size=n)
    m = METRICS["roc_auc"]
    value_a, value_b = roc_auc_score(y, champion), roc_auc_score(y, challenger)
    print(f"paired bootstrap of the ROC AUC difference: {n:,} predictions, {resamples:,} resamples, "
          f"{confidence:.0%} percentile interval")

    start = time.perf_counter()
    ours = paired_difference(m, y, champion, challenger, value_a=value_a, value_b=value_b,
                             n_resamples=resamples, confidence=confidence, seed=seed)
    t_ours = time.perf_counter() - start

    start = time.perf_counter()  # the same vectorized AUC on float64 count matrices (what model_gate uses)
    float_diffs = np.concatenate([batch_values(m, y, challenger, c) - batch_values(m, y, champion, c)
                                  for c in resample_counts(n, resamples, seed)])
    t_float = time.perf_counter() - start

    start = time.perf_counter()
    loop = np.array([roc_auc_score(y[idx], challenger[idx]) - roc_auc_score(y[idx], champion[idx])
                     for block in resample_indices(n, resamples, seed) for idx in block])
    t_loop = time.perf_counter() - start
    loop_interval = percentile_interval(loop, confidence)

    gap = float(np.max(np.abs(ours.replicates - loop)))
    interval_gap = max(abs(a - b) for a, b in zip(ours.interval, loop_interval, strict=True))
    print(f"  point difference            {ours.difference:+.6f}")
    print(f"  ours (uint8 counts)         {t_ours:8.2f} s   interval [{ours.interval[0]:+.12f}, "
          f"{ours.interval[1]:+.12f}]")
    print(f"  ours (float64 counts)       {t_float:8.2f} s   replicates max |diff| vs uint8 "
          f"{float(np.max(np.abs(float_diffs - ours.replicates))):.1e}")
    print(f"  loop of roc_auc_score       {t_loop:8.2f} s   interval [{loop_interval[0]:+.12f}, "
          f"{loop_interval[1]:+.12f}]")
    print(f"  replicates max |ours - loop| = {gap:.1e}; intervals max |ours - loop| = {interval_gap:.1e}")
    print(f"  speed-up: {t_loop / t_ours:.1f}x (uint8 counts), {t_loop / t_float:.1f}x (float64 counts)")
    if interval_gap > 1e-9:
        raise SystemExit("the intervals disagree: something is wrong")


if __name__ == "__main__":
    main()
