"""pytest's side of pytest-mlgate: options, ini keys, markers, fixtures and report hooks.

Everything heavy (numpy, pandas, scikit-learn, ...) is imported inside the fixtures, so a pytest run that uses no
gate pays nothing for this plugin being installed.
"""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import pytest

from pytest_mlgate.location import DEFAULT_BASELINE_DIR, _baseline_dir, test_identity
from pytest_mlgate.markers import (
    INCONCLUSIVE_CHOICES,
    MARKERS_KEY,
    MarkerNames,
    closest_markers,
    marker_arguments,
    marker_options,
    validate_marker,
)
from pytest_mlgate.results import FAMILIES, GateResult, MLGateWarning

if TYPE_CHECKING:
    from pytest_mlgate.gates.base import GateSettings, Recorder
    from pytest_mlgate.gates.baseline import BaselineGate
    from pytest_mlgate.gates.data import DataGate
    from pytest_mlgate.gates.fairness import FairnessGate
    from pytest_mlgate.gates.model import ModelGate

#: fixture name -> (family, module, class)
GATE_FIXTURES: dict[str, tuple[str, str, str]] = {
    "data_gate": ("data_quality", "pytest_mlgate.gates.data", "DataGate"),
    "model_gate": ("model_validation", "pytest_mlgate.gates.model", "ModelGate"),
    "baseline_gate": ("baseline", "pytest_mlgate.gates.baseline", "BaselineGate"),
    "fairness_gate": ("fairness", "pytest_mlgate.gates.fairness", "FairnessGate"),
}
#: pytest >= 8.4 types ini keys as int / float (so --help shows them as such); older ones read strings.
TYPED_INI = tuple(int(part) for part in pytest.__version__.split(".")[:2]) >= (8, 4)


SESSION_KEY = pytest.StashKey[Any]()  # the GateSession, on the controller only
SETTINGS_KEY = pytest.StashKey["GateSettings"]()  # parsed once, in pytest_configure
ROWS_KEY = pytest.StashKey[list[GateResult]]()  # every result of the test, gate or not
ATTACHED_KEY = pytest.StashKey[int]()
MARKED_KEY = pytest.StashKey[bool]()  # set at collection on tests that carry one of our markers


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
        "--mlgate-seed", dest="mlgate_seed", metavar="N", type=int, default=None,
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
                  type="float" if TYPED_INI else None, default="0.01")
    parser.addini("mlgate_n_resamples", "bootstrap resamples per interval (default 1000)",
                  type="int" if TYPED_INI else None, default="1000")
    parser.addini("mlgate_seed", "default seed for resampling (default 0)",
                  type="int" if TYPED_INI else None, default="0")
    parser.addini("mlgate_baseline_dir",
                  f"directory of baseline files, relative to the rootdir (default: {DEFAULT_BASELINE_DIR}/ "
                  "next to each test file)", default="")
    parser.addini("mlgate_github_summary", "append the Markdown summary to $GITHUB_STEP_SUMMARY (default true)",
                  type="bool", default=True)
    parser.addini("mlgate_prefixed_markers",
                  "register only the prefixed markers (mlgate_baseline, mlgate_fairness, ...), never the generic "
                  "names (default false)", type="bool", default=False)
    parser.addini("mlgate_inconclusive",
                  "what a verdict the data cannot decide (its interval reaches across the limit) does to the test: "
                  "'pass' (the default: the row reads INCONCLUSIVE), 'warn' or 'fail'", default="pass")
    parser.addini("mlgate_summary", "rows of the terminal summary: 'problems' (fail, warn, error, inconclusive; "
                  "the default) or 'all' (as -v does)", default="problems")


@pytest.hookimpl(trylast=True)  # after the project's own pytest_configure has registered its markers
def pytest_configure(config: pytest.Config) -> None:
    config.stash[SETTINGS_KEY] = _settings_from_config(config)  # once, and bad ini values fail early
    config.stash[MARKERS_KEY] = MarkerNames(config)
    if config.getoption("mlgate_warn_only") or config.stash[SETTINGS_KEY].inconclusive == "warn":
        _let_advisory_warnings_through(config)
    if config.getini("mlgate_summary") not in ("problems", "all"):
        raise pytest.UsageError("ini key mlgate_summary must be 'problems' or 'all', "
                                f"got {config.getini('mlgate_summary')!r}")
    if not hasattr(config, "workerinput"):  # xdist workers send their results to the controller
        from pytest_mlgate.session import GateSession

        session = GateSession(config, report_settings=_report_settings(config))
        config.stash[SESSION_KEY] = session
        config.pluginmanager.register(session, "mlgate-session")
    else:
        from pytest_mlgate.session import WorkerBaselines

        config.pluginmanager.register(WorkerBaselines(config), "mlgate-worker-baselines")


def _settings_from_config(config: pytest.Config) -> GateSettings:
    from pytest_mlgate.gates.base import GateSettings, alpha_problem

    def number(name: str, kind: type) -> Any:
        try:
            raw = config.getini(name)
        except (TypeError, ValueError) as exc:  # a typed ini key: pytest's message ends with the value's repr
            raise pytest.UsageError(f"ini key {name} must be a {kind.__name__}, "
                                    f"got {str(exc).rsplit(': ', 1)[-1]}") from None
        try:
            return kind(raw)
        except (TypeError, ValueError):
            raise pytest.UsageError(f"ini key {name} must be a {kind.__name__}, got {raw!r}") from None

    alpha = number("mlgate_alpha", float)
    problem = alpha_problem(alpha, "ini key mlgate_alpha")
    if problem:
        raise pytest.UsageError(problem)
    n_resamples = number("mlgate_n_resamples", int)
    if n_resamples < 1:
        raise pytest.UsageError(f"ini key mlgate_n_resamples must be at least 1, got {n_resamples}")
    seed = config.getoption("mlgate_seed")
    if seed is None:
        seed = number("mlgate_seed", int)
    inconclusive = str(config.getini("mlgate_inconclusive")).strip()
    if inconclusive not in INCONCLUSIVE_CHOICES:
        raise pytest.UsageError(f"ini key mlgate_inconclusive must be 'pass', 'warn' or 'fail', got {inconclusive!r}")
    return GateSettings(
        alpha=alpha,
        n_resamples=n_resamples,
        seed=seed,
        inconclusive=cast("Any", inconclusive),
        update_baselines=bool(config.getoption("mlgate_update_baselines")),
    )


def _report_settings(config: pytest.Config) -> dict[str, Any]:
    settings = config.stash[SETTINGS_KEY]
    return {"alpha": settings.alpha, "n_resamples": settings.n_resamples, "seed": settings.seed,
            "inconclusive": settings.inconclusive}


def pytest_report_header(config: pytest.Config) -> list[str]:
    """How the run's verdicts are reached, so a CI log says it: seed, alpha, resamples and the baseline folder."""
    settings = config.stash[SETTINGS_KEY]
    configured = config.getini("mlgate_baseline_dir")
    baselines = f"{configured.rstrip('/')}/" if configured else f"{DEFAULT_BASELINE_DIR}/"
    update = " (updating)" if settings.update_baselines else ""
    lines = [f"mlgate: seed={settings.seed} alpha={settings.alpha:g} resamples={settings.n_resamples} "
             f"inconclusive={settings.inconclusive} baselines={baselines}{update}"]
    names = config.stash[MARKERS_KEY]
    if names.projects:
        lines.append(f"mlgate: {names.note(names.projects)}")
    return lines


# --- collection: markers ---------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that requests one of our gate fixtures with its family (so ``-m fairness`` selects it)."""
    names = config.stash[MARKERS_KEY]
    late = names.refresh(config)
    if late and SESSION_KEY in config.stash:
        config.stash[SESSION_KEY].notes.append(names.note(late))
    for item in items:
        for fixture in GATE_FIXTURE_NAMES.intersection(getattr(item, "fixturenames", ())):
            if _is_ours(item, fixture):
                for name in names.by_family[GATE_FIXTURES[fixture][0]]:
                    if item.get_closest_marker(name) is None:
                        item.add_marker(name)


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")  # after every plugin has added markers
def pytest_collection_modifyitems_validate(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Validate our markers' arguments before anything runs; let advisory warnings through if any test has one."""
    family_of = config.stash[MARKERS_KEY].family_of
    advisory = False
    for item in items:
        for marker in item.iter_markers():
            if marker.name in family_of:
                item.stash[MARKED_KEY] = True
                advisory = "warn" in marker_options(item, marker) or advisory
    if advisory:
        _let_advisory_warnings_through(config)


GATE_FIXTURE_NAMES = frozenset(GATE_FIXTURES)


def _is_ours(item: pytest.Item, fixture: str) -> bool:
    """Whether the test gets this plugin's fixture of that name, rather than a project fixture that shadows it
    (a project fixture that requests ours, to extend it, still counts as ours)."""
    info = getattr(item, "_fixtureinfo", None)  # pytest has no public way to ask which definition wins
    definitions = info.name2fixturedefs.get(fixture, ()) if info is not None else ()
    for definition in reversed(definitions):
        function = getattr(definition, "func", None)
        if getattr(function, "__module__", None) == __name__ and getattr(function, "__name__", None) == fixture:
            return True
        if fixture not in definition.argnames:
            return False
    return False


def _let_advisory_warnings_through(config: pytest.Config) -> None:
    """Advisory gates must stay advisory in suites that turn warnings into errors (-W error / filterwarnings):
    appended last, this filter wins over the ini's own lines; -W on the command line can still override it.
    Added only in runs that have an advisory gate, so other runs see their own filters unchanged."""
    line = "always::pytest_mlgate.results.MLGateWarning"
    if line not in config.getini("filterwarnings"):
        config.addinivalue_line("filterwarnings", line)


def _severity(item: pytest.Item, families: tuple[str, ...] = FAMILIES) -> str | None:
    """The test's severity for these families: None when unmarked, 'warn' only when every marker says so."""
    if item.config.getoption("mlgate_warn_only"):
        return "warn"
    found = [validate_marker(item, marker) for marker in closest_markers(item, families).values()]
    if not found:
        return None
    return "warn" if all(s == "warn" for s in found) else "fail"


# --- fixtures --------------------------------------------------------------------------------------


def _recorder(request: pytest.FixtureRequest, family: str) -> Recorder:
    """A recorder for one gate fixture: the family's severity, the test's shared list of results."""
    from dataclasses import replace

    from pytest_mlgate.gates.base import Recorder

    item = request.node
    settings = replace(request.config.stash[SETTINGS_KEY], baseline_dir=_baseline_dir(item))
    marker = closest_markers(item, (family,)).get(family)
    inconclusive = marker_options(item, marker)[1] if marker is not None else None
    if inconclusive is not None:
        settings = replace(settings, inconclusive=cast("Any", inconclusive))
    return Recorder(
        node_id=item.nodeid,
        identity=test_identity(item),
        severity="warn" if _severity(item, (family,)) == "warn" else "fail",
        settings=settings,
        results=_rows(item),
        on_record=lambda result: _add_junit_properties(item, result),
    )


def _gate(request: pytest.FixtureRequest, fixture: str) -> Any:
    family, module_name, class_name = GATE_FIXTURES[fixture]
    recorder = _recorder(request, family)
    gate_class = getattr(importlib.import_module(module_name), class_name)
    return gate_class(recorder)


@pytest.fixture
def data_gate(request: pytest.FixtureRequest) -> DataGate:
    """Data-quality checks (schema, integrity, leakage, drift) bound to this test."""
    return cast("DataGate", _gate(request, "data_gate"))


@pytest.fixture
def model_gate(request: pytest.FixtureRequest) -> ModelGate:
    """Model-validation checks (metrics, sanity, behaviour, calibration, slices) bound to this test."""
    return cast("ModelGate", _gate(request, "model_gate"))


@pytest.fixture
def baseline_gate(request: pytest.FixtureRequest) -> BaselineGate:
    """Regression-versus-baseline checks (stored baselines, champion versus challenger) bound to this test."""
    return cast("BaselineGate", _gate(request, "baseline_gate"))


@pytest.fixture
def fairness_gate(request: pytest.FixtureRequest) -> FairnessGate:
    """Fairness checks (group metrics and disparities) bound to this test."""
    return cast("FairnessGate", _gate(request, "fairness_gate"))


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
    return sorted(closest_markers(item), key=FAMILIES.index)


def _rows(item: pytest.Item) -> list[GateResult]:
    return item.stash.setdefault(ROWS_KEY, [])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if ROWS_KEY not in item.stash and MARKED_KEY not in item.stash:  # the path of every test that uses no gate
        return report
    try:
        _attach_results(item, report)
    except Exception as exc:  # reports never raise
        report.sections.append(("mlgate", f"could not attach gate results: {exc!r}"))
    return report


def _attach_results(item: pytest.Item, report: pytest.TestReport) -> None:
    """Put the results recorded since the last report onto this one (only when there are some: a test that uses no
    gate keeps a report exactly as pytest made it)."""
    rows = item.stash.get(ROWS_KEY, [])
    if report.when == "call" and not rows and not report.skipped:
        if MARKED_KEY not in item.stash:  # unmarked at collection: not ours (and no marker walk per test)
            return
        families = _families(item)
        if not families:
            return
        rows = _rows(item)
        rows.append(_marker_only_row(item, families[0], report))
        _add_junit_properties(item, rows[-1])
        report.user_properties = list(item.user_properties)
    attached = item.stash.get(ATTACHED_KEY, 0)
    item.stash[ATTACHED_KEY] = len(rows)
    for i in range(attached, len(rows)):  # rows made outside a recorder (assertions, marker-only) get the id here
        if rows[i].node_id != item.nodeid:
            rows[i] = replace(rows[i], node_id=item.nodeid)
    new = rows[attached:]
    if new:
        report.mlgate_results = [row.to_dict() for row in new]  # type: ignore[attr-defined]
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
    decide = result.details.get("decide")  # an inconclusive verdict, kept when inconclusive="fail" failed it
    if isinstance(decide, dict):  # what it would take to decide
        for key in ("detectable_difference", "rows_needed"):
            if decide.get(key) is not None:
                item.user_properties.append((f"{name}.{key}", repr(decide[key])))


__all__ = ["GATE_FIXTURES", "marker_arguments"]
