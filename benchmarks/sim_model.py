"""How often the calibration and slices gates fail, by simulation: at the limit (false alarms) and beyond it (power).

Calibration: predictions ``q = p + shift`` for outcomes drawn with probability ``p`` (uniform on [0.1, 0.85]), so
the binned ECE of the population is exactly ``shift``. Each run calls ``ModelGate.calibration`` with the default
settings (alpha = 0.01, 10 uniform bins) and ``max_ece = 0.05``; the table shows the fraction of runs that failed
with the interval the gate uses (basic bootstrap, bias-corrected) next to the fraction that would have failed
with a plain percentile interval of the same replicates. The plug-in ECE is biased upward, so the percentile rule
raises false alarms on small samples, far above alpha.

Slices: every slice has true accuracy exactly ``min`` (0.8); a run fails when any judged slice fails. With the
Bonferroni-corrected level the whole check should fail in at most alpha = 1% of runs; without the correction
(each slice at alpha) the rate grows with the number of slices.

Run: ``python benchmarks/sim_model.py [--runs N] [--resamples B] [--sizes 200,500,1000] [--calibration-only]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.stats import calibration as cal
from pytest_mlgate.stats.bootstrap import percentile_interval, replicates


def calibration_rates(n: int, shift: float, runs: int, settings: GateSettings) -> tuple[float, float]:
    rng = np.random.default_rng(1000 * n + int(shift * 1000))
    gate_fails = percentile_fails = 0
    for run in range(runs):
        p = rng.uniform(0.1, 0.85, n)
        y = (rng.random(n) < p).astype(int)
        q = p + shift
        ece, _ = ModelGate(Recorder(settings=settings, identity=str(run), raises=False)).calibration(
            None, None, y, y_score=q, max_ece=0.05)
        gate_fails += ece.status == "fail"
        # the same replicates, judged with a percentile interval instead
        data = cal.calibration_data(y, q, np.array([0, 1]))
        ids = cal.bin_ids(data.prob, cal.bin_edges(data.prob, 10))
        reps = replicates(lambda c, d=data, i=ids: cal.ece_batch(d.prob, d.outcome, i, 10, c), n,
                          settings.n_resamples, settings.seed_for(str(run), "calibration"))
        percentile_fails += percentile_interval(reps, settings.confidence)[0] > 0.05
    return gate_fails / runs, percentile_fails / runs


def slices_rates(k: int, size: int, runs: int, settings: GateSettings) -> tuple[float, float]:
    rng = np.random.default_rng(k * 7919 + size)
    corrected = uncorrected = 0
    for run in range(runs):
        region = np.repeat(np.arange(k), size)
        y = rng.integers(0, 2, k * size)
        right = rng.random(k * size) < 0.8
        y_pred = np.where(right, y, 1 - y)
        results = ModelGate(Recorder(settings=settings, identity=str(run), raises=False)).slices(
            None, None, y, by=region, metric="accuracy", min=0.8, y_pred=y_pred)
        corrected += any(r.status == "fail" for r in results)
        # without the correction: each slice judged alone, at alpha
        for s in range(k):
            rows = region == s
            [alone] = ModelGate(Recorder(settings=settings, identity=f"{run}-{s}", raises=False)).slices(
                None, None, y[rows], by=np.zeros(size), metric="accuracy", min=0.8,
                                   y_pred=y_pred[rows])
            if alone.status == "fail":
                uncorrected += 1
                break
    return corrected / runs, uncorrected / runs


def calibration_table(args: argparse.Namespace, settings: GateSettings) -> None:
    print(f"calibration: max_ece = 0.05, alpha = {settings.alpha}, {args.runs} runs per row, "
          f"{args.resamples} resamples")
    print(f"{'rows':>6} {'true ECE':>9} {'gate fails':>11} {'percentile rule':>16}")
    for n in (int(size) for size in args.sizes.split(",")):
        for shift in (0.0, 0.05, 0.10):
            gate, percentile = calibration_rates(n, shift, args.runs, settings)
            print(f"{n:>6} {shift:>9.2f} {gate:>11.1%} {percentile:>16.1%}")
    print()


def slices_table(args: argparse.Namespace, settings: GateSettings) -> None:
    print(f"slices: every slice at accuracy 0.8 = min, alpha = {settings.alpha}, {args.runs} runs per row")
    print(f"{'slices':>6} {'rows each':>10} {'gate fails (Bonferroni)':>24} {'each slice at alpha':>20}")
    for k, size in ((2, 200), (5, 200), (10, 100)):
        corrected, uncorrected = slices_rates(k, size, args.runs, settings)
        print(f"{k:>6} {size:>10} {corrected:>24.1%} {uncorrected:>20.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--calibration-only", action="store_true", help="only the calibration rows")
    parser.add_argument("--slices-only", action="store_true", help="only the slices rows")
    parser.add_argument("--sizes", default="200,500,1000", help="rows per calibration run, comma-separated")
    args = parser.parse_args()
    settings = GateSettings(n_resamples=args.resamples)
    start = time.perf_counter()
    if not args.slices_only:
        calibration_table(args, settings)
    if not args.calibration_only:
        slices_table(args, settings)
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
