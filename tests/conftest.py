"""Shared helpers for the project's own tests."""

from __future__ import annotations

import contextlib
import os
import textwrap

# Import the heavy stack once in the outer process: pytester's in-process runs restore sys.modules after each run,
# and numpy cannot be imported twice in one process.
# Every library a gate may load is imported here for the same reason (pandera's strategies, imported twice, would
# meet two copies of their own classes and filter out every generated example).
import fairlearn.metrics  # noqa: F401
import hypothesis
import hypothesis.extra.pandas
import numpy  # noqa: F401
import pandas
import pandera.pandas
import pandera.strategies
import pytest
import scipy.stats  # noqa: F401
import sklearn.datasets
import sklearn.linear_model  # noqa: F401

try:  # optional extra
    import pandera.polars  # noqa: F401
    import polars
except ImportError:  # pragma: no cover
    pass
try:  # optional extras: pandas' Parquet engine registers pyarrow extension types once per process (a second import
    # after pytester restored sys.modules fails with "A type extension with name pandas.period already defined")
    import duckdb  # noqa: F401
    import pandas.core.arrays.arrow.extension_types
    import pyarrow.parquet  # noqa: F401
except ImportError:  # pragma: no cover
    pass

#: A weak but real model on synthetic data, for test files written by pytester.
WEAK_MODEL = textwrap.dedent(
    """
    import pytest
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=400, n_features=5, flip_y=0.3, random_state=0)
    model = LogisticRegression().fit(X, y)
    """
)


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester's runs print the summary at the width of $COLUMNS: a wide terminal by default, so a summary row
    stays on one line as the tests match it; tests of the layout at other widths set COLUMNS themselves."""
    monkeypatch.setenv("COLUMNS", "160")


@pytest.fixture
def weak_model_source() -> str:
    return WEAK_MODEL


# In CI, property tests draw the same examples on every run (a red build must mean a real change, not a new random
# draw); locally they explore new examples each run, and the example database replays past failures.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")


def _load_every_module_a_gate_uses() -> None:
    """Exercise pandera (validation with failures, strategies) once, so that every module it loads lazily and
    registers in its backend registries is loaded here, outside any pytester run."""
    import warnings

    import pandera.pandas as pa
    from hypothesis import HealthCheck, given, settings

    schema = pa.DataFrameSchema(
        {"x": pa.Column(int, pa.Check.in_range(0, 5)), "c": pa.Column(str, pa.Check.isin(["a"]))}
    )
    frame = pandas.DataFrame({"x": [1, 9], "c": ["a", "b"]})
    with contextlib.suppress(pa.errors.SchemaErrors):
        schema.validate(frame, lazy=True)

    @settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck))
    @given(schema.strategy(size=2))
    def draw(_: object) -> None:
        pass

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draw()
    try:
        import pandera.polars as pap

        polars_schema = pap.DataFrameSchema({"x": pap.Column(int, pap.Check.in_range(0, 5))})
        with contextlib.suppress(pap.errors.SchemaErrors):
            polars_schema.validate(polars.DataFrame({"x": [1, 9]}), lazy=True)
    except ImportError:  # pragma: no cover
        pass


_load_every_module_a_gate_uses()
