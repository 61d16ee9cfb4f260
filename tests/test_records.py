"""The typed contract between gates and reports: frozen results, one record per kind of detail, and the JSON that
carries them across xdist and into the report."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate import records
from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.gates.data import DataGate
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateResult
from tests.quiet import quiet

QUICK = GateSettings(n_resamples=100)


def _every_kind() -> list[GateResult]:
    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    score = np.clip(0.3 * y + 0.7 * rng.random(n), 0.001, 0.999)
    group = rng.choice(["a", "b"], n)
    reference = pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(list("pq"), n)})
    current = pd.DataFrame({"x": rng.normal(0.5, size=n), "c": rng.choice(list("pqr"), n)})
    out = quiet(DataGate, settings=QUICK).drift(reference, current)
    out += quiet(ModelGate, settings=QUICK).calibration(y=y, y_score=score, max_ece=0.5)
    out += quiet(FairnessGate, settings=QUICK).check(y=y, y_pred=(score > 0.5).astype(int), sensitive_features=group,
                                                      max_difference={"demographic_parity": 0.5})
    return out


def test_each_gate_writes_its_kind_of_record() -> None:
    kinds = {(r.check, r.subject): type(r.record) for r in _every_kind()}
    assert kinds[("drift", "dataset")] is records.DriftOverview
    assert kinds[("drift", "x")] is kinds[("drift", "c")] is records.DriftColumn
    assert kinds[("calibration", "ece")] is records.ReliabilityTable
    assert kinds[("calibration", "brier")] is type(None)
    assert kinds[("check", "demographic_parity_difference")] is records.GroupTable


def test_records_are_read_by_field_and_written_under_the_documented_keys() -> None:
    results = {(r.check, r.subject): r for r in _every_kind()}
    overview = results[("drift", "dataset")]
    assert isinstance(overview.record, records.DriftOverview)
    assert [c.column for c in overview.record.columns] == [row["column"] for row in overview.details["columns"]]
    column = results[("drift", "x")].record
    assert isinstance(column, records.DriftColumn) and column.drifted and column.test == "ks"
    assert column.distribution is not None and column.distribution.edges is not None
    assert len(column.distribution.edges) == len(column.distribution.reference) + 1
    table = results[("calibration", "ece")].record
    assert isinstance(table, records.ReliabilityTable)
    assert sum(b.count for b in table.bins) == 400
    assert results[("calibration", "ece")].details["reliability"][0]["count"] == table.bins[0].count
    groups = results[("check", "demographic_parity_difference")].record
    assert isinstance(groups, records.GroupTable) and groups.metrics == ("selection_rate",)
    assert {row.group for row in groups.rows} == {"a", "b"}
    assert all(row.intervals["selection_rate"] is not None for row in groups.rows)


def test_a_result_is_frozen_and_round_trips_through_json_with_its_record() -> None:
    for result in _every_kind():
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.status = "fail"  # type: ignore[misc]
        data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
        assert data["record"] == (result.record.kind if result.record is not None else None)
        back = GateResult.from_dict(data)
        assert back.to_dict() == result.to_dict()
        assert type(back.record) is type(result.record)


def test_comparison_and_leaderboard_records(tmp_path: object) -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    a = LogisticRegression().fit(X[:200], y[:200])
    b = LogisticRegression(C=0.01).fit(X[:200], y[:200])
    [duel] = quiet(BaselineGate, settings=QUICK).compare_models(a, b, X[200:], y[200:], metric="roc_auc")
    assert isinstance(duel.record, records.Comparison) and duel.record.labels == ("champion", "challenger")
    assert duel.details["champion"]["value"] == duel.record.reference.value
    settings = GateSettings(n_resamples=100, baseline_dir=tmp_path, update_baselines=True)  # type: ignore[arg-type]
    quiet(BaselineGate, settings=settings, key="t").compare(a, X[200:], y[200:], metrics="roc_auc")
    read = dataclasses.replace(settings, update_baselines=False)
    [compared] = quiet(BaselineGate, settings=read, key="t").compare(b, X[200:], y[200:], metrics="roc_auc")
    assert isinstance(compared.record, records.Comparison) and compared.record.labels == ("baseline", "current")
    assert compared.record.current.n == 200
    [board] = quiet(BaselineGate, settings=QUICK).select({"a": a, "b": b}, X[200:], y[200:], metric="roc_auc",
                                                         champion="a")
    assert isinstance(board.record, records.Leaderboard)
    assert {e.candidate for e in board.record.entries} == {"a", "b"}
    assert GateResult.from_dict(board.to_dict()).record == board.record


def test_baseline_gate_in_a_script_writes_what_its_check_returns(tmp_path: object,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """No pytest, no hidden settings step: a folder is all a BaselineGate needs; the check makes the baseline and the
    gate object writes it."""
    from pathlib import Path

    from pytest_mlgate.gates import baseline as module

    folder = Path(str(tmp_path)) / "baselines"
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    score = np.clip(0.3 * y + 0.7 * rng.random(300), 0.001, 0.999)
    written: list[module.BaselineToWrite] = []
    real_write = module.BaselineGate.write

    def spy(self: module.BaselineGate, pending: module.BaselineToWrite) -> None:
        written.append(pending)
        real_write(self, pending)

    monkeypatch.setattr(module.BaselineGate, "write", spy)
    writer = BaselineGate(baseline_dir=folder, settings=GateSettings(n_resamples=100, update_baselines=True))
    [row] = writer.compare(y=y, y_score=score, metrics="roc_auc")
    assert row.details["baseline_written"] == str(written[0].path) and written[0].path.parent == folder
    assert written[0].baseline.metrics["roc_auc"].value == row.value
    [again] = BaselineGate(baseline_dir=folder, settings=GateSettings(n_resamples=100), raises=False).compare(
        y=y, y_score=score, metrics="roc_auc")
    assert again.value == 0 and again.status != "fail" and len(written) == 1
    with pytest.raises(module.GateError, match=r"BaselineGate\(baseline_dir=\.\.\.\)"):
        BaselineGate().compare(y=y, y_score=score, metrics="roc_auc")
