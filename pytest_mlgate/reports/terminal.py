"""The table at the end of a pytest run."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_mlgate.reports._rows import COLUMNS, counts_text, row
from pytest_mlgate.results import GateResult

MAX_WIDTH = {"test": 60, "subject": 30}


def _clip(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return "..." + text[-(width - 3):]


def render(results: Sequence[GateResult]) -> str:
    """A fixed-width table, one line per result, and a closing count by verdict."""
    rows = [{k: _clip(v, MAX_WIDTH.get(k)) for k, v in row(r).items()} for r in results]
    widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip() for r in rows]
    lines.append(f"mlgate: {len(results)} gate result(s): {counts_text(results)}")
    return "\n".join(lines)
