"""What an installed pytest-mlgate costs a pytest run that uses no gate.

Runs the same one-test suite with the plugin and with ``-p no:mlgate`` many times, interleaved, and prints the
median wall time of each and their ratio. Usage: ``python benchmarks/bench_startup.py [--runs 30]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_run(directory: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(directory)],
                   check=True, capture_output=True, cwd=directory)
    return time.perf_counter() - start


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


if __name__ == "__main__":
    main()
