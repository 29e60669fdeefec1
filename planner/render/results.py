"""What each command prints, rendered from the library's results (`planner.api.results`).

`planner X` prints `X_output(result, ...)` on stdout and nothing else, so a notebook that
makes the same call gets the same text. Pure functions of a result and the command's
display options (format, view, table format, the terminal's width): no I/O, no check, no
search. numpy, matplotlib and Jinja2 are imported only by the renderers that need them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from planner.render import export
from planner.render.diff import diff_json, diff_text
from planner.render.exposure import exposure_doc, exposure_text
from planner.render.plan import conflict_text, plan_doc, plan_text
from planner.render.repair import repair_doc, repair_text
from planner.render.report import report_json, report_text
from planner.render.slack import chain_text, slack_columns, slack_doc, slack_text
from planner.render.timeline import DEFAULT_COLUMNS, TERMINAL_FORMATS, render_timeline, text_block
from planner.scenario import Scenario
from planner.solver.results import PlanResult
from planner.whatif.diff import Diff

if TYPE_CHECKING:  # (the results are plain data: nothing of the library runs here)
    from planner.api.results import (
        CheckResult,
        ContingencyResult,
        DocumentResult,
        RepairResult,
        SimulateResult,
        TimelineResult,
    )


def _yaml(doc: Any) -> str:
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _tablefmt(fmt: str) -> str:
    """The table format of an output format: Markdown tables for `markdown`."""
    return "github" if fmt == "markdown" else "simple"


def check_output(result: CheckResult, fmt: str = "text", ids: bool = False) -> str:
    """What `planner check` prints: the report in negotiator language (`text`), or JSON
    (`json`, schema `docs/check-report.schema.json`); `ids` adds the steps' ids to the
    slack table."""
    scenario = result.scenario
    if fmt == "json":
        extra: dict[str, object] = {}
        if result.exposure is not None:
            extra["irreversible"] = exposure_doc(result.exposure)
        if result.slack is not None:
            extra["slack"] = slack_doc(result.slack)
        return report_json(result.report, scenario, result.overview, result.roadmap.edits, extra)
    sections = [exposure_text(scenario, result.exposure)] if result.exposure is not None else []
    sections += [slack_text(scenario, result.slack, ids=ids)] if result.slack is not None else []
    return report_text(result.report, scenario, result.overview, sections)


def timeline_output(
    result: TimelineResult,
    fmt: str = "table",
    view: str = "time",
    tablefmt: str = "simple",
    columns: Sequence[str] | None = None,
    width: int | None = None,
    ids: bool = False,
) -> str:
    """What `planner timeline` prints: tables in `tablefmt` by `view` (time, phase,
    actor, package, leverage), with the slack and the irreversible exposure when the
    result has them; or CSV (`columns`, `view`) or JSON. `width`, the terminal's, cuts
    terminal formats to fit; `ids` adds the steps' ids to the tables (CSV and JSON
    always have them)."""
    drawn = result.outline
    if fmt == "json":
        return export.timeline_json(drawn)
    if fmt == "csv":
        return export.timeline_csv(drawn, columns, view)
    extra, chain = None, ""
    if result.slack is not None:
        extra = slack_columns(result.slack, drawn.names)
        chain = chain_text(result.scenario, result.slack, drawn.names)
    width = width if tablefmt in TERMINAL_FORMATS else None
    chosen = columns or DEFAULT_COLUMNS
    text = render_timeline(drawn, view, tablefmt, chosen, width, extra=extra, ids=ids)
    if chain:
        text += "\n\n" + text_block(chain, tablefmt)
    if result.exposure is not None:
        text += "\n\n" + text_block(exposure_text(result.scenario, result.exposure), tablefmt)
    return text


def plan_output(
    scenario: Scenario,
    result: PlanResult,
    fmt: str = "table",
    ids: bool = False,
    width: int | None = None,
) -> str:
    """What `planner plan` prints: the roadmaps as tables (`table`, `markdown`) or as a
    document (`json`, `yaml`); when none exists, why not (the colliding rules); when the
    search found none in time, nothing (its notes say why). `width` (a terminal's) cuts
    the tables to fit; `ids` adds the steps' ids."""
    if result.status == "infeasible" and result.conflict is not None:
        return conflict_text(scenario, result.conflict)
    if not result.candidates:
        return ""
    if fmt == "json":
        return json.dumps(plan_doc(scenario, result), indent=2, ensure_ascii=False)
    if fmt == "yaml":
        return _yaml(plan_doc(scenario, result))
    return plan_text(scenario, result, _tablefmt(fmt), ids, width if fmt == "table" else None)


def repair_output(result: RepairResult, fmt: str = "table") -> str:
    """What `planner repair` prints: every moved step, from, to and why, as tables
    (`table`, `markdown`) or a document (`json`, `yaml`)."""
    scenario, found, source = result.scenario, result.repair, result.source
    if fmt == "json":
        return json.dumps(repair_doc(scenario, found, source), indent=2, ensure_ascii=False)
    if fmt == "yaml":
        return _yaml(repair_doc(scenario, found, source))
    return repair_text(scenario, found, source, _tablefmt(fmt))


def diff_output(found: Diff, fmt: str = "text") -> str:
    """What `planner diff` prints: sentences and a table (`text`, `markdown`), or JSON."""
    return diff_json(found) if fmt == "json" else diff_text(found, _tablefmt(fmt))


def simulate_output(result: SimulateResult, fmt: str = "text", by: int | None = None) -> str:
    """What `planner simulate` prints: percentiles, the chance to finish by `by` (default:
    the roadmap's own finish), criticality and rules broken, as text or JSON."""
    from planner.render.simulate import simulation_json, simulation_text

    render = simulation_json if fmt == "json" else simulation_text
    return render(result.scenario, result.simulation, result.source, by)


def histogram(result: SimulateResult, by: int | None = None) -> bytes:
    """The histogram `planner simulate -o FILE.png` writes (matplotlib)."""
    from planner.render.simulate import histogram_png

    return histogram_png(result.scenario, result.simulation, result.source, by)


def contingency_output(result: ContingencyResult, fmt: str = "text") -> str:
    """What `planner contingency` prints: each branch in words, or JSON."""
    from planner.render.contingency import contingency_json, contingency_text

    return contingency_json(result) if fmt == "json" else contingency_text(result)


def chart_output(
    result: DocumentResult,
    fmt: str,
    paper: str = "auto",
    detail: bool = False,
    links: Sequence[str] = ("counter",),
    fenced: bool = True,
) -> str | bytes:
    """The Gantt chart `planner gantt` draws: Mermaid text (`fenced`, the default: a
    ```mermaid block for Markdown, as printed; else plain, for a .mmd file), or an SVG, PNG or PDF image (bytes, matplotlib) on `paper`
    (`auto`, `a4`, `a3`), a summary per package on a large roadmap unless `detail`, with
    the `links` asked for and the result's baseline under the bars."""
    from pathlib import PurePath

    from planner.render.chart import ChartOptions

    base = result.baseline
    options = ChartOptions(
        paper,
        detail,
        frozenset(links),
        base.starts if base else None,
        PurePath(base.name).name if base else "",
    )
    if fmt == "mermaid":
        from planner.render.mermaid import gantt_mermaid, mermaid_gantt

        return (gantt_mermaid if fenced else mermaid_gantt)(result.outline, options)
    from planner.render.gantt import gantt_bytes

    return gantt_bytes(result.outline, fmt, options)


def unfenced(text: str) -> str:
    """A Markdown code block's content (its first and last fence lines dropped); other
    text as it is."""
    lines = text.strip("\n").split("\n")
    if len(lines) >= 2 and lines[0].startswith("```") and lines[-1].strip() == "```":
        return "\n".join(lines[1:-1])
    return text


def report_output(result: DocumentResult, fmt: str, ids: bool = False) -> str:
    """The report `planner report` writes: one self-contained HTML page (`html`) or
    Markdown (`md`) (Jinja2), the brief first; `ids` adds the steps' ids to its tables."""
    from planner.render.document import report_html, report_markdown

    render = report_html if fmt == "html" else report_markdown
    return render(result.outline, result.name, ids)


def brief_output(result: DocumentResult, fmt: str = "text", ids: bool = False) -> str:
    """The one-page brief `planner brief` prints or writes: text, Markdown (`md`) or one
    HTML page (`html`); `ids` adds the steps' ids after their names."""
    from planner.render.brief import brief_html, brief_markdown, brief_text

    render = {"text": brief_text, "md": brief_markdown, "html": brief_html}[fmt]
    return render(result.outline, result.name, ids)
