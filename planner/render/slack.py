"""Slack as text, table cells and JSON. Pure functions of a computed `Slack`. Text names
steps by their short names (`planner.render.words`), ids with `ids`; JSON keeps ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.render.words import label, reason
from planner.scenario import Scenario
from planner.whatif.chain import START as DEAL_START
from planner.whatif.slack import START, Room, Slack


def _by(names: tuple[str, ...], words: Mapping[str, str], step: str) -> str:
    if not names:
        return ""
    shown = "start" if names[0] == START else reason(words, names[0], step)
    return shown + (f" +{len(names) - 1}" if len(names) > 1 else "")


def earlier_cell(room: Room, words: Mapping[str, str] | None = None) -> str:
    """'2 (its preconditions)': how far earlier, and what stops it there."""
    return f"{room.earlier} ({_by(room.earlier_by, words or {}, room.step)})"


def later_cell(room: Room, words: Mapping[str, str] | None = None) -> str:
    """'3 (good-faith-early)', or 'any' when nothing stops it."""
    if room.later is None:
        return "any"
    return f"{room.later} ({_by(room.later_by, words or {}, room.step)})"


def slack_columns(
    result: Slack, words: Mapping[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """The `timeline --slack` columns: step -> cell, for 'earlier' and 'later'."""
    return {
        "earlier": {r.step: earlier_cell(r, words) for r in result.rooms},
        "later": {r.step: later_cell(r, words) for r in result.rooms},
    }


def held_words(held: str, words: Mapping[str, str] | None = None) -> str:
    """What holds a critical chain's first step, as a clause."""
    if held == DEAL_START:
        return "from the start of the deal"
    if held.startswith("fixed:"):
        return "from a fixed date"
    if held:
        return f"from the earliest time rule {held} allows"
    return "its first step could start earlier"


def chain_text(
    scenario: Scenario,
    result: Slack,
    words: Mapping[str, str] | None = None,
    ids: bool = False,
) -> str:
    """The critical chain in one sentence (`planner.whatif.chain`), steps by name."""
    unit = scenario.unit
    names = words or {}
    if not result.chain:
        return f"Critical chain: none (no step is scheduled; done {unit} {result.last_done})."
    parts = [label(names, result.chain[0][0], ids)] + [
        f"{label(names, s, ids)} ({reason(names, tie, s)})" for s, tie in result.chain[1:]
    ]
    held = held_words(result.held, names)
    return f"Critical chain (done {unit} {result.last_done}, {held}): " + " → ".join(parts)


def slack_text(
    scenario: Scenario,
    result: Slack,
    tablefmt: str = "simple",
    words: Mapping[str, str] | None = None,
    ids: bool = False,
) -> str:
    """The slack section of `check --slack`: a table, what stops each step, the chain."""
    from tabulate import tabulate

    from planner.render.words import names as step_names

    unit = scenario.unit
    named = words if words is not None else step_names(scenario.everything().steps, scenario.actors)
    headers = ["step", *(["id"] if ids else []), "start", "earlier", "later"]
    rows = [
        [named.get(r.step, r.step), *([r.step] if ids else []), f"{unit} {r.start}",
         earlier_cell(r, named), later_cell(r, named)]
        for r in result.rooms
    ]  # fmt: skip
    lines = [
        f"Slack (in {unit}s, every other step where it is; what stops each move):",
        tabulate(rows, headers=headers, tablefmt=tablefmt),
    ]
    if result.broken:
        lines.append(
            "Rules the roadmap already breaks are left out: " + ", ".join(sorted(result.broken))
        )
    lines += ["", chain_text(scenario, result, named, ids)]
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
        "critical_chain_held": result.held,
        "last_done": result.last_done,
        "already_broken": sorted(result.broken),
    }
