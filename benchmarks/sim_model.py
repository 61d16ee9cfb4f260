"""How often the calibration and slices gates fail, by simulation: at the limit (false alarms) and beyond it (power).

Calibration: four shapes of miscalibration whose binned ECE (10 uniform bins) is exactly ``ece`` in closed form:
- ``every bin``: outcomes drawn with probability ``p`` (uniform on [0.1, 0.85]), predicted ``p + ece`` (too high
  everywhere: calibration in the large);
- ``half the bins``: predictions ``q`` uniform on [0.1, 0.9], outcomes drawn with ``q`` below 0.5 (those bins are
  calibrated) and ``q + 2 ece`` above;
- ``one bin``: outcomes drawn with ``q`` except in [0.1, 0.2), one bin of eight, where they are ``q + 8 ece``;
- ``overconfident``: outcomes drawn with ``q + ece`` below 0.5 and ``q - ece`` above.
Each run calls ``ModelGate.calibration`` with the default settings (alpha = 0.01) and ``max_ece = 0.05``; the table
shows the fraction of runs that failed, next to the fraction that the former lower end (the basic bootstrap end
``2 D - q_hi`` of the debiased ECE ``D``, from the same replicates) would have failed: it is biased upward in
calibrated bins, so it alarms too often when only some bins are off.

Slices: every slice has true accuracy exactly ``min`` (0.8); a run fails when any judged slice fails. With the
Bonferroni-corrected level the whole check should fail in at most alpha = 1% of runs; without the correction
(each slice at alpha) the rate grows with the number of slices.

Run: ``python benchmarks/sim_model.py [--runs N] [--resamples B] [--sizes 200,500,1000] [--calibration-only]
[--shapes every,half,one,overconfident]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.stats import calibration as cal
from pytest_mlgate.stats.bootstrap import replicates, upper_order_statistic

LIMIT = 0.05


def _every_bin(rng: np.random.Generator, n: int, ece: float) -> tuple[np.ndarray, np.ndarray]:
    p = rng.uniform(0.1, 0.85, n)
    return p + ece, p


def _half_the_bins(rng: np.random.Generator, n: int, ece: float) -> tuple[np.ndarray, np.ndarray]:
    q = rng.uniform(0.1, 0.9, n)
    return q, np.where(q < 0.5, q, q + 2 * ece)


def _one_bin(rng: np.random.Generator, n: int, ece: float) -> tuple[np.ndarray, np.ndarray]:
    q = rng.uniform(0.1, 0.9, n)
    return q, np.where(q < 0.2, q + 8 * ece, q)


def _overconfident(rng: np.random.Generator, n: int, ece: float) -> tuple[np.ndarray, np.ndarray]:
    q = rng.uniform(0.1, 0.9, n)
    return q, np.where(q < 0.5, q + ece, q - ece)


#: shape name -> draw(rng, rows, ece) -> (predicted probability, probability of the outcome)
SHAPES: dict[str, Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]] = {
    "every": _every_bin, "half": _half_the_bins, "one": _one_bin, "overconfident": _overconfident}


def calibration_rates(shape: str, n: int, ece: float, runs: int, settings: GateSettings) -> tuple[int, int]:
    """Failures of the gate and of the former lower end, over ``runs`` runs."""
    rng = np.random.default_rng([n, int(ece * 1000), list(SHAPES).index(shape)])
    gate_fails = former_fails = 0
    for run in range(runs):
        q, p = SHAPES[shape](rng, n, ece)
        y = (rng.random(n) < p).astype(int)
        result, _ = ModelGate(Recorder(settings=settings, identity=str(run), raises=False)).calibration(
            None, None, y, y_score=q, max_ece=LIMIT)
        gate_fails += result.status == "fail"
        data = cal.calibration_data(y, q, np.array([0, 1]))
        ids = cal.bin_ids(data.prob, cal.bin_edges(data.prob, 10))
        reps = replicates(lambda c, d=data, i=ids: cal.debiased_ece_batch(d.prob, d.outcome, i, 10, c), n,
                          settings.n_resamples, settings.seed_for(str(run), "calibration"))
        former = 2 * result.details["debiased_ece"] - upper_order_statistic(reps, settings.confidence)
        former_fails += former > LIMIT
    return gate_fails, former_fails


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
    from scipy.stats import binomtest

    print(f"calibration: max_ece = {LIMIT}, alpha = {settings.alpha}, {args.runs} runs per row, "
          f"{args.resamples} resamples")
    print(f"{'rows':>6} {'shape':>14} {'true ECE':>9} {'gate fails':>11} {'95% CI':>16} {'former lower end':>17}")
    for n in (int(size) for size in args.sizes.split(",")):
        for shape, ece in [("every", 0.0)] + [(s, e) for s in args.shapes.split(",") for e in (LIMIT, 2 * LIMIT)]:
            gate, former = calibration_rates(shape, n, ece, args.runs, settings)
            low, high = binomtest(gate, args.runs).proportion_ci(0.95, method="exact")
            ci = f"[{low:.1%}, {high:.1%}]"
            print(f"{n:>6} {shape if ece else 'calibrated':>14} {ece:>9.2f} {gate / args.runs:>11.1%} {ci:>16} "
                  f"{former / args.runs:>17.1%}", flush=True)
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
    parser.add_argument("--shapes", default=",".join(SHAPES), help="calibration shapes, comma-separated")
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
