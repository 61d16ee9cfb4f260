"""How often do the gates cry wolf, and how often do they catch a real change? A seeded simulation study.

Every gate runs at its DEFAULT settings (``GateSettings()``: alpha 0.01, 1,000 bootstrap resamples) many times in
two conditions, on data whose truth is known in closed form:

* **no change**: a new training seed and a fresh sample from the same distribution, as in every CI run where nobody
  touched the model. A failure here is a false alarm.
* **a stated change** of a given size. A failure here is a detection; its rate is the power.

The data: ``y ~ Bernoulli(0.3)`` and six features ``X | y ~ N(y * delta, I)`` (five informative, one pure noise).
The model is a scikit-learn ``LogisticRegression`` fitted on a fresh training sample of 2,000 rows in every run.
Its score is linear, ``s = w.x + b``, so ``s | y`` is normal and the model's *population* metrics are exact:
``AUC = Phi(w.delta / (|w| sqrt 2))`` and ``accuracy = pi Phi((w.delta + b)/|w|) + (1 - pi) Phi(-b/|w|)``. A model
that is "0.02 worse in AUC" is the fitted model with weight moved onto the noise feature until its population AUC
is exactly 0.02 lower (a bug that lets a useless column in).

Per gate:

* ``model_gate.metrics``: the limit is the model's own true value (the hardest case for false alarms: any lower
  limit alarms less); the change is a limit 0.02 above it (the model is 0.02 below its threshold).
* ``baseline_gate.compare`` (``max_drop=0``): the baseline file pins the evaluation data, so per run a fresh
  evaluation set is drawn, model A writes the baseline on it, and model B (retrained with a new seed; or the 0.02
  worse model) is compared on the same rows.
* ``baseline_gate.compare_models`` (``margin=0``): champion and challenger trained with different seeds on the
  same data distribution, scored on a fresh evaluation set; the change is a challenger 0.02 worse in AUC.
* ``fairness_gate.check``: two groups (40% / 60%) with base rates 0.45 and 0.2 and features that do not depend on
  the group; the demographic-parity difference of the fitted model is exact. The limit is that true gap; the
  change is a true gap 0.05 above the limit.
* ``data_gate.drift``: 20 columns (14 normal with various means and scales, 2 log-normal, 2 Poisson counts, 2
  categorical), reference and current drawn fresh at the same size; the change shifts one normal column by 0.1
  of its standard deviation. Also shown with ``min_wasserstein=0.05``, the knob that trades in the other direction.

Coverage: the no-change runs also record whether each interval the gate reported covers the true value (98%
intervals by default), and a separate section runs the gates at ``alpha=0.025`` to check 95% intervals.

Run: ``python benchmarks/verdicts.py [--quick] [--workers 2]``. ``--quick`` (fewer runs, sizes 1,000 and 10,000)
takes a few minutes on 2 idle cores; the full run about an hour (the heavy gates bootstrap every row: seconds per
run at 100,000 rows, so they get fewer runs there). ``--sizes``/``--only`` run part of the plan and ``--save`` keeps
every outcome; ``--merge a.json b.json`` prints the table of saved parts (a later file replaces a cell it re-ran,
or extends it with other runs: ``--first-run K`` runs K, K+1, ...).
Every run is seeded from its gate, condition, size and index: same command, same table.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per worker process: the workers are the parallelism

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import binomtest, norm  # noqa: E402

from pytest_mlgate.gates.base import GateSettings, Recorder  # noqa: E402
from pytest_mlgate.gates.baseline import BaselineGate  # noqa: E402
from pytest_mlgate.gates.data import DataGate  # noqa: E402
from pytest_mlgate.gates.fairness import FairnessGate  # noqa: E402
from pytest_mlgate.gates.model import ModelGate  # noqa: E402
from pytest_mlgate.results import GateResult  # noqa: E402

BASE_RATE = 0.3
DELTA = np.array([0.53] * 5 + [0.0])  # the Bayes AUC is Phi(|delta| / sqrt 2) = 0.80
NOISE = 5  # the index of the feature that carries no signal
N_TRAIN = 2_000
AUC_DROP = 0.02
METRIC_GAP = 0.02
FAIRNESS_GAP = 0.05
GROUP_SHARE = 0.4  # share of group "b"
GROUP_BASE_RATES = {"a": 0.45, "b": 0.2}
DRIFT_SHIFT = 0.1  # in standard deviations of the shifted column


# --- the model and its exact population metrics ------------------------------------------------------------------


class LinearModel:
    """A fitted linear classifier ``P(y=1) = sigmoid(w.x + b)``: what LogisticRegression learned, or a degraded copy."""

    def __init__(self, w: np.ndarray, b: float) -> None:
        self.w, self.b = np.asarray(w, dtype=float), float(b)
        self.classes_ = np.array([0, 1])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X) @ self.w + self.b

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(np.int64)

    def true_auc(self) -> float:
        return float(norm.cdf(self.w @ DELTA / (np.linalg.norm(self.w) * math.sqrt(2.0))))

    def true_rates(self) -> tuple[float, float]:
        """(TPR, FPR) of ``predict`` in the population."""
        scale = np.linalg.norm(self.w)
        return float(norm.cdf((self.w @ DELTA + self.b) / scale)), float(norm.cdf(self.b / scale))

    def true_accuracy(self, base_rate: float = BASE_RATE) -> float:
        tpr, fpr = self.true_rates()
        return base_rate * tpr + (1.0 - base_rate) * (1.0 - fpr)

    def twin(self) -> LinearModel:
        """An equally good but different model: ``w`` mirrored about the signal direction keeps ``w.delta`` and
        ``|w|``, so every population metric is identical while the predictions differ (the rule's exact null)."""
        unit = DELTA / np.linalg.norm(DELTA)
        return LinearModel(2.0 * (self.w @ unit) * unit - self.w, self.b)

    def worse_by(self, drop: float) -> LinearModel:
        """A copy whose population AUC is exactly ``drop`` lower: weight moved onto the noise feature."""
        target = norm.ppf(self.true_auc() - drop)
        radius = self.w @ DELTA / (math.sqrt(2.0) * target)  # the |w'| that gives the target AUC
        u, w5 = np.linalg.norm(self.w), self.w[NOISE]
        t = -w5 + math.sqrt(w5 * w5 + radius * radius - u * u)
        w = self.w.copy()
        w[NOISE] += t
        return LinearModel(w, self.b)


def sample(
    n: int, rng: np.random.Generator, base_rate: float | np.ndarray = BASE_RATE
) -> tuple[np.ndarray, np.ndarray]:
    y = (rng.random(n) < base_rate).astype(np.int64)
    X = rng.standard_normal((n, DELTA.size)) + y[:, None] * DELTA
    return X, y


def train(rng: np.random.Generator, base_rate: float | Callable[[int], np.ndarray] = BASE_RATE) -> LinearModel:
    """LogisticRegression on a fresh training sample: a new training seed."""
    from sklearn.linear_model import LogisticRegression

    rate = base_rate(N_TRAIN) if callable(base_rate) else base_rate
    X, y = sample(N_TRAIN, rng, rate)
    fitted = LogisticRegression().fit(X, y)
    return LinearModel(fitted.coef_[0], float(fitted.intercept_[0]))


# --- one run of each gate ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    failed: bool
    covered: bool | None = None  # does the reported interval cover the true value? (None: no such value)
    inconclusive: bool = False  # the interval straddles the limit (a status of its own)
    run: int = -1  # the run's index (its seed), set by simulate


def _failed(results: list[GateResult]) -> bool:
    return any(r.status == "fail" for r in results)


def _straddles(result: GateResult) -> bool:
    """The interval reaches across the limit: the data cannot tell (status "inconclusive" where the result model
    has it; computed from the interval here so the study does not depend on it)."""
    if result.status == "inconclusive":
        return True
    if result.status == "fail" or result.interval is None or result.limit is None:
        return False
    lo, hi = result.interval
    if result.comparison == ">=":
        return lo < result.limit <= hi
    if result.comparison == "<=":
        return lo <= result.limit < hi
    return False


def _outcome(results: list[GateResult], covered: bool | None = None) -> Outcome:
    return Outcome(_failed(results), covered, any(_straddles(r) for r in results))


def _covers(result: GateResult, truth: float) -> bool | None:
    if result.interval is None:
        return None
    lo, hi = result.interval
    return bool(lo <= truth <= hi)


def run_metrics(metric: str, change: bool, n: int, rng: np.random.Generator, settings: GateSettings) -> Outcome:
    model = train(rng)
    X, y = sample(n, rng)
    truth = model.true_auc() if metric == "roc_auc" else model.true_accuracy()
    limit = truth + (METRIC_GAP if change else 0.0)
    [result] = ModelGate(Recorder(settings=settings, identity="verdicts", raises=False)).metrics(
        model, X, y, min={metric: limit})
    return _outcome([result], _covers(result, truth))


def run_compare(change: bool, n: int, rng: np.random.Generator, settings: GateSettings, workdir: Path,
                paired: bool = False) -> Outcome:
    X, y = sample(n, rng)  # the evaluation data the baseline file pins
    champion = train(rng)
    key = f"compare-{rng.integers(1 << 62)}"
    written = GateSettings(alpha=settings.alpha, n_resamples=settings.n_resamples, seed=settings.seed,
                           baseline_dir=workdir, update_baselines=True)
    BaselineGate(Recorder(settings=written, identity=key, raises=False)).compare(
        champion, X, y, metrics=["roc_auc"], store_predictions=paired)
    retrained = train(rng)
    model = retrained.worse_by(AUC_DROP) if change else retrained
    reading = GateSettings(alpha=settings.alpha, n_resamples=settings.n_resamples, seed=settings.seed,
                           baseline_dir=workdir)
    [result] = BaselineGate(Recorder(settings=reading, identity=key, raises=False)).compare(
        model, X, y, metrics=["roc_auc"])
    for path in workdir.glob("*"):
        path.unlink()
    return _outcome([result])


def run_compare_models(change: bool, n: int, rng: np.random.Generator, settings: GateSettings,
                       margin: float | None = None, tied: bool = False) -> Outcome:
    champion = train(rng)
    retrained = champion.twin() if tied else train(rng)
    challenger = retrained.worse_by(AUC_DROP) if change else retrained
    X, y = sample(n, rng)
    [result] = BaselineGate(Recorder(settings=settings, identity="verdicts", raises=False)).compare_models(
        champion, challenger, X, y, metric="roc_auc", margin=margin)
    truth = challenger.true_auc() - champion.true_auc()
    return _outcome([result], _covers(result, truth))


VARIANTS = 5  # seed variants of the champion


def run_seed_variants(change: bool, n: int, rng: np.random.Generator, settings: GateSettings) -> Outcome:
    """compare_models with the champion as five seed variants: the challenger is a sixth seed (or 0.02 worse)."""
    champions = [train(rng) for _ in range(VARIANTS)]
    retrained = train(rng)
    challenger = retrained.worse_by(AUC_DROP) if change else retrained
    X, y = sample(n, rng)
    [result] = BaselineGate(Recorder(settings=settings, identity="verdicts", raises=False)).compare_models(
        champions, challenger, X, y, metric="roc_auc")
    return _outcome([result])


def _group_rates(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    group = np.where(rng.random(n) < GROUP_SHARE, "b", "a")
    return group, np.where(group == "b", GROUP_BASE_RATES["b"], GROUP_BASE_RATES["a"])


def true_parity_gap(model: LinearModel) -> float:
    """|selection rate(a) - selection rate(b)|: the features do not depend on the group, only the base rate."""
    tpr, fpr = model.true_rates()
    rates = [pi * tpr + (1.0 - pi) * fpr for pi in GROUP_BASE_RATES.values()]
    return abs(rates[0] - rates[1])


def run_fairness(change: bool, n: int, rng: np.random.Generator, settings: GateSettings) -> Outcome:
    model = train(rng, base_rate=lambda m: _group_rates(m, rng)[1])
    group, rate = _group_rates(n, rng)
    X, y = sample(n, rng, rate)
    truth = true_parity_gap(model)
    limit = truth - (FAIRNESS_GAP if change else 0.0)
    [result] = FairnessGate(Recorder(settings=settings, identity="verdicts", raises=False)).check(
        model, X, y, sensitive_features=group, max_difference={"demographic_parity": limit})
    return _outcome([result], _covers(result, truth))


CALIBRATION_LIMIT = 0.05


def run_calibration(change: bool, n: int, rng: np.random.Generator, settings: GateSettings) -> Outcome:
    """Outcomes drawn with probability p (uniform on [0.1, 0.85]) and predicted as p + shift: the binned ECE of
    the population is exactly the shift: max_ece (0.05) when nothing changed, twice it after the change."""
    p = rng.uniform(0.1, 0.85, n)
    y = (rng.random(n) < p).astype(np.int64)
    shift = 2 * CALIBRATION_LIMIT if change else CALIBRATION_LIMIT
    [ece, _] = ModelGate(Recorder(settings=settings, identity="verdicts", raises=False)).calibration(
        None, None, y, y_score=p + shift, max_ece=CALIBRATION_LIMIT)
    return _outcome([ece], _covers(ece, shift))


DRIFT_COLUMNS = 20


def drift_frame(n: int, rng: np.random.Generator, shift: float = 0.0) -> pd.DataFrame:
    """Twenty columns of mixed kinds; ``shift`` moves column ``x00`` (normal, sd 2) by that many SDs."""
    columns: dict[str, Any] = {}
    for i in range(14):
        mean, sd = float(i), 1.0 + 0.5 * (i % 3)
        values = rng.normal(mean, sd, n)
        if i == 0:
            values = values + shift * sd
        columns[f"x{i:02d}"] = values
    for i in range(14, 16):
        columns[f"x{i:02d}"] = rng.lognormal(0.0, 0.75, n)
    for i in range(16, 18):
        columns[f"x{i:02d}"] = rng.poisson(3.0 + i - 16, n)
    for i in range(18, 20):
        columns[f"x{i:02d}"] = rng.choice(np.array(["red", "green", "blue", "grey", "black"]), size=n,
                                          p=[0.4, 0.25, 0.2, 0.1, 0.05])
    return pd.DataFrame(columns)


def run_drift(change: bool, n: int, rng: np.random.Generator, min_wasserstein: float | None = None) -> Outcome:
    reference = drift_frame(n, rng)
    current = drift_frame(n, rng, DRIFT_SHIFT if change else 0.0)
    if min_wasserstein is None:
        results = DataGate(raises=False).drift(reference, current)
    else:
        results = DataGate(raises=False).drift(reference, current, min_wasserstein=min_wasserstein)
    return _outcome(results[:1])


# --- the study -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    name: str
    change: str  # what the stated change is
    run: Callable[..., Outcome]
    heavy: bool = False  # seconds per run at 100,000 rows (bootstrap over every row): fewer runs there
    max_n: int | None = None  # run only up to this size (a row that illustrates a former default)
    inconclusive: bool = True  # whether the gate has an inconclusive verdict (drift fails or passes a column)


GATES: list[Gate] = [
    Gate("model_gate.metrics roc_auc", f"model {METRIC_GAP} below its min", lambda c, n, r, s, w: run_metrics(
        "roc_auc", c, n, r, s), heavy=True),
    Gate("model_gate.metrics accuracy", f"model {METRIC_GAP} below its min", lambda c, n, r, s, w: run_metrics(
        "accuracy", c, n, r, s), heavy=True),
    Gate("baseline_gate.compare roc_auc", f"AUC {AUC_DROP} lower than baseline", lambda c, n, r, s, w: run_compare(
        c, n, r, s, w), heavy=True),
    Gate("baseline_gate.compare roc_auc, store_predictions=True", f"AUC {AUC_DROP} lower than baseline",
         lambda c, n, r, s, w: run_compare(c, n, r, s, w, paired=True), heavy=True),
    Gate("baseline_gate.compare_models roc_auc", f"challenger AUC {AUC_DROP} lower",
         lambda c, n, r, s, w: run_compare_models(c, n, r, s), heavy=True),
    Gate(f"baseline_gate.compare_models roc_auc, champion as {VARIANTS} seed variants",
         f"challenger AUC {AUC_DROP} lower", lambda c, n, r, s, w: run_seed_variants(c, n, r, s)),
    Gate("baseline_gate.compare_models roc_auc margin=0 (the former default)", f"challenger AUC {AUC_DROP} lower",
         lambda c, n, r, s, w: run_compare_models(c, n, r, s, margin=0.0), heavy=True, max_n=10_000),
    Gate("model_gate.calibration ece", f"true ECE {2 * CALIBRATION_LIMIT} (twice max_ece)",
         lambda c, n, r, s, w: run_calibration(c, n, r, s), heavy=True),
    Gate("fairness_gate.check demographic_parity", f"gap {FAIRNESS_GAP} above the limit",
         lambda c, n, r, s, w: run_fairness(c, n, r, s)),
    Gate("data_gate.drift (20 columns)", f"one column shifted {DRIFT_SHIFT} SD",
         lambda c, n, r, s, w: run_drift(c, n, r), inconclusive=False),
    Gate("data_gate.drift min_wasserstein=0.05", f"one column shifted {DRIFT_SHIFT} SD",
         lambda c, n, r, s, w: run_drift(c, n, r, 0.05), inconclusive=False),
]
COVERAGE_GATES = {"model_gate.metrics roc_auc", "model_gate.metrics accuracy", "baseline_gate.compare_models roc_auc",
                  "fairness_gate.check demographic_parity"}

Task = tuple[str, str, int, int, float]  # gate name, condition, n, run, alpha
_WORKDIR: Path | None = None


def _seed(*parts: object) -> int:
    return zlib.crc32("\x1f".join(map(str, parts)).encode()) & 0x7FFFFFFF


def run_task(task: Task) -> tuple[Task, Outcome]:
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="mlgate-verdicts-"))
    name, condition, n, run, alpha = task
    gate = next(g for g in GATES if g.name == name)
    rng = np.random.default_rng(_seed("verdicts", name, condition, n, run, alpha))
    settings = GateSettings(alpha=alpha, seed=run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn convergence chatter is not part of the verdict
        return task, gate.run(condition == "change", n, rng, settings, _WORKDIR)


def proportion(hits: int, total: int) -> tuple[float, float, float]:
    """The rate and its 95% Clopper-Pearson interval."""
    ci = binomtest(hits, total).proportion_ci(confidence_level=0.95, method="exact")
    return hits / total, float(ci.low), float(ci.high)


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


#: runs per size: (no change, change) for light gates and for heavy ones. The heavy gates bootstrap every row, a
#: few seconds per run at 100,000 rows, so they get fewer runs there, but at least 190 no-change runs: with no
#: false alarm the upper end of the 95% interval is then below 2% (1 - 0.025 ** (1 / 190) = 1.9%).
FULL_PLAN = {1_000: ((1_000, 200), (1_000, 200)), 10_000: ((500, 100), (300, 60)), 100_000: ((200, 20), (190, 20))}
QUICK_PLAN = {1_000: ((200, 50), (200, 50)), 10_000: ((100, 30), (40, 20))}
COVERAGE_RUNS = {False: 1_000, True: 200}
COVERAGE_N = 1_000
Key = tuple[str, str, int, float]  # gate name, condition, n, alpha


def plan(gates: list[Gate], quick: bool, sizes: list[int] | None = None,
         runs: tuple[int, int] | None = None, first_run: int = 0) -> list[Task]:
    tasks: list[Task] = []
    chosen = QUICK_PLAN if quick else FULL_PLAN
    if runs is not None:  # the same (no change, change) runs for every gate at every chosen size
        chosen = {n: (runs, runs) for n in chosen}
    for n, (light, heavy) in chosen.items():
        if sizes is not None and n not in sizes:
            continue
        for gate in gates:
            if gate.max_n is not None and n > gate.max_n:
                continue
            null_runs, change_runs = heavy if gate.heavy else light
            tasks += [(gate.name, "none", n, run, 0.01) for run in range(first_run, first_run + null_runs)]
            tasks += [(gate.name, "change", n, run, 0.01) for run in range(first_run, first_run + change_runs)]
    if sizes is None or COVERAGE_N in sizes:
        tasks += [(g.name, "none", COVERAGE_N, run, 0.025) for g in gates if g.name in COVERAGE_GATES
                  for run in range(COVERAGE_RUNS[quick])]
    return tasks


def simulate(tasks: list[Task], workers: int) -> dict[Key, list[Outcome]]:
    tasks = sorted(tasks, key=lambda t: -t[2])  # big runs first, so the workers finish together
    started = time.perf_counter()
    outcomes: dict[Key, list[Outcome]] = defaultdict(list)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for i, (task, outcome) in enumerate(pool.imap_unordered(run_task, tasks, chunksize=2), 1):
            name, condition, n, run, alpha = task
            outcomes[name, condition, n, alpha].append(replace(outcome, run=run))
            if i % 200 == 0:
                print(f"  {i}/{len(tasks)} runs, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return outcomes


def save(path: Path, outcomes: dict[Key, list[Outcome]], elapsed: float) -> None:
    raw = [{"gate": k[0], "condition": k[1], "n": k[2], "alpha": k[3], "failed": [o.failed for o in v],
            "covered": [o.covered for o in v], "inconclusive": [o.inconclusive for o in v],
            "runs": [o.run for o in v]}
           for k, v in outcomes.items()]
    path.write_text(json.dumps({"elapsed": elapsed, "outcomes": raw}))


def load(paths: list[Path]) -> tuple[dict[Key, list[Outcome]], float]:
    outcomes: dict[Key, list[Outcome]] = defaultdict(list)
    elapsed = 0.0
    for path in paths:
        data = json.loads(path.read_text())
        elapsed += data["elapsed"]
        for entry in data["outcomes"]:
            key = (entry["gate"], entry["condition"], entry["n"], entry["alpha"])
            undecided = entry.get("inconclusive", [False] * len(entry["failed"]))
            runs = entry.get("runs", range(len(entry["failed"])))  # files saved before runs were kept: 0 to N-1
            found = [Outcome(f, c, u, r) for f, c, u, r in zip(entry["failed"], entry["covered"], undecided, runs,
                                                                strict=True)]
            # more runs of a cell (other seeds, --first-run) extend it; the same runs again replace it (a re-run
            # after a fix)
            disjoint = not {o.run for o in found} & {o.run for o in outcomes.get(key, [])}
            outcomes[key] = outcomes.get(key, []) + found if disjoint else found
    return outcomes, elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and sizes (a few minutes on 2 cores)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="run only gates whose name contains this text (|: any of them)")
    parser.add_argument("--runs", default="", help="no-change,change runs per gate and size instead of the plan's")
    parser.add_argument("--first-run", type=int, default=0,
                        help="index of the first run (its seed): more runs of a cell, merged with --merge")
    parser.add_argument("--no-coverage", action="store_true", help="skip the 95%% coverage runs")
    parser.add_argument("--sizes", default="", help="comma-separated sample sizes of the plan to run (default: all)")
    parser.add_argument("--save", type=Path, help="also write every run's outcome to this JSON file")
    parser.add_argument("--merge", type=Path, nargs="+", help="print the table of saved runs instead of running")
    args = parser.parse_args(argv)
    gates = [g for g in GATES if any(part in g.name for part in args.only.split("|"))]
    if args.merge:
        outcomes, elapsed = load(args.merge)
    else:
        sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
        started = time.perf_counter()
        runs = tuple(int(r) for r in args.runs.split(",")) if args.runs else None
        tasks = plan(gates, args.quick, sizes, runs, args.first_run)  # type: ignore[arg-type]
        if args.no_coverage:
            tasks = [t for t in tasks if t[4] == 0.01]
        outcomes = simulate(tasks, args.workers)
        elapsed = time.perf_counter() - started
        if args.save is not None:
            save(args.save, outcomes, elapsed)
    label = f"merged from {len(args.merge)} saved parts" if args.merge else ("quick run" if args.quick else "full run")
    print(report(gates, outcomes, label=label, elapsed=elapsed, workers=args.workers))


def _rates(runs: list[Outcome], inconclusive: bool) -> str:
    """Four table cells: the failure rate, its 95% interval, the inconclusive share and the runs ("-" without runs:
    a part saved with only no-change runs, or only change runs, still shows the side it has)."""
    if not runs:
        return "- | - | - | 0"
    rate, lo, hi = proportion(sum(o.failed for o in runs), len(runs))
    undecided = pct(sum(o.inconclusive for o in runs) / len(runs)) if inconclusive else "-"
    return f"{pct(rate)} | [{pct(lo)}, {pct(hi)}] | {undecided} | {len(runs)}"


def report(gates: list[Gate], outcomes: dict[Key, list[Outcome]], *, label: str, elapsed: float,
           workers: int) -> str:
    sizes = sorted({key[2] for key in outcomes})
    lines = [f"pytest-mlgate verdict study ({label}), default settings "
             f"(alpha 0.01, 1000 resamples), {time.strftime('%Y-%m-%d', time.gmtime())}, {elapsed:.0f} s on "
             f"{workers} workers",
             "",
             "| gate | stated change | n | false alarms (no change) | 95% CI | inconclusive | runs | power (change) "
             "| 95% CI | inconclusive | runs |",
             "|---|---|---:|---:|---|---:|---:|---:|---|---:|---:|"]
    for gate in gates:
        for n in sizes:
            null = outcomes.get((gate.name, "none", n, 0.01), [])
            hit = outcomes.get((gate.name, "change", n, 0.01), [])
            if not null and not hit:
                continue
            lines.append(f"| {gate.name} | {gate.change} | {n:,} | {_rates(null, gate.inconclusive)} | "
                         f"{_rates(hit, gate.inconclusive)} |")
    lines += ["", "Interval coverage of the true value (no-change runs):", "",
              "| gate | n | nominal | coverage | 95% CI | runs |", "|---|---:|---:|---:|---|---:|"]
    for gate in gates:
        if gate.name not in COVERAGE_GATES:
            continue
        for alpha, level in ((0.01, "98%"), (0.025, "95%")):
            for n in sizes:
                covered = [o.covered for o in outcomes.get((gate.name, "none", n, alpha), []) if o.covered is not None]
                if not covered:
                    continue
                cov, lo, hi = proportion(sum(covered), len(covered))
                lines.append(f"| {gate.name} | {n:,} | {level} | {pct(cov)} | [{pct(lo)}, {pct(hi)}] | "
                             f"{len(covered)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
