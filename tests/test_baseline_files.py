"""Baseline files on their own: names, stable text, validation on read, atomic writes under contention, the data
fingerprint, and the pure compare / compare_models checks against plain loops."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score

from pytest_mlgate import baselines
from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.results import GateError, GateFailure
from pytest_mlgate.stats.bootstrap import resample_indices

from quiet import quiet  # isort: skip

# --- names and text --------------------------------------------------------------------------------------------


def test_file_names_are_readable_and_never_shared(tmp_path: Path) -> None:
    # Keys are test identities (file relative to the baseline folder's parent, then the names); the file's
    # folders become sub-folders. 0.1.0 flattened the rootdir-relative node id (see legacy_baseline_path).
    plain = baselines.baseline_path(tmp_path, "tests/test_model.py::TestA::test_auc[lr-0.5]")
    assert plain == tmp_path / "tests" / "test_model.py__TestA__test_auc[lr-0.5].json"
    assert baselines.legacy_baseline_path(tmp_path, "tests/test_model.py::TestA::test_auc[lr-0.5]").name == (
        "tests__test_model.py__TestA__test_auc[lr-0.5].json")
    odd = baselines.baseline_path(tmp_path, "tests/test_model.py::test_auc[a b/c:d]")
    assert odd.name.startswith("test_model.py__test_auc[a_b_c_d]-") and odd.suffix == ".json"
    other = baselines.baseline_path(tmp_path, "tests/test_model.py::test_auc[a_b/c:d]")
    assert other != odd  # same readable name, different node id: the hash tells them apart
    long = baselines.baseline_path(tmp_path, "t.py::test_" + "x" * 400)
    assert len(long.name) < 180
    named = baselines.baseline_path(tmp_path, "t.py::test_a", "holdout")
    assert named.name == "t.py__test_a__holdout.json"


def test_file_names_are_injective(tmp_path: Path) -> None:
    """Sanitising that loses information adds a hash, and a readable name never looks like a hashed one."""
    keys = [
        ("t.py::test_p[a/b]", None), ("t.py::test_p[a__b]", None), ("t.py::test_p[a::b]", None),
        ("t.py::test_model", "holdout"), ("t.py::test_model__holdout", None), ("t.py::TestModel::test_holdout", None),
        ("t.py::a_", "b"), ("t.py::a", "_b"), ("t.py::x-0123456789ab", None), ("t.py::x", None),
        ("t.py::test_p[\u00e9]", None), ("t.py::test_p[_]", None), ("t.py::test_p[?]", None),
        ("sub/t.py::test_a", None), ("sub__t.py::test_a", None), ("../t.py::test_a", None),
    ]
    paths = [baselines.baseline_path(tmp_path, key, name) for key, name in keys]
    assert len(set(paths)) == len(keys), paths
    assert baselines.baseline_path(tmp_path, "t.py::test_model", "holdout").name == "t.py__test_model__holdout.json"
    assert baselines.baseline_path(tmp_path, "t.py::test_model__holdout").name != "t.py__test_model__holdout.json"


def test_stable_floats_round_to_twelve_significant_digits() -> None:
    assert baselines.stable(0.1 + 0.2) == 0.3
    assert baselines.stable({"a": [1 / 3, 2, None, float("nan")]}) == {"a": [0.333333333333, 2, None, None]}


def _baseline(**metrics: float) -> baselines.Baseline:
    return baselines.Baseline(
        node_id="t.py::test_a",
        metrics={name: baselines.MetricBaseline(value, (value - 0.01, value + 0.01), 500, True)
                 for name, value in metrics.items()},
        data={"n_rows": 500, "n_columns": 2, "columns": ["a", "b"], "values_sha256": "v", "labels_sha256": "l"},
        confidence=0.98, n_resamples=1000, written_at="2026-01-01T00:00:00Z", versions={"numpy": "2"},
    )


def test_round_trip_and_a_small_diff(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "b.json"
    baselines.write_baseline(path, _baseline(roc_auc=0.8512345678901234, f1=0.7))
    first = path.read_text()
    read = baselines.read_baseline(path)
    assert read.metrics["roc_auc"].value == 0.851234567890
    assert read.metrics["roc_auc"].interval == pytest.approx((0.841234567890, 0.861234567890))
    baselines.write_baseline(path, _baseline(roc_auc=0.8512345678901234, f1=0.71))
    changed = [(a, b) for a, b in zip(first.splitlines(), path.read_text().splitlines(), strict=True) if a != b]
    assert len(changed) == 3  # f1's value and its two interval ends: nothing else moves


GOOD = json.loads(baselines.dumps(_baseline(roc_auc=0.8)))


def _broken(change: dict) -> dict:
    doc = json.loads(json.dumps(GOOD))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        target = doc
        for part in parents:
            target = target[part]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return doc


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"schema_version": KeyError}, "'schema_version' is missing or not an integer"),
        ({"schema_version": 0}, "unknown schema_version 0"),
        ({"metrics": {}}, "'metrics' must be a non-empty object"),
        ({"metrics.roc_auc.value": "high"}, "metric 'roc_auc': 'value' must be a finite number"),
        ({"metrics.roc_auc.interval": [0.9, 0.7]}, "metric 'roc_auc': 'interval' must be [low, high]"),
        ({"metrics.roc_auc.n": True}, "metric 'roc_auc': 'n' must be a positive integer"),
        ({"metrics.roc_auc.direction": "up"}, "metric 'roc_auc': 'direction' must be"),
        ({"data": [1]}, "'data' (the evaluation data's fingerprint) must be an object"),
        ({"data.labels_sha256": KeyError}, "'data' must hold 'n_rows' and 'labels_sha256'"),
        ({"confidence": 1.5}, "'confidence' must be a number between 0 and 1"),
        ({"predictions": {"file": "../../etc/passwd", "sha256": "x"}}, "'predictions.file' must be a file name"),
    ],
)
def test_hand_broken_files_are_named_with_their_problem(tmp_path: Path, change: dict, problem: str) -> None:
    path = tmp_path / "b.json"
    text = json.dumps(_broken(change))
    path.write_text(text)
    with pytest.raises(GateError) as info:
        baselines.read_baseline(path)
    assert str(path) in str(info.value) and problem in str(info.value)
    assert path.read_text() == text


def test_a_newer_schema_asks_for_an_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps(_broken({"schema_version": 2})))
    with pytest.raises(GateError, match="newer than this pytest-mlgate understands"):
        baselines.read_baseline(path)


def test_non_utf8_and_nan_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(GateError, match="is broken: it is not UTF-8 text"):
        baselines.read_baseline(path)
    path.write_text(json.dumps(_broken({"metrics.roc_auc.value": float("nan")})))
    with pytest.raises(GateError, match="it contains NaN"):
        baselines.read_baseline(path)


def test_concurrent_atomic_writes_never_show_half_a_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    docs = [(json.dumps({"writer": i, "payload": "x" * 200_000}) + "\n").encode() for i in range(4)]
    baselines.atomic_write(path, docs[0])
    stop = threading.Event()
    seen: list[int] = []
    errors: list[Exception] = []

    def write(i: int) -> None:
        for _ in range(25):
            baselines.atomic_write(path, docs[i])

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(json.loads(path.read_bytes())["writer"])
            except Exception as exc:  # a torn read would land here
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    reader.join()
    assert not errors and seen
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]


def test_simultaneous_updates_of_one_file_keep_every_history_entry(tmp_path: Path) -> None:
    """Eight runs accept a new baseline for the same test at once: the history is merged inside the folder lock,
    with the file as it is then, so each accepted value is one entry and none is lost."""
    y, score = Y[500:], CHAMPION.predict_proba(X[500:])[:, 1]
    settings = GateSettings(n_resamples=20, baseline_dir=tmp_path, update_baselines=True)
    start = threading.Barrier(8)
    errors: list[Exception] = []

    def update(i: int) -> None:
        worse = np.where(np.arange(y.size) < 10 * (i + 1), 0.5, score)  # a different AUC for each run
        start.wait()
        try:
            quiet(BaselineGate, settings=settings, key="shared").compare(None, None, y, y_score=worse,
                                                                       metrics="roc_auc")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=update, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    [path] = tmp_path.glob("*.json")
    history = json.loads(path.read_text())["history"]
    assert len({entry["metrics"]["roc_auc"]["value"] for entry in history}) == len(history) == 8


def test_an_unwritable_directory_is_a_gate_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("")
    with pytest.raises(GateError, match="could not write the baseline file"):
        baselines.atomic_write(blocker / "b.json", b"{}")


# --- fingerprint -----------------------------------------------------------------------------------------------


def test_fingerprint_sees_every_kind_of_change() -> None:
    frame = pd.DataFrame({"a": np.arange(50.0), "b": list("xy" * 25)})
    y = np.arange(50) % 2
    base = baselines.fingerprint(frame, y)
    assert base == baselines.fingerprint(frame.copy(), y.copy())
    edited = frame.copy()
    edited.loc[3, "a"] = 3.5
    assert baselines.fingerprint_differences(base, baselines.fingerprint(edited, y)) == [
        "the values in X differ (same shape and columns)"]
    assert baselines.fingerprint_differences(base, baselines.fingerprint(frame.rename(columns={"b": "c"}), y)) == [
        "columns missing ['b'], new ['c']"]
    assert baselines.fingerprint_differences(base, baselines.fingerprint(frame, 1 - y)) == ["the labels y differ"]
    assert baselines.fingerprint_differences(base, baselines.fingerprint(frame.iloc[:40], y[:40]))[0] == (
        "n_rows 50 -> 40")
    as_array = baselines.fingerprint(frame[["a"]].to_numpy(), y)
    assert as_array["columns"] == ["x0"] and as_array["n_columns"] == 1
    weights = np.linspace(0.5, 2.0, 50)
    weighted = baselines.fingerprint(frame, y, weights)
    assert "weights_sha256" not in base and weighted == baselines.fingerprint(frame, y, weights.copy())
    assert baselines.fingerprint_differences(base, weighted) == [
        "it records no sample weights (written unweighted, or before pytest-mlgate recorded them), this run passes "
        "them"]
    assert baselines.fingerprint_differences(weighted, base) == [
        "it was written with sample weights, this run passes none"]
    assert baselines.fingerprint_differences(weighted, baselines.fingerprint(frame, y, weights[::-1])) == [
        "the sample weights differ"]
    # the metrics see the weights' shares: scaled weights are the same weights, constant ones no weights at all
    assert baselines.fingerprint(frame, y, weights * 7.3) == weighted
    assert baselines.fingerprint(frame, y, np.full(50, 2.5)) == base == baselines.fingerprint(frame, y, np.ones(50))
    assert baselines.fingerprint(frame, y, weights + 1e-6)["weights_sha256"] != weighted["weights_sha256"]


def test_a_weighted_baseline_is_compared_only_with_the_same_weights(tmp_path: Path) -> None:
    """A weighted AUC is another number than the unweighted one: comparing the two would judge a change that
    is not in the model. The file records the weights' hash; a run with other weights (or none) is refused."""
    y, score = Y[500:], CHAMPION.predict_proba(X[500:])[:, 1]
    weights = np.where(y == 1, 3.0, 1.0)
    write = GateSettings(n_resamples=100, baseline_dir=tmp_path, update_baselines=True)
    quiet(BaselineGate, settings=write, key="w").compare(None, None, y, y_score=score, metrics="roc_auc",
                                                         sample_weight=weights)
    [path] = tmp_path.glob("*.json")
    assert "weights_sha256" in json.loads(path.read_text())["data"]
    read = GateSettings(n_resamples=100, baseline_dir=tmp_path)
    [same] = quiet(BaselineGate, settings=read, key="w").compare(None, None, y, y_score=score, metrics="roc_auc",
                                                                 sample_weight=weights, max_drop=0.2)
    assert same.value == 0 and same.status == "pass"
    [scaled] = quiet(BaselineGate, settings=read, key="w").compare(None, None, y, y_score=score, metrics="roc_auc",
                                                                   sample_weight=weights / 3, max_drop=0.2)
    assert scaled.value == 0 and scaled.status == "pass"
    for other in (None, np.ones(y.size)):  # constant weights are no weights
        with pytest.raises(GateError, match="written with sample weights, this run passes none"):
            quiet(BaselineGate, settings=read, key="w").compare(None, None, y, y_score=score, metrics="roc_auc",
                                                                sample_weight=other)
    with pytest.raises(GateError, match="the sample weights differ"):
        quiet(BaselineGate, settings=read, key="w").compare(None, None, y, y_score=score, metrics="roc_auc",
                                                            sample_weight=np.where(y == 1, 2.0, 1.0))


def test_migrating_a_010_file_keeps_its_value_in_the_history(tmp_path: Path) -> None:
    """The 0.1.0 file a new one replaces is the history's first entry, as an update of the same file would keep."""
    legacy, path = tmp_path / "tests__t.py__test_a.json", tmp_path / "t.py__test_a.json"
    baselines.write_baseline(legacy, _baseline(roc_auc=0.8))
    assert baselines.write_pair(path, _baseline(roc_auc=0.9), replaces=legacy)
    assert not legacy.exists()
    history = json.loads(path.read_text())["history"]
    assert [entry["metrics"]["roc_auc"]["value"] for entry in history] == [0.8, 0.9]


# --- the pure checks -------------------------------------------------------------------------------------------

X, Y = make_classification(n_samples=1000, n_features=6, n_informative=4, random_state=3)
CHAMPION = LogisticRegression().fit(X[:500], Y[:500])


class OneColumn:
    def __init__(self) -> None:
        self.inner = LogisticRegression().fit(X[:500, :1], Y[:500])

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return self.inner.predict(rows[:, :1])

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        return self.inner.predict_proba(rows[:, :1])


SETTINGS = GateSettings(n_resamples=300)


@pytest.mark.parametrize("metric", ["roc_auc", "accuracy", "log_loss"])
def test_compare_models_interval_matches_a_plain_loop(metric: str) -> None:
    weaker = OneColumn()
    gate = quiet(BaselineGate, settings=SETTINGS, key="t.py::test_cm")
    [result] = gate.compare_models(CHAMPION, weaker, X[500:], Y[500:], metric=metric, margin=0)
    assert result.status == "fail"
    y = Y[500:]
    if metric == "roc_auc":
        out_a, out_b, fn = CHAMPION.predict_proba(X[500:])[:, 1], weaker.predict_proba(X[500:])[:, 1], roc_auc_score
    elif metric == "accuracy":
        out_a, out_b, fn = CHAMPION.predict(X[500:]), weaker.predict(X[500:]), accuracy_score
    else:
        from sklearn.metrics import log_loss

        out_a, out_b = CHAMPION.predict_proba(X[500:])[:, 1], weaker.predict_proba(X[500:])[:, 1]
        fn = lambda t, p: log_loss(t, p, labels=[0, 1])  # noqa: E731
    loop = [fn(y[idx], out_b[idx]) - fn(y[idx], out_a[idx])
            for block in resample_indices(y.size, 300, result.details["seed"]) for idx in block]
    assert result.interval == pytest.approx(tuple(np.percentile(loop, [1, 99])), abs=1e-9)
    assert result.value == pytest.approx(fn(y, out_b) - fn(y, out_a), abs=1e-12)
    assert result.details["champion"]["value"] == pytest.approx(fn(y, out_a), abs=1e-12)
    if metric == "accuracy":
        assert result.details["test"] == "mcnemar_exact" and result.details["p_value"] < 1e-6


def test_compare_models_passes_an_equal_challenger_and_respects_the_margin() -> None:
    same = LogisticRegression().fit(X[:500], Y[:500])
    for metric in ("roc_auc", "accuracy", "brier"):
        [result] = quiet(BaselineGate, settings=SETTINGS).compare_models(CHAMPION, same, X[500:], Y[500:],
                                                                         metric=metric)
        assert result.status == "pass" and result.value == 0
    [loose] = quiet(BaselineGate, settings=SETTINGS).compare_models(CHAMPION, OneColumn(), X[500:], Y[500:],
                                                                    metric="roc_auc", margin=0.5)
    assert loose.status == "pass" and loose.limit == -0.5
    with pytest.raises(GateError, match="margin must be a finite number >= 0"):
        quiet(BaselineGate).compare_models(CHAMPION, same, X[500:], Y[500:], metric="roc_auc", margin=-0.1)


def test_compare_decision_rule_and_relative_drop(tmp_path: Path) -> None:
    y = Y[500:]
    score = CHAMPION.predict_proba(X[500:])[:, 1]
    write = GateSettings(n_resamples=300, baseline_dir=tmp_path, update_baselines=True)
    quiet(BaselineGate, settings=write, key="k").compare(None, None, y, y_score=score, metrics="roc_auc")
    read = GateSettings(n_resamples=300, baseline_dir=tmp_path)
    worse = np.where(np.arange(y.size) % 4 == 0, 0.5, score)  # a quarter of the rows lose their score
    [strict] = quiet(BaselineGate, settings=read, key="k").compare(None, None, y, y_score=worse, metrics="roc_auc")
    stored = strict.details["baseline"]
    _, hi = strict.interval
    assert strict.value == pytest.approx(roc_auc_score(y, worse) - stored["value"], abs=1e-9)
    lo, _ = strict.interval
    assert strict.status == ("fail" if hi < 0 else "pass" if lo >= 0 else "inconclusive")
    [relaxed] = quiet(BaselineGate, settings=read, key="k").compare(None, None, y, y_score=worse, metrics="roc_auc",
                                                                    max_drop=0.5, relative=True)
    assert relaxed.status == "pass" and relaxed.details["allowed_drop"] == pytest.approx(0.5 * stored["value"])
    with pytest.raises(GateError, match="max_drop has no entry for roc_auc"):
        quiet(BaselineGate, settings=read, key="k").compare(None, None, y, y_score=worse, metrics="roc_auc",
                                                            max_drop={"f1": 0.1})


def test_unchanged_model_with_a_new_alpha_never_fails(tmp_path: Path) -> None:
    y, score = Y[500:], CHAMPION.predict_proba(X[500:])[:, 1]
    write = GateSettings(n_resamples=200, baseline_dir=tmp_path, update_baselines=True)
    quiet(BaselineGate, key="k", settings=write).compare(None, None, y, y_score=score, metrics=["roc_auc", "brier"])
    read = GateSettings(alpha=0.05, n_resamples=200, baseline_dir=tmp_path)
    results = quiet(BaselineGate, key="k", settings=read).compare(None, None, y, y_score=score,
                                                                  metrics=["roc_auc", "brier"])
    # no drop at all; with the default max_drop=0 no sample can show "at most 0", so the verdict is inconclusive
    assert [r.status for r in results] == ["inconclusive", "inconclusive"] and all(r.value == 0 for r in results)


def test_second_compare_in_one_test_needs_a_name(tmp_path: Path) -> None:
    gate = BaselineGate(Recorder(node_id="t.py::test_two",
                                 settings=GateSettings(n_resamples=50, baseline_dir=tmp_path, update_baselines=True)))
    y, score = Y[500:], CHAMPION.predict_proba(X[500:])[:, 1]
    gate.compare(y=y, y_score=score, metrics="roc_auc")
    with pytest.raises(GateError, match="pass name="):
        gate.compare(y=y, y_score=score, metrics="roc_auc")
    gate.compare(y=y, y_score=score, metrics="roc_auc", name="second")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.py__test_two.json", "t.py__test_two__second.json"]
    missing = BaselineGate(Recorder(node_id="t.py::test_new", settings=GateSettings(baseline_dir=tmp_path)))
    with pytest.raises(GateFailure, match="does not exist"):
        missing.compare(y=y, y_score=score, metrics="roc_auc")


# --- default margins and seed variants (#15 item 2) ------------------------------------------------------------


class Scores:
    """A model whose scores were made elsewhere: row ``i`` of ``X`` (its first column) gets ``scores[i]``."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores
        self.classes_ = np.array([0, 1])

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        p = self.scores[np.asarray(rows)[:, 0].astype(int)]
        return np.column_stack([1 - p, p])

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return (self.predict_proba(rows)[:, 1] > 0.5).astype(int)


def _seed_like(n: int = 20_000, models: int = 7, seed: int = 5) -> tuple[np.ndarray, np.ndarray, list[Scores]]:
    """Many rows, and models that share the signal and differ by their own noise: seed variants."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    signal = 1.4 * y + rng.normal(size=n)
    out = [Scores(1 / (1 + np.exp(-(signal + rng.normal(0, s, n))))) for s in np.linspace(0.30, 0.36, models)]
    return np.arange(n)[:, None], y, out


def test_compare_models_default_margin_tolerates_a_seeds_spread() -> None:
    X, y, (champion, challenger, *_) = _seed_like()
    gap = roc_auc_score(y, challenger.scores) - roc_auc_score(y, champion.scores)
    assert -0.005 < gap < 0  # slightly worse, as a retrain with another seed is half of the time
    strict = quiet(BaselineGate, settings=SETTINGS).compare_models(champion, challenger, X, y, metric="roc_auc",
                                                                   margin=0)[0]
    default = quiet(BaselineGate, settings=SETTINGS).compare_models(champion, challenger, X, y, metric="roc_auc")[0]
    assert strict.status == "fail" and strict.interval[1] < 0  # the paired interval sees the small difference
    # the default margin does not fail a seed's difference; these rows cannot show it is within 0.005 either
    assert default.status == "inconclusive" and default.limit == -0.005 and default.details["default_margin"]
    assert "(the default: see docs/baseline.md)" in default.message
    # losses: 1% of the champion's value
    [loss] = quiet(BaselineGate, settings=SETTINGS).compare_models(champion, challenger, X, y, metric="log_loss")
    from sklearn.metrics import log_loss

    assert loss.limit == pytest.approx(0.01 * log_loss(y, champion.scores), rel=1e-12)


def test_compare_models_seed_variants_use_a_t_bound_on_their_spread() -> None:
    from scipy.stats import t

    X, y, models = _seed_like()
    *variants, challenger = models
    [result] = quiet(BaselineGate, settings=SETTINGS).compare_models(variants, challenger, X, y, metric="roc_auc")
    values = [roc_auc_score(y, m.scores) for m in variants]
    k, spread = len(values), float(np.std(values, ddof=1))
    half = t.ppf(0.99, k - 1) * spread * np.sqrt(1 + 1 / k)
    difference = roc_auc_score(y, challenger.scores) - np.mean(values)
    assert result.details["champion_variants"] == pytest.approx(values, abs=1e-12)
    assert result.details["seed_spread"] == pytest.approx(spread, rel=1e-9)
    assert result.interval == pytest.approx((difference - half, difference + half), abs=1e-12)
    assert result.status == "inconclusive" and result.limit == -0.005  # within the seed spread: never a failure
    worse = Scores(np.clip(challenger.scores + np.random.default_rng(1).normal(0, 0.35, y.size), 1e-6, 1 - 1e-6))
    [bad] = quiet(BaselineGate, settings=SETTINGS).compare_models(variants, worse, X, y, metric="roc_auc")
    assert bad.status == "fail" and "seed variants" in bad.message
    with pytest.raises(GateError, match="at least two models"):
        quiet(BaselineGate).compare_models([variants[0]], challenger, X, y, metric="roc_auc")
    with pytest.raises(GateError, match="they are one model"):
        quiet(BaselineGate).compare_models([variants[0], variants[0]], challenger, X, y, metric="roc_auc")


def test_paired_compare_default_drop_is_the_seed_margin_and_unpaired_stays_strict(tmp_path: Path) -> None:
    X, y, (champion,) = _seed_like(n=5_000, models=1, seed=2)
    # a close retrain: the same scores a little perturbed, 0.0016 AUC lower, which a paired interval resolves
    noise = np.random.default_rng(3).normal(0, 0.02, y.size)
    challenger = Scores(np.clip(champion.scores + noise, 1e-6, 1 - 1e-6))
    for paired in (True, False):
        folder = tmp_path / str(paired)
        write = GateSettings(n_resamples=300, baseline_dir=folder, update_baselines=True)
        quiet(BaselineGate, settings=write, key="k").compare(champion, X, y, metrics="roc_auc",
                                                             store_predictions=paired)
        read = GateSettings(n_resamples=300, baseline_dir=folder)
        [result] = quiet(BaselineGate, settings=read, key="k").compare(challenger, X, y, metrics="roc_auc")
        assert result.details["paired"] is paired
        assert result.details["allowed_drop"] == (0.005 if paired else 0.0)
        assert result.status == ("pass" if paired else "inconclusive")  # unpaired: too wide to show it either way
        [strict] = quiet(BaselineGate, settings=read, key="k").compare(challenger, X, y, metrics="roc_auc",
                                                                      max_drop=0)
        # paired sees a seed's difference
        assert strict.status == ("fail" if paired else "inconclusive"), strict.message
