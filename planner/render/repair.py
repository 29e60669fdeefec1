"""What `repair` prints: the moves (from → to, by how much, and why), the steps added and
dropped, and the check of the repaired roadmap. Pure functions over a `Repair`."""

from __future__ import annotations

from typing import Any

from planner.render.plan import conflict_text
from planner.render.sizes import repair_size
from planner.render.timeline import when
from planner.rules.base import plural
from planner.scenario import Scenario
from planner.solver.results import Repair

REPAIR_SCHEMA_ID = "relief-planner/repair-report/1"


def repair_headline(result: Repair, unit: str) -> str:
    """What the closest repair changes, as a clause: 'the closest repair moves ...'."""
    if result.status == "clean":
        return "it already keeps every hard rule: nothing to repair"
    closest = "the closest repair" if result.proven else "the closest repair found in time"
    return f"{closest} {repair_size(result, unit)}"


def _impossible(result: Repair, source: str, unit: str) -> str:
    """What no roadmap can do: keep every rule (with only the steps a partial roadmap
    schedules), with the held steps held or nothing moved into the past, when those are
    among the colliding rules."""
    text = "No roadmap keeps every hard rule"
    if result.partial:
        text = f"No roadmap of the steps {source} schedules keeps every hard rule"
    names = [c.name for c in result.conflict.culprits] if result.conflict is not None else []
    kinds = [c.kind for c in result.conflict.culprits] if result.conflict is not None else []
    past = result.as_of is not None and any(n.startswith(f"as-of-{result.as_of}") for n in names)
    if past:
        text += (
            f" with what {source} starts before {unit} {result.as_of} held where it is and "
            f"nothing else starting before then"
        )
    elif "held" in kinds:
        text += f" with the steps held where {source} has them"
    return text + "."


def _why(reasons: tuple[str, ...], limit: int = 3) -> str:
    shown = "; ".join(reasons[:limit])
    return shown + (f"; and {len(reasons) - limit} more" if len(reasons) > limit else "")


def repair_text(scenario: Scenario, result: Repair, source: str, tablefmt: str = "simple") -> str:
    """The repair of roadmap `source` in negotiator language."""
    from tabulate import tabulate

    if result.status == "infeasible":
        assert result.conflict is not None
        return f"{_impossible(result, source, scenario.unit)}\n\n" + conflict_text(
            scenario, result.conflict
        )
    unit = scenario.unit
    lines = [f"Repair of {source}: {repair_headline(result, unit)}."]
    if result.status == "clean":
        return "\n".join(lines)
    if not result.proven:
        cut = "Ctrl-C" if result.interrupted else "the time limit"
        closer = (
            ""
            if result.bound is None
            else f"; none can move less than {plural(result.bound, unit)} in all"
        )
        lines.append(f"  ({cut} stopped the search before it proved no roadmap is closer{closer})")
    rows = []
    for m in result.moves:
        rows.append(
            [
                m.step,
                "left out" if m.before is None else when(scenario, m.before),
                "dropped" if m.after is None else when(scenario, m.after),
                "" if m.before is None or m.after is None else f"{m.by:+d}",
                _why(m.why),
            ]
        )
    lines += [
        "",
        tabulate(
            rows,
            headers=["step", "from", "to", f"by ({unit}s)", "why"],
            tablefmt=tablefmt,
            disable_numparse=True,
        ),
    ]
    after = result.after
    if after is not None:
        s = after.summary
        lines += [
            "",
            f"  steps scheduled: {s.num_scheduled}; last step done: {unit} {s.last_time}"
            + (
                f"; peak concessions ahead: {s.peak_exposure}"
                if s.peak_exposure is not None
                else ""
            ),
        ]
        if after.penalties:
            lines.append(f"  soft-rule penalties: {after.total_penalty}")
        verdict = "keeps every hard rule" if after.is_clean else "still breaks a hard rule"
        lines.append(f"Verdict: the repaired roadmap {verdict}.")
    lines += [f"Note: {n}" for n in result.notes]
    return "\n".join(lines)


def repair_doc(scenario: Scenario, result: Repair, source: str) -> dict[str, Any]:
    """The repair as plain data (`docs/repair-report.schema.json`)."""
    from planner.roadmap.write import roadmap_rows

    return {
        "schema": REPAIR_SCHEMA_ID,
        "scenario": scenario.name,
        "unit": scenario.unit,
        "roadmap": source,
        "status": result.status,
        "proven": result.proven,
        "total": result.total,
        "num_moved": result.num_moved,
        "moves": [
            {"step": m.step, "from": m.before, "to": m.after, "by": m.by, "why": list(m.why)}
            for m in result.moves
        ],
        "values": dict(result.values),
        "clean_after": result.after.is_clean if result.after is not None else None,
        "conflict": (
            None
            if result.conflict is None
            else {
                "rules": [c.name for c in result.conflict.culprits],
                "arithmetic": list(result.conflict.arithmetic),
                "minimal": result.conflict.is_minimal,
            }
        ),
        "repaired": {"steps": roadmap_rows(scenario, result.starts)} if result.starts else None,
        "notes": list(result.notes),
    }
