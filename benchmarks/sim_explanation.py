"""How often does ``baseline_gate.importance_ranking`` fail when only the training seed changed, and how often
does it catch a model that lost its most important feature?

Each run draws training and evaluation rows from one logistic model with graded coefficients
(1.2, 1.0, 0.8, 0.6, 0.5, 0.48, 0.25, 0): the 5th and 6th features are near-tied, so at ``top_k=5`` the stored
and the current top 5 often differ by that pair. A random forest trained with seed A writes the baseline; one
trained with seed B on the same rows (and other permutation seeds) is checked: "nothing changed". "A real change"
checks a forest trained with the most important feature shuffled (it can no longer use it). Beside the gate's
verdict the table shows how often the current top-k set differs from the stored one at all: what a naive
"same top k" test would fail.

Every run is at the gate's defaults (``top_k`` as shown, ``n_repeats=5``, 1,000 bootstrap resamples, alpha 0.01)
and seeded from its index: same command, same table.

    python benchmarks/sim_explanation.py                            # 300 no-change and 100 change runs per row
    python benchmarks/sim_explanation.py --runs 40,20 --workers 2   # quicker
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per worker process: the workers are the parallelism

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import binomtest  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402

from pytest_mlgate.gates.base import GateSettings, Recorder  # noqa: E402
from pytest_mlgate.gates.baseline import BaselineGate  # noqa: E402

COEF = np.array([1.2, 1.0, 0.8, 0.6, 0.5, 0.48, 0.25, 0.0])


def forest(X: np.ndarray, y: np.ndarray, seed: int) -> RandomForestClassifier:
    return RandomForestClassifier(n_estimators=40, max_depth=8, random_state=seed, n_jobs=1).fit(X, y)


def one_run(run: int, change: bool, top_k: int, n_eval: int, workdir: Path | None = None) -> tuple[bool, bool]:
    if workdir is None:
        with tempfile.TemporaryDirectory() as tmp:
            return one_run(run, change, top_k, n_eval, Path(tmp))
    rng = np.random.default_rng(20_000 + run)
    n = 2000 + n_eval
    X = rng.normal(size=(n, COEF.size))
    y = (X @ COEF + rng.logistic(size=n) > 0).astype(int)
    X_train, y_train, X_eval, y_eval = X[:2000], y[:2000], X[2000:], y[2000:]
    stored = forest(X_train, y_train, 2 * run)
    if change:
        shuffled = X_train.copy()
        shuffled[:, 0] = rng.permutation(shuffled[:, 0])
        current = forest(shuffled, y_train, 2 * run + 1)
    else:
        current = forest(X_train, y_train, 2 * run + 1)
    key = f"sim::{run}-{change}-{top_k}-{n_eval}"
    write = GateSettings(baseline_dir=workdir, update_baselines=True, seed=run)
    [written] = BaselineGate(Recorder(settings=write, identity=key, raises=False)).importance_ranking(
        stored, X_eval, y_eval, metric="roc_auc", top_k=top_k)
    read = GateSettings(baseline_dir=workdir, seed=10_000 + run)
    [result] = BaselineGate(Recorder(settings=read, identity=key, raises=False)).importance_ranking(
        current, X_eval, y_eval, metric="roc_auc", top_k=top_k)
    before = {r["feature"] for r in written.details["current"]}
    after = {r["feature"] for r in result.details["current"]}
    return result.status == "fail", before != after


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", default="300,100", help="no-change,change runs per row")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    null_runs, change_runs = (int(r) for r in args.runs.split(","))
    print(f"baseline_gate.importance_ranking roc_auc at its defaults (n_repeats=5, 1000 resamples, alpha=0.01), "
          f"{null_runs} no-change and {change_runs} change runs per row, {time.strftime('%Y-%m-%d')}")
    print(f"{'condition':<34} {'top_k':>5} {'n_eval':>6} {'fail rate':>9}  {'95% CI':<16} {'top-k set differs':>17}"
          "  time")
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for change in (False, True):
            runs = change_runs if change else null_runs
            for top_k, n_eval in ((5, 1000), (5, 3000), (3, 1000)):
                start = time.perf_counter()
                outcomes = pool.map(partial(one_run, change=change, top_k=top_k, n_eval=n_eval), range(runs))
                fails = sum(f for f, _ in outcomes)
                ci = binomtest(fails, runs).proportion_ci(0.95)
                label = "real change (top feature shuffled)" if change else "nothing changed (new seed)"
                print(f"{label:<34} {top_k:>5} {n_eval:>6} {fails / runs:>9.3f}  [{ci.low:.3f}, {ci.high:.3f}]"
                      f"  {np.mean([d for _, d in outcomes]):>17.2f}  {time.perf_counter() - start:.0f}s",
                      flush=True)


if __name__ == "__main__":
    main()
