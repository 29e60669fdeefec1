"""The conditions hard rules put between steps: what a step waits for, in a sequence, in a
repair's hint, or when a left-out step could start. Read from the rules' scheduling terms:
`wait` (precedence, gate) and `answer` (reciprocity)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from planner.force import Chain
from planner.model import Step
from planner.rules.base import Rule, ScenarioView, Terms
from planner.rules.preconditions import earliest_start


class Conditions(Terms):
    """The conditions hard rules put on a step that a sequence waits for: `wait` terms
    (precedence, gate) and `answer` terms (reciprocity). Complete: a condition ignored
    here would start a step of a written sequence before what it waits for, and `check`
    would call a sequence written in the right order broken (`SEQUENCE_NOTE` says what
    a sequence waits for)."""

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

    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        pass  # a gate's waiting is its `wait` term

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

    # Not conditions on another step's done time: a sequence does not wait for them, and
    # `check` reports a sequence that breaks them.

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        pass

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        pass

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        pass

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        pass

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        pass

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        pass

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        pass

    def covers(self, rule: Rule, chain: Chain, since: str | int | None, until: str | int) -> None:
        pass  # a renewal waits for its base by its `after` link; the rest is an upper bound


def conditions(scenario: ScenarioView) -> Conditions:
    """The hard rules' conditions between steps, worked out once per scenario."""

    def collect(s: ScenarioView) -> Conditions:
        cond = Conditions(s.steps)
        for rule in s.rules:
            rule.terms(cond)
        return cond

    return scenario.memo("conditions", collect)


def earliest_possible(scenario: ScenarioView, starts: Mapping[str, int], step_id: str) -> int:
    """The earliest start the conditions on `step_id` (its `after` items, hard wait terms,
    a counter-step of its answer terms) allow, given the done times of the roadmap's
    scheduled steps; conditions on steps the roadmap leaves out are not counted. A fixed
    step's is its fixed time."""
    steps = scenario.steps
    if steps[step_id].fixed is not None:
        return steps[step_id].fixed or 0
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
