"""The Spark engine: the same summaries, verdicts and numbers as pandas and DuckDB on the same data, computed by
Spark aggregations (local mode, ``local[1]``).

pyspark runs in its own virtual environment (``.venv-spark``, made by ``.ci/run``: pyspark does not import with
pandas 3); in the main environment the Spark tests skip and only the dispatch tests run.
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate import engines
from pytest_mlgate.engines.base import summarize
from pytest_mlgate.gates import data as gate
from pytest_mlgate.gates.data import DataGate
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.results import GateError
from pytest_mlgate.stats import binned

from quiet import quiet  # isort: skip

SHIFTED = ("num1", "cat1")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="the Spark engine is an extra, tested in .venv-spark (see .ci/run)")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("mlgate-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.execution.arrow.pyspark.enabled",
                                                                       "true")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def duckdb() -> Any:
    return pytest.importorskip("duckdb", reason="the comparison engine: pip install 'pytest-mlgate[duckdb]'")


def frames(rows: int = 20_000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and current: num1 shifted by 0.3 sd, cat1 reweighted, the rest alike; NaN, ties, a boolean,
    signed zeros and missing text."""
    out = []
    for side, s in enumerate((seed, seed + 1)):
        rng = np.random.default_rng(s)
        num0 = rng.normal(size=rows)
        num0[rng.random(rows) < 0.05] = np.nan
        zeros = rng.choice([-1.0, -0.0, 0.0, 0.5], rows)
        cat0 = rng.choice(["a", "b", "c"], rows).astype(object)
        cat0[rng.random(rows) < 0.02] = None
        out.append(pd.DataFrame({
            "num0": num0,
            "num1": rng.lognormal(0, 0.5, rows) + (0.3 * 0.53 if side else 0.0),
            "int0": rng.integers(0, 7, rows),
            "zero": zeros,
            "cat0": cat0,
            "cat1": rng.choice(["a", "b", "c"], rows, p=[0.5, 0.3, 0.2] if side else [1 / 3, 1 / 3, 1 / 3]),
            "flag": rng.random(rows) < 0.3,
        }))
    return out[0], out[1]


def to_spark(spark: Any, frame: pd.DataFrame, partitions: int = 3) -> Any:
    """A Spark DataFrame of ``frame`` in several partitions (so the merges across partitions are exercised); NaN
    in a float column stays NaN (Spark keeps NaN and NULL apart; the adapter reads both as missing)."""
    return spark.createDataFrame(frame).repartition(partitions)


def drifted(results: list[Any]) -> list[str]:
    return sorted(r.subject for r in results if r.subject != "dataset" and r.status == "fail")


# --- summaries ------------------------------------------------------------------------------------


def test_spark_computes_the_same_summaries_as_numpy_for_any_partitioning(spark: Any) -> None:
    reference, _ = frames(10_000)
    columns = list(reference.columns)
    expected = summarize(engines.table_for(reference, "reference"), columns)
    for partitions in (1, 5):
        table = engines.table_for(to_spark(spark, reference, partitions), "reference")
        assert table.engine == "Spark"
        got = summarize(table, columns)
        for column in columns:
            e, g = expected[column], got[column]
            if isinstance(e, binned.BinnedNumeric):
                assert isinstance(g, binned.BinnedNumeric)
                assert np.array_equal(e.edges, g.edges) and np.array_equal(e.counts, g.counts), column
                assert (e.n_missing, e.minimum, e.maximum) == (g.n_missing, g.minimum, g.maximum)
                assert g.mean == pytest.approx(e.mean, rel=1e-12, abs=1e-15)
                assert g.m2 == pytest.approx(e.m2, rel=1e-9)
                assert g.low_sum == pytest.approx(e.low_sum, rel=1e-12)
                assert g.high_sum == pytest.approx(e.high_sum, rel=1e-12)
            else:
                assert e == g, column


# --- drift ----------------------------------------------------------------------------------------


def test_same_drift_verdicts_and_numbers_as_duckdb_and_the_exact_gate(spark: Any, duckdb: Any) -> None:
    reference, current = frames()
    exact = quiet(DataGate).drift(reference, current)
    on_duckdb = quiet(DataGate).drift(duckdb.from_df(reference), duckdb.from_df(current))
    on_spark = quiet(DataGate).drift(to_spark(spark, reference), to_spark(spark, current))
    assert drifted(exact) == drifted(on_duckdb) == drifted(on_spark) == sorted(SHIFTED)
    assert [(r.subject, r.status) for r in on_spark] == [(r.subject, r.status) for r in on_duckdb]
    exact_rows = {r["column"]: r for r in exact[0].details["columns"]}
    duck_rows = {r["column"]: r for r in on_duckdb[0].details["columns"]}
    for row in on_spark[0].details["columns"]:
        duck, match = duck_rows[row["column"]], exact_rows[row["column"]]
        assert row["test"] == duck["test"]
        for key in ("statistic", "statistic_upper", "p_value", "effect_size", "psi", "missing_current"):
            if duck.get(key) is None:
                assert row.get(key) is None
            else:
                assert row[key] == pytest.approx(duck[key], rel=1e-9, abs=1e-12), (row["column"], key)
        if row["test"] == "ks":  # the exact D inside the binned bound
            assert row["statistic"] <= match["statistic"] + 1e-12 <= row["statistic_upper"] + 2e-12
            assert row["distribution"] == duck["distribution"]
        assert row["missing_current"] == match["missing_current"]


def test_a_spark_profile_is_the_duckdb_profile_and_gates_a_spark_table(spark: Any, duckdb: Any) -> None:
    reference, current = frames(5_000)
    from_spark = json.loads(json.dumps(gate.make_profile(to_spark(spark, reference))))
    from_duckdb = json.loads(json.dumps(gate.make_profile(duckdb.from_df(reference))))
    assert from_spark["version"] == 2
    for s, d in zip(from_spark["columns"], from_duckdb["columns"], strict=True):
        assert (s["name"], s["kind"]) == (d["name"], d["kind"])
        if s["kind"] == "categorical":
            assert s == {**d, "dtype": s["dtype"]}
        else:
            assert (s["edges"], s["counts"], s["n_missing"], s["min"], s["max"]) == (
                d["edges"], d["counts"], d["n_missing"], d["min"], d["max"])
    results = quiet(DataGate).drift(from_spark, to_spark(spark, current))
    assert drifted(results) == sorted(SHIFTED)


# --- integrity ------------------------------------------------------------------------------------


def test_integrity_checks_on_spark_match_pandas(spark: Any) -> None:
    reference, current = frames(2_000)
    train = pd.concat([reference, reference.iloc[:40]], ignore_index=True)
    # the same rows with -0.0 for 0.0 and the other way round: equal rows, as pandas' hashing has them
    flipped = reference.iloc[40:70].assign(zero=lambda f: np.where(f["zero"] == 0, -f["zero"], f["zero"]))
    train = pd.concat([train, flipped], ignore_index=True)
    test = pd.concat([current.iloc[:500], reference.iloc[:25], flipped.iloc[:5]], ignore_index=True)
    spark_train, spark_test = to_spark(spark, train), to_spark(spark, test)
    for check, args, spark_args, kwargs in [
        (quiet(DataGate).missing, (train,), (spark_train,), {"max_fraction": 0.01}),
        (quiet(DataGate).duplicates, (train,), (spark_train,), {}),
        (quiet(DataGate).duplicates, (train,), (spark_train,), {"subset": ["cat0", "zero"], "max_fraction": 0.5}),
        (quiet(DataGate).duplicates, (train,), (spark_train,), {"subset": ["num0", "cat0"], "max_fraction": 0.5}),
        (quiet(DataGate).leakage, (train, test), (spark_train, spark_test), {}),
        (quiet(DataGate).leakage, (train, test), (spark_train, spark_test), {"on": ["zero", "cat0"],
                                                                            "max_fraction": 1.0}),
    ]:
        expected, got = check(*args, **kwargs), check(*spark_args, **kwargs)
        assert [(r.subject, r.status, r.value, r.n) for r in got] == [(r.subject, r.status, r.value, r.n)
                                                                      for r in expected], (check, kwargs)
        assert [r.details.get("leaked", r.details.get("duplicates")) for r in got] == [
            r.details.get("leaked", r.details.get("duplicates")) for r in expected]
    assert quiet(DataGate).duplicates(spark_train)[0].details["duplicates"] == 70  # 40 copies and 30 flipped zeros
    for column, min_fraction in [("cat1", 0.34), ("int0", 0.1), ("flag", 0.2)]:
        expected = quiet(DataGate).label_balance(train[column], min_fraction=min_fraction)
        got = quiet(DataGate).label_balance(spark_train, column=column, min_fraction=min_fraction)
        assert (got[0].status, got[0].value, got[0].details) == (expected[0].status, expected[0].value,
                                                                 expected[0].details)


# --- validate -------------------------------------------------------------------------------------


def test_validate_runs_panderas_pyspark_backend_and_fails_the_same_checks_as_pandas(spark: Any) -> None:
    import pandera.pandas as pdpa
    import pandera.pyspark as pspa
    import pyspark.sql.types as T

    frame = pd.DataFrame({"age": [25, -3, 40, 61, -1], "job": ["a", "b", "a", "z", "a"],
                          "income": [1.0, 2.0, 3.5, 4.0, 5.0]})
    checks = {"age": ("gt", 0), "job": ("isin", ["a", "b"]), "income": ("le", 10.0)}
    pandas_schema = pdpa.DataFrameSchema({c: pdpa.Column(checks=getattr(pdpa.Check, k)(v))
                                          for c, (k, v) in checks.items()}, name="people")
    spark_types = {"age": T.LongType(), "job": T.StringType(), "income": T.DoubleType()}
    spark_schema = pspa.DataFrameSchema({c: pspa.Column(spark_types[c], getattr(pspa.Check, k)(v))
                                         for c, (k, v) in checks.items()}, name="people")
    expected = quiet(DataGate).validate(frame, pandas_schema)[0]
    got = quiet(DataGate).validate(to_spark(spark, frame), spark_schema)[0]
    assert (got.status, got.subject, got.n) == (expected.status, expected.subject, expected.n) == ("fail", "people", 5)
    pairs = sorted((g["column"], g["check"]) for g in got.details["groups"])
    assert pairs == sorted((g["column"], g["check"]) for g in expected.details["groups"]) == [
        ("age", "greater_than(0)"), ("job", "isin(['a', 'b'])")]
    assert got.value == 2 and "the engine does not list which of the 5 rows fail" in got.message
    passing = quiet(DataGate).validate(to_spark(spark, frame.query("age > 0 and job != 'z'")), spark_schema)[0]
    assert passing.status == "pass" and passing.value == 0
    wrong_type = pspa.DataFrameSchema({"age": pspa.Column(T.StringType())})
    assert quiet(DataGate).validate(to_spark(spark, frame), wrong_type)[0].details["groups"][0]["column"] == "age"
    with pytest.raises(GateError, match=r"Spark DataFrame but the schema is a pandas schema.*pandera\.pyspark"):
        quiet(DataGate).validate(to_spark(spark, frame), pandas_schema)


# --- fairness -------------------------------------------------------------------------------------


def test_fairness_from_spark_counts_equals_the_in_memory_gate_bitwise(spark: Any) -> None:
    rng = np.random.default_rng(5)
    n = 30_000
    frame = pd.DataFrame({"sex": rng.choice(["f", "m"], n), "race": rng.choice(["x", "y", "z"], n),
                          "label": rng.integers(0, 2, n)})
    frame["pred"] = np.where(rng.random(n) < np.where(frame["sex"] == "f", 0.9, 0.7), frame["label"],
                             1 - frame["label"])
    limits: dict[str, Any] = {"max_difference": {"demographic_parity": 0.1, "equalized_odds": 0.1},
                              "min_ratio": {"accuracy": 0.9}}
    expected = quiet(FairnessGate).check(None, frame, frame["label"], y_pred=frame["pred"],
                                         sensitive_features=["sex", "race"], **limits)
    got = quiet(FairnessGate).check(data=to_spark(spark, frame), y="label", y_pred="pred",
                                    sensitive_features=["sex", "race"], **limits)
    assert [r.status for r in expected] == ["pass", "fail", "fail"]
    for e, g in zip(expected, got, strict=True):
        assert (g.status, g.value, g.interval, g.message) == (e.status, e.value, e.interval, e.message)
        assert g.details == e.details
    one = quiet(FairnessGate).check(data=to_spark(spark, frame), y="label", y_pred="pred", sensitive_features="sex",
                                    max_difference={"demographic_parity": 0.05})
    assert one[0].value == quiet(FairnessGate).check(None, frame, frame["label"], y_pred=frame["pred"],
                                                     sensitive_features=frame["sex"],
                                                     max_difference={"demographic_parity": 0.05})[0].value


def test_model_metrics_from_a_spark_table_equal_the_pandas_tables(spark: Any) -> None:
    """The same confusion counts and score histogram from Spark's groupBy as from pandas: the same values, bounds
    and intervals, ROC AUC and average precision included."""
    from sklearn.metrics import roc_auc_score

    from pytest_mlgate.gates.model import ModelGate

    rng = np.random.default_rng(6)
    n = 20_000
    y = rng.integers(0, 2, n)
    score = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.3 * y)))
    frame = pd.DataFrame({"label": y, "pred": (score > 0.55).astype(int), "score": score})
    limits = {"accuracy": 0.5, "f1": 0.5, "roc_auc": 0.5, "average_precision": 0.5}
    expected = quiet(ModelGate).metrics(data=frame, y="label", y_pred="pred", y_score="score", min=limits)
    got = quiet(ModelGate).metrics(data=to_spark(spark, frame), y="label", y_pred="pred", y_score="score",
                                   min=limits)
    def same(r: Any) -> tuple[Any, ...]:
        return r.subject, r.value, r.interval, {k: v for k, v in r.details.items() if k != "engine"}

    assert [same(r) for r in got] == [same(r) for r in expected]
    assert {r.details["engine"] for r in got} == {"Spark"}
    lower, upper = next(r for r in got if r.subject == "roc_auc").details["bound"]
    assert lower <= roc_auc_score(y, score) <= upper


# --- through pytest -------------------------------------------------------------------------------


def test_a_spark_gate_through_pytest(spark: Any, pytester: pytest.Pytester) -> None:
    reference, current = frames(3_000)
    reference.to_parquet(pytester.path / "reference.parquet")
    current.to_parquet(pytester.path / "current.parquet")
    pytester.makepyfile(textwrap.dedent("""
        import pathlib

        import pytest
        from pyspark.sql import SparkSession

        DIR = pathlib.Path(__file__).parent  # Spark reads relative paths from its own working directory

        @pytest.fixture(scope="module")
        def spark():
            return SparkSession.builder.master("local[1]").getOrCreate()

        def test_drift(data_gate, spark):
            reference, current = (spark.read.parquet(str(DIR / f"{side}.parquet")) for side in ("reference", "current"))
            data_gate.drift(reference, current)

        def test_integrity(data_gate, fairness_gate, spark):
            current = spark.read.parquet(str(DIR / "current.parquet"))
            data_gate.missing(current, columns=["num1", "cat1"])
            data_gate.duplicates(current, subset=["num1"])
            data_gate.label_balance(current, column="flag", min_fraction=0.2)
    """))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*2 of 7 columns drifted*", "*KS D in [[]*binned; p from the lower bound*"])


# --- bad input and dispatch -----------------------------------------------------------------------


def test_bad_spark_inputs_are_clear_errors(spark: Any, duckdb: Any) -> None:
    reference, current = frames(500)
    with pytest.raises(GateError, match="missing from current: 'flag'"):
        quiet(DataGate).drift(to_spark(spark, reference), to_spark(spark, current.drop(columns="flag")))
    with pytest.raises(GateError, match="current is empty"):
        quiet(DataGate).drift(gate.make_profile(reference, bins=100), to_spark(spark, current).limit(0))
    with pytest.raises(GateError, match=r"'when' of current has type (timestamp|date).*cast it"):
        quiet(DataGate).drift(to_spark(spark, reference), to_spark(spark, current).selectExpr(
            "*", "current_timestamp() AS when"), columns=["num0", "when"])
    with pytest.raises(GateError, match="infinite"):
        quiet(DataGate).drift(gate.make_profile(reference, bins=100), to_spark(spark, current.assign(num0=np.inf)))
    with pytest.raises(GateError, match="train is a Spark table and test a DuckDB one"):
        quiet(DataGate).leakage(to_spark(spark, reference), duckdb.from_df(current))
    with pytest.raises(GateError, match=r"column\(s\) 'nope' not in data"):
        quiet(FairnessGate).check(data=to_spark(spark, current), y="flag", y_pred="nope", sensitive_features="cat1",
                                  max_difference={"demographic_parity": 0.1})


class DataFrame:  # a stand-in with a Spark DataFrame's type name and module, for the dispatch without pyspark
    __module__ = "pyspark.sql.classic.dataframe"


def test_a_spark_dataframe_is_told_by_its_type_without_importing_pyspark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    assert engines.is_engine_table(DataFrame())
    with pytest.raises(GateError, match=r"pyspark is not installed: install it with pip install "
                                        r"'pytest-mlgate\[spark\]'"):
        quiet(DataGate).missing(DataFrame())
