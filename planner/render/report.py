"""Check reports as text (negotiator language) and JSON (a stable schema). Pure functions."""

from __future__ import annotations

import json
from typing import Any

from planner.check import Report
from planner.rules.base import Violation
from planner.scenario import Scenario

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


def report_text(report: Report, scenario: Scenario) -> str:
    """The check report in negotiator language: violations by rule, penalties, summary."""
    s = report.summary
    unit = scenario.unit
    lines: list[str] = []
    num_rules = len({v.rule for v in report.violations})
    if report.violations:
        lines.append(
            f"{len(report.violations)} violation{'s' * (len(report.violations) != 1)} of "
            f"{num_rules} hard rule{'s' * (num_rules != 1)}"
        )
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
        lines.append(f"  peak leverage exposure: {s.peak_exposure}")
    if s.forbidden:
        lines.append(f"  red-line steps (must never be scheduled): {len(s.forbidden)}")
    if s.left_out:
        lines.append(f"  steps left out: {', '.join(s.left_out)}")
    else:
        lines.append("  steps left out: none")
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


def report_json(report: Report, scenario: Scenario) -> str:
    """The check report as JSON (schema `docs/check-report.schema.json`)."""
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
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
