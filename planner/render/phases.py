"""A roadmap's phases: declared in the scenario (`phases:`), derived from its gates, or
fixed periods; and the gates' opening times. Pure: from the scenario, a roadmap's starts
and the rules' scheduling terms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.render.terms import terms_read
from planner.render.words import gate_name, step_name
from planner.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Span:
    """A phase in one roadmap: [start, end), `end` None when it runs to the end; `start`
    None when the roadmap never reaches it (an earlier phase runs to the end). It runs
    *until* `end`: the step whose done time ends it is done at that instant, and the next
    phase starts then."""

    id: str
    title: str
    start: int | None
    end: int | None
    #: How it ends, in words: "when Commit in writing not to abet is done" (the step's
    #: short name), "in week 20", "".
    ends: str
    declared: bool


@dataclass(frozen=True, slots=True)
class GateOpen:
    """A gate rule and the time it opens (its `when` steps all done); None when one of
    them is not in the roadmap."""

    rule: str
    opens: int | None
    when: tuple[str, ...]


def fixed_phases(unit: str, length: int, times: Sequence[int]) -> list[Span]:
    """Fixed periods of `length`: those holding a start or a done time."""
    blocks = sorted({t // length for t in times}) or [0]
    return [
        Span(
            f"phase-{k + 1}",
            f"{unit} {k * length} until {unit} {(k + 1) * length}",
            k * length,
            (k + 1) * length,
            f"in {unit} {(k + 1) * length}",
            False,
        )
        for k in blocks
    ]


def declared_phases(
    scenario: Scenario, starts: Mapping[str, int], times: Sequence[int], notes: list[str]
) -> list[Span]:
    """The declared phases in this roadmap; past the last one's end (when it has one and
    something happens after it), one more: "After <its title>"."""
    unit = scenario.unit
    out: list[Span] = []
    begin: int | None = 0
    for phase in scenario.phases:
        until = phase.until
        end: int | None
        if until is None or until == "":
            end, ends = None, ""
        elif isinstance(until, int):
            end, ends = until, f"in {unit} {until}"
        elif until in starts:
            name = step_name(scenario.steps[until])
            end, ends = starts[until] + scenario.steps[until].done_offset, f"when {name} is done"
        else:
            step = scenario.everything().steps.get(until)
            name = step_name(step) if step is not None else until
            end, ends = None, f"when {name} is done"
            named = name if name == until else f"{name} ({until})"
            if begin is not None:
                notes.append(
                    f"phase '{phase.id}' ends when {name} is done, but {named} is not in the "
                    "roadmap: the phase runs to the end"
                )
        if begin is not None and end is not None and end < begin:
            notes.append(
                f"phase '{phase.id}' ends {ends} ({unit} {end}), before the phase before it: "
                "it has no time of its own in this roadmap"
            )
            end = begin
        if begin is None:
            end = None
        out.append(Span(phase.id, phase.title, begin, end, ends, True))
        begin = end
    last = scenario.phases[-1]
    if begin is not None and any(t >= begin for t in times):
        out.append(Span(f"after-{last.id}", f"After: {last.title}", begin, None, "", False))
    return out


def gate_openings(scenario: Scenario, starts: Mapping[str, int]) -> list[GateOpen]:
    out = []
    for rule, when in terms_read(scenario).gates:
        scheduled = [s for s in when if s in starts]
        opens = (
            max(starts[s] + scenario.steps[s].done_offset for s in scheduled)
            if scheduled and len(scheduled) == len(when)
            else None
        )
        out.append(GateOpen(rule.id, opens, when))
    return out


def derived_phases(
    scenario: Scenario, starts: Mapping[str, int], gates: list[GateOpen]
) -> list[Span]:
    """Before the first gate opens, between gates, until the last relief is done, after."""
    unit = scenario.unit
    opening: dict[int, list[str]] = {}
    for g in gates:
        if g.opens is not None and g.opens > 0:
            opening.setdefault(g.opens, []).append(g.rule)
    relief = [
        starts[s] + scenario.steps[s].done_offset
        for s in starts
        if scenario.steps[s].kind == "relief"
    ]
    last_relief = max(relief, default=None)
    cuts: list[tuple[int, str, str, str]] = []  # (time, id, title of the phase ending, ends)
    before = ""
    for t in sorted(opening):
        names = ", ".join(gate_name(g) for g in opening[t])
        title = (
            f"Before {names} opens"
            if not before
            else f"{before[0].upper()}{before[1:]} open, before {names} opens"
        )
        cuts.append((t, f"before-{opening[t][0]}", title, f"when {names} opens"))
        before = names
    if last_relief is not None and (not cuts or last_relief > cuts[-1][0]):
        title = (
            "Until the last relief is done"
            if not before
            else f"{before[0].upper()}{before[1:]} open, until the last relief is done"
        )
        cuts.append((last_relief, "until-last-relief", title, "when the last relief is done"))
        tail = ("after-last-relief", "After the last relief")
    elif before:
        tail = (f"{opening[max(opening)][0]}-open", f"{before[0].upper()}{before[1:]} open")
    else:
        tail = ("whole-roadmap", "The whole roadmap")
    out: list[Span] = []
    begin = 0
    for t, pid, title, ends in cuts:
        out.append(Span(pid, title, begin, t, f"{ends} ({unit} {t})", False))
        begin = t
    out.append(Span(tail[0], tail[1], begin, None, "", False))
    return out


def phase_of(phases: Sequence[Span], t: int) -> str:
    """The phase holding time t."""
    for p in phases:
        if p.start is not None and p.start <= t and (p.end is None or t < p.end):
            return p.id
    return phases[-1].id if phases else ""
