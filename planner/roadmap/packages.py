"""A roadmap's package order: the order in which it opens its relief packages; how two
roadmaps differ in it, and in the optional parts of the deal they include."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from planner.scenario import Scenario


def order_groups(scenario: Scenario, ids: Sequence[str]) -> dict[str, list[str]]:
    """The steps that place each package in a roadmap's package order: its `relief`
    steps, or all its steps when fewer than two packages have relief steps."""
    groups: dict[str, list[str]] = {}
    for s in ids:
        if scenario.steps[s].kind == "relief":
            groups.setdefault(scenario.steps[s].package, []).append(s)
    if len(groups) < 2:
        groups = {}
        for s in ids:
            groups.setdefault(scenario.steps[s].package, []).append(s)
    return groups


def package_order(scenario: Scenario, starts: Mapping[str, int]) -> list[str]:
    """Packages in the order a roadmap opens them (first start of their `order_groups`
    steps; ties in scenario order). Alternatives differ in this order."""
    groups = order_groups(scenario, list(starts))
    position = {p.id: i for i, p in enumerate(scenario.packages)}
    first = {p: min(starts[s] for s in ids) for p, ids in groups.items()}
    return sorted(first, key=lambda p: (first[p], position.get(p, 0)))


def package_order_text(scenario: Scenario, starts: Mapping[str, int]) -> str:
    """The package order as it reads: 'a → b = c → d', where `=` joins packages that open
    at the same time (the order claims nothing the starts do not show)."""
    groups = order_groups(scenario, list(starts))
    first = {p: min(starts[s] for s in ids) for p, ids in groups.items()}
    out: list[list[str]] = []
    last: int | None = None
    for p in package_order(scenario, starts):
        if out and first[p] == last:
            out[-1].append(p)
        else:
            out.append([p])
        last = first[p]
    return " → ".join(" = ".join(tied) for tied in out)


def optional_units(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """What a roadmap may include or leave out as a whole: each optional package (by its
    id) and each optional step outside one (by the step's id), with its steps; red-line
    steps are never part of one."""
    forbidden = scenario.forbidden()
    units: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for p in scenario.packages:
        if p.optional:
            units[p.id] = tuple(s for s in p.step_ids if s not in forbidden)
            seen.update(p.step_ids)
    for s, step in scenario.steps.items():
        if step.optional and s not in seen and s not in forbidden:
            units[s] = (s,)
    return {u: ids for u, ids in units.items() if ids}


def included_units(scenario: Scenario, ids: Iterable[str]) -> tuple[str, ...]:
    """The optional units (`optional_units`) a roadmap schedules at least one step of."""
    chosen = set(ids)
    return tuple(u for u, steps in optional_units(scenario).items() if chosen.intersection(steps))


@dataclass(frozen=True, slots=True)
class Reversal:
    """A pair of packages one roadmap opens the other way round from another: `first`
    opens at `now_first`, before `second` at `now_second`, where the other roadmap opened
    `second` (at `was_second`) no later than `first` (at `was_first`)."""

    first: str
    second: str
    now_first: int
    now_second: int
    was_first: int
    was_second: int

    @property
    def apart(self) -> int:
        return self.now_second - self.now_first


def reversals(
    scenario: Scenario, base: Mapping[str, int], other: Mapping[str, int]
) -> list[Reversal]:
    """The pairs of packages (as `package_order` places them, counted on the steps both
    roadmaps schedule) that `other` opens in the reverse order of `base`, widest apart
    first (ties: scenario order)."""
    common = [s for s in base if s in other]
    groups = order_groups(scenario, common)
    was = {p: min(base[s] for s in ids) for p, ids in groups.items()}
    now = {p: min(other[s] for s in ids) for p, ids in groups.items()}
    position = {p.id: i for i, p in enumerate(scenario.packages)}
    found = [
        Reversal(a, b, now[a], now[b], was[a], was[b])
        for a in groups
        for b in groups
        if a != b and now[a] < now[b] and was[b] <= was[a]
    ]
    return sorted(
        found, key=lambda r: (-r.apart, position.get(r.first, 0), position.get(r.second, 0))
    )
