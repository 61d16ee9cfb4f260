"""The HTML report (``--mlgate-html=PATH``): one self-contained file with the summary, every result, and charts.

Self-contained means no network: no external scripts, fonts or styles, and no script at all. Charts are inline SVG
drawn with matplotlib (the optional ``html`` extra); without matplotlib the report is written without charts and
says so. Every chart reads the typed record its gate wrote (:attr:`GateResult.record`, :mod:`pytest_mlgate.records`)
by field, and is skipped, never raised, when the record holds nothing to draw. Every string that came from the user's
data or tests is escaped (``html.escape``).
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from pytest_mlgate._files import write_atomic
from pytest_mlgate.records import (
    Comparison,
    DriftColumn,
    DriftOverview,
    GroupTable,
    ImportanceRanking,
    ReliabilityTable,
)
from pytest_mlgate.reports._rows import decide_text, limit_text, record_table
from pytest_mlgate.results import STATUSES, GateResult, fmt

#: at most this many charts of one kind, so a 200-column drift check does not make a 50 MB page
MAX_CHARTS_PER_KIND = 12
#: the drift overview shows at most this many columns (drifted first, then by effect)
MAX_OVERVIEW_COLUMNS = 30
#: the order of the page: what needs attention first
RANK = {"error": 0, "fail": 1, "warn": 2, "inconclusive": 3, "pass": 4}
PALETTE = {"reference": "#4c72b0", "current": "#dd8452", "pass": "#2e7d32", "fail": "#c62828",
           "warn": "#b26a00", "error": "#6a1b9a", "inconclusive": "#546e7a", "limit": "#555555"}

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:2rem;color:#1d1d1f;
  background:#fff;line-height:1.4}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #ddd}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
.meta{color:#555;font-size:.9rem}
.cards{display:flex;gap:.8rem;margin:1rem 0;flex-wrap:wrap}
.card{border-radius:8px;padding:.6rem 1rem;min-width:6rem;background:#f4f4f6;border-left:6px solid #999}
.card b{display:block;font-size:1.5rem}
.card.pass{border-color:#2e7d32}.card.fail{border-color:#c62828}.card.warn{border-color:#b26a00}
.card.error{border-color:#6a1b9a}.card.inconclusive{border-color:#546e7a}
table{border-collapse:collapse;width:100%;font-size:.85rem}
table.results{table-layout:fixed}table.results td{overflow-wrap:anywhere}
th,td{border-bottom:1px solid #e3e3e6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6;position:sticky;top:0}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.verdict{font-weight:600;white-space:nowrap;border-radius:4px;padding:.05rem .4rem;color:#fff}
.verdict.pass{background:#2e7d32}.verdict.fail{background:#c62828}.verdict.warn{background:#b26a00}
.verdict.error{background:#6a1b9a}.verdict.inconclusive{background:#546e7a}
.decide{display:block;color:#37474f;font-size:.8rem;margin-top:.2rem}
tr.fail td,tr.error td{background:#fff5f5}tr.warn td{background:#fffaf0}
pre,.first{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:.8rem;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
details summary{cursor:pointer;color:#333}
.first{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;border:1px solid #e3e3e6;border-radius:8px;padding:.5rem;max-width:100%}
figure svg{max-width:100%;height:auto}
figcaption{font-size:.8rem;color:#444;max-width:34rem;word-break:break-word}
ul.problems{list-style:none;padding:0}ul.problems li{margin:.6rem 0;padding:.5rem;border-left:4px solid #c62828;
  background:#fafafa}ul.problems pre{margin-top:.3rem}
form.filter{position:sticky;top:0;z-index:1;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;
  margin:1rem 0}form.filter label{margin-right:.8rem;white-space:nowrap}
section.test{margin:1.2rem 0 1.8rem}section.test h3 code{font-size:.9rem;overflow-wrap:anywhere}
.note{background:#f4f4f6;border-radius:6px;padding:.5rem .8rem;color:#444}
"""


# --- public API -------------------------------------------------------------------------------------


def write(results: Sequence[GateResult], path: Path, *, settings: Mapping[str, Any] | None = None) -> None:
    """Write the report to ``path`` atomically (a half-written page never replaces a good one)."""
    write_atomic(Path(path), render(results, settings))


def render(results: Sequence[GateResult], settings: Mapping[str, Any] | None = None) -> str:
    """The whole page as a string: failures first, then every result grouped by test, the worst test first."""
    results = sorted(results, key=lambda r: RANK.get(r.status, len(RANK)))  # stable: recorded order within a rank
    families = sorted({r.family for r in results})
    charts, chart_note = _charts(results, families)
    tally: Counter[str] = Counter(str(r.status) for r in results)
    overall = "fail" if tally["fail"] or tally["error"] else next(
        (s for s in ("warn", "inconclusive") if tally[s]), "pass")
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>pytest-mlgate report: {escape(overall.upper())}</title>",
        f"<style>{STYLE}{_filter_style(families)}</style></head><body>",
        "<h1>pytest-mlgate report</h1>",
        f'<p class="meta">{len(results)} gate result(s), generated {escape(generated)}'
        f"{_settings_text(settings)}</p>",
        _cards(tally),
        _family_table(results),
        _problems(results),
        _filter(tally, families) if results else "",
        "<h2>Every result, grouped by test</h2>" if results else "",
        chart_note,
        _by_test(results, charts, families),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


# --- the filter: checkboxes and CSS only (:has), so it works offline and with scripts disabled ---------------


def _filter_style(families: Sequence[str]) -> str:
    """One rule per checkbox: an unchecked box hides the rows, charts and tests of its status or family."""
    rules = [f'body:has(#show-{s}:not(:checked)) :is(figure[data-status="{s}"],tr:has(>td[data-status="{s}"]),'
             f'[data-only-status="{s}"]){{display:none}}' for s in STATUSES]
    rules += [f'body:has(#show-fam{i}:not(:checked)) :is(figure[data-family="{i}"],tr:has(>td[data-family="{i}"]),'
              f'[data-only-family="{i}"])'
              "{display:none}" for i in range(len(families))]
    return "\n".join(rules)


def _filter(tally: Counter[str], families: Sequence[str]) -> str:
    boxes = [f'<label><input type="checkbox" id="show-{s}" checked> {s} ({tally.get(s, 0)})</label>'
             for s in STATUSES]
    fams = [f'<label><input type="checkbox" id="show-fam{i}" checked> {escape(f)}</label>'
            for i, f in enumerate(families)]
    return (f'<form class="filter" id="filter"><b>Show</b> {"".join(boxes)} <b>families</b> {"".join(fams)}'
            "</form>")


# --- summary and table --------------------------------------------------------------------------------


def _settings_text(settings: Mapping[str, Any] | None) -> str:
    if not settings:
        return ""
    items = ", ".join(f"{escape(str(k))} = {escape(str(v))}" for k, v in sorted(settings.items()))
    return f"; settings: {items}"


def _cards(tally: Counter[str]) -> str:
    cards = [f'<div class="card {s}"><b>{tally.get(s, 0)}</b>{s}</div>' for s in STATUSES]
    return '<div class="cards">' + "".join(cards) + "</div>"


def _family_table(results: Sequence[GateResult]) -> str:
    if not results:
        return '<p class="note">No gate ran in this session.</p>'
    families: dict[str, Counter[str]] = {}
    for result in results:
        families.setdefault(result.family, Counter())[result.status] += 1
    head = "<tr><th>family</th>" + "".join(f"<th>{s}</th>" for s in STATUSES) + "</tr>"
    body = "".join(
        f"<tr><td>{escape(family)}</td>" + "".join(f'<td class="num">{c.get(s, 0)}</td>' for s in STATUSES)
        + "</tr>"
        for family, c in sorted(families.items())
    )
    return f"<table>{head}{body}</table>"


def _problems(results: Sequence[GateResult]) -> str:
    """The failures, errors and warnings with their full messages, before the long table."""
    rows = [r for r in results if r.status in ("fail", "error", "warn")]
    if not rows:
        return ""
    items = "".join(
        f'<li><span class="verdict {escape(r.status)}">{escape(r.status.upper())}</span> '
        f"<code>{escape(r.node_id)}</code> {escape(r.family)}.{escape(r.check)} {escape(r.subject)}"
        f"<pre>{escape(r.message)}</pre></li>"
        for r in rows
    )
    return f"<h2>Failures, errors and warnings</h2><ul class=\"problems\">{items}</ul>"


def _by_test(results: Sequence[GateResult], charts: Mapping[int, list[str]], families: Sequence[str]) -> str:
    """One section per test (the worst first): its rows, then its charts, each captioned with what it shows."""
    tests: dict[str, list[int]] = {}
    for index, result in enumerate(results):  # results come failures first, so tests do too
        tests.setdefault(result.node_id, []).append(index)
    sections = []
    for number, (node_id, indexes) in enumerate(tests.items()):
        rows = [results[i] for i in indexes]
        worst = rows[0].status
        # a test whose rows all share a status (a family) disappears with them; a mixed one keeps its heading
        only = "".join(f' data-only-{name}="{values.pop()}"' for name, values in
                       (("status", {r.status for r in rows}), ("family", {families.index(r.family) for r in rows}))
                       if len(values) == 1)
        figures = "".join(_record_table(results[i], families) for i in indexes)
        figures += "".join(f for i in indexes for f in charts.get(i, []))
        sections.append(
            f'<section class="test {escape(worst)}" id="test{number}"{only}><h3>'
            f'<span class="verdict {escape(worst)}">{escape(worst.upper())}</span> '
            f'<code>{escape(node_id or "(no test)")}</code>'
            f"</h3>{_results_table(rows, families)}"
            + (f'<div class="charts">{figures}</div>' if figures else "") + "</section>"
        )
    return "".join(sections)


def _results_table(results: Sequence[GateResult], families: Sequence[str]) -> str:
    if not results:
        return ""
    widths = (13, 12, 7, 7, 11, 5, 7, 38)  # percent; the message gets the room (the test id heads the section)
    columns = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"
    head = (f"{columns}<tr><th>check</th><th>subject</th><th>value</th><th>limit</th>"
            "<th>interval</th><th>n</th><th>verdict</th><th>message</th></tr>")
    rows = []
    for r in results:
        message = r.message or ""
        first, _, rest = message.partition("\n")
        text = f"<pre>{escape(first)}</pre>"
        if rest.strip():
            text = (f'<details><summary><span class="first">{escape(first)}</span></summary>'
                    f"<pre>{escape(rest)}</pre></details>")
        hint = decide_text(r)
        if hint:
            text += f'<span class="decide">To decide: {escape(hint)}</span>'

        rows.append(
            f'<tr class="{escape(r.status)}"><td{_data(r, families)}>{escape(r.family)}.<wbr>{escape(r.check)}</td>'
            f"<td>{escape(r.subject)}</td>"
            f'<td class="num">{escape(fmt(r.value) if r.value is not None else "")}</td>'
            f'<td class="num">{escape(limit_text(r))}</td><td class="num">{escape(r.interval_text())}</td>'
            f'<td class="num">{escape(str(r.n) if r.n is not None else "")}</td>'
            f'<td><span class="verdict {escape(r.status)}">{escape(r.status.upper())}</span></td>'
            f"<td>{text}</td></tr>"
        )
    return f'<table class="results">{head}{"".join(rows)}</table>'


def _record_table(result: GateResult, families: Sequence[str]) -> str:
    """A leaderboard or a feature ranking as a table of its own, beside the charts (and without matplotlib)."""
    table = record_table(result)
    if table is None:
        return ""
    caption, head, body = table
    cells = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in body)
    where = f"{result.node_id} · {result.family}.{result.check} · {result.subject}"
    return (f'<figure{_data(result, families)}><table class="record"><tr>'
            + "".join(f"<th>{escape(h)}</th>" for h in head) + f"</tr>{cells}</table><figcaption><b>"
            f"{escape(where)}</b><br>{escape(caption)}, {escape(result.status)}</figcaption></figure>")


def _data(result: GateResult, families: Sequence[str]) -> str:
    """The attributes the filter's CSS selects on (the family by number: family names need no CSS escaping).
    A row carries them on its first cell, so the row's own class stays its status alone."""
    return f' data-status="{escape(result.status)}" data-family="{families.index(result.family)}"'


# --- charts --------------------------------------------------------------------------------------------

Chart = tuple[Any, str]  # (matplotlib Figure, caption)


def _charts(results: Sequence[GateResult], families: Sequence[str]) -> tuple[dict[int, list[str]], str]:
    """Every result's charts (by its index) as <figure>s with inline SVG, captioned with the test, the check and
    the subject, and a note for the page (why there are none, what was cut)."""
    try:
        from matplotlib.figure import Figure  # noqa: F401  (optional extra)
    except ImportError:
        return {}, ('<p class="note">Charts are unavailable: matplotlib is not installed '
                    "(<code>pip install 'pytest-mlgate[html]'</code>). The tables below are complete.</p>")
    makers: list[tuple[str, Callable[[GateResult], Iterable[Chart]]]] = [
        ("drift", _drift_charts),
        ("fairness", _fairness_charts),
        ("calibration", _calibration_charts),
        ("baseline", _baseline_charts),
        ("explanation", _explanation_charts),
    ]
    figures: dict[int, list[str]] = {}
    drawn = 0
    skipped: Counter[str] = Counter()
    made: Counter[str] = Counter()
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):  # a name with $...$ is text, not math
        for index, result in enumerate(results):
            for kind, maker in makers:
                try:
                    charts = list(maker(result))
                except Exception:  # a chart never breaks the report
                    continue
                for figure, caption in charts:
                    if made[kind] >= MAX_CHARTS_PER_KIND:
                        skipped[kind] += 1
                        continue
                    try:
                        svg = _svg(figure, salt=f"mlgate{drawn}")
                    except Exception:
                        continue
                    made[kind] += 1
                    drawn += 1
                    where = f"{result.node_id} · {result.family}.{result.check} · {result.subject}"
                    figures.setdefault(index, []).append(
                        f"<figure{_data(result, families)}>{svg}<figcaption><b>{escape(where)}</b><br>"
                        f"{escape(caption)}</figcaption></figure>")
    notes = []
    if not figures:
        notes.append("No result in this run carries chart data (drift distributions, fairness groups, "
                     "a reliability table or a baseline comparison).")
    for kind, count in sorted(skipped.items()):
        notes.append(f"{count} more {kind} chart(s) left out (at most {MAX_CHARTS_PER_KIND} per kind).")
    note = "".join(f'<p class="note">{escape(n)}</p>' for n in notes)
    return figures, note


def _svg(figure: Any, *, salt: str) -> str:
    """The figure as an inline <svg> element (no XML prolog, no DOCTYPE, deterministic ids per chart)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text
    svg = re.sub(r"<metadata\b.*?</metadata>", "", svg, flags=re.S)  # RDF block with links to matplotlib.org
    return re.sub(r"<script\b.*?</script>", "", svg, flags=re.S | re.I)  # matplotlib writes none; be sure


def _figure(width: float = 5.2, height: float = 3.0) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    return figure


def _short(text: Any, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Any) -> float | None:
    """A finite float, or None (what a chart can draw)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _error_bar(value: float, interval: tuple[float, float] | None) -> tuple[float, float]:
    """The distances from ``value`` down and up to its interval's ends (0 without an interval)."""
    if interval is None or _number(interval[0]) is None or _number(interval[1]) is None:
        return 0.0, 0.0
    return max(0.0, value - interval[0]), max(0.0, interval[1] - value)


# drift: reference versus current distribution of each drifted column ------------------------------------


def _drift_charts(result: GateResult) -> Iterable[Chart]:
    """The dataset-level result: every column's effect against its minimum. A drifted column: reference versus
    current distribution."""
    record = result.record
    if isinstance(record, DriftOverview):
        overview = _drift_overview(record)
        return [overview] if overview is not None else []
    if isinstance(record, DriftColumn) and record.drifted:
        chart = _distribution_chart(record)
        return [chart] if chart is not None else []
    return []


def _drift_overview(record: DriftOverview) -> Chart | None:
    bars = []
    for column in record.columns:
        effect, minimum = _number(column.effect_size), _number(column.min_effect)
        if effect is None or minimum is None or minimum <= 0:
            continue
        bars.append((str(column.column), effect / minimum, column.drifted))
    if not bars:
        return None
    bars.sort(key=lambda b: (not b[2], -b[1]))
    shown = bars[:MAX_OVERVIEW_COLUMNS]
    figure = _figure(5.6, 0.9 + 0.28 * len(shown))
    axes = figure.subplots()
    positions = list(range(len(shown)))[::-1]
    axes.barh(positions, [min(b[1], 50.0) for b in shown],
              color=[PALETTE["fail"] if b[2] else PALETTE["reference"] for b in shown])
    axes.set_yticks(positions, [_short(b[0], 24) for b in shown], fontsize=8)
    axes.axvline(1.0, color=PALETTE["limit"], linestyle="--", linewidth=1)
    axes.set_xlabel("effect size / its minimum (red: drifted)")
    axes.set_title("drift by column", fontsize=10)
    drifted = sum(b[2] for b in bars)
    more = f"; {len(bars) - len(shown)} more column(s) not shown" if len(bars) > len(shown) else ""
    caption = (f"{drifted} of {len(bars)} columns drifted. A column drifts when its corrected p-value is below "
               f"alpha and its effect size reaches the minimum (the dashed line){more}.")
    return figure, caption


def _distribution_chart(record: DriftColumn) -> Chart | None:
    dist = record.distribution
    if dist is None or not dist.reference or len(dist.reference) != len(dist.current):
        return None
    ref = [_number(v) or 0.0 for v in dist.reference]
    cur = [_number(v) or 0.0 for v in dist.current]
    ref_total, cur_total = sum(ref) or 1.0, sum(cur) or 1.0
    ref = [v / ref_total for v in ref]
    cur = [v / cur_total for v in cur]
    name = str(record.column)
    edges = dist.edges
    if edges is not None and len(edges) == len(ref) + 1 and all(_number(e) is not None for e in edges):
        # quantile bins of the reference: drawn side by side at equal width (a bin of width 0, such as "all the
        # zeros" of a sparse column, stays visible), labelled with their right-closed ranges
        labels = [f"<= {fmt(edges[1], 3)}" if i == 0 else f"({fmt(edges[i], 3)}, {fmt(edges[i + 1], 3)}]"
                  for i in range(len(ref))]
        xlabel = f"{_short(name)} (reference quantile bins)"
    elif dist.categories is not None and len(dist.categories) == len(ref):
        labels = [_short(c, 14) for c in dist.categories]
        xlabel = _short(name)
    else:
        return None
    figure = _figure()
    axes = figure.subplots()
    positions = list(range(len(ref)))
    axes.bar([x - 0.2 for x in positions], ref, width=0.4, label="reference", color=PALETTE["reference"])
    axes.bar([x + 0.2 for x in positions], cur, width=0.4, label="current", color=PALETTE["current"])
    axes.set_xticks(positions, labels, rotation=30 if len(labels) > 3 else 0, ha="right" if len(labels) > 3 else
                    "center", fontsize=7 if len(labels) > 6 else 8)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("share of rows")
    axes.set_title(f"drift: {_short(name)}", fontsize=10)
    axes.legend(fontsize=8)
    figures = [("test", record.test), ("statistic", record.statistic), ("p_value", record.p_value),
               ("p_adjusted", record.p_adjusted), ("effect", record.effect), ("effect_size", record.effect_size),
               ("min_effect", record.min_effect), ("psi", record.extra.get("psi"))]
    stats = [f"{key} = {value if isinstance(value, str) else fmt(value)}" for key, value in figures
             if isinstance(value, str) or _number(value) is not None]
    caption = f"Column {name}: reference vs current distribution" + (f" ({', '.join(stats)})" if stats else "")
    return figure, caption


# fairness: per-group bars with intervals ----------------------------------------------------------------


def _fairness_charts(result: GateResult) -> Iterable[Chart]:
    table = result.record
    if not isinstance(table, GroupTable) or len(table.rows) < 2:
        return []
    wanted = [m for m in table.metrics if any(_number(row.values.get(m)) is not None for row in table.rows)][:3]
    if not wanted:
        return []
    rows = table.rows
    figure = _figure(5.6, 3.2)
    axes = figure.subplots()
    width = 0.8 / len(wanted)
    top = 0.0
    for k, metric in enumerate(wanted):
        values, lows, highs = [], [], []
        for row in rows:
            value = _number(row.values.get(metric))
            low, high = _error_bar(value, row.intervals.get(metric)) if value is not None else (0.0, 0.0)
            values.append(value if value is not None else math.nan)
            lows.append(low)
            highs.append(high)
        positions = [i - 0.4 + width * (k + 0.5) for i in range(len(rows))]
        axes.bar(positions, values, width=width * 0.95, label=metric, yerr=[lows, highs], capsize=3,
                 error_kw={"elinewidth": 1})
        top = max([top, *(v + h for v, h in zip(values, highs, strict=True) if not math.isnan(v))])
    axes.set_xticks(range(len(rows)), [_short(row.group, 18) for row in rows], rotation=30 if len(rows) > 4 else 0,
                    ha="right")
    axes.set_ylim(0, top * 1.3 if top > 0 else 1.0)  # room for the legend above the bars
    axes.set_title(f"fairness: {_short(result.subject)}", fontsize=10)
    axes.legend(fontsize=8)
    shown = f" = {fmt(result.value)}" if result.value is not None else ""
    limit = f" (limit {limit_text(result)})" if result.limit is not None else ""
    spread = f", interval {result.interval_text()}" if result.interval is not None else ""
    caption = f"{result.subject}{shown}{limit}{spread}: per-group values with intervals, {result.status}"
    return [(figure, caption)]


# calibration: reliability diagram -------------------------------------------------------------------------


def _calibration_charts(result: GateResult) -> Iterable[Chart]:
    table = result.record
    if not isinstance(table, ReliabilityTable):
        return []
    points = [(b.mean_predicted, b.observed_rate, float(b.count)) for b in table.bins
              if b.count > 0 and _number(b.mean_predicted) is not None and _number(b.observed_rate) is not None]
    if len(points) < 2:
        return []
    figure = _figure(4.2, 3.8)
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], linestyle="--", color=PALETTE["limit"], linewidth=1, label="perfectly calibrated")
    largest = max(c for _, _, c in points)
    axes.plot([p for p, _, _ in points], [o for _, o, _ in points], color=PALETTE["current"], linewidth=1.5)
    axes.scatter([p for p, _, _ in points], [o for _, o, _ in points],
                 s=[20 + 180 * c / largest for _, _, c in points], color=PALETTE["current"], zorder=3,
                 label="bins (area ~ rows)")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("mean predicted probability")
    axes.set_ylabel("observed rate")
    axes.set_title(f"reliability: {_short(result.subject)}", fontsize=10)
    axes.legend(fontsize=8, loc="upper left")
    value = f"ECE = {fmt(result.value)}" if result.value is not None else "calibration"
    interval = f", interval {result.interval_text()}" if result.interval is not None else ""
    limit = f", limit {limit_text(result)}" if result.limit is not None else ""
    return [(figure, f"Reliability diagram for {result.subject}: {value}{interval}{limit}, {result.status}")]


# explanation drift: stored versus current importance of the top features ----------------------------------


def _explanation_charts(result: GateResult) -> Iterable[Chart]:
    """Each stored top-k feature (then each that entered the current top k): its stored and current importance
    with intervals, and the stored k-th feature's interval, the bar a feature must clear, as a band."""
    record = result.record
    if not isinstance(record, ImportanceRanking) or not record.current:
        return []
    names = [f.feature for f in record.stored]
    names += [f.feature for f in record.current if f.feature not in names]
    stored = {f.feature: f for f in record.stored}
    figure = _figure(5.2, 0.9 + 0.42 * len(names))
    axes = figure.subplots()
    sides = (("stored", stored.get, PALETTE["reference"], 0.15),
             ("current", record.now, PALETTE.get(result.status, PALETTE["current"]), -0.15))
    for label, find, color, offset in sides:
        points = [(i, find(name)) for i, name in enumerate(names)]
        drawn = [(i, f) for i, f in points if f is not None and _number(f.importance) is not None]
        if not drawn:
            continue
        values = [float(f.importance) for _, f in drawn if f.importance is not None]
        errors = [_error_bar(v, f.interval) for v, (_, f) in zip(values, drawn, strict=True)]
        axes.errorbar(values, [i + offset for i, _ in drawn], xerr=[[e[0] for e in errors], [e[1] for e in errors]],
                      fmt="o", color=color, capsize=3, markersize=5, label=label)
    if record.kth_interval is not None:
        axes.axvspan(record.kth_interval[0], record.kth_interval[1], color=PALETTE["limit"], alpha=0.15,
                     label=f"stored k-th ({_short(record.kth_feature, 16)})")
    axes.set_yticks(range(len(names)), [_short(n, 20) for n in names], fontsize=8)
    axes.set_ylim(len(names) - 0.4, -1.4)  # the first feature on top, a free row above it for the legend
    axes.set_xlabel(f"permutation importance ({_short(record.metric, 20)} lost)")
    axes.set_title(f"top {record.top_k} features: {_short(result.subject)}", fontsize=10)
    axes.legend(fontsize=7, loc="upper center", ncol=3, frameon=False)
    moved = [*(f"{f} left" for f in record.left), *(f"{f} entered" for f in record.entered)]
    caption = (f"Explanation drift of {result.subject}: top {record.top_k} by permutation importance, stored "
               f"against current; {', '.join(moved) if moved else 'no feature entered or left with evidence'}, "
               f"{result.status}")
    return [(figure, caption)]


# baseline: current versus baseline with intervals ---------------------------------------------------------


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        lo, hi = _number(value[0]), _number(value[1])
        if lo is not None and hi is not None:
            return lo, hi
    return None


def _history_chart(result: GateResult) -> list[Chart]:
    """``compare(max_total_drop=...)``: the accepted baselines in order, each with its interval, the best one's
    allowed floor (or ceiling) as a line, and the current value last."""
    details = result.details
    history = details.get("history")
    best = _number(details.get("best_accepted"))
    allowed = _number(details.get("max_total_drop"))
    if not isinstance(history, list) or best is None or allowed is None:
        return []
    points: list[tuple[float, tuple[float, float]]] = []
    for entry in history:
        value = _number(entry.get("value")) if isinstance(entry, Mapping) else None
        if value is not None:
            points.append((value, _pair(entry.get("interval")) or (value, value)))
    current = None if result.value is None else best + result.value  # value = current - best accepted
    if not points or current is None:
        return []
    lower_is_better = result.comparison == "<="
    floor = best + allowed if lower_is_better else best - allowed
    figure = _figure(5.2, 2.8)
    axes = figure.subplots()
    xs = list(range(len(points)))
    values = [v for v, _ in points]
    errors = [[max(0.0, v - lo) for v, (lo, _) in points], [max(0.0, hi - v) for v, (_, hi) in points]]
    axes.errorbar(xs, values, yerr=errors, fmt="o-", color=PALETTE["reference"], capsize=3, label="accepted")
    axes.plot([len(points)], [current], "o", color=PALETTE.get(result.status, PALETTE["current"]), markersize=8,
              label="current")
    axes.axhline(floor, color=PALETTE["fail"], linestyle="--", linewidth=1, label="allowed total drop")
    labels = [str(e.get("commit") or "")[:7] or str(k + 1) for k, e in enumerate(history) if isinstance(e, Mapping)
              and _number(e.get("value")) is not None]
    axes.set_xticks([*xs, len(points)], [*labels, "now"], fontsize=7)
    axes.set_ylabel(_short(details.get("metric", result.subject)))
    axes.set_title(f"baseline history: {_short(result.subject)}", fontsize=10)
    axes.legend(fontsize=7, loc="best")
    caption = (f"Baseline history of {result.subject}: {len(points)} accepted value(s), best {fmt(best)}, now "
               f"{fmt(current)}, allowed total drop {fmt(allowed)}, {result.status}")
    return [(figure, caption)]


def _baseline_charts(result: GateResult) -> Iterable[Chart]:
    if result.check == "total_drop":
        return _history_chart(result)
    comparison = result.record
    if not isinstance(comparison, Comparison):
        return []
    bars = [(label, _number(side.value), side.interval)
            for label, side in zip(comparison.labels, (comparison.reference, comparison.current), strict=True)]
    if any(value is None for _, value, _ in bars):
        return []
    figure = _figure(4.2, 2.6)
    axes = figure.subplots()
    colors = [PALETTE["reference"], PALETTE.get(result.status, PALETTE["current"])]
    for i, (label, value, interval) in enumerate(bars):
        assert value is not None
        low, high = _error_bar(value, interval)
        axes.errorbar([value], [i], xerr=[[low], [high]], fmt="o", color=colors[i], capsize=4, markersize=7,
                      label=label)
    axes.set_yticks([0, 1], [b[0] for b in bars])
    axes.set_ylim(-0.7, 1.7)
    axes.set_xlabel(_short(comparison.metric))
    axes.set_title(f"baseline: {_short(result.subject)}", fontsize=10)
    difference = (f", difference {fmt(result.value)} {result.interval_text()}"
                  if comparison.labels[0] == "champion" else "")
    caption = (f"{result.subject}: {bars[0][0]} {fmt(bars[0][1])} vs {bars[1][0]} {fmt(bars[1][1])}"
               f"{difference}, {result.status}")
    return [(figure, caption)]
