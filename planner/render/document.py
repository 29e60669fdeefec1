"""The report a principal reads: one self-contained HTML file (or the same as Markdown)
that opens with the one-page brief (`planner.render.brief`), then the chart, the timeline
by phase, leverage and exposure, the check verdict with every violation and its source,
the steps left out and why, and, as an appendix, the scenario's assumptions.

Words before ids: steps, packages and counter-steps are named by their short names
(`planner.render.words`); the HTML keeps each step's id in a tooltip, and `ids=True` (the
command line's `--ids`) adds an id column. Above `LARGE` scheduled steps the timeline
lists the packages, each step's row inside its package's collapsible section.

Written with Jinja2 templates (`planner/render/templates/`, autoescaped: a title holding
`<script>` stays text). Pure: an `Outline` with its check report in, text out. The HTML
fetches nothing (no script, no external style, font or image; a Content-Security-Policy
says so to the browser), so it opens offline and as an e-mail attachment. Printed
(A4), the brief fills the first page, the chart a landscape page of its own, no heading
is left at the foot of a page, and the assumptions come last as an appendix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.check import Report
from planner.render.brief import brief_context
from planner.render.escape import md_code, md_text
from planner.render.outline import Outline, Row
from planner.render.report import quote
from planner.render.timeline import (
    AHEAD_WORDS,
    NET_EXPOSURE_WORDS,
    counter_text,
    leverage_rows,
    phase_heading,
    risk_words,
    sentence,
    span_text,
    when,
)
from planner.render.words import gate_name
from planner.rules.base import Violation

REPORT_FORMATS = ("html", "md")
#: Above this many scheduled steps the timeline lists packages, their steps collapsed.
LARGE = 150


def _violations(items: tuple[Violation, ...]) -> list[dict[str, Any]]:
    """Violations grouped by rule, in the report's order."""
    groups: list[dict[str, Any]] = []
    for v in items:
        if not groups or groups[-1]["rule"] != v.rule:
            groups.append(
                {"rule": v.rule, "kind": v.kind, "source": v.source, "weight": v.weight,
                 "entries": []}
            )  # fmt: skip
        groups[-1]["entries"].append({"message": v.message, "repair": v.repair, "amount": v.amount})
    return groups


def _value_of(o: Outline, kind: str, owner: str, key: str) -> str:
    """The value an assumption explains, as the scenario has it (a step's duration, its
    value, whether it is reversible...)."""
    step = o.scenario.everything().steps.get(owner) if kind == "step" else None
    if step is None:
        return ""
    unit = o.scenario.unit
    if key in ("duration", "value"):
        return str(getattr(step, key)) + (f" {unit}s" if key == "duration" else "")
    if key == "verify" and step.verify:
        return f"{step.verify.duration} {unit}s ({step.verify.by})"
    if key == "attrs":
        return ", ".join(f"{k} {v:g}" for k, v in step.attrs.items())
    if key == "reversible":
        return "reversible" if step.reversible else "not reversible"
    if key == "after":
        waits = [o.names.get(r.step, r.step) for r in step.requirements()]
        return "after " + "; ".join(waits) if waits else ""
    if key == "fixed" and step.fixed is not None:
        return when(o.scenario, step.fixed)
    value = getattr(step, key, None)
    return "" if value is None else str(value)


def _row(o: Outline, r: Row) -> dict[str, Any]:
    s = o.scenario
    return {
        "start": when(s, r.start),
        "done": when(s, r.done),
        "step": r.step,
        "name": o.names.get(r.step, r.step),
        "actor": r.actor,
        "actor_name": s.actors.get(r.actor, r.actor),
        "package": o.package_names.get(r.package, r.package),
        "title": r.title,
        "counter": counter_text(r, o.names),
        "counter_ids": ", ".join(r.counter),
        "verifier": r.verifier,
        "kind": r.kind,
    }


def _packages(o: Outline) -> list[dict[str, Any]]:
    """For a large roadmap: each package with a scheduled step, its span and its rows."""
    s = o.scenario
    out = []
    for p in s.packages:
        rows = [r for r in o.rows if r.package == p.id]
        if not rows:
            continue
        first, last = min(r.start for r in rows), max(r.done for r in rows)
        given = [r for r in rows if r.counter or r.unanswered]
        out.append(
            {
                "id": p.id,
                "name": o.package_names.get(p.id, p.id),
                "title": p.title,
                "num_steps": len(rows),
                "span": f"{when(s, first)} until {when(s, last)}",
                "num_traded": len(given),
                "actors": ", ".join(dict.fromkeys(r.actor for r in rows)),
                "rows": [_row(o, r) for r in rows],
            }
        )
    return out


def report_context(o: Outline, roadmap: str, ids: bool = False) -> dict[str, Any]:
    """Everything the templates show, as plain values."""
    s = o.scenario
    report: Report | None = o.report
    large = len(o.rows) > LARGE
    rows_by_phase = []
    for i, span in enumerate(o.phases, 1):
        rows = [r for r in o.rows if r.phase == span.id] if not large else []
        rows_by_phase.append(
            {
                "heading": phase_heading(s, i, span),
                "title": span.title,
                "number": i,
                "span": span_text(s, span),
                "num_rows": len(rows),
                "rows": [] if large else [_row(o, r) for r in rows],
            }
        )
    titles = {p.id: f"{i}. {p.title}" for i, p in enumerate(o.phases, 1)}
    leverage = [
        dict(row, phase_title=titles[row["phase"]], peak_at_text=when(s, row["peak_at"]))
        for row in leverage_rows(o)
    ]
    summary = report.summary if report else None
    finish = o.finish
    return {
        "name": s.name,
        "description": s.description,
        "roadmap": roadmap,
        "unit": s.unit,
        "start": s.start.isoformat() if s.start else "",
        "ids": ids,
        "large": large,
        "packages": _packages(o) if large else [],
        "num_scheduled": len(o.rows),
        "last": when(s, o.last),
        "risk": risk_words(s, finish) if finish is not None else "",
        "p50": when(s, finish.p50) if finish is not None else "",
        "p80": when(s, finish.p80) if finish is not None else "",
        "peak_exposure": summary.peak_exposure if summary else None,
        "ahead_words": sentence(AHEAD_WORDS),
        "net_words": sentence(NET_EXPOSURE_WORDS),
        "clean": report.is_clean if report else None,
        "num_violations": len(report.violations) if report else 0,
        "num_rules_violated": len({v.rule for v in report.violations}) if report else 0,
        "violations": _violations(report.violations) if report else [],
        "penalties": _violations(report.penalties) if report else [],
        "total_penalty": report.total_penalty if report else 0,
        "report_notes": list(report.notes) if report else [],
        "phases": rows_by_phase,
        "gates": [
            {
                "rule": g.rule,
                "name": gate_name(g.rule),
                "opens": when(s, g.opens) if g.opens is not None else "never",
            }
            for g in o.gates
        ],
        "leverage": leverage,
        "balance": [
            {
                "rule": c.rule,
                "margin": c.margin,
                "peak": max((level for _, level in c.points), default=0),
            }
            for c in o.balance
        ],
        "left_out": [
            {
                "step": x.step,
                "name": o.names.get(x.step, x.step),
                "title": x.title,
                "why": x.why,
                "source": quote(x.source) if x.source else "",
            }
            for x in o.left_out
        ],
        "assumptions": [
            {
                "owner": a.owner or a.kind,
                "name": o.names.get(a.owner, a.owner or a.kind),
                "key": a.key,
                "value": _value_of(o, a.kind, a.owner, a.key),
                "text": a.text,
                "where": str(a.mark),
            }
            for a in s.assumptions
        ],
        "notes": list(o.notes),
        "chart_svg": "",
        "curve_svg": "",
        **brief_context(o, roadmap, ids),
    }


def environment(fmt: str) -> Any:
    """The Jinja2 environment of the templates of format `fmt` (html autoescaped)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("planner.render", "templates"),
        autoescape=fmt == "html",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_cell
    env.filters["code"] = md_code
    return env


def md_cell(value: Any) -> str:
    """Text for a Markdown table cell or line (`planner.render.escape.md_text`)."""
    return md_text(value)


def render(template: str, fmt: str, context: Mapping[str, Any]) -> str:
    """A template of `planner/render/templates/` filled with `context`."""
    return str(environment(fmt).get_template(template).render(context))


def report_html(o: Outline, roadmap: str, ids: bool = False) -> str:
    """The report as one self-contained HTML page."""
    import markupsafe

    from planner.render.gantt import gantt_svg, leverage_svg

    context = report_context(o, roadmap, ids)
    # The charts are matplotlib's SVG, whose text is escaped where it is written.
    context["chart_svg"] = markupsafe.Markup(gantt_svg(o))
    context["curve_svg"] = markupsafe.Markup(leverage_svg(o)) if o.curves else ""
    return render("report.html.j2", "html", context)


def report_markdown(o: Outline, roadmap: str, ids: bool = False) -> str:
    """The report as Markdown; the chart is a Mermaid block (GitHub and GitLab draw it)."""
    from planner.render.mermaid import gantt_mermaid

    context = report_context(o, roadmap, ids)
    context["mermaid"] = gantt_mermaid(o)
    return render("report.md.j2", "md", context)
