"""Data-quality gates: the applicants' data is what the model expects, and the scoring rows look like the
training rows."""

from __future__ import annotations

import credit_model
import pandas as pd
import pytest


@pytest.mark.data_quality
def test_schema(data_gate, applicants: pd.DataFrame) -> None:
    data_gate.validate(applicants, credit_model.SCHEMA)


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
