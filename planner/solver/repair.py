"""Repair: the roadmap closest to a proposed one that keeps every hard rule.

Closest means, lexicographically:

1. the fewest optional steps added or dropped (a roadmap that leaves out an optional step
   another one needs, or schedules one that no roadmap can hold, changes what the deal
   includes: that comes first, and only when no roadmap keeps every rule without it);
2. for a sequence (`roadmap: {sequence: [...]}`), the fewest pairs of consecutive steps
   whose order it inverts (the sequence's order is the proposal);
3. the least total displacement: the sum of |repaired start − proposed start| over the
   proposed steps it keeps;
4. the fewest steps moved;
5. then, on deals of up to `SMALL_STEPS` steps, the scenario's own objectives (soft-rule
   penalty, finish, exposure, good faith).

Required steps the roadmap leaves out are scheduled (unless `partial`: then the steps it
leaves out stay out, and a rule that needs one cannot be kept); red-line steps are
dropped. Held steps (`keep`: they already happened) stay where the roadmap has them; with
`as_of` (`--keep-before T`), every step the roadmap starts before T is held and every
other step starts at T or later: nothing moves into the past. When no roadmap keeps every
rule with them held, the why-not names the held steps among the colliding rules.

Deals of up to `SMALL_STEPS` steps are searched whole (`planner.solver.stages`); larger
ones from the proposal shifted by the list schedule, then by neighbourhoods
(`planner.solver.closest`). Either way the answer is never farther from the proposal than
the shifted one when that keeps every rule.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from planner.check import Report, check
from planner.model import AnyOf
from planner.objectives import measure, objective_order
from planner.roadmap.packages import optional_units
from planner.roadmap.sequence import serial_starts
from planner.rules.conditions import conditions, earliest_possible
from planner.rules.window import Window
from planner.scenario import Scenario
from planner.schedule.bounds import earliest_starts
from planner.schedule.shift import PATIENCE, shift_schedule
from planner.solver.closest import Closest, nearest
from planner.solver.encoder import Encoder
from planner.solver.replan import as_of_window, readable
from planner.solver.results import Move, Repair
from planner.solver.search import Search, Stopper

#: The repair's own objectives, before the scenario's.
ORDER, DISTANCE, MOVED = "order", "displacement", "moved"
#: Up to this many scheduled steps, the whole model is searched at once (and the
#: scenario's objectives break the ties); above, neighbourhoods (`planner.solver.closest`).
SMALL_STEPS = 120
#: Seconds to build the model of a large repair, per step (measured on a busy 2-core
#: machine: 1.5-3 s at 10,000 steps), and the least search worth building it for.
BUILD_PER_STEP = 3e-4
MIN_SEARCH = 1.0
#: At most this many choices of optional parts are tried when the roadmap's own cannot
#: be repaired.
MAX_CHOICES = 256


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
    as_of: int | None = None,
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
    as_of:
        What happened before this time happened: every step the roadmap starts earlier
        is held, and no other step starts before it.
    """
    t0 = time.monotonic()
    forbidden = scenario.forbidden()
    before = check(scenario, proposed, partial=partial)
    kept = {s: t for s, t in proposed.items() if s not in forbidden}
    held = {s: kept[s] for s in keep if s in kept}
    if as_of is not None:
        held |= {s: t for s, t in kept.items() if t < as_of}
    if before.is_clean and not (set(proposed) & forbidden):
        return Repair("clean", dict(proposed), proven=True, before=before, after=before)
    rest = [s for s in scenario.steps if s not in held and s not in forbidden]
    window = as_of_window(scenario, rest, as_of, "--keep-before") if as_of is not None else None
    model_of = (
        dataclasses.replace(scenario, rules=(*scenario.rules, window)) if window else scenario
    )
    job = _Job(
        scenario, model_of, proposed, kept, held, before, sequence, partial,
        objective_order(scenario) if objectives is None else tuple(objectives),
        t0 + time_limit, time_limit, seed, as_of or 0, window,
    )  # fmt: skip
    with Stopper() as stopper:
        job.stopper = stopper
        return job.run()


@dataclasses.dataclass(slots=True)
class _Job:
    """One repair call: what it was given, and its clock."""

    scenario: Scenario
    #: The scenario the model is built from (with the as-of window, when given).
    model_of: Scenario
    proposed: Mapping[str, int]
    kept: dict[str, int]
    held: dict[str, int]
    before: Report
    sequence: Sequence[str] | None
    partial: bool
    objectives: tuple[str, ...]
    deadline: float
    time_limit: float
    seed: int
    as_of: int
    #: The as-of window (`--keep-before`), when there is one.
    window: Window | None = None
    stopper: Stopper | None = None

    def run(self) -> Repair:
        base = set(self.kept) if self.partial else set(self.kept) | set(self.scenario.required())
        found = self._attempt(base, self.deadline)
        if found.status != "infeasible" or self.stopped:
            return self._finish(found)
        # The roadmap's own choice of optional parts cannot be repaired: the fewest
        # optional steps added or dropped that can.
        other = self._other_content(base)
        if other is not None:
            return self._finish(other)
        fullest = base if self.partial else base | _addable(self.scenario)
        if fullest != base and not self.stopped:
            # No choice can be repaired: the why-not of the roadmap with every optional
            # part, so that it does not blame an optional step left out.
            left = max(1.0, self.deadline - time.monotonic())
            found = self._attempt(fullest, time.monotonic() + left)
            if found.status == "repaired":  # a choice the search had no time to weigh
                found = dataclasses.replace(found, proven=False)
        return self._finish(found)

    @property
    def stopped(self) -> bool:
        return self.stopper is not None and self.stopper.stopped

    def _finish(self, found: Repair) -> Repair:
        interrupted = self.stopped
        notes = found.notes
        if found.status == "unknown" and interrupted:
            notes = ("interrupted before any repaired roadmap was found",)
        conflict = found.conflict
        if conflict is not None and self.window is not None:
            rest = sum(1 for s in self.scenario.steps if s in self.window.steps.ids)
            conflict = readable(conflict, self.window, rest, self.scenario.unit)
        return dataclasses.replace(
            found,
            interrupted=interrupted,
            held=len(self.held),
            partial=self.partial,
            as_of=self.as_of if self.window is not None else None,
            notes=notes,
            conflict=conflict,
        )

    # -- the choice of optional parts ------------------------------------------------

    def _other_content(self, base: set[str]) -> Repair | None:
        """The closest repair with the fewest optional steps added or dropped, when the
        roadmap's own choice has none; "unknown" when the time ran out before any choice
        was found or proven impossible; None when every choice tried is impossible."""
        units = optional_units(self.scenario)
        toggles: list[tuple[str, frozenset[str], bool]] = []  # (unit, steps, added)
        for unit, ids in units.items():
            present = [s for s in ids if s in base]
            missing = [s for s in ids if s not in base]
            if present and not any(s in self.held for s in present):
                toggles.append((unit, frozenset(present), False))
            if missing and not self.partial:
                toggles.append((unit, frozenset(missing), True))
        if not toggles:
            return None
        subsets: list[tuple[int, tuple[int, ...]]] = []
        for r in range(1, len(toggles) + 1):
            for combo in itertools.combinations(range(len(toggles)), r):
                units_in = [toggles[i][0] for i in combo]
                if len(set(units_in)) < len(units_in):
                    continue  # a unit is added or dropped, not both
                subsets.append((sum(len(toggles[i][1]) for i in combo), combo))
                if len(subsets) >= MAX_CHOICES:
                    break
            if len(subsets) >= MAX_CHOICES:
                break
        subsets.sort()
        best: Repair | None = None
        best_cost: int | None = None
        undecided = False
        for k, (cost, combo) in enumerate(subsets):
            if self.stopped or time.monotonic() >= self.deadline:
                undecided = True
                break
            if best_cost is not None and cost > best_cost:
                break
            chosen = set(base)
            for i in combo:
                _unit, change, added = toggles[i]
                chosen = chosen | change if added else chosen - change
            left = self.deadline - time.monotonic()
            share = left / max(1, min(len(subsets) - k, 4))
            found = self._attempt(chosen, time.monotonic() + share, explain=False)
            if found.status == "infeasible":
                continue
            if found.status != "repaired":
                undecided = True
                continue
            if best is None or _rank(found) < _rank(best):
                best, best_cost = found, cost
        if best is None:
            return self._unknown() if undecided else None
        if undecided and best.proven:
            best = dataclasses.replace(best, proven=False)
        return best

    # -- one choice of steps -----------------------------------------------------------

    def _attempt(self, scheduled: set[str], deadline: float, explain: bool = True) -> Repair:
        """The closest repair that schedules exactly `scheduled` (red lines aside)."""
        kept = self.kept
        chosen = [s for s in self.model_of.steps if s in scheduled]
        if len(chosen) > SMALL_STEPS:
            return self._large(chosen, deadline, explain)
        latest = max(kept.values(), default=0)
        enc = Encoder(self.model_of, scheduled=scheduled, after=max(latest, self.as_of)).build()
        stages = _objectives(enc, kept, self.held, self.sequence)
        if enc.impossible:
            return self._impossible(enc.scheduled, deadline, explain)
        assert self.stopper is not None
        from planner.solver.stages import run_stages

        hint = _pushed_later(self.model_of, kept, enc.scheduled, self.as_of)
        status, best = run_stages(
            enc, [*stages, *self.objectives], deadline, self.seed, hint, self.stopper
        )
        if status == "infeasible":
            return self._impossible(enc.scheduled, deadline, explain)
        if best is None:
            return self._unknown()
        return self._repaired(
            best.starts, status == "optimal", best.values, best.bounds.get(DISTANCE)
        )

    def _large(self, chosen: list[str], deadline: float, explain: bool) -> Repair:
        """A large deal: the shifted proposal, then neighbourhoods (`closest`); the model
        only when there is time to build it and search."""
        assert self.stopper is not None
        scenario, kept = self.model_of, self.kept
        # What the check of the answer (and CP-SAT's overrun of its limit) needs.
        deadline -= 0.05 + len(chosen) * 1e-4
        est = earliest_starts(scenario, chosen)
        stages = [ORDER, DISTANCE, MOVED] if self.sequence else [DISTANCE, MOVED]
        shifted: dict[str, int] | None = None
        for patience in (None, PATIENCE):
            if shifted is not None and time.monotonic() + len(chosen) * BUILD_PER_STEP > deadline:
                break
            starts = shifted_proposal(
                scenario, chosen, kept, self.before, est, self.held, self.as_of, patience,
                self.partial,
            )  # fmt: skip
            if starts is None:
                continue
            own = _own_values(kept, starts, self.sequence)
            if shifted is None or _stage_values(own, stages) < _stage_values(
                _own_values(kept, shifted, self.sequence), stages
            ):
                shifted = starts
        # Without the time to build the model (about 0.3 ms a step on a busy machine) and
        # search a while, the shifted proposal is the answer.
        build = len(chosen) * BUILD_PER_STEP
        if shifted is not None and (
            self.stopped or time.monotonic() + build + MIN_SEARCH > deadline
        ):
            return self._repaired(shifted, False, {})
        latest = max(max(kept.values(), default=0), self.as_of)
        enc = Encoder(scenario, scheduled=chosen, after=latest, est=est).build()
        stages = _objectives(enc, kept, self.held, self.sequence)
        if enc.impossible:
            return self._impossible(enc.scheduled, deadline, explain)
        added = [s for s in enc.scheduled if s not in kept]
        closest = Closest(
            scenario,
            Search(enc, self.stopper, self.seed),
            {s: t for s, t in kept.items() if s in enc.start},
            self.before,
            deadline,
            added,
            tuple(self.sequence or ()),
        )
        best, proven = nearest(closest, stages, shifted)
        if best is None:
            if shifted is not None:
                return self._repaired(shifted, False, {})
            if closest.infeasible:
                return self._impossible(enc.scheduled, self.deadline, explain)
            return self._unknown()
        starts = best.starts
        if shifted is not None and _closer(closest, shifted, starts, stages):
            starts, proven = shifted, False
        return self._repaired(starts, proven, {}, best.bounds.get(DISTANCE))

    def _repaired(
        self,
        starts: dict[str, int],
        proven: bool,
        values: Mapping[str, int],
        bound: int | None = None,
    ) -> Repair:
        """The repair with `starts`; `values` the solver's (a value below 0: unmeasured),
        `bound` the least displacement it proved any roadmap needs."""
        scenario = self.scenario
        after = check(scenario, starts, partial=self.partial)
        measured = measure(scenario, starts, after, self.objectives)
        out = _own_values(self.kept, starts, self.sequence)
        out |= {n: v for n, v in values.items() if n not in out and v >= 0}
        out |= {n: measured[n] for n in self.objectives if n not in out}
        moves = _moves(scenario, self.proposed, starts, self.before, scenario.forbidden())
        total = sum(abs(m.by) for m in moves)
        return Repair(
            "repaired",
            starts,
            moves,
            total,
            sum(1 for m in moves if m.by),
            proven=proven,
            values=out,
            before=self.before,
            after=after,
            bound=None if proven or self.sequence or not bound or bound >= total else bound,
        )

    def _unknown(self) -> Repair:
        return Repair(
            "unknown",
            before=self.before,
            notes=(f"no repair found within {self.time_limit:g} s: raise --time-limit",),
        )

    def _impossible(self, scheduled: Collection[str], deadline: float, explain: bool) -> Repair:
        if not explain:
            return Repair("infeasible", before=self.before)
        from planner.solver.explain import explain as why_not

        latest = max(max(self.kept.values(), default=0), self.as_of)
        seconds = max(1.0, deadline - time.monotonic())
        conflict = why_not(
            self.model_of, seconds, self.seed, scheduled=scheduled, held=self.held, after=latest
        )
        return Repair("infeasible", before=self.before, conflict=conflict)


def shifted_proposal(
    scenario: Scenario,
    chosen: Sequence[str],
    kept: Mapping[str, int],
    before: Report,
    est: Mapping[str, int] | None = None,
    held: Collection[str] = (),
    as_of: int = 0,
    patience: int | None = None,
    partial: bool = False,
) -> dict[str, int] | None:
    """The proposal shifted by the list schedule (`planner.schedule.shift`), the steps
    that break a rule where the proposal has them (first named by a violation of
    `before`, its check; or proposed before their earliest start) yielding to the rest;
    None when the shifted roadmap still breaks a rule. A large repair is never farther
    from the proposal than this (either `patience`) when it keeps every rule."""
    if est is None:
        est = earliest_starts(scenario, chosen)
    movers = {v.steps[0] for v in before.violations if v.kind != "capacity" and v.steps}
    movers |= {s for s, t in kept.items() if t < est.get(s, 0)}
    shift = shift_schedule(scenario, chosen, kept, est, held, as_of, movers, patience)
    if shift.broken or not check(scenario, shift.starts, partial=partial).is_clean:
        return None
    return shift.starts


def _addable(scenario: Scenario) -> set[str]:
    """Every step of an optional part (red lines aside)."""
    return {s for ids in optional_units(scenario).values() for s in ids}


def _rank(found: Repair) -> tuple[int, ...]:
    values = found.values
    return (
        values.get(ORDER, 0),
        values.get(DISTANCE, found.total),
        values.get(MOVED, found.num_moved),
    )


def _own_values(
    kept: Mapping[str, int], starts: Mapping[str, int], sequence: Sequence[str] | None
) -> dict[str, int]:
    """The repair's own measures of a roadmap: displacement, moved and (for a sequence)
    the inverted pairs."""
    out = {}
    if sequence:
        order = [s for s in sequence if s in starts]
        out[ORDER] = sum(1 for a, b in itertools.pairwise(order) if starts[b] < starts[a])
    out[DISTANCE] = sum(abs(starts[s] - t) for s, t in kept.items() if s in starts)
    out[MOVED] = sum(1 for s, t in kept.items() if s in starts and starts[s] != t)
    return out


def _stage_values(values: Mapping[str, int], stages: Sequence[str]) -> tuple[int, ...]:
    return tuple(values.get(n, 0) for n in stages)


def _closer(
    closest: Closest, a: Mapping[str, int], b: Mapping[str, int], stages: Sequence[str]
) -> bool:
    """Whether roadmap a is closer to the proposal than b, stage by stage."""
    return tuple(closest.value(n, a) for n in stages) < tuple(closest.value(n, b) for n in stages)


def _pushed_later(
    scenario: Scenario, kept: Mapping[str, int], scheduled: Sequence[str], as_of: int = 0
) -> dict[str, int]:
    """The small search's hint: every step at its proposed time or pushed later, as little
    as the conditions between steps require (`serial_starts` in the proposed order); steps
    the roadmap left out as early as those conditions allow. Often clean already, and
    always near the proposal."""
    position = {s: i for i, s in enumerate(scenario.steps)}
    added = [s for s in scheduled if s not in kept]
    early = {s: max(as_of, earliest_possible(scenario, kept, s)) for s in added}
    order = sorted(scheduled, key=lambda s: (kept.get(s, early.get(s, 0)), position[s]))
    release = {**kept, **early} if as_of else kept
    return serial_starts(scenario, order, release=release, monotone=False)


def _objectives(
    enc: Encoder,
    kept: Mapping[str, int],
    held: Mapping[str, int],
    sequence: Sequence[str] | None,
) -> list[str]:
    """State the held steps and the repair's own objectives on `enc`; their names."""
    model = enc.model
    for s, t in held.items():
        if s in enc.start:
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
    steps = scenario.steps
    done = {x: t + steps[x].done_offset for x, t in starts.items()}
    moved = {x for x, t in starts.items() if proposed.get(x) != t}
    moves = []
    for s in sorted(moved, key=lambda s: (starts[s], position[s])):
        old, new = proposed.get(s), starts[s]
        why = tuple(broke.get(s, ())) or _carried(scenario, starts, done, moved, s)
        if not why:
            why = tuple(involved.get(s, ())) or ("knock-on of the moves above",)
        moves.append(Move(s, old, new, why))
    for s in sorted(proposed, key=lambda s: position[s]):
        if s in forbidden:
            moves.append(Move(s, proposed[s], None, tuple(broke.get(s, ())), red_line=True))
        elif s not in starts:
            why = tuple(broke.get(s, ())) or tuple(involved.get(s, ()))
            moves.append(Move(s, proposed[s], None, why or ("optional: left out",)))
    return tuple(moves)


def _carried(
    scenario: Scenario,
    starts: Mapping[str, int],
    done: Mapping[str, int],
    moved: Collection[str],
    s: str,
) -> tuple[str, ...]:
    """The conditions that hold `s` at its new start, naming the moved step they wait
    for: 'after x' (a precondition), 'rule-id after x' (a wait term)."""
    steps = scenario.steps
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
