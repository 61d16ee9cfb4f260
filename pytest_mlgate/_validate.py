"""Helpers every layer repeats, written once: the "did you mean" hint, argument validators and percentages.

Standard library only, so the statistics and the plugin can use them as cheaply as the gates.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable
from typing import Any

from pytest_mlgate.results import GateError, fmt, hide_our_frames, is_number

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


def did_you_mean(name: Any, choices: Iterable[Any]) -> str:
    """`` Did you mean 'x'?`` for the choice closest to ``name`` (compared as text), never ``name`` itself: a
    choice that reads like ``name`` but is another type (the column ``"1"`` for ``1``) is named with both types,
    and "" when nothing else is close."""
    options = list(choices)
    text = str(name)
    if any(type(choice) is type(name) and str(choice) == text for choice in options):
        return ""  # the name is there: the problem lies elsewhere, and another name would mislead
    for choice in options:
        if str(choice) == text and type(choice) is not type(name):
            return f" There is the {type(choice).__name__} {choice!r}, not the {type(name).__name__} {name!r}."
    close = difflib.get_close_matches(text, [str(c) for c in options if str(c) != text], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def fraction(name: str, value: Any, *, of: str = "") -> float:
    """``value`` as a float in [0, 1], or a GateError naming the argument (``of="rows"``: "a fraction of rows")."""
    if not is_number(value) or not 0 <= value <= 1:
        raise GateError(f"{name} must be a fraction{f' of {of}' if of else ''} between 0 and 1, got {value!r}")
    return float(value)


def positive_int(name: str, value: Any, *, note: str = "") -> int:
    """A count argument (``n_bins``, ``max_examples``, ...): a positive integer (numpy's too, never a bool), or a
    GateError naming it; ``note`` adds what else it may be."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise GateError(f"{name} must be a positive integer{note}, got {value!r}")
    return int(value)


def pct(fraction: float) -> str:
    """A fraction as a percentage with 3 significant digits: 0.0123 -> "1.23%"."""
    if fraction == 0:
        return "0%"
    return f"{fmt(100 * fraction, 3)}%"


__all__ = ["did_you_mean", "fraction", "pct", "positive_int"]
