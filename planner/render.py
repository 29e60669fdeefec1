"""Renderers: pure functions from results to text. No I/O."""

from __future__ import annotations

from collections import Counter

from tabulate import tabulate

from planner.model import Scenario


def scenario_summary(scenario: Scenario) -> str:
    """What `validate` prints: the scenario at a glance."""
    kinds = Counter(r.kind for r in scenario.rules)
    soft = sum(1 for r in scenario.rules if r.soft)
    lines = [
        f"{scenario.name}: valid",
        f"  unit: {scenario.unit}" + (f", starting {scenario.start}" if scenario.start else ""),
        f"  actors: {len(scenario.actors)} ({', '.join(scenario.actors)})",
        f"  packages: {len(scenario.packages)}, steps: {len(scenario.steps)}",
        f"  rules: {len(scenario.rules)}" + (f" ({soft} soft)" if soft else ""),
    ]
    rows = [[kind, n] for kind, n in sorted(kinds.items())]
    if rows:
        table = tabulate(rows, headers=["rule kind", "rules"], tablefmt="simple")
        lines += ["", *table.splitlines()]
    return "\n".join(lines)
