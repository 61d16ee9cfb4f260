"""The reference-profile format, exact (version 1) and binned (version 2): its constants, the decoded forms and
the decoding. Below both :mod:`.profiles` (which builds exact profiles) and :mod:`.scale` (binned ones), so
neither imports the other for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pytest_mlgate._validate import positive_int
from pytest_mlgate.engines.base import Summary as EngineSummary
from pytest_mlgate.results import GateError, hide_our_frames
from pytest_mlgate.stats import binned
from pytest_mlgate.stats import drift as stats

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


PROFILE_FORMAT = "pytest-mlgate/reference-profile"
PROFILE_VERSION = 1


def is_profile(obj: Any) -> bool:
    return isinstance(obj, (ReferenceProfile, BinnedProfile)) or (isinstance(obj, Mapping)
                                                                  and obj.get("format") == PROFILE_FORMAT)


Summary = stats.NumericSummary | stats.CategoricalSummary
N = TypeVar("N")  #: the numeric summary a profile holds: exact (version 1) or binned (version 2)


@dataclass(frozen=True)
class ReferenceProfile:
    """A reference profile decoded once (:func:`load_profile`), to reuse across many ``drift`` calls without
    decoding its values again: column -> (kind, dtype, summary)."""

    n_rows: int
    columns: dict[Any, tuple[str, str, Summary]]


def load_profile(profile: Mapping[str, Any] | ReferenceProfile) -> Any:
    """Decode a JSON reference profile (what :meth:`DataGate.profile` returned, or ``json.load`` read back).

    ``drift`` accepts the JSON object itself and decodes it on every call (base64 decoding costs about as much as
    sorting the column would); decode it once with this function, e.g. in a session fixture, to share it."""
    if isinstance(profile, ReferenceProfile):
        return profile
    if is_binned_profile(profile):
        return load_binned_profile(profile)
    if not is_profile(profile):
        raise GateError("not a pytest-mlgate reference profile: pass what data_gate.profile(df) returned")
    n_rows, columns = _load_profile(profile)
    return ReferenceProfile(n_rows, columns)


def _load_profile(profile: Mapping[str, Any]) -> tuple[int, dict[Any, tuple[str, str, Summary]]]:
    if profile.get("version") != PROFILE_VERSION:
        raise GateError(f"reference profile version {profile.get('version')!r} is not supported "
                        f"(this pytest-mlgate reads versions {PROFILE_VERSION}, exact, and 2, binned); rebuild it "
                        "with data_gate.profile(df)")
    return decode_columns(profile, stats.NumericSummary.from_profile, rebuild="df")


def decode_columns(profile: Mapping[str, Any], numeric: Callable[[Any], N], *,
                   rebuild: str) -> tuple[int, dict[Any, tuple[str, str, N | stats.CategoricalSummary]]]:
    """A profile's row count and column -> (kind, dtype, summary), numeric columns decoded by ``numeric`` (exact
    or binned); a damaged profile is a GateError saying to rebuild it with ``data_gate.profile(<rebuild>)``."""
    out: dict[Any, tuple[str, str, N | stats.CategoricalSummary]] = {}
    where = ""
    try:
        for entry in profile["columns"]:
            where = f" in column {entry.get('name')!r}" if isinstance(entry, Mapping) else ""
            summary: N | stats.CategoricalSummary
            if entry["kind"] == "numeric":
                summary = numeric(entry)
            elif entry["kind"] == "categorical":
                summary = stats.CategoricalSummary.from_profile(entry)
            else:
                raise ValueError(f"unknown column kind {entry['kind']!r}")
            if entry["name"] in out:
                raise ValueError("the column appears twice")
            out[entry["name"]] = (entry["kind"], str(entry.get("dtype", "")), summary)
        where = ""
        n_rows = stats.profile_count(profile["n_rows"], "n_rows")
        for name, (_, _, decoded) in out.items():
            column: Any = decoded  # every summary counts its values and its missing ones
            if column.n + column.n_missing != n_rows:
                where = f" in column {name!r}"
                raise ValueError(f"{column.n} values and {column.n_missing} missing do not add up to the "
                                 f"profile's {n_rows} rows")
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise GateError(f"the reference profile is damaged{where} ({type(exc).__name__}: {exc}); rebuild it with "
                        f"data_gate.profile({rebuild})") from None
    return n_rows, out


BINNED_VERSION = 2


@dataclass(frozen=True)
class BinnedProfile:
    """A version-2 profile decoded: column -> (kind, dtype, summary)."""

    n_rows: int
    bins: int
    columns: dict[str, tuple[str, str, EngineSummary]]


def is_binned_profile(obj: Any) -> bool:
    return isinstance(obj, BinnedProfile) or (isinstance(obj, Mapping) and obj.get("format") == PROFILE_FORMAT
                                              and obj.get("version") == BINNED_VERSION)


def load_binned_profile(profile: Mapping[str, Any] | BinnedProfile) -> BinnedProfile:
    if isinstance(profile, BinnedProfile):
        return profile
    n_rows, columns = decode_columns(profile, binned.BinnedNumeric.from_profile, rebuild="table")
    bins = positive_int("bins of the reference profile", profile.get("bins"),
                        note=" (the profile is damaged; rebuild it with data_gate.profile(table))")
    return BinnedProfile(n_rows, bins, {str(name): column for name, column in columns.items()})
