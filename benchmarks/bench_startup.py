"""What an installed pytest-mlgate costs a pytest run that uses no gate.

Runs the same one-test suite with the plugin and with ``-p no:mlgate`` many times, interleaved, and prints the
median wall time of each and their ratio; then the same for 5,000 trivial tests, where the plugin's per-test hooks
(collection, call, report) add up, timed as the child's CPU time too (steadier than wall time on a shared machine).
Usage: ``python benchmarks/bench_startup.py [--runs 30] [--many-runs 10] [--tests 5000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_run(directory: Path, *args: str) -> float:
    return timed_run(directory, *args)[0]


def timed_run(directory: Path, *args: str) -> tuple[float, float]:
    """Wall time and the child's CPU time (user + system) of one pytest run, in seconds."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(directory)],
                   check=True, capture_output=True, cwd=directory)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


HOOK_COST = """
import sys, time
import pytest

depth = calls = 0
inside = entered = 0.0


def profile(frame, event, arg):
    global depth, calls, inside, entered
    if event == "call":
        code = frame.f_code
        if depth:
            depth += 1
            calls += 1
        elif code.co_name.startswith("pytest_") and "pytest_mlgate" in code.co_filename:
            depth, entered = 1, time.perf_counter()
            calls += 1
    elif event == "return" and depth:
        depth -= 1
        if not depth:
            inside += time.perf_counter() - entered


start = time.process_time()
sys.setprofile(profile)
pytest.main(["-q", "-p", "no:cacheprovider", sys.argv[1]])
sys.setprofile(None)
print(calls, inside, time.process_time() - start)
"""


def hook_cost(directory: Path) -> tuple[int, float, float]:
    """Python function calls made inside the plugin's hook functions (a generator hook counts once per resume), the
    seconds spent there (with the counting profiler on) and the profiled run's CPU seconds. The call count does not
    depend on the machine's load, so it compares two versions of the plugin where timings drown in noise."""
    proc = subprocess.run([sys.executable, "-c", HOOK_COST, str(directory)], check=True, capture_output=True,
                          text=True, cwd=directory)
    calls, inside, total = proc.stdout.split()[-3:]
    return int(calls), float(inside), float(total)


def many_tests(n_tests: int, runs: int) -> None:
    """The per-test cost of the plugin's hooks: ``n_tests`` trivial tests with and without the plugin, interleaved."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        body = "".join(f"def test_{i}():\n    assert {i} + 1 == {i + 1}\n\n\n" for i in range(n_tests))
        (directory / "test_many.py").write_text(body)
        timed_run(directory)
        with_plugin, without = [], []
        for _ in range(runs):
            with_plugin.append(timed_run(directory))
            without.append(timed_run(directory, "-p", "no:mlgate"))
        calls, _, _ = hook_cost(directory)
    print(f"{n_tests:,} trivial tests, median of {runs} (interleaved):")
    for label, index in (("wall", 0), ("CPU", 1)):
        a = statistics.median(t[index] for t in with_plugin)
        b = statistics.median(t[index] for t in without)
        spread = statistics.median(abs(x[index] - y[index]) for x, y in zip(without[::2], without[1::2], strict=False))
        print(f"  {label:4}  with pytest-mlgate {a * 1000:8.1f} ms   with -p no:mlgate {b * 1000:8.1f} ms   "
              f"difference {(a - b) * 1000:+7.1f} ms ({(a / b - 1) * 100:+.1f}%)   "
              f"noise (median gap between two -p no:mlgate runs) {spread * 1000:.1f} ms")
    # the profiler's own cost dominates the seconds measured under it: only the call count is a figure to compare
    print(f"  inside the plugin's hooks (one profiled run): {calls / n_tests:.1f} Python function calls per test")


def plugin_import_ms(repeats: int = 15) -> float:
    """Median cumulative import time of ``pytest_mlgate.plugin`` itself (pytest already imported), by -X importtime."""
    times = []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pytest; import pytest_mlgate.plugin"],
                              check=True, capture_output=True, text=True)
        for line in proc.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == "pytest_mlgate.plugin":
                times.append(int(parts[1]) / 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--many-runs", type=int, default=10, help="runs of the many-tests suite (0: skip it)")
    parser.add_argument("--tests", type=int, default=5000, help="tests in the many-tests suite")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        time_run(directory)  # warm the file-system cache
        with_plugin, without = [], []
        for _ in range(options.runs):
            with_plugin.append(time_run(directory))
            without.append(time_run(directory, "-p", "no:mlgate"))
    a, b = statistics.median(with_plugin), statistics.median(without)
    print(f"one-test pytest run, median of {options.runs} (interleaved):")
    print(f"  with pytest-mlgate        {a * 1000:8.1f} ms")
    print(f"  with -p no:mlgate         {b * 1000:8.1f} ms")
    print(f"  difference                {(a - b) * 1000:8.1f} ms   ratio {a / b:.3f}x")
    print(f"importing pytest_mlgate.plugin (cumulative, -X importtime): {plugin_import_ms():.1f} ms")
    if options.many_runs:
        many_tests(options.tests, options.many_runs)


if __name__ == "__main__":
    main()
