"""Data-quality gates: the scoring extract has the schema the model was built for, and its distribution matches
the training file's."""

from __future__ import annotations

import income_model
import pandas as pd
import pandera.pandas as pa
import pytest

SCHEMA = pa.DataFrameSchema(
    {
        "age": pa.Column(int, pa.Check.in_range(17, 100)),
        "workclass": pa.Column(str, nullable=True),
        "education_num": pa.Column(int, pa.Check.in_range(1, 16)),
        "marital_status": pa.Column(str),
        "occupation": pa.Column(str, nullable=True),
        "relationship": pa.Column(str, pa.Check.isin(
            ["Husband", "Not-in-family", "Other-relative", "Own-child", "Unmarried", "Wife"])),
        "race": pa.Column(str, pa.Check.isin(
            ["Amer-Indian-Eskimo", "Asian-Pac-Islander", "Black", "Other", "White"])),
        "sex": pa.Column(str, pa.Check.isin(["Female", "Male"])),
        "capital_gain": pa.Column(int, pa.Check.in_range(0, 99_999)),
        "capital_loss": pa.Column(int, pa.Check.in_range(0, 4_356)),
        "hours_per_week": pa.Column(int, pa.Check.in_range(1, 99)),
        "native_country": pa.Column(str, nullable=True),
        "high_income": pa.Column(int, pa.Check.isin([0, 1])),
    },
    strict=True,
    name="adult_extract",
)


@pytest.mark.data_quality
def test_scoring_extract_schema(data_gate, scoring: pd.DataFrame) -> None:
    data_gate.validate(scoring, SCHEMA)


@pytest.mark.data_quality
def test_scoring_extract_integrity(data_gate, scoring: pd.DataFrame) -> None:
    """Three columns have missing values ('?') in the census files; a few percent is normal, more is not."""
    data_gate.missing(scoring, max_fraction=0.08)
    data_gate.label_balance(scoring[income_model.TARGET], min_fraction=0.15)


@pytest.mark.data_quality
def test_scoring_extract_matches_training_data(data_gate, train: pd.DataFrame, scoring: pd.DataFrame) -> None:
    data_gate.drift(train[income_model.FEATURES + income_model.SENSITIVE],
                    scoring[income_model.FEATURES + income_model.SENSITIVE])
