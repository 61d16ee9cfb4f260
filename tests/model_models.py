"""Models for the model-validation tests: one sound model and one deliberately broken model per check.

The pytester suites import this file's source (written next to the generated test file as ``models.py``), so the
same models serve the in-process pytest runs and the plain unit tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

FEATURES = ["income", "age"]


def make_data(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Income raises the chance of the positive class, age lowers it; ``noise`` and ``region`` do not matter."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "income": rng.normal(50, 10, n),
        "age": rng.integers(18, 80, n).astype(float),
        "noise": rng.normal(size=n),
        "region": rng.choice(["north", "south", "east"], n, p=[0.45, 0.45, 0.10]),
    })
    logit = (X["income"].to_numpy() - 50) / 5 - (X["age"].to_numpy() - 50) / 20
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def _features(X: object) -> np.ndarray:
    return np.array(X[FEATURES].to_numpy(), dtype=float)  # a writable copy


class Sound:
    """A logistic regression on income and age that accepts pandas or polars frames with extra columns."""

    def __init__(self, X: pd.DataFrame, y: np.ndarray) -> None:
        self.model = LogisticRegression().fit(_features(X), y)
        self.classes_ = self.model.classes_

    def predict(self, X: object) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_proba(self, X: object) -> np.ndarray:
        return self.model.predict_proba(_features(X))


class NaNForOld(Sound):
    """Returns NaN probabilities for rows with age above 70."""

    def predict_proba(self, X: object) -> np.ndarray:
        proba = super().predict_proba(X)
        proba[_features(X)[:, 1] > 70] = np.nan
        return proba


class Unnormalised(Sound):
    """Probabilities that do not sum to 1 where income is high (a missing softmax)."""

    def predict_proba(self, X: object) -> np.ndarray:
        proba = super().predict_proba(X)
        proba[_features(X)[:, 0] > 60] *= 0.9
        return proba


class Noisy(Sound):
    """Adds fresh random noise on every call: not deterministic."""

    def __init__(self, X: pd.DataFrame, y: np.ndarray) -> None:
        super().__init__(X, y)
        self.rng = np.random.default_rng(1)  # seeded, yet every call draws new noise

    def predict_proba(self, X: object) -> np.ndarray:
        p = np.clip(super().predict_proba(X)[:, 1] + self.rng.normal(0, 0.01, _features(X).shape[0]), 0, 1)
        return np.column_stack([1 - p, p])


class Leaky(Sound):
    """Also uses the irrelevant ``noise`` column."""

    def predict_proba(self, X: object) -> np.ndarray:
        base = super().predict_proba(X)[:, 1]
        logit = np.log(base / (1 - base)) + 3 * np.asarray(X["noise"].to_numpy(), dtype=float)  # type: ignore[index]
        p = 1 / (1 + np.exp(-logit))
        return np.column_stack([1 - p, p])


class NotMonotonic(Sound):
    """More income lowers the score above an income of 55."""

    def predict_proba(self, X: object) -> np.ndarray:
        features = _features(X)
        features[:, 0] = np.where(features[:, 0] > 55, 110 - features[:, 0], features[:, 0])
        p = self.model.predict_proba(features)[:, 1]
        return np.column_stack([1 - p, p])


class Fragile(Sound):
    """Crashes when any row is older than 85 (outside the training range, inside the schema)."""

    def predict_proba(self, X: object) -> np.ndarray:
        if (_features(X)[:, 1] > 85).any():
            raise ValueError("age outside the range seen in training")
        return super().predict_proba(X)


class Overconfident(Sound):
    """Pushes every probability towards 0 or 1: ranks well, badly calibrated."""

    def predict_proba(self, X: object) -> np.ndarray:
        p = super().predict_proba(X)[:, 1]
        p = 1 / (1 + np.exp(-6 * np.log(p / (1 - p))))
        return np.column_stack([1 - p, p])


class PoorInEast(Sound):
    """Predicts the opposite class for the ``east`` region."""

    def predict_proba(self, X: object) -> np.ndarray:
        proba = super().predict_proba(X)
        east = np.asarray(X["region"].to_numpy() == "east")  # type: ignore[index]
        proba[east] = proba[east][:, ::-1]
        return proba


class Mutating(Sound):
    """Writes into the caller's frame."""

    def predict_proba(self, X: object) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            X["income"] = X["income"].round()
        return super().predict_proba(X)
