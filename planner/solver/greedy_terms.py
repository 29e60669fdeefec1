"""The greedy list schedule's view of the rules (`planner.solver.greedy`): each hard
rule's scheduling terms collected as waits, alternatives, answer pools, seats and balance
curves, and the small graph helpers its set-up uses. No ortools."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from planner.model import Step
from planner.rules.base import Rule, Terms

NEVER = math.inf
#: A unit whose hard latest start is at most this far ahead goes before every other
#: (measured on both benchmark families: 0-2 keep the most rules, larger values cost
#: makespan).
URGENT = 2
URGENT_FIRST = 1e9


@dataclass(slots=True)
class Wait:
    """start(w) >= done(f) + lag [<= done(f) + within] for every first f != w; with
    `by_start` (a rank): start(w) >= start(f) + lag (the order's gap)."""

    rule: str
    firsts: list[str]
    waiting: list[str]
    lag: int
    within: int | None
    by_start: bool = False
    #: Some first steps are not scheduled (red lines): the term cannot hold.
    missing: bool = False
    left: int = 0  # first steps not placed yet
    top: float = -NEVER  # the latest done (or start) among the placed first steps
    low: float = NEVER  # the earliest done among them (for `within`)
    #: Waiting steps by how many first steps they still wait for once the others are
    #: placed (their own unit's first steps are placed with them).
    waiters: dict[int, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class AnyTerm:
    """`{any: [...]}` in the `after` list of `step`: one alternative suffices."""

    rule: str
    step: str
    items: list[tuple[str, int, int | None]]  # (step, lag, within), scheduled ones only
    best: float = NEVER  # the earliest start an alternative placed so far allows
    unblocked: bool = False


@dataclass(slots=True)
class Answer:
    rule: str
    gives: list[str]
    gets: set[str]
    grace: int
    within: int | None
    shared: bool
    index: int = 0
    pool: list[tuple[int, str]] = field(default_factory=list)  # (done, step), free ones
    matched: dict[str, str] = field(default_factory=dict)  # give step -> its counter-step


@dataclass(slots=True)
class Capacity:
    rule: str
    limit: int
    ids: list[str]  # the steps that take a seat (duration > 0)
    running: int = 0  # steps running now


@dataclass(slots=True)
class Reservoir:
    rule: str
    margin: int
    ahead: set[str]
    behind: set[str]
    level: int = 0  # the curve now


class Collect(Terms):
    """The hard rules' terms, restricted to the steps to schedule."""

    def __init__(self, steps: Mapping[str, Step], todo: Sequence[str]) -> None:
        super().__init__(steps)
        self.todo = set(todo)
        self.waits: list[Wait] = []
        self.lower: dict[str, int] = {}
        self.releases: list[tuple[str, list[str], int, str]] = []
        self.deadlines: list[tuple[str, list[str], int, str]] = []
        self.answers: list[Answer] = []
        self.capacities: list[Capacity] = []
        self.reservoirs: list[Reservoir] = []
        self.groups: list[tuple[str, list[str], bool]] = []  # (rule, ids, some left out)
        self.excluded: list[tuple[str, list[str]]] = []

    def _in(self, ids: Iterable[str]) -> list[str]:
        return [s for s in dict.fromkeys(ids) if s in self.todo]

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
        kept = self._in(firsts)
        missing = len(kept) < len(set(firsts))
        self.waits.append(Wait(rule.id, kept, self._in(waiting), lag, within, missing=missing))

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if rule.soft:
            return
        kept = [group for group in (self._in(g) for g in ranks) if group]
        for before, after in itertools.pairwise(kept):
            self.waits.append(Wait(rule.id, before, after, gap, None, by_start=True))

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        if rule.soft:
            return
        kept = self._in(ids)
        self.releases.append((rule.id, kept, earliest, measure))
        for s in kept:
            shift = self.steps[s].done_offset if measure == "done" else 0
            self.lower[s] = max(self.lower.get(s, 0), earliest - shift)

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        if not rule.soft:
            self.deadlines.append((rule.id, self._in(ids), latest, measure))

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        if not rule.soft:
            term = Answer(rule.id, self._in(give), set(self._in(get)), grace, within, shared)
            term.index = len(self.answers)
            self.answers.append(term)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if not rule.soft:
            kept = [s for s in self._in(ids) if self.steps[s].duration > 0]
            self.capacities.append(Capacity(rule.id, limit, kept))

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        if not rule.soft:
            self.reservoirs.append(
                Reservoir(
                    rule.id,
                    margin,
                    {s for s in self._in(ahead) if self.steps[s].value},
                    {s for s in self._in(behind) if self.steps[s].value},
                )
            )

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            kept = self._in(ids)
            self.groups.append((rule.id, kept, len(kept) < len(set(ids))))

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            self.excluded.append((rule.id, self._in(ids)))


def answerable(
    ans: Answer, g: str, c: str, starts: Mapping[str, int], done: Mapping[str, int]
) -> bool:
    """Whether counter-step c may answer give step g at their times."""
    return (
        c != g
        and done[c] <= starts[g] + ans.grace
        and (ans.within is None or done[c] >= starts[g] - ans.within)
    )


def peak(changes: list[tuple[int, int]]) -> int:
    """The highest level of the step function with these (time, change) pairs; changes at
    the same time count together."""
    by_time: dict[int, int] = {}
    for x, v in changes:
        by_time[x] = by_time.get(x, 0) + v
    level, peak = 0, 0
    for x in sorted(by_time):
        level += by_time[x]
        peak = max(peak, level)
    return peak


def reverse_topological(succ: list[list[tuple[int, int]]]) -> list[int]:
    """Nodes so that each comes after all its successors (a cycle's nodes, which no such
    order has, come last, in index order: their chains are cut)."""
    indegree = [0] * len(succ)
    for edges in succ:
        for y, _ in edges:
            indegree[y] += 1
    stack = [x for x in range(len(succ) - 1, -1, -1) if indegree[x] == 0]
    order: list[int] = []
    while stack:
        x = stack.pop()
        order.append(x)
        for y, _ in succ[x]:
            indegree[y] -= 1
            if indegree[y] == 0:
                stack.append(y)
    seen = set(order)
    order += [x for x in range(len(succ)) if x not in seen]
    order.reverse()
    return order
