"""False alarms of ``model_gate.beats`` and ``baseline_gate.select`` at their defaults, by simulation.

Nothing changed means, for ``beats``, a model exactly as good as its fallback with the default ``margin=0`` (the
check must not fail more than ``alpha`` of the time); for ``select``, three challengers exactly as good as the
champion (none may be called better more than ``alpha`` of the time, Holm-corrected). Scores are
``label + noise`` with independent noise of the same scale per model, so every model has the same true ROC AUC;
each run draws new rows.

    python benchmarks/sim_lifecycle.py [--runs 300] [--resamples 500]
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import numpy as np

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateFailure


class Fixed:
    """A 'model' whose scores were computed elsewhere: predict_proba returns them for the rows it is given."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores
        self.classes_ = np.array([0, 1])

    def fit(self, X: Any, y: Any) -> Fixed:
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        rows = np.asarray(X)[:, 0].astype(int)
        return np.column_stack([1 - self.scores[rows], self.scores[rows]])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)

    def __sklearn_is_fitted__(self) -> bool:
        return True


def scores(rng: np.random.Generator, y: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(1.2 * (y - 0.5) + rng.normal(size=y.size))))


def fails(check: Any, *args: Any, **kwargs: Any) -> bool:
    try:
        check(*args, **kwargs)
    except GateFailure:
        return True
    return False


def wilson_upper(k: int, n: int, z: float = 1.96) -> float:
    p = k / n
    return (p + z * z / (2 * n) + z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    settings = GateSettings(n_resamples=args.resamples)
    print(f"false alarms at defaults (alpha = {settings.alpha}), {args.runs} runs per size, "
          f"{args.resamples} resamples")
    print(f"{'check':<8} {'rows':>7} {'false alarms':>13} {'95% upper':>10}")
    for n in (1_000, 10_000):
        start = time.perf_counter()
        beats = select = 0
        for run in range(args.runs):
            rng = np.random.default_rng(run)
            y = (rng.random(n) < 0.4).astype(int)
            X = np.arange(n)[:, None]
            model, fallback = Fixed(scores(rng, y)), Fixed(scores(rng, y))
            beats += fails(ModelGate(settings=settings).beats, model, fallback, X, y, metric="roc_auc")
            variants = {f"v{i}": scores(rng, y) for i in range(4)}
            select += fails(BaselineGate(settings=settings).select, variants, None, y, metric="roc_auc",
                            champion="v0")
        for name, count in (("beats", beats), ("select", select)):
            print(f"{name:<8} {n:>7,} {count / args.runs:>13.3f} {wilson_upper(count, args.runs):>10.3f}")
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
