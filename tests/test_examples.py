"""The example gate suites, run as a user runs them: `python -m pytest examples` from the repository root.

As shipped every gate passes; with `--candidate=degraded` exactly the gates that should fail do, with messages a
user can act on, and no other. Each suite runs in a subprocess (its own pytest configuration, examples/pytest.ini),
once per candidate, for both examples at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

#: test -> gate rows (check, subject, status) it must show when the candidate is degraded: the rows whose verdict
#: is clear-cut (another row of the same test may fail too when its evidence is borderline, e.g. equalized odds on
#: 108 women; no row of any other test may)
DEGRADED_FAILURES: dict[str, set[tuple[str, str, str]]] = {
    "credit_scoring/test_credit_baseline.py::test_not_worse_than_the_committed_baseline": {
        ("compare", "roc_auc", "fail")},
    "credit_scoring/test_credit_baseline.py::test_challenger_not_worse_than_champion": {
        ("compare_models", "roc_auc", "fail")},
    "credit_scoring/test_credit_fairness.py::test_fair_by_sex": {
        ("check", "demographic_parity_difference", "fail")},
    "credit_scoring/test_credit_lifecycle.py::test_the_candidate_is_the_right_pick": {
        ("select", "roc_auc: champion candidate", "fail")},
    "credit_scoring/test_credit_lifecycle.py::test_relies_on_sex_at_most_a_little": {
        ("importance", "status", "fail")},
    "credit_scoring/test_credit_lifecycle.py::test_relies_on_the_features_reviewed": {
        ("importance_ranking", "roc_auc", "fail")},
    "credit_scoring/test_credit_model.py::test_discrimination_and_accuracy": {("metrics", "roc_auc", "fail")},
    "credit_scoring/test_credit_model.py::test_decisions_do_not_depend_on_sex": {
        ("invariance", "sex,status_sex", "fail")},
    "adult_income/test_income_data.py::test_scoring_extract_schema": {("validate", "adult_extract", "fail")},
    "adult_income/test_income_data.py::test_scoring_extract_matches_training_data": {
        ("drift", "dataset", "fail"), ("drift", "education_num", "fail"), ("drift", "capital_gain", "fail"),
        ("drift", "capital_loss", "fail")},
    "adult_income/test_income_lifecycle.py::test_relies_on_what_an_income_model_should": {
        ("importance", "capital_gain", "fail")},
    "adult_income/test_income_model.py::test_discrimination": {
        ("metrics", "roc_auc", "fail"), ("metrics", "balanced_accuracy", "fail")},
    "adult_income/test_income_model.py::test_probabilities_are_calibrated": {("calibration", "ece", "fail")},
    "adult_income/test_income_model.py::test_not_worse_than_the_committed_baseline": {
        ("compare", "roc_auc,log_loss", "error")},
}
#: words a user acts on, per failing test
DEGRADED_MESSAGES: dict[str, list[str]] = {
    "credit_scoring/test_credit_baseline.py::test_not_worse_than_the_committed_baseline": [
        "roc_auc dropped by", "mlgate_baselines/", "--mlgate-update-baselines"],
    "credit_scoring/test_credit_baseline.py::test_challenger_not_worse_than_champion": [
        "worse than the champion", "paired bootstrap"],
    "credit_scoring/test_credit_fairness.py::test_fair_by_sex": ["female", "male", "selection rate"],
    "credit_scoring/test_credit_lifecycle.py::test_the_candidate_is_the_right_pick": [
        "'production' beat(s) the champion", "promote 'production'"],
    "credit_scoring/test_credit_lifecycle.py::test_relies_on_sex_at_most_a_little": [
        "importance status = 0", "required >= 0.01", "budget: 5 repeat(s)"],
    "credit_scoring/test_credit_lifecycle.py::test_relies_on_the_features_reviewed": [
        "left the top 2: 'status' now 0", "wholly below the stored k-th feature 'duration'",
        "--mlgate-update-baselines"],
    "credit_scoring/test_credit_model.py::test_discrimination_and_accuracy": [
        "roc_auc", "required >= 0.8", "the whole interval misses the limit"],
    "credit_scoring/test_credit_model.py::test_decisions_do_not_depend_on_sex": [
        "model.predict changed when replacing 'sex', replacing 'status_sex'", "the model uses information it should"],
    "adult_income/test_income_data.py::test_scoring_extract_schema": ["education_num", "in_range(1, 16)"],
    "adult_income/test_income_data.py::test_scoring_extract_matches_training_data": [
        "3 of 12 columns drifted", "'education_num', 'capital_loss', 'capital_gain'"],
    "adult_income/test_income_lifecycle.py::test_relies_on_what_an_income_model_should": [
        "importance capital_gain = 0", "required >= 0.01", "budget: 5 repeat(s) on 5000 rows"],
    "adult_income/test_income_model.py::test_discrimination": ["balanced_accuracy", "required >= 0.75"],
    "adult_income/test_income_model.py::test_probabilities_are_calibrated": ["ece", "recalibrate"],
    "adult_income/test_income_model.py::test_not_worse_than_the_committed_baseline": [
        "the baseline was computed on other data"],
}


@dataclass
class Run:
    returncode: int
    stdout: str
    outcomes: dict[str, str]  # node id -> passed / failed / error / skipped
    messages: dict[str, str]  # node id -> failure text
    results: list[dict[str, Any]]  # the JSON report's rows


def start_examples(tmp_path: Path, *args: str, paths: tuple[str, ...] = ("examples",),
                   env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], Path]:
    """Start one run of the example suites in a subprocess, as a user runs them from the repository root."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("GITHUB_STEP_SUMMARY", "MLGATE_CANDIDATE", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    environ.update(env or {})
    command = [sys.executable, "-m", "pytest", *paths, "-p", "no:cacheprovider", f"--junitxml={tmp_path / 'junit.xml'}",
               f"--mlgate-report={tmp_path / 'report.json'}", *args]
    process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    return process, tmp_path


def finish_examples(started: tuple[subprocess.Popen[str], Path]) -> Run:
    process, tmp_path = started
    output, _ = process.communicate(timeout=600)
    outcomes, messages = {}, {}
    for case in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/")
        node = f"{module}.py::{case.get('name')}"
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                outcome = {"failure": "failed"}.get(tag, tag)
                messages[node] = f"{element.get('message', '')}\n{element.text or ''}"
        outcomes[node] = outcome
    results = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["results"]
    return Run(process.returncode, output, outcomes, messages, results)


def not_passing_rows(run: Run) -> dict[str, set[tuple[str, str, str]]]:
    rows: dict[str, set[tuple[str, str, str]]] = {}
    for row in run.results:
        if row["status"] in ("fail", "error"):
            rows.setdefault(row["node_id"], set()).add((row["check"], row["subject"], row["status"]))
    return rows


def snapshot() -> dict[str, str]:
    """Every file under examples/ (bytecode caches aside) with the hash of its content."""
    return {str(path.relative_to(EXAMPLES)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(EXAMPLES.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


@pytest.fixture(scope="module")
def before() -> dict[str, str]:
    return snapshot()


@pytest.fixture(scope="module")
def runs(before: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Both candidates, run at the same time (two subprocesses); "shipped" is what runs without the option."""
    started = {"shipped": start_examples(tmp_path_factory.mktemp("shipped")),
               "degraded": start_examples(tmp_path_factory.mktemp("degraded"), "--candidate=degraded")}
    return {name: finish_examples(run) for name, run in started.items()}


@pytest.fixture(scope="module")
def shipped(runs: dict[str, Run]) -> Run:
    return runs["shipped"]


@pytest.fixture(scope="module")
def degraded(runs: dict[str, Run]) -> Run:
    return runs["degraded"]


def test_as_shipped_every_gate_passes(shipped: Run) -> None:
    assert shipped.returncode == 0, shipped.stdout[-3000:]
    assert len(shipped.outcomes) >= 20
    assert set(shipped.outcomes.values()) == {"passed"}
    assert not_passing_rows(shipped) == {}
    families = {row["family"] for row in shipped.results}
    assert families == {"data_quality", "model_validation", "baseline", "fairness"}
    # the advisory demographic-parity gate of the Adult example warns and does not fail
    warned = {(row["node_id"], row["subject"]) for row in shipped.results if row["status"] == "warn"}
    assert warned == {("adult_income/test_income_fairness.py::test_selection_rate_by_sex",
                       "demographic_parity_difference")}


def test_examples_use_their_own_configuration(shipped: Run) -> None:
    assert f"rootdir: {EXAMPLES}" in shipped.stdout
    assert "configfile: pytest.ini" in shipped.stdout
    assert "mlgate examples: candidate = shipped" in shipped.stdout


def test_degraded_candidate_fails_exactly_the_expected_gates(degraded: Run) -> None:
    assert degraded.returncode == 1, degraded.stdout[-3000:]
    failing = {node for node, outcome in degraded.outcomes.items() if outcome != "passed"}
    assert failing == set(DEGRADED_FAILURES)
    assert {node: degraded.outcomes[node] for node in failing} == dict.fromkeys(failing, "failed")
    rows = not_passing_rows(degraded)
    assert set(rows) == set(DEGRADED_FAILURES)
    for node, expected in DEGRADED_FAILURES.items():
        assert expected <= rows[node], node
    assert "mlgate examples: candidate = degraded" in degraded.stdout


@pytest.mark.parametrize("node", sorted(DEGRADED_MESSAGES))
def test_degraded_failures_say_what_to_do(degraded: Run, node: str) -> None:
    message = degraded.messages[node]
    for words in DEGRADED_MESSAGES[node]:
        assert words in message, f"{words!r} not in the failure of {node}:\n{message}"


def test_the_environment_variable_is_the_same_switch(tmp_path: Path) -> None:
    node = "credit_scoring/test_credit_model.py::test_discrimination_and_accuracy"
    run = finish_examples(start_examples(tmp_path, paths=(f"examples/{node}",), env={"MLGATE_CANDIDATE": "degraded"}))
    assert run.outcomes == {node: "failed"}


def test_running_the_examples_writes_no_file(before: dict[str, str], shipped: Run, degraded: Run) -> None:
    """Neither run may touch the committed baselines or leave files behind in examples/."""
    assert snapshot() == before
