"""Data-quality gates: the applicants' data is what the model expects, and the scoring rows look like the
training rows."""

from __future__ import annotations

import json

import credit_model
import pandas as pd
import pandera.pandas as pa
import pytest

CODES = json.loads((credit_model.DATA / "values_maps.json").read_text(encoding="utf-8"))


def allowed(column: str) -> pa.Check:
    return pa.Check.isin(sorted(str(v).strip() for v in CODES[column].values()))


SCHEMA = pa.DataFrameSchema(
    {
        "duration": pa.Column(int, pa.Check.in_range(1, 120)),  # months
        "credit_amount": pa.Column(int, pa.Check.gt(0)),  # Deutsche Mark
        "installment_rate": pa.Column(int, pa.Check.in_range(1, 4)),
        "present_residence_since": pa.Column(int, pa.Check.in_range(1, 4)),
        "age": pa.Column(int, pa.Check.in_range(18, 100)),
        "number_of_existing_credits": pa.Column(int, pa.Check.in_range(1, 10)),
        "number_of_people_liable_for": pa.Column(int, pa.Check.in_range(1, 10)),
        **{column: pa.Column(str, allowed(column)) for column in credit_model.CATEGORICAL},
        "status_sex": pa.Column(str, allowed("status_sex")),
        "sex": pa.Column(str, pa.Check.isin(["female", "male"])),
        "age_group": pa.Column(str, pa.Check.isin(credit_model.AGE_LABELS)),
        "bad": pa.Column(int, pa.Check.isin([0, 1])),
    },
    strict=True,
    name="german_credit",
)


@pytest.mark.data_quality
def test_schema(data_gate, applicants: pd.DataFrame) -> None:
    data_gate.validate(applicants, SCHEMA)


@pytest.mark.data_quality
def test_integrity(data_gate, applicants: pd.DataFrame) -> None:
    data_gate.missing(applicants)
    data_gate.duplicates(applicants)
    data_gate.label_balance(applicants["bad"], min_fraction=0.2)
    data_gate.conflicting_labels(credit_model.features_of(applicants), applicants["bad"])


@pytest.mark.data_quality
def test_no_leakage_between_training_and_scoring(data_gate, train: pd.DataFrame, scoring: pd.DataFrame) -> None:
    data_gate.leakage(train, scoring)


@pytest.mark.data_quality
def test_scoring_data_looks_like_training_data(data_gate, train: pd.DataFrame, scoring: pd.DataFrame) -> None:
    data_gate.drift(train[credit_model.FEATURES], scoring[credit_model.FEATURES])
