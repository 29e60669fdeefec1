"""The Gantt chart as Mermaid text (`mermaid_gantt`), which mermaid-cli draws; inside a
Markdown file, as a fenced block (`gantt_mermaid`), which GitHub and GitLab draw. Pure
text, from the same chart as the drawing (`planner.render.chart`).

Mermaid places tasks by date, so without a scenario start time 0 is drawn at a nominal
Monday, 2001-01-01 (the axis then shows day and month only). A task is one step's bar
(its short name and its actor); its verification follows as a task of its own in the
same section, marked `active` (drawn lighter); time in force is a task marked `done`
("… in force"), its renewals, lapse and snapback milestones; the critical chain's tasks
are marked `crit`; a step in a violation is named with "⚠". Gate openings, exchanges and
phase ends are milestones in a last section, "Milestones". A roadmap of more than
`SUMMARY_STEPS` steps is one task per package (`detail` draws every step). Mermaid
draws no arrows in a Gantt chart: the counter-step each give step answers is named in
its task ("← Pledge no resale to Russia").
"""

from __future__ import annotations

import datetime as dt

from planner.render.chart import (
    DEFAULT_OPTIONS,
    SUMMARY_STEPS,
    Bar,
    Chart,
    ChartOptions,
    Lane,
    chart,
)
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


def gantt_mermaid(o: Outline, options: ChartOptions = DEFAULT_OPTIONS) -> str:
    """The chart as a fenced ```mermaid block, for a Markdown file."""
    return f"```mermaid\n{mermaid_gantt(o, options)}\n```"


def mermaid_gantt(o: Outline, options: ChartOptions = DEFAULT_OPTIONS) -> str:
    """The chart as Mermaid text (a `.mmd` file: no Markdown fence)."""
    s = o.scenario
    detail = options.detail or len(o.rows) <= SUMMARY_STEPS
    drawn = chart(o, options, detail)
    lines = ["gantt", f"    title {_task_name(s.name)}", "    dateFormat YYYY-MM-DD"]
    if s.start is not None:
        lines.append("    axisFormat %Y-%m-%d")
    else:
        lines.append(f"    %% no start date: time 0 is drawn at {NOMINAL_START.isoformat()}")
        lines.append("    axisFormat %d %b")
    lines.append("    todayMarker off")
    counters = {
        r.step: tuple(drawn.bars[c].name if c in drawn.bars else c for c in r.counter)
        for r in o.rows
    }
    for lane in drawn.lanes:
        if lane.kind != "step":
            lines.append(f"    section {_task_name(lane.label)}")
            if not detail:
                lines += _summary_tasks(o, lane)
            continue
        lines += _step_tasks(o, drawn, lane, counters.get(lane.bars[0].step, ()))
    if drawn.milestones:
        lines.append("    section Milestones")
        for m in drawn.milestones:
            lines.append(f"    {_task_name(m.label)} :milestone, {_date(o, m.at)}, 0d")
    return "\n".join(lines)


def _tags(bar: Bar, *more: str) -> str:
    tags = [*more, *(["crit"] if bar.critical else [])]
    return "".join(f"{t}, " for t in tags)


def _name(bar: Bar) -> str:
    return ("⚠ " if bar.violated else "") + f"{bar.name} ({bar.actor})"


def _step_tasks(o: Outline, drawn: Chart, lane: Lane, counter: tuple[str, ...]) -> list[str]:
    bar = lane.bars[0]
    name = _task_name(_name(bar) + (" ← " + ", ".join(counter) if counter else ""))
    out = []
    if bar.end == bar.start:
        out.append(f"    {name} :{_tags(bar, 'milestone')}{_date(o, bar.start)}, 0d")
    else:
        out.append(f"    {name} :{_tags(bar)}{_date(o, bar.start)}, {_date(o, bar.end)}")
    step = o.scenario.steps[bar.step]
    if bar.done > bar.end and step.verify is not None:
        out.append(
            f"    verified by {_task_name(step.verify.by)} :{_tags(bar, 'active')}"
            f"{_date(o, bar.end)}, {_date(o, bar.done)}"
        )
    f = lane.force
    if f is not None and (f.until is not None or f.renewals):
        short = _task_name(bar.name)
        for a, b in f.spans:
            end = b if b is not None else max(o.last, a + 1)
            out.append(f"    {short} in force :done, {_date(o, a)}, {_date(o, end)}")
        for r in lane.renewals:
            name = _task_name(("⚠ " if r.violated else "") + f"{bar.name} renewed")
            out.append(f"    {name} :{_tags(r, 'milestone')}{_date(o, r.done)}, 0d")
        for t in f.lapses:
            out.append(f"    {short} lapses :milestone, {_date(o, t)}, 0d")
        if f.reimposed is not None:
            at, by = f.reimposed
            who = _task_name(drawn.bars[by].name if by in drawn.bars else by)
            out.append(f"    {short} reimposed by {who} :milestone, {_date(o, at)}, 0d")
    return out


def _summary_tasks(o: Outline, lane: Lane) -> list[str]:
    """A package's (or a run of packages') one task: its steps' span, `crit` when the
    critical chain passes through it, the count of its steps in violations."""
    a, b = lane.extent
    bad = sum(1 for x in lane.bars if x.violated)
    name = _task_name(f"{len(lane.bars)} steps" + (f", ⚠ {bad} in violations" if bad else ""))
    tags = ("crit, " if any(x.critical for x in lane.bars) else "") + (
        "milestone, " if b == a else ""
    )
    end = "0d" if b == a else _date(o, b)
    return [f"    {name} :{tags}{_date(o, a)}, {end}"]
