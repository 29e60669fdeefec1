"""Step preconditions (`after`): a step waits for the steps it names, each done.

    start(s) >= done(p) + lag                      for every item {step: p, lag, within}
    start(s) <= done(p) + within                   when `within` is given
    {any: [items]}: at least one item holds        (the first to be satisfied unlocks s)

Violated when a scheduled step starts too early or too late for an item, or when a step it
needs is left out of the roadmap. Reported under the rule id `after:<step>`, with the
step's own `source`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.model import AnyOf, Req, Step
from planner.rules.base import PRECONDITION_KIND, CheckContext, Encoding, Violation
from planner.rules.common import too_early, too_late

SEVERITY = 1


def rule_id(step_id: str) -> str:
    return f"after:{step_id}"


def _problem(ctx: CheckContext, step: Step, req: Req) -> tuple[str, str, list[str], int] | None:
    """(message, repair, steps, amount) when `req` does not hold for the scheduled `step`."""
    if not ctx.is_scheduled(req.step):
        return (
            f"{step.id} needs {req.step} done first, but the roadmap leaves {req.step} out",
            f"schedule {req.step} before {step.id}, or leave out {step.id}",
            [step.id, req.step],
            1,
        )
    found = too_early(ctx, step.id, req.step, req.lag)
    if found is None and req.within is not None:
        found = too_late(ctx, step.id, req.step, req.within)
    if found is None:
        return None
    return found[0], found[1], [step.id, req.step], found[2]


def earliest_start(step: Step, done: Mapping[str, int]) -> int:
    """The earliest start `step`'s `after` items allow, given the done times known so far
    (items whose steps have no done time yet are not waited for; for `{any: [...]}`, the
    earliest of the known alternatives). Shared by sequences, the greedy schedule and the
    solver's lower bounds."""
    t = 0
    for cond in step.after:
        items = cond.items if isinstance(cond, AnyOf) else (cond,)
        options = [done[r.step] + r.lag for r in items if r.step in done]
        if options:
            t = max(t, min(options))
    return t


def check(ctx: CheckContext) -> list[Violation]:
    """Every precondition of every scheduled step that the roadmap breaks."""
    out = []
    for s in ctx.starts:
        step = ctx.step(s)
        for cond in step.after:
            if isinstance(cond, AnyOf):
                problems = [_problem(ctx, step, r) for r in cond.items]
                if any(p is None for p in problems):
                    continue
                # None of the alternatives holds: report the one closest to holding, a
                # scheduled one (whose shortfall is a time) before a left-out one.
                found = min(
                    (p for p in problems if p is not None),
                    key=lambda p: (not ctx.is_scheduled(p[2][1]), p[3], p[0]),
                )
                alternatives = " or ".join(r.step for r in cond.items)
                message = f"none of the alternatives ({alternatives}) holds; nearest: {found[0]}"
            else:
                problem = _problem(ctx, step, cond)
                if problem is None:
                    continue
                found = problem
                message = found[0]
            out.append(
                Violation(
                    rule=rule_id(s),
                    kind=PRECONDITION_KIND,
                    message=message,
                    repair=found[1],
                    steps=tuple(found[2]),
                    times=tuple((x, ctx.starts[x]) for x in found[2] if x in ctx.starts),
                    amount=max(1, found[3]),
                    source=step.source,
                    severity=SEVERITY,
                )
            )
    return out


def encode(enc: Encoding) -> None:
    """start(s) >= done(p) + lag, <= done(p) + within; `any`: one alternative holds. A
    step's preconditions hold under its literal `after:<step>` when explaining."""
    for s in enc.scheduled:
        name = rule_id(s)
        lit = enc.lit(name)
        for cond in enc.scenario.steps[s].after:
            if isinstance(cond, AnyOf):
                options = []
                for req in cond.items:
                    if req.step in enc.is_scheduled:  # a forbidden alternative is closed
                        via = enc.model.new_bool_var(f"{name}.via[{req.step}]")
                        for ct in _require(enc, s, req):
                            ct.only_enforce_if(via)
                        options.append(via)
                if not options:
                    alternatives = [r.step for r in cond.items]
                    enc.fail(name, f"every alternative {s} waits for is {enc.absent(alternatives)}")
                    continue
                ct = enc.model.add_bool_or(options)
                if lit is not None:
                    ct.only_enforce_if(lit)
            elif cond.step not in enc.is_scheduled:
                enc.fail(name, f"{s} needs {cond.step}, {enc.absent([cond.step], which=True)}")
            else:
                for ct in _require(enc, s, cond):
                    if lit is not None:
                        ct.only_enforce_if(lit)


def _require(enc: Encoding, s: str, req: Req) -> list[Any]:
    cts = [enc.model.add(enc.start[s] >= enc.done(req.step) + req.lag)]
    if req.within is not None:
        cts.append(enc.model.add(enc.start[s] <= enc.done(req.step) + req.within))
    return cts
