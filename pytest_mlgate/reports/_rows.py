"""The table every text report shows: one row per result, the same columns in the same order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pytest_mlgate.results import STATUSES, GateResult, fmt

COLUMNS = ("test", "check", "subject", "value", "limit", "interval", "n", "verdict")


def limit_text(result: GateResult) -> str:
    if result.comparison == "in":
        lo, hi = result.details.get("min"), result.details.get("max")
        return f"in [{fmt(lo)}, {fmt(hi)}]"
    return result.limit_text()


def row(result: GateResult) -> dict[str, str]:
    return {
        "test": result.node_id,
        "check": f"{result.family}.{result.check}",
        "subject": result.subject,
        "value": fmt(result.value) if result.value is not None else "",
        "limit": limit_text(result),
        "interval": result.interval_text(),
        "n": str(result.n) if result.n is not None else "",
        "verdict": result.status.upper(),
    }


def decide_text(result: GateResult) -> str:
    """What would decide an inconclusive row, in a few words ("" for any other row)."""
    decide = result.details.get("decide") if result.status == "inconclusive" else None
    if not isinstance(decide, dict):
        return ""
    parts = []
    if decide.get("detectable_difference") is not None:
        parts.append(f"detects a difference of {fmt(decide['detectable_difference'])} from the limit "
                     f"({fmt(100 * float(decide.get('power') or 0.8))}% power)")
    if decide.get("rows_needed") is not None:
        parts.append(f"~{int(decide['rows_needed']):,} rows would decide")
    return "; ".join(parts)


def counts(results: Sequence[GateResult]) -> dict[str, int]:
    tally = Counter(str(r.status) for r in results)
    return {status: tally[status] for status in STATUSES}


def counts_text(results: Sequence[GateResult]) -> str:
    tally = counts(results)
    return ", ".join(f"{tally[s]} {s}" for s in STATUSES if tally[s]) or "no results"
