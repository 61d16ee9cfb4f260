"""The run as a whole: results merged from every test (and every xdist worker), then written out.

Registered as a plugin object on the controller only; workers send their results inside test reports
(``report.mlgate_results``), which pytest-xdist serializes with the rest of the report, and the baseline files
their collected tests own in ``workeroutput`` (:class:`WorkerBaselines`), so an xdist run lists unused baselines as
a serial run does.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest

from pytest_mlgate.results import GateResult

REPORT_WRITERS = (
    ("mlgate_report", "pytest_mlgate.reports.json_report"),
    ("mlgate_markdown", "pytest_mlgate.reports.markdown"),
    ("mlgate_html", "pytest_mlgate.reports.html"),
)


WORKER_KEY = "mlgate_baseline_owners"


def baseline_owners(items: list[pytest.Item]) -> tuple[dict[Path, set[str]], dict[str, str]]:
    """The tests that use ``baseline_gate``: each baseline folder with the names of its test files, and each
    test's baseline file stem (what an unused-baseline search needs to know of the collection)."""
    from pytest_mlgate.baselines import baseline_path
    from pytest_mlgate.location import baseline_dir_of, test_identity

    folders: dict[Path, set[str]] = {}
    stems: dict[str, str] = {}
    for item in items:
        if "baseline_gate" in getattr(item, "fixturenames", ()):
            folder, file = baseline_dir_of(item)
            folders.setdefault(folder, set()).add(file)
            stems[item.nodeid] = baseline_path(folder, test_identity(item)).name[: -len(".json")]
    return folders, stems


class WorkerBaselines:
    """On an xdist worker: the baseline owners of its collection, sent to the controller in ``workeroutput``."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        folders, stems = baseline_owners(session.items)
        if folders:
            self.config.workeroutput[WORKER_KEY] = {  # type: ignore[attr-defined]
                "folders": {str(f): sorted(files) for f, files in folders.items()}, "stems": stems}


class GateSession:
    """Collects every recorded result of the run and writes the reports. Its hooks never raise."""

    def __init__(self, config: pytest.Config, *, report_settings: dict[str, Any]) -> None:
        self.config = config
        self.report_settings = report_settings
        self.results: list[GateResult] = []
        self.files_written: list[str] = []
        self.problems: list[str] = []
        self.unused: list[Path] = []
        self.deleted_unused = False
        self.troubled: set[str] = set()  # node ids of tests that were skipped or failed (maybe before their check)
        self.stems: dict[str, str] = {}  # node id -> its baseline file's stem
        self.folders: dict[Path, set[str]] = {}  # baseline folder -> names of its collected test files
        self.notes: list[str] = []  # said once at the end of the run, not problems
        self.from_workers = False  # the baseline owners came from xdist workers

    def sorted_results(self) -> list[GateResult]:
        """By node id, then as recorded: a serial run and an xdist run give the same order."""
        return sorted(self.results, key=lambda r: r.node_id)

    def baselines_written(self) -> list[str]:
        return sorted({str(r.details["baseline_written"]) for r in self.results if r.details.get("baseline_written")})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped or report.failed:
            self.troubled.add(report.nodeid)
        for row in getattr(report, "mlgate_results", None) or ():
            try:
                self.results.append(GateResult.from_dict(row))
            except Exception as exc:  # a malformed row must not break the run
                self.problems.append(f"could not read a gate result of {report.nodeid}: {exc!r}")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.folders, self.stems = baseline_owners(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """An xdist worker finished: the baseline files its collected tests own (the controller collects none)."""
        owned = getattr(node, "workeroutput", {}).get(WORKER_KEY)
        if not owned or error:
            return
        self.from_workers = True
        for folder, files in owned["folders"].items():
            self.folders.setdefault(Path(folder), set()).update(files)
        self.stems.update(owned["stems"])

    def whole_suite(self, session: pytest.Session) -> bool:
        """Only a run that collected every test can call a baseline unused (syrupy's rule)."""
        option = self.config.option
        narrowed = (getattr(option, "keyword", "") or getattr(option, "markexpr", "") or getattr(option, "lf", False)
                    or getattr(option, "deselect", None) or any("::" in str(a) for a in self.config.args))
        return not narrowed and not hasattr(self.config, "workerinput") and (
            bool(session.items) or self.from_workers) and not session.shouldfail and not session.shouldstop

    def find_unused(self, session: pytest.Session) -> list[Path]:
        used = {str(Path(r.details["baseline_file"]).resolve()) for r in self.results if r.details.get("baseline_file")}
        protected = {self.stems[node] for node in self.troubled if node in self.stems}
        unused = []
        for folder, files in self.folders.items():
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*.json")):
                stem = path.name[: -len(".json")]
                owner = path.relative_to(folder).parent / stem.split("__", 1)[0]
                if str(path.resolve()) in used or owner.as_posix() not in files:
                    continue
                if any(stem == p or stem.startswith((f"{p}__", f"{p}-")) for p in protected):
                    continue
                unused.append(path)
        return unused

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        try:
            if self.folders and self.whole_suite(session):
                self.unused = self.find_unused(session)
                if self.unused and self.config.getoption("mlgate_delete_unused_baselines") and exitstatus == 0:
                    from pytest_mlgate import baselines

                    for path in self.unused:
                        for companion in (path, *baselines.companions(path)):
                            baselines.remove_stale(companion)
                    self.deleted_unused = True
        except Exception as exc:
            self.problems.append(f"could not look for unused baselines: {exc!r}")
        results = self.sorted_results()
        for option, module_name in REPORT_WRITERS:
            path = self.config.getoption(option)
            if not path:
                continue
            try:
                module = importlib.import_module(module_name)
                module.write(results, Path(path), settings=self.report_settings)
                self.files_written.append(str(path))
            except Exception as exc:
                self.problems.append(f"could not write {path}: {exc!r}")
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path and results and self.config.getini("mlgate_github_summary"):
            try:
                from pytest_mlgate.reports import markdown

                with open(summary_path, "a", encoding="utf-8", errors="backslashreplace") as stream:
                    stream.write(markdown.render(results, settings=self.report_settings))
            except Exception as exc:
                self.problems.append(f"could not append to GITHUB_STEP_SUMMARY: {exc!r}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        try:
            results = self.sorted_results()
            if results:
                from pytest_mlgate.reports import terminal

                show_all = self.config.get_verbosity() > 0 or self.config.getini("mlgate_summary") == "all"
                width = terminalreporter._tw.fullwidth
                terminalreporter.write_sep("=", "mlgate summary")
                for line in terminal.render(results, width=width, show_all=show_all).splitlines():
                    terminalreporter.write_line(line)
            for path in self.baselines_written():
                terminalreporter.write_line(f"mlgate: baseline written: {path}")
            if self.unused:
                verb = "deleted" if self.deleted_unused else "unused"
                hint = "" if self.deleted_unused else "; --mlgate-delete-unused-baselines removes them"
                if not self.deleted_unused and self.config.getoption("mlgate_delete_unused_baselines"):
                    hint = "; not deleted, because the run did not pass (a failing test may be why they went unused)"
                terminalreporter.write_line(f"mlgate: {len(self.unused)} baseline file(s) no test used{hint}:")
                for unused in self.unused:
                    terminalreporter.write_line(f"mlgate: {verb} baseline: {unused}")
            for path in self.files_written:
                terminalreporter.write_line(f"mlgate: report written: {path}")
            for note in self.notes:
                terminalreporter.write_line(f"mlgate: {note}")
            for problem in self.problems:
                terminalreporter.write_line(f"mlgate: {problem}", red=True)
        except Exception as exc:
            terminalreporter.write_line(f"mlgate: could not write the summary: {exc!r}", red=True)
