"""Times for a written sequence: each step as early as the conditions on it allow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from planner.model import Step
from planner.rules.base import Rule, Terms
from planner.rules.preconditions import earliest_start
from planner.scenario import Scenario

SEQUENCE_NOTE = (
    "times come from the sequence: each step starts as early as its preconditions (after, "
    "precedence, gate, and a free counter-step for reciprocity, all among the steps listed "
    "before it) allow, and never before the step listed before it"
)


class Conditions(Terms):
    """The conditions hard rules put on a step that a sequence waits for: `wait` terms
    (precedence, gate) and `answer` terms (reciprocity)."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        #: step -> [(wait index, lag)], and step -> wait indices it must be done before.
        self.waits: dict[str, list[tuple[int, int]]] = {}
        self.firsts: dict[str, list[int]] = {}
        self.num_waits = 0
        #: The steps each wait term waits for, and its label (the rule id).
        self.wait_firsts: list[tuple[Sequence[str], str]] = []
        #: step -> answer terms (id, grace, shared) it gives in, or answers in.
        self.gives: dict[str, list[tuple[str, int, bool]]] = {}
        self.answers: dict[str, list[str]] = {}
        #: answer term id -> its counter-steps.
        self.counters: dict[str, Sequence[str]] = {}

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        if rule.soft:
            return
        i = self.num_waits
        self.num_waits += 1
        self.wait_firsts.append((firsts, rule.id))
        for s in waiting:
            self.waits.setdefault(s, []).append((i, lag))
        for s in firsts:
            self.firsts.setdefault(s, []).append(i)

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        if rule.soft:
            return
        self.counters[rule.id] = get
        for s in give:
            self.gives.setdefault(s, []).append((rule.id, grace, shared))
        for s in get:
            self.answers.setdefault(s, []).append(rule.id)


def conditions(scenario: Scenario) -> Conditions:
    """The hard rules' conditions between steps, worked out once per scenario."""

    def collect(s: Scenario) -> Conditions:
        cond = Conditions(s.steps)
        for rule in s.rules:
            rule.terms(cond)
        return cond

    return scenario.memo("conditions", collect)


def earliest_possible(scenario: Scenario, starts: Mapping[str, int], step_id: str) -> int:
    """The earliest start the conditions on `step_id` (its `after` items, hard wait terms,
    a counter-step of its answer terms) allow, given the done times of the roadmap's
    scheduled steps; conditions on steps the roadmap leaves out are not counted."""
    steps = scenario.steps
    done = {s: t + steps[s].done_offset for s, t in starts.items()}
    cond = conditions(scenario)
    t = earliest_start(steps[step_id], done)
    for i, lag in cond.waits.get(step_id, ()):
        firsts = [done[f] for f in cond.wait_firsts[i][0] if f in done and f != step_id]
        if firsts:
            t = max(t, max(firsts) + lag)
    for term, grace, _ in cond.gives.get(step_id, ()):
        counters = [done[c] for c in cond.counters[term] if c in done and c != step_id]
        if counters:
            t = max(t, min(counters) - grace)
    return t


def starts_from_sequence(scenario: Scenario, sequence: Sequence[str]) -> dict[str, int]:
    """Start times for an ordered list of step ids (see `serial_starts`, with each step
    no earlier than the one listed before it)."""
    return serial_starts(scenario, sequence)


def serial_starts(
    scenario: Scenario,
    sequence: Sequence[str],
    release: Mapping[str, int] | None = None,
    monotone: bool = True,
) -> dict[str, int]:
    """Start times for an ordered list of step ids.

    Each step starts at the earliest time that (a) is no earlier than the previous step's
    start, (b) meets its `after` items whose steps are already placed (for `{any: [...]}`,
    the earliest placed alternative), (c) meets the hard `wait` terms (precedence, gate)
    whose earlier steps are already placed, and (d) for hard `answer` terms
    (reciprocity), follows the earliest-done counter-step placed before it and not yet used
    (unless shared). Conditions on steps placed later or left out are not waited for:
    `check` reports them.
    """
    cond = conditions(scenario)
    done_by_wait: dict[int, int] = {}
    pools: dict[str, list[int]] = {}  # answer term -> done times of free counter-steps
    starts: dict[str, int] = {}
    done: dict[str, int] = {}
    previous = 0
    for sid in sequence:
        step = scenario.steps[sid]
        t = max(previous if monotone else 0, earliest_start(step, done))
        if release is not None:
            t = max(t, release.get(sid, 0))
        if step.fixed is not None:
            t = max(t, step.fixed)
        for i, lag in cond.waits.get(sid, ()):
            if i in done_by_wait:
                t = max(t, done_by_wait[i] + lag)
        for term, grace, shared in cond.gives.get(sid, ()):
            pool = pools.get(term)
            if pool:
                t = max(t, pool[0] - grace)
                if not shared:
                    pool.pop(0)
        starts[sid] = t
        done[sid] = t + step.done_offset
        previous = t
        for i in cond.firsts.get(sid, ()):
            done_by_wait[i] = max(done_by_wait.get(i, 0), done[sid])
        for term in cond.answers.get(sid, ()):
            pool = pools.setdefault(term, [])
            pool.append(done[sid])
            pool.sort()
    return starts
