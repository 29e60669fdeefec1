"""How one simulated run holds the roadmap's order (`planner.whatif.simulate`): steps placed in
the roadmap's order, each at its planned start or, when what it waits for is late, as soon
as that is done — its `after` items and the hard rules' waiting terms (precedence, gate,
reciprocity's earliest free counter-step, graduated order and its gap, simultaneous
groups, a free capacity seat), counting the steps placed before it. Nothing starts
earlier than planned, and a step with a `fixed` time is never pushed. What set each
step's start is kept (the step it waited for, or -1: its plan)."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.force import Chain
from planner.model import AnyOf, Step
from planner.rules.base import Rule, Terms
from planner.scenario import Scenario
from planner.whatif.chain import critical, links


def pushed(
    scenario: Scenario,
    starts: Mapping[str, int],
    times: Mapping[str, tuple[int, int]],
) -> tuple[dict[str, int], list[str]]:
    """The roadmap `starts` held in its order when steps take other times (`times`: step
    -> (duration, verification), the scenario's for the others): each step at its
    planned start or pushed later as its waiting terms require, as one run of `simulate`
    places it. Returns the starts and the run's critical chain (first step first,
    `planner.whatif.chain`)."""
    order = compile_order(scenario, starts)
    steps = scenario.steps
    dur = [times.get(s, (steps[s].duration, 0))[0] for s in order.ids]
    ver = [times.get(s, (0, steps[s].verify_duration))[1] for s in order.ids]
    offsets = [d + v for d, v in zip(dur, ver, strict=True)]
    begin, _ = place(order, offsets, dur)
    ends = [t + d for t, d in zip(begin, dur, strict=True)]
    dones = [t + o for t, o in zip(begin, offsets, strict=True)]
    chain, _ = critical(links(scenario, order.ids), begin, ends, dones)
    return dict(zip(order.ids, begin, strict=True)), [order.ids[i] for i, _ in chain]


class Waits(Terms):
    """The hard rules' waiting terms, for placing steps in the roadmap's order. Complete: a
    term that makes a step wait, ignored here, would start it before what it waits for in
    every late run, and the run would count a rule broken that holding the order keeps."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.waits: list[tuple[Sequence[str], Sequence[str], int]] = []
        self.answers: list[tuple[Sequence[str], Sequence[str], int, bool]] = []
        self.ranks: list[tuple[Sequence[Sequence[str]], int]] = []
        self.groups: list[Sequence[str]] = []
        self.seats: list[tuple[Sequence[str], int]] = []

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        if not rule.soft:
            self.waits.append((firsts, waiting, lag))

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
        if not rule.soft:
            self.answers.append((give, get, grace, shared))

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        pass  # windows are not waited for (simulate's docstring): a run breaking one counts it

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        pass  # waiting cannot keep a deadline: a run that misses it counts it broken

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        pass  # not waited for (simulate's docstring): a run that overruns counts it broken

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        pass  # a red-line step is in no roadmap

    def covers(self, rule: Rule, chain: Chain, since: str | int | None, until: str | int) -> None:
        pass  # waiting cannot renew sooner: a run whose renewal comes late counts it broken

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if not rule.soft:
            self.ranks.append((ranks, gap))

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            self.groups.append(ids)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if not rule.soft:
            self.seats.append((ids, limit))

    def edges(self) -> list[tuple[str, str]]:
        """(first, then): `then` waits for `first` (for the order of steps planned in the
        same week)."""
        out = [(f, w) for firsts, waiting, _ in self.waits for f in firsts for w in waiting]
        out += [(c, g) for give, get, _, _ in self.answers for c in get for g in give]
        for ranks, _ in self.ranks:
            out += [(a, b) for x, y in itertools.pairwise(ranks) for a in x for b in y]
        return [(a, b) for a, b in out if a != b]


@dataclass(slots=True)
class Order:
    """The roadmap's order compiled once: for step i (in placement order), what it waits
    for among the steps placed before it. `fixed[i]`: (j, lag, on_done) — start >= (done
    or start of j) + lag; `anys[i]`: alternatives (j, lag), the earliest one counts;
    `gives[i]` / `counts[i]`: the answer terms it takes a counter-step from or feeds;
    `seats[i]`: the capacity terms it needs a seat of (their limits in `limits`)."""

    ids: list[str]
    planned: list[int]
    fixed: list[list[tuple[int, int, bool]]]
    anys: list[list[list[tuple[int, int]]]]
    gives: list[list[tuple[int, int, bool]]]
    counts: list[list[int]]
    num_terms: int
    group_of: list[int]
    groups: list[list[int]]
    seats: list[list[int]]
    limits: list[int]


def compile_order(scenario: Scenario, starts: Mapping[str, int]) -> Order:
    position = {s: i for i, s in enumerate(scenario.steps)}
    terms = Waits(scenario.steps)
    for rule in scenario.rules:
        rule.terms(terms)
    depth = _depths(scenario, starts, terms)
    ids = sorted(starts, key=lambda s: (starts[s], depth[s], position[s]))
    index = {s: i for i, s in enumerate(ids)}
    n = len(ids)
    fixed: list[list[tuple[int, int, bool]]] = [[] for _ in ids]
    anys: list[list[list[tuple[int, int]]]] = [[] for _ in ids]
    for i, s in enumerate(ids):
        for cond in scenario.steps[s].after:
            if isinstance(cond, AnyOf):
                alts = [(index[r.step], r.lag) for r in cond.items if index.get(r.step, n) < i]
                if alts:
                    anys[i].append(alts)
            elif index.get(cond.step, n) < i:
                fixed[i].append((index[cond.step], cond.lag, True))
    for firsts, waiting, lag in terms.waits:
        for w in waiting:
            at = index.get(w, -1)
            for f in firsts:
                if f != w and -1 < index.get(f, n) < at:
                    fixed[at].append((index[f], lag, True))
    for ranks, gap in terms.ranks:
        before: list[int] = []
        for group in ranks:
            members = [index[s] for s in group if s in index]
            for i in members:
                fixed[i].extend((j, gap, False) for j in before if j < i)
            before += members
    for i, s in enumerate(ids):
        if scenario.steps[s].fixed is not None:  # its date is set: nothing pushes it
            fixed[i], anys[i] = [], []
    gives: list[list[tuple[int, int, bool]]] = [[] for _ in ids]
    counts: list[list[int]] = [[] for _ in ids]
    for k, (give, get, grace, shared) in enumerate(terms.answers):
        for s in give:
            if s in index:
                gives[index[s]].append((k, grace, shared))
        for s in get:
            if s in index:
                counts[index[s]].append(k)
    group_of = [-1] * n
    groups: list[list[int]] = []
    for together in terms.groups:
        placed = sorted(index[s] for s in together if s in index)
        if len(placed) > 1:
            for i in placed:
                group_of[i] = len(groups)
            groups.append(placed)
    seats: list[list[int]] = [[] for _ in ids]
    for k, (chosen, _) in enumerate(terms.seats):
        for s in chosen:
            if s in index and scenario.steps[s].duration:
                seats[index[s]].append(k)
    return Order(ids, [starts[s] for s in ids], fixed, anys, gives, counts,
                  len(terms.answers), group_of, groups, seats,
                  [limit for _, limit in terms.seats])  # fmt: skip


def _depths(scenario: Scenario, starts: Mapping[str, int], terms: Waits) -> dict[str, int]:
    """How many steps planned in the same week a step waits for, one after another: among
    steps planned together, the ones others wait for are placed first."""
    edges = [(a, b) for a, b in terms.edges() if a in starts and b in starts]
    for s in starts:
        edges += [(r.step, s) for r in scenario.steps[s].requirements() if r.step in starts]
    edges = [(a, b) for a, b in edges if starts[a] == starts[b]]
    depth = dict.fromkeys(starts, 0)
    for _ in range(len(starts)):  # a cycle stops growing once every depth is the count
        changed = False
        for a, b in edges:
            if depth[b] <= depth[a] and depth[a] < len(starts):
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def place(
    order: Order, offsets: Sequence[int], offsets_run: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Starts in the roadmap's order, pushed as the waiting terms require, and for each
    step what set its start (the index of the step it waited for, or -1: its plan).
    `offsets` are the times from start to done, `offsets_run` to the end (the durations)."""
    n = len(order.ids)
    start = [0] * n
    done = [0] * n
    driver = [-1] * n
    placed = [False] * n
    pools: list[list[tuple[int, int]]] = [[] for _ in range(order.num_terms)]

    def earliest(i: int) -> tuple[int, int]:
        t, why = order.planned[i], -1
        for j, lag, on_done in order.fixed[i]:
            if placed[j]:
                v = (done[j] if on_done else start[j]) + lag
                if v >= t:
                    t, why = v, j
        for alts in order.anys[i]:
            options = [(done[j] + lag, j) for j, lag in alts if placed[j]]
            if options:
                v, j = min(options)
                if v >= t:
                    t, why = v, j
        for k, grace, _ in order.gives[i]:
            pool = pools[k]
            free = next((p for p in pool if p[1] != i), None)
            if free is not None and free[0] - grace >= t:
                t, why = free[0] - grace, free[1]
        return t, why

    # Per capacity term, the seats taken so far as (start, end, step), kept sorted by
    # start, and the longest seat: a seat overlapping [t, t + length) starts after
    # t - longest and before t + length, a range found by bisection. No re-sort of every
    # seat per step: placement stays linear in steps (the range holds about as many
    # seats as the limit, however many are placed).
    busy: list[list[tuple[int, int, int]]] = [[] for _ in order.limits]
    longest = [0] * len(order.limits)

    def seated(i: int, t: int, why: int) -> tuple[int, int]:
        """The first time >= t with a seat free in each capacity term of step i (among the
        steps placed so far): while the seats overlapping [t, t + length) are at least
        the limit, t moves to the end that leaves one free; what set it: the step whose
        end frees the seat."""
        length = offsets_run[i]
        moved = True
        while moved:
            moved = False
            for k in order.seats[i]:
                taken = busy[k]
                first = bisect.bisect_left(taken, (t - longest[k] + 1,))
                last = bisect.bisect_left(taken, (t + length,), first)
                ends = sorted((e, j) for _, e, j in taken[first:last] if e > t)
                if len(ends) >= order.limits[k]:
                    t, why = ends[len(ends) - order.limits[k]]
                    moved = True
        return t, why

    def settle(i: int, t: int, why: int) -> None:
        if order.seats[i]:
            t, why = seated(i, t, why)
        start[i], done[i], driver[i], placed[i] = t, t + offsets[i], why, True
        for k in order.seats[i]:
            bisect.insort(busy[k], (t, t + offsets_run[i], i))
            longest[k] = max(longest[k], offsets_run[i])
        for k, _, shared in order.gives[i]:
            pool = pools[k]
            free = next((p for p in pool if p[1] != i), None)
            if free is not None and not shared:
                pool.remove(free)
        for k in order.counts[i]:
            bisect.insort(pools[k], (done[i], i))

    for i in range(n):
        if placed[i]:
            continue
        g = order.group_of[i]
        if g < 0:
            settle(i, *earliest(i))
            continue
        members = [m for m in order.groups[g] if not placed[m]]
        found = [earliest(m) for m in members]
        top = max(t for t, _ in found)
        lead = next(m for m, (t, _) in zip(members, found, strict=True) if t == top)
        for m, (t, why) in zip(members, found, strict=True):
            settle(m, top, why if t == top else lead)
    return start, driver
