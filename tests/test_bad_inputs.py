"""The bad-input matrix: every malformed input to the four gates and the plugin is a clear error, nothing else.

Each gate case is a snippet of user code run twice: directly (the exact exception type is ``GateError``, its
message names the problem, the gate recorded an "error" row, and no file under the baseline directory changed by
a single byte), and through pytest in one file (every case fails at the user's own line, with no internal frame
and no INTERNALERROR). Plugin cases are usage errors: pytest exits with code 4 and says what is wrong.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis  # noqa: F401  (imported once out here: its pytest plugin would re-import it in every inner run)
import pytest

from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.baseline import BaselineGate
from pytest_mlgate.gates.data import DataGate
from pytest_mlgate.gates.fairness import FairnessGate
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError

#: What every case may use: small data, fitted and broken models, and helpers for baseline files.
PRELUDE = textwrap.dedent(
    """
    from dataclasses import replace

    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from pytest_mlgate import baselines
    from pytest_mlgate.gates.base import Recorder
    from pytest_mlgate.gates.baseline import BaselineGate

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = pd.Series((X["a"] + rng.normal(size=200) > 0).astype(int), name="y")
    sex = pd.Series(np.where(rng.random(200) < 0.5, "f", "m"), name="sex")
    score = rng.random(200)
    model = LogisticRegression().fit(X, y)
    colors = pd.DataFrame({"color": rng.choice(["red", "blue"], 200)})
    color_model = make_pipeline(OneHotEncoder(), LogisticRegression()).fit(colors, y)


    class Raises:
        def predict(self, X):
            raise RuntimeError("backend down")


    class ReturnsList:
        def predict(self, X):
            return [0] * len(X)


    class TooFewRows:
        def predict(self, X):
            return np.zeros(len(X) - 1, dtype=int)


    class NaNProba:
        classes_ = np.array([0, 1])

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

        def predict_proba(self, X):
            return np.full((len(X), 2), np.nan)


    def baseline_file(gate):
        return baselines.baseline_path(gate.settings.baseline_dir, gate.recorder.node_id or "baseline")


    def write_baseline(gate, X, y):
        settings = replace(gate.settings, update_baselines=True)
        BaselineGate(Recorder(node_id=gate.recorder.node_id, settings=settings)).compare(
            model, X, y, metrics=["roc_auc"])


    def break_baseline(gate, text):
        path = baseline_file(gate)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


    def unwritable(gate, tmp_path):
        '''The same gate, its baseline directory under a plain file: nothing can be written there.'''
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("a file where the baseline directory should be")
        settings = replace(gate.settings, baseline_dir=blocker / "baselines", update_baselines=True)
        return BaselineGate(Recorder(node_id=gate.recorder.node_id, settings=settings))
    """
)


@dataclass(frozen=True)
class Case:
    id: str
    call: str  # one line of user code that must raise GateError
    words: tuple[str, ...]  # key words of the message, each must appear in it
    setup: str = ""  # user code run before ``call`` (may write files)

    @property
    def gate(self) -> str:
        return self.call.split(".")[0]


def case(id: str, call: str, *words: str, setup: str = "") -> Case:
    return Case(id, call, words, setup)


DP = '{"demographic_parity": 0.1}'
CASES = [
    # --- model_gate ------------------------------------------------------------------------------------------
    case("metrics-nan-labels", 'model_gate.metrics(y=y.astype(float).where(y > 0), y_pred=y, min={"accuracy": 0.5})',
         "y contains", "NaN"),
    case("metrics-inf-scores", 'model_gate.metrics(y=y, y_score=np.r_[np.inf, score[1:]], min={"roc_auc": 0.5})',
         "y_score", "NaN or infinite", "row 0"),
    case("metrics-empty", 'model_gate.metrics(y=[], y_pred=[], min={"accuracy": 0.5})', "y is empty"),
    case("metrics-one-row-auc", 'model_gate.metrics(y=[1], y_score=[0.3], min={"roc_auc": 0.5})',
         "single class", "roc_auc needs at least two classes"),
    case("metrics-one-class", 'model_gate.metrics(y=np.ones(200, int), y_score=score, min={"roc_auc": 0.5})',
         "single class"),
    case("metrics-mismatched-lengths", 'model_gate.metrics(y=y, y_pred=y[:150], min={"accuracy": 0.5})',
         "mismatched lengths", "200", "150"),
    case("metrics-text-scores", 'model_gate.metrics(y=y, y_score=["high"] * 200, min={"roc_auc": 0.5})',
         "y_score must be numeric"),
    case("metrics-2d-labels", 'model_gate.metrics(y=np.zeros((200, 2)), y_pred=y, min={"accuracy": 0.5})',
         "y must be 1-dimensional"),
    case("metrics-unfitted-model", 'model_gate.metrics(LogisticRegression(), X, y, min={"accuracy": 0.5})',
         "LogisticRegression", "not fitted", "fit()"),
    case("metrics-model-raises", 'model_gate.metrics(Raises(), X, y, min={"accuracy": 0.5})',
         "model.predict(X) raised RuntimeError", "backend down"),
    case("metrics-model-returns-list", 'model_gate.metrics(ReturnsList(), X, y, min={"accuracy": 0.5})',
         "returned a list", "numpy array"),
    case("metrics-model-too-few-rows", 'model_gate.metrics(TooFewRows(), X, y, min={"accuracy": 0.5})',
         "returned 199 rows for 200 input rows"),
    case("metrics-model-nan-proba", 'model_gate.metrics(NaNProba(), X, y, min={"roc_auc": 0.5})',
         "predict_proba(X)", "NaN or infinite"),
    case("metrics-no-predict", 'model_gate.metrics(object(), X, y, min={"accuracy": 0.5})',
         "no predict method", "object"),
    case("metrics-missing-column", 'model_gate.metrics(model, X[["a"]], y, min={"accuracy": 0.5})',
         "model.predict(X) raised ValueError", "feature names"),
    case("metrics-unseen-category",
         'model_gate.metrics(color_model, colors.assign(color="green"), y, min={"accuracy": 0.5})',
         "raised ValueError", "unknown categor"),
    case("metrics-unknown-metric", 'model_gate.metrics(model, X, y, min={"roc_acu": 0.5})',
         "unknown metric 'roc_acu'", "Did you mean 'roc_auc'"),
    case("metrics-limit-not-a-mapping", "model_gate.metrics(model, X, y, min=0.5)", "min must be a mapping"),
    case("metrics-nan-limit", 'model_gate.metrics(model, X, y, min={"accuracy": float("nan")})',
         "min for 'accuracy' must be a finite number"),
    case("metrics-min-above-max", 'model_gate.metrics(model, X, y, min={"accuracy": 0.9}, max={"accuracy": 0.1})',
         "above max", "no value can pass"),
    case("metrics-model-and-predictions", 'model_gate.metrics(model, X, y, y_pred=y, min={"accuracy": 0.5})',
         "not both"),
    case("metrics-nothing-to-score", 'model_gate.metrics(y=y, min={"accuracy": 0.5})', "pass a model"),
    case("metrics-bad-decision", 'model_gate.metrics(model, X, y, min={"accuracy": 0.5}, decision="median")',
         "decision must be 'interval' or 'point'"),
    # --- data_gate -------------------------------------------------------------------------------------------
    case("drift-missing-column", "data_gate.drift(X, X[['a']])", "different columns", "missing from current", "'b'"),
    case("drift-duplicate-columns", "data_gate.drift(X, pd.concat([X, X[['a']]], axis=1))",
         "duplicate column names", "a"),
    case("drift-wrong-dtype", "data_gate.drift(X, X.assign(b=X['b'].astype(str)))",
         "column 'b'", "numeric in reference", "categorical/text in current"),
    case("drift-inf", "data_gate.drift(X, X.assign(a=np.inf))", "column 'a'", "infinite"),
    case("drift-empty", "data_gate.drift(X.iloc[:0], X)", "reference is empty"),
    case("drift-all-missing-reference", "data_gate.drift(X.assign(b=np.nan), X)",
         "column 'b'", "entirely missing in reference"),
    case("drift-datetime", "data_gate.drift(X.assign(t=pd.Timestamp('2020-01-01')), "
         "X.assign(t=pd.Timestamp('2021-01-01')))",
         "datetime64", "does not support"),
    case("drift-not-a-frame", "data_gate.drift([1, 2, 3], X)", "reference must be a pandas or polars DataFrame"),
    case("drift-unknown-column", "data_gate.drift(X, X, columns=['zz'])", "'zz'"),
    case("drift-bad-alpha", "data_gate.drift(X, X, alpha=2)", "alpha must be between 0 and 1"),
    case("drift-profile-without-format", "data_gate.drift({'columns': {}}, X)", "profile", "'format'"),
    case("missing-bad-fraction", "data_gate.missing(X, max_fraction=2)", "max_fraction", "between 0 and 1"),
    case("leakage-no-shared-columns", "data_gate.leakage(X, X[['a']].rename(columns={'a': 'c'}))",
         "columns missing from train", "'c'"),
    case("validate-not-a-schema", "data_gate.validate(X, {'a': int})",
         "schema must be a pandera DataFrameSchema"),
    # --- fairness_gate ---------------------------------------------------------------------------------------
    case("fairness-missing-column", f"fairness_gate.check(model, X, y, sensitive_features='sex', max_difference={DP})",
         "sensitive feature column(s) 'sex' not found in X"),
    case("fairness-nan-group",
         f"fairness_gate.check(y=y, y_pred=y, sensitive_features=sex.where(sex == 'f'), max_difference={DP})",
         "sensitive feature 'sex'", "missing value", "fillna"),
    case("fairness-one-group",
         f"fairness_gate.check(y=y, y_pred=y, sensitive_features=['m'] * 200, max_difference={DP})",
         "fewer than two groups", "min_group_size"),
    case("fairness-mismatched-lengths", f"fairness_gate.check(y=y, y_pred=y, sensitive_features=sex[:150], "
         f"max_difference={DP})", "mismatched lengths", "sensitive_features has 150"),
    case("fairness-unknown-disparity", "fairness_gate.check(y=y, y_pred=y, sensitive_features=sex, "
         "max_difference={'demographic_parit': 0.1})", "unknown disparity 'demographic_parit'",
         "Did you mean 'demographic_parity'"),
    case("fairness-negative-limit", "fairness_gate.check(y=y, y_pred=y, sensitive_features=sex, "
         "max_difference={'demographic_parity': -0.1})", "negative"),
    case("fairness-limit-not-a-mapping", "fairness_gate.check(y=y, y_pred=y, sensitive_features=sex, "
         "max_difference=0.1)", "max_difference must map disparity names to limits"),
    case("fairness-ratio-above-one", "fairness_gate.check(y=y, y_pred=y, sensitive_features=sex, "
         "min_ratio={'demographic_parity': 1.5})", "must lie in [0, 1]"),
    case("fairness-no-labels", f"fairness_gate.check(y_pred=y, y=None, sensitive_features=sex, max_difference={DP})",
         "y (the true labels) is required"),
    case("fairness-negative-weights", f"fairness_gate.check(y=y, y_pred=y, sensitive_features=sex, "
         f"sample_weight=-np.ones(200), max_difference={DP})", "sample_weight", "negative"),
    case("fairness-scores-not-labels", f"fairness_gate.check(y=y, y_pred=score, sensitive_features=sex, "
         f"max_difference={DP})", "binary labels", "distinct values"),
    case("fairness-no-positives", "fairness_gate.check(y=np.zeros(200), y_pred=np.zeros(200), sensitive_features=sex, "
         "max_difference={'equalized_odds': 0.1})", "true_positive_rate is undefined", "no rows with a positive label"),
    # --- baseline_gate ---------------------------------------------------------------------------------------
    case("baseline-not-json", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"])', "is broken",
         "not valid JSON", "--mlgate-update-baselines", setup='break_baseline(baseline_gate, "{not json")'),
    case("baseline-nan-inside", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"])', "is broken", "NaN",
         setup='write_baseline(baseline_gate, X, y); path = baseline_file(baseline_gate); '
               'path.write_text(path.read_text().replace(\'"n": 200\', \'"n": NaN\', 1))'),
    case("baseline-wrong-shape", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"])', "is broken",
         "top level must be an object", setup='break_baseline(baseline_gate, "[1, 2, 3]")'),
    case("baseline-not-utf8", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"])', "is broken", "UTF-8",
         setup='break_baseline(baseline_gate, ""); baseline_file(baseline_gate).write_bytes(b"\\xff\\xfe\\x00")'),
    case("baseline-is-a-directory", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"])',
         "could not read the baseline file", setup="baseline_file(baseline_gate).mkdir(parents=True)"),
    case("baseline-from-other-data", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"])',
         "computed on other data", "n_rows 100 -> 200", setup="write_baseline(baseline_gate, X[:100], y[:100])"),
    case("baseline-same-shape-other-values", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"])',
         "computed on other data", "values in X differ", setup="write_baseline(baseline_gate, X * 2, y)"),
    case("baseline-unwritable-directory", 'blocked.compare(model, X, y, metrics=["roc_auc"])',
         "could not write the baseline file", setup="blocked = unwritable(baseline_gate, tmp_path)"),
    case("baseline-unknown-metric", 'baseline_gate.compare(model, X, y, metrics=["aucroc"])',
         "unknown metric 'aucroc'"),
    case("baseline-no-metrics", "baseline_gate.compare(model, X, y, metrics=[])", "metrics must be"),
    case("baseline-negative-drop", 'baseline_gate.compare(model, X, y, metrics=["roc_auc"], max_drop=-0.1)',
         "max_drop must be a finite number >= 0"),
    case("baseline-drop-missing-metric", 'baseline_gate.compare(model, X, y, metrics=["roc_auc", "accuracy"], '
         'max_drop={"roc_auc": 0.01})', "max_drop has no entry for accuracy"),
    case("compare-models-no-rows", 'baseline_gate.compare_models(model, model, None, y, metric="roc_auc")',
         "pass X"),
    case("compare-models-unfitted-challenger", 'baseline_gate.compare_models(model, LogisticRegression(), X, y, '
         'metric="roc_auc")', "challenger", "not fitted"),
    case("compare-models-negative-margin", 'baseline_gate.compare_models(model, model, X, y, metric="roc_auc", '
         'margin=-1)', "margin must be a finite number >= 0"),
]
GATE_CLASSES = {"model_gate": ModelGate, "data_gate": DataGate, "fairness_gate": FairnessGate,
                "baseline_gate": BaselineGate}
SHARED: dict[str, Any] = {}


def namespace(tmp_path: Path) -> dict[str, Any]:
    """The prelude's names (run once per session) plus fresh gates bound to a baseline directory in tmp_path."""
    if not SHARED:
        exec(PRELUDE, SHARED)
    settings = GateSettings(n_resamples=200, baseline_dir=tmp_path / "baselines")
    ns = dict(SHARED)
    ns.update({name: cls(Recorder(settings=settings)) for name, cls in GATE_CLASSES.items()})
    ns["tmp_path"] = tmp_path
    return ns


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_the_matrix_is_large_and_covers_every_gate() -> None:
    assert len(CASES) + len(PLUGIN_CASES) >= 40
    assert {c.gate for c in CASES} - {"blocked"} == set(GATE_CLASSES)
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("bad", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_a_gate_error_naming_the_problem(bad: Case, tmp_path: Path) -> None:
    ns = namespace(tmp_path)
    if bad.setup:
        exec(bad.setup, ns)
    before = snapshot(tmp_path)
    with pytest.raises(GateError) as info:
        exec(bad.call, ns)
    assert type(info.value) is GateError
    message = str(info.value)
    missing = [word for word in bad.words if word not in message]
    assert not missing, f"{missing} not in the message: {message}"
    assert snapshot(tmp_path) == before, "a file changed although the check refused its input"
    gate = ns.get(bad.gate)
    if gate is not None:  # the gate recorded the error for the reports, too
        assert gate.recorder.results[-1].status == "error"
        assert message in gate.recorder.results[-1].message


def test_every_case_fails_at_the_users_line_through_pytest(pytester: pytest.Pytester) -> None:
    source = PRELUDE
    for bad in CASES:
        body = [line for line in (bad.setup, bad.call) if line]
        source += (f"\n\ndef test_{bad.id.replace('-', '_')}(data_gate, model_gate, baseline_gate, fairness_gate, "
                   f"tmp_path):\n" + "".join(f"    {line}\n" for line in body))
    path = pytester.makepyfile(test_matrix=source)
    pytester.makeini("[pytest]\nmlgate_n_resamples = 200\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=len(CASES))
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
    assert "pytest_mlgate/" not in output and "pytest_mlgate\\" not in output, "an internal frame was shown"
    calls = {node.name: node.body[-1].lineno for node in ast.parse(path.read_text()).body
             if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    assert len(calls) == len(CASES)
    for name, line in calls.items():  # each failure ends on the user's own call, reported as a GateError
        assert f"test_matrix.py:{line}: GateError" in output, f"{name} did not fail at line {line} with a GateError"


@dataclass(frozen=True)
class PluginCase:
    id: str
    expected: str  # a line of pytest's stderr (fnmatch pattern)
    test: str = "def test_x():\n    pass\n"
    ini: str = ""
    args: tuple[str, ...] = ()


PLUGIN_CASES = [
    PluginCase("misspelt-marker-argument", "*model_validation on test_bad.py::test_x: *unexpected keyword "
               "argument 'severiy'*", "import pytest\n\n@pytest.mark.model_validation(severiy='warn')\n"
               "def test_x():\n    pass\n"),
    PluginCase("unknown-severity", "*baseline on test_bad.py::test_x: severity must be 'fail' or 'warn', got "
               "'error'", "import pytest\n\n@pytest.mark.baseline(severity='error')\ndef test_x():\n    pass\n"),
    PluginCase("marker-on-a-class", "*fairness on test_bad.py::TestX::test_x: severity must be 'fail' or 'warn', "
               "got 'soft'", "import pytest\n\n@pytest.mark.fairness(severity='soft')\nclass TestX:\n"
               "    def test_x(self):\n        pass\n"),
    PluginCase("marker-unknown-keyword-on-gated-test", "*data_quality on test_bad.py::test_x: *unexpected keyword "
               "argument 'alpha'*", "import pytest\n\n@pytest.mark.data_quality(alpha=0.05)\n"
               "def test_x(data_gate):\n    pass\n"),
    PluginCase("alpha-zero", "*ini key mlgate_alpha must be between 0 and 0.5, got 0.0", ini="mlgate_alpha = 0"),
    PluginCase("alpha-not-a-number", "*ini key mlgate_alpha must be a float, got 'tiny'", ini="mlgate_alpha = tiny"),
    PluginCase("resamples-not-an-int", "*ini key mlgate_n_resamples must be a int, got 'many'",
               ini="mlgate_n_resamples = many"),
    PluginCase("resamples-negative", "*ini key mlgate_n_resamples must be at least 1, got -5",
               ini="mlgate_n_resamples = -5"),
    PluginCase("seed-not-an-int", "*ini key mlgate_seed must be a int, got 'random'", ini="mlgate_seed = random"),
    PluginCase("seed-option-not-an-int", "*--mlgate-seed*invalid int value*", args=("--mlgate-seed", "abc")),
]


@pytest.mark.parametrize("bad", PLUGIN_CASES, ids=[c.id for c in PLUGIN_CASES])
def test_plugin_misuse_is_a_usage_error(pytester: pytest.Pytester, bad: PluginCase) -> None:
    if bad.ini:
        pytester.makeini(f"[pytest]\n{bad.ini}\n")
    pytester.makepyfile(test_bad=bad.test)
    result = pytester.runpytest(*bad.args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([bad.expected])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
