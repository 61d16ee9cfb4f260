"""Three verdicts: pass, fail and inconclusive, what would decide an inconclusive one, and what it does to a test."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from scipy import stats

from pytest_mlgate.gates.base import GateSettings, limit_verdict, threshold_result
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError
from pytest_mlgate.stats import StatsError
from pytest_mlgate.stats.power import decide
from tests.quiet import quiet

QUICK = GateSettings(n_resamples=200)


# --- the rule ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "limits", "status"),
    [
        ((0.86, 0.90), {"minimum": 0.85}, "pass"),
        ((0.80, 0.84), {"minimum": 0.85}, "fail"),
        ((0.84, 0.90), {"minimum": 0.85}, "inconclusive"),
        ((0.85, 0.90), {"minimum": 0.85}, "pass"),  # touching the limit from the good side meets it
        ((0.10, 0.15), {"maximum": 0.2}, "pass"),
        ((0.21, 0.30), {"maximum": 0.2}, "fail"),
        ((0.15, 0.25), {"maximum": 0.2}, "inconclusive"),
        ((0.40, 0.60), {"minimum": 0.3, "maximum": 0.7}, "pass"),
        ((0.20, 0.60), {"minimum": 0.3, "maximum": 0.7}, "inconclusive"),
        ((0.60, 0.80), {"minimum": 0.3, "maximum": 0.7}, "inconclusive"),
        ((0.75, 0.80), {"minimum": 0.3, "maximum": 0.7}, "fail"),
    ],
)
def test_limit_verdict_reads_where_the_interval_lies(interval: tuple[float, float], limits: dict[str, float],
                                                     status: str) -> None:
    value = sum(interval) / 2
    verdict = limit_verdict(value, interval, n=500, **limits)
    assert verdict.status == status
    assert (verdict.decide is not None) == (status == "inconclusive")


def test_the_point_decision_and_a_missing_interval_have_two_verdicts() -> None:
    assert limit_verdict(0.84, (0.80, 0.90), minimum=0.85, decision="point").status == "fail"
    assert limit_verdict(0.86, (0.80, 0.90), minimum=0.85, decision="point").status == "pass"
    assert limit_verdict(0.86, None, minimum=0.85).status == "pass"


def test_detectable_difference_has_80_percent_power_at_alpha() -> None:
    """The hint's two figures, checked against scipy's normal distribution rather than our own formula."""
    alpha, n, value, limit = 0.01, 400, 0.83, 0.85
    interval = (0.79, 0.87)  # upper half-width 0.04, on the limit's side
    d = decide(value, interval, limit, n, alpha=alpha)
    se = 0.04 / stats.norm.ppf(1 - alpha)
    power_at_mde = stats.norm.sf(stats.norm.ppf(1 - alpha) - d.detectable_difference / se)
    assert power_at_mde == pytest.approx(0.8, abs=1e-9)
    # at the rows needed, a true gap of |value - limit| is detected with (just over) 80% power; one row fewer, less
    assert d.rows_needed is not None and d.rows_needed > n

    def power(rows: int) -> float:
        return float(stats.norm.sf(stats.norm.ppf(1 - alpha) - abs(value - limit) / (se * math.sqrt(n / rows))))

    assert power(d.rows_needed) >= 0.8 > power(d.rows_needed - 1)


def test_a_value_on_its_limit_needs_no_particular_number_of_rows() -> None:
    d = decide(0.85, (0.80, 0.90), 0.85, 100, alpha=0.01)
    assert d.rows_needed is None and d.detectable_difference > 0
    with pytest.raises(StatsError, match="does not contain the value"):
        decide(0.95, (0.80, 0.90), 0.85, 100, alpha=0.01)


def test_an_inconclusive_message_says_what_would_decide_it() -> None:
    result = threshold_result("model_validation", "metrics", "roc_auc", 0.83, minimum=0.85, interval=(0.79, 0.87),
                              n=400, confidence=0.98)
    assert result.status == "inconclusive"
    assert "inconclusive: the interval reaches across the limit 0.85, so the data cannot tell yet" in result.message
    assert "smallest difference from the limit the check can detect is" in result.message
    assert f"roughly {result.details['decide']['rows_needed']:,} rows would decide the current value" in result.message
    assert result.details["decide"]["alpha"] == 0.01


# --- every gate with a limit uses it -------------------------------------------------------------------------------


def _scores(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, np.clip(0.3 * y + 0.7 * rng.random(n), 0.001, 0.999)


def test_metrics_slices_and_calibration_can_be_inconclusive() -> None:
    from sklearn.metrics import roc_auc_score

    y, score = _scores()
    gate = quiet(ModelGate, settings=QUICK)
    auc = roc_auc_score(y, score)
    [metric] = gate.metrics(y=y, y_score=score, min={"roc_auc": auc + 0.01})
    assert metric.status == "inconclusive" and metric.details["decide"]["rows_needed"] > 300
    by = np.arange(300) % 2
    slices = gate.slices(None, None, y, by=by, metric="roc_auc", min=auc + 0.01, y_score=score)
    assert {r.status for r in slices} == {"inconclusive"}
    ece, _ = gate.calibration(y=y, y_score=score, max_ece=0.12)
    assert ece.interval is not None and ece.interval[0] < 0.12 < ece.interval[1]
    assert ece.status == "inconclusive"


def test_compare_and_compare_models_can_be_inconclusive(tmp_path: object) -> None:
    y, score = _scores(400)
    rng = np.random.default_rng(1)
    other = np.clip(score + rng.normal(0, 0.05, y.size), 0.001, 0.999)
    settings = GateSettings(n_resamples=200, baseline_dir=tmp_path)  # type: ignore[arg-type]
    writer = quiet(BaselineGate, settings=GateSettings(n_resamples=200, baseline_dir=tmp_path,  # type: ignore[arg-type]
                                                       update_baselines=True), key="t.py::test_x")
    writer.compare(y=y, y_score=score, metrics="roc_auc")
    [compared] = quiet(BaselineGate, settings=settings, key="t.py::test_x").compare(
        y=y, y_score=other, metrics="roc_auc", max_drop=0.01)
    assert compared.status == "inconclusive" and "decide" in compared.details

    class Fixed:
        def __init__(self, p: np.ndarray) -> None:
            self.p = p
            self.classes_ = np.array([0, 1])

        def predict_proba(self, X: object) -> np.ndarray:
            return np.c_[1 - self.p, self.p]

        def predict(self, X: object) -> np.ndarray:
            return (self.p > 0.5).astype(int)

    X = np.zeros((y.size, 1))
    [models] = quiet(BaselineGate, settings=settings).compare_models(Fixed(score), Fixed(other), X, y,
                                                                     metric="roc_auc", margin=0.005)
    assert models.status == "inconclusive" and models.details["decide"]["limit"] == -0.005


def test_fairness_limits_can_be_inconclusive() -> None:
    rng = np.random.default_rng(3)
    group = np.where(rng.random(400) < 0.5, "a", "b")
    pred = (rng.random(400) < np.where(group == "a", 0.5, 0.42)).astype(int)
    y = rng.integers(0, 2, 400)
    [result] = quiet(FairnessGate, settings=QUICK).check(y=y, y_pred=pred, sensitive_features=group,
                                                         max_difference={"demographic_parity": 0.1})
    assert result.interval is not None and result.interval[0] < 0.1 < result.interval[1]
    assert result.status == "inconclusive" and result.details["decide"]["limit"] == 0.1


def test_the_policy_must_be_one_of_three() -> None:
    with pytest.raises(GateError, match="inconclusive must be one of 'pass', 'warn', 'fail'"):
        GateSettings(inconclusive="maybe")  # type: ignore[arg-type]


# --- through pytest: every report, and the setting -------------------------------------------------------------------

SUITE = """
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

rng = np.random.default_rng(0)
y = rng.integers(0, 2, 300)
score = np.clip(0.3 * y + 0.7 * rng.random(300), 0.001, 0.999)
LIMIT = roc_auc_score(y, score) + 0.01

def test_borderline(model_gate):
    model_gate.metrics(y=y, y_score=score, min={"roc_auc": LIMIT})

@pytest.mark.model_validation(inconclusive="fail")
def test_must_show_it(model_gate):
    model_gate.metrics(y=y, y_score=score, min={"roc_auc": LIMIT})
"""


def test_an_inconclusive_row_in_every_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200", "--mlgate-report=r.json",
                                "--mlgate-markdown=r.md", "--mlgate-html=r.html", "--junitxml=j.xml")
    result.assert_outcomes(passed=1, failed=1)  # the default lets it pass; the marker makes it a failure
    report = json.loads((pytester.path / "r.json").read_text())
    rows = {r["node_id"].split("::")[1]: r for r in report["results"]}
    row = rows["test_borderline"]
    assert row["status"] == "inconclusive" and rows["test_must_show_it"]["status"] == "fail"
    assert report["summary"]["inconclusive"] == 1 and report["summary"]["fail"] == 1
    needed = row["details"]["decide"]["rows_needed"]
    assert needed > 300 and row["details"]["decide"]["detectable_difference"] > 0
    assert "inconclusive='fail' makes that a failure" in rows["test_must_show_it"]["message"]
    # terminal: the row is listed by default, with what would decide it
    result.stdout.fnmatch_lines([
        "*model_validation.metrics*roc_auc*INCONCLUSIVE*",
        f"inconclusive: test_suite.py::test_borderline model_validation.metrics roc_auc: detects a difference of "
        f"* from the limit (80% power); ~{needed:,} rows would decide",
        "mlgate: 2 gate result(s): 1 inconclusive, 1 fail",
    ])
    markdown = (pytester.path / "r.md").read_text()
    assert "*inconclusive*: detects a difference of" in markdown and f"~{needed:,} rows would decide" in markdown
    assert "### Inconclusive: the data cannot tell yet" in markdown
    cases = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
             for case in ET.parse(pytester.path / "j.xml").getroot().iter("testcase")}
    key = "mlgate.model_validation.metrics.roc_auc"
    border, failed = cases["test_borderline"], cases["test_must_show_it"]
    assert border[f"{key}.verdict"] == "inconclusive" and failed[f"{key}.verdict"] == "fail"
    assert border[f"{key}.rows_needed"] == repr(needed) and float(border[f"{key}.detectable_difference"]) > 0
    # a row the policy failed still says what would decide it
    assert failed[f"{key}.rows_needed"] == repr(rows["test_must_show_it"]["details"]["decide"]["rows_needed"])
    assert report["settings"]["inconclusive"] == "pass" and "inconclusive = pass" in markdown
    html = (pytester.path / "r.html").read_text()
    assert '<span class="verdict inconclusive">INCONCLUSIVE</span>' in html
    assert "To decide: detects a difference of" in html and f"~{needed:,} rows would decide" in html
    assert 'id="show-inconclusive"' in html


def test_the_ini_key_and_the_marker_set_what_inconclusive_does(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeini("[pytest]\nmlgate_inconclusive = fail\nfilterwarnings = error\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["mlgate: seed=0 alpha=0.01 resamples=200 inconclusive=fail baselines=*"])
    # warn: a warning, let through filterwarnings = error as advisory gates are; the row stays inconclusive
    pytester.makeini("[pytest]\nmlgate_inconclusive = warn\nfilterwarnings = error\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200", "-k", "borderline")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*MLGateWarning: model_validation.metrics roc_auc*inconclusive*",
                                 "mlgate: 1 gate result(s): 1 inconclusive"])


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("ini", "*ini key mlgate_inconclusive must be 'pass', 'warn' or 'fail', got 'sometimes'"),
        ("marker", "*model_validation on test_bad.py::test_x: inconclusive must be 'pass', 'warn' or 'fail', "
                   "got 'sometimes'"),
    ],
)
def test_a_bad_inconclusive_setting_is_a_usage_error(pytester: pytest.Pytester, where: str, expected: str) -> None:
    if where == "ini":
        pytester.makeini("[pytest]\nmlgate_inconclusive = sometimes\n")
        pytester.makepyfile(test_bad="def test_x():\n    pass\n")
    else:
        pytester.makepyfile(test_bad="import pytest\n\n@pytest.mark.model_validation(inconclusive='sometimes')\n"
                                     "def test_x():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([expected])
