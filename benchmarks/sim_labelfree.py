"""How often the label-free performance interval holds the metric realised once the labels arrive.

A logistic truth ``P(y=1 | x) = sigmoid(x @ w)`` over 5 features; a gradient-boosted model trained on 4,000 rows;
a labelled reference of ``n_ref`` rows from the training distribution; unlabelled current rows drawn under:
- ``none``: the same distribution;
- ``covariate``: the first two features shifted by +0.8 standard deviations (the relation x -> y unchanged);
- ``concept``: the same rows as the reference but the truth's weights changed (what no label-free method sees).

For each run, ``estimate`` gives the expected metric and its 98% interval; the run's realised metric (from the
current rows' true labels) is inside or not. Prints coverage, mean width and the mean error per scenario.

    python benchmarks/sim_labelfree.py [--runs 200] [--n 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

from pytest_mlgate.stats.labelfree import estimate

W = np.array([1.2, -0.8, 0.6, 0.0, 0.4])
W_CONCEPT = np.array([0.4, -0.8, 1.4, 0.5, -0.4])


def draw(rng: np.random.Generator, n: int, shift: float = 0.0, w: np.ndarray = W) -> tuple[np.ndarray, np.ndarray]:
    X = rng.normal(size=(n, W.size))
    X[:, :2] += shift
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w)))).astype(int)
    return X, y


def run(scenario: str, runs: int, n: int, n_resamples: int, alpha: float) -> dict[str, float]:
    hits = {"accuracy": 0, "roc_auc": 0}
    widths = {"accuracy": 0.0, "roc_auc": 0.0}
    errors = {"accuracy": 0.0, "roc_auc": 0.0}
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        model = HistGradientBoostingClassifier(max_iter=60, random_state=seed).fit(*draw(rng, 4000))
        X_ref, y_ref = draw(rng, n)
        if scenario == "covariate":
            X_cur, y_cur = draw(rng, n, shift=0.8)
        elif scenario == "concept":
            X_cur, y_cur = draw(rng, n, w=W_CONCEPT)
        else:
            X_cur, y_cur = draw(rng, n)
        s_ref, s_cur = model.predict_proba(X_ref)[:, 1], model.predict_proba(X_cur)[:, 1]
        p_ref, p_cur = model.predict(X_ref), model.predict(X_cur)
        for metric, realised in (("accuracy", accuracy_score(y_cur, p_cur)), ("roc_auc", roc_auc_score(y_cur, s_cur))):
            est = estimate(metric, s_ref, y_ref, s_cur, p_cur, p_ref, n_resamples=n_resamples,
                           confidence=1 - 2 * alpha, seed=seed)
            lo, hi = est.interval
            hits[metric] += lo <= realised <= hi
            widths[metric] += hi - lo
            errors[metric] += est.value - realised
    return {f"{m}_{k}": v for m in hits for k, v in
            (("coverage", hits[m] / runs), ("width", widths[m] / runs), ("bias", errors[m] / runs))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--resamples", type=int, default=400)
    parser.add_argument("--alpha", type=float, default=0.01)
    args = parser.parse_args()
    print(f"label-free estimate, {args.runs} runs of {args.n} reference and {args.n} current rows, "
          f"{1 - 2 * args.alpha:.0%} intervals, {args.resamples} resamples")
    print(f"{'scenario':<10} {'metric':<9} {'coverage':>9} {'width':>8} {'bias':>8}")
    for scenario in ("none", "covariate", "concept"):
        start = time.perf_counter()
        out = run(scenario, args.runs, args.n, args.resamples, args.alpha)
        for metric in ("accuracy", "roc_auc"):
            print(f"{scenario:<10} {metric:<9} {out[metric + '_coverage']:>9.3f} {out[metric + '_width']:>8.4f} "
                  f"{out[metric + '_bias']:>+8.4f}")
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
