"""Every snippet of docs/model_validation.md runs, and passes, as the test file a user would write."""

from __future__ import annotations

import re
from pathlib import Path

import pandera.pandas
import pytest
from sklearn import compose, pipeline  # noqa: F401  (imported in the outer process: pytester restores sys.modules)

DOC = Path(__file__).parent.parent / "docs" / "model_validation.md"


@pytest.fixture(scope="module", autouse=True)
def load_strategy_modules() -> None:
    """Load pandera's strategies in the outer process (see tests/test_model_fuzz.py: pytester restores
    sys.modules after each in-process run, and a second copy of them filters out every example)."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from pytest_mlgate.gates.model import ModelGate

    model = LogisticRegression().fit(pd.DataFrame({"a": [0.0, 1.0]}), np.array([0, 1]))
    schema = pandera.pandas.DataFrameSchema({"a": pandera.pandas.Column(float)})
    ModelGate(raises=False).fuzz(model, schema, max_examples=1)


def test_every_snippet_runs_and_passes(pytester: pytest.Pytester) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    source = "\n\n".join(blocks)
    tests = re.findall(r"^def (test_\w+)", source, re.M)
    assert len(tests) >= 7 and len(set(tests)) == len(tests)
    pytester.makepyfile(test_docs=source)
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "mlgate_n_resamples=200", "--durations=4")
    result.assert_outcomes(passed=len(tests))
