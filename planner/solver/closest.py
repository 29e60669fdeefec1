"""Repair at scale: the roadmap closest to a proposal, found by neighbourhoods.

A whole-model search for the closest roadmap stalls from about a thousand steps (CP-SAT
sees every start free, and the proposal breaks rules, so it is no hint it can take). The
repair of a large roadmap therefore goes this way, each stage (`order`, `displacement`,
`moved`) in turn:

1. **a first roadmap**: the proposal *shifted* by the list schedule
   (`planner.schedule.shift`: every start that can stay stays, the rest start at the
   earliest time the others allow) when it keeps every rule; else the proposal with every
   step fixed at its start but those the violations name and what they push on, which
   CP-SAT places as close as it can, the neighbourhood widening (the steps sharing a seat
   or a curve with them, then twice the width, up to the whole model) until CP-SAT finds a
   roadmap in it;
2. **neighbourhoods around the moves**: each moved step with the steps it waits on, those
   that wait on it and start within `width` of it, and those sharing a seat or a curve
   with it nearby, gathered into groups of about `CLUSTER` steps in time order, each
   re-solved with every other start fixed, the width doubling each round while the time
   lasts;
3. **the proof**: the whole model from every variable's value in the best roadmap (a
   complete hint), on one worker, with what time is left; CP-SAT either proves that no
   roadmap is closer or gives a lower bound.

Each neighbourhood has a deterministic work limit, so the same neighbourhoods give the
same roadmap whatever the machine's load; how many there are time for does depend on it.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.check import Report
from planner.model import AnyOf, Step
from planner.rules.base import PartialTerms, Rule
from planner.scenario import Scenario
from planner.solver.search import Outcome, Search

#: Deterministic work units per neighbourhood: the same neighbourhood, the same roadmap.
WORK = 2.0
#: The first improving neighbourhood's width, in the scenario's unit.
FIRST_WIDTH = 2
#: About how many steps one improving neighbourhood re-solves at most.
CLUSTER = 250
#: A solve with less time left than this is not started.
MIN_SOLVE = 0.05


@dataclass(slots=True)
class Best:
    """The closest roadmap so far: its starts, every variable's value (a complete hint),
    and per stage its value and the lower bound proven (equal: proven closest)."""

    starts: dict[str, int]
    full: list[int] | None
    values: dict[str, int] = field(default_factory=dict)
    bounds: dict[str, int] = field(default_factory=dict)


class _Links(PartialTerms):
    """The ties between scheduled steps: who waits on whom (`after` items, wait, rank,
    answer and together terms of hard rules) and who shares a seat or a curve (capacity
    and reservoir terms), each group in the order of the proposed starts. Partial is safe:
    a tie missed here only narrows a neighbourhood; CP-SAT keeps every rule in each one."""

    def __init__(self, steps: Mapping[str, Step], scheduled: Sequence[str]) -> None:
        super().__init__(steps)
        self.scheduled = set(scheduled)
        self.succ: dict[str, list[str]] = {}
        self.pred: dict[str, list[str]] = {}
        self.raw_groups: list[list[str]] = []
        self.groups: list[tuple[list[str], list[int]]] = []
        self.longest: list[int] = []
        self.member_of: dict[str, list[int]] = {}
        for s in scheduled:
            for item in steps[s].after:
                for req in item.items if isinstance(item, AnyOf) else (item,):
                    self._edge(req.step, s)

    def _edge(self, a: str, b: str) -> None:
        if a != b and a in self.scheduled and b in self.scheduled:
            self.succ.setdefault(a, []).append(b)

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        if not rule.soft:
            for f in firsts:
                for w in waiting:
                    self._edge(f, w)

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if not rule.soft:
            for before, after in itertools.pairwise(ranks):
                for f in before:
                    for w in after:
                        self._edge(f, w)

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
            self.raw_groups.append([*give, *get])

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            self.raw_groups.append(list(ids))

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if not rule.soft:
            self.raw_groups.append(list(ids))

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        if not rule.soft:
            self.raw_groups.append([*ahead, *behind])

    def finish(self, proposed: Mapping[str, int], scenario: Scenario) -> None:
        """Each group sorted by proposed start (steps the proposal leaves out aside)."""
        for a, bs in self.succ.items():
            for b in bs:
                self.pred.setdefault(b, []).append(a)
        for ids in self.raw_groups:
            members = sorted(
                {s for s in ids if s in self.scheduled and s in proposed},
                key=proposed.__getitem__,
            )
            if len(members) < 2:
                continue
            k = len(self.groups)
            self.groups.append((members, [proposed[s] for s in members]))
            self.longest.append(max(scenario.steps[s].done_offset for s in members))
            for s in members:
                self.member_of.setdefault(s, []).append(k)
        self.raw_groups = []


@dataclass(slots=True)
class Closest:
    """One large repair: the model, its searches, the proposal and the clock."""

    scenario: Scenario
    search: Search
    proposed: Mapping[str, int]
    report: Report
    deadline: float
    #: Steps the proposal leaves out and the repair schedules: free in every solve.
    added: Collection[str] = ()
    #: The proposal's order, when it was written as a sequence.
    sequence: Sequence[str] = ()
    #: Numbers of solves by kind, for the benchmarks.
    tally: dict[str, int] = field(default_factory=dict)
    links: _Links | None = None
    #: The whole model has no roadmap (a solve of it proved so).
    infeasible: bool = False

    @property
    def stopped(self) -> bool:
        return self.search.stopper.stopped

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    def _count(self, kind: str) -> None:
        self.tally[kind] = self.tally.get(kind, 0) + 1

    def _solve(
        self,
        expr: Any,
        hint: Mapping[str, int],
        free: Collection[str] | None,
        full: list[int] | None = None,
        until: float | None = None,
        work: float | None = WORK,
    ) -> Outcome:
        end = self.deadline if until is None else min(until, self.deadline)
        return self.search.solve(
            expr,
            max(MIN_SOLVE, end - time.monotonic()),
            1,
            hint=hint,
            full=full,
            free=free,
            work=work,
            large=True,
        )

    def value(self, name: str, starts: Mapping[str, int]) -> int:
        """A stage's measure of a roadmap, in Python (no solve)."""
        proposed = self.proposed
        if name == "displacement":
            return sum(abs(starts[s] - t) for s, t in proposed.items() if s in starts)
        if name == "moved":
            return sum(1 for s, t in proposed.items() if s in starts and starts[s] != t)
        if name == "order":
            order = [s for s in self.sequence if s in starts]
            return sum(1 for a, b in itertools.pairwise(order) if starts[b] < starts[a])
        raise ValueError(name)

    # -- 1. a first roadmap ----------------------------------------------------------

    def first(self, expr: Any, shifted: Mapping[str, int] | None, until: float) -> Best | None:
        """The shifted proposal (`shifted`, when it keeps every rule), with every
        variable's value; else the proposal re-solved around its violations."""
        if shifted is not None:
            self._count("complete")
            done = self._solve(expr, shifted, (), until=until, work=None)
            if done.starts is not None:
                return Best(dict(done.starts), done.full)
        around = self._around_violations(expr, shifted, until)
        if around is not None and around.starts is not None:
            return Best(dict(around.starts), around.full)
        return None

    def _around_violations(
        self, expr: Any, shifted: Mapping[str, int] | None, until: float
    ) -> Outcome | None:
        """Every step at its proposed start but those the violations name (and the steps
        the proposal leaves out), which CP-SAT places as close as it can; when it finds
        no roadmap so, the steps around them too, the neighbourhood doubling."""
        scenario, proposed = self.scenario, self.proposed
        scheduled = self.search.enc.scheduled
        fill = shifted or {}
        hint = {s: proposed[s] if s in proposed else fill.get(s, 0) for s in scheduled}
        base = {s: t for s, t in proposed.items() if s in hint}
        named = {s for v in self.report.violations for s in v.steps if s in hint}
        # A step proposed before the earliest start any roadmap allows must move too.
        earliest = self.search.enc.earliest
        named |= {s for s, t in base.items() if t < earliest.get(s, 0)}
        makespan = max((t + scenario.steps[s].done_offset for s, t in base.items()), default=0)
        width = max(2, round(0.02 * makespan))
        free = self._knock_on(named | set(self.added), base, width, peers=False)
        with_peers = False
        while not self.stopped and time.monotonic() < until - MIN_SOLVE:
            whole = len(free) >= len(scheduled)
            trial = dict(hint)
            trial.update({s: fill[s] for s in free if s in fill})
            self._count("around")
            outcome = self._solve(expr, trial, None if whole else free, until=until)
            if outcome.found:
                return outcome
            if whole:
                self.infeasible = outcome.status == "infeasible"
                return None
            # Wider: first the steps competing with the free ones for seats and balance
            # room, then twice the width.
            if with_peers:
                width *= 2
            with_peers = not with_peers
            wider = self._knock_on(free, base, width, peers=with_peers)
            # Nothing more ties to the free steps: the whole model is next.
            free = wider if len(wider) > len(free) or with_peers else set(scheduled)
        return None

    def _knock_on(
        self, free: set[str], starts: Mapping[str, int], width: int, peers: bool = True
    ) -> set[str]:
        """`free` and what a later start of a free step may push on, however indirectly:
        the steps that wait on one (its `after` items, precedence, gate, order and
        reciprocity terms) and start less than `width` after it is done, and the steps
        that share a seat or a balance curve with one and run within `width` of it."""
        links = self._links()
        steps = self.scenario.steps
        out = set(free)
        stack = [s for s in free if s in starts]
        while stack:
            x = stack.pop()
            lo = starts[x] - width
            hi = starts[x] + steps[x].done_offset + width
            for y in links.succ.get(x, ()):
                if y not in out and y in starts and starts[y] <= hi:
                    out.add(y)
                    stack.append(y)
        # Those that compete with a free step for a seat or balance room, one level.
        if not peers:
            return out
        near: set[str] = set()
        for x in out:
            if x not in starts:
                continue
            lo = starts[x] - width
            hi = starts[x] + steps[x].done_offset + width
            for k in links.member_of.get(x, ()):
                order, times = links.groups[k]
                first = bisect.bisect_left(times, lo - links.longest[k])
                near.update(order[first : bisect.bisect_right(times, hi)])
        return out | near

    def _links(self) -> _Links:
        """What ties the steps together, worked out once per repair."""
        if self.links is None:
            scenario = self.scenario
            links = _Links(scenario.steps, self.search.enc.scheduled)
            for rule in scenario.rules:
                rule.terms(links)
            links.finish(self.proposed, scenario)
            self.links = links
        return self.links

    # -- 2. neighbourhoods around the moves --------------------------------------------

    def improve(self, expr: Any, name: str, best: Best, until: float) -> Best:
        """Re-solve the steps around the moves, a cluster at a time (every other start
        fixed), the width around them doubling each round while the time lasts."""
        scheduled = self.search.enc.scheduled
        width = FIRST_WIDTH
        while not self.stopped and time.monotonic() < until - MIN_SOLVE:
            clusters = self._clusters(best.starts, width)
            if not clusters:
                break
            whole = len(clusters) == 1 and len(clusters[0]) >= len(scheduled)
            if whole:
                break
            for free in clusters:
                if self.stopped or time.monotonic() >= until - MIN_SOLVE:
                    break
                self._count("improve")
                outcome = self._solve(expr, best.starts, free, full=best.full, until=until)
                if outcome.starts is not None and self.value(name, outcome.starts) <= self.value(
                    name, best.starts
                ):
                    best = Best(dict(outcome.starts), outcome.full, best.values, best.bounds)
            width *= 2
        return best

    def _clusters(self, starts: Mapping[str, int], width: int) -> list[set[str]]:
        """Neighbourhoods around the moves, in time order, of about `CLUSTER` steps
        each: every moved step (and every step the proposal left out), with what holds it
        where it is — the steps it waits on, those that wait on it, however indirectly,
        and start within `width` of it, and those that share a seat or a curve with it
        and run within `width` of its proposed or new time."""
        proposed = self.proposed
        moved = [s for s, t in proposed.items() if s in starts and starts[s] != t]
        moved += [s for s in self.added if s in starts]
        moved.sort(key=lambda s: (starts[s], s))
        clusters: list[set[str]] = []
        current: set[str] = set()
        for m in moved:
            if m in current:
                continue
            about = self._about(m, starts, width)
            if current and len(current) + len(about) > CLUSTER:
                clusters.append(current)
                current = set()
            current |= about
        if current:
            clusters.append(current)
        return clusters

    def _about(self, m: str, starts: Mapping[str, int], width: int) -> set[str]:
        links = self._links()
        steps = self.scenario.steps
        proposed = self.proposed
        lo, hi = starts[m], starts[m]
        if m in proposed:
            lo, hi = min(lo, proposed[m]), max(hi, proposed[m])
        lo -= width
        hi += steps[m].done_offset + width
        out = {m}
        out.update(y for y in links.pred.get(m, ()) if y in starts)
        stack = [m]
        while stack:
            x = stack.pop()
            reach = starts[x] + steps[x].done_offset + width
            for y in links.succ.get(x, ()):
                if y not in out and y in starts and starts[y] <= reach:
                    out.add(y)
                    stack.append(y)
        for k in links.member_of.get(m, ()):
            order, times = links.groups[k]
            first = bisect.bisect_left(times, lo - links.longest[k])
            out.update(
                y
                for y in order[first : bisect.bisect_right(times, hi)]
                if y in starts and starts[y] + steps[y].done_offset >= lo
            )
        return out

    # -- 3. the proof --------------------------------------------------------------------

    def prove(self, expr: Any, best: Best, until: float) -> tuple[Best, int | None, bool]:
        """The whole model from the best roadmap's every value: (best, bound, optimal)."""
        if self.stopped or time.monotonic() >= until - MIN_SOLVE:
            return best, None, False
        self._count("whole")
        outcome = self._solve(expr, best.starts, None, full=best.full, until=until, work=None)
        if outcome.found and outcome.starts is not None:
            best = Best(dict(outcome.starts), outcome.full, best.values, best.bounds)
        return best, outcome.bound, outcome.status == "optimal"


def nearest(
    closest: Closest,
    stages: Sequence[str],
    shifted: Mapping[str, int] | None,
) -> tuple[Best | None, bool]:
    """The closest roadmap found, stage after stage (each fixed at its value before the
    next); (best, every stage proven)."""
    enc = closest.search.enc
    model = enc.model
    best: Best | None = None
    proven = True
    for k, name in enumerate(stages):
        expr = enc.objective_expr(name)
        if isinstance(expr, int):
            if best is not None:
                best.values[name] = best.bounds[name] = expr
            continue
        left = closest._left()
        if left <= MIN_SOLVE or closest.stopped:
            if best is None:
                return None, False
            proven = False
            break
        # The first stage takes most of the time: it is the closeness the user asked for.
        share = left * (0.8 if k == 0 else 0.6) if k < len(stages) - 1 else left
        until = time.monotonic() + share
        if best is None:
            best = closest.first(expr, shifted, time.monotonic() + share * 0.5)
            if best is None:
                return None, False
        best = closest.improve(
            expr, name, best, time.monotonic() + (until - time.monotonic()) * 0.6
        )
        best, bound, optimal = closest.prove(expr, best, until)
        value = closest.value(name, best.starts)
        best.values[name] = value
        best.bounds[name] = value if optimal else min(value, bound if bound is not None else 0)
        if optimal:
            model.add(expr == value)
        else:
            proven = False
            model.add(expr <= value)
    return best, proven
