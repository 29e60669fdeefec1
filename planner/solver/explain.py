"""Why not: a minimal set of rules that cannot all hold, with the arithmetic.

Every hard rule (and every step's `after` list) gets an assumption literal; CP-SAT returns
a set of them that is infeasible together, and we shrink it by deletion until removing
any one makes the rest feasible: a minimal conflict.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping

from ortools.sat.python import cp_model

from planner.fields import declared
from planner.model import AnyOf, Req, Selector
from planner.rules import fixed, preconditions
from planner.rules.base import Rule, plural
from planner.scenario import Scenario
from planner.schedule.bounds import Deadline, Why, earliest_starts, hard_terms
from planner.solver.encoder import Encoder
from planner.solver.results import Conflict, Culprit


def _feasible(
    enc: Encoder, names: list[str], seed: int, limit: float
) -> tuple[bool | None, list[str]]:
    """(feasible?, core) with only `names` assumed; None when undecided in time."""
    model = enc.model
    model.clear_assumptions()
    model.add_assumptions([enc.lits[n] for n in names])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # cores come from the single-thread search
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.05, limit)
    solver.parameters.expand_reservoir_constraints = False
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True, []
    if status == cp_model.INFEASIBLE:
        index = {enc.lits[n].index: n for n in names}
        core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
        return False, core
    return None, []


#: The prefix of a held step's literal: `keep:<step>` (a step `repair --keep` holds).
HELD = "keep:"


def explain(
    scenario: Scenario,
    time_limit: float = 10.0,
    seed: int = 0,
    scheduled: Collection[str] | None = None,
    held: Mapping[str, int] | None = None,
    after: int = 0,
) -> Conflict | None:
    """A minimal set of hard rules that cannot all hold, or None when all can.

    `scheduled` (the steps a partial roadmap schedules) and `held` (steps held at their
    times, each a member of the conflict `keep:<step>` of its own) explain why a repair
    found nothing; `after` leaves room for times as late as that.
    """
    t0 = time.monotonic()
    deadline = t0 + time_limit
    enc = Encoder(scenario, explain=True, scheduled=scheduled, after=after).build()
    enc.held = dict(held or {})
    for s, t in enc.held.items():
        if s in enc.start:
            enc.model.add(enc.start[s] == t).only_enforce_if(enc.lit(HELD + s))
    names = sorted(enc.lits)
    # Rules that fail whatever the times are each a conflict of their own: list them all,
    # rules before step preconditions.
    if enc.impossible:
        core = sorted(enc.impossible, key=lambda n: (n.startswith("after:"), n))
        return _conflict(scenario, enc, core, True, time.monotonic() - t0, structural=True)
    ok, core = _feasible(enc, names, seed, deadline - time.monotonic())
    if ok is not False:
        return None
    core = sorted(core) or names
    # Deletion: drop each member whose removal keeps the rest infeasible.
    minimal = True
    i = 0
    while i < len(core):
        trial = core[:i] + core[i + 1 :]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            minimal = False
            break
        ok, sub = _feasible(enc, trial, seed, min(remaining, 2.0))
        if ok is False:
            # Still infeasible without core[i]; the solver's new core may be smaller still.
            core = sorted(sub) if sub and set(sub) <= set(trial) else trial
            i = min(i, len(core))
            continue
        if ok is None:
            minimal = False
        i += 1
    return _conflict(scenario, enc, core, minimal, time.monotonic() - t0)


def _rule_of(scenario: Scenario, name: str) -> Rule | None:
    return next((r for r in scenario.rules if r.id == name), None)


def _conflict(
    scenario: Scenario,
    enc: Encoder,
    core: list[str],
    minimal: bool,
    seconds: float,
    structural: bool = False,
) -> Conflict:
    culprits = []
    for name in core:
        rule = _rule_of(scenario, name)
        if name.startswith(HELD):
            s = name[len(HELD) :]
            culprits.append(
                Culprit(
                    name,
                    "held",
                    "",
                    "--keep",
                    f"{s} is held in {scenario.unit} {enc.held[s]}, where the roadmap has it",
                )
            )
        elif name.startswith((fixed.KIND + ":", fixed.EVENT)):
            s = name.split(":", 1)[1]
            step = scenario.steps[s]
            when = (
                f"fixed in {scenario.unit} {step.fixed}"
                if step.fixed is not None
                else f"an event, held at the earliest time its conditions allow "
                f"({scenario.unit} {enc.earliest.get(s, 0)})"
            )
            kind = fixed.KIND if step.fixed is not None else "event"
            culprits.append(Culprit(name, kind, step.source, str(step.mark), f"{s} is {when}"))
        elif rule is not None:
            culprits.append(
                Culprit(
                    name, rule.kind, rule.source, str(rule.mark), describe_rule(rule, scenario.unit)
                )
            )
        else:
            step = scenario.steps[name.split(":", 1)[1]]
            culprits.append(
                Culprit(
                    name,
                    "precondition",
                    step.source,
                    str(step.mark),
                    f"{step.id} waits for "
                    + ", ".join(_cond_text(c, scenario.unit) for c in step.after),
                )
            )
    return Conflict(
        tuple(culprits), tuple(arithmetic(scenario, enc, core)), minimal, seconds, structural
    )


def _cond_text(cond: Req | AnyOf, unit: str) -> str:
    if isinstance(cond, AnyOf):
        return "any of [" + ", ".join(_cond_text(c, unit) for c in cond.items) + "]"
    text = cond.step
    if cond.lag:
        text += f" + {plural(cond.lag, unit)}"
    if cond.within is not None:
        text += f" (within {cond.within})"
    return text


def describe_rule(rule: Rule, unit: str) -> str:
    """One line saying what a rule asks, with its numbers."""
    parts = []
    for decl in declared(type(rule)):
        if decl.name in _COMMON:
            continue
        value = getattr(rule, decl.name)
        if isinstance(value, Selector):
            shown = value.describe()
            if len(value.ids) <= 4:
                shown += " = " + ", ".join(value.ids)
            parts.append(f"{decl.key} {shown}")
        elif isinstance(value, tuple):
            parts.append(f"{decl.key} " + " / ".join(v.describe() for v in value))
        elif value is not None:
            parts.append(f"{decl.key} {value}")
    return f"{rule.kind}: " + "; ".join(parts)


_COMMON = {d.name for d in declared(Rule)}


def arithmetic(scenario: Scenario, enc: Encoder, core: list[str]) -> list[str]:
    """The numbers behind a conflict: how early the conflict's own conditions (the same
    propagation as the solver's lower bounds, under the conflict's rules and preconditions
    only) let each step with a deadline start, against how late its deadline allows."""
    out = [f"{name}: {enc.impossible[name]}" for name in core if name in enc.impossible]
    unit = scenario.unit
    active = set(core)
    rules = [r for r in scenario.rules if r.id in active]
    with_after = {s for s in enc.scheduled if preconditions.rule_id(s) in active}
    held = {n[len(HELD) :]: enc.held[n[len(HELD) :]] for n in core if n.startswith(HELD)}
    why: Why = {}
    est = earliest_starts(scenario, enc.scheduled, rules, with_after, why, fixed=held)
    deadlines = hard_terms(scenario, enc.is_scheduled, rules).deadlines
    deadlines += [Deadline("", (s,), t, "start") for s, t in held.items()]
    for name in core:
        if name.startswith(fixed.KIND + ":"):
            s = name.split(":", 1)[1]
            when = scenario.steps[s].fixed
            if when is not None:
                deadlines.append(Deadline("fixed", (s,), when, "start"))
    for term in deadlines:
        for s in term.ids:
            offset = scenario.steps[s].done_offset if term.measure == "done" else 0
            earliest = est[s] + offset
            if earliest <= term.latest:
                continue
            chain = [s]
            seen = {s}
            cur = s
            while (link := why.get(cur)) is not None and link[0] not in seen:
                cur = link[0]
                seen.add(cur)
                chain.append(cur)
            chain.reverse()
            shown = " → ".join(
                [
                    f"{c} (done {unit} {est[c] + scenario.steps[c].done_offset} at the earliest)"
                    for c in chain[:-1]
                ]
                + [chain[-1]]
            )
            verb = "start" if term.measure == "start" else "be done"
            out.append(
                f"{s} cannot {verb} before {unit} {earliest} (chain: {shown}); "
                f"{term.limit(unit)}: {plural(earliest - term.latest, unit)} short"
            )
    return out
