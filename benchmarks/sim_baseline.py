"""How often does ``baseline_gate.compare`` fail when nothing changed, and how often does it catch a real drop?

"Nothing changed" for a stored baseline means: the same pipeline retrained with a new seed, scored on the same
fixed evaluation data (the baseline's fingerprint pins the data). Each run draws a training set and an evaluation
set from one distribution, trains a random forest with seed A (which writes the baseline) and seed B (the "current"
model), and compares B with the baseline at ``max_drop=0`` and the default ``mlgate_alpha=0.01``, both without
stored predictions (the two intervals combined) and with them (paired on the same rows).

"A real drop" replaces the current model by one trained without its two most useful features.

    python benchmarks/sim_baseline.py              # 150 runs per cell
    python benchmarks/sim_baseline.py --runs 100   # quicker
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import binomtest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.baseline import BaselineGate


class Without:
    """A model trained without some columns: a real, moderate loss of AUC."""

    def __init__(self, drop: list[int], X: np.ndarray, y: np.ndarray, seed: int) -> None:
        self.keep = [j for j in range(X.shape[1]) if j not in drop]
        self.inner = RandomForestClassifier(n_estimators=30, max_depth=8, random_state=seed, n_jobs=1)
        self.inner.fit(X[:, self.keep], y)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.inner.predict(X[:, self.keep])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.inner.predict_proba(X[:, self.keep])


def one_run(run: int, n_eval: int, change: bool, paired: bool, workdir: Path) -> tuple[bool, float]:
    X, y = make_classification(n_samples=2000 + n_eval, n_features=10, n_informative=5, flip_y=0.1,
                               random_state=10_000 + run)
    X_train, y_train, X_eval, y_eval = X[:2000], y[:2000], X[2000:], y[2000:]
    champion = RandomForestClassifier(n_estimators=30, max_depth=8, random_state=2 * run, n_jobs=1)
    champion.fit(X_train, y_train)
    if change:
        useful = np.argsort(-champion.feature_importances_)[:2].tolist()
        current = Without(useful, X_train, y_train, 2 * run + 1)
    else:
        current = RandomForestClassifier(n_estimators=30, max_depth=8, random_state=2 * run + 1, n_jobs=1)
        current.fit(X_train, y_train)
    key = f"sim::{run}-{n_eval}-{change}-{paired}"
    write = GateSettings(baseline_dir=workdir, update_baselines=True, seed=run)
    BaselineGate(Recorder(settings=write, identity=key, raises=False)).compare(
        champion, X_eval, y_eval, metrics="roc_auc", store_predictions=paired)
    [result] = BaselineGate(Recorder(settings=GateSettings(
        baseline_dir=workdir, seed=run), identity=key, raises=False)).compare(
            current, X_eval, y_eval, metrics="roc_auc")
    return result.status == "fail", float(result.value or 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=150)
    args = parser.parse_args()
    print(f"baseline_gate.compare roc_auc, max_drop=0, alpha=0.01, {args.runs} runs per cell")
    print(f"{'condition':<32} {'n_eval':>7} {'mode':<9} {'fail rate':>9}  {'95% CI':<17} {'mean diff':>10}  time")
    with tempfile.TemporaryDirectory() as tmp:
        for change in (False, True):
            for n_eval in (1000, 5000):
                for paired in (False, True):
                    start = time.perf_counter()
                    outcomes = [one_run(run, n_eval, change, paired, Path(tmp)) for run in range(args.runs)]
                    fails = sum(f for f, _ in outcomes)
                    ci = binomtest(fails, args.runs).proportion_ci(0.95)
                    label = "real drop (2 best features gone)" if change else "nothing changed (new seed)"
                    print(f"{label:<32} {n_eval:>7} {'paired' if paired else 'unpaired':<9} "
                          f"{fails / args.runs:>9.3f}  [{ci.low:.3f}, {ci.high:.3f}]  "
                          f"{np.mean([d for _, d in outcomes]):>+10.4f}  {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
