"""Paired bootstrap of the ROC AUC difference between two models: ours against a loop of scikit-learn calls.

100,000 predictions, 1,000 resamples. Both sides use the same resampled rows (``resample_indices`` with the same
seed), so their replicates must agree to 1e-12; the script checks that and prints the CPU times (median of
interleaved rounds) side by side with their ratio, at 1,000 and at 200 resamples, and our peak memory.

    python benchmarks/bench_paired_bootstrap.py            # the full comparison (the loop takes minutes)
    python benchmarks/bench_paired_bootstrap.py --n 20000 --resamples 200   # a quick look
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import tracemalloc

import numpy as np
from sklearn.metrics import roc_auc_score

from pytest_mlgate.stats.bootstrap import percentile_interval, resample_indices
from pytest_mlgate.stats.metrics import METRICS
from pytest_mlgate.stats.paired import PairedDifference, paired_difference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loop-resamples", type=int, default=None,
                        help="time the loop on its first N resamples only and scale its time to --resamples "
                             "(the loop's cost per resample is constant; says so in the output)")
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

    def run_ours(b: int) -> PairedDifference:
        return paired_difference(m, y, champion, challenger, value_a=value_a, value_b=value_b,
                                 n_resamples=b, confidence=confidence, seed=seed)

    def run_loop() -> tuple[np.ndarray, float]:
        """Every replicate of the loop, and the CPU time it took to reach ``few`` of them."""
        diffs, at_few, start = [], math.nan, time.process_time()
        for block in resample_indices(n, loop_resamples, seed):
            for idx in block:
                diffs.append(roc_auc_score(y[idx], challenger[idx]) - roc_auc_score(y[idx], champion[idx]))
                if len(diffs) == few:
                    at_few = time.process_time() - start
        return np.array(diffs), at_few

    few = min(200, resamples)
    loop_resamples = args.loop_resamples or resamples
    scale = resamples / loop_resamples
    times: dict[str, list[float]] = {"ours": [], "ours_few": [], "loop": [], "loop_few": []}
    for _ in range(args.rounds):  # interleaved rounds: the machine's load hits both sides alike
        start = time.process_time()
        ours = run_ours(resamples)
        times["ours"].append(time.process_time() - start)
        start = time.process_time()
        run_ours(few)
        times["ours_few"].append(time.process_time() - start)
        start = time.process_time()
        loop, at_few = run_loop()
        times["loop"].append((time.process_time() - start) * scale)
        times["loop_few"].append(at_few)
    t = {k: statistics.median(v) for k, v in times.items()}

    tracemalloc.start()
    run_ours(resamples)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    loop_interval = percentile_interval(loop, confidence) if scale == 1 else (math.nan, math.nan)
    gap = float(np.max(np.abs(ours.replicates[:loop.size] - loop)))
    interval_gap = max(abs(a - b) for a, b in zip(ours.interval, loop_interval, strict=True))
    print(f"  CPU seconds, median of {args.rounds} interleaved rounds")
    print(f"  point difference            {ours.difference:+.6f}")
    print(f"  ours, {resamples:>5} resamples     {t['ours']:8.3f} s   interval [{ours.interval[0]:+.12f}, "
          f"{ours.interval[1]:+.12f}]   peak memory {peak / 2**20:.0f} MiB")
    scaled = f" (timed on {loop_resamples} resamples, x{scale:g})" if scale != 1 else ""
    print(f"  loop of roc_auc_score       {t['loop']:8.3f} s{scaled}   interval [{loop_interval[0]:+.12f}, "
          f"{loop_interval[1]:+.12f}]")
    print(f"  ours, {few:>5} resamples     {t['ours_few']:8.3f} s   loop {t['loop_few']:.3f} s")
    print(f"  replicates max |ours - loop| = {gap:.1e}; intervals max |ours - loop| = {interval_gap:.1e}")
    print(f"  speed-up: {t['loop'] / t['ours']:.1f}x at {resamples} resamples (target >= 50x), "
          f"{t['loop_few'] / t['ours_few']:.1f}x at {few} (target >= 30x)")
    if gap > 1e-12:
        raise SystemExit("the replicates disagree with the loop: something is wrong")


if __name__ == "__main__":
    main()
