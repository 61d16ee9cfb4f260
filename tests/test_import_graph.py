"""The import graph has no cycle and no upward arrow (tools/import_graph.py, whose table docs/architecture.md shows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_import_cycle_or_upward_arrow() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "import_graph.py")], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "| `gates.scale` |" in run.stdout
    scale = next(line for line in run.stdout.splitlines() if line.startswith("| `gates.scale` |"))
    for above in ("gates.drift", "gates.integrity", "gates.profiles", "gates.fairness", "gates.table_metrics"):
        assert above not in scale


def test_docs_table_is_current() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "import_graph.py")], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() in (ROOT / "docs" / "architecture.md").read_text()
