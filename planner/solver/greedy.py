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
that never comes, a cycle of conditions), the best waiting unit goes anyway. The finished
schedule is then checked term by term, and the rules whose terms it could not keep are
returned with it: none means it keeps every hard rule that has scheduling terms (rules
without terms, `delink`, are facts of the scenario that `plan` refuses before scheduling).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planner.scenario import Scenario
from planner.solver.greedy_terms import (
    NEVER,
    URGENT,
    URGENT_FIRST,
    Answer,
    Reservoir,
)
from planner.solver.greedy_verdict import Verdict


@dataclass(frozen=True, slots=True)
class Schedule:
    """A list schedule: a start for every step it was given, and the hard rules it breaks
    (rule ids, `after:<step>` for a step's preconditions), sorted."""

    starts: dict[str, int]
    broken: tuple[str, ...]

    @property
    def keeps_every_rule(self) -> bool:
        return not self.broken


# ---- the terms, as the list schedule keeps them ----------------------------------------


# ---- the schedule ------------------------------------------------------------------------


def greedy_schedule(
    scenario: Scenario,
    scheduled: Iterable[str],
    est: Mapping[str, int] | None = None,
    target: int | None = None,
    exposure: int | None = None,
) -> Schedule:
    """A start for every step of `scheduled`, keeping every hard rule it can.

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
    """
    return _ListSchedule(scenario, list(scheduled), est, target, exposure).run()


class _ListSchedule(Verdict):
    """One run of the list schedule: its set-up (`Setup`), `run`, then what the schedule
    keeps (`Verdict`)."""

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
        return Schedule(self.starts, tuple(sorted(self._broken())))

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
