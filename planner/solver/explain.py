"""Why not: a minimal set of rules that cannot all hold, with the arithmetic.

Every hard rule (and every step's `after` list) gets an assumption literal; CP-SAT returns
a set of them that is infeasible together, and we shrink it by deletion until removing
any one makes the rest feasible: a minimal conflict.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.check import plural
from planner.model import AnyOf, Req, Rule, Scenario
from planner.rules import preconditions
from planner.rules.gate import Gate
from planner.rules.order import Order
from planner.rules.precedence import Precedence
from planner.rules.window import Window
from planner.solver.encoder import Encoder


@dataclass(frozen=True, slots=True)
class Culprit:
    """One member of a conflict: a rule, or a step's preconditions."""

    name: str
    kind: str
    source: str
    where: str
    detail: str


@dataclass(frozen=True, slots=True)
class Conflict:
    culprits: tuple[Culprit, ...]
    arithmetic: tuple[str, ...]
    is_minimal: bool
    seconds: float
    #: True when each culprit fails on its own, whatever the times (a broken delink, a
    #: step that needs a red-line step): then all of them are listed.
    structural: bool = False


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


def explain(scenario: Scenario, time_limit: float = 10.0, seed: int = 0) -> Conflict | None:
    """A minimal set of hard rules that cannot all hold, or None when all can."""
    t0 = time.monotonic()
    deadline = t0 + time_limit
    enc = Encoder(scenario, explain=True).build()
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
        if rule is not None:
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
    f = {name: getattr(rule, name) for name in rule.fields}
    parts = []
    for name, value in f.items():
        if hasattr(value, "describe"):
            shown = value.describe()
            if len(value.ids) <= 4:
                shown += " = " + ", ".join(value.ids)
            parts.append(f"{name} {shown}")
        elif isinstance(value, tuple):
            parts.append(f"{name} " + " / ".join(v.describe() for v in value))
        elif value is not None:
            parts.append(f"{name} {value}")
    return f"{rule.kind}: " + "; ".join(parts)


def arithmetic(scenario: Scenario, enc: Encoder, core: list[str]) -> list[str]:
    """The numbers behind a conflict: how early the chain of conditions in the conflict
    lets each windowed step start, against how late its window allows."""
    out = [f"{name}: {enc.impossible[name]}" for name in core if name in enc.impossible]
    unit = scenario.unit
    active = set(core)
    rules = [r for r in scenario.rules if r.id in active]
    # Earliest starts under the conflict's own precedence-like conditions (longest path).
    est: dict[str, int] = dict.fromkeys(enc.scheduled, 0)
    why: dict[str, tuple[str, str] | None] = dict.fromkeys(enc.scheduled, None)
    for r in rules:
        if isinstance(r, Window):
            for s in enc.sched(r.steps.ids):
                offset = scenario.steps[s].done_offset if r.measure == "done" else 0
                if r.earliest - offset > est[s]:
                    est[s], why[s] = r.earliest - offset, None
    edges: list[tuple[str, str, int, str]] = []  # (first, then, lag, label)
    for s in enc.scheduled:
        if preconditions.rule_id(s) in active:
            for cond in scenario.steps[s].after:
                if not isinstance(cond, AnyOf) and cond.step in enc.is_scheduled:
                    edges.append((cond.step, s, cond.lag, "after"))
    for r in rules:
        if isinstance(r, (Precedence, Gate)):
            firsts, waiting, lag = r.waits()
            for f in enc.sched(firsts):
                for w in enc.sched(waiting):
                    if f != w:
                        edges.append((f, w, lag, r.id))
        elif isinstance(r, Order):
            ranks = r.ranks(enc.sched(r.steps.ids), scenario.steps)
            for k in range(1, len(ranks)):
                for f in ranks[k - 1]:
                    for w in ranks[k]:
                        edges.append((f, w, -scenario.steps[f].done_offset, r.id))
    for _ in range(len(enc.scheduled) + 1):
        changed = False
        for f, w, lag, label in edges:
            t = est[f] + scenario.steps[f].done_offset + lag
            if t > est[w] and t <= enc.horizon:
                est[w], why[w] = t, (f, label)
                changed = True
        if not changed:
            break
    for r in rules:
        if not isinstance(r, Window) or r.latest is None:
            continue
        for s in enc.sched(r.steps.ids):
            offset = scenario.steps[s].done_offset if r.measure == "done" else 0
            earliest = est[s] + offset
            if earliest > r.latest:
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
                verb = "start" if r.measure == "start" else "be done"
                out.append(
                    f"{s} cannot {verb} before {unit} {earliest} (chain: {shown}); "
                    f"window '{r.id}' allows {unit} {r.latest} at the latest: "
                    f"{plural(earliest - r.latest, unit)} short"
                )
    return out
