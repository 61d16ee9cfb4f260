"""The run as a whole: results merged from every test (and every xdist worker), then written out.

Registered as a plugin object on the controller only; workers send their results inside test reports
(``report.mlgate_results``), which pytest-xdist serializes with the rest of the report.
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


class GateSession:
    """Collects every recorded result of the run and writes the reports. Its hooks never raise."""

    def __init__(self, config: pytest.Config, *, report_settings: dict[str, Any]) -> None:
        self.config = config
        self.report_settings = report_settings
        self.results: list[GateResult] = []
        self.files_written: list[str] = []
        self.problems: list[str] = []

    def sorted_results(self) -> list[GateResult]:
        """By node id, then as recorded: a serial run and an xdist run give the same order."""
        return sorted(self.results, key=lambda r: r.node_id)

    def baselines_written(self) -> list[str]:
        return sorted({str(r.details["baseline_written"]) for r in self.results if r.details.get("baseline_written")})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for row in getattr(report, "mlgate_results", None) or ():
            try:
                self.results.append(GateResult.from_dict(row))
            except Exception as exc:  # a malformed row must not break the run
                self.problems.append(f"could not read a gate result of {report.nodeid}: {exc!r}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
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

                terminalreporter.write_sep("=", "mlgate summary")
                for line in terminal.render(results).splitlines():
                    terminalreporter.write_line(line)
            for path in self.baselines_written():
                terminalreporter.write_line(f"mlgate: baseline written: {path}")
            for path in self.files_written:
                terminalreporter.write_line(f"mlgate: report written: {path}")
            for problem in self.problems:
                terminalreporter.write_line(f"mlgate: {problem}", red=True)
        except Exception as exc:
            terminalreporter.write_line(f"mlgate: could not write the summary: {exc!r}", red=True)
