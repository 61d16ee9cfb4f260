"""Group metrics and disparities agree with fairlearn; the stratified bootstrap keeps groups and has the right
spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.gates.fairness_inputs import encode_groups, factorize_unicode
from pytest_mlgate.stats import groups as gs

from quiet import quiet  # isort: skip

fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")

TOL = 1e-12


def _fairlearn_functions() -> dict[str, object]:
    fm = fairlearn_metrics
    return {
        "selection_rate": fm.selection_rate,
        "true_positive_rate": fm.true_positive_rate,
        "false_positive_rate": fm.false_positive_rate,
        "false_negative_rate": fm.false_negative_rate,
        "true_negative_rate": fm.true_negative_rate,
        "accuracy": skm.accuracy_score,
        "error_rate": skm.zero_one_loss,
        "precision": skm.precision_score,
        "recall": skm.recall_score,
        "f1": skm.f1_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
    }


@st.composite
def grouped_predictions(draw: st.DrawFn) -> dict[str, object]:
    """Random binary labels and predictions in 2-4 groups (one or two features), optionally weighted.

    Every group gets one row in each confusion cell, so every metric is defined in every group (where one is
    not, we raise a GateError and fairlearn reports 0; that case has its own tests)."""
    n_features = draw(st.integers(1, 2))
    levels = [draw(st.integers(2, 3)) for _ in range(n_features)]
    n_random = draw(st.integers(0, 150))
    seed = draw(st.integers(0, 2**31 - 1))
    weighted = draw(st.booleans())
    rng = np.random.default_rng(seed)
    features = [rng.integers(0, lv, n_random) for lv in levels]
    base_rate, lift = rng.uniform(0.1, 0.9), rng.uniform(-0.3, 0.3)
    y = (rng.random(n_random) < base_rate).astype(int)
    pred = (rng.random(n_random) < np.clip(base_rate + lift * features[0] / levels[0], 0, 1)).astype(int)
    combos = np.array(np.meshgrid(*[np.arange(lv) for lv in levels])).reshape(n_features, -1)
    for yy in (0, 1):
        for pp in (0, 1):
            features = [np.r_[f, combos[i]] for i, f in enumerate(features)]
            y = np.r_[y, np.full(combos.shape[1], yy)]
            pred = np.r_[pred, np.full(combos.shape[1], pp)]
    frame = pd.DataFrame({f"a{i}": np.array(["g", "h", "k"])[f] for i, f in enumerate(features)})
    weights = rng.uniform(0.05, 5.0, y.size) if weighted else None
    return {"y": y, "pred": pred, "frame": frame, "weights": weights}


def _sf(case: dict[str, object]) -> object:
    frame = case["frame"]
    assert isinstance(frame, pd.DataFrame)
    return frame.iloc[:, 0] if frame.shape[1] == 1 else frame


@settings(max_examples=40, deadline=None)
@given(grouped_predictions())
def test_group_metrics_equal_metricframe_by_group(case: dict[str, object]) -> None:
    y, pred, frame, weights = case["y"], case["pred"], case["frame"], case["weights"]
    assert isinstance(y, np.ndarray) and isinstance(pred, np.ndarray) and isinstance(frame, pd.DataFrame)
    groups = encode_groups(frame)
    conf = gs.group_confusion(groups.codes, len(groups.keys), y, pred, 2, weights)  # type: ignore[arg-type]
    ours = gs.metric_values(conf, [m for m, g in gs.GROUP_METRICS.items() if g.task == "classification"])
    functions = _fairlearn_functions()
    frame_metrics = fairlearn_metrics.MetricFrame(
        metrics=functions, y_true=y, y_pred=pred, sensitive_features=_sf(case),
        sample_params={name: {"sample_weight": weights} for name in functions},
    )
    by_group = frame_metrics.by_group
    for g, key in enumerate(groups.keys):
        row = by_group.loc[key if len(key) > 1 else key[0]]
        for name in functions:
            assert ours[name][g] == pytest.approx(row[name], abs=TOL, rel=0), (name, key)
    overall = gs.metric_values(conf.sum(axis=0), list(functions))
    for name in functions:
        assert overall[name] == pytest.approx(frame_metrics.overall[name], abs=TOL, rel=0), name


@settings(max_examples=30, deadline=None)
@given(grouped_predictions(), st.sampled_from(["between_groups", "to_overall"]), st.sampled_from(["worst", "mean"]))
def test_disparities_equal_fairlearn_functions(case: dict[str, object], method: str, agg: str) -> None:
    fm = fairlearn_metrics
    y, pred, weights = case["y"], case["pred"], case["weights"]
    sf = _sf(case)
    expected = {
        "demographic_parity_difference": fm.demographic_parity_difference,
        "demographic_parity_ratio": fm.demographic_parity_ratio,
        "equalized_odds_difference": fm.equalized_odds_difference,
        "equalized_odds_ratio": fm.equalized_odds_ratio,
        "equal_opportunity_difference": fm.equal_opportunity_difference,
        "equal_opportunity_ratio": fm.equal_opportunity_ratio,
        "false_positive_rate_difference": fm.false_positive_rate_difference,
        "accuracy_ratio": fm.accuracy_score_ratio,
    }
    results = quiet(FairnessGate, settings=GateSettings(n_resamples=20)).check(
        None, None, y, y_pred=pred, sensitive_features=sf, sample_weight=weights, method=method,  # type: ignore[arg-type]
        agg=agg, min_group_size=0,
        max_difference={"demographic_parity": 1, "equalized_odds": 1, "equal_opportunity": 1,
                        "false_positive_rate": 1},
        min_ratio={"demographic_parity": 0, "equalized_odds": 0, "equal_opportunity": 0, "accuracy": 0},
    )
    assert sorted(r.subject for r in results) == sorted(expected)
    for result in results:
        fn = expected[result.subject]
        kwargs: dict[str, object] = {"sensitive_features": sf, "method": method, "sample_weight": weights}
        if result.subject.startswith("equalized_odds"):
            kwargs["agg"] = "worst_case" if agg == "worst" else "mean"
        reference = float(fn(y, pred, **kwargs))
        assert result.value == pytest.approx(reference, abs=TOL, rel=0), (result.subject, agg)


def test_small_groups_are_left_out_like_fairlearn_on_the_rest() -> None:
    rng = np.random.default_rng(3)
    groups = np.r_[np.repeat(["a", "b", "c"], 200), np.repeat("tiny", 10)]
    y = rng.integers(0, 2, groups.size)
    pred = rng.integers(0, 2, groups.size)
    pred[-10:] = 1  # the tiny group selects everyone: it alone would dominate the disparity
    gate = quiet(FairnessGate, settings=GateSettings(n_resamples=50))
    (result,) = gate.check(None, None, y, y_pred=pred, sensitive_features=groups,
                           max_difference={"demographic_parity": 1})
    big = groups != "tiny"
    reference = fairlearn_metrics.demographic_parity_difference(y[big], pred[big], sensitive_features=groups[big])
    assert result.value == pytest.approx(reference, abs=TOL, rel=0)
    assert result.details["too_small"] == [{"group": "tiny", "count": 10}]


# --- the bootstrap -------------------------------------------------------------------------------------


def test_multinomial_resamples_keep_every_group_at_its_size() -> None:
    conf = np.array([[[50, 10], [5, 35]], [[3, 1], [0, 2]]], dtype=float)
    reps = gs.resample_confusion(conf, 500, seed=1)
    assert reps.shape == (500, 2, 2, 2)
    np.testing.assert_array_equal(reps.sum(axis=(2, 3)), np.broadcast_to([100.0, 6.0], (500, 2)))
    assert np.all(reps[:, 1, 1, 0] == 0)  # a cell that is empty in the data stays empty


def test_multinomial_resamples_match_row_resampling_in_distribution() -> None:
    """Drawing n_g rows with replacement within a group and counting cells has the same mean and spread as
    the multinomial over the group's cells: compare with a plain loop over resampled rows."""
    rng = np.random.default_rng(7)
    n = 300
    codes = rng.integers(0, 2, n)
    y = rng.integers(0, 2, n)
    pred = (rng.random(n) < 0.3 + 0.3 * codes).astype(int)
    conf = gs.group_confusion(codes, 2, y, pred, 2)
    fast = gs.metric_values(gs.resample_confusion(conf, 4000, seed=2), ["selection_rate"])["selection_rate"]
    slow = np.empty((4000, 2))
    for b in range(4000):
        for g in range(2):
            rows = np.flatnonzero(codes == g)
            slow[b, g] = pred[rng.choice(rows, rows.size)].mean()
    np.testing.assert_allclose(fast.mean(axis=0), slow.mean(axis=0), atol=0.004)
    np.testing.assert_allclose(fast.std(axis=0), slow.std(axis=0), rtol=0.06)


def test_weighted_resamples_draw_rows_within_groups() -> None:
    rng = np.random.default_rng(11)
    n = 400
    codes = rng.integers(0, 3, n)
    y = rng.integers(0, 2, n)
    pred = rng.integers(0, 2, n)
    ones = np.ones(n)
    totals = gs.resample_confusion_weighted(codes, 3, y * 2 + pred, 4, ones, 200, seed=5, max_cells=1000)
    np.testing.assert_array_equal(totals.sum(axis=2), np.broadcast_to(np.bincount(codes, minlength=3), (200, 3)))
    weights = rng.uniform(0.1, 3.0, n)
    reps = gs.resample_confusion_weighted(codes, 3, y * 2 + pred, 4, weights, 3000, seed=6)
    rate = gs.metric_values(reps.reshape(3000, 3, 2, 2), ["selection_rate"])["selection_rate"]
    slow = np.empty((3000, 3))
    for b in range(3000):
        for g in range(3):
            rows = np.flatnonzero(codes == g)
            drawn = rng.choice(rows, rows.size)
            slow[b, g] = np.average(pred[drawn], weights=weights[drawn])
    np.testing.assert_allclose(rate.mean(axis=0), slow.mean(axis=0), atol=0.006)
    np.testing.assert_allclose(rate.std(axis=0), slow.std(axis=0), rtol=0.07)


def test_disparity_of_propagates_undefined_groups() -> None:
    values = np.array([[0.2, np.nan, 0.5], [0.2, 0.3, 0.5]])
    out = gs.disparity_of(values, np.array([0.3, 0.3]), kind="difference", method="between_groups")
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.3)


# --- the disparity's bounds ----------------------------------------------------------------------------


def _tied_groups(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ten groups of 300 rows, five selecting at 0.5 and five at 0.6: the true difference is exactly 0.1,
    and the max-minus-min of the noisy estimates is biased well above it."""
    group = np.repeat(np.arange(10), 300)
    y = rng.integers(0, 2, group.size)
    pred = (rng.random(group.size) < np.where(group < 5, 0.5, 0.6)).astype(int)
    return y, pred, group


def test_bounds_keep_their_level_when_groups_tie_at_the_extremes() -> None:
    """The percentile interval of max - min would put its lower bound above the true 0.1 in most runs here; the
    simultaneous bounds miss the truth on either side in about alpha of runs (here alpha = 0.05, 80 runs)."""
    low_misses = high_misses = 0
    for seed in range(80):
        y, pred, group = _tied_groups(np.random.default_rng(seed))
        gate = quiet(FairnessGate, settings=GateSettings(alpha=0.05, n_resamples=300, seed=seed))
        (result,) = gate.check(None, None, y, y_pred=pred, sensitive_features=group,
                               max_difference={"demographic_parity": 0.1})
        assert result.interval is not None
        low_misses += result.interval[0] > 0.1
        high_misses += result.interval[1] < 0.1
    assert low_misses <= 6 and high_misses <= 6


def test_intervals_hold_the_point_value_for_every_kind_and_agg() -> None:
    y, pred, group = _tied_groups(np.random.default_rng(0))
    for method in ("between_groups", "to_overall"):
        for agg in ("worst", "mean"):
            results = quiet(FairnessGate, settings=GateSettings(n_resamples=300)).check(
                None, None, y, y_pred=pred, sensitive_features=group, method=method, agg=agg,
                max_difference={"equalized_odds": 1, "demographic_parity": 1},
                min_ratio={"equalized_odds": 0, "demographic_parity": 0})
            for r in results:
                assert r.interval is not None and r.value is not None
                assert r.interval[0] <= r.value <= r.interval[1], (method, agg, r.subject)
                assert r.interval[0] >= 0 and (r.subject.endswith("difference") or r.interval[1] <= 1)


def test_max_bounds_of_a_single_known_component() -> None:
    """One component with normal bootstrap replicates: the bounds are the point -/+ the normal quantile x se."""
    rng = np.random.default_rng(0)
    reps = rng.normal(0.3, 0.02, 200_000)
    chunk = np.r_[0.3, reps][:, None]
    low, high = gs.max_bounds([chunk], 0.01)
    assert low == pytest.approx(0.3 - 2.326 * 0.02, abs=5e-4)
    assert high == pytest.approx(0.3 + 2.326 * 0.02, abs=5e-4)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", "b", "Z", " ", "0", "\u00e9", "\U0001f600"]), max_size=8),
                min_size=1, max_size=40))
def test_factorize_unicode_equals_np_unique(values: list[str]) -> None:
    array = np.array(values)
    codes, uniques = factorize_unicode(array)
    expected_uniques, expected_codes = np.unique(array, return_inverse=True)
    assert uniques == list(expected_uniques)
    np.testing.assert_array_equal(codes, expected_codes)


@pytest.mark.parametrize("alphabet", [
    ["g0", "g1", "g9", "g10", "g"],            # small code-point ranges: codes by arithmetic
    ["a\U0001f600", "\U0001f600a", "zz", "b"],  # one 64-bit word per string, wide ranges: hashed words
    ["Female", "Male", "female", "\u00e9t\u00e9", "x" * 9],  # several words per string
])
def test_factorize_unicode_paths_equal_np_unique(alphabet: list[str]) -> None:
    array = np.array(alphabet)[np.random.default_rng(0).integers(0, len(alphabet), 5000)]
    codes, uniques = factorize_unicode(array)
    expected_uniques, expected_codes = np.unique(array, return_inverse=True)
    assert uniques == list(expected_uniques)
    np.testing.assert_array_equal(codes, expected_codes)


def test_weights_with_few_values_resample_by_bins_like_rows() -> None:
    """Class-style weights (three values): the multinomial over (cell, weight) bins has the same mean and
    spread as drawing rows, and keeps each group's row count in every resample."""
    rng = np.random.default_rng(12)
    n = 600
    codes = rng.integers(0, 2, n)
    y = rng.integers(0, 2, n)
    pred = (rng.random(n) < 0.4 + 0.2 * y).astype(int)
    weights = rng.choice([0.5, 1.0, 4.0], n)
    binned = gs.resample_confusion_weighted(codes, 2, y * 2 + pred, 4, weights, 4000, seed=1, max_cells=5000)
    rows = gs.resample_confusion_weighted(codes, 2, y * 2 + pred, 4, weights, 4000, seed=2, max_distinct_weights=0)
    for reps in (binned, rows):
        assert reps.shape == (4000, 2, 4)
    fast = gs.metric_values(binned.reshape(4000, 2, 2, 2), ["selection_rate", "true_positive_rate"])
    slow = gs.metric_values(rows.reshape(4000, 2, 2, 2), ["selection_rate", "true_positive_rate"])
    for name in fast:
        np.testing.assert_allclose(fast[name].mean(axis=0), slow[name].mean(axis=0), atol=0.005)
        np.testing.assert_allclose(fast[name].std(axis=0), slow[name].std(axis=0), rtol=0.07)
    counts = gs.resample_confusion_weighted(codes, 2, y * 2 + pred, 4, np.ones(n), 50, seed=3)
    np.testing.assert_array_equal(counts.sum(axis=2), np.broadcast_to(np.bincount(codes), (50, 2)))


def test_integer_and_categorical_group_columns_take_their_codes_like_factorize() -> None:
    """The fast paths (integers as their own codes, pandas' categorical codes, unicode words hashed) give the
    groups and order that ``pd.factorize(sort=True)`` gives, unused categories and values left out."""
    import pandas as pd

    from pytest_mlgate.gates.fairness_inputs import encode_groups

    rng = np.random.default_rng(4)
    ints = rng.choice([3, 5, 9], 500)
    labels = rng.choice(["b", "a", "ccc", "a\u00e9"], 500)
    columns = {"ints": ints, "series": pd.Series(ints), "categorical": pd.Series(pd.Categorical(
        labels, categories=["zz", "ccc", "b", "a", "a\u00e9"])), "unicode": labels}
    for name, column in columns.items():
        groups = encode_groups({name: column})
        codes, values = pd.factorize(pd.Series(column), sort=True)
        assert [k[0] for k in groups.keys] == list(values), name
        np.testing.assert_array_equal(groups.codes, codes)


def test_the_gate_takes_categorical_and_integer_codes_without_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pandas categorical (passed as the values, or as a column of X) and an integer column reach the group
    table through their own codes: with pandas' factorize disabled the gate gives the string column's results."""
    import pandas as pd

    rng = np.random.default_rng(5)
    n = 4000
    labels = rng.choice(["north", "south", "east"], n)
    y, pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    gate = FairnessGate(settings=GateSettings(n_resamples=100), raises=False)
    limits = {"demographic_parity": 1.0, "equalized_odds": 1.0}
    expected = [(r.value, r.interval) for r in gate.check(None, None, y, y_pred=pred, max_difference=limits,
                                                          sensitive_features=pd.Series(labels, name="region"))]
    categorical = pd.Series(labels, name="region").astype("category")
    codes = {"north": 1, "south": 2, "east": 0}
    integers = np.array([codes[v] for v in labels])

    def no_hashing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the group column was hashed")

    monkeypatch.setattr(pd, "factorize", no_hashing)
    for column, X in ((categorical, None), ("region", pd.DataFrame({"region": categorical}))):
        got = gate.check(None, X, y, y_pred=pred, sensitive_features=column, max_difference=limits)
        assert [(r.value, r.interval) for r in got] == expected
        assert [row["group"] for row in got[0].details["groups"]] == ["east", "north", "south"]
    got = gate.check(None, None, y, y_pred=pred, sensitive_features=pd.Series(integers, name="region"),
                     max_difference=limits)
    assert [(r.value, r.interval) for r in got] == expected
