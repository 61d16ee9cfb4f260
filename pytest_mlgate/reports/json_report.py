"""The JSON report (``--mlgate-report=PATH``).

Schema (``schema_version`` 2; what changed from 1 is in ``docs/json-report.md``)::

    {
      "schema_version": 2,
      "tool": "pytest-mlgate", "version": "...",
      "settings": {"alpha": ..., "n_resamples": ..., "seed": ..., "inconclusive": "pass" | "warn" | "fail"},
      "summary": {"total": N, "pass": N, "inconclusive": N, "fail": N, "warn": N, "error": N},
      "results": [GateResult.to_dict(), ...]      # sorted by test node id, then in the order recorded
    }

A result's ``status`` is one of ``pass``, ``inconclusive``, ``fail``, ``warn``, ``error``. ``inconclusive``: the
interval reaches across the limit, so the data cannot tell; its ``details["decide"]`` says what would decide it::

    {"limit": L, "detectable_difference": D, "rows_needed": N or null, "power": 0.8, "alpha": A}

(``D``: the smallest difference from ``L`` this sample detects at that power and the check's one-sided ``alpha``;
``N``: roughly the rows at which the measured gap would be detected, null when the value sits on the limit.)

Keys are sorted and the file holds no timestamp, so the same run gives the same bytes, serial or under xdist.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_mlgate._files import write_atomic
from pytest_mlgate.reports._rows import counts
from pytest_mlgate.results import GateResult, json_safe

SCHEMA_VERSION = 2


def build(results: Sequence[GateResult], *, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    from pytest_mlgate._version import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "pytest-mlgate",
        "version": __version__,
        "settings": json_safe(settings or {}),
        "summary": {"total": len(results), **counts(results)},
        "results": [r.to_dict() for r in results],
    }


def render(results: Sequence[GateResult], *, settings: dict[str, Any] | None = None) -> str:
    return json.dumps(build(results, settings=settings), indent=2, sort_keys=True, allow_nan=False) + "\n"


def write(results: Sequence[GateResult], path: Path, *, settings: dict[str, Any] | None = None) -> None:
    write_atomic(path, render(results, settings=settings))
