"""Irreversible exposure as text and JSON. Pure functions of computed curves."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from planner.rules.common import listing
from planner.scenario import Scenario
from planner.whatif.exposure import Curve

HEAD = (
    "Irreversible exposure (value given that cannot be taken back, beyond the other side's "
    "verified steps):"
)


def _wrapped(text: str) -> list[str]:
    """Text indented under its party, in lines of at most 88 characters."""
    return textwrap.wrap(
        text, 88, initial_indent="    ", subsequent_indent="      ", break_on_hyphens=False
    )


def exposure_lines(scenario: Scenario, found: Sequence[Curve]) -> list[str]:
    """Per party: its peak and when, then the level over time."""
    unit = scenario.unit
    lines = [HEAD]
    if not found:
        lines.append("  none: no scheduled step marked `reversible: false` gives value")
    for c in found:
        if c.peak == 0:
            lines.append(f"  {c.actor}: 0 (its irreversible steps are covered when they start)")
            continue
        until = (
            f"{unit}s {c.peak_at}–{c.peak_until - 1}"
            if c.peak_until is not None and c.peak_until - 1 > c.peak_at
            else f"{unit} {c.peak_at}"
            if c.peak_until is not None
            else f"{unit} {c.peak_at} on"
        )
        lines.append(f"  {c.actor}: peak {c.peak} in {until}")
        lines += _wrapped(" · ".join(f"{unit} {t}: {level}" for t, level in c.points))
        lines += _wrapped(f"irreversible steps: {listing(c.steps)}")
    return lines


def exposure_text(scenario: Scenario, found: Sequence[Curve]) -> str:
    return "\n".join(exposure_lines(scenario, found))


def exposure_doc(found: Sequence[Curve]) -> list[dict[str, Any]]:
    """The `irreversible` part of a JSON report."""
    return [
        {
            "actor": c.actor,
            "peak": c.peak,
            "peak_at": c.peak_at,
            "peak_until": c.peak_until,
            "curve": [[t, level] for t, level in c.points],
            "steps": list(c.steps),
        }
        for c in found
    ]
