"""The HTML report: self-contained, escaped, charts from details, never raising on odd details."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pytest_mlgate.records import (
    Comparison,
    Distribution,
    DriftColumn,
    DriftOverview,
    Estimate,
    GroupRow,
    GroupTable,
    ReliabilityBin,
    ReliabilityTable,
)
from pytest_mlgate.reports import html
from pytest_mlgate.results import GateResult

EVIL = "<script>alert(1)</script>"


def column(name: str, *, drifted: bool = True, distribution: Distribution | None = None,
           effect_size: float | None = 0.31, min_effect: float | None = 0.1) -> DriftColumn:
    return DriftColumn(name, "ks", 0.31, 1e-9, 1e-8, "wasserstein/std", effect_size, min_effect, drifted,
                       distribution)


def drift_result(name: str = "income", *, drifted: bool = True) -> GateResult:
    bins = Distribution((10, 20, 30), (30, 20, 10), edges=(0.0, 1.0, 2.0, 3.0))
    return GateResult("data_quality", "drift", name, "fail" if drifted else "pass", value=0.31,
                      node_id="test_data.py::test_drift", record=column(name, drifted=drifted, distribution=bins))


def group(name: str, count: int, rate: float, interval: tuple[float, float]) -> GroupRow:
    return GroupRow(name, count, True, {"selection_rate": rate}, {"selection_rate": interval})


def fairness_result(first_group: str = "female") -> GateResult:
    table = GroupTable(("selection_rate",), (group(first_group, 300, 0.3, (0.25, 0.35)),
                                             group("male", 700, 0.5, (0.46, 0.54))))
    return GateResult("fairness", "check", "demographic_parity_difference", "fail", value=0.2, limit=0.1,
                      comparison="<=", interval=(0.15, 0.25), node_id="test_fair.py::test_sex", record=table)


def calibration_result() -> GateResult:
    table = ReliabilityTable(tuple(ReliabilityBin(i, i / 10, (i + 1) / 10, (i + 0.5) / 10, (i + 0.5) / 10, 10 + i)
                                   for i in range(10)))
    return GateResult("model_validation", "calibration", "ece", "pass", value=0.03, limit=0.1, comparison="<=",
                      interval=(0.02, 0.05), node_id="test_model.py::test_cal", record=table)


def baseline_result() -> GateResult:
    comparison = Comparison("roc_auc", Estimate(0.81, (0.79, 0.83)), Estimate(0.8, (0.78, 0.82)))
    return GateResult("baseline", "compare", "roc_auc", "pass", value=-0.01, interval=(-0.04, 0.02),
                      node_id="test_base.py::test_auc", record=comparison)


def svg_count(text: str) -> int:
    return len(re.findall(r"<svg\b", text))


def test_user_strings_are_escaped_everywhere() -> None:
    evil = replace(drift_result(EVIL), node_id=f"test_x.py::test_[{EVIL}]",
                   message=f"column {EVIL} drifted\n  second line {EVIL}")
    fair = fairness_result(first_group=EVIL)
    text = html.render([evil, fair], {"alpha": 0.01})
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert svg_count(text) == 2  # the column name reached the chart title as text, escaped, not as markup


def test_dollar_signs_in_names_are_text_not_math() -> None:
    """matplotlib reads "$...$" as mathtext; an unbalanced or unknown command would drop the chart."""
    text = html.render([drift_result(r"$\frac$"), fairness_result(first_group=r"$\alpha")], {})
    assert svg_count(text) == 2


def test_page_is_self_contained() -> None:
    text = html.render([drift_result(), fairness_result(), calibration_result(), baseline_result()], {})
    assert "<script" not in text.lower()
    assert "<link" not in text.lower()
    assert "@import" not in text
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", text)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # XML namespaces, not fetched


def test_one_chart_per_kind_and_the_full_table() -> None:
    results = [drift_result(), drift_result("quiet", drifted=False), fairness_result(), calibration_result(),
               baseline_result()]
    text = html.render(results, {"alpha": 0.01, "seed": 0})
    assert svg_count(text) == 4  # the column that did not drift gets no chart
    for caption in ("Column income", "demographic_parity_difference = 0.2", "Reliability diagram",
                    "roc_auc: baseline 0.81 vs current 0.8"):
        assert caption in text
    assert text.count('<tr class="') == len(results)
    assert "alpha = 0.01" in text
    assert "[0.15, 0.25]" in text and "&lt;= 0.1" in text


def test_categorical_drift_and_champion_challenger() -> None:
    colours = Distribution((5, 5), (1, 9), categories=("red", "blue"))
    categorical = GateResult("data_quality", "drift", "colour", "fail",
                             record=column("colour", distribution=colours))
    duel = GateResult("baseline", "compare_models", "accuracy", "pass", value=-0.01, interval=(-0.03, 0.01),
                      record=Comparison("accuracy", Estimate(0.8, (0.78, 0.82)), Estimate(0.79, (0.77, 0.81)),
                                        ("champion", "challenger")))
    text = html.render([categorical, duel], None)
    assert svg_count(text) == 2
    assert "champion 0.8 vs challenger 0.79" in text


@pytest.mark.parametrize("record", [
    column("x", distribution=Distribution((1, 2), (1,), edges=(0.0, 1.0))),  # counts of unequal length
    column("x", distribution=Distribution((1, 2), (2, 1), edges=(0.0, 1.0))),  # edges that do not fit the counts
    column("x", distribution=None),
    DriftOverview((column("x", effect_size=None), column("y", min_effect=0.0))),  # nothing to scale a bar by
    GroupTable(("selection_rate",), (group("a", 10, 0.5, (0.4, 0.6)),)),  # one group: nothing to compare
    GroupTable(("tpr",), (group("a", 10, 0.5, (0.4, 0.6)), group("b", 10, 0.5, (0.4, 0.6)))),  # tpr not held
    ReliabilityTable((ReliabilityBin(0, 0.0, 1.0, 0.5, 0.5, 10),)),  # one bin is not a curve
    Comparison("auc", Estimate(None), Estimate(0.8)),
    None,  # details but no record: a report never guesses what a dict means
])
def test_records_with_nothing_to_draw_skip_the_chart_and_never_raise(record: object) -> None:
    details = {"distribution": {"edges": [0, 1, 2], "reference": [1, 2], "current": [2, 1]}, "drifted": True,
               "groups": [{"group": "a", "selection_rate": 0.1}, {"group": "b", "selection_rate": 0.2}]}
    results = [GateResult(family, check, "s", "fail", value=1.0, details=details, record=record)  # type: ignore[arg-type]
               for family, check in (("data_quality", "drift"), ("fairness", "check"),
                                     ("model_validation", "calibration"), ("baseline", "compare"))]
    text = html.render(results, {})
    assert svg_count(text) == 0
    assert "No result in this run carries chart data" in text
    assert text.count('<tr class="fail">') == 4


def test_charts_are_capped_per_kind() -> None:
    results = [drift_result(f"c{i}") for i in range(html.MAX_CHARTS_PER_KIND + 2)]
    text = html.render(results, {})
    assert svg_count(text) == html.MAX_CHARTS_PER_KIND
    assert "2 more drift chart(s) left out" in text


def test_without_matplotlib_the_report_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import raises ImportError
    text = html.render([drift_result(), fairness_result()], {})
    assert svg_count(text) == 0
    assert "Charts are unavailable: matplotlib is not installed" in text
    assert "demographic_parity_difference" in text


def test_write_is_atomic_and_creates_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    html.write([baseline_result()], target, settings={})
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_mlgate_html_option_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(f"""
        import numpy as np

        def test_metric(model_gate):
            rng = np.random.default_rng(0)
            y = rng.integers(0, 2, 400)
            score = np.clip(y * 0.6 + rng.random(400) * 0.5, 0, 1)
            model_gate.metrics(y=y, y_score=score, min={{"roc_auc": 0.7}})

        def test_own_number(model_gate):
            model_gate.expect({EVIL!r}, 0.2, min=0.5)
    """)
    result = pytester.runpytest("--mlgate-html=out/report.html", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    text = (pytester.path / "out" / "report.html").read_text(encoding="utf-8")
    assert "test_metric" in text and "roc_auc" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text.lower()
    assert '<span class="verdict fail">FAIL</span>' in text


def test_drift_overview_from_the_dataset_level_table() -> None:
    columns = (column(EVIL, effect_size=0.4), column("age", drifted=False, effect_size=0.01),
               column("city", drifted=False, effect_size=None, min_effect=0.05))
    summary = GateResult("data_quality", "drift", "dataset", "fail", value=1, record=DriftOverview(columns))
    text = html.render([summary], {})
    assert svg_count(text) == 1
    assert "1 of 2 columns drifted" in text
    assert "<script" not in text.lower() and "&lt;script&gt;" in text


def test_failures_are_listed_first_with_their_messages() -> None:
    failing = replace(fairness_result(),
                      message="fairness.check demographic_parity_difference = 0.2\n  What to do: mitigate")
    text = html.render([baseline_result(), failing], {})
    assert text.index("Failures, errors and warnings") < text.index("Every result")
    assert "What to do: mitigate" in text


def test_charts_from_the_real_gates(pytester: pytest.Pytester) -> None:
    """Every chart kind from the details the gates really write, and a drifted column named like a script."""
    pytester.makepyfile(f"""
        import numpy as np
        import pandas as pd
        from sklearn.linear_model import LogisticRegression

        EVIL = {EVIL!r}
        rng = np.random.default_rng(0)
        n = 600
        X = pd.DataFrame({{"x": rng.normal(size=n), "group": rng.choice(["a", "b"], n)}})
        y = (X["x"] + rng.normal(size=n) > 0).astype(int)
        model = LogisticRegression().fit(X[["x"]], y)
        weak = LogisticRegression().fit(X[["x"]] * 0 + rng.normal(size=(n, 1)), y)

        class OnX:
            def __init__(self, inner):
                self.inner, self.classes_ = inner, inner.classes_
            def predict(self, frame):
                return self.inner.predict(frame[["x"]])
            def predict_proba(self, frame):
                return self.inner.predict_proba(frame[["x"]])

        def test_drift(data_gate):
            reference = pd.DataFrame({{EVIL: rng.normal(size=n), "steady": rng.normal(size=n)}})
            current = pd.DataFrame({{EVIL: rng.normal(1.0, size=n), "steady": rng.normal(size=n)}})
            data_gate.drift(reference, current)

        def test_model(model_gate, fairness_gate, baseline_gate):
            model_gate.calibration(OnX(model), X, y, max_ece=0.2)
            fairness_gate.check(OnX(model), X, y, sensitive_features="group",
                                max_difference={{"demographic_parity": 0.5}})
            baseline_gate.compare_models(OnX(model), OnX(weak), X, y, metric="roc_auc", margin=0.5)
    """)
    result = pytester.runpytest("--mlgate-html=report.html", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    text = (pytester.path / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    for caption in ("columns drifted", "Column &lt;script&gt;alert(1)&lt;/script&gt;: reference vs current",
                    "Reliability diagram", "per-group values with intervals", "champion"):
        assert caption in text, caption
    assert svg_count(text) == 5


def test_baseline_history_is_drawn_as_a_trend_with_intervals() -> None:
    history = [{"value": 0.86, "interval": [0.84, 0.88], "commit": "a1b2c3d4e5", "written_at": "2026-11-01T00:00:00Z"},
               {"value": 0.85, "interval": [0.83, 0.87], "commit": None, "written_at": "2026-11-08T00:00:00Z"},
               {"value": 0.84, "interval": [0.82, 0.86], "commit": "f6e5d4c3b2", "written_at": "2026-11-15T00:00:00Z"}]
    decay = GateResult("baseline", "total_drop", "roc_auc", "fail", value=-0.035, limit=-0.02, comparison=">=",
                       interval=(-0.05, -0.021), details={"metric": "roc_auc", "best_accepted": 0.86,
                                                           "max_total_drop": 0.02, "history": history})
    text = html.render([decay], None)
    assert svg_count(text) == 1
    assert "Baseline history of roc_auc: 3 accepted value(s), best 0.86, now 0.825, allowed total drop 0.02" in text
    odd = GateResult("baseline", "total_drop", "roc_auc", "pass", value=0.0, details={"history": "x"})
    assert svg_count(html.render([odd], None)) == 0
