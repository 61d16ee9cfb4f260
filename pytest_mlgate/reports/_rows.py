"""The table every text report shows: one row per result, the same columns in the same order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pytest_mlgate.records import ImportanceRanking, Leaderboard, RankedFeature
from pytest_mlgate.results import STATUSES, GateResult, fmt, interval_text

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
    """What would decide an inconclusive row (also one that inconclusive="fail" failed), in a few words ("" for
    any other row)."""
    decide = result.details.get("decide")
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


def _estimate(ranked: RankedFeature | None) -> str:
    return f"{fmt(ranked.importance)} {interval_text(ranked.interval)}" if ranked is not None else ""


def _name(ranked: RankedFeature | None, moved: tuple[str, ...], word: str) -> str:
    if ranked is None:
        return ""
    return f"{ranked.feature} ({word})" if ranked.feature in moved else ranked.feature


def record_table(result: GateResult) -> tuple[str, tuple[str, ...], list[tuple[str, ...]]] | None:
    """A record that is a table (a leaderboard, a ranking of features) as its caption, column names and rows of
    text, the same in every report; ``None`` for any other result."""
    record = result.record
    if isinstance(record, Leaderboard):
        columns: tuple[str, ...] = ("candidate", record.metric, "interval", "difference", "difference interval",
                                    "verdict")
        rows: list[tuple[str, ...]] = [
            (e.candidate, fmt(e.value), interval_text(e.interval), fmt(e.difference),
             interval_text(e.difference_interval), e.verdict) for e in record.entries]
        return f"leaderboard against the champion {record.champion}", columns, rows
    if isinstance(record, ImportanceRanking):
        table: list[tuple[str, ...]] = []
        for rank in range(max(len(record.current), len(record.stored))):
            current = record.current[rank] if rank < len(record.current) else None
            now = (_name(current, record.entered, "entered"), _estimate(current))
            if not record.stored:
                table.append((str(rank + 1), *now))
                continue
            stored = record.stored[rank] if rank < len(record.stored) else None
            table.append((str(rank + 1), _name(stored, record.left, "left"), _estimate(stored),
                          _estimate(record.now(stored.feature)) if stored is not None else "", *now))
        head = ("rank", "stored", "importance", "now", "current", "importance") if record.stored else (
            "rank", "current", "importance")
        bar = (f"; the bar is the stored k-th feature {record.kth_feature} {interval_text(record.kth_interval)}"
               if record.kth_feature is not None else "")
        return f"top {record.top_k} features by permutation importance in {record.metric}{bar}", head, table
    return None
