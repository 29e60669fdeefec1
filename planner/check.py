"""The checker: every violation of a roadmap, explained.

Each rule kind's meaning lives in its own module under `planner.rules` (`Rule.check`), the
steps' preconditions in `planner.rules.preconditions`; this module runs them all over a
roadmap and assembles the report. It never imports the solver.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.force import chains
from planner.rules import branch, coverage, fixed, preconditions
from planner.rules.base import CheckContext, Violation
from planner.rules.conditions import earliest_possible
from planner.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Summary:
    num_scheduled: int
    last_time: int
    peak_exposure: int | None
    left_out: tuple[str, ...]
    forbidden: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything `check` says about one roadmap."""

    violations: tuple[Violation, ...]
    penalties: tuple[Violation, ...]
    summary: Summary
    notes: tuple[str, ...] = field(default=())
    #: What the rules worked out for the outputs (`CheckContext.record`), by name:
    #: `ANSWERS` (`Answer` items), `CURVES` (`Curve` items), in rule order.
    records: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def is_clean(self) -> bool:
        return not self.violations

    @property
    def total_penalty(self) -> int:
        return sum(v.penalty for v in self.penalties)


def _group_order(violations: list[Violation]) -> list[Violation]:
    """Group by rule; most severe rule first (kind rank, then total amount), stable within."""
    by_rule: dict[str, list[Violation]] = {}
    for v in violations:
        by_rule.setdefault(v.rule, []).append(v)
    groups = sorted(
        by_rule.values(),
        key=lambda g: (g[0].severity, -sum(v.amount for v in g), g[0].rule),
    )
    return [v for g in groups for v in g]


def _renewals_cut(scenario: Scenario, starts: Mapping[str, int]) -> set[str]:
    """The renewals of steps the roadmap reimposes: after a snapback nothing renews the
    relief, so they are not required."""
    by_member = scenario.fact("chains", lambda s: chains(s.steps))
    out: set[str] = set()
    for chain in {c.base: c for c in by_member.values()}.values():
        if any(c in starts for c in chain.cuts):
            out.update(chain.members[1:])
    return out


def check(
    scenario: Scenario,
    starts: Mapping[str, int],
    notes: Iterable[str] = (),
    partial: bool = False,
) -> Report:
    """Every violation of the scenario's rules by a roadmap (a start time per scheduled step).

    Hard rules give violations, soft rules penalties. Steps not in `starts` are not
    scheduled: a required step left out is a `coverage` violation (unless `partial`: a
    roadmap of part of the deal), and rules that need a left-out step report it.
    """
    absent = [s for s in starts if s not in scenario.steps]
    if absent:  # steps of the deal that do not happen in this branch (`check --assume`)
        outside = CheckContext(scenario, starts)
        starts = {s: t for s, t in starts.items() if s in scenario.steps}
    ctx = CheckContext(scenario, starts)
    found: list[Violation] = [*preconditions.check(ctx), *fixed.check(ctx)]
    if absent:
        found += branch.check(outside, scenario, absent)
    if not partial:
        found += coverage.check(
            ctx,
            scenario.required() - _renewals_cut(scenario, starts),
            {p.id: p for p in scenario.packages},
            lambda s: earliest_possible(scenario, starts, s),
        )
    for rule in scenario.rules:
        found.extend(rule.check(ctx))
    hard = [v for v in found if not v.soft]
    soft = [v for v in found if v.soft]
    forbidden = scenario.forbidden()
    left_out = tuple(s for s in scenario.steps if s not in starts and s not in forbidden)
    last = max((ctx.done(s) for s in starts), default=0)
    exposure = ctx.measures.get("exposure")
    summary = Summary(
        num_scheduled=len(starts),
        last_time=last,
        peak_exposure=max(exposure) if exposure else None,
        left_out=left_out,
        forbidden=tuple(s for s in scenario.steps if s in forbidden),
    )
    records = {name: tuple(items) for name, items in ctx.records.items()}
    return Report(
        tuple(_group_order(hard)), tuple(_group_order(soft)), summary, tuple(notes), records
    )
