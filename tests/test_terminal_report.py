"""The terminal summary: the rows that need attention by default, every row with -v, fitted to COLUMNS."""

from __future__ import annotations

import pytest

from pytest_mlgate.reports import terminal
from pytest_mlgate.results import GateResult

pytest_plugins = ["pytester"]

LONG_ID = "tests/deep/folder/test_a_module_with_a_long_name.py::test_a_gate_with_a_long_name[parameter-set-7]"
SUITE = """
import pytest

def test_passes(model_gate):
    model_gate.expect("recall_at_10", 0.5, min=0.3)

@pytest.mark.parametrize("case", ["a-rather-long-parameter-value-for-the-id", "b"])
def test_fails(model_gate, case):
    model_gate.expect("precision", 0.1, min=0.3)

@pytest.mark.model_validation(severity="warn")
def test_warns(model_gate):
    model_gate.expect("coverage", 0.1, min=0.3)
"""


def results() -> list[GateResult]:
    return [GateResult("model_validation", "expect", "recall", "pass", value=0.5, limit=0.3, comparison=">=",
                       node_id="test_a.py::test_ok"),
            GateResult("model_validation", "expect", "precision", "fail", value=0.1, limit=0.3, comparison=">=",
                       node_id=LONG_ID)]


def test_default_lists_problems_with_counts_and_every_row_on_request() -> None:
    short = terminal.render(results(), width=400)
    assert "test_a.py::test_ok" not in short and LONG_ID in short
    assert "mlgate: 2 gate result(s): 1 pass, 1 fail" in short
    assert "1 row(s) without a problem not listed" in short
    every = terminal.render(results(), width=400, show_all=True)
    assert "test_a.py::test_ok" in every and "not listed" not in every


@pytest.mark.parametrize("width", [40, 80, 120])
def test_rows_fit_the_width_and_the_test_id_is_never_cut(width: int) -> None:
    text = terminal.render(results(), width=width, show_all=True)
    table = text.splitlines()[:-1]
    assert LONG_ID in table  # whole, on its own line, where it cannot fit with the other columns
    assert all(len(line) <= max(width, len(LONG_ID)) for line in table if line != LONG_ID)


def test_through_pytest_with_columns(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "90")
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    summary = result.stdout.str().split("mlgate summary", 1)[1].splitlines()
    for case in ("a-rather-long-parameter-value-for-the-id", "b"):
        assert f"test_suite.py::test_fails[{case}]" in summary
    assert not any("test_passes" in line for line in summary)
    assert any("coverage" in line and "WARN" in line for line in summary)
    assert "mlgate: 4 gate result(s): 1 pass, 2 fail, 1 warn" in summary
    assert all(len(line) <= 90 for line in summary if "::" not in line)
    verbose = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "mlgate_summary=all")
    every = verbose.stdout.str().split("mlgate summary", 1)[1].splitlines()
    assert "test_suite.py::test_passes" in every
    assert any("recall_at_10" in line and "PASS" in line for line in every)


def test_a_bad_summary_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("-o", "mlgate_summary=some")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlgate_summary must be 'problems' or 'all', got 'some'*"])
