"""The typed contract between gates and reports: one record per kind of detail a report draws.

A gate writes one record on the result it makes (``GateResult.record``); the reports read it by field, never by
guessing keys. Each record also says how it is written into the result's JSON ``details`` (``to_details``, the keys
documented in ``docs/json-report.md``) and how it is read back from them (``from_details``, for results that crossed
from an xdist worker), so the JSON report names the record's kind (``"record"``) and its keys are guaranteed.

Plain data, standard library only: the reports read records without numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

Interval = tuple[float, float]


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def _interval(value: Any) -> Interval | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        lo, hi = _float(value[0]), _float(value[1])
        if lo is not None and hi is not None:
            return (lo, hi)
    return None


def _list(interval: Interval | None) -> list[float] | None:
    return list(interval) if interval is not None else None


@dataclass(frozen=True)
class Estimate:
    """A measured value with its interval and sample size: a baseline, a current model, a champion."""

    value: float | None
    interval: Interval | None = None
    n: int | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"value": self.value, "interval": _list(self.interval)}
        if self.n is not None:
            entry["n"] = self.n
        return entry

    @classmethod
    def from_json(cls, entry: Any) -> Estimate | None:
        if not isinstance(entry, Mapping):
            return None
        n = entry.get("n")
        return cls(_float(entry.get("value")), _interval(entry.get("interval")), int(n) if n is not None else None)


class Record:
    """The base of the records: its ``kind`` names it in the JSON report."""

    kind: ClassVar[str] = ""

    def to_details(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> Record:
        raise NotImplementedError


@dataclass(frozen=True)
class Distribution:
    """Counts of the two sides over the same bins (numeric: ``edges``, one more than the counts) or categories."""

    reference: tuple[float, ...]
    current: tuple[float, ...]
    edges: tuple[float, ...] | None = None
    categories: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reference": list(self.reference), "current": list(self.current)}
        if self.edges is not None:
            out["edges"] = list(self.edges)
        if self.categories is not None:
            out["categories"] = list(self.categories)
        return out

    @classmethod
    def from_json(cls, entry: Any) -> Distribution | None:
        if not isinstance(entry, Mapping):
            return None
        edges, categories = entry.get("edges"), entry.get("categories")
        return cls(tuple(entry.get("reference") or ()), tuple(entry.get("current") or ()),
                   tuple(edges) if edges is not None else None,
                   tuple(str(c) for c in categories) if categories is not None else None)


_DRIFT_FIELDS = ("column", "test", "statistic", "p_value", "p_adjusted", "effect", "effect_size", "min_effect",
                 "drifted")


@dataclass(frozen=True)
class DriftColumn(Record):
    """One column of a drift check: its test, effect against the minimum, verdict and the two distributions.
    ``extra`` holds the test-specific figures (PSI, missing rates, unseen categories, ...) as the gate wrote them."""

    kind: ClassVar[str] = "drift_column"
    column: Any  #: as the frame names it (a string, or a number for a numbered column)
    test: str | None
    statistic: float | None
    p_value: float | None
    p_adjusted: float | None
    effect: str | None
    effect_size: float | None
    min_effect: float | None
    drifted: bool
    distribution: Distribution | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_details(self) -> dict[str, Any]:
        out = {**self.extra, **{name: getattr(self, name) for name in _DRIFT_FIELDS}}
        if self.distribution is not None:
            out["distribution"] = self.distribution.to_json()
        return out

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> DriftColumn:
        known = {*_DRIFT_FIELDS, "distribution"}
        return cls(
            column=details.get("column"), test=details.get("test"),
            statistic=_float(details.get("statistic")), p_value=_float(details.get("p_value")),
            p_adjusted=_float(details.get("p_adjusted")), effect=details.get("effect"),
            effect_size=_float(details.get("effect_size")), min_effect=_float(details.get("min_effect")),
            drifted=bool(details.get("drifted")), distribution=Distribution.from_json(details.get("distribution")),
            extra={k: v for k, v in details.items() if k not in known},
        )


@dataclass(frozen=True)
class DriftOverview(Record):
    """The dataset-level drift result: every column, drifted first (details key ``columns``)."""

    kind: ClassVar[str] = "drift_overview"
    columns: tuple[DriftColumn, ...]

    def to_details(self) -> dict[str, Any]:
        return {"columns": [c.to_details() for c in self.columns]}

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> DriftOverview:
        return cls(tuple(DriftColumn.from_details(c) for c in details.get("columns") or () if isinstance(c, Mapping)))


@dataclass(frozen=True)
class GroupRow:
    """One group of a fairness table: its label, size, whether it was judged, and each metric with its interval."""

    group: str
    count: int
    included: bool
    values: Mapping[str, float | None]
    intervals: Mapping[str, Interval | None]
    features: Mapping[str, Any] = field(default_factory=dict)
    weight: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {**self.extra, "group": self.group, "features": dict(self.features),
                               "count": self.count, "included": self.included}
        if self.weight is not None:
            row["weight"] = self.weight
        for metric, value in self.values.items():
            row[metric] = value
            row[f"{metric}_interval"] = _list(self.intervals.get(metric))
        return row

    @classmethod
    def from_json(cls, row: Mapping[str, Any], metrics: Sequence[str] | None = None) -> GroupRow:
        """A row as the gate writes it; ``metrics`` names the table's metric columns (read from the row's
        ``<metric>_interval`` keys when not given)."""
        fixed = {"group", "features", "count", "included", "weight"}
        if metrics is None:
            metrics = [k[: -len("_interval")] for k in row if k.endswith("_interval") and k[: -len("_interval")] in row]
        taken = fixed | set(metrics) | {f"{m}_interval" for m in metrics}
        return cls(str(row.get("group")), int(row.get("count") or 0), bool(row.get("included")),
                   {m: _float(row.get(m)) for m in metrics}, {m: _interval(row.get(f"{m}_interval")) for m in metrics},
                   dict(row.get("features") or {}), _float(row.get("weight")),
                   {k: v for k, v in row.items() if k not in taken})


@dataclass(frozen=True)
class GroupTable(Record):
    """A fairness check's groups (details key ``groups``) and the metrics its disparity compares (``metrics``)."""

    kind: ClassVar[str] = "group_table"
    metrics: tuple[str, ...]  #: the metrics the disparity compares
    rows: tuple[GroupRow, ...]

    def to_details(self) -> dict[str, Any]:
        return {"metrics": list(self.metrics), "groups": [row.to_json() for row in self.rows]}

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> GroupTable:
        return cls(tuple(details.get("metrics") or ()),
                   tuple(GroupRow.from_json(r) for r in details.get("groups") or () if isinstance(r, Mapping)))


@dataclass(frozen=True)
class ReliabilityBin:
    """A non-empty bin of a reliability table (``weight``: the bin's total sample weight, when weighted)."""

    bin: int
    lower: float
    upper: float
    mean_predicted: float
    observed_rate: float
    count: int
    weight: float | None = None

    def to_json(self) -> dict[str, Any]:
        entry = {k: v for k, v in vars(self).items() if k != "weight"}
        if self.weight is not None:
            entry["weight"] = self.weight
        return entry


@dataclass(frozen=True)
class ReliabilityTable(Record):
    """A calibration check's non-empty bins (details key ``reliability``)."""

    kind: ClassVar[str] = "reliability_table"
    bins: tuple[ReliabilityBin, ...]

    def to_details(self) -> dict[str, Any]:
        return {"reliability": [b.to_json() for b in self.bins]}

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> ReliabilityTable:
        return cls(tuple(ReliabilityBin(int(b["bin"]), float(b["lower"]), float(b["upper"]),
                                        float(b["mean_predicted"]), float(b["observed_rate"]), int(b["count"]),
                                        _float(b.get("weight")))
                         for b in details.get("reliability") or ()))


@dataclass(frozen=True)
class Comparison(Record):
    """Two estimates of one metric side by side: the stored baseline and the current model (``compare``), or the
    champion and the challenger (``compare_models``); the result's value is their difference."""

    kind: ClassVar[str] = "comparison"
    metric: str
    reference: Estimate
    current: Estimate
    labels: tuple[str, str] = ("baseline", "current")  #: the details keys of the two sides

    def to_details(self) -> dict[str, Any]:
        return {"metric": self.metric, self.labels[0]: self.reference.to_json(),
                self.labels[1]: self.current.to_json()}

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> Comparison:
        labels = ("champion", "challenger") if "challenger" in details else ("baseline", "current")
        reference = Estimate.from_json(details.get(labels[0])) or Estimate(None)
        current = Estimate.from_json(details.get(labels[1])) or Estimate(None)
        return cls(str(details.get("metric")), reference, current, labels)


@dataclass(frozen=True)
class LeaderboardEntry:
    candidate: str
    value: float | None
    interval: Interval | None
    difference: float | None
    difference_interval: Interval | None
    p_better: float | None
    p_worse: float | None
    verdict: str

    def to_json(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "value": self.value, "interval": _list(self.interval),
                "difference": self.difference, "difference_interval": _list(self.difference_interval),
                "p_better": self.p_better, "p_worse": self.p_worse, "verdict": self.verdict}


@dataclass(frozen=True)
class Leaderboard(Record):
    """Candidates against a champion on the same rows (``select``; details key ``leaderboard``), best first."""

    kind: ClassVar[str] = "leaderboard"
    metric: str
    champion: str
    entries: tuple[LeaderboardEntry, ...]

    def to_details(self) -> dict[str, Any]:
        return {"metric": self.metric, "champion": self.champion,
                "leaderboard": [e.to_json() for e in self.entries]}

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> Leaderboard:
        entries = tuple(
            LeaderboardEntry(str(e.get("candidate")), _float(e.get("value")), _interval(e.get("interval")),
                             _float(e.get("difference")), _interval(e.get("difference_interval")),
                             _float(e.get("p_better")), _float(e.get("p_worse")), str(e.get("verdict")))
            for e in details.get("leaderboard") or () if isinstance(e, Mapping))
        return cls(str(details.get("metric")), str(details.get("champion")), entries)


@dataclass(frozen=True)
class RankedFeature:
    """One feature of a ranking: its permutation importance and interval."""

    feature: str
    importance: float | None
    interval: Interval | None

    def to_json(self) -> dict[str, Any]:
        return {"feature": self.feature, "importance": self.importance, "interval": _list(self.interval)}

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> RankedFeature:
        return cls(str(entry.get("feature")), _float(entry.get("importance")), _interval(entry.get("interval")))


def _ranked(entries: Any) -> tuple[RankedFeature, ...]:
    return tuple(RankedFeature.from_json(e) for e in entries or () if isinstance(e, Mapping))


@dataclass(frozen=True)
class ImportanceRanking(Record):
    """Explanation drift (``importance_ranking``): the current top ``top_k`` features by permutation importance
    and, when a baseline was read, the stored top ``top_k``, the features that left or entered it with evidence
    and the stored k-th feature whose interval is the bar (details keys ``current``, ``stored``, ...). ``outside``
    holds the current importance of the stored top-k features that are no longer in the current top k."""

    kind: ClassVar[str] = "importance_ranking"
    metric: str
    top_k: int
    current: tuple[RankedFeature, ...]
    stored: tuple[RankedFeature, ...] = ()  #: empty when the baseline was written or is missing
    left: tuple[str, ...] = ()
    entered: tuple[str, ...] = ()
    kth_feature: str | None = None
    kth_interval: Interval | None = None
    outside: tuple[RankedFeature, ...] = ()

    def now(self, feature: str) -> RankedFeature | None:
        """The current importance of ``feature`` when the record holds it (a current top-k or stored top-k one)."""
        return next((f for f in (*self.current, *self.outside) if f.feature == feature), None)

    def to_details(self) -> dict[str, Any]:
        out: dict[str, Any] = {"metric": self.metric, "top_k": self.top_k,
                               "current": [f.to_json() for f in self.current]}
        if self.stored:
            out.update({"stored": [f.to_json() for f in self.stored], "left": list(self.left),
                        "entered": list(self.entered), "kth_feature": self.kth_feature,
                        "kth_interval": _list(self.kth_interval),
                        "outside": [f.to_json() for f in self.outside]})
        return out

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> ImportanceRanking:
        kth = details.get("kth_feature")
        return cls(str(details.get("metric")), int(details.get("top_k") or 0), _ranked(details.get("current")),
                   _ranked(details.get("stored")), tuple(str(f) for f in details.get("left") or ()),
                   tuple(str(f) for f in details.get("entered") or ()), str(kth) if kth is not None else None,
                   _interval(details.get("kth_interval")), _ranked(details.get("outside")))


RECORDS: dict[str, type[Record]] = {cls.kind: cls for cls in (DriftColumn, DriftOverview, GroupTable,
                                                              ReliabilityTable, Comparison, Leaderboard,
                                                              ImportanceRanking)}


def read_record(kind: Any, details: Mapping[str, Any]) -> Record | None:
    """The record of ``kind`` from a result's JSON details (None for no kind or an unknown one)."""
    cls = RECORDS.get(kind) if isinstance(kind, str) else None
    return cls.from_details(details) if cls is not None else None


__all__ = ["RECORDS", "Comparison", "Distribution", "DriftColumn", "DriftOverview", "Estimate", "GroupRow",
           "GroupTable", "ImportanceRanking", "Interval", "Leaderboard", "LeaderboardEntry", "RankedFeature", "Record",
           "ReliabilityBin", "ReliabilityTable", "read_record"]
