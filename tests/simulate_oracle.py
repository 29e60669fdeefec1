"""The placement of one simulated run as it was before the capacity seats were kept sorted
(planner/whatif/simulate_run.py at 0d162d4): every placed seat of a capacity term re-sorted
for each step. Kept only as the oracle of tests/test_simulate_place.py: the new placement
must give the same starts and drivers on every scenario."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from planner.whatif.simulate_run import Order


def old_place(
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

    busy: list[list[tuple[int, int, int]]] = [[] for _ in order.limits]

    def seated(i: int, t: int, why: int) -> tuple[int, int]:
        """The first time >= t with a seat free in each capacity term of step i (among the
        steps placed so far); what set it: the step whose end frees the seat."""
        length = offsets_run[i]
        moved = True
        while moved:
            moved = False
            for k in order.seats[i]:
                ends = sorted((e, j) for b, e, j in busy[k] if b < t + length and e > t)
                if len(ends) >= order.limits[k]:
                    t, why = ends[len(ends) - order.limits[k]]
                    moved = True
        return t, why

    def settle(i: int, t: int, why: int) -> None:
        if order.seats[i]:
            t, why = seated(i, t, why)
        start[i], done[i], driver[i], placed[i] = t, t + offsets[i], why, True
        for k in order.seats[i]:
            busy[k].append((t, t + offsets_run[i], i))
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
