"""A fast list schedule: the solver's hint, its fallback, and the benchmarks' baseline.

Serial schedule generation: steps become ready when what they wait for is placed
(`after`, hard precedence, gate and order rules, a free counter-step for reciprocity);
the ready step with the earliest possible start goes next, at the first time its
capacity and balance rules allow. It keeps every rule it knows how to keep and does not
promise the rest (`within`, window deadlines, simultaneity): the checker judges.
No ortools here.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from planner.model import AnyOf, Scenario, Step
from planner.rules.balance import Balance
from planner.rules.capacity import Capacity
from planner.rules.gate import Gate
from planner.rules.order import Order
from planner.rules.precedence import Precedence
from planner.rules.preconditions import earliest_start
from planner.rules.reciprocity import Reciprocity
from planner.rules.window import Window

R = TypeVar("R")


def greedy_schedule(scenario: Scenario, scheduled: Iterable[str]) -> dict[str, int]:
    """Start times for `scheduled` (every step is placed, even where a rule must give)."""
    steps = scenario.steps
    todo = list(scheduled)
    index = {s: i for i, s in enumerate(todo)}
    hard = [r for r in scenario.rules if not r.soft]

    # What each step waits for: (kind, payload) counted down as steps are placed.
    waits_on: dict[str, set[str]] = {s: set() for s in todo}  # all of these must be placed
    any_groups: dict[str, list[set[str]]] = {s: [] for s in todo}  # one of each group
    lower: dict[str, int] = dict.fromkeys(todo, 0)  # earliest start from windows
    for s in todo:
        for cond in steps[s].after:
            if isinstance(cond, AnyOf):
                alts = {r.step for r in cond.items if r.step in index}
                if alts:
                    any_groups[s].append(alts)
            elif cond.step in index:
                waits_on[s].add(cond.step)
    wait_rules: dict[str, list[tuple[int, int]]] = {s: [] for s in todo}
    ranked_after: dict[str, list[str]] = {s: [] for s in todo}  # order rules' earlier ranks
    first_rules: dict[str, list[int]] = {s: [] for s in todo}
    rule_done: dict[int, int] = {}  # rule -> latest done among its placed first steps
    for i, rule in enumerate(hard):
        if isinstance(rule, (Precedence, Gate)):
            before, after, lag = rule.waits()
            firsts = [f for f in before if f in index]
            for f in firsts:
                first_rules[f].append(i)
            for w in after:
                if w in index:
                    waits_on[w].update(f for f in firsts if f != w)
                    wait_rules[w].append((i, lag))
        elif isinstance(rule, Order):
            ranks = rule.ranks([s for s in rule.steps.ids if s in index], steps)
            for k in range(1, len(ranks)):
                for s in ranks[k]:
                    waits_on[s].update(ranks[k - 1])
                    ranked_after[s].extend(ranks[k - 1])
        elif isinstance(rule, Window):
            for s in rule.steps.ids:
                if s in index:
                    offset = steps[s].done_offset if rule.measure == "done" else 0
                    lower[s] = max(lower[s], rule.earliest - offset)
    recips = [r for r in hard if isinstance(r, Reciprocity)]
    gives_in = _by_step(todo, recips, lambda r: r.give.ids)
    answers_in = _by_step(todo, recips, lambda r: r.get.ids)
    pools: dict[str, list[int]] = {r.id: [] for r in recips}  # done times of free counter-steps
    caps = [r for r in hard if isinstance(r, Capacity)]
    cap_of = _by_step(todo, caps, lambda r: r.steps.ids)
    busy: dict[str, list[tuple[int, int]]] = {r.id: [] for r in caps}
    bals = [r for r in hard if isinstance(r, Balance)]
    events: dict[str, dict[int, int]] = {r.id: {} for r in bals}
    ahead_in = _by_step(todo, bals, lambda r: r.ahead.ids)
    behind_in = _by_step(todo, bals, lambda r: r.behind.ids)

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
        return all(pools[r.id] for r in gives_in[s])

    def earliest(s: str) -> int:
        t = max(lower[s], earliest_start(steps[s], done))
        for i, lag in wait_rules[s]:
            t = max(t, rule_done.get(i, 0) + lag)
        for p in ranked_after[s]:  # graduated order: no earlier than the rank before
            t = max(t, starts[p])
        for r in gives_in[s]:
            if pools[r.id]:
                t = max(t, pools[r.id][0] - r.grace)
        return t

    def fits(s: str, t: int, balance: bool = True) -> int | None:
        """The first time >= t the resources allow, or None when balance never will."""
        dur = steps[s].duration
        value = steps[s].value if balance else 0
        while True:
            moved = False
            for cap in cap_of[s] if dur else ():
                while True:
                    ends = sorted(e for b, e in busy[cap.id] if b < t + dur and e > t)
                    if len(ends) < cap.max:
                        break
                    t, moved = ends[len(ends) - cap.max], True
            for bal in ahead_in[s] if value else ():
                ok = _balance_room(events[bal.id], t, value, bal.margin)
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
        for rec in gives_in[s]:
            if pools[rec.id] and rec.pairing == "distinct":
                pools[rec.id].pop(0)
        for rec in answers_in[s]:
            bisect.insort(pools[rec.id], done[s])
        for i in first_rules[s]:
            rule_done[i] = max(rule_done.get(i, 0), done[s])
        for cap in cap_of[s]:
            if steps[s].duration:
                busy[cap.id].append((t, t + steps[s].duration))
        for bal in ahead_in[s]:
            events[bal.id][t] = events[bal.id].get(t, 0) + steps[s].value
        for bal in behind_in[s]:
            events[bal.id][done[s]] = events[bal.id].get(done[s], 0) - steps[s].value

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
            push_ready(_give_steps(recips, s))
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
        push_ready(_give_steps(recips, s))
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


def _by_step(
    todo: list[str], rules: list[R], ids_of: Callable[[R], tuple[str, ...]]
) -> dict[str, list[R]]:
    """For each step, the rules whose selector (`ids_of`) names it."""
    out: dict[str, list[R]] = {s: [] for s in todo}
    for rule in rules:
        for s in ids_of(rule):
            if s in out:
                out[s].append(rule)
    return out


def _give_steps(recips: list[Reciprocity], s: str) -> list[str]:
    return [g for r in recips if s in r.get.ids for g in r.give.ids]


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
