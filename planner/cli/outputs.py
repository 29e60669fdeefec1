"""`gantt` and `report`: the documents a principal reads. Each reads the scenario and a
roadmap, checks it (the report says which counter-step answers which give step), renders,
and writes through `planner.output.write_outputs` (atomic, never over an input, not into
the scenario's folders without --force). matplotlib and Jinja2 are imported only here,
when these commands run; ortools never is."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import (
    ConstraintsOpt,
    ForceOpt,
    PackagesOpt,
    SetOpt,
    VariantOpt,
    answers,
    app,
    emit,
    protected,
    refuse,
    scenario,
)
from planner.cli.core import roadmap_of

if TYPE_CHECKING:
    from planner.check import Report
    from planner.output import Protected
    from planner.render.outline import Outline
    from planner.scenario import Scenario

RoadmapArg = Annotated[
    Path, typer.Argument(help="Roadmap file (YAML, JSON or CSV), e.g. from `plan -o`.")
]
PhaseLengthOpt = Annotated[
    int | None,
    typer.Option(
        "--phase-length",
        min=1,
        help="Fixed phases of this length instead of the scenario's (or the gates') phases.",
    ),
]

CHART_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


class ChartFormat(StrEnum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    mermaid = "mermaid"


class ReportFormat(StrEnum):
    html = "html"
    md = "md"


def format_of(out: Path, given: str | None, suffixes: dict[str, str], option: str) -> str:
    """The output format: `--format`, else the suffix of `out`; exit 2 when neither says
    or they disagree."""
    by_suffix = suffixes.get(out.suffix.lower())
    if given is None:
        if by_suffix is None:
            known = ", ".join(sorted(suffixes))
            raise refuse(
                f"{option} {out}: unknown suffix '{out.suffix}'; use {known}, or give --format"
            )
        return by_suffix
    if by_suffix is not None and by_suffix != given:
        raise refuse(f"{option} {out}: the suffix says {by_suffix}, --format says {given}")
    return given


def early(out: Path, guard: Protected, force: bool) -> None:
    """Refuse an output the guard forbids before the work of drawing it (the guard says
    it again when the file is written)."""
    reason = guard.refusal(out, force)
    if reason:
        raise refuse(f"{out}: {reason}")


def _outline(
    packages: Path | None, constraints: Path | None, roadmap: Path, phase: int | None
) -> tuple[Scenario, Outline]:
    from planner.check import check
    from planner.render.outline import outline

    loaded = scenario(packages, constraints)
    read = roadmap_of(roadmap, loaded)
    return loaded, outline(loaded, read.starts, check(loaded, read.starts, read.notes), phase)


def report_text(
    loaded: Scenario,
    starts: dict[str, int],
    report: Report | None,
    fmt: str,
    roadmap: str,
    phase: int | None = None,
) -> str:
    """The report of one roadmap (its check `report` given), as HTML or Markdown."""
    from planner.render.document import report_html, report_markdown
    from planner.render.outline import outline

    drawn = outline(loaded, starts, report, phase)
    return report_html(drawn, roadmap) if fmt == "html" else report_markdown(drawn, roadmap)


@app.command()
def gantt(
    roadmap: RoadmapArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="The chart file: .svg, .png or .pdf (A4 landscape). Not needed for "
            "--format mermaid, which prints to stdout without it.",
        ),
    ] = None,
    fmt: Annotated[
        ChartFormat | None,
        typer.Option(
            "--format",
            help="svg, png, pdf (default: by the suffix of -o), or mermaid: a Mermaid gantt "
            "block that GitHub and GitLab draw.",
        ),
    ] = None,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    phase: PhaseLengthOpt = None,
    force: ForceOpt = False,
) -> None:
    """Draw the roadmap as a Gantt chart (exit 0, or 2 on bad input or an unwritable output)."""
    if fmt is ChartFormat.mermaid:
        chosen = "mermaid"
    elif out is None:
        raise refuse(
            "planner gantt: give the chart file with -o FILE.svg|png|pdf (or --format mermaid)"
        )
    else:
        chosen = format_of(out, fmt.value if fmt else None, CHART_SUFFIXES, "-o")
    guard = protected(packages, constraints, roadmap) if out is not None else None
    if out is not None and guard is not None:
        early(out, guard, force)
    drawn = _outline(packages, constraints, roadmap, phase)[1]
    if chosen == "mermaid":
        from planner.render.mermaid import gantt_mermaid

        text = gantt_mermaid(drawn)
        if out is None:
            emit(text)
            return
        data: str | bytes = text + "\n"
    else:
        from planner.render.gantt import gantt_bytes

        data = gantt_bytes(drawn, chosen)
    from planner.output import write_outputs

    assert out is not None and guard is not None
    with answers():
        write_outputs([(out, data)], guard, force)


@app.command()
def report(
    roadmap: RoadmapArg,
    out: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="The report file: .html (one self-contained page) or .md (Markdown).",
        ),
    ],
    fmt: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="html or md (default: by the suffix of -o)."),
    ] = None,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    phase: PhaseLengthOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the roadmap's report as one HTML page or Markdown (exit 0, or 2 on bad input or an unwritable output).

    The chart, the timeline by phase, the leverage, the check's verdict, the steps left
    out and the scenario's assumptions."""
    from planner.check import check
    from planner.output import write_outputs

    chosen = format_of(out, fmt.value if fmt else None, REPORT_SUFFIXES, "-o")
    guard = protected(packages, constraints, roadmap)
    early(out, guard, force)
    loaded = scenario(packages, constraints)
    read = roadmap_of(roadmap, loaded)
    text = report_text(
        loaded, read.starts, check(loaded, read.starts, read.notes), chosen, roadmap.name, phase
    )
    with answers():
        write_outputs([(out, text)], guard, force)
