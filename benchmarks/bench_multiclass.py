"""Multiclass bootstrap: 1,000 resamples of one-vs-rest ``roc_auc`` (and ``log_loss``, ``brier``) on 10,000
rows x 3 classes, against the same bootstrap of binary ``roc_auc`` on 10,000 rows, and against a loop calling
scikit-learn once per resample on the same resampled rows.

    python benchmarks/bench_multiclass.py [n_rows] [n_resamples] [loop_resamples] [rounds]

Prints each CPU time (median of ``rounds`` interleaved rounds: the machine's load hits every side alike), the
multiclass/binary ratio (the aim: within 3x), the speed-up over the scikit-learn loop (timed on
``loop_resamples`` resamples and scaled) and the largest difference between our replicates and scikit-learn's on
the same draws.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import sklearn.metrics as skm

from pytest_mlgate.stats.bootstrap import resample_indices
from pytest_mlgate.stats.metrics import estimate, get_metric


def timed(name: str, y: np.ndarray, output: np.ndarray, n_resamples: int) -> tuple[float, np.ndarray]:
    m = get_metric(name)
    start = time.process_time()
    est = estimate(m, y, output, n_resamples=n_resamples, confidence=0.95, seed=0)
    return time.process_time() - start, est.replicates


def main(n: int = 10_000, n_resamples: int = 1000, loop_resamples: int = 50, rounds: int = 3, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    k = 3
    y3 = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.2 * (np.arange(k)[None, :] == y3[:, None])
    p3 = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y2 = (y3 == 0).astype(int)
    p2 = p3[:, 0]
    sk = {
        "roc_auc": lambda t, p: skm.roc_auc_score(t, p, multi_class="ovr"),
        "roc_auc_ovr_weighted": lambda t, p: skm.roc_auc_score(t, p, multi_class="ovr", average="weighted"),
        "log_loss": lambda t, p: skm.log_loss(t, p, labels=[0, 1, 2]),
        "brier": lambda t, p: skm.brier_score_loss(t, p, labels=[0, 1, 2]),
    }

    timed("roc_auc", y2, p2, 5)  # imports and first-call costs out of the comparison
    times: dict[str, list[float]] = {name: [] for name in ["binary", *sk]}
    replicates: dict[str, np.ndarray] = {}
    for _ in range(rounds):  # interleaved rounds
        times["binary"].append(timed("roc_auc", y2, p2, n_resamples)[0])
        for name in sk:
            spent, replicates[name] = timed(name, y3, p3, n_resamples)
            times[name].append(spent)
    t = {name: statistics.median(v) for name, v in times.items()}
    print(f"CPU seconds, median of {rounds} interleaved rounds")
    print(f"binary roc_auc, {n:,} rows x {n_resamples:,} resamples: {t['binary']:.2f} s")
    for name, fn in sk.items():
        start = time.process_time()
        loop = np.array([fn(y3[idx], p3[idx]) for block in resample_indices(n, loop_resamples, 0) for idx in block])
        theirs = (time.process_time() - start) * n_resamples / loop_resamples
        gap = float(np.max(np.abs(replicates[name][:loop_resamples] - loop)))
        print(f"{name} ({k} classes): {t[name]:.2f} s = {t[name] / t['binary']:.2f}x binary roc_auc (target <= 3x); "
              f"scikit-learn loop {theirs:.1f} s (scaled from {loop_resamples}) = {theirs / t[name]:.1f}x slower; "
              f"max |ours - sklearn| on the same draws {gap:.1e}")
        if gap > 1e-9:
            raise SystemExit(f"{name}: the replicates disagree with scikit-learn's: something is wrong")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
