"""Drift on 1,000,000 rows x 20 columns (15 numeric, 5 categorical with 10 levels; 3 numeric columns shifted).

One run, side by side:
  floor      sort every numeric column of both frames, factorize every categorical one (the least any exact
             KS / chi-square needs)
  gate       pytest-mlgate's DataGate.drift(reference_df, current_df)
  profile    DataGate.drift(profile, current_df), the profile loaded from its JSON file
  scipy loop scipy.stats.ks_2samp / chi2_contingency per column (Holm-corrected p < 0.05 flags a column)
  evidently  Evidently's Report([DataDriftPreset()]) with its defaults, in its own virtual environment
             (benchmarks/.venv-evidently, created here: Evidently 0.7 needs pandas < 3)

Every row but Evidently is the median of --repeat rounds, interleaved, so that a change of machine load during the
run hits every row alike; Evidently runs once (minutes).

Usage: python benchmarks/bench_drift.py [--rows 1000000] [--repeat 3] [--no-evidently]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-evidently"
N_NUMERIC, N_CATEGORICAL, N_LEVELS = 15, 5, 10
SHIFTED = ("num02", "num07", "num12")
SHIFT = 0.25
T = TypeVar("T")  # in standard deviations of the column


def make_data(rows: int, seed: int, *, shifted: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Numeric matrix (rows x 15) and categorical codes (rows x 5): normal, lognormal and uniform columns."""
    rng = np.random.default_rng(seed)
    numeric = np.empty((rows, N_NUMERIC))
    for i in range(N_NUMERIC):
        kind = i % 3
        column = (rng.normal(size=rows) if kind == 0 else rng.lognormal(0, 0.5, size=rows) if kind == 1
                  else rng.uniform(0, 10, size=rows))
        if f"num{i:02d}" in shifted:
            column = column + SHIFT * column.std()
        numeric[:, i] = column
    weights = np.linspace(1, 2, N_LEVELS)
    weights /= weights.sum()
    codes = rng.choice(N_LEVELS, size=(rows, N_CATEGORICAL), p=weights).astype(np.int8)
    return numeric, codes


def to_frame(numeric: np.ndarray, codes: np.ndarray) -> pd.DataFrame:
    levels = np.array([f"level_{j}" for j in range(N_LEVELS)], dtype=object)
    data = {f"num{i:02d}": numeric[:, i] for i in range(numeric.shape[1])}
    data.update({f"cat{i}": pd.Series(levels[codes[:, i]], dtype=object) for i in range(codes.shape[1])})
    return pd.DataFrame(data)


def best_of(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def timed(fn: Callable[[], T]) -> tuple[float, float, T]:
    """Wall seconds and CPU seconds of this process (all its threads): on a shared machine CPU time is what a run
    costs; wall time also counts the other processes' turns."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def floor(reference: pd.DataFrame, current: pd.DataFrame) -> None:
    """One thread, as numpy and pandas run these calls."""
    for frame in (reference, current):
        for column in frame.columns:
            if column.startswith("num"):
                np.sort(frame[column].to_numpy())
            else:
                pd.factorize(frame[column])


def gate_flags(reference: object, current: pd.DataFrame, threads: int | None = None) -> list[str]:
    from pytest_mlgate.gates.data import DataGate
    from pytest_mlgate.results import GateFailure

    gate = DataGate()
    with contextlib.suppress(GateFailure):
        gate.drift(reference, current, threads=threads)
    return [r.subject for r in gate.results if r.subject != "dataset" and r.status == "fail"]


def scipy_loop(reference: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    from scipy.stats import chi2_contingency, ks_2samp

    from pytest_mlgate.stats.multitest import holm

    p_values = []
    for column in reference.columns:
        if column.startswith("num"):
            p_values.append(ks_2samp(reference[column].dropna(), current[column].dropna()).pvalue)
        else:
            table = pd.concat([reference[column].value_counts(), current[column].value_counts()], axis=1).fillna(0)
            p_values.append(chi2_contingency(table.to_numpy().T).pvalue)
    adjusted = holm(np.array(p_values))
    return [c for c, p in zip(reference.columns, adjusted, strict=True) if p < 0.05]


EVIDENTLY_SCRIPT = r"""
import json, sys, time
import numpy as np, pandas as pd
from evidently import Report, Dataset, DataDefinition
from evidently.presets import DataDriftPreset
folder = sys.argv[1]
levels = np.array([f"level_{j}" for j in range(10)], dtype=object)
def frame(name):
    numeric = np.load(f"{folder}/{name}_numeric.npy"); codes = np.load(f"{folder}/{name}_codes.npy")
    data = {f"num{i:02d}": numeric[:, i] for i in range(numeric.shape[1])}
    data.update({f"cat{i}": levels[codes[:, i]] for i in range(codes.shape[1])})
    return pd.DataFrame(data)
reference, current = frame("reference"), frame("current")
definition = DataDefinition(numerical_columns=[c for c in reference if c.startswith("num")],
                            categorical_columns=[c for c in reference if c.startswith("cat")])
start, cpu = time.perf_counter(), time.process_time()
report = Report([DataDriftPreset()])
snapshot = report.run(Dataset.from_pandas(current, data_definition=definition),
                      Dataset.from_pandas(reference, data_definition=definition))
result = snapshot.dict()
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
flagged, methods = [], set()
for metric in result["metrics"]:
    config = metric.get("config", {})
    if config.get("type", "").endswith("ValueDrift"):
        method, threshold, value = config.get("method", ""), config.get("threshold"), metric["value"]
        methods.add(method)
        drifted = value < threshold if "p_value" in method else value >= threshold
        if drifted:
            flagged.append(config["column"])
print(json.dumps({"seconds": seconds, "cpu": cpu, "flagged": flagged, "methods": sorted(methods)}))
"""


def evidently(reference: tuple[np.ndarray, np.ndarray], current: tuple[np.ndarray, np.ndarray]) -> dict | str:
    python = VENV / "bin" / "python"
    if not python.exists():
        print("creating benchmarks/.venv-evidently (python -m venv; pip install 'evidently<0.8' 'pandas<3') ...")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "evidently<0.8", "pandas<3"], check=True,
                           capture_output=True, timeout=1800)
        except (subprocess.SubprocessError, OSError) as exc:
            return f"could not install Evidently ({type(exc).__name__}: {str(exc)[:200]})"
    with tempfile.TemporaryDirectory() as folder:
        for name, (numeric, codes) in (("reference", reference), ("current", current)):
            np.save(f"{folder}/{name}_numeric.npy", numeric)
            np.save(f"{folder}/{name}_codes.npy", codes)
        try:
            done = subprocess.run([str(python), "-c", EVIDENTLY_SCRIPT, folder], capture_output=True, text=True,
                                  timeout=3600, env={**os.environ, "DO_NOT_TRACK": "1"})
        except subprocess.SubprocessError as exc:
            return f"Evidently did not finish ({type(exc).__name__})"
    if done.returncode != 0:
        return f"Evidently failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="median of this many interleaved rounds")
    parser.add_argument("--no-evidently", action="store_true")
    args = parser.parse_args()

    import scipy.stats  # noqa: F401  (import once, outside every timing)

    from pytest_mlgate.gates.data import DataGate, load_profile

    ref_arrays = make_data(args.rows, seed=1)
    cur_arrays = make_data(args.rows, seed=2, shifted=SHIFTED)
    reference, current = to_frame(*ref_arrays), to_frame(*cur_arrays)
    print(f"drift: {args.rows:,} rows x {reference.shape[1]} columns ({N_NUMERIC} numeric, {N_CATEGORICAL} "
          f"categorical with {N_LEVELS} levels); shifted by {SHIFT} sd: {', '.join(SHIFTED)}")
    print(f"cpu count {os.cpu_count()}, load average at start {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reference_profile.json"
        t_build, profile = best_of(1, lambda: DataGate().profile(reference))
        t_write, _ = best_of(1, lambda: path.write_text(json.dumps(profile)))
        size_mb = path.stat().st_size / 1e6
        t_read, loaded = best_of(1, lambda: json.loads(path.read_text()))
        t_decode, decoded = best_of(1, lambda: load_profile(loaded))
    # interleaved rounds, the median of each: a change of machine load during the run hits every row alike
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    flags: dict[str, list[str]] = {}
    runs: dict[str, Callable[[], list[str] | None]] = {
        "floor": lambda: floor(reference, current),
        "gate": lambda: gate_flags(reference, current),
        "gate1": lambda: gate_flags(reference, current, threads=1),
        "profile": lambda: gate_flags(loaded, current),
        "decoded": lambda: gate_flags(decoded, current),
        "scipy": lambda: scipy_loop(reference, current),
    }
    for _ in range(args.repeat):
        for name, run in runs.items():
            seconds, cpu_seconds, out = timed(run)
            walls.setdefault(name, []).append(seconds)
            cpus.setdefault(name, []).append(cpu_seconds)
            if out is not None:
                flags[name] = out
    wall = {name: float(np.median(v)) for name, v in walls.items()}
    cpu = {name: float(np.median(v)) for name, v in cpus.items()}
    ev: dict | str = "skipped (--no-evidently)"
    if not args.no_evidently:
        ev = evidently(ref_arrays, cur_arrays)

    labels = {"floor": "floor (sort + factorize)", "gate": "gate (reference frame)", "gate1": "gate, threads=1",
              "profile": "gate (JSON profile)", "decoded": "gate (decoded profile)", "scipy": "scipy loop"}
    print()
    print(f"{'':26}{'wall s':>8}{'cpu s':>8}  {'cpu vs floor':>12}  {'cpu: ours faster by':>20}  flagged")
    for name, label in labels.items():
        versus_floor = f"{cpu[name] / cpu['floor']:10.2f}x" if name != "floor" else ""
        faster = ""
        if name == "scipy":
            faster = f"{cpu['scipy'] / cpu['gate']:6.2f}x (1 thread {cpu['scipy'] / cpu['gate1']:.2f}x)"
        print(f"{label:26}{wall[name]:8.3f}{cpu[name]:8.3f}  {versus_floor:>12}  {faster:>20}  {flags.get(name, '-')}")
    if isinstance(ev, dict):
        faster = f"{ev['cpu'] / cpu['gate']:6.1f}x (1 thread {ev['cpu'] / cpu['gate1']:.1f}x)"
        print(f"{'evidently DataDriftPreset':26}{ev['seconds']:8.1f}{ev['cpu']:8.1f}  {'':>12}  {faster:>20}  "
              f"{ev['flagged']}  ({', '.join(ev['methods'])})")
    else:
        print(f"{'evidently DataDriftPreset':26}{'-':>8}{'-':>8}  {'':>12}  {'':>20}  {ev}")
    evidently_wall = f", Evidently {ev['seconds'] / wall['gate']:.1f}x" if isinstance(ev, dict) else ""
    print(f"wall-clock ratios: gate {wall['gate'] / wall['floor']:.2f}x floor; scipy loop "
          f"{wall['scipy'] / wall['gate']:.2f}x{evidently_wall} slower than the gate")
    print(f"load average at end {os.getloadavg()[0]:.1f} (every row but Evidently: median of {args.repeat} "
          "interleaved rounds; Evidently: one run)")
    print()
    print(f"profile: built in {t_build:.3f}s, {size_mb:.1f} MB of JSON (written {t_write:.3f}s, read {t_read:.3f}s, "
          f"decoded by load_profile {t_decode:.3f}s); CPU time from the JSON profile is "
          f"{cpu['profile'] / cpu['gate']:.2f}x, from the decoded profile {cpu['decoded'] / cpu['gate']:.2f}x "
          "that from the reference frame")
    expected = sorted(SHIFTED)
    evidently_flags = ev["flagged"] if isinstance(ev, dict) else None
    for name, flagged in (("gate", flags["gate"]), ("gate from profile", flags["profile"]),
                          ("scipy loop", flags["scipy"]), ("evidently", evidently_flags)):
        if flagged is not None:
            verdict = "exactly the shifted columns" if sorted(flagged) == expected else f"differs from {expected}"
            print(f"{name}: {verdict}")


if __name__ == "__main__":
    main()
