"""Timelines: who does what when, as tables in any `tabulate` format. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.roadmap.write import roadmap_rows
from planner.scenario import Scenario

TIMELINE_VIEWS = ("time", "phase", "actor", "package")


def when(scenario: Scenario, t: int) -> str:
    """'week 10', with the calendar date when the scenario has a start date."""
    text = f"{scenario.unit} {t}"
    date = scenario.date_of(t)
    return text if date is None else f"{text} ({date.isoformat()})"


def phase_length(unit: str) -> int:
    """A quarter in the scenario's unit: the default length of a phase."""
    return {"day": 91, "week": 13, "month": 3}[unit]


TITLE_WIDTH = 64


#: Formats read in a terminal, where long titles are cut to TITLE_WIDTH; documents (html,
#: latex, markdown, ...) keep them whole.
TERMINAL_FORMATS = frozenset(
    {"simple", "plain", "grid", "simple_grid", "rounded_grid", "heavy_grid", "mixed_grid",
     "double_grid", "fancy_grid", "outline", "simple_outline", "rounded_outline",
     "heavy_outline", "mixed_outline", "double_outline", "fancy_outline", "psql", "presto",
     "orgtbl", "pretty"}
)  # fmt: skip


def _cell(scenario: Scenario, column: str, value: Any, short: bool) -> Any:
    if column == "start":
        return when(scenario, value)
    if short and column == "title" and len(value) > TITLE_WIDTH:
        return value[: TITLE_WIDTH - 1].rstrip() + "…"
    return value


def timeline(
    scenario: Scenario,
    starts: Mapping[str, int],
    view: str = "time",
    tablefmt: str = "simple",
    phase: int | None = None,
    extra: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Who does what when: one table by time, or one table per phase / actor / package.
    `extra` adds columns (name -> step -> cell) before the title, such as the slack."""
    from tabulate import tabulate  # imported where used: `check` never needs it

    rows = roadmap_rows(scenario, starts)
    unit = scenario.unit
    added = dict(extra or {})
    for r in rows:
        r.update({name: cells.get(r["step"], "") for name, cells in added.items()})
    headers = [
        "start",
        "end",
        "done",
        "step",
        "actor",
        "package",
        *added,
        "title",
    ]

    def table(items: list[dict[str, Any]], drop: str | None = None) -> str:
        cols = [h for h in headers if h != drop]
        short = tablefmt in TERMINAL_FORMATS
        body = [[_cell(scenario, h, r[h], short) for h in cols] for r in items]
        return tabulate(body, headers=cols, tablefmt=tablefmt, disable_numparse=True)

    if view == "time":
        return table(rows)
    groups: dict[str, list[dict[str, Any]]] = {}
    if view == "phase":
        length = phase or phase_length(unit)
        for r in rows:
            k = r["start"] // length
            groups.setdefault(
                f"Phase {k + 1}: {unit}s {k * length}–{(k + 1) * length - 1}", []
            ).append(r)
        drop = None
    else:
        order = list(scenario.actors) if view == "actor" else [p.id for p in scenario.packages]
        for key in order:
            items = [r for r in rows if r[view] == key]
            if items:
                name = (
                    scenario.actors[key]
                    if view == "actor"
                    else next(p.title for p in scenario.packages if p.id == key)
                )
                groups[f"{key}: {name}"] = items
        drop = view
    parts = []
    for title, items in groups.items():
        parts.append(f"{title}\n{table(items, drop)}")
    return "\n\n".join(parts)
