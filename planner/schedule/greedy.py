"""A fast list schedule: the solver's first roadmap, its fallback, and the benchmarks'
baseline. Time-driven (parallel) schedule generation over the hard rules' scheduling
terms, no ortools:

- a *unit* is a step, or the steps `together` terms make start at the same time;
- a unit is ready once everything it waits for is placed: its `after` items (one
  alternative of an `{any: [...]}`), the other first steps of its `wait` terms, the rank
  before it; it can start from the earliest time those placed conditions allow;
- time moves forward from 0. At each time, the ready units that may start then are tried
  in priority order, and each starts now if every `capacity` it takes has a free seat,
  every `reservoir` curve has room for its value, and every `answer` term has a free
  counter-step inside its window (the earliest-done one); else it waits for the resource
  that refused it (a seat freed, a counter-step done, room made by a verified step);
- priority: a unit whose hard latest start (its windows' deadlines propagated backwards
  through every wait, and the `within` limits of placed steps) is at most `URGENT` ahead
  goes first, earliest first; then the latest start for the makespan aimed at,
  T - tail, where T is the makespan's lower bound and the tail the longest chain of done
  times that waits on the step;
- a step that a `within` limit counts from is held back until what else the waiting step
  needs (its other conditions, a counter-step) lets it keep that limit.

Each placement is O(log n) heap work per term it takes part in: seats and curves are
running counts changed by timed events, a freed seat or new room wakes only the waiting
units it can serve, best first, and no list of placed steps is ever scanned. When
nothing can start however long one waits (a balance with no room left, a counter-step
that never comes, a cycle of conditions), the best waiting unit goes anyway.

The verdict on the finished schedule is `check`'s (a rule's exact meaning is its
`check()`): the report comes with the schedule, and "keeps every rule" means `check`
finds it clean. The terms only steer the placement, so `Collect` reads every primitive
(`Terms` is abstract): a term it ignored would make schedules that `check` rejects.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from planner.check import Report, check
from planner.force import Chain
from planner.model import AnyOf, Step
from planner.rules.base import Rule, Terms
from planner.scenario import Scenario
from planner.schedule.bounds import earliest_starts

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

    firsts: list[str]
    waiting: list[str]
    lag: int
    within: int | None
    by_start: bool = False
    left: int = 0  # first steps not placed yet
    top: float = -NEVER  # the latest done (or start) among the placed first steps
    low: float = NEVER  # the earliest done among them (for `within`)
    #: Waiting steps by how many first steps they still wait for once the others are
    #: placed (their own unit's first steps are placed with them).
    waiters: dict[int, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class AnyTerm:
    """`{any: [...]}` in the `after` list of `step`: one alternative suffices."""

    step: str
    items: list[tuple[str, int, int | None]]  # (step, lag, within), scheduled ones only
    best: float = NEVER  # the earliest start an alternative placed so far allows
    unblocked: bool = False


@dataclass(slots=True)
class Answer:
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
    limit: int
    ids: list[str]  # the steps that take a seat (duration > 0)
    running: int = 0  # steps running now


@dataclass(slots=True)
class Reservoir:
    margin: int
    ahead: set[str]
    behind: set[str]
    level: int = 0  # the curve now


class Collect(Terms):
    """The hard rules' terms, restricted to the steps to schedule. Complete: a term it
    ignored would make schedules that `check` rejects."""

    def __init__(self, steps: Mapping[str, Step], todo: Sequence[str]) -> None:
        super().__init__(steps)
        self.todo = set(todo)
        self.waits: list[Wait] = []
        self.lower: dict[str, int] = {}
        self.deadlines: list[tuple[str, list[str], int, str]] = []
        self.answers: list[Answer] = []
        self.capacities: list[Capacity] = []
        self.reservoirs: list[Reservoir] = []
        self.groups: list[list[str]] = []

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
        self.waits.append(Wait(self._in(firsts), self._in(waiting), lag, within))

    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        pass  # a gate's waiting is its `wait` term

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if rule.soft:
            return
        kept = [group for group in (self._in(g) for g in ranks) if group]
        for before, after in itertools.pairwise(kept):
            self.waits.append(Wait(before, after, gap, None, by_start=True))

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        if rule.soft:
            return
        for s in self._in(ids):
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
            term = Answer(self._in(give), set(self._in(get)), grace, within, shared)
            term.index = len(self.answers)
            self.answers.append(term)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if not rule.soft:
            kept = [s for s in self._in(ids) if self.steps[s].duration > 0]
            self.capacities.append(Capacity(limit, kept))

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        if not rule.soft:
            self.reservoirs.append(
                Reservoir(
                    margin,
                    {s for s in self._in(ahead) if self.steps[s].value},
                    {s for s in self._in(behind) if self.steps[s].value},
                )
            )

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            self.groups.append(self._in(ids))

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        pass  # the caller leaves red-line steps out (`Scenario.forbidden`); `check` judges

    def covers(self, rule: Rule, chain: Chain, since: str | int | None, until: str | int) -> None:
        # Force must reach `until`: even were every later member done as late as the one
        # before it lapses, member k done before T - (its term and every later term)
        # leaves force short of T, so that is its earliest done time (a release). Placed
        # as early as that allows, the members follow one another a term apart, which
        # also closes the gaps. Force must be there by `since`: the base step's done time
        # is a deadline. A member with no term, or a bound that is a step's done time,
        # bounds nothing here (`check` judges the schedule).
        if rule.soft:
            return
        members = self._in(chain.members)
        terms = [chain.lasts(self.steps, m) for m in members]
        if isinstance(until, int) and all(t is not None for t in terms):
            remaining = sum(t for t in terms if t is not None)
            for m, term in zip(members, terms, strict=True):
                shift = self.steps[m].done_offset
                self.lower[m] = max(self.lower.get(m, 0), until - remaining - shift)
                remaining -= term or 0
        if isinstance(since, int) and members and members[0] == chain.base:
            self.deadlines.append((rule.id, [chain.base], since, "done"))


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


# ---- the list schedule -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """A list schedule: a start for every step it was given, and `check`'s report on those
    starts as a roadmap (the steps not given are left out of it; a required one counts
    as a `coverage` violation only when the schedule was asked with `partial=False`)."""

    starts: dict[str, int]
    report: Report

    @property
    def broken(self) -> tuple[str, ...]:
        """The hard rules the schedule breaks, sorted: rule ids, `after:<step>` for a
        step's preconditions (and `fixed:<step>`, `coverage:<package>`, as `check` names
        them)."""
        return tuple(sorted({v.rule for v in self.report.violations}))

    @property
    def keeps_every_rule(self) -> bool:
        return self.report.is_clean


# ---- the schedule ------------------------------------------------------------------------


def greedy_schedule(
    scenario: Scenario,
    scheduled: Iterable[str],
    est: Mapping[str, int] | None = None,
    target: int | None = None,
    exposure: int | None = None,
    *,
    partial: bool = True,
) -> Schedule:
    """A start for every step of `scheduled`, keeping every hard rule it can, with
    `check`'s report on it.

    Parameters
    ----------
    est:
        Each step's earliest start in any roadmap (`bounds.earliest_starts`); computed
        when not given.
    target:
        The makespan aimed at, for the latest starts (default: the longest chain).
    exposure:
        Keep every balance curve at or below this too (below its margin): a schedule
        aimed at a smaller peak exposure.
    partial:
        As `check`'s: the report judges the steps given, and leaves out whether they are
        every step the deal requires (`coverage`); with False, it says that too.
    """
    return _ListSchedule(scenario, list(scheduled), est, target, exposure, partial).run()


class _ListSchedule:
    """One run of the list schedule: its set-up (the terms as it keeps them: units,
    memberships, latest starts), then `run`, which places every unit and has the finished
    schedule checked."""

    def __init__(
        self,
        scenario: Scenario,
        todo: list[str],
        est: Mapping[str, int] | None,
        target: int | None,
        exposure: int | None = None,
        partial: bool = True,
    ) -> None:
        if est is None:
            est = earliest_starts(scenario, todo)
        self.scenario = scenario
        self.partial = partial
        #: The highest any balance curve may go, beyond its own margin (the exposure aimed at).
        self.exposure = NEVER if exposure is None else exposure
        steps = scenario.steps
        self.todo = todo
        self.index = {s: i for i, s in enumerate(todo)}
        self.off = {s: steps[s].done_offset for s in todo}
        self.dur = {s: steps[s].duration for s in todo}
        self.value = {s: steps[s].value for s in todo}
        self.est = {s: est.get(s, 0) for s in todo}
        terms = Collect(steps, todo)
        self._after_terms(terms)
        for rule in scenario.rules:
            rule.terms(terms)
        self.terms = terms
        self.lower = {s: max(terms.lower.get(s, 0), 0) for s in todo}
        self.latest: dict[str, float] = dict.fromkeys(todo, NEVER)
        for s in todo:  # a fixed step (an event) goes at its time: no earlier, no later
            when = steps[s].fixed
            if when is not None:
                self.lower[s] = max(self.lower[s], when)
                self.latest[s] = min(self.latest[s], when)
        for _rule, ids, latest, measure in terms.deadlines:
            for s in ids:
                shift = self.off[s] if measure == "done" else 0
                self.latest[s] = min(self.latest[s], latest - shift)
        self._units(terms)
        self._memberships(terms)
        self._priorities(target)

    # -- set-up --------------------------------------------------------------------------

    def _after_terms(self, terms: Collect) -> None:
        """Each step's `after` items as terms of their own: a plain item is a wait on one
        first step, an `{any: [...]}` an alternative."""
        steps = self.scenario.steps
        self.anys: list[AnyTerm] = []
        for s in self.todo:
            for cond in steps[s].after:
                if isinstance(cond, AnyOf):
                    items = [(r.step, r.lag, r.within) for r in cond.items if r.step in terms.todo]
                    if items:
                        self.anys.append(AnyTerm(s, items))
                elif cond.step in terms.todo:
                    terms.waits.append(Wait([cond.step], [s], cond.lag, cond.within))

    def _units(self, terms: Collect) -> None:
        """Union the steps of `together` terms into units that are placed at once."""
        parent = {s: s for s in self.todo}

        def find(s: str) -> str:
            while parent[s] != s:
                parent[s] = parent[parent[s]]
                s = parent[s]
            return s

        for ids in terms.groups:
            for a, b in itertools.pairwise(ids):
                ra, rb = find(a), find(b)
                if ra != rb:
                    if self.index[ra] > self.index[rb]:
                        ra, rb = rb, ra
                    parent[rb] = ra
        members: dict[str, list[str]] = {}
        for s in self.todo:
            members.setdefault(find(s), []).append(s)
        self.members = list(members.values())  # in scenario order of their first step
        self.unit = {s: u for u, group in enumerate(self.members) for s in group}

    def _memberships(self, terms: Collect) -> None:
        todo = self.todo
        self.waits_in: dict[str, list[Wait]] = {s: [] for s in todo}
        self.firsts_in: dict[str, list[Wait]] = {s: [] for s in todo}
        self.anys_in: dict[str, list[AnyTerm]] = {}
        self.alt_in: dict[str, list[AnyTerm]] = {}
        self.gives_in: dict[str, list[Answer]] = {}
        self.gets_in: dict[str, list[Answer]] = {}
        #: Each step's capacity and reservoir terms, by their index.
        self.caps = terms.capacities
        self.reservoirs = terms.reservoirs
        self.cap_ids: dict[str, list[int]] = {}
        self.ahead_ids: dict[str, list[int]] = {}
        self.behind_ids: dict[str, list[int]] = {}
        #: Within limits counted from each step: (waiting step, within) for single edges,
        #: (None, within, the latest earliest start of the waiting steps) for larger terms.
        self.pulls: dict[str, list[tuple[str | None, int, int]]] = {}
        self.blocks = [0] * len(self.members)
        unit = self.unit
        for w in terms.waits:
            w.left = len(w.firsts)
            first_set = set(w.firsts)
            for f in w.firsts:
                self.firsts_in[f].append(w)
            for s in w.waiting:
                self.waits_in[s].append(w)
                group = self.members[unit[s]]
                need = (
                    sum(1 for x in group if x in first_set)
                    if len(group) > 1
                    else int(s in first_set)
                )
                if w.left > need:
                    self.blocks[unit[s]] += 1
                    w.waiters.setdefault(need, []).append(s)
            if w.within is not None and w.waiting and not w.by_start:
                if len(w.waiting) == 1 and len(w.firsts) <= 16:
                    for f in w.firsts:
                        if f != w.waiting[0]:
                            self.pulls.setdefault(f, []).append((w.waiting[0], w.within, 0))
                else:
                    top = max(self.est[s] for s in w.waiting)
                    for f in w.firsts:
                        self.pulls.setdefault(f, []).append((None, w.within, top))
        for a in self.anys:
            self.anys_in.setdefault(a.step, []).append(a)
            own = self.members[unit[a.step]]
            for p, _lag, _within in a.items:
                self.alt_in.setdefault(p, []).append(a)
            if any(p in own for p, _, _ in a.items):
                a.unblocked = True
            else:
                self.blocks[unit[a.step]] += 1
        for ans in terms.answers:
            for s in ans.gives:
                self.gives_in.setdefault(s, []).append(ans)
            for s in ans.gets:
                self.gets_in.setdefault(s, []).append(ans)
        for k, cap in enumerate(terms.capacities):
            for s in cap.ids:
                self.cap_ids.setdefault(s, []).append(k)
        for k, res in enumerate(terms.reservoirs):
            for s in res.ahead:
                self.ahead_ids.setdefault(s, []).append(k)
            for s in res.behind:
                self.behind_ids.setdefault(s, []).append(k)

    def _priorities(self, target: int | None) -> None:
        """Each step's static latest start: min(T - tail, deadlines propagated back)."""
        todo, off = self.todo, self.off
        # Successor lists over steps and one virtual node per wait term (no |F| x |W|
        # pairs): (node, weight) with tail(x) >= weight + tail(node).
        num = len(todo)
        node_of = self.index
        succ: list[list[tuple[int, int]]] = [[] for _ in range(num + len(self.terms.waits))]
        for k, w in enumerate(self.terms.waits):
            v = num + k
            for s in w.waiting:
                succ[v].append((node_of[s], w.lag))
            for f in w.firsts:
                succ[node_of[f]].append((v, 0 if w.by_start else off[f]))
        for a in self.anys:
            for p, lag, _within in a.items:
                succ[node_of[p]].append((node_of[a.step], off[p] + lag))
        order = reverse_topological(succ)
        tail = [0] * len(succ)
        late = [NEVER] * len(succ)
        for i, s in enumerate(todo):
            tail[i] = off[s]
            late[i] = self.latest[s]
        for x in order:
            for y, weight in succ[x]:
                if weight + tail[y] > tail[x]:
                    tail[x] = weight + tail[y]
                if late[y] - weight < late[x]:
                    late[x] = late[y] - weight
        horizon = target if target is not None else max(tail[:num], default=0)
        self.tail = {s: tail[i] for i, s in enumerate(todo)}
        #: Per unit: the latest start for the makespan aimed at, and the latest start hard
        #: deadlines (windows, propagated back) allow.
        self.soft: list[float] = []
        self.hard: list[float] = []
        for group in self.members:
            self.soft.append(min(horizon - tail[node_of[s]] for s in group))
            self.hard.append(min(late[node_of[s]] for s in group))
        self.static_ls = [min(a, b) for a, b in zip(self.soft, self.hard, strict=True)]

    def run(self) -> Schedule:
        """Time-driven placement: at each time, the ready units in priority order each
        start now if their resources allow, or wait for the resource that refused them."""
        self.starts: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.placed = [False] * len(self.members)
        self.seq = 0
        self.version = [0] * len(self.members)  # the current heap entry of each unit
        self.now = 0
        #: Units to try now, best first: (latest start, seq, unit).
        self.cands: list[tuple[float, int, int]] = []
        #: Units to try later: (time, seq, unit).
        self.future: list[tuple[int, int, int]] = []
        #: Later changes of a capacity's running count (kind 0) or of a balance's curve
        #: (kind 1): (time, kind, index, change).
        self.events: list[tuple[int, int, int, int]] = []
        #: Units refused by a capacity (by its index) or a balance, best first.
        self.cap_wait: list[list[tuple[float, int, int]]] = [[] for _ in self.caps]
        self.res_wait: list[list[tuple[float, int, int]]] = [[] for _ in self.reservoirs]
        self.ans_wait: dict[int, list[int]] = {}
        #: Every unit a resource refused, best first: the one to force when nothing else
        #: can go (entries go stale as units move on).
        self.parked: list[tuple[float, int, int]] = []
        for u in range(len(self.members)):
            if self.blocks[u] == 0:
                self._ready(u)
        backlog = [(self.static_ls[u], u) for u in range(len(self.members))]
        heapq.heapify(backlog)
        self.remaining = len(self.members)
        while self.remaining:
            self._settle()
            if not self.remaining:
                break
            times = [h[0][0] for h in (self.future, self.events) if h]
            if times:
                self.now = max(self.now, min(times))
                continue
            # Nothing will change by waiting: the best unit refused by a resource goes
            # anyway (breaking only that rule), else the best unit still waiting for a
            # condition (a cycle of conditions, or a counter-step that never comes).
            while self.parked and not self._live(self.parked[0]):
                heapq.heappop(self.parked)
            if self.parked:
                u = heapq.heappop(self.parked)[2]
            else:
                while True:
                    _ls, u = heapq.heappop(backlog)
                    if not self.placed[u]:
                        break
            self.now = max(self.now, self._earliest_of(u))
            self._place(u, force=True)
        return Schedule(self.starts, check(self.scenario, self.starts, partial=self.partial))

    def _key(self, u: int) -> float:
        """The unit's priority now (smaller first): a unit whose hard latest start (its
        windows, and the `within` limits of placed anchors) is near goes first, earliest
        first; then the rest by their latest start for the makespan aimed at."""
        hard = self.hard[u]
        for s in self.members[u]:
            for w in self.waits_in[s]:
                if w.within is not None and w.low < NEVER:
                    hard = min(hard, w.low + w.within)
        if hard - self.now <= URGENT:
            return hard - URGENT_FIRST
        return min(self.soft[u], hard)

    def _earliest(self, s: str) -> int:
        """The earliest start of s that its placed conditions allow."""
        t = self.lower[s]
        for w in self.waits_in[s]:
            if w.top > -NEVER:
                t = max(t, int(w.top) + w.lag)
        for a in self.anys_in.get(s, ()):
            if a.best < NEVER:
                t = max(t, int(a.best))
        return t

    def _earliest_of(self, u: int) -> int:
        t = 0
        for s in self.members[u]:
            t = max(t, self._earliest(s))
            # Within limits counted from s: start no earlier than needed for the waiting
            # step to keep them, given what else it waits for.
            for w, within, top in self.pulls.get(s, ()):
                if w is None:
                    need = top
                else:
                    need = max(self.est[w], self._earliest(w), self._counter_bound(w))
                t = max(t, need - within - self.off[s])
        return t

    def _counter_bound(self, g: str) -> int:
        """How early g's answer terms let it start: the earliest a counter-step (a free
        placed one, or one still to come, as early as its conditions allow) is done."""
        t = 0
        for ans in self.gives_in.get(g, ()):
            best = ans.pool[0][0] if ans.pool else NEVER
            if len(ans.gets) <= 64:
                for c in ans.gets:
                    if c != g and c not in self.done:
                        soon = self._earliest(c) if self.blocks[self.unit[c]] == 0 else self.est[c]
                        best = min(best, soon + self.off[c])
            if best < NEVER:
                t = max(t, int(best) - ans.grace)
        return t

    def _live(self, entry: tuple[float, int, int]) -> bool:
        return entry[1] == self.version[entry[2]] and not self.placed[entry[2]]

    def _entry(self, u: int) -> tuple[float, int, int]:
        self.seq += 1
        self.version[u] = self.seq
        return (self._key(u), self.seq, u)

    def _ready(self, u: int) -> None:
        """Every condition of u is placed: try it at its earliest start."""
        t = self._earliest_of(u)
        if t <= self.now:
            heapq.heappush(self.cands, self._entry(u))
        else:
            self._later(u, t)

    def _later(self, u: int, t: int) -> None:
        self.seq += 1
        self.version[u] = self.seq
        heapq.heappush(self.future, (t, self.seq, u))

    def _settle(self) -> None:
        """Place everything that can start now."""
        now = self.now
        while self.future and self.future[0][0] <= now:
            _t, seq, u = heapq.heappop(self.future)
            if seq == self.version[u] and not self.placed[u]:
                heapq.heappush(self.cands, self._entry(u))
        dirty_caps: set[int] = set()
        dirty_res: set[int] = set()
        while self.events and self.events[0][0] <= now:
            _t, kind, k, change = heapq.heappop(self.events)
            if kind == 0:
                self.caps[k].running += change
                dirty_caps.add(k)
            else:
                self.reservoirs[k].level += change
                dirty_res.add(k)
        while True:
            for k in dirty_caps:
                cap, heap = self.caps[k], self.cap_wait[k]
                free = cap.limit - cap.running
                while free > 0 and heap:
                    entry = heapq.heappop(heap)
                    if self._live(entry):
                        heapq.heappush(self.cands, self._entry(entry[2]))
                        free -= 1
            for k in dirty_res:
                # The best waiting units, as many as the room now made lets start.
                res, heap = self.reservoirs[k], self.res_wait[k]
                room = min(res.margin, self.exposure) - res.level
                while heap and room >= 0:
                    entry = heap[0]
                    if not self._live(entry):
                        heapq.heappop(heap)
                        continue
                    rise = self._rise(entry[2], res)
                    if rise > room:
                        break
                    heapq.heappop(heap)
                    heapq.heappush(self.cands, self._entry(entry[2]))
                    room -= rise
            dirty_caps, dirty_res = set(), set()
            if not self.cands:
                return
            while self.cands:
                entry = heapq.heappop(self.cands)
                if not self._live(entry):
                    continue
                u = entry[2]
                refused = self._refusal(u)
                if refused is None:
                    self._place(u, force=False)
                    continue
                kind, k, when = refused
                # A resource it did not need may have room someone else can use.
                for s in self.members[u]:
                    dirty_caps.update(c for c in self.cap_ids.get(s, ()) if kind != 0 or c != k)
                    dirty_res.update(r for r in self.ahead_ids.get(s, ()) if kind != 1 or r != k)
                if when is not None:
                    self._later(u, when)
                    continue
                entry = self._entry(u)
                heapq.heappush(self.parked, entry)
                if kind == 0:
                    heapq.heappush(self.cap_wait[k], entry)
                elif kind == 1:
                    heapq.heappush(self.res_wait[k], entry)
                else:
                    self.ans_wait.setdefault(k, []).append(u)
            dirty_caps = {k for k in dirty_caps if self.cap_wait[k]}
            dirty_res = {k for k in dirty_res if self.res_wait[k]}

    def _refusal(self, u: int) -> tuple[int, int, int | None] | None:
        """Why u cannot start now: (0, capacity) or (1, balance) without room, (2, answer
        term, the time a counter-step comes in reach, or None); None when it can."""
        group, now = self.members[u], self.now
        for s in group:
            if self.dur[s]:
                for k in self.cap_ids.get(s, ()):
                    cap = self.caps[k]
                    need = sum(1 for x in group if k in self.cap_ids.get(x, ()) and self.dur[x])
                    if cap.running + need > cap.limit:
                        return 0, k, None
            for k in self.ahead_ids.get(s, ()):
                res = self.reservoirs[k]
                if res.level + self._rise(u, res) > min(res.margin, self.exposure):
                    return 1, k, None
            for ans in self.gives_in.get(s, ()):
                found = self._counter(ans, s, now, group)
                if found is None:
                    return 2, ans.index, None
                if found[0] - ans.grace > now:
                    return 2, ans.index, found[0] - ans.grace
        return None

    def _rise(self, u: int, res: Reservoir) -> int:
        """How much a unit raises a balance curve when it starts (a step that is also
        its own counter-step, done at once, nets out)."""
        return sum(
            self.value[x] * ((x in res.ahead) - (x in res.behind and not self.off[x]))
            for x in self.members[u]
        )

    def _counter(self, ans: Answer, g: str, t: int, group: list[str]) -> tuple[int, str] | None:
        """The counter-step g takes if it starts at t or later: the earliest-done free one
        still inside g's window at t (or the first done after it); None when none is."""
        pool = ans.pool
        low = -NEVER if ans.within is None else t - ans.within
        i = bisect.bisect_left(pool, (low, ""))
        taken: set[str | None] = set()
        if len(group) > 1 and not ans.shared:  # the unit's other give steps take theirs
            taken = {ans.matched.get(x) for x in group if x != g}
        while i < len(pool) and (pool[i][1] == g or pool[i][1] in taken):
            i += 1
        return pool[i] if i < len(pool) else None

    def _place(self, u: int, force: bool) -> None:
        group, t = self.members[u], self.now
        self.placed[u] = True
        self.remaining -= 1
        for s in group:
            self.starts[s] = t
            self.done[s] = t + self.off[s]
        newly: list[int] = []
        for s in group:
            d = self.done[s]
            for ans in self.gives_in.get(s, ()):
                found = self._counter(ans, s, t, group)
                if found is not None and found[0] - ans.grace <= t:
                    ans.matched[s] = found[1]
                    if not ans.shared:
                        ans.pool.remove(found)
            if self.dur[s]:
                for k in self.cap_ids.get(s, ()):
                    self.caps[k].running += 1
                    heapq.heappush(self.events, (t + self.dur[s], 0, k, -1))
            for k in self.ahead_ids.get(s, ()):
                self.reservoirs[k].level += self.value[s]
        for s in group:
            d = self.done[s]
            for k in self.behind_ids.get(s, ()):
                if d == t:
                    self.reservoirs[k].level -= self.value[s]
                else:
                    heapq.heappush(self.events, (d, 1, k, -self.value[s]))
            for ans in self.gets_in.get(s, ()):
                bisect.insort(ans.pool, (d, s))
                for x in self.ans_wait.pop(ans.index, ()):
                    if not self.placed[x]:
                        self._later(x, max(t, d - ans.grace))
            for w in self.firsts_in[s]:
                w.left -= 1
                w.top = max(w.top, t if w.by_start else d)
                w.low = min(w.low, d)
                newly += [self.unit[x] for x in w.waiters.pop(w.left, ())]
            for a in self.alt_in.get(s, ()):
                for p, lag, _within in a.items:
                    if p == s:
                        a.best = min(a.best, d + lag)
                if not a.unblocked:
                    a.unblocked = True
                    newly.append(self.unit[a.step])
        for v in newly:
            self.blocks[v] -= 1
            if self.blocks[v] == 0 and not self.placed[v]:
                self._ready(v)
