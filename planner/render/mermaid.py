"""The Gantt chart as a Mermaid `gantt` block, which GitHub and GitLab draw where a
Markdown file holds it. Pure text.

Mermaid places tasks by date, so without a scenario start time 0 is drawn at a nominal
Monday, 2001-01-01 (the axis then shows day and month only). A task is one step's bar
(its title, shortened, and its actor); its verification follows as a task of its own in
the same section, marked `active` (drawn lighter); phase starts and gate openings are
milestones in a last section, "Phases and gates".
Mermaid draws no arrows in a Gantt chart: the counter-step each give step answers is
named in its task ("← by-no-resale-pledge").
"""

from __future__ import annotations

import datetime as dt

from planner.render.gantt import ordered_rows, short
from planner.render.outline import Outline

NOMINAL_START = dt.date(2001, 1, 1)
#: Mermaid reads ':' (task fields), ';' and '#' (entities) in a task name, '<' '>' would
#: be markup and '%%' a comment or an `%%{init}%%` directive: each is written as a
#: look-alike.
_UNSAFE = str.maketrans({":": "꞉", ";": ",", "#": "№", "<": "‹", ">": "›", "%": "％"})


def _task_name(text: str) -> str:
    return " ".join(text.translate(_UNSAFE).split())


def _date(o: Outline, t: int) -> str:
    start = o.scenario.start or NOMINAL_START
    unit = o.scenario.unit
    if unit == "day":
        return (start + dt.timedelta(days=t)).isoformat()
    if unit == "week":
        return (start + dt.timedelta(weeks=t)).isoformat()
    month = start.month - 1 + t
    return dt.date(start.year + month // 12, month % 12 + 1, min(start.day, 28)).isoformat()


def gantt_mermaid(o: Outline) -> str:
    """A fenced ```mermaid block with the roadmap's Gantt chart."""
    s = o.scenario
    lines = ["```mermaid", "gantt", f"    title {_task_name(s.name)}", "    dateFormat YYYY-MM-DD"]
    if s.start is not None:
        lines.append("    axisFormat %Y-%m-%d")
    else:
        lines.append(f"    %% no start date: time 0 is drawn at {NOMINAL_START.isoformat()}")
        lines.append("    axisFormat %d %b")
    lines.append("    todayMarker off")
    for title, rows in ordered_rows(o):
        lines.append(f"    section {_task_name(title)}")
        for r in rows:
            name = _task_name(f"{short(r.title, 48)} ({r.actor})")
            if r.counter:
                name += " ← " + ", ".join(r.counter)
            if r.end == r.start:
                lines.append(f"    {name} :milestone, {_date(o, r.start)}, 0d")
            else:
                lines.append(f"    {name} :{_date(o, r.start)}, {_date(o, r.end)}")
            if r.verified is not None and r.verified > r.end:
                lines.append(
                    f"    verified by {_task_name(r.verifier)} :active, "
                    f"{_date(o, r.end)}, {_date(o, r.verified)}"
                )
    marks = [
        (p.start, f"phase {i} starts: {p.title}")
        for i, p in enumerate(o.phases, 1)
        if p.start is not None
    ]
    marks += [(g.opens, f"{g.rule} opens") for g in o.gates if g.opens is not None]
    if marks:
        lines.append("    section Phases and gates")
        for t, text in sorted(marks, key=lambda m: m[0]):
            lines.append(f"    {_task_name(text)} :milestone, {_date(o, t)}, 0d")
    lines.append("```")
    return "\n".join(lines)
