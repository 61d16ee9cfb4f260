"""pytest's side of pytest-mlgate: options, ini keys, markers, fixtures and report hooks.

Everything heavy (numpy, pandas, scikit-learn, ...) is imported inside the fixtures, so a pytest run that uses no
gate pays nothing for this plugin being installed.
"""

from __future__ import annotations

import importlib
import os
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlgate.results import FAMILIES, GateResult, MLGateWarning

if TYPE_CHECKING:
    from pytest_mlgate.gates.base import GateSettings, Recorder

#: fixture name -> (family, module, class)
GATE_FIXTURES: dict[str, tuple[str, str, str]] = {
    "data_gate": ("data_quality", "pytest_mlgate.gates.data", "DataGate"),
    "model_gate": ("model_validation", "pytest_mlgate.gates.model", "ModelGate"),
    "baseline_gate": ("baseline", "pytest_mlgate.gates.baseline", "BaselineGate"),
    "fairness_gate": ("fairness", "pytest_mlgate.gates.fairness", "FairnessGate"),
}
MARKER_HELP = {
    "data_quality": "data-quality gate: schema, integrity, leakage, drift",
    "model_validation": "model-validation gate: metrics, sanity, behaviour, calibration, slices",
    "baseline": "regression-versus-baseline gate: stored baselines, champion versus challenger",
    "fairness": "fairness gate: group metrics and disparities",
}
DEFAULT_BASELINE_DIR = "mlgate_baselines"


def marker_arguments(severity: str = "fail") -> str:
    """The signature every family marker accepts; calling it validates a marker's arguments."""
    return severity


SESSION_KEY = pytest.StashKey[Any]()  # the GateSession, on the controller only
ROWS_KEY = pytest.StashKey[list[GateResult]]()  # every result of the test, gate or not
ATTACHED_KEY = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlgate", "ML quality gates (pytest-mlgate)")
    group.addoption(
        "--mlgate-report", dest="mlgate_report", metavar="PATH", default=None,
        help="write every gate result to a JSON report at PATH.",
    )
    group.addoption(
        "--mlgate-markdown", dest="mlgate_markdown", metavar="PATH", default=None,
        help="write a Markdown summary of the gates to PATH (also appended to $GITHUB_STEP_SUMMARY when set).",
    )
    group.addoption(
        "--mlgate-html", dest="mlgate_html", metavar="PATH", default=None,
        help="write a self-contained HTML report with charts to PATH.",
    )
    group.addoption(
        "--mlgate-warn-only", dest="mlgate_warn_only", action="store_true", default=False,
        help="make every gate advisory: failures become warnings and 'warn' rows (for rolling gates out).",
    )
    group.addoption(
        "--mlgate-seed", dest="mlgate_seed", type=int, default=None,
        help="seed for bootstrap resampling and generated inputs (default: ini mlgate_seed, else 0).",
    )
    group.addoption(
        "--mlgate-update-baselines", dest="mlgate_update_baselines", action="store_true", default=False,
        help="write (or rewrite) the baseline files of the baseline gates that run; those tests pass.",
    )
    group.addoption(
        "--mlgate-delete-unused-baselines", dest="mlgate_delete_unused_baselines", action="store_true",
        default=False,
        help="after a passing run of the whole suite, delete the baseline files no test used.",
    )
    parser.addini("mlgate_alpha", "false-alarm rate of one check when nothing changed (default 0.01)",
                  default="0.01")
    parser.addini("mlgate_n_resamples", "bootstrap resamples per interval (default 1000)", default="1000")
    parser.addini("mlgate_seed", "default seed for resampling (default 0)", default="0")
    parser.addini("mlgate_baseline_dir",
                  f"directory of baseline files, relative to the rootdir (default: {DEFAULT_BASELINE_DIR}/ "
                  "next to each test file)", default="")
    parser.addini("mlgate_github_summary", "append the Markdown summary to $GITHUB_STEP_SUMMARY (default true)",
                  type="bool", default=True)


def pytest_configure(config: pytest.Config) -> None:
    for family in FAMILIES:
        config.addinivalue_line("markers", f"{family}(severity='fail'): {MARKER_HELP[family]}; "
                                           "severity='warn' reports failures without failing the test.")
    # Advisory gates must stay advisory in suites that turn warnings into errors (-W error / filterwarnings):
    # appended last, this filter wins over the ini's own lines; -W on the command line can still override it.
    config.addinivalue_line("filterwarnings", "always::pytest_mlgate.results.MLGateWarning")
    _settings_from_config(config)  # fail early on bad ini values
    if not hasattr(config, "workerinput"):  # xdist workers send their results to the controller
        from pytest_mlgate.session import GateSession

        session = GateSession(config, report_settings=_report_settings(config))
        config.stash[SESSION_KEY] = session
        config.pluginmanager.register(session, "mlgate-session")


def _settings_from_config(config: pytest.Config) -> GateSettings:
    from pytest_mlgate.gates.base import GateSettings

    def number(name: str, kind: type) -> Any:
        raw = config.getini(name)
        try:
            return kind(raw)
        except (TypeError, ValueError):
            raise pytest.UsageError(f"ini key {name} must be a {kind.__name__}, got {raw!r}") from None

    alpha = number("mlgate_alpha", float)
    if not 0 < alpha < 0.5:
        raise pytest.UsageError(f"ini key mlgate_alpha must be between 0 and 0.5, got {alpha}")
    n_resamples = number("mlgate_n_resamples", int)
    if n_resamples < 1:
        raise pytest.UsageError(f"ini key mlgate_n_resamples must be at least 1, got {n_resamples}")
    seed = config.getoption("mlgate_seed")
    if seed is None:
        seed = number("mlgate_seed", int)
    return GateSettings(
        alpha=alpha,
        n_resamples=n_resamples,
        seed=seed,
        update_baselines=bool(config.getoption("mlgate_update_baselines")),
    )


def _report_settings(config: pytest.Config) -> dict[str, Any]:
    settings = _settings_from_config(config)
    return {"alpha": settings.alpha, "n_resamples": settings.n_resamples, "seed": settings.seed}


# --- collection: markers ---------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that requests a gate fixture with its family (so ``-m fairness`` selects it), and
    validate every family marker's arguments before anything runs."""
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in GATE_FIXTURES:
                family = GATE_FIXTURES[fixture][0]
                if item.get_closest_marker(family) is None:
                    item.add_marker(family)
        for family in FAMILIES:
            for marker in item.iter_markers(family):
                _validate_marker(item, family, marker)


def _validate_marker(item: pytest.Item, family: str, marker: pytest.Mark) -> str:
    try:
        severity = marker_arguments(*marker.args, **marker.kwargs)
    except TypeError as exc:
        raise pytest.UsageError(
            f"@pytest.mark.{family} on {item.nodeid}: {_plain(exc)}; "
            f"the marker accepts only severity='fail' or severity='warn'"
        ) from None
    if severity not in ("fail", "warn"):
        raise pytest.UsageError(
            f"@pytest.mark.{family} on {item.nodeid}: severity must be 'fail' or 'warn', got {severity!r}"
        )
    return severity


def _plain(exc: TypeError) -> str:
    return str(exc).replace("marker_arguments()", "the marker")


def _severity(item: pytest.Item, families: tuple[str, ...] = FAMILIES) -> str | None:
    """The test's severity for these families: None when unmarked, 'warn' only when every marker says so."""
    if item.config.getoption("mlgate_warn_only"):
        return "warn"
    found = []
    for family in families:
        marker = item.get_closest_marker(family)
        if marker is not None:
            found.append(_validate_marker(item, family, marker))
    if not found:
        return None
    return "warn" if all(s == "warn" for s in found) else "fail"


# --- fixtures --------------------------------------------------------------------------------------


def _recorder(request: pytest.FixtureRequest, family: str) -> Recorder:
    """A recorder for one gate fixture: the family's severity, the test's shared list of results."""
    from dataclasses import replace

    from pytest_mlgate.gates.base import Recorder

    item = request.node
    settings = replace(_settings_from_config(request.config), baseline_dir=_baseline_dir(item))
    return Recorder(
        node_id=item.nodeid,
        identity=test_identity(item),
        severity="warn" if _severity(item, (family,)) == "warn" else "fail",
        settings=settings,
        results=_rows(item),
        on_record=lambda result: _add_junit_properties(item, result),
    )


def _baseline_dir(item: pytest.Item) -> Path:
    """``mlgate_baseline_dir`` is relative to the ini file that sets it (the rootdir when there is none), so
    ``--rootdir`` does not move it; by default ``mlgate_baselines/`` beside each test file."""
    configured = item.config.getini("mlgate_baseline_dir")
    if configured:
        return Path(_ini_folder(item.config), configured)
    return Path(item.path).parent / DEFAULT_BASELINE_DIR


def baseline_dir_of(item: pytest.Item) -> tuple[Path, str]:
    """The test's baseline folder, and its file's path as baseline names begin with it."""
    return _baseline_dir(item).resolve(), test_identity(item).split("::", 1)[0]


def _ini_folder(config: pytest.Config) -> Path:
    return Path(config.inipath).parent if config.inipath is not None else Path(config.rootpath)


def test_identity(item: pytest.Item) -> str:
    """``file::Class::test[params]`` with the file relative to the folder holding ``mlgate_baselines/`` (the test
    file's own folder; with ``mlgate_baseline_dir``, the ini file's folder): the same however pytest was started
    (from a subfolder, with ``--rootdir``)."""
    names = [node.name for node in item.listchain() if isinstance(node, (pytest.Class, pytest.Function))]
    configured = item.config.getini("mlgate_baseline_dir")
    anchor = _ini_folder(item.config) if configured else Path(item.path).parent
    try:
        file = Path(os.path.relpath(item.path, anchor)).as_posix()
    except ValueError:  # another drive on Windows
        file = Path(item.path).name
    return "::".join([file, *names])


def _gate(request: pytest.FixtureRequest, fixture: str) -> Any:
    family, module_name, class_name = GATE_FIXTURES[fixture]
    recorder = _recorder(request, family)
    gate_class = getattr(importlib.import_module(module_name), class_name)
    return gate_class(recorder)


@pytest.fixture
def data_gate(request: pytest.FixtureRequest) -> Any:
    """Data-quality checks (schema, integrity, leakage, drift) bound to this test."""
    return _gate(request, "data_gate")


@pytest.fixture
def model_gate(request: pytest.FixtureRequest) -> Any:
    """Model-validation checks (metrics, sanity, behaviour, calibration, slices) bound to this test."""
    return _gate(request, "model_gate")


@pytest.fixture
def baseline_gate(request: pytest.FixtureRequest) -> Any:
    """Regression-versus-baseline checks (stored baselines, champion versus challenger) bound to this test."""
    return _gate(request, "baseline_gate")


@pytest.fixture
def fairness_gate(request: pytest.FixtureRequest) -> Any:
    """Fairness checks (group metrics and disparities) bound to this test."""
    return _gate(request, "fairness_gate")


# --- running: severity for plain assertions, results onto reports -------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    """Under severity 'warn', a failing plain assertion in a marked test becomes a warning and a 'warn' row."""
    try:
        return (yield)
    except AssertionError as exc:
        families = _families(pyfuncitem)
        if not families or _severity(pyfuncitem) != "warn":  # unmarked tests are not ours to soften
            raise
        message = str(exc).strip() or type(exc).__name__
        family = families[0]
        row = GateResult(family, "assertion", pyfuncitem.name, "warn",
                         message=f"{pyfuncitem.name}: {message.splitlines()[0]}",
                         details={"assertion": message})
        try:
            warnings.warn(MLGateWarning(f"{pyfuncitem.nodeid}: {message}"), stacklevel=1)
        except Warning:  # -W error made the warning an error: the test fails, and so does its row
            row = row.with_status("fail")
            raise
        finally:
            _rows(pyfuncitem).append(row)
            _add_junit_properties(pyfuncitem, row)
        return True


def _families(item: pytest.Item) -> list[str]:
    return [f for f in FAMILIES if item.get_closest_marker(f) is not None]


def _rows(item: pytest.Item) -> list[GateResult]:
    return item.stash.setdefault(ROWS_KEY, [])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    try:
        _attach_results(item, report)
    except Exception as exc:  # reports never raise
        report.sections.append(("mlgate", f"could not attach gate results: {exc!r}"))
    return report


def _attach_results(item: pytest.Item, report: pytest.TestReport) -> None:
    families = _families(item)
    rows = _rows(item)
    if report.when == "call" and families and not rows and not report.skipped:
        rows.append(_marker_only_row(item, families[0], report))
        _add_junit_properties(item, rows[-1])
        report.user_properties = list(item.user_properties)
    attached = item.stash.get(ATTACHED_KEY, 0)
    new = rows[attached:]
    item.stash[ATTACHED_KEY] = len(rows)
    for row in new:
        row.node_id = item.nodeid
    report.mlgate_results = [row.to_dict() for row in new]  # type: ignore[attr-defined]
    if new:
        text = "\n".join(f"[{r.status}] {r.message or f'{r.family}.{r.check} {r.subject}'}" for r in new)
        report.sections.append((f"mlgate results ({report.when})", text))


def _marker_only_row(item: pytest.Item, family: str, report: pytest.TestReport) -> GateResult:
    status = "fail" if report.failed else "pass"
    message = ""
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr).splitlines()[-1]
    return GateResult(family, "test", item.name, status, message=message)  # type: ignore[arg-type]


_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text every XML 1.0 parser accepts: characters XML cannot hold (control characters, lone surrogates)
    become ``\\xNN`` / ``\\uNNNN`` escapes. pytest escapes property values but not names."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _add_junit_properties(item: pytest.Item, result: GateResult) -> None:
    name = xml_safe(f"mlgate.{result.family}.{result.check}.{result.subject}")
    if result.value is not None:
        item.user_properties.append((name, repr(result.value)))
    item.user_properties.append((f"{name}.verdict", result.status))


__all__ = ["GATE_FIXTURES", "marker_arguments"]
