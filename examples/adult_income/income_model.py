"""Income prediction on the Adult census data: loading the two files, the scoring extract, and the model.

The model learns from ``adult.data`` (32,561 people) and is judged on ``adult.test`` (16,281 people, the
"scoring extract"). The task: does a person earn more than 50K a year (``high_income = 1``)? ``sex`` and ``race``
are not features of the model; the fairness gates use them.

``--candidate=degraded`` swaps the scoring extract for a broken one, as an upstream change would deliver it: the
``capital_gain`` and ``capital_loss`` columns arrive as 0 for everyone (a new export fills what it no longer
delivers with zeros), and ``education_num`` arrives 0-based instead of 1-based. The model is the same; the data it
is judged on are not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DATA = Path(__file__).parent / "data"
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation", "relationship",
    "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country", "income",
]
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "marital_status", "occupation", "relationship", "native_country"]
FEATURES = NUMERIC + CATEGORICAL
SENSITIVE = ["sex", "race"]
TARGET = "high_income"


def load(name: str) -> pd.DataFrame:
    """One of the two files, cleaned: ``adult.test`` starts with a junk line and writes its labels with a
    trailing '.'; '?' marks a missing value in both. ``fnlwgt`` (a census sampling weight) and ``education``
    (the text twin of ``education_num``) are dropped."""
    frame = pd.read_csv(DATA / f"{name}.gz", header=None, names=COLUMNS, skipinitialspace=True, na_values="?",
                        skiprows=1 if name == "adult.test" else 0, compression="gzip")
    frame = frame.dropna(subset=["income"])
    frame[TARGET] = frame.pop("income").str.rstrip(".").eq(">50K").astype("int64")
    return frame.drop(columns=["fnlwgt", "education"]).reset_index(drop=True)


def training_data() -> pd.DataFrame:
    return load("adult.data")


def scoring_data(candidate: str = "shipped") -> pd.DataFrame:
    """The extract the model is judged on; ``degraded``: as the broken upstream export delivers it."""
    frame = load("adult.test")
    if candidate == "shipped":
        return frame
    if candidate == "degraded":
        broken = frame.copy()
        broken[["capital_gain", "capital_loss"]] = 0  # no longer delivered, filled with zeros
        broken["education_num"] = broken["education_num"] - 1  # 0-based codes in the new export
        return broken
    raise ValueError(f"unknown candidate {candidate!r}: use 'shipped' or 'degraded'")


def features_of(frame: pd.DataFrame) -> pd.DataFrame:
    """What the model is given: every column but the target (the pipeline selects the ones it uses)."""
    return frame.drop(columns=[TARGET])


def pipeline() -> Pipeline:
    """Standardised numbers, one-hot categories (a missing value is a category of its own; rare ones are pooled)
    and a logistic regression: a second to train on 32,561 rows."""
    return Pipeline([
        ("prepare", ColumnTransformer([
            ("numeric", StandardScaler(), NUMERIC),
            ("categorical", OneHotEncoder(handle_unknown="ignore", min_frequency=20), CATEGORICAL),
        ])),
        ("model", LogisticRegression(max_iter=1000)),
    ])


def train_model(train: pd.DataFrame) -> Pipeline:
    return pipeline().fit(features_of(train), train[TARGET])
