"""The plugin costs nothing until a gate runs: no heavy library is imported by a run that uses no gate."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("numpy", "pandas", "scipy", "sklearn", "fairlearn", "pandera", "hypothesis", "polars", "matplotlib")

PROBE = textwrap.dedent(
    """
    import json, sys
    import pytest

    class Probe:
        def pytest_unconfigure(self, config):
            # after the session: everything that the run imported is in sys.modules now
            loaded = sorted({name.split(".")[0] for name in sys.modules})
            with open(sys.argv[1], "w") as stream:
                json.dump(loaded, stream)

    sys.exit(pytest.main(sys.argv[2:], plugins=[Probe()]))
    """
)


def modules_after_run(tmp_path: Path, *args: str) -> set[str]:
    (tmp_path / "test_plain.py").write_text(
        "import pytest\n\n@pytest.mark.fairness\ndef test_marked():\n    assert 1 + 1 == 2\n\n"
        "def test_plain():\n    pass\n"
    )
    (tmp_path / "probe.py").write_text(PROBE)
    out = tmp_path / "modules.json"
    command = [sys.executable, str(tmp_path / "probe.py"), str(out), "-q", "-p", "no:cacheprovider", *args]
    proc = subprocess.run([*command, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return set(json.loads(out.read_text()))


def test_a_run_without_gates_imports_nothing_heavy(tmp_path: Path) -> None:
    with_plugin = modules_after_run(tmp_path, "--mlgate-report=r.json", "--mlgate-markdown=r.md")
    without_plugin = modules_after_run(tmp_path, "-p", "no:mlgate")
    assert "pytest_mlgate" in with_plugin and "pytest_mlgate" not in without_plugin
    # Other installed plugins (Hypothesis' own pytest plugin, for one) may import their library; that is not ours.
    ours = {m for m in HEAVY if m in with_plugin and m not in without_plugin}
    assert ours == set(), f"the mlgate plugin imported {sorted(ours)} in a run that used no gate"


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = f"import sys, pytest_mlgate.plugin, pytest_mlgate; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == "[]"


SCRIPT = textwrap.dedent(
    """
    import sys

    import pytest_mlgate
    from pytest_mlgate import BaselineGate, DataGate, FairnessGate, GateFailure, ModelGate, metric

    import numpy as np
    import pandas as pd

    y = np.arange(200) % 2
    [passed] = ModelGate().metrics(y=y, y_pred=y, min={"accuracy": 0.9})
    assert passed.status == "pass" and passed.details["n_resamples"] == 1000, passed
    try:
        ModelGate().metrics(y=y, y_pred=1 - y, min={"accuracy": 0.9})
    except GateFailure as failure:
        assert "accuracy = 0" in str(failure)
    else:
        raise SystemExit("a failed metric did not raise GateFailure")
    hits = metric(lambda t, p: float((t == p).mean()), needs="label", name="hits")
    [failed] = ModelGate(raises=False).metrics(y=y, y_pred=1 - y, min={hits: 0.9})
    assert failed.status == "fail", failed
    try:
        metric(len, needs="labels")
    except pytest_mlgate.GateError as error:  # bad input is a GateError, the statistics' own error turned into one
        assert "needs must be 'label'" in str(error)
    else:
        raise SystemExit("metric(needs='labels') was accepted")
    assert DataGate().missing(pd.DataFrame({"a": [1.0, 2.0]}))[0].status == "pass"
    assert FairnessGate.family == "fairness" and BaselineGate.family == "baseline"
    print("pytest" in sys.modules)
    """
)


def test_the_gates_run_in_a_script_without_pytest() -> None:
    """``from pytest_mlgate import ModelGate`` and a check, with default settings and no pytest anywhere."""
    code = f"import sys, pytest_mlgate; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == "[]"  # the top-level names load lazily
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "False"  # pytest was never imported
