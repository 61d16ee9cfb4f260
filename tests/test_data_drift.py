"""Drift verdicts: the shifted columns and only them, nothing on same-distribution samples, profiles, options."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats as sps

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.data import DataGate, load_profile, make_profile
from pytest_mlgate.results import GateError, GateFailure, GateResult, MLGateWarning

from quiet import quiet  # isort: skip

SHIFTED = ("num02", "num07", "num12")


def benchmark_like(rows: int, seed: int, *, shifted: tuple[str, ...] = ()) -> pd.DataFrame:
    """As benchmarks/bench_drift.py: 15 numeric (normal, lognormal, uniform), 5 categorical with 10 levels."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i in range(15):
        kind = i % 3
        column = (rng.normal(size=rows) if kind == 0 else rng.lognormal(0, 0.5, size=rows) if kind == 1
                  else rng.uniform(0, 10, size=rows))
        if f"num{i:02d}" in shifted:
            column = column + 0.25 * column.std()
        data[f"num{i:02d}"] = column
    levels = np.array([f"level_{j}" for j in range(10)], dtype=object)
    weights = np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum()
    for i in range(5):
        data[f"cat{i}"] = levels[rng.choice(10, size=rows, p=weights)]
    return pd.DataFrame(data)


def drifted(results: list[GateResult]) -> list[str]:
    return sorted(r.subject for r in results if r.subject != "dataset" and r.status == "fail")


def by_column(results: list[GateResult]) -> dict[str, GateResult]:
    return {r.subject: r for r in results if r.subject != "dataset"}


def test_flags_exactly_the_shifted_columns_of_benchmark_like_data() -> None:
    reference = benchmark_like(50_000, seed=1)
    current = benchmark_like(50_000, seed=2, shifted=SHIFTED)
    results = quiet(DataGate).drift(reference, current)
    assert drifted(results) == sorted(SHIFTED)
    summary = results[0]
    assert summary.subject == "dataset" and summary.status == "fail" and summary.value == 3
    assert [row["column"] for row in summary.details["columns"][:3]] == sorted(SHIFTED, key=lambda c: -by_column(
        results)[c].value)  # drifted columns first
    assert summary.message.startswith("data_quality.drift: 3 of 20 columns drifted")


def test_two_samples_of_one_distribution_at_a_million_rows_flag_nothing() -> None:
    rng = np.random.default_rng(7)
    levels = np.array(list("abcdefghij"), dtype=object)

    def sample() -> pd.DataFrame:
        return pd.DataFrame({"normal": rng.normal(size=1_000_000), "skewed": rng.lognormal(size=1_000_000),
                             "category": levels[rng.integers(0, 10, 1_000_000)]})

    results = quiet(DataGate).drift(sample(), sample())
    assert drifted(results) == [] and results[0].status == "pass"
    assert all(r.value < 0.01 for r in by_column(results).values())  # effects far below the minimum


def test_statistics_in_the_result_are_scipys() -> None:
    rng = np.random.default_rng(3)
    reference = pd.DataFrame({"x": rng.normal(size=4000), "c": rng.choice(list("abc"), 4000)})
    current = pd.DataFrame({"x": rng.normal(0.1, 1, 3000), "c": rng.choice(list("abcd"), 3000)})
    rows = by_column(quiet(DataGate).drift(reference, current))
    expected = sps.ks_2samp(reference["x"], current["x"])
    assert rows["x"].details["statistic"] == expected.statistic
    assert abs(rows["x"].details["p_value"] - expected.pvalue) <= 1e-9
    assert rows["x"].details["wasserstein"] == pytest.approx(sps.wasserstein_distance(reference["x"], current["x"]),
                                                             rel=1e-9)
    table = pd.crosstab(pd.concat([reference["c"], current["c"]]), np.r_[np.zeros(4000), np.ones(3000)])
    assert rows["c"].details["p_value"] == pytest.approx(sps.chi2_contingency(table.to_numpy().T).pvalue, abs=1e-12)
    assert rows["c"].details["n_unseen_categories"] == 1
    assert rows["c"].details["unseen_categories"][0]["category"] == "d"


def test_large_sample_small_shift_is_significant_but_not_drift() -> None:
    rng = np.random.default_rng(11)
    reference = pd.DataFrame({"x": rng.normal(size=400_000)})
    current = pd.DataFrame({"x": rng.normal(0.03, 1, 400_000)})
    row = by_column(quiet(DataGate).drift(reference, current))["x"]
    assert row.details["p_adjusted"] < 1e-10  # the test alone would flag it
    assert row.value < 0.1 and row.status == "pass"  # the effect floor does not
    assert by_column(quiet(DataGate).drift(reference, current, min_wasserstein=0.01))["x"].status == "fail"


def test_a_column_arriving_empty_is_reported_as_missing_rate_drift() -> None:
    rng = np.random.default_rng(5)
    reference = pd.DataFrame({"x": rng.normal(size=2000), "y": rng.normal(size=2000)})
    current = pd.DataFrame({"x": rng.normal(size=2000), "y": np.full(2000, np.nan)})
    results = quiet(DataGate).drift(reference, current)
    row = by_column(results)["y"]
    assert row.status == "fail" and row.details["reasons"] == ["missing rate"]
    assert "every current value is missing" in row.message and "missing 0% -> 100%" in row.message
    assert by_column(results)["x"].status == "pass"


def test_missing_rate_change_below_the_minimum_is_not_drift() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=100_000)
    y = rng.normal(size=100_000)
    y[rng.random(100_000) < 0.01] = np.nan  # 1% missing: significant at this size, below the 2-point minimum
    row = by_column(quiet(DataGate).drift(pd.DataFrame({"x": x}), pd.DataFrame({"x": y})))["x"]
    assert row.details["missing_p_adjusted"] < 1e-10 and row.status == "pass"


def test_profile_round_trip_through_a_json_file_gives_the_same_verdicts(tmp_path: object) -> None:
    reference = benchmark_like(20_000, seed=1)
    reference.loc[::97, "num03"] = np.nan
    reference["num04"] = reference["num04"].round(1)  # many ties
    current = benchmark_like(15_000, seed=2, shifted=SHIFTED)
    path = tmp_path / "reference.json"  # type: ignore[operator]
    path.write_text(json.dumps(DataGate().profile(reference)))
    loaded = json.loads(path.read_text())
    from_frame, from_profile = quiet(DataGate).drift(reference, current), quiet(DataGate).drift(loaded, current)
    decoded = load_profile(loaded)
    assert [r.to_dict() for r in quiet(DataGate).drift(decoded, current)] == [r.to_dict() for r in from_profile]
    assert from_profile[0].details["from_profile"] is True
    for a, b in zip(from_frame[1:], from_profile[1:], strict=True):
        assert (a.subject, a.status) == (b.subject, b.status)
        for key in ("statistic", "p_value", "p_adjusted", "wasserstein", "psi", "effect_size", "missing_reference"):
            assert a.details.get(key) == b.details.get(key), (a.subject, key)


def test_profile_of_a_sample_is_smaller_and_still_flags_the_shift() -> None:
    reference = benchmark_like(20_000, seed=1)
    full, small = make_profile(reference), make_profile(reference, sample=2_000, seed=0)
    assert small["n_rows"] == 2_000 and len(json.dumps(small)) < len(json.dumps(full)) / 5
    assert drifted(quiet(DataGate).drift(small, benchmark_like(20_000, seed=2, shifted=SHIFTED))) == sorted(SHIFTED)


def test_benjamini_hochberg_and_alpha_options() -> None:
    reference = benchmark_like(5_000, seed=1)
    current = benchmark_like(5_000, seed=2, shifted=SHIFTED)
    results = quiet(DataGate).drift(reference, current, correction="bh", alpha=0.01)
    assert drifted(results) == sorted(SHIFTED)
    assert "Benjamini-Hochberg-corrected p-value < 0.01" in results[0].message
    assert "(BH " in by_column(results)["num02"].message


def test_polars_frames_and_a_column_subset() -> None:
    rng = np.random.default_rng(9)
    reference = pl.DataFrame({"x": rng.normal(size=3000), "c": rng.choice(list("abc"), 3000), "z": rng.random(3000)})
    current = pl.DataFrame({"x": rng.normal(1, 1, 3000), "c": rng.choice(list("abc"), 3000), "z": rng.random(3000)})
    results = quiet(DataGate).drift(reference, current, columns=["x", "c"])
    assert drifted(results) == ["x"] and set(by_column(results)) == {"x", "c"}


def test_gate_method_raises_with_drifted_columns_first_in_the_message() -> None:
    rng = np.random.default_rng(2)
    reference = pd.DataFrame({"steady": rng.normal(size=3000), "moved": rng.normal(size=3000)})
    current = pd.DataFrame({"steady": rng.normal(size=3000), "moved": rng.normal(0.5, 1, 3000)})
    gate = DataGate()
    with pytest.raises(GateFailure) as info:
        gate.drift(reference, current)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("data_quality.drift: 1 of 2 columns drifted") and "'moved'" in lines[0]
    assert lines[2].startswith("  moved: KS D=") and lines[2].endswith("DRIFTED (distribution)")
    assert [r.subject for r in gate.results] == ["dataset", "moved", "steady"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"alpha": 0}, "alpha must be between 0 and 1"),
    ({"correction": "bonferroni"}, "correction must be one of"),
    ({"min_wasserstein": -1}, "min_wasserstein must be a number >= 0"),
    ({"threads": 0}, "threads must be a positive integer"),
    ({"columns": ["nope"]}, "columns not in current"),
])
def test_bad_options(kwargs: dict[str, object], match: str) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    with pytest.raises(GateError, match=match):
        quiet(DataGate).drift(frame, frame, **kwargs)  # type: ignore[arg-type]


def test_damaged_or_foreign_profiles_are_named() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    profile = make_profile(frame)
    profile["columns"][0]["values"] = profile["columns"][0]["values"][:-4]
    with pytest.raises(GateError, match="the reference profile is damaged"):
        quiet(DataGate).drift(profile, frame)
    with pytest.raises(GateError, match="version 99 is not supported"):
        quiet(DataGate).drift({**make_profile(frame), "version": 99}, frame)
    with pytest.raises(GateError, match="profile without its 'format' key"):
        quiet(DataGate).drift({"columns": []}, frame)
    with pytest.raises(GateError, match="not a pytest-mlgate reference profile"):
        load_profile({"columns": []})


def test_single_thread_and_threads_agree() -> None:
    reference = benchmark_like(3_000, seed=1)
    current = benchmark_like(3_000, seed=2, shifted=SHIFTED)
    one = [r.to_dict() for r in quiet(DataGate).drift(reference, current, threads=1)]
    many = [r.to_dict() for r in quiet(DataGate).drift(reference, current, threads=4)]
    assert one == many


# --- A/A check and equivalence mode (#15 item 4) ------------------------------------------------------------------


def _frame_of(n: int, rng: np.random.Generator, drift: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame({"a": rng.normal(drift, 1.0, n), "b": rng.normal(5.0, 2.0, n),
                         "c": rng.choice(np.array(["x", "y", "z"]), n, p=[0.5, 0.3, 0.2])})


def test_aa_check_trusts_independent_rows_and_downgrades_time_ordered_ones() -> None:
    rng = np.random.default_rng(11)
    reference, current = _frame_of(2000, rng), _frame_of(2000, rng)
    summary, *_ = DataGate(raises=False).drift(reference, current, aa_check=True)
    aa = summary.details["aa_check"]
    assert summary.status == "pass" and aa["reliable"] and aa["columns"] == 3
    assert "no more than independent rows would" in summary.message
    # a slow trend in stored order: the reference's halves differ, and so does current (from later rows)
    t = np.arange(4000)
    trend = pd.DataFrame({"a": np.sin(t / 700.0) + rng.normal(0, 0.3, t.size),
                          "b": np.cos(t / 900.0) + rng.normal(0, 0.3, t.size)})
    plain = DataGate(raises=False).drift(trend.iloc[:2000], trend.iloc[2000:])
    assert plain[0].status == "fail"
    with pytest.warns(MLGateWarning, match="this verdict is a warning, not a failure"):
        checked = DataGate(raises=False).drift(trend.iloc[:2000], trend.iloc[2000:], aa_check=True)
    aa = checked[0].details["aa_check"]
    assert not aa["reliable"] and aa["flagged"] == 2 and aa["binomial_p"] <= 0.01
    assert {r.status for r in checked} <= {"warn", "pass"} and checked[0].status == "warn"
    assert "not independent" in checked[0].message
    with pytest.raises(GateError, match="needs the reference rows"):
        DataGate(raises=False).drift(DataGate().profile(reference), current, aa_check=True)


def test_aa_check_softens_a_single_column_that_differs_from_itself() -> None:
    """One random-walk column among four independent ones: one flagged column of five is not a significant count,
    but that column's own halves differ, so its drift verdict is a warning; a real shift elsewhere still fails."""
    rng = np.random.default_rng(5)
    n = 4000
    frame = pd.DataFrame({f"x{i}": rng.normal(0, 1, n) for i in range(4)})
    frame["trend"] = np.cumsum(rng.normal(0, 1, n))
    reference, current = frame.iloc[:2000], frame.iloc[2000:].reset_index(drop=True)
    with pytest.warns(MLGateWarning, match="this verdict is a warning"):
        checked = DataGate(raises=False).drift(reference, current, aa_check=True)
    aa = checked[0].details["aa_check"]
    assert aa["reliable"] and aa["flagged_columns"] == ["trend"]
    by_column = {r.subject: r for r in checked[1:]}
    assert by_column["trend"].status == "warn" and "differ by the same rule" in by_column["trend"].message
    assert checked[0].status == "warn" and "differ from themselves" in checked[0].message
    shifted = current.assign(x0=current["x0"] + 0.5)
    with pytest.warns(MLGateWarning):
        checked = DataGate(raises=False).drift(reference, shifted, aa_check=True)
    by_column = {r.subject: r for r in checked[1:]}
    assert by_column["x0"].status == "fail" and checked[0].status == "fail"


def test_equivalence_mode_passes_only_columns_shown_not_to_move() -> None:
    rng = np.random.default_rng(12)
    reference, current = _frame_of(20_000, rng), _frame_of(20_000, rng, drift=0.3)
    gate = DataGate(raises=False, settings=GateSettings(n_resamples=200))
    summary, *columns = gate.drift(reference, current, mode="equivalence")
    verdicts = {r.subject: r for r in columns}
    assert verdicts["b"].status == "pass" and verdicts["c"].status == "pass"
    assert verdicts["a"].status == "fail" and verdicts["a"].interval[1] >= 0.1  # moved by 0.3 SD
    assert verdicts["b"].interval[1] < 0.1 and verdicts["b"].interval[0] <= verdicts["b"].value
    assert summary.status == "fail" and summary.details["not_shown"] == ["a"]
    # too few rows cannot show equivalence even when nothing moved
    small = gate.drift(reference.iloc[:100], current.iloc[:100][["b", "c"]], columns=["b", "c"], mode="equivalence")
    assert small[0].status == "fail"
    with pytest.raises(GateError, match="mode must be"):
        gate.drift(reference, current, mode="same")
