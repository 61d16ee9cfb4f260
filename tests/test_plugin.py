"""The plugin as users meet it: markers, severity, fixtures, options and usage errors, through pytest itself."""

from __future__ import annotations

import json

import pytest

from tests.conftest import WEAK_MODEL

pytest_plugins = ["pytester"]


def make_suite(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_suite=WEAK_MODEL + body)


def test_weak_model_fails_with_metric_value_limit_and_interval(pytester: pytest.Pytester) -> None:
    make_suite(pytester, """
def test_model(model_gate):
    model_gate.metrics(model, X, y, min={"roc_auc": 0.99})
""")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*GateFailure: model_validation.metrics roc_auc = 0.7782 (98% CI [[]0.7*, 0.8*], n=400), "
        "required >= 0.99: below the minimum by 0.2118*",
        "*What to do:*",
    ])
    # the traceback points at the user's line, not at the plugin's internals
    result.stdout.fnmatch_lines(["test_suite.py:*: GateFailure"])
    result.stdout.no_fnmatch_line("*pytest_mlgate/gates/base.py*")


def test_the_header_says_how_verdicts_are_reached(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite="def test_nothing():\n    pass\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        ["mlgate: seed=0 alpha=0.01 resamples=1000 inconclusive=pass baselines=mlgate_baselines/"])
    pytester.makeini("[pytest]\nmlgate_alpha = 0.05\nmlgate_n_resamples = 200\nmlgate_baseline_dir = gates/base\n")
    result = pytester.runpytest("--mlgate-seed=7", "--mlgate-update-baselines")
    result.stdout.fnmatch_lines(
        ["mlgate: seed=7 alpha=0.05 resamples=200 inconclusive=pass baselines=gates/base/ (updating)"])
    assert sum(line.startswith("mlgate: seed=") for line in result.outlines) == 1


def test_fixtures_get_the_settings_parsed_once_at_configure(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlgate_alpha = 0.05\nmlgate_n_resamples = 123\n")
    pytester.makepyfile(test_suite="""
from pytest_mlgate.gates.data import DataGate
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.plugin import SETTINGS_KEY


def test_settings(model_gate, data_gate, pytestconfig):
    assert isinstance(model_gate, ModelGate) and isinstance(data_gate, DataGate)
    parsed = pytestconfig.stash[SETTINGS_KEY]
    assert (parsed.alpha, parsed.n_resamples, parsed.seed) == (0.05, 123, 4)
    for gate in (model_gate, data_gate):
        assert (gate.settings.alpha, gate.settings.n_resamples, gate.settings.seed) == (0.05, 123, 4)
        assert gate.settings.baseline_dir is not None
""")
    pytester.runpytest("--mlgate-seed=4").assert_outcomes(passed=1)


def test_warn_severity_passes_with_a_warning_and_a_warn_row(pytester: pytest.Pytester) -> None:
    make_suite(pytester, """
@pytest.mark.model_validation(severity="warn")
def test_model(model_gate):
    model_gate.metrics(model, X, y, min={"roc_auc": 0.99})
""")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*MLGateWarning: model_validation.metrics roc_auc = 0.7782*",
        "*mlgate summary*",
        "*test_suite.py::test_model*model_validation.metrics*roc_auc*0.7782*>= 0.99*WARN",
        "mlgate: 1 gate result(s): 1 warn",
    ])


def test_passing_gate_and_summary_table(pytester: pytest.Pytester) -> None:
    make_suite(pytester, """
def test_model(model_gate):
    model_gate.metrics(model, X, y, min={"accuracy": 0.6, "roc_auc": 0.7}, max={"log_loss": 0.7})
""")
    result = pytester.runpytest("-v")  # passing rows are listed with -v
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "*test*check*subject*value*limit*interval*n*verdict",
        "*test_model*model_validation.metrics*accuracy*>= 0.6*[[]*]*400*PASS",
        "*test_model*model_validation.metrics*roc_auc*>= 0.7*PASS",
        "*test_model*model_validation.metrics*log_loss*<= 0.7*PASS",
        "mlgate: 3 gate result(s): 3 pass",
    ])


def test_warn_only_option_makes_every_gate_advisory(pytester: pytest.Pytester) -> None:
    make_suite(pytester, """
def test_model(model_gate):
    model_gate.metrics(model, X, y, min={"roc_auc": 0.99})

@pytest.mark.fairness
def test_plain():
    assert 1 == 2, "plain assertion"

def test_unmarked():
    assert 1 == 3, "not a gate: still fails"
""")
    result = pytester.runpytest("--mlgate-warn-only")
    result.assert_outcomes(passed=2, failed=1, warnings=2)
    result.stdout.fnmatch_lines(["*AssertionError: not a gate: still fails"])


def test_marker_only_tests_get_a_row_and_their_severity(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest

@pytest.mark.data_quality
def test_ok():
    assert True

@pytest.mark.data_quality
def test_broken():
    assert 1 + 1 == 3, "one and one are not three"

@pytest.mark.fairness(severity="warn")
def test_advisory():
    assert False, "only a warning"

def test_unmarked():
    pass
""")
    result = pytester.runpytest("--mlgate-report=report.json")
    result.assert_outcomes(passed=3, failed=1, warnings=1)
    report = json.loads((pytester.path / "report.json").read_text())
    rows = {r["subject"]: r for r in report["results"]}
    assert set(rows) == {"test_ok", "test_broken", "test_advisory"}
    assert rows["test_ok"]["status"] == "pass"
    assert rows["test_broken"]["status"] == "fail"
    assert "one and one are not three" in rows["test_broken"]["message"]
    assert rows["test_advisory"]["status"] == "warn"
    assert "only a warning" in rows["test_advisory"]["message"]


def test_gate_fixture_marks_the_test_with_its_family(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_data(data_gate):
    pass

def test_model(model_gate):
    pass

def test_baseline(baseline_gate):
    pass

def test_fair(fairness_gate):
    pass

def test_other():
    pass
""")
    for family, name in [("fairness", "test_fair"), ("data_quality", "test_data"),
                         ("model_validation", "test_model"), ("baseline", "test_baseline")]:
        result = pytester.runpytest("-m", family, "-q")
        result.assert_outcomes(passed=1, deselected=4)
        result.stdout.fnmatch_lines(["*1 passed*"])
        assert name in "\n".join(pytester.runpytest("-m", family, "--collect-only", "-q").outlines)


def test_markers_are_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest

@pytest.mark.data_quality
@pytest.mark.model_validation(severity="warn")
@pytest.mark.baseline(severity="fail")
@pytest.mark.fairness
def test_all():
    pass
""")
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(passed=1)
    markers = pytester.runpytest("--markers")
    markers.stdout.fnmatch_lines([
        "@pytest.mark.data_quality(severity='fail', inconclusive=None): data-quality gate*",
        "@pytest.mark.model_validation(severity='fail', inconclusive=None): model-validation gate*",
        "@pytest.mark.baseline(severity='fail', inconclusive=None): regression-versus-baseline gate*",
        "@pytest.mark.fairness(severity='fail', inconclusive=None): fairness gate*",
    ])


@pytest.mark.parametrize(
    ("decorator", "expected"),
    [
        ("@pytest.mark.fairness(severity='loud')",
         "*fairness on test_bad.py::test_x: severity must be 'fail' or 'warn', got 'loud'"),
        ("@pytest.mark.data_quality(severty='warn')",
         "*data_quality on test_bad.py::test_x: *unexpected keyword argument 'severty'*"),
        ("@pytest.mark.baseline('warn', 'fail')", "*baseline on test_bad.py::test_x: *positional argument*"),
    ],
)
def test_bad_marker_arguments_are_usage_errors(pytester: pytest.Pytester, decorator: str, expected: str) -> None:
    pytester.makepyfile(test_bad=f"""
import pytest

{decorator}
def test_x():
    pass
""")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([expected])


@pytest.mark.parametrize(
    ("ini", "expected"),
    [
        ("mlgate_alpha = often", "*ini key mlgate_alpha must be a float, got 'often'"),
        ("mlgate_alpha = 0.7", "*ini key mlgate_alpha must be between 0 and 0.5, got 0.7"),
        ("mlgate_n_resamples = 0", "*ini key mlgate_n_resamples must be at least 1, got 0"),
    ],
)
def test_bad_ini_values_are_usage_errors(pytester: pytest.Pytester, ini: str, expected: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([expected])


def test_expect_gates_a_number_computed_by_the_user(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_recall_at_k(model_gate):
    model_gate.expect("recall@10", 0.42, min=0.3)

def test_latency(model_gate):
    model_gate.expect("p95_latency_ms", 180.0, max=150)

def test_with_interval(fairness_gate):
    fairness_gate.expect("gap", 0.12, max=0.1, interval=(0.05, 0.2), n=500)
""")
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*GateFailure: model_validation.expect p95_latency_ms = 180, required <= 150: above the maximum by 30.",
    ])


def test_bad_input_is_a_gate_error_row(pytester: pytest.Pytester) -> None:
    make_suite(pytester, """
import numpy as np

def test_unknown_metric(model_gate):
    model_gate.metrics(model, X, y, min={"roc_acu": 0.8})

def test_nan_labels(model_gate):
    labels = y.astype(float)
    labels[3] = np.nan
    model_gate.metrics(model, X, labels, min={"accuracy": 0.5})

def test_lengths(model_gate):
    model_gate.metrics(model, X, y[:-5], min={"accuracy": 0.5})
""")
    result = pytester.runpytest("--mlgate-report=r.json")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "*GateError: unknown metric 'roc_acu'. Did you mean 'roc_auc'?*",
        "*GateError: y contains 1 NaN or infinite value(s) (first at row 3)*",
        "*GateError: inputs have mismatched lengths: y has 395, predictions has 400 rows",
    ])
    report = json.loads((pytester.path / "r.json").read_text())
    assert [r["status"] for r in report["results"]] == ["error", "error", "error"]


def test_reports_hold_every_result(pytester: pytest.Pytester) -> None:
    make_suite(pytester, """
def test_pass(model_gate):
    model_gate.metrics(model, X, y, min={"accuracy": 0.6})

def test_fail(model_gate):
    model_gate.metrics(model, X, y, min={"roc_auc": 0.99})
""")
    result = pytester.runpytest("--mlgate-report=out/r.json", "--mlgate-markdown=out/r.md", "--junitxml=out/j.xml")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["mlgate: report written: out/r.json", "mlgate: report written: out/r.md"])
    report = json.loads((pytester.path / "out/r.json").read_text())
    assert report["schema_version"] == 2
    assert report["summary"] == {"total": 2, "pass": 1, "inconclusive": 0, "fail": 1, "warn": 0, "error": 0}
    fail = report["results"][0]
    assert fail["node_id"] == "test_suite.py::test_fail"
    assert fail["subject"] == "roc_auc"
    assert fail["limit"] == 0.99
    assert fail["comparison"] == ">="
    assert fail["n"] == 400
    lo, hi = fail["interval"]
    assert lo < fail["value"] < hi
    markdown = (pytester.path / "out/r.md").read_text()
    assert "| `test_suite.py::test_fail` | model_validation.metrics | roc_auc | 0.7782 | >= 0.99 |" in markdown
    assert "### Failures and warnings" in markdown
    junit = (pytester.path / "out/j.xml").read_text()
    assert 'name="mlgate.model_validation.metrics.roc_auc"' in junit
    assert 'name="mlgate.model_validation.metrics.roc_auc.verdict" value="fail"' in junit
    assert 'name="mlgate.model_validation.metrics.accuracy.verdict" value="pass"' in junit


def test_github_step_summary(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    make_suite(pytester, """
def test_pass(model_gate):
    model_gate.metrics(model, X, y, min={"accuracy": 0.6})
""")
    pytester.runpytest().assert_outcomes(passed=1)
    assert "## pytest-mlgate" in summary.read_text()
    summary.unlink()
    pytester.makeini("[pytest]\nmlgate_github_summary = false\n")
    pytester.runpytest().assert_outcomes(passed=1)
    assert not summary.exists()


def test_seed_option_changes_intervals_reproducibly(pytester: pytest.Pytester) -> None:
    make_suite(pytester, """
def test_pass(model_gate):
    model_gate.metrics(model, X, y, min={"accuracy": 0.6})
""")

    def interval(*args: str) -> list[float]:
        pytester.runpytest("--mlgate-report=r.json", *args).assert_outcomes(passed=1)
        return json.loads((pytester.path / "r.json").read_text())["results"][0]["interval"]

    assert interval() == interval()
    assert interval("--mlgate-seed=7") == interval("--mlgate-seed=7")
    assert interval("--mlgate-seed=7") != interval()


def test_xdist_reports_equal_serial_reports(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    body = "".join(f"""
def test_{i}(model_gate):
    model_gate.metrics(model, X, y, min={{"accuracy": {0.6 if i % 3 else 0.9}}})

@pytest.mark.fairness
def test_plain_{i}():
    assert {i} % 2 == 0
""" for i in range(6))
    make_suite(pytester, body)
    outputs = {}
    for mode, args in {"serial": [], "xdist": ["-n", "2"]}.items():
        result = pytester.runpytest_subprocess(f"--mlgate-report={mode}.json", f"--mlgate-markdown={mode}.md",
                                               "-o", "mlgate_summary=all", *args)
        result.assert_outcomes(passed=7, failed=5)
        table = [line for line in result.outlines if line.startswith("test_suite.py::")]
        outputs[mode] = ((pytester.path / f"{mode}.json").read_text(), (pytester.path / f"{mode}.md").read_text(),
                         table)
    assert outputs["serial"] == outputs["xdist"]
    assert len(outputs["serial"][2]) == 12


def test_warn_severity_stays_a_warning_in_suites_that_error_on_warnings(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings =\n    error\n")
    make_suite(pytester, """
@pytest.mark.model_validation(severity="warn")
def test_model(model_gate):
    model_gate.metrics(model, X, y, min={"roc_auc": 0.99})
""")
    pytester.runpytest().assert_outcomes(passed=1, warnings=1)
    # and a user who wants advisory gates to fail can still say so on the command line
    strict = pytester.runpytest("-W", "error::pytest_mlgate.MLGateWarning")
    strict.assert_outcomes(failed=1)


def test_each_gate_applies_its_own_family_severity(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest

@pytest.mark.data_quality(severity="warn")
def test_both(data_gate, model_gate):
    data_gate.expect("missing_fraction", 0.2, max=0.1)      # advisory: a warning
    model_gate.expect("accuracy", 0.5, min=0.8)             # not advisory: fails the test

@pytest.mark.fairness
def test_skipped():
    pytest.skip("not today")
""")
    result = pytester.runpytest("--mlgate-report=r.json")
    result.assert_outcomes(failed=1, skipped=1, warnings=1)
    report = json.loads((pytester.path / "r.json").read_text())
    assert [(r["subject"], r["status"]) for r in report["results"]] == [("missing_fraction", "warn"),
                                                                       ("accuracy", "fail")]


def test_drift_alpha_follows_the_ini_key(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlgate_alpha = 0.05\n")
    pytester.makepyfile("""
import numpy as np
import pandas as pd

rng = np.random.default_rng(0)
reference = pd.DataFrame({"x": rng.normal(size=500)})
current = pd.DataFrame({"x": rng.normal(size=500)})

def test_drift(data_gate):
    data_gate.drift(reference, current)

def test_drift_explicit(data_gate):
    data_gate.drift(reference, current, alpha=0.001)
""")
    pytester.runpytest("--mlgate-report=r.json").assert_outcomes(passed=2)
    report = json.loads((pytester.path / "r.json").read_text())
    alphas = {r["node_id"].split("::")[1]: r["message"] for r in report["results"] if r["subject"] == "dataset"}
    assert "p-value < 0.05 " in alphas["test_drift"]
    assert "p-value < 0.001 " in alphas["test_drift_explicit"]
