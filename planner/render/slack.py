"""Slack as text, table cells and JSON. Pure functions of a computed `Slack`."""

from __future__ import annotations

from typing import Any

from planner.scenario import Scenario
from planner.whatif.slack import START, Room, Slack


def _by(names: tuple[str, ...]) -> str:
    if not names:
        return ""
    shown = "start" if names[0] == START else names[0]
    return shown + (f" +{len(names) - 1}" if len(names) > 1 else "")


def earlier_cell(room: Room) -> str:
    """'2 (after:us-x)': how far earlier, and what stops it there."""
    return f"{room.earlier} ({_by(room.earlier_by)})"


def later_cell(room: Room) -> str:
    """'3 (good-faith-early)', or 'any' when nothing stops it."""
    return "any" if room.later is None else f"{room.later} ({_by(room.later_by)})"


def slack_columns(result: Slack) -> dict[str, dict[str, str]]:
    """The `timeline --slack` columns: step -> cell, for 'earlier' and 'later'."""
    return {
        "earlier": {r.step: earlier_cell(r) for r in result.rooms},
        "later": {r.step: later_cell(r) for r in result.rooms},
    }


def chain_text(scenario: Scenario, result: Slack) -> str:
    """The critical chain in one sentence."""
    unit = scenario.unit
    if not result.chain:
        return (
            f"Critical chain: none holds the end: the steps done last ({unit} "
            f"{result.last_done}) could start earlier."
        )
    parts = [result.chain[0][0]] + [f"{s} ({tie})" for s, tie in result.chain[1:]]
    return f"Critical chain (done {unit} {result.last_done}): " + " → ".join(parts)


def slack_text(scenario: Scenario, result: Slack, tablefmt: str = "simple") -> str:
    """The slack section of `check --slack`: a table, what stops each step, the chain."""
    from tabulate import tabulate

    unit = scenario.unit
    rows = [[r.step, f"{unit} {r.start}", earlier_cell(r), later_cell(r)] for r in result.rooms]
    lines = [
        f"Slack (in {unit}s, every other step where it is; what stops each move):",
        tabulate(rows, headers=["step", "start", "earlier", "later"], tablefmt=tablefmt),
    ]
    if result.broken:
        lines.append(
            "Rules the roadmap already breaks are left out: " + ", ".join(sorted(result.broken))
        )
    lines += ["", chain_text(scenario, result)]
    return "\n".join(lines)


def slack_doc(result: Slack) -> dict[str, Any]:
    """The slack as plain data (the `slack` of `check --format json --slack`)."""
    return {
        "steps": [
            {
                "step": r.step,
                "start": r.start,
                "earlier": r.earlier,
                "later": r.later,
                "earlier_by": list(r.earlier_by),
                "later_by": list(r.later_by),
                "earlier_why": r.earlier_why,
                "later_why": r.later_why,
            }
            for r in result.rooms
        ],
        "critical_chain": [{"step": s, "tie": tie} for s, tie in result.chain],
        "last_done": result.last_done,
        "already_broken": sorted(result.broken),
    }
