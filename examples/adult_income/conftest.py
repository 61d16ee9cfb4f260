"""Fixtures of the Adult example: the training file, the scoring extract (broken under
``--candidate=degraded``), and the model. Session-scoped: read and trained once per run (a few seconds)."""

from __future__ import annotations

import income_model
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline


@pytest.fixture(scope="session")
def train() -> pd.DataFrame:
    """``adult.data``: what the model learns from."""
    return income_model.training_data()


@pytest.fixture(scope="session")
def scoring(candidate: str) -> pd.DataFrame:
    """``adult.test``: the extract the model is judged on."""
    return income_model.scoring_data(candidate)


@pytest.fixture(scope="session")
def X_score(scoring: pd.DataFrame) -> pd.DataFrame:
    return income_model.features_of(scoring)


@pytest.fixture(scope="session")
def y_score(scoring: pd.DataFrame) -> pd.Series:
    return scoring[income_model.TARGET]


@pytest.fixture(scope="session")
def model(train: pd.DataFrame) -> Pipeline:
    return income_model.train_model(train)
