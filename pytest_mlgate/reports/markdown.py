"""The Markdown summary (``--mlgate-markdown=PATH``, and ``$GITHUB_STEP_SUMMARY`` on GitHub Actions)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_mlgate._files import write_atomic
from pytest_mlgate.reports._rows import COLUMNS, counts_text, row
from pytest_mlgate.results import GateResult

ICONS = {"PASS": "pass", "FAIL": "**FAIL**", "WARN": "warn", "ERROR": "**ERROR**"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def render(results: Sequence[GateResult], *, settings: dict[str, Any] | None = None) -> str:
    """A heading with the counts, the table of every result, then the message of every failure and warning."""
    lines = ["## pytest-mlgate", "", f"{len(results)} gate result(s): {counts_text(results)}", ""]
    if settings:
        lines += [", ".join(f"{k} = {v}" for k, v in sorted(settings.items())), ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    for result in results:
        cells = row(result)
        test = cells["test"].replace("|", "\\|")  # a pipe inside a code span still needs escaping in a table
        cells = {c: _cell(v) for c, v in cells.items()}
        cells["test"] = f"`{test}`" if test else ""
        cells["verdict"] = ICONS.get(cells["verdict"], cells["verdict"])
        lines.append("| " + " | ".join(cells[c] for c in COLUMNS) + " |")
    problems = [r for r in results if r.status in ("fail", "warn", "error") and r.message]
    if problems:
        lines += ["", "### Failures and warnings", ""]
        for result in problems:
            lines += [f"- `{result.node_id}` ({result.status}):", "", "  ```text"]
            lines += [f"  {line}" for line in result.message.splitlines()]
            lines += ["  ```", ""]
    return "\n".join(lines).rstrip() + "\n"


def write(results: Sequence[GateResult], path: Path, *, settings: dict[str, Any] | None = None) -> None:
    write_atomic(path, render(results, settings=settings))
