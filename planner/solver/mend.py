"""Repair: turn a roadmap that breaks a few hard rules (the greedy schedule's rare misses)
into one that keeps them all, by re-solving only the steps around each violation.

Every start but a neighbourhood's is fixed: the steps each violation names, the steps of
their packages that start within `width` of them, and every step that starts within a
quarter of that of a named step's start (what competes with it for seats and balance
room). The re-solved steps start
as early as they can (their sum of starts is minimized). When CP-SAT finds no roadmap in
that neighbourhood, the width doubles, up to the whole roadmap.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from planner.check import Report
from planner.scenario import Scenario
from planner.solver.search import Outcome, Search

#: The first neighbourhood's width, as a fraction of the roadmap's makespan (at least 2).
FIRST_WIDTH = 0.02
#: Deterministic work per attempt: the same attempts, whatever the machine's load.
WORK_PER_ATTEMPT = 2.0


def neighbourhood(
    scenario: Scenario, starts: Mapping[str, int], report: Report, width: int
) -> set[str]:
    """The steps to re-solve around the violations of `report`."""
    steps = scenario.steps
    by_package: dict[str, list[str]] = {}
    for s in starts:
        by_package.setdefault(steps[s].package, []).append(s)
    near = max(1, width // 4)
    free: set[str] = set()
    windows: list[tuple[int, int]] = []
    for v in report.violations:
        named = [s for s in v.steps if s in starts]
        if not named:
            continue
        free.update(named)
        lo = min(starts[s] for s in named)
        hi = max(starts[s] + steps[s].done_offset for s in named)
        windows += [(starts[s] - near, starts[s] + near) for s in named]
        for p in {steps[s].package for s in named}:
            free.update(s for s in by_package[p] if lo - width <= starts[s] <= hi + width)
    if windows:
        windows.sort()
        merged = [windows[0]]
        for lo, hi in windows[1:]:
            if lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        for s, t in starts.items():
            if any(lo <= t <= hi for lo, hi in merged):
                free.add(s)
    return free


def mend(
    scenario: Scenario,
    search: Search,
    starts: Mapping[str, int],
    report: Report,
    deadline: float,
    scheduled: Sequence[str],
) -> Outcome | None:
    """A roadmap keeping every hard rule, found by re-solving neighbourhoods of the
    violations of `report` (the check of `starts`); an infeasible outcome when the whole
    model has none; None when nothing was found in time."""
    makespan = max((starts[s] + scenario.steps[s].done_offset for s in starts), default=0)
    width = max(2, round(FIRST_WIDTH * makespan))
    while not search.stopper.stopped:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            return None
        free = neighbourhood(scenario, starts, report, width)
        whole = len(free) >= len(scheduled)
        # Each re-solved step as early as it can go: a feasible roadmap alone may put them
        # anywhere up to the horizon.
        compact = sum(search.enc.start[s] for s in (scheduled if whole else sorted(free)))
        outcome = search.solve(
            compact,
            remaining,
            1,
            hint=starts,
            free=None if whole else free,
            work=WORK_PER_ATTEMPT,
            large=True,
        )
        if outcome.found:
            return outcome
        if whole:  # an infeasible whole model: no roadmap exists at all
            return outcome if outcome.status == "infeasible" else None
        width *= 2
    return None
