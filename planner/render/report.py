"""Check reports as text (negotiator language) and JSON (a stable schema). Pure functions."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from planner.check import Report
from planner.errors import Problem
from planner.render.sizes import repair_size
from planner.rules.base import Violation
from planner.scenario import Scenario
from planner.whatif.triage import Triage

REPORT_SCHEMA_ID = "relief-planner/check-report/1"


def quote(source: str, width: int = 160) -> str:
    source = " ".join(source.split())
    return f'"{source}"' if len(source) <= width else f'"{source[: width - 3]}..."'


def _groups(items: tuple[Violation, ...]) -> list[list[Violation]]:
    out: list[list[Violation]] = []
    for v in items:
        if out and out[-1][0].rule == v.rule:
            out[-1].append(v)
        else:
            out.append([v])
    return out


def overview_lines(overview: Triage, unit: str, scenario: Scenario | None = None) -> list[str]:
    """The summary that opens a report with violations: a few lines, whatever the count.
    An event no party controls among the steps in most violations is marked so: it is
    not a step to move."""

    def wrapped(head: str, items: Sequence[str]) -> list[str]:
        """`head: a, b, c` over lines of at most 92 characters, an item never split."""
        lines = [f"  {head}:"]
        for i, item in enumerate(items):
            piece = f" {item}" + ("," if i < len(items) - 1 else "")
            if len(lines[-1]) + len(piece) > 92:
                lines.append("   ")
            lines[-1] += piece
        return lines[:3]

    lines = wrapped("by kind", [f"{kind} {n}" for kind, n in overview.by_kind])
    steps = scenario.everything().steps if scenario is not None else {}

    def hot(s: str, n: int) -> str:
        event = s in steps and steps[s].kind == "event"
        return f"{s} ({'an event, ' if event else ''}{n})"

    lines += wrapped("steps in most of them", [hot(s, n) for s, n in overview.hot_steps])
    r = overview.repair
    if r is None:
        repair = "repair: `planner repair` finds the closest roadmap that keeps every hard rule"
    elif r.status == "repaired":
        repair = f"repair: `planner repair` {repair_size(r, unit)}"
    elif r.status == "infeasible":
        repair = "repair: no roadmap keeps every hard rule (`planner explain` says why)"
    elif r.interrupted:
        repair = "repair: sizing it was interrupted; `planner repair` finds the closest roadmap"
    else:
        repair = "repair: `planner repair` (with more time) finds the closest roadmap"
    lines += textwrap.wrap(
        repair, 92, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False
    )
    return lines


def report_text(
    report: Report,
    scenario: Scenario,
    overview: Triage | None = None,
    sections: Sequence[str] = (),
) -> str:
    """The check report in negotiator language: a summary first (with `overview`), then
    violations by rule, penalties, a summary of the roadmap, then `sections` (rendered
    elsewhere: irreversible exposure, slack) before the verdict."""
    s = report.summary
    unit = scenario.unit
    lines: list[str] = []
    num_rules = len({v.rule for v in report.violations})
    if report.violations:
        lines.append(
            f"{len(report.violations)} violation{'s' * (len(report.violations) != 1)} of "
            f"{num_rules} hard rule{'s' * (num_rules != 1)}"
        )
        if overview is not None:
            lines += overview_lines(overview, unit, scenario)
    else:
        lines.append("No hard rule is violated.")
    lines += [f"Note: {n}" for n in report.notes]
    for group in _groups(report.violations):
        first = group[0]
        lines += ["", f"[{first.kind}] {first.rule}"]
        if first.source:
            lines.append(f"  source: {quote(first.source)}")
        for v in group:
            lines.append(f"  - {v.message}")
            lines.append(f"    repair: {v.repair}")
    if report.penalties:
        lines += ["", f"Soft-rule penalties (total {report.total_penalty}):"]
        for group in _groups(report.penalties):
            first = group[0]
            amount = sum(v.amount for v in group)
            lines.append(
                f"  [{first.kind}] {first.rule}: weight {first.weight} × {amount} = "
                f"{first.weight * amount}"
            )
            for v in group:
                lines.append(f"    - {v.message}")
    lines += ["", "Summary:"]
    lines.append(f"  steps scheduled: {s.num_scheduled}")
    lines.append(f"  last step done: {unit} {s.last_time}")
    if s.peak_exposure is not None:
        lines.append(
            f"  peak concessions ahead: {s.peak_exposure} (one side's concessions started, "
            "less the other side's verified steps done, as the balance rules count them)"
        )
    if s.forbidden:
        lines.append(f"  red-line steps (must never be scheduled): {len(s.forbidden)}")
    if s.left_out:
        lines.append(f"  steps left out: {', '.join(s.left_out)}")
    else:
        lines.append("  steps left out: none")
    for section in sections:
        lines += ["", section]
    verdict = (
        f"Verdict: {len(report.violations)} hard violation{'s' * (len(report.violations) != 1)}."
        if report.violations
        else "Verdict: the roadmap keeps every hard rule."
    )
    lines += ["", verdict]
    return "\n".join(lines)


def _violation_json(v: Violation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": v.rule,
        "kind": v.kind,
        "severity": v.severity,
        "message": v.message,
        "repair": v.repair,
        "steps": list(v.steps),
        "times": dict(v.times),
        "amount": v.amount,
        "source": v.source,
    }
    if v.soft:
        out["weight"] = v.weight
        out["penalty"] = v.penalty
    return out


def _overview_json(overview: Triage | None) -> dict[str, Any] | None:
    if overview is None:
        return None
    r = overview.repair
    return {
        "by_kind": dict(overview.by_kind),
        "steps": [{"step": s, "violations": n} for s, n in overview.hot_steps],
        "repair": (
            None
            if r is None
            else {
                "status": r.status,
                "proven": r.proven,
                "num_moved": r.num_moved,
                "total": r.total,
                "num_added": len(r.added),
                "num_dropped": len(r.dropped),
            }
        ),
    }


def report_json(
    report: Report,
    scenario: Scenario,
    overview: Triage | None = None,
    edits: Sequence[Problem] = (),
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The check report as JSON (schema `docs/check-report.schema.json`); `extra` adds the
    optional parts (`irreversible`, `slack`)."""
    s = report.summary
    doc = {
        "schema": REPORT_SCHEMA_ID,
        "scenario": scenario.name,
        "unit": scenario.unit,
        "clean": report.is_clean,
        "violations": [_violation_json(v) for v in report.violations],
        "penalties": [_violation_json(v) for v in report.penalties],
        "summary": {
            "num_violations": len(report.violations),
            "num_rules_violated": len({v.rule for v in report.violations}),
            "total_penalty": report.total_penalty,
            "num_scheduled": s.num_scheduled,
            "last_time": s.last_time,
            "peak_exposure": s.peak_exposure,
            "left_out": list(s.left_out),
            "forbidden": list(s.forbidden),
        },
        "notes": list(report.notes),
        "overview": _overview_json(overview),
        "recomputed": [str(p) for p in edits],
        **(extra or {}),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
