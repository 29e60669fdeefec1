"""A fast list schedule: the solver's hint, its fallback, and the benchmarks' baseline.

Serial schedule generation over the hard rules' scheduling terms: steps become ready when
what they wait for is placed (`after`, `wait` and `rank` terms, a free counter-step for
`answer` terms); the ready step with the longest chain waiting on it goes next, at the
first time its `capacity` and `reservoir` terms allow. It keeps every term it knows how to
keep and does not promise the rest (`within`, deadlines, `together`): the checker judges.
No ortools here.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from planner.model import AnyOf, Step
from planner.rules.base import Rule, Terms
from planner.rules.preconditions import earliest_start
from planner.scenario import Scenario


@dataclass(slots=True)
class _Answer:
    """An `answer` term: give steps each take a counter-step from the pool."""

    id: int
    gives: list[str]
    gets: list[str]
    grace: int
    shared: bool
    pool: list[int] = field(default_factory=list)  # done times of free counter-steps


@dataclass(slots=True)
class _Capacity:
    id: int
    limit: int
    busy: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class _Reservoir:
    id: int
    margin: int
    events: dict[int, int] = field(default_factory=dict)


class _Terms(Terms):
    """What each step waits for, and the resources it takes, from the hard rules' terms."""

    def __init__(self, steps: Mapping[str, Step], todo: Sequence[str]) -> None:
        super().__init__(steps)
        self.index = {s: i for i, s in enumerate(todo)}
        self.waits_on: dict[str, set[str]] = {s: set() for s in todo}
        self.wait_terms: dict[str, list[tuple[int, int]]] = {s: [] for s in todo}
        self.first_in: dict[str, list[int]] = {s: [] for s in todo}
        self.num_waits = 0
        self.ranked_after: dict[str, list[tuple[str, int]]] = {s: [] for s in todo}
        self.lower: dict[str, int] = dict.fromkeys(todo, 0)  # earliest start from releases
        self.answers: list[_Answer] = []
        self.gives_in: dict[str, list[_Answer]] = {s: [] for s in todo}
        self.answers_in: dict[str, list[_Answer]] = {s: [] for s in todo}
        self.cap_of: dict[str, list[_Capacity]] = {s: [] for s in todo}
        self.ahead_in: dict[str, list[_Reservoir]] = {s: [] for s in todo}
        self.behind_in: dict[str, list[_Reservoir]] = {s: [] for s in todo}

    def _in(self, ids: Iterable[str]) -> list[str]:
        return [s for s in ids if s in self.index]

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
        placed_firsts = self._in(firsts)
        for f in placed_firsts:
            self.first_in[f].append(i)
        for w in self._in(waiting):
            self.waits_on[w].update(f for f in placed_firsts if f != w)
            self.wait_terms[w].append((i, lag))

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if rule.soft:
            return
        kept = [group for group in (self._in(g) for g in ranks) if group]
        for k in range(1, len(kept)):
            for s in kept[k]:
                self.waits_on[s].update(kept[k - 1])
                self.ranked_after[s].extend((p, gap) for p in kept[k - 1])

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        if rule.soft:
            return
        for s in self._in(ids):
            offset = self.steps[s].done_offset if measure == "done" else 0
            self.lower[s] = max(self.lower[s], earliest - offset)

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
        term = _Answer(len(self.answers), list(give), list(get), grace, shared)
        self.answers.append(term)
        for s in self._in(give):
            self.gives_in[s].append(term)
        for s in self._in(get):
            self.answers_in[s].append(term)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if rule.soft:
            return
        term = _Capacity(len(self.cap_of), limit)
        for s in self._in(ids):
            self.cap_of[s].append(term)

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        if rule.soft:
            return
        term = _Reservoir(0, margin)
        for s in self._in(ahead):
            self.ahead_in[s].append(term)
        for s in self._in(behind):
            self.behind_in[s].append(term)


def greedy_schedule(scenario: Scenario, scheduled: Iterable[str]) -> dict[str, int]:
    """Start times for `scheduled` (every step is placed, even where a rule must give)."""
    steps = scenario.steps
    todo = list(scheduled)
    terms = _Terms(steps, todo)
    index = terms.index
    any_groups: dict[str, list[set[str]]] = {s: [] for s in todo}  # one of each group
    waits_on = terms.waits_on
    for s in todo:
        for cond in steps[s].after:
            if isinstance(cond, AnyOf):
                alts = {r.step for r in cond.items if r.step in index}
                if alts:
                    any_groups[s].append(alts)
            elif cond.step in index:
                waits_on[s].add(cond.step)
    for rule in scenario.rules:
        rule.terms(terms)
    for s in todo:  # a fixed step goes at its time
        if steps[s].fixed is not None:
            terms.lower[s] = max(terms.lower[s], steps[s].fixed or 0)
    lower, wait_terms, ranked_after = terms.lower, terms.wait_terms, terms.ranked_after
    first_in, gives_in, answers_in = terms.first_in, terms.gives_in, terms.answers_in
    cap_of, ahead_in, behind_in = terms.cap_of, terms.ahead_in, terms.behind_in
    term_done: dict[int, int] = {}  # wait term -> latest done among its placed first steps

    dependents: dict[str, list[str]] = {s: [] for s in todo}
    for s in todo:
        for p in waits_on[s]:
            dependents[p].append(s)
        for group in any_groups[s]:
            for p in group:
                dependents[p].append(s)

    starts: dict[str, int] = {}
    done: dict[str, int] = {}

    def ready(s: str) -> bool:
        if any(p not in done for p in waits_on[s]):
            return False
        if any(not any(p in done for p in g) for g in any_groups[s]):
            return False
        return all(a.pool for a in gives_in[s])

    def earliest(s: str) -> int:
        t = max(lower[s], earliest_start(steps[s], done))
        for i, lag in wait_terms[s]:
            t = max(t, term_done.get(i, 0) + lag)
        for p, gap in ranked_after[s]:  # graduated order: `gap` after the rank before
            t = max(t, starts[p] + gap)
        for a in gives_in[s]:
            if a.pool:
                t = max(t, a.pool[0] - a.grace)
        return t

    def fits(s: str, t: int, balance: bool = True) -> int | None:
        """The first time >= t the resources allow, or None when balance never will."""
        dur = steps[s].duration
        value = steps[s].value if balance else 0
        while True:
            moved = False
            for cap in cap_of[s] if dur else ():
                while True:
                    ends = sorted(e for b, e in cap.busy if b < t + dur and e > t)
                    if len(ends) < cap.limit:
                        break
                    t, moved = ends[len(ends) - cap.limit], True
            for bal in ahead_in[s] if value else ():
                ok = _balance_room(bal.events, t, value, bal.margin)
                if ok is None:
                    return None
                if ok > t:
                    t, moved = ok, True
            if not moved:
                return t

    tail = _tails(todo, dependents, steps)
    heap: list[tuple[int, int, int, str]] = []
    queued: set[str] = set()

    def push_ready(candidates: Iterable[str]) -> None:
        for s in candidates:
            if s not in done and s not in queued and ready(s):
                heapq.heappush(heap, (-tail[s], earliest(s), index[s], s))
                queued.add(s)

    def place(s: str, t: int) -> None:
        starts[s] = t
        done[s] = t + steps[s].done_offset
        for a in gives_in[s]:
            if a.pool and not a.shared:
                a.pool.pop(0)
        for a in answers_in[s]:
            bisect.insort(a.pool, done[s])
        for i in first_in[s]:
            term_done[i] = max(term_done.get(i, 0), done[s])
        for cap in cap_of[s]:
            if steps[s].duration:
                cap.busy.append((t, t + steps[s].duration))
        for bal in ahead_in[s]:
            bal.events[t] = bal.events.get(t, 0) + steps[s].value
        for bal in behind_in[s]:
            bal.events[done[s]] = bal.events.get(done[s], 0) - steps[s].value

    push_ready(todo)
    stalled: list[str] = []  # ready, but balance has no room until more is verified
    while len(done) < len(todo):
        if not heap:
            # Nothing can go without breaking a rule. A stalled step (ready, but the balance
            # has no room) goes first, breaking only the balance; else the first waiting step
            # goes as its placed preconditions allow.
            if stalled:
                s = min(stalled, key=lambda x: index[x])
                stalled = [x for x in stalled if x != s]
                t = fits(s, earliest(s), balance=False) or earliest(s)
            else:
                s = min((x for x in todo if x not in done), key=lambda x: index[x])
                t = earliest_loose(s, done, scenario, lower[s])
            place(s, t)
            queued.discard(s)
            push_ready(dependents[s])
            push_ready(_give_steps(terms.answers, s))
            push_ready(stalled)
            continue
        _, est, _, s = heapq.heappop(heap)
        if not ready(s):  # its counter-step went to another give step meanwhile
            queued.discard(s)
            continue
        fit = fits(s, max(est, earliest(s)))
        if fit is None:
            stalled.append(s)
            continue
        place(s, fit)
        push_ready(dependents[s])
        push_ready(_give_steps(terms.answers, s))
        if stalled:
            retry, stalled = stalled, []
            for x in retry:
                queued.discard(x)
            push_ready(retry)
    return starts


def _tails(
    todo: list[str], dependents: dict[str, list[str]], steps: Mapping[str, Step]
) -> dict[str, int]:
    """Each step's tail: the longest chain of done times from its start to the end of what
    waits on it. Among steps ready at the same time, the longest tail goes first."""
    tail: dict[str, int] = {}
    for root in todo:
        if root in tail:
            continue
        stack = [(root, iter(dependents[root]))]
        on_path = {root}
        while stack:
            s, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(s)
                tail[s] = steps[s].done_offset + max(
                    (tail.get(c, 0) for c in dependents[s]), default=0
                )
            elif child not in tail and child not in on_path:  # a cycle is cut, not followed
                on_path.add(child)
                stack.append((child, iter(dependents[child])))
    return tail


def _give_steps(answers: list[_Answer], s: str) -> list[str]:
    return [g for a in answers if s in a.gets for g in a.gives]


def _balance_room(events: dict[int, int], t: int, value: int, margin: int) -> int | None:
    """The first time >= t at which `value` more can start and the curve stays <= margin
    from then on, given the events placed so far; None when it never can."""
    times = sorted(events)
    levels = []
    level = 0
    for x in times:
        level += events[x]
        levels.append(level)
    suffix = levels[:]  # suffix[j]: the highest level from times[j] on
    for j in range(len(suffix) - 2, -1, -1):
        suffix[j] = max(suffix[j], suffix[j + 1])
    j = bisect.bisect_right(times, t)
    here = levels[j - 1] if j else 0
    later = suffix[j] if j < len(times) else here
    if max(here, later) + value <= margin:
        return t
    for k in range(j, len(times)):
        if suffix[k] + value <= margin:
            return times[k]
    return None


def earliest_loose(s: str, done: dict[str, int], scenario: Scenario, low: int) -> int:
    """The earliest start meeting the `after` items whose steps are placed."""
    return max(low, earliest_start(scenario.steps[s], done))
