"""Shared by both examples: the switch that swaps the shipped candidate for a degraded one.

    python -m pytest examples                        # the shipped candidate: every gate passes
    python -m pytest examples --candidate=degraded   # a realistically worse candidate: the gates that should fail do

Each example's ``conftest.py`` reads the switch through the ``candidate`` fixture and builds its model (and, for
the Adult example, its scoring data) accordingly. ``MLGATE_CANDIDATE=degraded`` in the environment does the same,
for CI systems where adding a command-line option is awkward.
"""

from __future__ import annotations

import os

import pytest

CANDIDATES = ("shipped", "degraded")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--candidate", dest="candidate", choices=CANDIDATES, default=None,
        help="which candidate the example gates judge: 'shipped' (default; passes) or 'degraded' (a broken "
             "training pipeline or shifted data; the gates that should fail do). Env: MLGATE_CANDIDATE.",
    )


@pytest.fixture(scope="session")
def candidate(request: pytest.FixtureRequest) -> str:
    """'shipped' or 'degraded': from --candidate, else $MLGATE_CANDIDATE, else 'shipped'."""
    chosen = request.config.getoption("candidate") or os.environ.get("MLGATE_CANDIDATE") or "shipped"
    if chosen not in CANDIDATES:
        raise pytest.UsageError(f"MLGATE_CANDIDATE must be one of {CANDIDATES}, got {chosen!r}")
    return chosen


def pytest_report_header(config: pytest.Config) -> str:
    chosen = config.getoption("candidate") or os.environ.get("MLGATE_CANDIDATE") or "shipped"
    return f"mlgate examples: candidate = {chosen}"
