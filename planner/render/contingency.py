"""Contingencies as text a negotiator briefs from, and as JSON. Pure functions of a
computed `ContingencyResult` (`planner.api.contingency`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from planner.model import FAILS, PASSES
from planner.rules.base import plural

if TYPE_CHECKING:
    from planner.api.results import ContingencyResult
    from planner.scenario import Scenario
    from planner.whatif.contingency import Branch, Trigger


def _when(scenario: Scenario, t: int) -> str:
    date = scenario.date_of(t)
    return f"{scenario.unit} {t}" + (f" ({date.isoformat()})" if date else "")


def trigger_words(trigger: Trigger) -> str:
    """'by-pledge fails its verification (chance 10%)'."""
    if trigger.outcome == FAILS:
        what = f"{trigger.step} fails its verification"
    elif trigger.outcome == PASSES:
        what = f"{trigger.step} passes its verification"
    else:
        what = f"{trigger.step} turns out '{trigger.outcome}'"
    if trigger.probability is not None:
        what += f" (chance {trigger.probability:.0%})"
    return what


def _end(scenario: Scenario, t: int | None) -> str:
    return "to the end" if t is None else f"until {_when(scenario, t)}"


def branch_lines(scenario: Scenario, k: int, b: Branch) -> list[str]:
    """One branch, as a numbered block."""
    lines = [f"{k}. If {trigger_words(b.trigger)}, known in {_when(scenario, b.known_at)}:"]
    lines.append(
        f"   held: {plural(len(b.held), 'step')} started before {scenario.unit} {b.known_at}"
    )
    if b.starts is None:
        lines.append(f"   no roadmap of this branch: {b.why}")
        return lines
    branch = b.scenario or scenario
    for s in b.added:
        step = branch.steps[s]
        t = b.starts.get(s)
        if t is None:
            continue
        what = f"   added: {s} starts {_when(scenario, t)}, done {_when(scenario, t + step.done_offset)}"
        if step.reimposes:
            what += f" (reimposes {step.reimposes})"
        lines.append(what)
    if b.dropped:
        lines.append(f"   left out: {', '.join(b.dropped)}")
    for f in b.force:
        why = f", reimposed by {f.by}" if f.why == "reimposed" else ", then lapses"
        lines.append(
            f"   in force: {f.step} {_end(scenario, f.branch_end)}{why} "
            f"(in the main roadmap: {_end(scenario, f.main_end)})"
        )
    if b.moved:
        lines.append(
            f"   re-planned: {plural(len(b.moved), 'step')} start at other times than planned"
        )
    if b.exposure:
        parts = [
            f"{e.actor} {e.main_peak} → {e.branch_peak}"
            + (
                f" (at the end {e.main_end} → {e.branch_end})"
                if (e.main_end, e.branch_end) != (e.main_peak, e.branch_peak)
                else ""
            )
            for e in b.exposure
        ]
        lines.append("   irreversible exposure, peak: " + "; ".join(parts))
    if b.branch_finish is not None:
        lines.append(
            f"   finish: {scenario.unit} {b.main_finish} → {scenario.unit} {b.branch_finish}"
        )
    if b.report is not None:
        if b.report.is_clean:
            lines.append("   the branch's roadmap keeps every hard rule")
        else:
            rules = sorted({v.rule for v in b.report.violations})
            lines.append(f"   the branch's roadmap breaks {', '.join(rules)}")
            lines += [f"     - {v.message}" for v in b.report.violations[:5]]
    return lines


def contingency_text(result: ContingencyResult) -> str:
    scenario = result.scenario
    count = plural(len(result.branches), "branch")
    if len(result.branches) != 1:
        count = f"{len(result.branches)} branches"
    lines = [f"Contingencies of {result.source} ({scenario.name}): {count}"]
    if not result.branches:
        lines.append(
            "  No step of the scenario depends on a verification's failure or an event's "
            "outcome (write what follows with `if: {step, outcome}`)."
        )
    for k, b in enumerate(result.branches, 1):
        lines += ["", *branch_lines(scenario, k, b)]
    for t in result.skipped:
        lines += ["", f"Not opened: {trigger_words(t)} — the roadmap leaves {t.step} out."]
    return "\n".join(lines) + "\n"


def contingency_json(result: ContingencyResult) -> str:
    def branch(b: Branch) -> dict[str, Any]:
        return {
            "trigger": {
                "step": b.trigger.step,
                "outcome": b.trigger.outcome,
                "probability": b.trigger.probability,
            },
            "known_at": b.known_at,
            "status": b.status,
            "why": b.why or None,
            "held": list(b.held),
            "added": [{"step": s, "start": (b.starts or {}).get(s)} for s in b.added],
            "dropped": list(b.dropped),
            "moved": list(b.moved),
            "roadmap": [{"step": s, "start": t} for s, t in (b.starts or {}).items()],
            "force": [
                {
                    "step": f.step,
                    "main_end": f.main_end,
                    "branch_end": f.branch_end,
                    "why": f.why,
                    "by": f.by or None,
                }
                for f in b.force
            ],
            "exposure": [
                {
                    "actor": e.actor,
                    "main_peak": e.main_peak,
                    "main_end": e.main_end,
                    "branch_peak": e.branch_peak,
                    "branch_end": e.branch_end,
                }
                for e in b.exposure
            ],
            "finish": {"main": b.main_finish, "branch": b.branch_finish},
            "violations": [
                {"rule": v.rule, "kind": v.kind, "message": v.message, "steps": list(v.steps)}
                for v in (b.report.violations if b.report else ())
            ],
        }

    doc = {
        "scenario": result.scenario.name,
        "unit": result.scenario.unit,
        "roadmap": result.source,
        "branches": [branch(b) for b in result.branches],
        "skipped": [{"step": t.step, "outcome": t.outcome} for t in result.skipped],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
