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


class _Conditions(Terms):
    """The conditions hard rules put on a step that a sequence waits for: `wait` terms
    (precedence, gate) and `answer` terms (reciprocity)."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        #: step -> [(wait index, lag)], and step -> wait indices it must be done before.
        self.waits: dict[str, list[tuple[int, int]]] = {}
        self.firsts: dict[str, list[int]] = {}
        self.num_waits = 0
        #: step -> answer terms (id, grace, shared) it gives in, or answers in.
        self.gives: dict[str, list[tuple[str, int, bool]]] = {}
        self.answers: dict[str, list[str]] = {}

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
        for s in give:
            self.gives.setdefault(s, []).append((rule.id, grace, shared))
        for s in get:
            self.answers.setdefault(s, []).append(rule.id)


def starts_from_sequence(scenario: Scenario, sequence: Sequence[str]) -> dict[str, int]:
    """Start times for an ordered list of step ids.

    Each step starts at the earliest time that (a) is no earlier than the previous step's
    start, (b) meets its `after` items whose steps are already placed (for `{any: [...]}`,
    the earliest placed alternative), (c) meets the hard `wait` terms (precedence, gate)
    whose earlier steps are already placed, and (d) for hard `answer` terms
    (reciprocity), follows the earliest-done counter-step placed before it and not yet used
    (unless shared). Conditions on steps placed later or left out are not waited for:
    `check` reports them.
    """
    cond = _Conditions(scenario.steps)
    for rule in scenario.rules:
        rule.terms(cond)
    done_by_wait: dict[int, int] = {}
    pools: dict[str, list[int]] = {}  # answer term -> done times of free counter-steps
    starts: dict[str, int] = {}
    done: dict[str, int] = {}
    previous = 0
    for sid in sequence:
        step = scenario.steps[sid]
        t = max(previous, earliest_start(step, done))
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
