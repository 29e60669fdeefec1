"""What `plan`, `explain` and `validate` print. Pure functions: they read the results they
are given (each candidate carries its check report) and never check or solve."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from planner.objectives import OBJECTIVE_WORDS
from planner.render.report import quote
from planner.render.timeline import TITLE_WIDTH, finish_doc, risk_words, timeline
from planner.render.words import label, names
from planner.roadmap.packages import (
    Reversal,
    included_units,
    optional_units,
    package_order,
    package_order_text,
    reversals,
)
from planner.roadmap.write import roadmap_rows
from planner.scenario import Scenario


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
    whole = scenario.everything()
    contingent = len(whole.steps) - len(scenario.steps)
    renewals = sum(1 for s in scenario.steps.values() if s.renews is not None)
    if contingent or renewals:
        extra = []
        if renewals:
            extra.append(f"{renewals} renewal{'s' * (renewals != 1)} among the steps")
        if contingent:
            extra.append(
                f"{contingent} contingent step{'s' * (contingent != 1)} outside the main "
                "roadmap (`planner contingency` plans them)"
            )
        lines.insert(4, "  " + "; ".join(extra))
    rows = [[kind, n] for kind, n in sorted(kinds.items())]
    if rows:
        from tabulate import tabulate  # 50 ms of imports (wcwidth) that `check` never needs

        table = tabulate(rows, headers=["rule kind", "rules"], tablefmt="simple")
        lines += ["", *table.splitlines()]
    return "\n".join(lines)


def _values_line(scenario: Scenario, cand: Any, objectives: tuple[str, ...]) -> str:
    parts = []
    for name in objectives:
        value, bound = cand.values[name], cand.bounds.get(name, cand.values[name])
        shown = f"{scenario.unit} {value}" if name == "makespan" else str(value)
        status = "proven optimal" if value == bound else f"bound {bound}, gap {value - bound}"
        if name == "makespan" and cand.finish is not None:
            status += "; " + risk_words(scenario, cand.finish)
        parts.append(f"{OBJECTIVE_WORDS[name]}: {shown} ({status})")
    return "; ".join(parts)


def _unit_words(scenario: Scenario, unit: str) -> str:
    """An optional unit of `optional_units` as a sentence names it."""
    for p in scenario.packages:
        if p.id == unit:
            return (
                f"package {unit} ({p.title})" if p.title and p.title != unit else f"package {unit}"
            )
    return f"step {unit}"


def _reversal_words(scenario: Scenario, r: Reversal, other: str) -> str:
    unit = scenario.unit
    return (
        f"opens package {r.first} {r.apart} {unit}{'s' if r.apart != 1 else ''} before "
        f"package {r.second} ({unit}s {r.now_first} and {r.now_second}; {other} opens "
        f"{r.second} in {unit} {r.was_second}, {r.first} in {unit} {r.was_first})"
    )


def difference(
    scenario: Scenario, earlier: Sequence[Any], cand: Any, objectives: tuple[str, ...]
) -> str:
    """In one sentence, how roadmap `cand` differs from the best (`earlier[0]`) and what it
    costs: the optional parts it leaves out or adds, the widest pair of relief packages it
    opens the other way round, and, against each further roadmap in `earlier` with the
    same optional parts, the pair it reverses there; then each objective it does worse
    (or better) on."""
    best = earlier[0]
    parts = []
    had = set(included_units(scenario, best.starts))
    has = set(included_units(scenario, cand.starts))
    for verb, which in (("leaves out", had - has), ("adds", has - had)):
        parts += [f"{verb} the optional {_unit_words(scenario, u)}"
                  for u in optional_units(scenario) if u in which]  # fmt: skip
    turned = reversals(scenario, best.starts, cand.starts)
    if turned:
        parts.append(_reversal_words(scenario, turned[0], "the best"))
    elif parts:
        parts.append("keeps the best's relief order")
    for j, other in enumerate(earlier[1:], 2):
        if set(other.starts) == set(cand.starts):
            against = reversals(scenario, other.starts, cand.starts)
            if against and against[0] != (turned[0] if turned else None):
                parts.append(
                    f"unlike roadmap {j} it " + _reversal_words(scenario, against[0], "that one")
                )
    worse: list[str] = []
    better: list[str] = []
    for name in objectives:
        was, now = best.values[name], cand.values[name]
        if now != was:
            shown = f"{scenario.unit} {now}" if name == "makespan" else str(now)
            (worse if now > was else better).append(
                f"{OBJECTIVE_WORDS[name]} {shown} ({now - was:+d})"
            )
    cost = "it costs " + (", ".join(worse) if worse else "nothing on the objectives")
    if better:
        cost += " and gains " + ", ".join(better)
    return "It " + (" and ".join(parts) or "differs in its times only") + "; " + cost + "."


def plan_text(
    scenario: Scenario,
    result: Any,
    tablefmt: str = "simple",
    ids: bool = False,
    width: int | None = None,
) -> str:
    """What `plan` prints: each roadmap's values, timeline and summary; the timeline's
    free text cut to fit `width` (a terminal's) and whole without one; `ids` adds the
    steps' ids."""
    lines = [f"{scenario.name}: {len(result.candidates)} roadmap(s), objectives "
             f"{' > '.join(result.objectives)} (lexicographic)"]  # fmt: skip
    for i, cand in enumerate(result.candidates, 1):
        report = cand.report
        s = report.summary
        lines += [
            "",
            f"Roadmap {i}"
            + (" (best)" if i == 1 else "")
            + f" — {_values_line(scenario, cand, result.objectives)}",
            f"  relief order: {package_order_text(scenario, cand.starts)}",
            *(
                [
                    "  how it differs: "
                    + difference(scenario, result.candidates[: i - 1], cand, result.objectives)
                ]
                if i > 1
                else []
            ),
            "",
            timeline(
                scenario,
                cand.starts,
                "time",
                tablefmt,
                report=report,
                width=width,
                cut=TITLE_WIDTH if width else None,
                ids=ids,
            ),
            "",
            f"  steps scheduled: {s.num_scheduled}; last step done: {scenario.unit} {s.last_time}"
            + (f" ({risk_words(scenario, cand.finish)})" if cand.finish is not None else "")
            + (
                f"; peak concessions ahead: {s.peak_exposure}"
                if s.peak_exposure is not None
                else ""
            ),
        ]
        if s.forbidden:
            named = names(scenario.everything().steps, scenario.actors)
            lines.append(
                f"  red-line steps left out: {'; '.join(label(named, x, ids) for x in s.forbidden)}"
            )
        if report.penalties:
            lines.append(f"  soft-rule penalties: {report.total_penalty}")
            for v in report.penalties:
                lines.append(f"    [{v.kind}] {v.rule}: {v.message}")
    lines += [f"Note: {n}" for n in result.notes]
    return "\n".join(lines)


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
                "optional_included": list(included_units(scenario, cand.starts)),
                **(
                    {
                        "differs": difference(
                            scenario, result.candidates[: i - 1], cand, result.objectives
                        )
                    }
                    if i > 1
                    else {}
                ),
                "roadmap": {"steps": roadmap_rows(scenario, cand.starts)},
                **({"finish": finish_doc(cand.finish)} if cand.finish is not None else {}),
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
            lines.append(f"  source: {quote(c.source)}")
    if conflict.arithmetic:
        lines += ["", "Why:"] + [f"  - {a}" for a in conflict.arithmetic]
    lines += ["", "Repair: relax or remove one of these rules (or the steps' preconditions)."]
    return "\n".join(lines)
