"""The JSON report (``--mlgate-report=PATH``).

Schema (``schema_version`` 1)::

    {
      "schema_version": 1,
      "tool": "pytest-mlgate", "version": "...",
      "settings": {"alpha": ..., "n_resamples": ..., "seed": ...},
      "summary": {"total": N, "pass": N, "fail": N, "warn": N, "error": N},
      "results": [GateResult.to_dict(), ...]      # sorted by test node id, then in the order recorded
    }

Keys are sorted and the file holds no timestamp, so the same run gives the same bytes, serial or under xdist.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_mlgate.reports._rows import counts
from pytest_mlgate.results import GateResult, json_safe

SCHEMA_VERSION = 1


def build(results: Sequence[GateResult], *, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    from pytest_mlgate import __version__

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
    write_text_atomic(path, render(results, settings=settings))


def write_text_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and ``os.replace``: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
