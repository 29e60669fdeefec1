"""Roadmaps: a start time per scheduled step, and times for a written sequence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from planner.model import Scenario
from planner.rules.gate import Gate
from planner.rules.precedence import Precedence
from planner.rules.preconditions import earliest_start
from planner.rules.reciprocity import Reciprocity

SEQUENCE_NOTE = (
    "times come from the sequence: each step starts as early as its preconditions (after, "
    "precedence, gate, and a free counter-step for reciprocity, all among the steps listed "
    "before it) allow, and never before the step listed before it"
)


def starts_from_sequence(scenario: Scenario, sequence: Sequence[str]) -> dict[str, int]:
    """Start times for an ordered list of step ids.

    Each step starts at the earliest time that (a) is no earlier than the previous step's
    start, (b) meets its `after` items whose steps are already placed (for `{any: [...]}`,
    the earliest placed alternative), (c) meets the hard precedence and gate rules whose
    earlier steps are already placed, and (d) for hard reciprocity rules, follows the
    earliest-done counter-step placed before it and not yet used (with `pairing: distinct`).
    Conditions on steps placed later or left out are not waited for: `check` reports them.
    """
    hard = [r for r in scenario.rules if not r.soft]
    waits: dict[str, list[tuple[int, int]]] = {}  # step -> [(rule index, lag)]
    firsts: dict[str, list[int]] = {}  # step -> rule indices it must be done before
    for i, rule in enumerate(hard):
        if isinstance(rule, (Precedence, Gate)):
            before, after, lag = rule.waits()
            for s in after:
                waits.setdefault(s, []).append((i, lag))
            for s in before:
                firsts.setdefault(s, []).append(i)
    gives: dict[str, list[Reciprocity]] = {}
    answers: dict[str, list[Reciprocity]] = {}
    for rule in hard:
        if isinstance(rule, Reciprocity):
            for s in rule.give.ids:
                gives.setdefault(s, []).append(rule)
            for s in rule.get.ids:
                answers.setdefault(s, []).append(rule)
    done_by_rule: dict[int, int] = {}
    pools: dict[str, list[int]] = {}  # reciprocity rule id -> done times of free counter-steps
    starts: dict[str, int] = {}
    done: dict[str, int] = {}
    previous = 0
    for sid in sequence:
        step = scenario.steps[sid]
        t = max(previous, earliest_start(step, done))
        for i, lag in waits.get(sid, ()):
            if i in done_by_rule:
                t = max(t, done_by_rule[i] + lag)
        for rule in gives.get(sid, ()):
            pool = pools.get(rule.id)
            if pool:
                t = max(t, pool[0] - rule.grace)
                if rule.pairing == "distinct":
                    pool.pop(0)
        starts[sid] = t
        done[sid] = t + step.done_offset
        previous = t
        for i in firsts.get(sid, ()):
            done_by_rule[i] = max(done_by_rule.get(i, 0), done[sid])
        for rule in answers.get(sid, ()):
            pool = pools.setdefault(rule.id, [])
            pool.append(done[sid])
            pool.sort()
    return starts


def order_groups(scenario: Scenario, ids: Sequence[str]) -> dict[str, list[str]]:
    """The steps that place each package in a roadmap's package order: its `relief`
    steps, or all its steps when fewer than two packages have relief steps."""
    groups: dict[str, list[str]] = {}
    for s in ids:
        if scenario.steps[s].kind == "relief":
            groups.setdefault(scenario.steps[s].package, []).append(s)
    if len(groups) < 2:
        groups = {}
        for s in ids:
            groups.setdefault(scenario.steps[s].package, []).append(s)
    return groups


def package_order(scenario: Scenario, starts: Mapping[str, int]) -> list[str]:
    """Packages in the order a roadmap opens them (first start of their `order_groups`
    steps; ties in scenario order). Alternatives differ in this order."""
    groups = order_groups(scenario, list(starts))
    position = {p.id: i for i, p in enumerate(scenario.packages)}
    first = {p: min(starts[s] for s in ids) for p, ids in groups.items()}
    return sorted(first, key=lambda p: (first[p], position.get(p, 0)))
