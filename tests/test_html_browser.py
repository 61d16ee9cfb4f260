"""The HTML report in a real browser (headless Chromium): charts render, failures come first, the filter works.

The report itself has no script. The test appends a small probe script to a copy of it, which measures the page,
unticks the "pass" box as a user would, measures again, and writes what it saw into the DOM; Chromium's
``--dump-dom`` hands that back. Skips, saying why, where no Chromium is installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pytest_mlgate.reports import html
from tests.test_html_report import baseline_result, calibration_result, drift_result, fairness_result

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")

PROBE = """<script>
const visible = el => el.getClientRects().length > 0;
const look = () => ({
  tests: [...document.querySelectorAll('section.test')].filter(visible).map(s => s.className.split(' ')[1]),
  passRows: [...document.querySelectorAll('tr.pass')].filter(visible).length,
  failRows: [...document.querySelectorAll('tr.fail')].filter(visible).length,
  charts: [...document.querySelectorAll('figure svg')].filter(svg => {
    const box = svg.getBoundingClientRect(); return box.width > 50 && box.height > 50;}).length,
  captions: [...document.querySelectorAll('figcaption b')].filter(visible).map(b => b.textContent),
});
const before = look();
document.getElementById('show-pass').click();
const after = look();
const out = document.createElement('pre'); out.id = 'probe';
out.textContent = JSON.stringify({before, after}); document.body.appendChild(out);
</script>"""


def chromium(*arguments: str, profile: Path) -> str:
    command = [str(BROWSER), *FLAGS, f"--user-data-dir={profile}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


@pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (Debian: apt-get install chromium)")
def test_report_in_headless_chromium(tmp_path: Path) -> None:
    passing_fairness = replace(fairness_result(), status="pass", node_id="test_fair.py::test_age")
    results = [baseline_result(), calibration_result(), passing_fairness, drift_result(), fairness_result()]
    page = tmp_path / "probe.html"
    page.write_text(html.render(results, {}).replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert match, "the probe script did not run"
    seen = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    before, after = seen["before"], seen["after"]
    assert before["charts"] == 5  # every chart has a size on the page: the inline SVG rendered
    assert before["tests"][:2] == ["fail", "fail"] and set(before["tests"][2:]) == {"pass"}  # failures first
    assert before["passRows"] == 3 and before["failRows"] == 2
    assert "test_fair.py::test_sex · fairness.check · demographic_parity_difference" in before["captions"]
    assert "test_fair.py::test_age · fairness.check · demographic_parity_difference" in before["captions"]
    # unticking "pass" hides the passing rows, their charts and the tests that only passed
    assert after["passRows"] == 0 and after["failRows"] == 2
    assert after["tests"] == ["fail", "fail"] and after["charts"] == 2
