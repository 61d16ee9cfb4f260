"""The README's complete example runs as the README says: fails without a baseline, writes it on purpose, passes."""

from __future__ import annotations

import json
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


def readme_block(marker: str, language: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```{language}\n(.*?)```", README.read_text(), re.S)
    assert match, f"the README lost its {marker} block"
    return match.group(1)


def test_the_first_snippet_prints_what_the_readme_shows(pytester: pytest.Pytester,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first snippet, saved as it says, prints the README's output lines, in that order."""
    monkeypatch.setenv("COLUMNS", "80")
    pytester.makepyfile(test_first_gate=readme_block("readme-first-gate", "python"))
    result = pytester.runpytest_subprocess("test_first_gate.py", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    shown = readme_block("readme-first-gate-output", "text").splitlines()
    printed = [line.rstrip() for line in result.stdout.lines]
    positions = [printed.index(line) if line in printed else -1 for line in shown]
    missing = [line for line, at in zip(shown, positions, strict=True) if at < 0]
    assert not missing, "README output not printed:\n" + "\n".join(missing) + "\n--- printed:\n" + result.stdout.str()
    assert positions == sorted(positions)


def test_the_lake_snippet_gates_parquet_through_duckdb(pytester: pytest.Pytester) -> None:
    """The README's Parquet-on-DuckDB snippet passes on a lake like its reference and fails once the lake drifts."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    pytest.importorskip("duckdb", reason="the lake snippet needs pytest-mlgate[duckdb]")
    from pytest_mlgate.gates.data import make_profile

    def month(seed: int, shift: float = 0.0) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        n = 20_000
        label = rng.integers(0, 2, n)
        score = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.6 * label - 0.8)))
        return pd.DataFrame({"amount": rng.lognormal(3 + shift, 1, n), "channel": rng.choice(["web", "shop"], n),
                             "sex": rng.choice(["f", "m"], n), "label": label, "score": score,
                             "pred": (score > 0.5).astype(int)})

    (pytester.path / "lake" / "2026-11").mkdir(parents=True)
    (pytester.path / "reference.profile.json").write_text(json.dumps(make_profile(month(1), bins=1000)))
    for part in range(2):
        month(2 + part).to_parquet(pytester.path / "lake" / "2026-11" / f"part-{part}.parquet")
    pytester.makepyfile(test_lake=readme_block("readme-lake", "python"))
    # in a subprocess: pytester's in-process runs drop the modules they imported, and a class imported again is not
    # the class an adapter imported outside the run
    pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    month(4, shift=0.3).to_parquet(pytester.path / "lake" / "2026-11" / "part-1.parquet")  # half the month drifts
    drifted = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    drifted.assert_outcomes(failed=1)
    drifted.stdout.fnmatch_lines(["*1 of 6 columns drifted*'amount'*",
                                  "*amount: KS D in*binned; p from the lower bound*DRIFTED*"])
