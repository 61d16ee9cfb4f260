"""The table at the end of a pytest run.

It fits the terminal: when one line per row would be wider than the terminal, each row takes two lines, the test id
alone on the first, so a test id is never cut and can always be found with ``pytest <id>``. By default only the rows
that need attention (fail, warn, error, inconclusive) are listed, with the counts of every verdict; ``-v`` or the ini
key ``mlgate_summary = all`` lists every row. Under the table, each inconclusive row says what would decide it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_mlgate.reports._rows import COLUMNS, counts_text, decide_text, row
from pytest_mlgate.results import GateResult

#: cells that may be shortened (from the left, marked "..."); the test id never is
MAX_WIDTH = {"subject": 30}
#: a row whose verdict is one of these is always listed
ATTENTION = ("fail", "warn", "error", "inconclusive")
#: values of the ini key ``mlgate_summary``
SUMMARY_MODES = ("problems", "all")
GAP = "  "


def _clip(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return "..." + text[-(width - 3):]


def _table(rows: list[dict[str, str]], columns: Sequence[str]) -> list[str]:
    widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in columns}
    lines = [GAP.join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines += [GAP.join(r[c].ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return lines


def render(results: Sequence[GateResult], *, width: int = 80, show_all: bool = False) -> str:
    """The rows to look at (every row with ``show_all``), fitted to ``width`` columns, and the counts by verdict."""
    shown = [r for r in results if show_all or r.status in ATTENTION]
    rows = [{k: _clip(v, MAX_WIDTH.get(k)) for k, v in row(r).items()} for r in shown]
    lines: list[str] = []
    if rows:
        lines = _table(rows, COLUMNS)
        if max(map(len, lines)) > width:  # two lines per row: the full test id, then the rest indented
            rest = _table(rows, COLUMNS[1:])
            lines = [GAP + rest[0]]
            for r, line in zip(rows, rest[1:], strict=True):
                lines += [r["test"], GAP + line]
        for result in shown:
            hint = decide_text(result)
            if hint:  # what would decide each inconclusive row, under the table
                lines.append(f"inconclusive: {result.node_id} {result.family}.{result.check} {result.subject}: "
                             f"{hint}")
    lines.append(f"mlgate: {len(results)} gate result(s): {counts_text(results)}")
    hidden = len(results) - len(shown)
    if hidden:
        lines.append(f"mlgate: {hidden} row(s) without a problem not listed "
                     "(-v or ini mlgate_summary = all lists them)")
    return "\n".join(lines)
