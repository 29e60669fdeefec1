"""Lower bounds no roadmap can beat (pure Python, no ortools).

The solver narrows every start variable to [earliest start, horizon] and states the
makespan bound outright: both are implied by the hard rules, and they let CP-SAT prove
optimality on large scenarios where its own relaxation stalls. The benchmarks report the
same bound as "the best lower bound".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from planner.model import Scenario
from planner.rules.capacity import Capacity
from planner.rules.gate import Gate
from planner.rules.precedence import Precedence
from planner.rules.preconditions import earliest_start
from planner.rules.reciprocity import Reciprocity
from planner.rules.window import Window


def earliest_starts(scenario: Scenario, scheduled: Sequence[str]) -> dict[str, int]:
    """The earliest start of each scheduled step in any roadmap keeping the hard rules.

    From `after` items (the earliest alternative of `any`), hard precedence and gate rules
    (lags included), hard reciprocity (the earliest counter-step other than the step
    itself, minus grace) and window openings, iterated to a fixed point. Order, capacity
    and balance rules are ignored (a weaker, still valid bound).
    """
    steps = scenario.steps
    sched = set(scheduled)
    off = {s: steps[s].done_offset for s in scheduled}
    est = dict.fromkeys(scheduled, 0)
    hard = [r for r in scenario.rules if not r.soft]
    for r in hard:
        if isinstance(r, Window):
            for s in r.steps.ids:
                if s in sched:
                    shift = off[s] if r.measure == "done" else 0
                    est[s] = max(est[s], r.earliest - shift)
    waits: list[tuple[list[str], list[str], int]] = []
    for r in hard:
        if isinstance(r, (Precedence, Gate)):
            held_by, held, lag = r.waits()
            waits.append(([f for f in held_by if f in sched], [w for w in held if w in sched], lag))
    recips = [
        ([g for g in r.give.ids if g in sched], [c for c in r.get.ids if c in sched], r.grace)
        for r in hard
        if isinstance(r, Reciprocity)
    ]
    for _ in range(len(scheduled) + 2):  # a cycle of conditions would never settle
        previous = dict(est)
        done = {s: est[s] + off[s] for s in scheduled}
        for s in scheduled:
            est[s] = max(est[s], earliest_start(steps[s], done))
            done[s] = est[s] + off[s]
        for firsts, waiting, lag in waits:
            top = sorted(firsts, key=lambda f: est[f] + off[f])[-2:][::-1]  # latest done first
            for w in waiting:
                f = next((x for x in top if x != w), None)
                if f is not None:
                    est[w] = max(est[w], est[f] + off[f] + lag)
        for gives, gets, grace in recips:
            counters = sorted((est[c] + off[c], c) for c in gets)
            for g in gives:
                first = next((d for d, c in counters if c != g), None)
                if first is not None:
                    est[g] = max(est[g], first - grace)
        if est == previous:
            break
    return est


def critical_path(scenario: Scenario, est: dict[str, int]) -> int:
    """The makespan bound of the earliest starts: the latest earliest done time."""
    return max((t + scenario.steps[s].done_offset for s, t in est.items()), default=0)


def energy_bound(scenario: Scenario, est: dict[str, int]) -> int:
    """Per hard capacity rule: no selected step starts before the earliest of their
    earliest starts, and together they need sum(durations) / max at least."""
    best = 0
    for r in scenario.rules:
        if isinstance(r, Capacity) and not r.soft:
            running = [s for s in r.steps.ids if s in est and scenario.steps[s].duration > 0]
            if len(running) <= r.max:
                continue
            work = sum(scenario.steps[s].duration for s in running)
            best = max(best, min(est[s] for s in running) + math.ceil(work / r.max))
    return best


def makespan_bound(scenario: Scenario, scheduled: Sequence[str]) -> int:
    """The best lower bound on the makespan: critical path or capacity energy."""
    est = earliest_starts(scenario, scheduled)
    return max(critical_path(scenario, est), energy_bound(scenario, est))
