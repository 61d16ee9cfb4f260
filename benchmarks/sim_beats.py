"""False alarms of ``model_gate.beats``'s rule at its defaults (1,000 resamples, alpha 0.01, margin 0) on many runs.

The model and the fallback score ``label + noise`` with independent noise of the same scale (the scores of
``sim_lifecycle.py``), so both have the same true ROC AUC: the rule's exact null. Each run computes the paired
bootstrap interval ``beats`` uses (``stats.paired.paired_difference``, 98%) and counts a failure when its upper
end lies below the margin; also shown, on the same replicates, the normal interval (bootstrap standard error) and
the basic one.

    python benchmarks/sim_beats.py [--runs 3000] [--rows 1000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.stats import binomtest, norm
from sklearn.metrics import roc_auc_score

from pytest_mlgate.stats.metrics import METRICS
from pytest_mlgate.stats.paired import paired_difference

sys.path.insert(0, str(Path(__file__).parent))
from sim_lifecycle import scores


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    m = METRICS["roc_auc"]
    fails = {"percentile (the gate's)": 0, "normal": 0, "basic": 0}
    for run in range(args.runs):
        rng = np.random.default_rng(run)
        y = (rng.random(args.rows) < 0.4).astype(int)
        model, fallback = scores(rng, y), scores(rng, y)
        value_m, value_f = roc_auc_score(y, model), roc_auc_score(y, fallback)
        paired = paired_difference(m, y, fallback, model, value_a=value_f, value_b=value_m, n_resamples=1000,
                                   confidence=0.98, seed=run)
        gain, reps = value_m - value_f, paired.replicates
        fails["percentile (the gate's)"] += paired.interval[1] < 0
        fails["normal"] += gain + norm.ppf(0.99) * reps.std(ddof=1) < 0
        fails["basic"] += 2 * gain - np.percentile(reps, 1) < 0
    print(f"beats, model as good as its fallback, {args.rows} rows, {args.runs} runs, 1000 resamples, alpha 0.01")
    for name, count in fails.items():
        ci = binomtest(count, args.runs).proportion_ci(method="exact")
        print(f"  {name:<24} {count / args.runs:6.2%}  95% CI [{ci.low:.2%}, {ci.high:.2%}]")


if __name__ == "__main__":
    main()
