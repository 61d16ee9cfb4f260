"""Fixtures of the credit-scoring example: the data, the train/scoring split, and the models.

Session-scoped: the data are read and the models trained once per run (about a second).
"""

from __future__ import annotations

from collections.abc import Iterator

import credit_model
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="session", autouse=True)
def one_openmp_thread() -> Iterator[None]:
    """Gradient boosting on 650 rows is faster on one thread than on OpenMP's pool, and far faster on a busy CI
    runner, where the pool's threads wait for each other (8 s against 0.4 s measured on a loaded 2-core box)."""
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@pytest.fixture(scope="session")
def applicants() -> pd.DataFrame:
    """All 1,000 applicants, decoded."""
    return credit_model.load_data()


@pytest.fixture(scope="session")
def split(applicants: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return credit_model.split(applicants)


@pytest.fixture(scope="session")
def train(split: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    """The rows the models learn from."""
    return split[0]


@pytest.fixture(scope="session")
def scoring(split: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    """The rows the candidate is judged on (never seen in training)."""
    return split[1]


@pytest.fixture(scope="session")
def X_score(scoring: pd.DataFrame) -> pd.DataFrame:
    return credit_model.features_of(scoring)


@pytest.fixture(scope="session")
def y_score(scoring: pd.DataFrame) -> pd.Series:
    return scoring[credit_model.TARGET]


@pytest.fixture(scope="session")
def champion(train: pd.DataFrame) -> Pipeline:
    """The model in production today."""
    return credit_model.train_champion(train)


@pytest.fixture(scope="session")
def model(train: pd.DataFrame, candidate: str) -> Pipeline:
    """The candidate this change would ship (``--candidate=degraded``: the broken pipeline)."""
    return credit_model.train_candidate(train, candidate)
