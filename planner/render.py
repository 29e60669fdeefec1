"""Renderers: pure functions from results to text. No I/O."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from planner.check import Report, Violation, check
from planner.model import Scenario
from planner.roadmap import package_order


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
        from tabulate import tabulate  # 50 ms of imports (wcwidth) that `check` never needs

        table = tabulate(rows, headers=["rule kind", "rules"], tablefmt="simple")
        lines += ["", *table.splitlines()]
    return "\n".join(lines)


# ---- check reports -----------------------------------------------------------------------

REPORT_SCHEMA_ID = "relief-planner/check-report/1"


def _quote(source: str, width: int = 160) -> str:
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
            lines.append(f"  source: {_quote(first.source)}")
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


# ---- timelines -----------------------------------------------------------------------------

TIMELINE_VIEWS = ("time", "phase", "actor", "package")


def when(scenario: Scenario, t: int) -> str:
    """'week 10', with the calendar date when the scenario has a start date."""
    text = f"{scenario.unit} {t}"
    if scenario.start is None:
        return text
    if scenario.unit == "day":
        date = scenario.start + dt.timedelta(days=t)
    elif scenario.unit == "week":
        date = scenario.start + dt.timedelta(weeks=t)
    else:
        month = scenario.start.month - 1 + t
        year = scenario.start.year + month // 12
        day = min(scenario.start.day, 28)
        date = dt.date(year, month % 12 + 1, day)
    return f"{text} ({date.isoformat()})"


def phase_length(unit: str) -> int:
    """A quarter in the scenario's unit: the default length of a phase."""
    return {"day": 91, "week": 13, "month": 3}[unit]


def _ordered(scenario: Scenario, starts: Mapping[str, int]) -> list[str]:
    position = {s: i for i, s in enumerate(scenario.steps)}
    return sorted(starts, key=lambda s: (starts[s], position[s]))


def timeline_rows(scenario: Scenario, starts: Mapping[str, int]) -> list[dict[str, Any]]:
    """One row per scheduled step, by start time, with derived end and done times."""
    rows = []
    for s in _ordered(scenario, starts):
        step = scenario.steps[s]
        rows.append(
            {
                "step": s,
                "start": starts[s],
                "end": starts[s] + step.duration,
                "done": starts[s] + step.done_offset,
                "actor": step.actor,
                "package": step.package,
                "kind": step.kind,
                "title": step.title,
            }
        )
    return rows


TITLE_WIDTH = 64


#: Formats read in a terminal, where long titles are cut to TITLE_WIDTH; documents (html,
#: latex, markdown, ...) keep them whole.
TERMINAL_FORMATS = frozenset(
    {"simple", "plain", "grid", "simple_grid", "rounded_grid", "heavy_grid", "mixed_grid",
     "double_grid", "fancy_grid", "outline", "simple_outline", "rounded_outline",
     "heavy_outline", "mixed_outline", "double_outline", "fancy_outline", "psql", "presto",
     "orgtbl", "pretty"}
)  # fmt: skip


def _cell(scenario: Scenario, column: str, value: Any, short: bool) -> Any:
    if column == "start":
        return when(scenario, value)
    if short and column == "title" and len(value) > TITLE_WIDTH:
        return value[: TITLE_WIDTH - 1].rstrip() + "…"
    return value


def timeline(
    scenario: Scenario,
    starts: Mapping[str, int],
    view: str = "time",
    tablefmt: str = "simple",
    phase: int | None = None,
) -> str:
    """Who does what when: one table by time, or one table per phase / actor / package."""
    from tabulate import tabulate  # imported where used: `check` never needs it

    rows = timeline_rows(scenario, starts)
    unit = scenario.unit
    headers = [
        "start",
        "end",
        "done",
        "step",
        "actor",
        "package",
        "title",
    ]

    def table(items: list[dict[str, Any]], drop: str | None = None) -> str:
        cols = [h for h in headers if h != drop]
        short = tablefmt in TERMINAL_FORMATS
        body = [[_cell(scenario, h, r[h], short) for h in cols] for r in items]
        return tabulate(body, headers=cols, tablefmt=tablefmt, disable_numparse=True)

    if view == "time":
        return table(rows)
    groups: dict[str, list[dict[str, Any]]] = {}
    if view == "phase":
        length = phase or phase_length(unit)
        for r in rows:
            k = r["start"] // length
            groups.setdefault(
                f"Phase {k + 1}: {unit}s {k * length}–{(k + 1) * length - 1}", []
            ).append(r)
        drop = None
    else:
        order = list(scenario.actors) if view == "actor" else [p.id for p in scenario.packages]
        for key in order:
            items = [r for r in rows if r[view] == key]
            if items:
                name = (
                    scenario.actors[key]
                    if view == "actor"
                    else next(p.title for p in scenario.packages if p.id == key)
                )
                groups[f"{key}: {name}"] = items
        drop = view
    parts = []
    for title, items in groups.items():
        parts.append(f"{title}\n{table(items, drop)}")
    return "\n\n".join(parts)


# ---- plans ---------------------------------------------------------------------------------

OBJECTIVE_WORDS = {
    "penalty": "soft-rule penalty",
    "makespan": "last step done",
    "exposure": "peak leverage exposure",
    "goodwill": "good-faith start times (sum)",
}


def _values_line(scenario: Scenario, cand: Any, objectives: tuple[str, ...]) -> str:
    parts = []
    for name in objectives:
        value, bound = cand.values[name], cand.bounds.get(name, cand.values[name])
        shown = f"{scenario.unit} {value}" if name == "makespan" else str(value)
        status = "proven optimal" if value == bound else f"bound {bound}, gap {value - bound}"
        parts.append(f"{OBJECTIVE_WORDS[name]}: {shown} ({status})")
    return "; ".join(parts)


def plan_text(scenario: Scenario, result: Any, tablefmt: str = "simple") -> str:
    """What `plan` prints: each roadmap's values, timeline and summary."""
    lines = [f"{scenario.name}: {len(result.candidates)} roadmap(s), objectives "
             f"{' > '.join(result.objectives)} (lexicographic)"]  # fmt: skip
    for i, cand in enumerate(result.candidates, 1):
        report = check(scenario, cand.starts)
        s = report.summary
        lines += [
            "",
            f"Roadmap {i}"
            + (" (best)" if i == 1 else "")
            + f" — {_values_line(scenario, cand, result.objectives)}",
            f"  relief order: {' → '.join(package_order(scenario, cand.starts))}",
            "",
            timeline(scenario, cand.starts, "time", tablefmt),
            "",
            f"  steps scheduled: {s.num_scheduled}; last step done: {scenario.unit} {s.last_time}"
            + (
                f"; peak leverage exposure: {s.peak_exposure}"
                if s.peak_exposure is not None
                else ""
            ),
        ]
        if s.forbidden:
            lines.append(f"  red-line steps left out: {', '.join(s.forbidden)}")
        if report.penalties:
            lines.append(f"  soft-rule penalties: {report.total_penalty}")
            for v in report.penalties:
                lines.append(f"    [{v.kind}] {v.rule}: {v.message}")
    lines += [f"Note: {n}" for n in result.notes]
    return "\n".join(lines)


def roadmap_doc(
    scenario: Scenario, starts: Mapping[str, int], values: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """The roadmap file `check` reads, with derived fields for the reader."""
    doc: dict[str, Any] = {"scenario": scenario.name, "unit": scenario.unit}
    if values:
        doc["objectives"] = dict(values)
    doc["roadmap"] = {"steps": timeline_rows(scenario, starts)}
    return doc


def _yaml_scalar(value: Any) -> str:
    """A scalar as YAML: JSON-quoted text (valid YAML), bare numbers."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def roadmap_yaml(doc: Mapping[str, Any]) -> str:
    """YAML our strict reader accepts: flow mappings, JSON-quoted strings, no anchors."""
    lines = ["# written by `planner plan`; `planner check` reads it back"]
    for key, value in doc.items():
        if key == "roadmap":
            lines.append("roadmap:")
            lines.append("  steps:")
            for row in value["steps"]:
                inner = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in row.items())
                lines.append(f"    - {{{inner}}}")
        elif isinstance(value, dict):
            lines.append(
                f"{key}: {{" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items()) + "}"
            )
        else:
            lines.append(f"{key}: {_yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def roadmap_csv(doc: Mapping[str, Any]) -> str:
    import csv
    import io

    buf = io.StringIO()
    rows = doc["roadmap"]["steps"]
    writer = csv.DictWriter(
        buf, fieldnames=list(rows[0]) if rows else ["step", "start"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def plan_doc(scenario: Scenario, result: Any) -> dict[str, Any]:
    """The whole plan result as plain data (for --format json|yaml)."""
    doc: dict[str, Any] = {
        "scenario": scenario.name,
        "unit": scenario.unit,
        "status": result.status,
        "objectives": list(result.objectives),
        "candidates": [],
        "notes": list(result.notes),
    }
    for i, cand in enumerate(result.candidates, 1):
        doc["candidates"].append(
            {
                "rank": i,
                "values": dict(cand.values),
                "bounds": dict(cand.bounds),
                "origin": cand.origin,
                "package_order": package_order(scenario, cand.starts),
                "roadmap": {"steps": timeline_rows(scenario, cand.starts)},
            }
        )
    return doc


def conflict_text(scenario: Scenario, conflict: Any) -> str:
    """Why no roadmap exists: the colliding rules, their sources, the arithmetic."""
    n = len(conflict.culprits)
    if conflict.structural:
        head = (
            f"No roadmap keeps every hard rule. {'These' if n > 1 else 'This'} {n} "
            f"{'rules cannot' if n > 1 else 'rule cannot'} hold, whatever the times:"
        )
    else:
        head = (
            f"No roadmap keeps every hard rule. {'These' if n > 1 else 'This'} {n} "
            f"{'rules collide' if n > 1 else 'rule cannot hold'}"
            + (" (a minimal set: drop any one and the rest can hold):" if conflict.is_minimal
               else " (the time limit stopped the search for a smaller set):")
        )  # fmt: skip
    lines = [head]
    for c in conflict.culprits:
        lines += ["", f"[{c.kind}] {c.name}  ({c.where})", f"  {c.detail}"]
        if c.source:
            lines.append(f"  source: {_quote(c.source)}")
    if conflict.arithmetic:
        lines += ["", "Why:"] + [f"  - {a}" for a in conflict.arithmetic]
    lines += ["", "Repair: relax or remove one of these rules (or the steps' preconditions)."]
    return "\n".join(lines)
