"""Credit scoring on the German credit data: loading, the train/scoring split, and the models.

The task: estimate the probability that an applicant is a *bad* credit risk (``bad = 1``). Everything here is
deterministic (fixed seeds), so the gates give the same verdicts on every run and the committed baseline stays valid.

Three models appear in the gates:
- the *champion*, the model in production today: one-hot encoding and logistic regression;
- the *candidate* this change would ship, ``shipped``: gradient boosting, constrained to be monotonic in the loan's
  duration and amount (the credit policy);
- the ``degraded`` candidate (``--candidate=degraded``), what a broken training pipeline produces from the same
  recipe: a refactoring swapped the checking-account ``status`` column (the strongest predictor) for the protected
  ``status_sex``, a join bug gave 60% of the training rows someone else's label, and a "re-weighting" meant to
  emphasise defaults up-weights bad outcomes among women five-fold. The gates that catch it: the metric floor,
  invariance to the applicant's sex, the committed baseline, champion versus challenger, and fairness by sex.
  Data quality, sanity, monotonicity, calibration and fairness by age still pass (the data did not change, and the
  model is still well-formed).

The sensitive attributes (``sex`` and ``age``) are not features of the shipped models.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DATA = Path(__file__).parent / "data"
COLUMNS = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings", "present_employment",
    "installment_rate", "status_sex", "other_debtors", "present_residence_since", "property", "age",
    "installment_plans", "housing", "number_of_existing_credits", "job", "number_of_people_liable_for",
    "telephone", "foreign_worker", "credit",
]
NUMERIC = ["duration", "credit_amount", "installment_rate", "present_residence_since",
           "number_of_existing_credits", "number_of_people_liable_for"]
CATEGORICAL = ["status", "credit_history", "purpose", "savings", "present_employment", "other_debtors",
               "property", "installment_plans", "housing", "job", "telephone", "foreign_worker"]
#: sensitive attributes: kept out of the model's features, used by the fairness gates
SENSITIVE = ["sex", "age_group"]
FEATURES = NUMERIC + CATEGORICAL
TARGET = "bad"
AGE_BINS = [18, 25, 35, 50, 120]
AGE_LABELS = ["18-25", "26-35", "36-50", "51+"]
SEED = 20240501
#: the degraded pipeline's defects: the re-weighting of bad outcomes among women, the share of corrupted labels
WEIGHT = 5.0
NOISE = 0.6


CODES = json.loads((DATA / "values_maps.json").read_text(encoding="utf-8"))


def allowed(column: str) -> pa.Check:
    """The decoded values a categorical column may take."""
    return pa.Check.isin(sorted(str(v).strip() for v in CODES[column].values()))


#: what a decoded applicant row must look like (the data gate validates it; the model gate fuzzes the model with it)
SCHEMA = pa.DataFrameSchema(
    {
        "duration": pa.Column(int, pa.Check.in_range(1, 120)),  # months
        "credit_amount": pa.Column(int, pa.Check.gt(0)),  # Deutsche Mark
        "installment_rate": pa.Column(int, pa.Check.in_range(1, 4)),
        "present_residence_since": pa.Column(int, pa.Check.in_range(1, 4)),
        "age": pa.Column(int, pa.Check.in_range(18, 100)),
        "number_of_existing_credits": pa.Column(int, pa.Check.in_range(1, 10)),
        "number_of_people_liable_for": pa.Column(int, pa.Check.in_range(1, 10)),
        **{column: pa.Column(str, allowed(column)) for column in CATEGORICAL},
        "status_sex": pa.Column(str, allowed("status_sex")),
        "sex": pa.Column(str, pa.Check.isin(["female", "male"])),
        "age_group": pa.Column(str, pa.Check.isin(AGE_LABELS)),
        "bad": pa.Column(int, pa.Check.isin([0, 1])),
    },
    strict=True,
    name="german_credit",
)


def load_data(path: Path = DATA / "german.data") -> pd.DataFrame:
    """The 1,000 applicants with readable values: A-codes decoded with ``values_maps.json``, ``sex`` taken from
    ``status_sex``, ``age_group`` from ``age``, and the target ``bad`` (1 = bad credit risk)."""
    frame = pd.read_csv(path, sep=" ", header=None, names=COLUMNS)
    codes = json.loads((path.parent / "values_maps.json").read_text(encoding="utf-8"))
    for column, mapping in codes.items():
        if column == "credit":
            continue
        frame[column] = frame[column].map(lambda code, m=mapping: str(m[code]).strip())
    frame["sex"] = frame["status_sex"].str.split(":").str[0].str.strip()
    frame["age_group"] = pd.cut(frame["age"], bins=AGE_BINS, labels=AGE_LABELS, right=True).astype(str)
    frame[TARGET] = (frame.pop("credit") == 2).astype("int64")
    return frame


def features_of(frame: pd.DataFrame) -> pd.DataFrame:
    """What a model is given: every column but the target (each pipeline selects the columns it uses)."""
    return frame.drop(columns=[TARGET])


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows and scoring rows (the applicants the model is evaluated on), stratified by the target."""
    train, score = train_test_split(frame, test_size=0.35, random_state=SEED, stratify=frame[TARGET])
    return train.reset_index(drop=True), score.reset_index(drop=True)


def _preprocess(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    return ColumnTransformer([
        ("numeric", StandardScaler(), numeric),
        ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
    ])


def logistic_pipeline(features: list[str] | None = None) -> Pipeline:
    """The champion recipe: one-hot encoding and a lightly regularised logistic regression."""
    features = features or FEATURES
    numeric = [c for c in NUMERIC if c in features]
    categorical = [c for c in CATEGORICAL if c in features]
    return Pipeline([
        ("prepare", _preprocess(numeric, categorical)),
        ("model", LogisticRegression(C=0.3, max_iter=2000)),
    ])


def boosting_pipeline(features: list[str] | None = None) -> Pipeline:
    """The challenger recipe: gradient boosting, constrained so that the predicted risk never falls as the loan
    gets longer or larger (what the credit policy says, and what ``model_gate.monotonic`` checks)."""
    features = features or FEATURES
    numeric = [c for c in NUMERIC if c in features]
    categorical = [c for c in features if c not in NUMERIC]
    return Pipeline([
        ("prepare", ColumnTransformer([
            ("numeric", "passthrough", numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
        ], verbose_feature_names_out=False)),
        ("model", HistGradientBoostingClassifier(
            max_iter=120, learning_rate=0.05, max_depth=3, min_samples_leaf=20, l2_regularization=1.0,
            monotonic_cst={"duration": 1, "credit_amount": 1}, random_state=SEED,
        )),
    ]).set_output(transform="pandas")


def train_champion(train: pd.DataFrame) -> Pipeline:
    """The model in production today: the logistic-regression recipe."""
    return logistic_pipeline().fit(features_of(train), train[TARGET])


def train_candidate(train: pd.DataFrame, candidate: str = "shipped") -> Pipeline:
    """The model this change would ship. ``degraded`` reproduces a broken pipeline (see the module docstring)."""
    if candidate == "shipped":
        return boosting_pipeline().fit(features_of(train), train[TARGET])
    if candidate == "degraded":
        # the refactoring lost the key feature and picked up the protected one
        features = [c if c != "status" else "status_sex" for c in FEATURES]
        female = train["sex"] == "female"
        weights = np.where(female & (train[TARGET] == 1), WEIGHT, 1.0)  # a biased re-weighting
        rng = np.random.default_rng(SEED)
        corrupted = rng.random(len(train)) < NOISE  # a bad join gave these rows someone else's label
        labels = np.where(corrupted, rng.permutation(train[TARGET].to_numpy()), train[TARGET].to_numpy())
        return boosting_pipeline(features).fit(features_of(train), labels, model__sample_weight=weights)
    raise ValueError(f"unknown candidate {candidate!r}: use 'shipped' or 'degraded'")
