"""The life of a baseline through pytest: missing, written, unchanged, degraded, improved, other data, broken
files, stored predictions, and pytest-xdist workers writing at once."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import hypothesis  # noqa: F401  (imported once out here: its pytest plugin would re-import it in every inner run)
import pytest

TEST_FILE = textwrap.dedent(
    """
    import numpy as np
    import pytest
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=1600, n_features=6, n_informative=4, random_state=0)
    X_train, y_train, X_test, y_test = X[:800], y[:800], X[800:], y[800:]
    VARIANT = {variant!r}
    ROWS = {rows}


    class OneFeature:
        '''A clearly worse model: the same learner on the least useful single feature.'''

        def __init__(self, column):
            self.column = column
            self.inner = LogisticRegression().fit(X_train[:, [column]], y_train)

        def predict(self, X):
            return self.inner.predict(X[:, [self.column]])

        def predict_proba(self, X):
            return self.inner.predict_proba(X[:, [self.column]])


    def make_model():
        if VARIANT == "good":
            return LogisticRegression().fit(X_train, y_train)
        worst = int(np.argmin([abs(np.corrcoef(X_train[:, j], y_train)[0, 1]) for j in range(X.shape[1])]))
        return OneFeature(worst)


    def test_not_worse(baseline_gate):
        baseline_gate.compare(make_model(), X_test[:ROWS], y_test[:ROWS], metrics=["roc_auc", "log_loss"],
                              max_drop=0.01, store_predictions={store})
    """
)


def write_test(pytester: pytest.Pytester, variant: str = "good", rows: int = 800, store: bool = False) -> None:
    pytester.makepyfile(test_life=TEST_FILE.format(variant=variant, rows=rows, store=store))
    pytester.makeini("[pytest]\nmlgate_n_resamples = 300\n")


def baseline_file(pytester: pytest.Pytester) -> Path:
    return pytester.path / "mlgate_baselines" / "test_life.py__test_not_worse.json"


def test_the_life_of_a_baseline(pytester: pytest.Pytester) -> None:
    path = baseline_file(pytester)
    write_test(pytester)

    missing = pytester.runpytest()
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*test_life.py__test_not_worse.json does not exist*",
                                  "*run pytest --mlgate-update-baselines to write it*"])
    assert not path.exists()

    written = pytester.runpytest("--mlgate-update-baselines")
    written.assert_outcomes(passed=1)
    written.stdout.fnmatch_lines([f"mlgate: baseline written: {path}"])
    doc = json.loads(path.read_text())
    assert doc["schema_version"] == 1 and doc["node_id"] == "test_life.py::test_not_worse"
    assert set(doc["metrics"]) == {"roc_auc", "log_loss"}
    assert doc["metrics"]["log_loss"]["direction"] == "lower_is_better"
    assert doc["data"]["n_rows"] == 800 and doc["data"]["n_columns"] == 6
    assert path.read_text() == json.dumps(doc, indent=2, sort_keys=True) + "\n"  # sorted, stable, reviewable

    pytester.runpytest().assert_outcomes(passed=1)  # unchanged model

    write_test(pytester, "degraded")
    degraded = pytester.runpytest()
    degraded.assert_outcomes(failed=1)
    degraded.stdout.fnmatch_lines([
        f"*baseline.compare roc_auc = * vs baseline * in {path}: roc_auc dropped by *; difference -* "
        "(98% CI [[]-*, -*], current and baseline intervals combined) lies entirely beyond the allowed drop of 0.01.",
        "*What to do: *--mlgate-update-baselines*",
        "*log_loss rose by*",
    ])

    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)  # a weak model is the baseline now
    write_test(pytester, "good")
    improved = pytester.runpytest("-rP")
    improved.assert_outcomes(passed=1)
    improved.stdout.fnmatch_lines(["*roc_auc*improved*entirely on the better side*",
                                   "*Hint: raise the baseline*--mlgate-update-baselines*"])


def test_other_data_is_an_error_unless_updating(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    before = baseline_file(pytester).read_bytes()
    write_test(pytester, rows=700)
    other = pytester.runpytest()
    other.assert_outcomes(failed=1)
    other.stdout.fnmatch_lines(["*GateError: the baseline was computed on other data: n_rows 800 -> 700*"])
    assert baseline_file(pytester).read_bytes() == before
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    assert json.loads(baseline_file(pytester).read_text())["data"]["n_rows"] == 700
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_broken_file_is_an_error_and_stays_untouched(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    path = baseline_file(pytester)
    path.parent.mkdir()
    content = b'{"schema_version": 1, "metrics": {'
    path.write_bytes(content)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*GateError: the baseline file {path} is broken: it is not valid JSON (Expecting*",
                                 "*left untouched*--mlgate-update-baselines*"])
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files left behind either


def test_a_broken_file_is_rewritten_with_the_flag(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    path = baseline_file(pytester)
    path.parent.mkdir()
    path.write_text("{not json")
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    assert json.loads(path.read_text())["schema_version"] == 1


def test_stored_predictions_make_the_comparison_paired(pytester: pytest.Pytester) -> None:
    write_test(pytester, store=True)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    reference = json.loads(baseline_file(pytester).read_text())["predictions"]
    npz = baseline_file(pytester).parent / reference["file"]
    assert npz.exists() and npz.name.startswith("test_life.py__test_not_worse.predictions-")
    pytester.runpytest("-rP").stdout.fnmatch_lines(
        ["*difference 0 (98% CI [[]0, 0], paired bootstrap against the stored predictions, same rows)*"])
    write_test(pytester, "degraded", store=True)
    degraded = pytester.runpytest()
    degraded.assert_outcomes(failed=1)
    degraded.stdout.fnmatch_lines(["*roc_auc dropped by*paired bootstrap against the stored predictions*"])

    npz.write_bytes(npz.read_bytes()[:-10] + b"0123456789")  # tampered with
    tampered = pytester.runpytest()
    tampered.assert_outcomes(failed=1)
    tampered.stdout.fnmatch_lines(["*GateError: the stored predictions*do not match their baseline*SHA-256*"])

    write_test(pytester, "good", store=False)  # rewriting without predictions removes the stale file
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    assert not npz.exists()


def test_xdist_workers_writing_at_once_leave_valid_files(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_many=textwrap.dedent(
            """
            import numpy as np
            import pytest

            @pytest.mark.parametrize("shift", range(12))
            def test_scores(baseline_gate, shift):
                rng = np.random.default_rng(shift)
                y = rng.integers(0, 2, 3000)
                score = y + rng.normal(scale=1.0 + shift / 10, size=3000)
                baseline_gate.compare(y=y, y_score=score, metrics="roc_auc", max_drop=0.0)
            """
        )
    )
    pytester.makeini("[pytest]\nmlgate_n_resamples = 200\n")
    first = pytester.runpytest("-n", "2", "-p", "no:benchmark", "--mlgate-update-baselines")
    first.assert_outcomes(passed=12)
    files = sorted((pytester.path / "mlgate_baselines").iterdir())
    assert [p.suffix for p in files] == [".json"] * 12  # one file per test, no temp files left
    for path in files:
        doc = json.loads(path.read_text())
        assert doc["node_id"].startswith("test_many.py::test_scores[")
        assert doc["data"]["values_sha256"] is None  # predictions only: the labels pin the data
    pytester.runpytest().assert_outcomes(passed=12)  # and they read back as baselines


def test_missing_metric_in_an_existing_baseline_names_the_flag(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    source = (pytester.path / "test_life.py").read_text().replace('metrics=["roc_auc", "log_loss"]',
                                                                   'metrics=["roc_auc", "brier"]')
    (pytester.path / "test_life.py").write_text(source)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*has no baseline for brier (it holds log_loss, roc_auc)*",
                                 "*--mlgate-update-baselines*"])


def test_baseline_dir_from_ini(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    pytester.makeini("[pytest]\nmlgate_n_resamples = 100\nmlgate_baseline_dir = quality/baselines\n")
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    assert (pytester.path / "quality" / "baselines" / "test_life.py__test_not_worse.json").exists()


def test_compare_models_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_cm=textwrap.dedent(
            """
            from sklearn.datasets import make_classification
            from sklearn.linear_model import LogisticRegression

            X, y = make_classification(n_samples=1200, n_features=6, n_informative=4, random_state=1)
            champion = LogisticRegression().fit(X[:600], y[:600])
            weak = LogisticRegression().fit(X[:600, :1], y[:600])

            class Challenger:
                def predict(self, X):
                    return weak.predict(X[:, :1])

                def predict_proba(self, X):
                    return weak.predict_proba(X[:, :1])

            def test_equal(baseline_gate):
                baseline_gate.compare_models(champion, champion, X[600:], y[600:], metric="accuracy")

            def test_worse(baseline_gate):
                baseline_gate.compare_models(champion, Challenger(), X[600:], y[600:], metric="roc_auc")
            """
        )
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*baseline.compare_models roc_auc: challenger * vs champion *, difference -* (98% CI [[]-*, -*], paired "
        "bootstrap on the same 600 rows, bootstrap p=*): the challenger is worse than the champion*",
    ])
