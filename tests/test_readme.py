"""The README's complete example runs as the README says: fails without a baseline, writes it on purpose, passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example() -> str:
    match = re.search(r"<!-- readme-example -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, "the README lost its example block"
    return match.group(1)


def test_the_readme_example_runs_as_documented(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gates=readme_example())
    first = pytester.runpytest()
    first.assert_outcomes(passed=4, failed=1)
    first.stdout.fnmatch_lines(["*does not exist*", "*--mlgate-update-baselines*"])
    update = pytester.runpytest("--mlgate-update-baselines")
    update.assert_outcomes(passed=5)
    update.stdout.fnmatch_lines(["mlgate: baseline written: *test_gates.py__test_not_worse_than_baseline.json"])
    again = pytester.runpytest()
    again.assert_outcomes(passed=5)
    assert (pytester.path / "mlgate_baselines" / "test_gates.py__test_not_worse_than_baseline.json").is_file()
