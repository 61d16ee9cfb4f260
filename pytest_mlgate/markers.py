"""Our markers' names and arguments: which names are ours in a run, and what each marker may say.

Each family has a generic name (``baseline``) and a prefixed one (``mlgate_baseline``). The prefixed name is always
ours; the generic one only where the project has not registered a marker of that name itself, so a suite that already
uses the name keeps its own meaning.
"""

from __future__ import annotations

import pytest

from pytest_mlgate.results import FAMILIES

MARKER_HELP = {
    "data_quality": "data-quality gate: schema, integrity, leakage, drift",
    "model_validation": "model-validation gate: metrics, sanity, behaviour, calibration, slices",
    "baseline": "regression-versus-baseline gate: stored baselines, champion versus challenger",
    "fairness": "fairness gate: group metrics and disparities",
}
MARKER_PREFIX = "mlgate_"


INCONCLUSIVE_CHOICES = ("pass", "warn", "fail")  # the same as gates.base.INCONCLUSIVE_POLICIES (no gates import)


def marker_arguments(severity: str = "fail", *, inconclusive: str | None = None) -> tuple[str, str | None]:
    """The signature every family marker accepts; calling it validates a marker's arguments.

    ``severity`` is what a failure does (fail the test or warn); ``inconclusive`` what an inconclusive verdict does
    (pass, warn or fail; ``None``: the ini key ``mlgate_inconclusive``)."""
    return severity, inconclusive


MARKERS_KEY = pytest.StashKey["MarkerNames"]()  # which marker names are ours in this run


class MarkerNames:
    """Which marker names mean a gate family in this run.

    The prefixed name (``mlgate_baseline``) always does; the generic one (``baseline``) only when the project has not
    registered a marker of that name itself (ini ``markers`` or ``config.addinivalue_line``) and the ini key
    ``mlgate_prefixed_markers`` is off. A suite's own marker keeps its own meaning: we neither validate, read nor
    add it.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.prefixed_only = bool(config.getini("mlgate_prefixed_markers"))
        self.own_lines: set[str] = set()
        self.projects: list[str] = []  # generic names the project registered itself, in FAMILIES order
        self.by_family: dict[str, tuple[str, ...]] = {}
        self.refresh(config)
        for family in FAMILIES:
            for name in self.by_family[family]:
                line = (f"{name}(severity='fail', inconclusive=None): {MARKER_HELP[family]}; "
                        "severity='warn' reports failures without failing the test; inconclusive='pass', 'warn' "
                        "or 'fail' says what a verdict the data cannot decide does (default: ini "
                        "mlgate_inconclusive).")
                self.own_lines.add(line)
                config.addinivalue_line("markers", line)

    def refresh(self, config: pytest.Config) -> list[str]:
        """Look again at the registered markers (a conftest below the rootdir registers its own late); return the
        generic names newly found to be the project's."""
        registered = {line.split(":")[0].split("(")[0].strip()
                      for line in config.getini("markers") if line not in self.own_lines}
        new = [f for f in FAMILIES if f in registered and f not in self.projects]
        self.projects += new
        self.by_family = {
            family: (MARKER_PREFIX + family,) if self.prefixed_only or family in self.projects
            else (family, MARKER_PREFIX + family)
            for family in FAMILIES
        }
        self.family_of = {name: family for family, names in self.by_family.items() for name in names}
        return new

    def note(self, names: list[str]) -> str:
        ours = ", ".join(MARKER_PREFIX + name for name in names)
        return f"marker(s) {', '.join(names)} are this project's own; the gates' markers are {ours}"


def validate_marker(item: pytest.Item, marker: pytest.Mark) -> str:
    """The marker's severity, after checking every argument."""
    return marker_options(item, marker)[0]


def marker_options(item: pytest.Item, marker: pytest.Mark) -> tuple[str, str | None]:
    """``(severity, inconclusive)`` of one of our markers, or a UsageError naming the bad argument."""
    try:
        severity, inconclusive = marker_arguments(*marker.args, **marker.kwargs)
    except TypeError as exc:
        raise pytest.UsageError(
            f"@pytest.mark.{marker.name} on {item.nodeid}: {plain_message(exc)}; "
            f"the marker accepts only severity='fail' or 'warn' and inconclusive='pass', 'warn' or 'fail'"
        ) from None
    if severity not in ("fail", "warn"):
        raise pytest.UsageError(
            f"@pytest.mark.{marker.name} on {item.nodeid}: severity must be 'fail' or 'warn', got {severity!r}"
        )
    if inconclusive is not None and inconclusive not in INCONCLUSIVE_CHOICES:
        raise pytest.UsageError(
            f"@pytest.mark.{marker.name} on {item.nodeid}: inconclusive must be 'pass', 'warn' or 'fail', "
            f"got {inconclusive!r}"
        )
    return severity, inconclusive


def plain_message(exc: TypeError) -> str:
    return str(exc).replace("marker_arguments()", "the marker")


def closest_markers(item: pytest.Item, families: tuple[str, ...] = FAMILIES) -> dict[str, pytest.Mark]:
    """Family -> the closest of our markers for it on this test (one walk over the test's markers)."""
    family_of = item.config.stash[MARKERS_KEY].family_of
    found: dict[str, pytest.Mark] = {}
    for marker in item.iter_markers():
        family = family_of.get(marker.name)
        if family is not None and family in families and family not in found:
            found[family] = marker
    return found
