"""The Markdown summary (``--mlgate-markdown=PATH``, and ``$GITHUB_STEP_SUMMARY`` on GitHub Actions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_mlgate._files import write_atomic
from pytest_mlgate.reports._rows import COLUMNS, counts_text, decide_text, record_table, row
from pytest_mlgate.results import GateResult

ICONS = {"PASS": "pass", "INCONCLUSIVE": "*inconclusive*", "FAIL": "**FAIL**", "WARN": "warn", "ERROR": "**ERROR**"}


_PUNCTUATION = re.compile(r"([\\`*\[\]|~!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def escape(text: str) -> str:
    """User text as literal Markdown on one line: ``<`` and ``&`` as entities (GitHub renders no user HTML),
    the punctuation that starts Markdown constructs backslash-escaped (code spans, links, images, emphasis,
    strike-through, table cells; ``_`` inside a word starts nothing), line breaks as spaces."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = re.sub(r"[\r\n\t\v\f]+", " ", text)
    return _PUNCTUATION.sub(lambda m: "\\" + m.group(), text)


def code(text: str) -> str:
    """``text`` as one code span: opened with more backticks than any run inside it, on one line, with ``|``
    escaped (GitHub's tables split cells on it even in code)."""
    text = re.sub(r"[\r\n\t\v\f]+", " ", text).replace("|", "\\|")
    if not text:
        return ""
    marks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{marks}{pad}{text}{pad}{marks}"


def fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``, so the text can never close it."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render(results: Sequence[GateResult], *, settings: dict[str, Any] | None = None) -> str:
    """A heading with the counts, the table of every result, then the message of every failure and warning."""
    lines = ["## pytest-mlgate", "", f"{len(results)} gate result(s): {counts_text(results)}", ""]
    if settings:
        lines += [escape(", ".join(f"{k} = {v}" for k, v in sorted(settings.items()))), ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    for result in results:
        cells = {c: code(v) if c == "test" else escape(v) for c, v in row(result).items()}
        cells["verdict"] = ICONS.get(cells["verdict"], cells["verdict"])
        hint = decide_text(result)
        if hint:
            cells["verdict"] += f": {escape(hint)}"
        lines.append("| " + " | ".join(cells[c] for c in COLUMNS) + " |")
    tables = [(r, t) for r in results if (t := record_table(r)) is not None]
    if tables:
        lines += ["", "### Leaderboards and rankings", ""]
        for result, (caption, head, body) in tables:
            lines += [f"{code(result.node_id)} {escape(result.subject)} ({result.status}): {escape(caption)}", "",
                      "| " + " | ".join(escape(h) for h in head) + " |", "|" + "|".join("---" for _ in head) + "|"]
            lines += ["| " + " | ".join(escape(cell) for cell in cells) + " |" for cells in body]
            lines.append("")
    sections = (("Failures and warnings", ("fail", "warn", "error")),
                ("Inconclusive: the data cannot tell yet", ("inconclusive",)))
    for heading, statuses in sections:
        problems = [r for r in results if r.status in statuses and r.message]
        if problems:
            lines += ["", f"### {heading}", ""]
            for result in problems:
                marks = fence(result.message)
                lines += [f"- {code(result.node_id)} ({result.status}):", "", f"  {marks}text"]
                lines += [f"  {line}" for line in result.message.splitlines()]
                lines += [f"  {marks}", ""]
    return "\n".join(lines).rstrip() + "\n"


def write(results: Sequence[GateResult], path: Path, *, settings: dict[str, Any] | None = None) -> None:
    write_atomic(path, render(results, settings=settings))
