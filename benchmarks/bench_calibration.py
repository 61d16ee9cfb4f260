"""Calibration gate: the vectorized bootstrap of the ECE and Brier score against a loop over resamples that calls
scikit-learn (calibration_curve + brier_score_loss) once per resample, on the same resampled rows.

    python benchmarks/bench_calibration.py [n_rows] [n_resamples]

Prints both times, the ratio, and the largest difference between the two sets of replicates.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from pytest_mlgate.stats import calibration as cal
from pytest_mlgate.stats.bootstrap import replicates, resample_indices


def main(n: int = 100_000, n_resamples: int = 1000, n_bins: int = 10, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 3, n)
    y = (rng.random(n) < np.clip(p * 1.1, 0, 1)).astype(int)
    data = cal.calibration_data(y, p, np.array([0, 1]))
    edges = cal.bin_edges(data.prob, n_bins)
    ids = cal.bin_ids(data.prob, edges)

    start = time.perf_counter()
    brier_parts: list[np.ndarray] = []

    def statistic(counts: np.ndarray) -> np.ndarray:
        brier_parts.append(cal.mean_batch(data.brier_loss, counts))
        return cal.ece_batch(data.prob, data.outcome, ids, n_bins, counts)

    ece_ours = replicates(statistic, n, n_resamples, seed)
    brier_ours = np.concatenate(brier_parts)
    ours = time.perf_counter() - start

    start = time.perf_counter()
    ece_loop, brier_loop = [], []
    for block in resample_indices(n, n_resamples, seed):
        for idx in block:
            yy, pp = y[idx], p[idx]
            prob_true, prob_pred = calibration_curve(yy, pp, n_bins=n_bins)
            counts = np.bincount(np.searchsorted(edges[1:-1], pp), minlength=n_bins)
            ece_loop.append(float(np.sum(counts[counts > 0] / n * np.abs(prob_true - prob_pred))))
            brier_loop.append(brier_score_loss(yy, pp))
    loop = time.perf_counter() - start

    diff = max(np.max(np.abs(ece_ours - ece_loop)), np.max(np.abs(brier_ours - brier_loop)))
    print(f"ECE + Brier bootstrap, {n:,} rows x {n_resamples:,} resamples, {n_bins} bins")
    print(f"  pytest-mlgate (count matrix x sparse bins):{ours:8.2f} s")
    print(f"  loop over sklearn calibration_curve      : {loop:8.2f} s")
    print(f"  ratio (loop / ours)                      : {loop / ours:8.1f} x")
    print(f"  largest difference between replicates    : {diff:.2e}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
