"""Repair: the roadmap closest to a proposed one that keeps every hard rule.

Closest means, lexicographically:

1. for a sequence (`roadmap: {sequence: [...]}`), the fewest pairs of consecutive steps
   whose order it inverts (the sequence's order is the proposal);
2. the least total displacement: the sum of |repaired start − proposed start| over the
   proposed steps it keeps;
3. the fewest steps moved;
4. then the scenario's own objectives (soft-rule penalty, finish, exposure, good faith).

Required steps the roadmap leaves out are scheduled (unless `partial`: then the steps it
leaves out stay out, and a rule that needs one cannot be kept); red-line steps are
dropped. Held steps (`keep`: they already happened) stay where the roadmap has them, and
when no roadmap keeps every rule with them held, the why-not names the held steps among
the colliding rules.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from planner.check import Report, check
from planner.model import AnyOf
from planner.objectives import objective_order
from planner.roadmap.sequence import serial_starts
from planner.rules.conditions import conditions, earliest_possible
from planner.scenario import Scenario
from planner.solver.encoder import Encoder
from planner.solver.results import Move, Repair

#: The repair's own objectives, before the scenario's.
ORDER, DISTANCE, MOVED = "order", "displacement", "moved"


def repair(
    scenario: Scenario,
    proposed: Mapping[str, int],
    *,
    sequence: Sequence[str] | None = None,
    keep: Collection[str] = (),
    partial: bool = False,
    objectives: Sequence[str] | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
) -> Repair:
    """The roadmap closest to `proposed` (a start per step) that keeps every hard rule.

    Parameters
    ----------
    sequence:
        The order the roadmap was written in, when it is a sequence: kept where the
        rules allow.
    keep:
        Steps held at their proposed times (they already happened).
    partial:
        The roadmap covers part of the deal: left-out steps stay out.
    """
    from planner.solver.stages import solve_lexicographic

    t0 = time.monotonic()
    forbidden = scenario.forbidden()
    before = check(scenario, proposed, partial=partial)
    kept = {s: t for s, t in proposed.items() if s not in forbidden}
    scheduled = set(kept) if partial else set(kept) | set(scenario.required())
    held = {s: kept[s] for s in keep if s in kept}
    if before.is_clean and not (set(proposed) & forbidden):
        return Repair("clean", dict(proposed), proven=True, before=before, after=before)
    latest = max(kept.values(), default=0)
    enc = Encoder(scenario, scheduled=scheduled, after=latest).build()
    stages = _objectives(enc, kept, held, sequence)
    if enc.impossible:
        return _impossible(scenario, scheduled, held, before, time_limit, seed, latest)
    hint = _pushed_later(scenario, kept, enc.scheduled)
    deadline = t0 + time_limit
    goals = objective_order(scenario) if objectives is None else objectives
    status, best, _ = solve_lexicographic(enc, [*stages, *goals], deadline, seed, hint, None)
    if status == "infeasible":
        return _impossible(
            scenario, scheduled, held, before, max(1.0, time_limit / 2), seed, latest
        )
    if best is None:
        return Repair(
            "unknown",
            before=before,
            notes=(f"no repair found within {time_limit:g} s: raise --time-limit",),
        )
    starts = best.starts
    after = check(scenario, starts, partial=partial)
    moves = _moves(scenario, proposed, starts, before, forbidden)
    total = sum(abs(m.by) for m in moves)
    return Repair(
        "repaired",
        starts,
        moves,
        total,
        sum(1 for m in moves if m.by),
        proven=status == "optimal",
        values=dict(best.values),
        before=before,
        after=after,
    )


def _pushed_later(
    scenario: Scenario, kept: Mapping[str, int], scheduled: Sequence[str]
) -> dict[str, int]:
    """The search's hint: every step at its proposed time or pushed later, as little as
    the conditions between steps require (`serial_starts` in the proposed order); steps
    the roadmap left out as early as those conditions allow. Often clean already, and
    always near the proposal."""
    position = {s: i for i, s in enumerate(scenario.steps)}
    added = [s for s in scheduled if s not in kept]
    early = {s: earliest_possible(scenario, kept, s) for s in added}
    order = sorted(scheduled, key=lambda s: (kept.get(s, early.get(s, 0)), position[s]))
    return serial_starts(scenario, order, release=kept, monotone=False)


def _objectives(
    enc: Encoder,
    kept: Mapping[str, int],
    held: Mapping[str, int],
    sequence: Sequence[str] | None,
) -> list[str]:
    """State the held steps and the repair's own objectives on `enc`; their names."""
    model = enc.model
    for s, t in held.items():
        model.add(enc.start[s] == t)
    distances: list[Any] = []
    moved: list[Any] = []
    for s, t in kept.items():
        if s not in enc.start:
            continue
        d = model.new_int_var(0, 2 * enc.horizon + t, f"distance[{s}]")
        model.add_abs_equality(d, enc.start[s] - t)
        m = model.new_bool_var(f"moved[{s}]")
        model.add(d == 0).only_enforce_if(~m)
        distances.append(d)
        moved.append(m)
    enc.custom[DISTANCE] = sum(distances) if distances else 0
    enc.custom[MOVED] = sum(moved) if moved else 0
    stages = [DISTANCE, MOVED]
    if sequence:
        order = [s for s in sequence if s in enc.start]
        inverted = []
        for a, b in itertools.pairwise(order):
            inv = model.new_bool_var(f"inverted[{a},{b}]")
            model.add(enc.start[b] >= enc.start[a]).only_enforce_if(~inv)
            inverted.append(inv)
        enc.custom[ORDER] = sum(inverted) if inverted else 0
        stages.insert(0, ORDER)
    return stages


def _impossible(
    scenario: Scenario,
    scheduled: Collection[str],
    held: Mapping[str, int],
    before: Report,
    time_limit: float,
    seed: int,
    latest: int,
) -> Repair:
    from planner.solver.explain import explain

    conflict = explain(scenario, time_limit, seed, scheduled=scheduled, held=held, after=latest)
    return Repair("infeasible", before=before, conflict=conflict)


def _moves(
    scenario: Scenario,
    proposed: Mapping[str, int],
    starts: Mapping[str, int],
    before: Report,
    forbidden: Collection[str],
) -> tuple[Move, ...]:
    """Every change, in the repaired roadmap's order, each with why it was made."""
    # A violation names first the step it is about (the one starting too early, the
    # give step without a counter-step...), then the steps it is measured against.
    broke: dict[str, list[str]] = {}
    involved: dict[str, list[str]] = {}
    for v in before.violations:
        for i, s in enumerate(v.steps):
            seen = (broke if i == 0 else involved).setdefault(s, [])
            if v.rule not in seen:
                seen.append(v.rule)
    position = {s: i for i, s in enumerate(scenario.steps)}
    moves = []
    for s in sorted(starts, key=lambda s: (starts[s], position[s])):
        old, new = proposed.get(s), starts[s]
        if old == new:
            continue
        why = tuple(broke.get(s, ())) or _carried(scenario, starts, proposed, s)
        if not why:
            why = tuple(involved.get(s, ())) or ("knock-on of the moves above",)
        moves.append(Move(s, old, new, why))
    for s in sorted(proposed, key=lambda s: position[s]):
        if s in forbidden:
            moves.append(Move(s, proposed[s], None, tuple(broke.get(s, ()))))
    return tuple(moves)


def _carried(
    scenario: Scenario, starts: Mapping[str, int], proposed: Mapping[str, int], s: str
) -> tuple[str, ...]:
    """The conditions that hold `s` at its new start, naming the moved step they wait
    for: 'after x' (a precondition), 'rule-id after x' (a wait term)."""
    steps = scenario.steps
    done = {x: t + steps[x].done_offset for x, t in starts.items()}
    moved = {x for x, t in starts.items() if proposed.get(x) != t}
    t = starts[s]
    found: list[str] = []
    for item in steps[s].after:
        items = item.items if isinstance(item, AnyOf) else (item,)
        for req in items:
            if req.step in moved and done.get(req.step, -1) + req.lag == t:
                found.append(f"after {req.step}")
    cond = conditions(scenario)
    for i, lag in cond.waits.get(s, ()):
        firsts, label = cond.wait_firsts[i]
        for f in firsts:
            if f != s and f in moved and done.get(f, -1) + lag == t:
                found.append(f"{label} after {f}")
    for term, grace, _ in cond.gives.get(s, ()):
        for c in cond.counters[term]:
            if c != s and c in moved and done.get(c, -1) - grace == t:
                found.append(f"{term} after {c}")
    return tuple(dict.fromkeys(found))
