"""`gantt`, `report` and `brief`: the documents a principal reads. Each checks its output
file before the work (`cli.app.writing`: never over an input, not into the scenario's
folders without --force), makes one call (`planner.api.document` / `planner.api.brief`:
the roadmap read and checked, its outline, the finish's risk), renders it and writes it
atomically. matplotlib and Jinja2 are imported only here, when these commands run;
ortools never is."""

from __future__ import annotations

from enum import StrEnum
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


class Paper(StrEnum):
    auto = "auto"
    a4 = "a4"
    a3 = "a3"


class LinkKind(StrEnum):
    counter = "counter"
    after = "after"
    gate = "gate"
    all = "all"
    none = "none"


CHART_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".mmd": "mermaid",
                  ".mermaid": "mermaid", ".md": "mermaid", ".markdown": "mermaid"}  # fmt: skip
#: Where a Mermaid chart is written as a fenced block (Markdown), as on stdout; a .mmd
#: file is plain Mermaid (mermaid-cli reads no fence).
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
BRIEF_SUFFIXES = {".txt": "text", **REPORT_SUFFIXES}

ChartOutOpt = Annotated[
    Path | None,
    output_option(
        "The chart file: .svg, .png or .pdf (one A4 or A3 landscape page), .mmd (Mermaid) "
        "or .md (Mermaid in a Markdown fence). Not needed for --format mermaid, which "
        "prints to stdout without it."
    ),
]
ChartFormatOpt = Annotated[
    ChartFormat | None,
    typer.Option(
        "--format",
        help="svg, png, pdf (default: by the suffix of -o), or mermaid: a Mermaid gantt "
        "chart: printed and in a .md file as a ```mermaid block for GitHub and GitLab, "
        "in a .mmd file plain (for mermaid-cli).",
    ),
]
PaperOpt = Annotated[
    Paper,
    typer.Option(
        "--paper",
        help="The page: a4 or a3 landscape; auto (the default): A4 when every lane fits "
        "with its labels at 8 pt, else A3.",
    ),
]
DetailOpt = Annotated[
    bool,
    typer.Option(
        "--detail",
        help="Every step's bar, even when the page holds too few lanes for them (the page "
        "then grows); without it a large roadmap is drawn one lane per package.",
    ),
]
LinksOpt = Annotated[
    list[LinkKind] | None,
    typer.Option(
        "--links",
        help="The links to draw (repeatable): counter (each counter-step to what it "
        "earns; the default), after (preconditions), gate (the steps a gate holds), all, "
        "none.",
    ),
]
BaselineOpt = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        metavar="ROADMAP",
        help="A roadmap (e.g. the plan as agreed) drawn as a grey line under each bar.",
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
    if fmt is ChartFormat.mermaid and (out is None or out.suffix.lower() not in CHART_SUFFIXES):
        return "mermaid"
    if out is None:
        raise refuse(
            "planner gantt: give the chart file with -o FILE.svg|png|pdf|mmd|md "
            "(or --format mermaid)"
        )
    return format_of(out, fmt.value if fmt else None, CHART_SUFFIXES, "-o")


def link_kinds(given: list[LinkKind] | None) -> tuple[str, ...]:
    """The links `--links` asks for (counter when not given; `all`, `none`)."""
    if not given:
        return ("counter",)
    names = {k.value for k in given}
    if "all" in names:
        return ("counter", "after", "gate")
    return tuple(n for n in ("counter", "after", "gate") if n in names)


@app.command()
def gantt(
    ctx: typer.Context,
    roadmap: RoadmapFileArg,
    out: ChartOutOpt = None,
    fmt: ChartFormatOpt = None,
    paper: PaperOpt = Paper.auto,
    detail: DetailOpt = False,
    links: LinksOpt = None,
    baseline: BaselineOpt = None,
    runs: RunsOpt = None,
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
    # Printed, the chart is a Markdown block to paste (as before); a .mmd file is plain.
    fenced = out is None or out.suffix.lower() in MARKDOWN_SUFFIXES
    with writing(ctx, out, force=force) as files:
        loaded = scenario(packages, constraints, variant, sets)
        result = document(loaded, roadmap, phase, runs=runs, baseline=baseline)
        noted(result.roadmap.edits if result.roadmap else ())
        noted(result.baseline.edits if result.baseline else ())
        chart = chart_output(result, chosen, paper.value, detail, link_kinds(links), fenced)
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
