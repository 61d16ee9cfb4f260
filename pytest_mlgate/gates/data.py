"""Data-quality gate: :class:`DataGate` composed of one mixin per job.

Integrity (schema, missing values, duplicates, leakage, label balance, conflicting labels: :mod:`.integrity`),
drift (:mod:`.drift`) and reference profiles (:mod:`.profiles`); tables an engine holds go to :mod:`.scale`.
Each check is defined once, as the method users call; ``DataGate(raises=False)`` returns failed results instead
of raising. The public names of the module before the split are re-exported below.
"""

from __future__ import annotations

from pytest_mlgate._frames import EXAMPLES, column_kind
from pytest_mlgate.gates.base import DATA_QUALITY
from pytest_mlgate.gates.data_rows import (
    drift_columns,
    drift_verdicts,
    duplicates_result,
    leakage_result,
    missing_rate_fields,
    missing_result,
)
from pytest_mlgate.gates.drift import (
    DRIFT_ALPHA,
    MAX_THREADS,
    MIN_JENSEN_SHANNON,
    MIN_MISSING_CHANGE,
    MIN_WASSERSTEIN,
    DriftChecks,
    KsChi2Options,
    check_drift_settings,
)
from pytest_mlgate.gates.integrity import FAILURE_TABLE_CAP, MIN_LABEL_FRACTION, IntegrityChecks
from pytest_mlgate.gates.profile_format import (
    PROFILE_FORMAT,
    PROFILE_VERSION,
    ReferenceProfile,
    Summary,
    is_profile,
    load_profile,
)
from pytest_mlgate.gates.profiles import ProfileChecks, make_profile
from pytest_mlgate.results import hide_our_frames

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = DATA_QUALITY


class DataGate(IntegrityChecks, DriftChecks, ProfileChecks):
    """The ``data_gate`` fixture: schema, integrity and drift checks on DataFrames (pandas or polars)."""

    family = FAMILY


__all__ = [  # the public names of the module before the split
    "DRIFT_ALPHA", "EXAMPLES", "FAILURE_TABLE_CAP", "FAMILY", "MAX_THREADS", "MIN_JENSEN_SHANNON",
    "MIN_LABEL_FRACTION", "MIN_MISSING_CHANGE", "MIN_WASSERSTEIN", "PROFILE_FORMAT", "PROFILE_VERSION", "DataGate",
    "KsChi2Options", "ReferenceProfile", "Summary", "check_drift_settings", "column_kind", "drift_columns",
    "drift_verdicts", "duplicates_result", "is_profile", "leakage_result", "load_profile", "make_profile",
    "missing_rate_fields", "missing_result",
]
