"""What changed between two roadmaps (or the plans of two variants of a deal).

Each side is a roadmap read against its own scenario (the two differ when B is a
variant). The comparison:

- steps moved (in both, another start) and by how much; steps added (B schedules them, A
  does not) and left out (A schedules them, B does not);
- the relief packages' order (`planner.roadmap.packages.package_order`) and every pair
  of packages that B opens the other way round;
- rules broken in one and not the other (hard rules, as `check` reports them), and rules
  that became tight: a rule is **tight** in a roadmap when it stops some step from moving
  at all, earlier or later, with every other step where it is (`planner.whatif.slack`: slack 0,
  and the rule is what the first move breaks);
- the change in the last time a step is done, in the peak concessions ahead (balance
  rules), in the soft-rule penalty and in each party's peak irreversible exposure.

No ortools here: a side that is a plan is planned by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.check import Report, check
from planner.errors import InputError, Mark, Problem
from planner.roadmap.packages import package_order
from planner.scenario import Scenario
from planner.whatif.exposure import curves, is_marked
from planner.whatif.slack import START, slack


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a comparison: its roadmap, checked against its scenario."""

    name: str
    scenario: Scenario
    starts: Mapping[str, int]
    report: Report
    package_order: tuple[str, ...]
    tight: frozenset[str]
    #: Each party's peak irreversible exposure (only when the scenario marks steps).
    irreversible: Mapping[str, int]

    @property
    def broken(self) -> frozenset[str]:
        return frozenset(v.rule for v in self.report.violations)


@dataclass(frozen=True, slots=True)
class Move:
    step: str
    a: int
    b: int

    @property
    def by(self) -> int:
        return self.b - self.a


@dataclass(frozen=True, slots=True)
class Diff:
    a: Side
    b: Side
    #: Steps in both with another start, the largest moves first (ties in B's order).
    moved: tuple[Move, ...]
    added: tuple[str, ...]
    left_out: tuple[str, ...]
    #: Pairs of packages (p, q): A opens p before q, B opens q before p.
    flipped: tuple[tuple[str, str], ...]
    newly_broken: tuple[str, ...]
    fixed: tuple[str, ...]
    became_tight: tuple[str, ...]
    loosened: tuple[str, ...]
    #: Steps scheduled in both whose time from start to done differs (a variant changed
    #: a duration or a verification): (step, A's, B's), the largest change first.
    retimed: tuple[tuple[str, int, int], ...] = ()

    @property
    def num_unchanged(self) -> int:
        return sum(1 for s in self.a.starts if s in self.b.starts) - len(self.moved)


def same_unit(a: Scenario, b: Scenario) -> None:
    """Refuse two sides whose scenarios count time in different units: "week 45" and
    "day 45" are not comparable, and a unit changed without every duration converted is
    another deal.

    Raises
    ------
    InputError
        When the units differ.
    """
    if a.unit != b.unit:
        raise InputError(
            [
                Problem(
                    Mark("planner diff"),
                    f"A counts {a.unit}s and B counts {b.unit}s: diff compares two roadmaps "
                    "in one unit (B's --b-set or --b-variant changed the scenario's unit)",
                )
            ]
        )


def side(name: str, scenario: Scenario, starts: Mapping[str, int]) -> Side:
    """A roadmap, checked, its package order and its tight rules worked out."""
    report = check(scenario, starts)
    room = slack(scenario, starts)
    tight: set[str] = set()
    for r in room.rooms:
        if r.earlier == 0:
            tight.update(n for n in r.earlier_by if n != START)
        if r.later == 0:
            tight.update(r.later_by)
    peaks = {c.actor: c.peak for c in curves(scenario, starts)} if is_marked(scenario) else {}
    return Side(
        name,
        scenario,
        dict(starts),
        report,
        tuple(package_order(scenario, starts)),
        frozenset(tight),
        peaks,
    )


def diff(a: Side, b: Side) -> Diff:
    """What changed from A to B (in one unit of time: see `same_unit`)."""
    same_unit(a.scenario, b.scenario)
    position = {s: i for i, s in enumerate(b.scenario.steps)}
    position.update(
        {s: len(position) + i for i, s in enumerate(a.scenario.steps) if s not in position}
    )
    both = [s for s in b.starts if s in a.starts]
    moved = sorted(
        (Move(s, a.starts[s], b.starts[s]) for s in both if a.starts[s] != b.starts[s]),
        key=lambda m: (-abs(m.by), m.b, position[m.step]),
    )
    added = tuple(sorted((s for s in b.starts if s not in a.starts), key=position.__getitem__))
    left_out = tuple(sorted((s for s in a.starts if s not in b.starts), key=position.__getitem__))
    rank_b = {p: i for i, p in enumerate(b.package_order)}
    common = [p for p in a.package_order if p in rank_b]
    flipped = tuple(
        (p, q) for i, p in enumerate(common) for q in common[i + 1 :] if rank_b[q] < rank_b[p]
    )
    steps_a, steps_b = a.scenario.steps, b.scenario.steps
    retimed = sorted(
        (
            (s, steps_a[s].done_offset, steps_b[s].done_offset)
            for s in both
            if steps_a[s].done_offset != steps_b[s].done_offset
        ),
        key=lambda r: (-abs(r[2] - r[1]), position[r[0]]),
    )
    return Diff(
        a,
        b,
        tuple(moved),
        added,
        left_out,
        flipped,
        _ranked(b.broken - a.broken),
        _ranked(a.broken - b.broken),
        _ranked(b.tight - a.tight - b.broken),
        _ranked(a.tight - b.tight - b.broken),
        tuple(retimed),
    )


def _ranked(names: frozenset[str]) -> tuple[str, ...]:
    """Rules first, then steps' preconditions (`after:<step>`), each by name."""
    return tuple(sorted(names, key=lambda n: (n.startswith("after:"), n)))
