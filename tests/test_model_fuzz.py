"""model_gate.fuzz: hypothesis draws schema-valid inputs from a pandera schema; a model that crashes (or returns
NaN) on one of them fails with the shrunk input shown, the same way on every run with the same seed."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis  # noqa: F401  (imported once in the outer process: pytester restores sys.modules)
import numpy as np
import pandas as pd
import pandera.pandas as pa
import polars as pl
import pytest

from pytest_mlgate.gates.base import GateSettings
from pytest_mlgate.gates.model import ModelGate
from pytest_mlgate.results import GateError

import model_models as mm  # isort: skip
from quiet import quiet  # isort: skip

MODELS = (Path(__file__).parent / "model_models.py").read_text()
SCHEMA = """
import pandera.pandas as pa
import pytest
from models import *

X, y = make_data()
schema = pa.DataFrameSchema({
    "income": pa.Column(float, pa.Check.in_range(0, 200)),
    "age": pa.Column(int, pa.Check.in_range(18, 90)),
    "noise": pa.Column(float, pa.Check.in_range(-5, 5)),
    "region": pa.Column(str, pa.Check.isin(["north", "south", "east"])),
})
"""


def schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "income": pa.Column(float, pa.Check.in_range(0, 200)),
        "age": pa.Column(int, pa.Check.in_range(18, 90)),
        "noise": pa.Column(float, pa.Check.in_range(-5, 5)),
        "region": pa.Column(str, pa.Check.isin(["north", "south", "east"])),
    })


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    return mm.make_data()


@pytest.fixture(scope="module", autouse=True)
def load_strategy_modules(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    """pytester restores sys.modules after each in-process run: a module first imported inside one (pandera's
    strategies, hypothesis.extra.pandas) would later be imported a second time, and pandera's strategies then
    meet two copies of their own classes and filter out every example. One small fuzz run here loads them all
    in the outer process first."""
    quiet(ModelGate).fuzz(mm.Sound(*data), schema(), max_examples=1)


def failure_block(stdout: str) -> str:
    """The GateFailure message of the one failed test: from its first line to the 'What to do' line."""
    match = re.search(r"E +pytest_mlgate\.results\.GateFailure: (.*?What to do:[^\n]*)", stdout, re.S)
    assert match, stdout
    return match.group(1)


def test_fuzz_sound_passes_fragile_fails_with_the_shrunk_input_same_on_every_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=MODELS)
    pytester.makepyfile(test_suite=SCHEMA + """
def test_sound(model_gate):
    [result] = model_gate.fuzz(Sound(X, y), schema, max_examples=10)
    assert result.status == "pass" and result.n >= 10

def test_fragile(model_gate):
    model_gate.fuzz(Fragile(X, y), schema, max_examples=20)
""")
    first = pytester.runpytest("-p", "no:cacheprovider", "--mlgate-seed", "7")
    first.assert_outcomes(passed=1, failed=1)
    first.stdout.fnmatch_lines([
        "*GateFailure: model_validation.fuzz Fragile: model.predict(X) raised ValueError: age outside the range "
        "seen in training; model.predict_proba(X) raised ValueError: age outside the range seen in training on a "
        "schema-valid input (property 'runs': every prediction method runs). "
        "Found after * generated inputs (seed *), shrunk by hypothesis to this 1-row input:",
        "*income*age*noise*region",
        "*0 *8[6-9]*",  # the smallest failing row: an age above 85, everything else minimal
        "*What to do: fix the model (or its wrapper) so it predicts for these inputs*tighten the schema*"
        "--mlgate-seed reproduces this input.",
    ])
    # the second run in a fresh process (with its own hash seed): only --mlgate-seed decides the examples
    second = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--mlgate-seed", "7")
    second.assert_outcomes(passed=1, failed=1)
    assert failure_block(str(second.stdout)) == failure_block(str(first.stdout))


def test_fuzz_is_deterministic_for_a_seed_and_shrinks(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    settings = GateSettings(seed=11)
    runs = [quiet(ModelGate, settings=settings, key="t").fuzz(mm.NaNForOld(X, y), schema(), max_examples=20)
            for _ in range(2)]
    assert [r[0].status for r in runs] == ["fail", "fail"]
    assert runs[0][0].details == runs[1][0].details
    assert runs[0][0].message == runs[1][0].message
    [row] = runs[0][0].details["example"]
    assert runs[0][0].details["property"] == "finite"
    assert 70 < row["age"] <= 90 and row["income"] == 0 and row["noise"] == 0  # shrunk: only age matters
    # another test (check key) or another --mlgate-seed draws other inputs
    assert GateSettings(seed=11).seed_for("u", "fuzz") != runs[0][0].details["seed"]
    assert GateSettings(seed=12).seed_for("t", "fuzz") != runs[0][0].details["seed"]


def test_fuzz_polars_model_via_convert(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    seen: list[type] = []

    class PolarsOnly(mm.Sound):
        def predict_proba(self, X: object) -> np.ndarray:
            seen.append(type(X))
            if not isinstance(X, pl.DataFrame):
                raise TypeError("expects a polars DataFrame")
            return super().predict_proba(X)

    [result] = quiet(ModelGate).fuzz(PolarsOnly(X, y), schema(), max_examples=10, convert="polars")
    assert result.status == "pass" and set(seen) == {pl.DataFrame}
    [crash] = quiet(ModelGate).fuzz(PolarsOnly(X, y), schema(), max_examples=10)
    assert crash.status == "fail" and "expects a polars DataFrame" in crash.message


def test_fuzz_bad_input(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = data
    import pandera.polars as pap

    with pytest.raises(GateError, match="must be a pandera DataFrameSchema"):
        quiet(ModelGate).fuzz(mm.Sound(X, y), {"income": float})
    with pytest.raises(GateError, match=r"cannot generate data from this schema.*convert='polars'"):
        quiet(ModelGate).fuzz(mm.Sound(X, y), pap.DataFrameSchema({"income": pap.Column(float)}))
    impossible = pa.DataFrameSchema({"age": pa.Column(int, [pa.Check.gt(10), pa.Check.lt(5)])})
    with pytest.raises(GateError, match=r"generating inputs from the schema failed: .*jointly unsatisfiable"):
        quiet(ModelGate).fuzz(mm.Sound(X, y), impossible, max_examples=3)
    with pytest.raises(GateError, match="max_examples must be a positive integer"):
        quiet(ModelGate).fuzz(mm.Sound(X, y), schema(), max_examples=0)
