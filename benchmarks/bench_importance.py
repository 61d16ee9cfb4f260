"""Permutation importance: the gate against scikit-learn's ``permutation_importance``, in one run.

100,000 rows x 20 features, a logistic regression, ROC AUC, 5 repeats, the same ``random_state``: prints both
wall times, their ratio, and the largest difference between the two importance matrices (they must agree: the
gate draws scikit-learn's permutations). The gate also computes each feature's interval (DeLong for ROC AUC),
which scikit-learn does not.

    python benchmarks/bench_importance.py [--rows 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression

from pytest_mlgate.gates.model import ModelGate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.rows, 20))
    y = (X[:, :5] @ np.linspace(1, 0.2, 5) + 2 * rng.normal(size=args.rows) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    ours, theirs, gap = [], [], 0.0
    for _ in range(args.rounds):  # interleaved rounds: both see the same machine load
        start = time.perf_counter()
        sk = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=5, random_state=0)
        theirs.append(time.perf_counter() - start)
        start = time.perf_counter()
        results = ModelGate().importance(model, X, y, metric="roc_auc", n_repeats=5, random_state=0)
        ours.append(time.perf_counter() - start)
        gap = max(gap, float(np.abs(np.array([r.details["repeats"] for r in results]) - sk.importances).max()))
    a, b = statistics.median(theirs), statistics.median(ours)
    print(f"permutation importance, {args.rows:,} rows x 20 features, 5 repeats, median of {args.rounds} rounds")
    print(f"  scikit-learn permutation_importance  {a:8.2f} s")
    print(f"  model_gate.importance (+ intervals)  {b:8.2f} s   ratio {a / b:.2f}x")
    print(f"  largest difference of the importances: {gap:.1e}")


if __name__ == "__main__":
    main()
