"""model_gate.metrics(data=table, ...): count metrics equal scikit-learn's exactly on every engine, ROC AUC and
average precision from score histograms hold scikit-learn's value inside the reported bound (and equal it when the
bins settle every pair), intervals agree with the in-memory gate's, bad input is a clear error."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from pytest_mlgate.engines import table_for
from pytest_mlgate.gates import table_metrics
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError

from quiet import quiet  # isort: skip

duckdb = pytest.importorskip("duckdb", reason="the DuckDB engine is an extra: pip install 'pytest-mlgate[duckdb]'")
pl = pytest.importorskip("polars", reason="the polars engine is an extra: pip install 'pytest-mlgate[polars]'")
pa = pytest.importorskip("pyarrow", reason="pyarrow Tables are read through polars: pip install pyarrow")

ENGINES = ["pandas", "duckdb", "parquet", "polars", "pyarrow"]
COUNTED = {"accuracy": skm.accuracy_score, "balanced_accuracy": skm.balanced_accuracy_score,
           "precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}


def logs(n: int = 20_000, seed: int = 0, labels: tuple[Any, Any] = (0, 1)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.3 * y)))
    return pd.DataFrame({"label": np.asarray(labels, dtype=object if isinstance(labels[0], str) else None)[y],
                         "pred": np.asarray(labels, dtype=object if isinstance(labels[0], str) else None)[
                             (score > 0.55).astype(int)],
                         "score": score, "coarse": np.round(score, 2)})


def as_engine(frame: pd.DataFrame, engine: str, tmp_path: Any) -> Any:
    if engine == "pandas":
        return frame
    if engine == "duckdb":
        return duckdb.from_df(frame)
    if engine == "parquet":
        frame.to_parquet(tmp_path / "logs.parquet")
        return str(tmp_path / "logs.parquet")
    if engine == "polars":
        return pl.from_pandas(frame).lazy()
    return pa.Table.from_pandas(frame, preserve_index=False)


@pytest.mark.parametrize("engine", ENGINES)
def test_metrics_from_a_table_equal_scikit_learn(engine: str, tmp_path: Any) -> None:
    frame = logs()
    data = as_engine(frame, engine, tmp_path)
    limits = {**dict.fromkeys(COUNTED, 0.5), "selection_rate": 0.0, "roc_auc": 0.5, "average_precision": 0.5}
    got = {r.subject: r for r in quiet(ModelGate).metrics(data=data, y="label", y_pred="pred", y_score="score",
                                                         min=limits)}
    y, pred, score = frame["label"], frame["pred"], frame["score"]
    for name, fn in COUNTED.items():
        assert got[name].value == pytest.approx(fn(y, pred), abs=1e-15), name
        assert got[name].details["exact"] is True
    assert got["selection_rate"].value == pytest.approx(float(np.mean(pred == 1)), abs=1e-15)
    for name, fn in (("roc_auc", skm.roc_auc_score), ("average_precision", skm.average_precision_score)):
        lower, upper = got[name].details["bound"]
        exact = fn(y, score)
        assert lower <= exact <= upper and upper - lower < 5e-4, name
        assert got[name].value == pytest.approx(exact, abs=upper - lower)
        assert got[name].interval[0] <= lower and got[name].interval[1] >= upper  # widened by the bound
    # the same numbers on every engine: the counts are the same
    reference = quiet(ModelGate).metrics(data=frame, y="label", y_pred="pred", y_score="score", min=limits)
    assert [(r.subject, r.value, r.interval) for r in reference] == [(r.subject, r.value, r.interval)
                                                                     for r in got.values()]


def test_discrete_scores_give_the_exact_values() -> None:
    frame = logs(seed=1)
    got = quiet(ModelGate).metrics(data=duckdb.from_df(frame), y="label", y_score="coarse",
                                   min={"roc_auc": 0.5, "average_precision": 0.5})
    assert got[0].value == pytest.approx(skm.roc_auc_score(frame["label"], frame["coarse"]), abs=1e-12)
    assert got[1].value == pytest.approx(skm.average_precision_score(frame["label"], frame["coarse"]), abs=1e-12)
    assert all(r.details["exact"] and r.details["binning_error"] == 0 for r in got)


@pytest.mark.parametrize("bins", [3, 20, 200])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_bound_holds_the_exact_value_however_coarse_the_bins(bins: int, seed: int,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Few bins make the bound wide; it must hold scikit-learn's value all the same (ties, separated bins and
    one-class bins included)."""
    rng = np.random.default_rng(seed)
    n = 3_000
    y = rng.integers(0, 2, n)
    score = np.concatenate([rng.normal(size=n // 2) + y[: n // 2],
                            np.round(rng.random(n - n // 2), 1) + 0.3 * y[n // 2:]])
    score[:50] = 5.0 + y[:50] * rng.random(50)  # a top bin holding mostly positives
    frame = pd.DataFrame({"label": y, "score": score})
    monkeypatch.setattr(table_metrics, "SCORE_BINS", bins)
    hist = table_metrics._histogram(table_for(frame, "data"), "label", "score", None)
    for name, fn in (("roc_auc", skm.roc_auc_score), ("average_precision", skm.average_precision_score)):
        got = table_metrics.RANKED[name](hist["pos"], hist["neg"], hist["order"])
        assert float(got.lower) - 1e-12 <= fn(y, score) <= float(got.upper) + 1e-12, name
        assert float(got.lower) <= float(got.value) <= float(got.upper)


def test_intervals_agree_with_the_in_memory_gate() -> None:
    frame = logs(seed=3)
    limits = {"accuracy": 0.5, "f1": 0.5, "roc_auc": 0.5}
    memory = quiet(ModelGate).metrics(None, None, frame["label"], y_pred=frame["pred"], y_score=frame["score"],
                                      min=limits)
    table = quiet(ModelGate).metrics(data=duckdb.from_df(frame), y="label", y_pred="pred", y_score="score",
                                     min=limits)
    for m, t in zip(memory, table, strict=True):
        assert m.subject == t.subject and t.value == pytest.approx(m.value, abs=2e-4)
        # the same bootstrap distribution (cells drawn multinomially = rows drawn with replacement), other draws
        assert t.interval[0] == pytest.approx(m.interval[0], abs=3e-3)
        assert t.interval[1] == pytest.approx(m.interval[1], abs=3e-3)


def test_a_metric_below_its_limit_fails_and_names_the_engine_and_the_positive_class() -> None:
    frame = logs(labels=("no", "yes"))
    results = ModelGate(raises=False).metrics(data=duckdb.from_df(frame), y="label", y_pred="pred",
                                              y_score="score", pos_label="yes", min={"recall": 0.99, "roc_auc": 0.5})
    assert [r.status for r in results] == ["fail", "pass"]
    assert results[0].value == pytest.approx(skm.recall_score(frame["label"], frame["pred"], pos_label="yes"))
    assert "Computed in DuckDB, exact, from the GROUP BY counts; positive class 'yes'" in results[0].message
    with pytest.raises(GateError, match="positive class is ambiguous"):
        quiet(ModelGate).metrics(data=duckdb.from_df(frame), y="label", y_pred="pred", min={"recall": 0.5})


def test_bad_table_metrics_inputs_are_clear_errors() -> None:
    frame = logs(200)
    rel = duckdb.from_df(frame)
    gate = quiet(ModelGate)
    with pytest.raises(GateError, match="'log_loss' cannot be computed from an engine table"):
        gate.metrics(data=rel, y="label", y_score="score", min={"log_loss": 0.5})
    with pytest.raises(GateError, match="y_pred='prediction' is not a column of data"):
        gate.metrics(data=rel, y="label", y_pred="prediction", min={"accuracy": 0.5})
    with pytest.raises(GateError, match="y_score= must name a column"):
        gate.metrics(data=rel, y="label", y_pred="pred", min={"roc_auc": 0.5})
    with pytest.raises(GateError, match="must be a column name"):
        gate.metrics(data=rel, y=frame["label"], y_pred="pred", min={"accuracy": 0.5})
    with pytest.raises(GateError, match="model, X and sample_weight are not accepted"):
        gate.metrics(object(), data=rel, y="label", y_pred="pred", min={"accuracy": 0.5})
    with pytest.raises(GateError, match="'label' has 1 missing value"):
        gate.metrics(data=duckdb.from_df(frame.assign(label=frame["label"].astype(float).where(frame.index != 3))),
                     y="label", y_pred="pred", min={"accuracy": 0.5})
    with pytest.raises(GateError, match="'score' has 1 missing"):
        gate.metrics(data=duckdb.from_df(frame.assign(score=frame["score"].where(frame.index != 3))),
                     y="label", y_score="score", min={"roc_auc": 0.5})
    with pytest.raises(GateError, match="need binary labels"):
        gate.metrics(data=duckdb.from_df(frame.assign(pred=2 * frame["pred"])), y="label", y_pred="pred",
                     min={"accuracy": 0.5})
    with pytest.raises(GateError, match="data is empty"):
        gate.metrics(data=duckdb.from_df(frame.iloc[:0]), y="label", y_pred="pred", min={"accuracy": 0.5})


def test_metrics_on_parquet_through_pytest(pytester: pytest.Pytester, tmp_path: Any) -> None:
    logs(5_000).to_parquet(tmp_path / "logs.parquet")
    pytester.makepyfile(textwrap.dedent(f"""
        def test_production_month(model_gate):
            model_gate.metrics(data={str(tmp_path / "*.parquet")!r}, y="label", y_pred="pred", y_score="score",
                               min={{"roc_auc": 0.75, "recall": 0.95}})
    """))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*metrics recall = 0.* required >= 0.95*", "*Computed in DuckDB, exact*"])
