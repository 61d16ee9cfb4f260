"""Scale-out: binned summaries agree with the exact statistics, every engine gives the same summaries and verdicts,
fairness from engine counts equals the in-memory gate, and bad input is a clear error."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pytest_mlgate.engines import table_for
from pytest_mlgate.engines.base import summarize
from pytest_mlgate.gates import data as gate
from pytest_mlgate.gates.data import DataGate
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.results import GateError
from pytest_mlgate.stats import binned
from pytest_mlgate.stats import drift as exact

from quiet import quiet  # isort: skip

duckdb = pytest.importorskip("duckdb", reason="the DuckDB engine is an extra: pip install 'pytest-mlgate[duckdb]'")
pl = pytest.importorskip("polars", reason="the polars engine is an extra: pip install 'pytest-mlgate[polars]'")
pa = pytest.importorskip("pyarrow", reason="pyarrow Tables are read through polars: pip install pyarrow")

SHIFTED = ("num1", "cat1")


def frames(rows: int = 20_000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and current: num1 shifted by 0.3 sd, cat1 reweighted, the rest the same distribution; missing
    values, integers with ties, a boolean."""
    out = []
    for side, s in enumerate((seed, seed + 1)):
        rng = np.random.default_rng(s)
        num0 = rng.normal(size=rows)
        num0[rng.random(rows) < 0.05] = np.nan
        frame = pd.DataFrame({
            "num0": num0,
            "num1": rng.lognormal(0, 0.5, rows) + (0.3 * 0.53 if side else 0.0),
            "int0": rng.integers(0, 7, rows),
            "cat0": rng.choice(["a", "b", "c"], rows),
            "cat1": rng.choice(["a", "b", "c"], rows, p=[0.5, 0.3, 0.2] if side else [1 / 3, 1 / 3, 1 / 3]),
            "flag": rng.random(rows) < 0.3,
        })
        out.append(frame)
    return out[0], out[1]


ENGINES = ["pandas", "duckdb", "polars", "pyarrow"]


def as_engine(frame: pd.DataFrame, engine: str, tmp_path: Any = None, name: str = "table") -> Any:
    if engine == "pandas":
        return frame
    if engine == "parquet":
        path = tmp_path / f"{name}.parquet"
        frame.to_parquet(path)
        return str(path)
    if engine == "duckdb":
        return duckdb.from_df(frame)
    if engine == "polars":
        return pl.from_pandas(frame).lazy()
    if engine == "pyarrow":
        return pa.Table.from_pandas(frame, preserve_index=False)
    raise AssertionError(engine)


def drifted(results: list[Any]) -> list[str]:
    return sorted(r.subject for r in results if r.subject != "dataset" and r.status == "fail")


# --- statistics -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [500, 20_000, 300_000])
def test_binned_ks_bounds_hold_the_exact_statistic_and_psi_is_the_exact_one(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n), rng.normal(0.05 * seed, 1 + 0.05 * seed, size=n // 2 + 7)
    edges = binned.quantile_edges(np.sort(x))
    ref, cur = binned.BinnedNumeric.from_values(x, edges), binned.BinnedNumeric.from_values(y, edges)
    comparison = binned.compare_binned(ref, cur)
    d = sps.ks_2samp(x, y).statistic
    assert comparison.d_lower <= d <= comparison.d_upper
    assert comparison.d_upper - comparison.d_lower <= 2 / binned.BINS + 1 / ref.n
    ex = exact.compare_numeric(exact.NumericSummary.from_values(x), exact.NumericSummary.from_values(y))
    assert comparison.psi == pytest.approx(ex.psi, abs=1e-12)
    w = sps.wasserstein_distance(x, y)
    # linear inside inner bins: within a thousandth of a standard deviation, or 1% once bins hold many values
    assert comparison.wasserstein == pytest.approx(w, rel=0.05 if n < 1_000 else 0.01, abs=1e-3 * x.std())
    assert ref.std() == pytest.approx(float(np.std(x)), rel=1e-12)
    assert ref.minimum == x.min() and ref.maximum == x.max() and ref.mean == pytest.approx(x.mean(), rel=1e-12)


def test_ks_p_value_from_the_lower_bound_is_conservative() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=50_000), rng.normal(0.02, 1, size=50_000)
    edges = binned.quantile_edges(np.sort(x))
    comparison = binned.compare_binned(binned.BinnedNumeric.from_values(x, edges),
                                       binned.BinnedNumeric.from_values(y, edges))
    p_lower = exact.ks_pvalues(np.array([comparison.d_lower]), np.array([x.size]), np.array([y.size]))[0]
    assert p_lower >= sps.ks_2samp(x, y, method="asymp").pvalue


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_summaries_merge_to_the_summary_of_the_whole_for_any_partitioning(parts: int) -> None:
    rng = np.random.default_rng(parts)
    x = rng.normal(size=30_001)
    x[rng.random(x.size) < 0.01] = np.nan
    edges = binned.quantile_edges(np.sort(x[~np.isnan(x)]))
    whole = binned.BinnedNumeric.from_values(x, edges)
    cuts = np.sort(rng.choice(np.arange(1, x.size), parts - 1, replace=False))
    pieces = [binned.BinnedNumeric.from_values(p, edges) for p in np.split(x, cuts)]
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged.merge(piece)
    assert np.array_equal(merged.counts, whole.counts) and merged.n_missing == whole.n_missing
    assert (merged.minimum, merged.maximum) == (whole.minimum, whole.maximum)
    assert merged.mean == pytest.approx(whole.mean, rel=1e-12, abs=1e-15)
    assert merged.m2 == pytest.approx(whole.m2, rel=1e-12)
    assert merged.low_sum == pytest.approx(whole.low_sum, rel=1e-12)
    assert merged.high_sum == pytest.approx(whole.high_sum, rel=1e-12)


def test_few_distinct_values_get_one_bin_each_and_exact_ks() -> None:
    rng = np.random.default_rng(4)
    x = rng.integers(0, 5, 10_000).astype(float)
    y = rng.choice(5, 8_000, p=[0.1, 0.2, 0.3, 0.2, 0.2]).astype(float)  # the same values, other frequencies
    edges = binned.quantile_edges(np.sort(x))
    assert edges.tolist() == [0.0, 1.0, 2.0, 3.0]
    comparison = binned.compare_binned(binned.BinnedNumeric.from_values(x, edges),
                                       binned.BinnedNumeric.from_values(y, edges))
    assert comparison.d_lower == pytest.approx(sps.ks_2samp(x, y).statistic, abs=1e-12)


# --- engines --------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_every_engine_computes_the_same_summaries_as_numpy(engine: str) -> None:
    reference, _ = frames()
    columns = list(reference.columns)
    expected = summarize(table_for(reference, "reference"), columns)
    got = summarize(table_for(as_engine(reference, engine), "reference"), columns)
    for column in columns:
        e, g = expected[column], got[column]
        if isinstance(e, binned.BinnedNumeric):
            assert isinstance(g, binned.BinnedNumeric)
            assert np.array_equal(e.edges, g.edges) and np.array_equal(e.counts, g.counts)
            assert (e.n_missing, e.minimum, e.maximum) == (g.n_missing, g.minimum, g.maximum)
            assert g.mean == pytest.approx(e.mean, rel=1e-12) and g.m2 == pytest.approx(e.m2, rel=1e-9)
            assert g.low_sum == pytest.approx(e.low_sum, rel=1e-12) and g.high_sum == pytest.approx(e.high_sum,
                                                                                                     rel=1e-12)
        else:
            assert e == g


@pytest.mark.parametrize("engine", ENGINES)
def test_same_drift_verdicts_on_every_engine_as_the_exact_gate(engine: str) -> None:
    reference, current = frames()
    expected = quiet(DataGate).drift(reference, current)
    assert drifted(expected) == sorted(SHIFTED)
    if engine == "pandas":  # pandas against a binned profile takes the binned path
        results = quiet(DataGate).drift(gate.make_profile(reference, bins=1000), current)
    else:
        results = quiet(DataGate).drift(as_engine(reference, engine), as_engine(current, engine))
    assert drifted(results) == drifted(expected)
    exact_rows = {r["column"]: r for r in expected[0].details["columns"]}
    for row in results[0].details["columns"]:
        match = exact_rows[row["column"]]
        if row["test"] == "ks":
            assert row["statistic"] <= match["statistic"] + 1e-12 <= row["statistic_upper"] + 2e-12
            assert row["psi"] == pytest.approx(match["psi"], abs=1e-3)
        else:
            assert row["statistic"] == pytest.approx(match["statistic"], rel=1e-12)
            assert row["effect_size"] == pytest.approx(match["effect_size"], rel=1e-12)
        assert row["missing_current"] == match["missing_current"]


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_a_profile_from_one_engine_against_a_table_in_another(engine: str, tmp_path: Any) -> None:
    reference, current = frames()
    path = tmp_path / "current.parquet"
    current.to_parquet(path)
    profile = json.loads(json.dumps(gate.make_profile(as_engine(reference, engine))))
    assert profile["version"] == 2
    numeric = [c for c in profile["columns"] if c["kind"] == "numeric" and c["name"] != "int0"]
    assert all(len(json.dumps(c)) < 30_000 for c in numeric)
    results = quiet(DataGate).drift(profile, str(path))
    assert drifted(results) == sorted(SHIFTED)
    assert "binned; p from the lower bound" in results[[r.subject for r in results].index("num1")].message


def test_index_columns_pandas_wrote_to_parquet_are_not_data(tmp_path: Any) -> None:
    """``to_parquet`` of a filtered or re-indexed frame stores its index as a column (``__index_level_0__``, or the
    index's name); ``pandas.read_parquet`` reads it back as the index, and so do we: the columns are the frame's."""
    reference, current = frames()
    shuffled = current.sample(frac=1.0, random_state=0)  # an index that is not a range: pandas stores it
    shuffled.to_parquet(tmp_path / "unnamed.parquet")
    shuffled.rename_axis("row_id").to_parquet(tmp_path / "named.parquet")
    for name in ("unnamed", "named"):
        path = str(tmp_path / f"{name}.parquet")
        assert list(table_for(path, "current").kinds()) == list(current.columns)
        assert list(pd.read_parquet(path).columns) == list(current.columns)
    shuffled.iloc[:100].to_parquet(tmp_path / "unnamed-2.parquet")  # a glob whose files all list the index
    profile = gate.make_profile(reference, bins=1000)
    for path in (tmp_path / "named.parquet", tmp_path / "unnamed*.parquet"):
        assert drifted(quiet(DataGate).drift(profile, str(path))) == sorted(SHIFTED)
    current.assign(row_id=np.arange(len(current))).to_parquet(tmp_path / "kept.parquet", index=False)
    assert "row_id" in table_for(str(tmp_path / "kept.parquet"), "current").kinds()  # a column stays one


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_integrity_checks_on_engine_tables_match_the_in_memory_ones(engine: str) -> None:
    reference, current = frames(2_000)
    train = pd.concat([reference, reference.iloc[:40]], ignore_index=True)
    test = pd.concat([current.iloc[:500], reference.iloc[:25]], ignore_index=True)
    for check, args, kwargs in [
        (quiet(DataGate).missing, (train,), {"max_fraction": 0.01}),
        (quiet(DataGate).duplicates, (train,), {}),
        (quiet(DataGate).duplicates, (train,), {"subset": ["cat0", "int0"], "max_fraction": 0.5}),
        (quiet(DataGate).leakage, (train, test), {}),
    ]:
        expected = check(*args, **kwargs)
        got = check(*(as_engine(a, engine) for a in args), **kwargs)
        assert [(r.subject, r.status, r.value, r.n) for r in got] == [(r.subject, r.status, r.value, r.n)
                                                                      for r in expected]
    expected = quiet(DataGate).label_balance(train["cat1"], min_fraction=0.34)
    got = quiet(DataGate).label_balance(as_engine(train, engine), column="cat1", min_fraction=0.34)
    assert (got[0].status, got[0].value, got[0].details) == (expected[0].status, expected[0].value,
                                                             expected[0].details)


@pytest.mark.parametrize("engine", ENGINES)
def test_fairness_from_engine_counts_equals_the_in_memory_gate_bitwise(engine: str) -> None:
    rng = np.random.default_rng(5)
    n = 30_000
    frame = pd.DataFrame({"sex": rng.choice(["f", "m"], n), "race": rng.choice(["x", "y", "z"], n),
                          "label": rng.integers(0, 2, n)})
    frame["pred"] = np.where(rng.random(n) < np.where(frame["sex"] == "f", 0.9, 0.7), frame["label"],
                             1 - frame["label"])
    limits = {"max_difference": {"demographic_parity": 0.1, "equalized_odds": 0.1}, "min_ratio": {"accuracy": 0.9}}
    expected = quiet(FairnessGate).check(None, frame, frame["label"], y_pred=frame["pred"],
                                         sensitive_features=["sex", "race"], **limits)  # type: ignore[arg-type]
    got = quiet(FairnessGate).check(None, None, "label", y_pred="pred", sensitive_features=["sex", "race"],
                         data=as_engine(frame, engine), **limits)  # type: ignore[arg-type]
    assert [r.status for r in expected] == ["pass", "fail", "fail"]
    for e, g in zip(expected, got, strict=True):
        assert (g.status, g.value, g.interval, g.message) == (e.status, e.value, e.interval, e.message)
        assert g.details == e.details


ALL_ENGINES = ["pandas", "duckdb", "parquet", "polars", "pyarrow"]


def verdicts(results: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.check, r.subject, r.status, r.value, r.interval) for r in results]


@pytest.mark.parametrize("engine", ALL_ENGINES)
def test_every_check_gives_the_same_verdicts_on_every_engine(engine: str, tmp_path: Any) -> None:
    """drift, missing, duplicates, leakage, label_balance and fairness on the same rows as pandas, a DuckDB relation,
    a Parquet file, a polars LazyFrame and a pyarrow Table: the verdicts of the in-memory gate."""
    reference, current = frames(6_000, seed=7)
    train = pd.concat([reference, reference.iloc[:30]], ignore_index=True)
    test = pd.concat([current.iloc[:800], reference.iloc[:12]], ignore_index=True)
    rng = np.random.default_rng(8)
    scored = current.assign(label=rng.integers(0, 2, len(current)))
    scored["pred"] = np.where(rng.random(len(scored)) < np.where(scored["cat0"] == "a", 0.9, 0.75), scored["label"],
                              1 - scored["label"])

    def run(convert: Any) -> list[list[tuple[Any, ...]]]:
        gate, fair = quiet(DataGate), quiet(FairnessGate)
        drift = gate.drift(convert(reference, "reference"), convert(current, "current"))
        return [
            [(r.subject, r.status) for r in drift],
            verdicts(gate.missing(convert(current, "current"), max_fraction=0.04)),
            verdicts(gate.duplicates(convert(train, "train"))),
            verdicts(gate.duplicates(convert(train, "train"), subset=["cat0", "int0"], max_fraction=0.5)),
            verdicts(gate.leakage(convert(train, "train"), convert(test, "test"), max_fraction=0.01)),
            verdicts(fair.check(None, None, "label", y_pred="pred", sensitive_features="cat0",
                                data=convert(scored, "scored"),
                                max_difference={"demographic_parity": 0.05, "equalized_odds": 0.1})),
        ]

    expected = run(lambda frame, name: frame)
    expected[0] = [(r.subject, r.status) for r in quiet(DataGate).drift(reference, current)]  # the exact path
    got = run(lambda frame, name: as_engine(frame, engine, tmp_path, name))
    assert got == expected
    assert [s for _, s in expected[0]].count("fail") == 1 + len(SHIFTED)  # the dataset row and the shifted columns
    balance = (quiet(DataGate).label_balance(train["cat1"], min_fraction=0.34) if engine == "pandas" else
               quiet(DataGate).label_balance(as_engine(train, engine, tmp_path, "train"), column="cat1",
                                             min_fraction=0.34))
    assert verdicts(balance) == verdicts(quiet(DataGate).label_balance(train["cat1"], min_fraction=0.34))
    statuses = {row[2] for check in expected[1:] for row in check}
    assert {"pass", "fail"} <= statuses <= {"pass", "fail", "inconclusive"}  # they can fail here, and do


# --- through pytest -------------------------------------------------------------------------------


def test_a_parquet_on_duckdb_gate_through_pytest(pytester: pytest.Pytester, tmp_path: Any) -> None:
    reference, current = frames(5_000)
    reference.to_parquet(tmp_path / "reference.parquet")
    current.to_parquet(tmp_path / "current.parquet")
    pytester.makepyfile(textwrap.dedent(f"""
        import json
        import pytest

        DIR = {str(tmp_path)!r}

        def test_profile(data_gate):
            profile = data_gate.profile(DIR + "/reference.parquet")
            with open(DIR + "/profile.json", "w") as f:
                json.dump(profile, f)

        def test_drift(data_gate):
            with open(DIR + "/profile.json") as f:
                data_gate.drift(json.load(f), DIR + "/cur*.parquet")

        def test_integrity(data_gate):
            data_gate.missing(DIR + "/reference.parquet", columns=["num1", "cat0"])
            data_gate.duplicates(DIR + "/reference.parquet")
    """))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*2 of 6 columns drifted*", "*KS D in [[]*binned; p from the lower bound*"])


# --- bad input ------------------------------------------------------------------------------------


def test_bad_inputs_are_clear_errors(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    reference, current = frames(1_000)
    relation = duckdb.from_df(current)
    with pytest.raises(GateError, match="missing from current: 'flag'"):
        quiet(DataGate).drift(duckdb.from_df(reference), duckdb.from_df(current.drop(columns="flag")))
    profile = gate.make_profile(reference, bins=100)
    with pytest.raises(GateError, match=r"'num0' is numeric in reference .* categorical/text in current"):
        quiet(DataGate).drift(profile, duckdb.from_df(current.assign(num0=current["num0"].astype(str))))
    with pytest.raises(GateError, match=r"version 3 is not supported"):
        gate.load_profile({**profile, "version": 3})
    with pytest.raises(GateError, match="damaged"):
        quiet(DataGate).drift({**profile, "columns": [{**profile["columns"][0], "counts": "AAAA"}]}, relation)
    with pytest.raises(GateError, match="current is empty"):
        quiet(DataGate).drift(profile, duckdb.from_df(current.iloc[:0]))
    with pytest.raises(GateError, match="no file matches"):
        quiet(DataGate).drift(profile, str(tmp_path / "nothing-*.parquet"))
    with pytest.raises(GateError, match=r"exact .version-1. profile needs the current data in memory"):
        quiet(DataGate).drift(gate.make_profile(reference), relation)
    with pytest.raises(GateError, match="infinite"):
        quiet(DataGate).drift(profile, duckdb.from_df(current.assign(num0=np.inf)))
    with pytest.raises(GateError, match="train is a DuckDB table and test a polars one"):
        quiet(DataGate).leakage(relation, pl.from_pandas(current).lazy())
    with pytest.raises(GateError, match="column names"):
        quiet(FairnessGate).check(None, None, current["cat0"], y_pred="cat1", sensitive_features="cat0", data=relation,
                       max_difference={"demographic_parity": 0.1})
    current.to_parquet(tmp_path / "current.parquet")
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if not installed
    with pytest.raises(GateError, match=r"pip install 'pytest-mlgate\[duckdb\]'"):
        quiet(DataGate).drift(profile, str(tmp_path / "current.parquet"))


# --- validate -------------------------------------------------------------------------------------


def dirty(rows: int = 400, seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 120, rows)
    income = rng.normal(50, 20, rows)
    city = rng.choice(["paris", "lyon", "nice"], rows).astype(object)
    city[rng.random(rows) < 0.05] = None
    return pd.DataFrame({"age": age, "income": income, "city": city})


def failures(result: Any) -> dict[tuple[Any, str], int]:
    return {(g["column"], g["check"]): g["count"] for g in result.details["groups"]}


@pytest.mark.parametrize("engine", ["duckdb", "parquet", "polars", "pyarrow"])
def test_validate_on_engine_tables_finds_the_failures_pandas_finds(engine: str, tmp_path: Any) -> None:
    import pandera.ibis as pai
    import pandera.pandas as pap
    import pandera.polars as papl

    frame = dirty()

    def schema(api: Any) -> Any:
        return api.DataFrameSchema({"age": api.Column(int, api.Check.le(99)),
                                    "income": api.Column(float, api.Check.ge(0)),
                                    "city": api.Column(str, nullable=False)}, name="customers")

    expected = quiet(DataGate).validate(frame, schema(pap))[0]
    if engine in ("duckdb", "parquet"):
        data: Any = duckdb.from_df(frame)
        if engine == "parquet":
            frame.to_parquet(tmp_path / "customers.parquet")
            data = str(tmp_path / "customers.parquet")
        got = quiet(DataGate).validate(data, schema(pai))[0]
    else:  # a LazyFrame: pandera checks only its schema unless asked for the data too
        data = pl.from_pandas(frame).lazy() if engine == "polars" else pa.Table.from_pandas(frame)
        got = quiet(DataGate).validate(data, schema(papl))[0]
    assert expected.status == got.status == "fail"
    assert failures(got) == failures(expected) and got.value == expected.value and got.n == len(frame)
    assert failures(expected)[("city", "not_nullable")] == int(frame["city"].isna().sum()) > 1
    if engine != "parquet":  # scan order is the frame's order: the same rows as pandas names
        known = [(c["column"], c["row"]) for c in got.details["failure_cases"] if c["row"] is not None]
        assert set(known) <= {(c["column"], c["row"]) for c in expected.details["failure_cases"]}
    clean = frame.dropna().query("age <= 99 and income >= 0")
    for data, api in [(duckdb.from_df(clean), pai), (pl.from_pandas(clean).lazy(), papl)]:
        assert quiet(DataGate).validate(data, schema(api))[0].status == "pass"
    assert duckdb.sql("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'mlgate%'").fetchall() == [(0,)]


def test_validate_on_engine_tables_refuses_a_schema_of_another_backend() -> None:
    import pandera.ibis as pai
    import pandera.pandas as pap
    import pandera.polars as papl

    frame = dirty(20)
    with pytest.raises(GateError, match=r"DuckDB relation .* build it with pandera.ibis"):
        quiet(DataGate).validate(duckdb.from_df(frame), pap.DataFrameSchema({"age": pap.Column(int)}))
    with pytest.raises(GateError, match=r"polars LazyFrame .* build it with pandera.polars"):
        quiet(DataGate).validate(pl.from_pandas(frame).lazy(), pai.DataFrameSchema({"age": pai.Column(int)}))
    with pytest.raises(GateError, match="data is empty"):
        quiet(DataGate).validate(duckdb.from_df(frame.iloc[:0]), pai.DataFrameSchema({"age": pai.Column(int)}))
    with pytest.raises(GateError, match="data is empty"):
        quiet(DataGate).validate(pl.from_pandas(frame.iloc[:0]).lazy(), papl.DataFrameSchema({"age": papl.Column(int)}))


def test_each_kind_of_bad_table_input_is_a_clear_error(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 6 of #14, beyond the drift cases above: a column on one side only (either side), an empty table for
    every check, a profile of another version, and every engine missing names the extra that installs it."""
    import pandera.ibis as pai

    from pytest_mlgate.gates.model import ModelGate

    reference, current = frames(1_000)
    profile = gate.make_profile(duckdb.from_df(reference.drop(columns="num0")))
    with pytest.raises(GateError, match="missing from reference: 'num0'"):
        quiet(DataGate).drift(profile, duckdb.from_df(current))
    with pytest.raises(GateError, match="columns missing from reference: 'num0'"):
        quiet(DataGate).drift(profile, pl.from_pandas(current).lazy(), columns=["num0"])
    with pytest.raises(GateError, match="columns missing from train: 'num0'"):
        quiet(DataGate).leakage(duckdb.from_df(reference.drop(columns="num0")), duckdb.from_df(current))
    with pytest.raises(GateError, match=r"'flag' is categorical/text in reference \(BOOLEAN\) but numeric in current"):
        quiet(DataGate).drift(duckdb.from_df(reference), duckdb.from_df(current.assign(flag=current["flag"] * 1.0)))
    with pytest.raises(GateError, match=r"version 0 is not supported"):
        quiet(DataGate).drift({**profile, "version": 0}, duckdb.from_df(current))
    empty = current.iloc[:0]
    for call in (lambda t: quiet(DataGate).drift(t, duckdb.from_df(current)),
                 lambda t: quiet(DataGate).missing(t), lambda t: quiet(DataGate).duplicates(t),
                 lambda t: quiet(DataGate).label_balance(t, column="cat0"),
                 lambda t: quiet(DataGate).profile(t),
                 lambda t: quiet(ModelGate).metrics(data=t, y="flag", y_pred="flag", min={"accuracy": 0.5}),
                 lambda t: quiet(FairnessGate).check(None, None, "flag", y_pred="flag", sensitive_features="cat0",
                                                     data=t, max_difference={"demographic_parity": 0.1})):
        for table in (duckdb.from_df(empty), pl.from_pandas(empty).lazy()):
            with pytest.raises(GateError, match="is empty \\(0 rows\\)"):
                call(table)
    arrow, relation = pa.Table.from_pandas(current), duckdb.from_df(current)
    current.to_parquet(tmp_path / "current.parquet")
    monkeypatch.setitem(sys.modules, "polars", None)  # as if not installed
    with pytest.raises(GateError, match=r"polars is not installed: .*pip install 'pytest-mlgate\[polars\]'"):
        quiet(DataGate).missing(arrow)
    monkeypatch.setitem(sys.modules, "ibis", None)
    with pytest.raises(GateError, match=r"ibis is not installed: .*pip install 'pytest-mlgate\[duckdb\]'"):
        quiet(DataGate).validate(relation, pai.DataFrameSchema({"num0": pai.Column(float)}))
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(GateError, match=r"duckdb is not installed: .*pip install 'pytest-mlgate\[duckdb\]'"):
        quiet(ModelGate).metrics(data=str(tmp_path / "current.parquet"), y="flag", y_pred="flag",
                                 min={"accuracy": 0.5})
