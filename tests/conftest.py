"""Shared helpers for the project's own tests."""

from __future__ import annotations

import textwrap

# Import the heavy stack once in the outer process: pytester's in-process runs restore sys.modules after each run,
# and numpy cannot be imported twice in one process.
# Every library a gate may load is imported here for the same reason (pandera's strategies, imported twice, would
# meet two copies of their own classes and filter out every generated example).
import fairlearn.metrics  # noqa: F401
import hypothesis.extra.pandas  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import pandera.pandas  # noqa: F401
import pandera.strategies  # noqa: F401
import pytest
import scipy.stats  # noqa: F401
import sklearn.datasets  # noqa: F401
import sklearn.linear_model  # noqa: F401

try:  # optional extra
    import pandera.polars  # noqa: F401
    import polars  # noqa: F401
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


@pytest.fixture
def weak_model_source() -> str:
    return WEAK_MODEL


def _load_every_module_a_gate_uses() -> None:
    """Exercise pandera (validation with failures, strategies) once, so that every module it loads lazily and
    registers in its backend registries is loaded here, outside any pytester run."""
    import warnings

    import pandera.pandas as pa
    from hypothesis import HealthCheck, given, settings

    schema = pa.DataFrameSchema({"x": pa.Column(int, pa.Check.in_range(0, 5)), "c": pa.Column(str, pa.Check.isin(["a"]))})
    frame = pandas.DataFrame({"x": [1, 9], "c": ["a", "b"]})
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors:
        pass

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
        try:
            polars_schema.validate(polars.DataFrame({"x": [1, 9]}), lazy=True)
        except pap.errors.SchemaErrors:
            pass
    except ImportError:  # pragma: no cover
        pass


_load_every_module_a_gate_uses()
