"""`gantt`, `report` and `brief`: the documents a principal reads. Each checks its output
file before the work (`cli.app.writing`: never over an input, not into the scenario's
folders without --force), makes one call (`planner.api.document` / `planner.api.brief`:
the roadmap read and checked, its outline, the finish's risk), renders it and writes it
atomically. matplotlib and Jinja2 are imported only here, when these commands run;
ortools never is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.app import app, emit, noted, refuse, scenario, writing
from planner.cli.options import (
    BriefFormat,
    ChartFormat,
    ConstraintsOpt,
    ForceOpt,
    IdsOpt,
    PackagesOpt,
    PhaseLengthOpt,
    ReportFormat,
    RoadmapFileArg,
    RunsOpt,
    SetOpt,
    VariantOpt,
    output_option,
)

CHART_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".mmd": "mermaid"}
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
BRIEF_SUFFIXES = {".txt": "text", **REPORT_SUFFIXES}

ChartOutOpt = Annotated[
    Path | None,
    output_option(
        "The chart file: .svg, .png or .pdf (A4 landscape), or .mmd (a Mermaid file "
        "mermaid-cli reads). Not needed for --format mermaid, which prints a fenced block "
        "to stdout without it."
    ),
]
ChartFormatOpt = Annotated[
    ChartFormat | None,
    typer.Option(
        "--format",
        help="svg, png, pdf (default: by the suffix of -o), or mermaid: a Mermaid gantt "
        "block that GitHub and GitLab draw.",
    ),
]
ReportOutOpt = Annotated[
    Path, output_option("The report file: .html (one self-contained page) or .md (Markdown).")
]
ReportFormatOpt = Annotated[
    ReportFormat | None,
    typer.Option("--format", help="html or md (default: by the suffix of -o)."),
]
BriefOutOpt = Annotated[
    Path | None,
    output_option(
        "The brief's file: .txt, .md, or .html (a page that prints on one A4 sheet). "
        "Without it the brief prints on stdout."
    ),
]
BriefFormatOpt = Annotated[
    BriefFormat | None,
    typer.Option("--format", help="text, md or html (default: by the suffix of -o, else text)."),
]


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


def chart_format(out: Path | None, fmt: ChartFormat | None) -> str:
    """The chart's format: mermaid, or what `-o` and `--format` say (exit 2 without `-o`)."""
    if fmt is ChartFormat.mermaid and (out is None or out.suffix.lower() != ".mmd"):
        return "mermaid"  # (a fenced block: stdout, or a Markdown file)
    if out is None:
        raise refuse(
            "planner gantt: give the chart file with -o FILE.svg|png|pdf (or --format mermaid)"
        )
    return format_of(out, fmt.value if fmt else None, CHART_SUFFIXES, "-o")


@app.command()
def gantt(
    ctx: typer.Context,
    roadmap: RoadmapFileArg,
    out: ChartOutOpt = None,
    fmt: ChartFormatOpt = None,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    phase: PhaseLengthOpt = None,
    force: ForceOpt = False,
) -> None:
    """Draw the roadmap as a Gantt chart (exit 0, or 2 on bad input or an unwritable output)."""
    from planner.api import document
    from planner.render.results import chart_output

    chosen = chart_format(out, fmt)
    with writing(ctx, out, force=force) as files:
        loaded = scenario(packages, constraints, variant, sets)
        result = document(loaded, roadmap, phase)
        noted(result.roadmap.edits if result.roadmap else ())
        chart = chart_output(result, chosen, fenced=out is None or out.suffix.lower() != ".mmd")
        if out is None:
            assert isinstance(chart, str)
            emit(chart)
            return
        files.write([(out, chart + "\n" if isinstance(chart, str) else chart)])


@app.command()
def report(
    ctx: typer.Context,
    roadmap: RoadmapFileArg,
    out: ReportOutOpt,
    fmt: ReportFormatOpt = None,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    phase: PhaseLengthOpt = None,
    force: ForceOpt = False,
    ids: IdsOpt = False,
    runs: RunsOpt = None,
) -> None:
    """Write the roadmap's report as one HTML page or Markdown (exit 0, or 2 on bad input or an unwritable output).

    The brief, the chart, the timeline by phase, leverage and exposure, the check's
    verdict, the steps left out, and the scenario's assumptions as an appendix."""
    from planner.api import document
    from planner.render.results import report_output

    chosen = format_of(out, fmt.value if fmt else None, REPORT_SUFFIXES, "-o")
    with writing(ctx, out, force=force) as files:
        loaded = scenario(packages, constraints, variant, sets)
        result = document(loaded, roadmap, phase, runs=runs)
        noted(result.roadmap.edits if result.roadmap else ())
        files.write([(out, report_output(result, chosen, ids))])


@app.command()
def brief(
    ctx: typer.Context,
    roadmap: RoadmapFileArg,
    out: BriefOutOpt = None,
    fmt: BriefFormatOpt = None,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    runs: RunsOpt = None,
    ids: IdsOpt = False,
    force: ForceOpt = False,
) -> None:
    """Print or write the one-page brief of a roadmap (exit 0, or 2 on bad input or an unwritable output).

    The verdict, the finish with its P50 and P80, the leverage line, the critical chain, the exchange ledger (each relief step against what earns it), the first 90 days, the red lines and the contingencies."""
    from planner.api import brief as make
    from planner.render.results import brief_output

    given = fmt.value if fmt else None
    chosen = format_of(out, given, BRIEF_SUFFIXES, "-o") if out else given or "text"
    with writing(ctx, out, force=force) as files:
        loaded = scenario(packages, constraints, variant, sets)
        result = make(loaded, roadmap, runs=runs)
        noted(result.roadmap.edits if result.roadmap else ())
        text = brief_output(result, chosen, ids)
        if out is None:
            emit(text)
            return
        files.write([(out, text if text.endswith("\n") else text + "\n")])
