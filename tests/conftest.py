"""Shared helpers for the project's own tests."""

from __future__ import annotations

import textwrap

# Import the heavy stack once in the outer process: pytester's in-process runs restore sys.modules after each run,
# and numpy cannot be imported twice in one process.
import numpy  # noqa: F401
import pandas  # noqa: F401
import pytest
import scipy.stats  # noqa: F401
import sklearn.datasets  # noqa: F401
import sklearn.linear_model  # noqa: F401

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
