"""The critical chain of a roadmap: one definition, shared by `check --slack`, `simulate`
(each run's chain, hence the criticality index) and the outputs (`Outline.chain`).

A step **waits tightly** for another when one of the hard waiting terms between them is
met with no time to spare: its start is the other's done time plus the lag (its `after`
items — of an `any` group the alternative met first —, precedence and gate rules), a
counter-step's done time less the grace (reciprocity), the other's start plus the gap
(graduated `order`), or, under a capacity rule, every seat is taken just before its start
and the other's end frees one. Simultaneous groups and soft rules tie nothing.

The **critical chain** ends at the step done last and runs back through tight waits: of
the steps done last, the one whose chain reaches back to the earliest time (ties: the one
written first in the scenario), and before each step, of the steps it waits for tightly,
the one whose own chain reaches back earliest (ties likewise). It starts at a step that waits tightly for
nothing; what holds that one is `held`: the start of the deal (time 0), its `fixed`
time, a window rule's earliest time, or nothing but the roadmap's own choice ("").

Linear in the size of the terms for each roadmap (a wait term is read through its latest
first step, not pair by pair), so a 10,000-step roadmap's chain costs milliseconds.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from planner.model import AnyOf, Step
from planner.rules import fixed as fixed_rule
from planner.rules import preconditions
from planner.rules.base import PartialTerms, Rule
from planner.scenario import Scenario

#: What holds a chain's first step at time 0.
START = "start of the deal"


@dataclass(frozen=True, slots=True)
class Critical:
    """A critical chain: `steps` from first to last as (step, what ties it to the step
    before it: a rule id or `after:<step>` for a step's own preconditions; "" for the
    first), and what holds the first step (`held`, see the module)."""

    steps: tuple[tuple[str, str], ...]
    held: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s for s, _ in self.steps)


class _Collect(PartialTerms):
    """The hard rules' waiting terms, with their rules' ids. Partial is safe: the chain
    names who waits tightly for whom; a term read nowhere here (a deadline, a reservoir's
    room, together, force's coverage) makes no step wait for another's done time, so
    leaving it out can end a chain earlier (held by "the roadmap's own choice"), never
    name a tie that is not there."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.waits: list[tuple[Sequence[str], Sequence[str], int, str]] = []
        self.answers: list[tuple[Sequence[str], Sequence[str], int, str]] = []
        self.ranks: list[tuple[Sequence[Sequence[str]], int, str]] = []
        self.seats: list[tuple[Sequence[str], int, str]] = []
        self.releases: list[tuple[Sequence[str], int, str]] = []

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        if not rule.soft:
            self.waits.append((firsts, waiting, lag, rule.id))

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
            self.answers.append((give, get, grace, rule.id))

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if not rule.soft:
            self.ranks.append((ranks, gap, rule.id))

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if not rule.soft:
            self.seats.append((ids, limit, rule.id))

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        if not rule.soft and measure == "start":
            self.releases.append((ids, earliest, rule.id))


@dataclass(slots=True)
class Links:
    """The waiting terms among the steps `ids` (indices into it), compiled once for a
    roadmap's steps and read for any times of them (`critical`)."""

    ids: list[str]
    #: Each step's place in the scenario (ties are broken by it, whatever the order of ids).
    rank: list[int]
    #: Per step: its `after` items ((j, lag, name)) and its `any` groups of them.
    after: list[list[tuple[int, int, str]]]
    anys: list[list[list[tuple[int, int, str]]]]
    waits: list[tuple[list[int], list[int], int, str]] = field(default_factory=list)
    answers: list[tuple[list[int], list[int], int, str]] = field(default_factory=list)
    ranks: list[tuple[list[list[int]], int, str]] = field(default_factory=list)
    seats: list[tuple[list[int], int, str]] = field(default_factory=list)
    releases: list[tuple[list[int], int, str]] = field(default_factory=list)
    #: Steps with a `fixed` time: nothing moves them, so nothing ties them.
    fixed: set[int] = field(default_factory=set)


def links(scenario: Scenario, ids: Sequence[str]) -> Links:
    """The waiting terms among the scheduled steps `ids` (a step's index is its place in
    `ids`)."""
    index = {s: i for i, s in enumerate(ids)}
    position = {s: k for k, s in enumerate(scenario.steps)}
    steps = scenario.steps
    after: list[list[tuple[int, int, str]]] = [[] for _ in ids]
    anys: list[list[list[tuple[int, int, str]]]] = [[] for _ in ids]
    fixed: set[int] = set()
    for i, s in enumerate(ids):
        step = steps[s]
        if step.fixed is not None:
            fixed.add(i)
            continue
        name = preconditions.rule_id(s)
        for cond in step.after:
            if isinstance(cond, AnyOf):
                alts = [(index[r.step], r.lag, name) for r in cond.items if r.step in index]
                if alts:
                    anys[i].append(alts)
            elif cond.step in index:
                after[i].append((index[cond.step], cond.lag, name))
    found = _Collect(steps)
    for rule in scenario.rules:
        rule.terms(found)

    def at(group: Sequence[str]) -> list[int]:
        return [index[s] for s in group if s in index]

    out = Links(list(ids), [position[s] for s in ids], after, anys, fixed=fixed)
    out.waits = [(at(f), at(w), lag, name) for f, w, lag, name in found.waits]
    out.answers = [(at(g), at(c), grace, name) for g, c, grace, name in found.answers]
    out.ranks = [([at(r) for r in ranks], gap, name) for ranks, gap, name in found.ranks]
    out.seats = [(at(chosen), limit, name) for chosen, limit, name in found.seats]
    out.releases = [(at(chosen), earliest, name) for chosen, earliest, name in found.releases]
    return out


def _tight(
    lk: Links, start: Sequence[int], end: Sequence[int], done: Sequence[int]
) -> list[list[tuple[int, str]]]:
    """For each step, the steps it waits for tightly, with what ties them."""
    n = len(lk.ids)
    preds: list[list[tuple[int, str]]] = [[] for _ in range(n)]
    for i in range(n):
        for j, lag, name in lk.after[i]:
            if done[j] + lag == start[i]:
                preds[i].append((j, name))
        for alts in lk.anys[i]:
            first = min(done[j] + lag for j, lag, _ in alts)
            if first == start[i]:
                preds[i] += [(j, name) for j, lag, name in alts if done[j] + lag == first]
    for firsts, waiting, lag, name in lk.waits:
        if not firsts:
            continue
        last_done = max(done[j] for j in firsts)
        lasts = [j for j in firsts if done[j] == last_done]
        for w in waiting:
            if last_done + lag == start[w]:
                preds[w] += [(j, name) for j in lasts if j != w]
    for give, get, grace, name in lk.answers:
        by_done: dict[int, list[int]] = {}
        for c in get:
            by_done.setdefault(done[c], []).append(c)
        for g in give:
            preds[g] += [(c, name) for c in by_done.get(start[g] + grace, ()) if c != g]
    for ranks, gap, name in lk.ranks:
        latest: int | None = None
        tops: list[int] = []
        for group in ranks:
            if latest is not None:
                for i in group:
                    if latest + gap == start[i]:
                        preds[i] += [(j, name) for j in tops if j != i]
            for j in group:
                if latest is None or start[j] > latest:
                    latest, tops = start[j], [j]
                elif start[j] == latest:
                    tops.append(j)
    for chosen, limit, name in lk.seats:
        running = [i for i in chosen if end[i] > start[i]]
        begins = sorted(start[i] for i in running)
        ends = sorted(end[i] for i in running)
        ending: dict[int, list[int]] = {}
        for i in running:
            ending.setdefault(end[i], []).append(i)
        for i in running:
            t = start[i] - 1  # running at t: begun by t, not ended by t (i itself is not)
            busy = bisect.bisect_right(begins, t) - bisect.bisect_right(ends, t)
            if busy >= limit:
                preds[i] += [(j, name) for j in ending.get(start[i], ()) if start[j] <= t]
    for i in lk.fixed:
        preds[i] = []
    return [sorted(set(p)) for p in preds]


def critical(
    lk: Links, start: Sequence[int], end: Sequence[int], done: Sequence[int]
) -> tuple[list[tuple[int, str]], str]:
    """The critical chain of the steps of `lk` at these times: (index, tie) from first to
    last, and what holds the first (see the module); ([], "") for no step."""
    n = len(lk.ids)
    if not n:
        return [], ""
    preds = _tight(lk, start, end, done)
    rank = lk.rank
    reach = list(start)
    best = [-1] * n
    tie = [""] * n
    state = [0] * n  # 0 not seen, 1 on the way, 2 resolved
    for root in range(n):
        stack = [root]
        while stack:
            i = stack[-1]
            if state[i] == 2:
                stack.pop()
                continue
            if state[i] == 0:
                state[i] = 1
                waiting = [j for j, _ in preds[i] if state[j] == 0]
                if waiting:
                    stack += waiting
                    continue
            for j, name in preds[i]:  # (a step still on the way is a cycle: skipped)
                b = best[i]
                if state[j] == 2 and (b < 0 or (reach[j], rank[j]) < (reach[b], rank[b])):
                    best[i], tie[i] = j, name
            if best[i] >= 0:
                reach[i] = min(reach[i], reach[best[i]])
            state[i] = 2
            stack.pop()
    last = max(done)
    end_at = min((i for i in range(n) if done[i] == last), key=lambda i: (reach[i], rank[i]))
    chain: list[tuple[int, str]] = []
    seen: set[int] = set()
    i = end_at
    while i >= 0 and i not in seen:
        seen.add(i)
        chain.append((i, tie[i]))
        i = best[i]
    chain.reverse()
    first = chain[0][0]
    chain[0] = (first, "")
    return chain, _held(lk, first, start)


def _held(lk: Links, i: int, start: Sequence[int]) -> str:
    if i in lk.fixed:
        return fixed_rule.rule_id(lk.ids[i])
    if start[i] == 0:
        return START
    for chosen, earliest, name in lk.releases:
        if start[i] == earliest and i in chosen:
            return name
    return ""


def critical_chain(scenario: Scenario, starts: Mapping[str, int]) -> Critical:
    """The critical chain of the roadmap `starts` (its steps in scenario order)."""
    ids = [s for s in scenario.steps if s in starts]
    steps = scenario.steps
    begin = [starts[s] for s in ids]
    end = [starts[s] + steps[s].duration for s in ids]
    done = [starts[s] + steps[s].done_offset for s in ids]
    chain, held = critical(links(scenario, ids), begin, end, done)
    return Critical(tuple((ids[i], t) for i, t in chain), held)
