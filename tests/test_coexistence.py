"""Installed next to any suite, the plugin changes nothing in the tests that do not use it (issue 18).

Each test below is one clash a suite met: its own marker or fixture of one of our names, --strict-markers, or
traces of the plugin in runs that use no gate. The suite's own meaning must win; the prefixed markers always work.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from tests.conftest import WEAK_MODEL

pytest_plugins = ["pytester"]

#: A suite with markers and a fixture of our names but meanings of its own, run under --strict-markers.
FOREIGN_INI = """
[pytest]
addopts = --strict-markers
markers =
    baseline(version): the model version a test compares against
    fairness(group, severity): an audit of one group; severity is the audit's own label
"""
FOREIGN_CONFTEST = """
import pytest

def pytest_configure(config):
    config.addinivalue_line("markers", "data_quality(level): the data tier a test needs")

@pytest.fixture
def baseline_gate():
    return {"v1": 0.80, "v2": 0.91}
"""
FOREIGN_TESTS = """
import pytest

@pytest.mark.baseline("v2")
def test_versioned(request, baseline_gate):
    assert request.node.get_closest_marker("baseline").args == ("v2",)
    assert baseline_gate["v2"] > baseline_gate["v1"]

@pytest.mark.data_quality(level="gold")
def test_gold(request):
    assert request.node.get_closest_marker("data_quality").kwargs == {"level": "gold"}

@pytest.mark.fairness(group="sex", severity="warn")
def test_audit_that_fails():
    assert 0.3 < 0.1, "a failure of the suite's own stays a failure"

@pytest.mark.baseline
def test_plain_baseline():
    pass

def test_uses_own_fixture(baseline_gate):
    assert set(baseline_gate) == {"v1", "v2"}

@pytest.mark.data_quality(level="bronze")
@pytest.mark.skip(reason="the suite's own skip")
def test_skipped():
    pass
"""

OUTCOME = re.compile(r"^(\S+::\S+) (PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)")


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in result.outlines if (m := OUTCOME.match(line))}


def make_foreign_suite(pytester: pytest.Pytester) -> None:
    pytester.makeini(FOREIGN_INI)
    pytester.makeconftest(FOREIGN_CONFTEST)
    pytester.makepyfile(test_foreign=FOREIGN_TESTS)


@pytest.mark.parametrize("args", [(), ("-m", "not baseline"), ("-m", "fairness or data_quality")])
def test_foreign_suite_has_identical_outcomes_with_and_without_the_plugin(
        pytester: pytest.Pytester, args: tuple[str, ...]) -> None:
    make_foreign_suite(pytester)
    junit_with, junit_without = pytester.path / "with.xml", pytester.path / "without.xml"
    with_plugin = pytester.runpytest("-v", f"--junitxml={junit_with}", *args)
    without = pytester.runpytest("-v", f"--junitxml={junit_without}", "-p", "no:mlgate", *args)
    assert outcomes(without), without.outlines  # the comparison is about something
    assert outcomes(with_plugin) == outcomes(without)
    assert with_plugin.ret == without.ret
    assert with_plugin.parseoutcomes() == {k: v for k, v in without.parseoutcomes().items()}
    with_plugin.stdout.no_fnmatch_line("*mlgate summary*")
    assert "mlgate." not in junit_with.read_text()  # no JUnit properties of ours
    # the header names the project's markers once and the prefixed names to use for the gates
    with_plugin.stdout.fnmatch_lines([
        "mlgate: marker(s) data_quality, baseline, fairness are this project's own; "
        "the gates' markers are mlgate_data_quality, mlgate_baseline, mlgate_fairness",
    ])
    assert "\n".join(with_plugin.outlines).count("are this project's own") == 1


def test_foreign_suite_outcomes_are_the_suites_own(pytester: pytest.Pytester) -> None:
    make_foreign_suite(pytester)
    result = pytester.runpytest("-v")
    assert outcomes(result) == {
        "test_foreign.py::test_versioned": "PASSED",
        "test_foreign.py::test_gold": "PASSED",
        "test_foreign.py::test_audit_that_fails": "FAILED",
        "test_foreign.py::test_plain_baseline": "PASSED",
        "test_foreign.py::test_uses_own_fixture": "PASSED",
        "test_foreign.py::test_skipped": "SKIPPED",
    }
    result.stdout.fnmatch_lines(["*AssertionError: a failure of the suite's own stays a failure*"])


def test_prefixed_markers_work_beside_the_projects_own(pytester: pytest.Pytester) -> None:
    pytester.makeini(FOREIGN_INI)
    pytester.makepyfile(test_suite=WEAK_MODEL + """
@pytest.mark.baseline("v2")
@pytest.mark.mlgate_model_validation(severity="warn")
def test_advisory_gate(model_gate):
    model_gate.metrics(model, X, y, min={"roc_auc": 0.99})

@pytest.mark.mlgate_fairness(severity="warn")
def test_advisory_plain():
    assert 1 == 2, "softened by our prefixed marker"

@pytest.mark.fairness(group="age", severity="warn")
def test_own_fairness():
    assert 1 == 2, "not softened: the project's marker"
""")
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1, warnings=2)
    result.stdout.fnmatch_lines([
        "*test_advisory_gate*model_validation.metrics*roc_auc*WARN",
        "*test_advisory_plain*fairness.assertion*WARN",
    ])
    result.stdout.no_fnmatch_line("*test_own_fairness*fairness*WARN")
    # our marker's arguments are still checked under the prefixed name
    pytester.makepyfile(test_bad="""
import pytest

@pytest.mark.mlgate_fairness(severity="loud")
def test_x():
    pass
""")
    bad = pytester.runpytest("test_bad.py")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*mlgate_fairness on test_bad.py::test_x: severity must be 'fail' or 'warn'*"])


def test_gate_fixture_marks_with_the_prefixed_name_too(pytester: pytest.Pytester) -> None:
    pytester.makeini(FOREIGN_INI)
    pytester.makepyfile("""
def test_fair(fairness_gate):
    pass

def test_model(model_gate):
    pass
""")
    # fairness is the project's: only mlgate_fairness selects our gate; model_validation is ours under both names
    pytester.runpytest("-m", "mlgate_fairness").assert_outcomes(passed=1, deselected=1)
    pytester.runpytest("-m", "fairness").assert_outcomes(deselected=2)
    pytester.runpytest("-m", "model_validation").assert_outcomes(passed=1, deselected=1)
    pytester.runpytest("-m", "mlgate_model_validation").assert_outcomes(passed=1, deselected=1)


def test_project_marker_registered_in_a_late_conftest_is_left_alone(pytester: pytest.Pytester) -> None:
    """A conftest below the rootdir registers its markers after the header was written: found at collection."""
    sub = pytester.mkpydir("sub")
    (sub / "conftest.py").write_text(textwrap.dedent("""
        def pytest_configure(config):
            config.addinivalue_line("markers", "baseline(version): the suite's own")
    """))
    (sub / "test_late.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.baseline("v2")
        def test_versioned():
            pass
    """))
    result = pytester.runpytest("sub")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["mlgate: marker(s) baseline are this project's own; "
                                 "the gates' markers are mlgate_baseline"])


def test_prefixed_only_ini_key_registers_no_generic_name(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlgate_prefixed_markers = true\n")
    pytester.makepyfile("""
import pytest

@pytest.mark.fairness
def test_unregistered():
    pass
""")
    # --strict-markers catches a suite's unregistered marker again (in a subprocess: pytest.mark caches the
    # names it has seen registered, and the outer run registered ours)
    strict = pytester.runpytest_subprocess("--strict-markers")
    assert strict.ret == pytest.ExitCode.INTERRUPTED
    strict.stdout.fnmatch_lines(["*'fairness' not found in `markers` configuration option*"])
    markers = "\n".join(pytester.runpytest("--markers").outlines)
    for family in ("data_quality", "model_validation", "baseline", "fairness"):
        assert f"@pytest.mark.mlgate_{family}(severity='fail', inconclusive=None)" in markers
        assert f"@pytest.mark.{family}(severity" not in markers
    # the prefixed markers are ours, the generic ones are nobody's
    pytester.makepyfile(test_unregistered="""
import pytest

@pytest.mark.mlgate_fairness(severity="warn")
def test_ours():
    assert 1 == 2

def test_gate(data_gate):
    pass
""")
    result = pytester.runpytest("--strict-markers", "-m", "mlgate_fairness or mlgate_data_quality")
    result.assert_outcomes(passed=2, deselected=1, warnings=1)
    pytester.runpytest("-m", "data_quality").assert_outcomes(deselected=3)
    result.stdout.no_fnmatch_line("*are this project's own*")


def test_default_mode_registers_generic_names(pytester: pytest.Pytester) -> None:
    """Without the ini key the generic names are ours, so --strict-markers accepts an unregistered ``fairness``:
    the price of the short names, and why the ini key exists."""
    pytester.makepyfile("""
import pytest

@pytest.mark.fairness
def test_x():
    pass
""")
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_a_projects_own_gate_named_fixtures_do_not_mark_its_tests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
import pytest

@pytest.fixture
def baseline_gate():
    return "the suite's own"

@pytest.fixture
def data_gate():
    return "the suite's own"
""")
    pytester.makepyfile("""
def test_own_baseline(baseline_gate):
    assert baseline_gate == "the suite's own"

def test_own_data(data_gate):
    assert data_gate == "the suite's own"

def test_ours(model_gate):
    pass
""")
    result = pytester.runpytest("-m", "not baseline and not data_quality", "-v")
    result.assert_outcomes(passed=3)
    pytester.runpytest("-m", "baseline or data_quality").assert_outcomes(deselected=3)
    pytester.runpytest("-m", "model_validation").assert_outcomes(passed=1, deselected=2)


def test_a_project_fixture_that_extends_ours_still_marks(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
import pytest

@pytest.fixture
def data_gate(data_gate):
    return data_gate  # the suite's wrapper around our gate
""")
    pytester.makepyfile("""
def test_data(data_gate):
    assert type(data_gate).__name__ == "DataGate"
""")
    pytester.runpytest("-m", "data_quality").assert_outcomes(passed=1)


def test_runs_without_gates_carry_nothing_of_ours(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings =\n    error\n")
    pytester.makeconftest("""
import json

def pytest_runtest_logreport(report):
    with open("report_attributes.jsonl", "a") as stream:
        stream.write(json.dumps(sorted(vars(report))) + "\\n")
""")
    pytester.makepyfile("""
import pytest

def test_filters_are_the_suites_own(request):
    assert request.config.getini("filterwarnings") == ["error"]

@pytest.mark.parametrize("i", [1, 2])
def test_other(i):
    assert i
""")
    pytester.runpytest().assert_outcomes(passed=3)
    lines = (pytester.path / "report_attributes.jsonl").read_text().splitlines()
    assert len(lines) == 9  # setup, call, teardown of three tests
    assert not [line for line in lines if "mlgate_results" in line]


def test_advisory_gate_adds_the_filter_line_and_results(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings =\n    error\n")
    pytester.makeconftest("""
def pytest_runtest_logreport(report):
    if report.when == "call":
        print(f"\\n{report.nodeid} mlgate_results={len(getattr(report, 'mlgate_results', ()))}")
""")
    pytester.makepyfile("""
import pytest

@pytest.mark.fairness(severity="warn")
def test_advisory(request):
    assert request.config.getini("filterwarnings") == [
        "error", "always::pytest_mlgate.results.MLGateWarning"]
    assert 1 == 2, "softened"

def test_plain():
    pass
""")
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(["*test_advisory mlgate_results=1*", "*test_plain mlgate_results=0*"])


def test_help_shows_metavar_and_typed_ini_keys(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--mlgate-seed=N*"])
    if tuple(int(part) for part in pytest.__version__.split(".")[:2]) >= (8, 4):
        result.stdout.fnmatch_lines(["*mlgate_alpha (float):*", "*mlgate_n_resamples (int):*",
                                     "*mlgate_seed (int):*", "*mlgate_prefixed_markers (bool):*"])
