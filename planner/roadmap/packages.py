"""A roadmap's package order: the order in which it opens its relief packages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
