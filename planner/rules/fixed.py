"""Fixed steps and events: times no roadmap chooses.

    start(s) == fixed(s)        for every scheduled step s with `fixed`

A step with `fixed: T` happened at T, or its date is assumed (a summit, an election): it
starts at T in every roadmap. A step of `kind: event` is something no party controls (a
ceasefire): `plan` holds it at its fixed time or, without one, at the earliest time its
conditions allow — the planner never delays the world. `check` holds events to nothing
more than their `fixed` time (a person may assume another date). Violated by each
scheduled fixed step that starts at another time (rule id `fixed:<step>`, with the step's
`source`).
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.rules.base import CheckContext, Encoding, Violation
from planner.rules.common import is_event

KIND = "fixed"
SEVERITY = 1
#: The prefix of an event's literal when explaining: `event:<step>` (held at its earliest).
EVENT = "event:"


def repair_of(ctx: CheckContext, s: str, fixed: int) -> str:
    """Back to the fixed time; an event is not told to start: the roadmap is corrected,
    or the assumption changed."""
    if is_event(ctx, s):
        return (
            f"write {s} at its assumed time, {ctx.t(fixed)}, in the roadmap: it is an event no "
            "party controls; to plan for another date, change its `fixed` time in the scenario"
        )
    return f"start {s} in {ctx.t(fixed)}, or change its `fixed` time in the scenario"


def rule_id(step_id: str) -> str:
    return f"{KIND}:{step_id}"


def check(ctx: CheckContext) -> list[Violation]:
    """Every scheduled fixed step that starts at another time than its `fixed` one."""
    out = []
    for s, t in ctx.starts.items():
        fixed = ctx.step(s).fixed
        if fixed is None or t == fixed:
            continue
        off = abs(t - fixed)
        out.append(
            Violation(
                rule=rule_id(s),
                kind=KIND,
                message=(
                    f"the roadmap puts {s}, an event no party controls, in {ctx.t(t)}, but the "
                    f"scenario assumes it in {ctx.t(fixed)}: {ctx.span(off)} "
                    f"{'late' if t > fixed else 'early'}"
                    if is_event(ctx, s)
                    else f"{s} starts in {ctx.t(t)}, but its time is fixed in {ctx.t(fixed)}: "
                    f"{ctx.span(off)} {'late' if t > fixed else 'early'}"
                ),
                repair=repair_of(ctx, s, fixed),
                steps=(s,),
                times=((s, t),),
                amount=off,
                source=ctx.step(s).source,
                severity=SEVERITY,
            )
        )
    return out


def encode(enc: Encoding, earliest: Mapping[str, int]) -> None:
    """start == fixed for fixed steps; an event without a fixed time starts at
    `earliest[s]`, the earliest its conditions allow. Each holds under its own literal
    when explaining (`fixed:<step>`, `event:<step>`)."""
    for s in enc.scheduled:
        step = enc.scenario.steps[s]
        if step.fixed is not None:
            ct = enc.model.add(enc.start[s] == step.fixed)
            name = rule_id(s)
        elif step.is_event:
            ct = enc.model.add(enc.start[s] == earliest.get(s, 0))
            name = EVENT + s
        else:
            continue
        lit = enc.lit(name)
        if lit is not None:
            ct.only_enforce_if(lit)
