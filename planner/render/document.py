"""The report a principal reads: one self-contained HTML file (or the same as Markdown)
with the chart, the timeline by phase, the leverage, the check verdict with every
violation and its source, the steps left out and why, and the scenario's assumptions.

Written with Jinja2 templates (`planner/render/templates/`, autoescaped: a title holding
`<script>` stays text). Pure: an `Outline` with its check report in, text out. The HTML
fetches nothing (no script, no external style, font or image; a Content-Security-Policy
says so to the browser), so it opens offline and as an e-mail attachment.
"""

from __future__ import annotations

from typing import Any

from planner.check import Report
from planner.render.chart import RELIEF_KINDS, SUMMARY_STEPS
from planner.render.escape import md_code, md_text
from planner.render.outline import Outline, Row
from planner.render.report import quote
from planner.render.timeline import counter_text, leverage_rows, phase_heading, span_text, when
from planner.render.words import package_name
from planner.rules.base import Violation

REPORT_FORMATS = ("html", "md")


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
    """The number an assumption explains, as written (a step's duration, value...)."""
    step = o.scenario.steps.get(owner) if kind == "step" else None
    if step is None:
        return ""
    if key in ("duration", "value"):
        return str(getattr(step, key))
    if key == "verify" and step.verify:
        return f"{step.verify.duration} ({step.verify.by})"
    if key == "attrs":
        return ", ".join(f"{k} {v:g}" for k, v in step.attrs.items())
    return ""


def _row(o: Outline, r: Row) -> dict[str, Any]:
    s = o.scenario
    return {
        "start": when(s, r.start),
        "done": when(s, r.done),
        "step": r.step,
        "actor": r.actor,
        "actor_name": s.actors.get(r.actor, r.actor),
        "package": r.package,
        "title": r.title,
        "counter": counter_text(r),
        "verifier": r.verifier,
    }


def _packages(o: Outline) -> list[dict[str, Any]]:
    """A large roadmap's packages (more than `SUMMARY_STEPS` steps), in the scenario's
    order: each one's name, its number of steps and of relief steps, its first start and
    last done time, and its steps (by start) for its folded detail."""
    s = o.scenario
    by_package: dict[str, list[Row]] = {}
    for r in o.rows:
        by_package.setdefault(r.package, []).append(r)
    out = []
    for p in s.packages:
        rows = by_package.get(p.id)
        if not rows:
            continue
        out.append(
            {
                "id": p.id,
                "name": package_name(p),
                "num_steps": len(rows),
                "num_relief": sum(
                    1
                    for r in rows
                    if s.steps[r.step].kind in RELIEF_KINDS or s.steps[r.step].renews is not None
                ),
                "first": when(s, min(r.start for r in rows)),
                "last": when(s, max(r.done for r in rows)),
                "rows": [_row(o, r) for r in rows],
            }
        )
    return out


def report_context(
    o: Outline, roadmap: str, chart_svg: str = "", curve_svg: str = ""
) -> dict[str, Any]:
    """Everything the templates show, as plain values."""
    s = o.scenario
    report: Report | None = o.report
    large = len(o.rows) > SUMMARY_STEPS
    rows_by_phase = []
    for i, span in enumerate(o.phases, 1):
        rows = [r for r in o.rows if r.phase == span.id] if not large else []
        rows_by_phase.append(
            {
                "heading": phase_heading(s, i, span),
                "title": span.title,
                "number": i,
                "span": span_text(s, span),
                "rows": [_row(o, r) for r in rows],
                "num_rows": sum(1 for r in o.rows if r.phase == span.id),
            }
        )
    titles = {p.id: f"{i}. {p.title}" for i, p in enumerate(o.phases, 1)}
    leverage = [
        dict(row, phase_title=titles[row["phase"]], peak_at_text=when(s, row["peak_at"]))
        for row in leverage_rows(o)
    ]
    summary = report.summary if report else None
    return {
        "name": s.name,
        "description": s.description,
        "roadmap": roadmap,
        "unit": s.unit,
        "start": s.start.isoformat() if s.start else "",
        "num_scheduled": len(o.rows),
        "last": when(s, o.last),
        "peak_exposure": summary.peak_exposure if summary else None,
        "clean": report.is_clean if report else None,
        "num_violations": len(report.violations) if report else 0,
        "num_rules_violated": len({v.rule for v in report.violations}) if report else 0,
        "violations": _violations(report.violations) if report else [],
        "penalties": _violations(report.penalties) if report else [],
        "total_penalty": report.total_penalty if report else 0,
        "report_notes": list(report.notes) if report else [],
        "phases": rows_by_phase,
        "gates": [
            {"rule": g.rule, "opens": when(s, g.opens) if g.opens is not None else "never"}
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
                "title": x.title,
                "why": x.why,
                "source": quote(x.source) if x.source else "",
            }
            for x in o.left_out
        ],
        "assumptions": [
            {
                "owner": a.owner or a.kind,
                "key": a.key,
                "value": _value_of(o, a.kind, a.owner, a.key),
                "text": a.text,
                "where": str(a.mark),
            }
            for a in s.assumptions
        ],
        "notes": list(o.notes),
        # A large roadmap: the packages, each step's detail folded under its package.
        "packages": _packages(o) if large else [],
        "chart_svg": chart_svg,
        "curve_svg": curve_svg,
    }


def _environment(fmt: str) -> Any:
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


def report_html(o: Outline, roadmap: str) -> str:
    """The report as one self-contained HTML page."""
    import markupsafe

    from planner.render.gantt import gantt_svg, leverage_svg

    context = report_context(o, roadmap)
    # The charts are matplotlib's SVG, whose text is escaped where it is written.
    context["chart_svg"] = markupsafe.Markup(gantt_svg(o))
    context["curve_svg"] = markupsafe.Markup(leverage_svg(o)) if o.curves else ""
    return str(_environment("html").get_template("report.html.j2").render(context))


def report_markdown(o: Outline, roadmap: str) -> str:
    """The report as Markdown; the chart is a Mermaid block (GitHub and GitLab draw it)."""
    from planner.render.mermaid import gantt_mermaid

    context = report_context(o, roadmap)
    context["mermaid"] = gantt_mermaid(o)
    return str(_environment("md").get_template("report.md.j2").render(context))
