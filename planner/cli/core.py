"""The core commands: validate, check, plan, explain, timeline. Each parses its options,
calls one library function, renders, and maps the answer to an exit code. Nothing here
imports ortools except `plan` and `explain`, and only when they run."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import (
    ConstraintsOpt,
    PackagesOpt,
    SetOpt,
    VariantOpt,
    answers,
    app,
    emit,
    refuse,
    scenario,
)

if TYPE_CHECKING:
    from planner.roadmap import Roadmap
    from planner.scenario import Scenario

RoadmapArg = Annotated[
    Path,
    typer.Argument(help="Roadmap file: YAML or JSON (steps with starts, or a sequence), or CSV."),
]


SlackOpt = Annotated[
    bool,
    typer.Option(
        "--slack",
        help="How far each step can move earlier and later with every other step where it "
        "is, what stops it, and the critical chain.",
    ),
]

PartialOpt = Annotated[
    bool,
    typer.Option(
        "--partial",
        help="The roadmap covers only part of the deal: steps it leaves out are not "
        "violations (rules that need them still report).",
    ),
]


def roadmap_of(path: Path, loaded: Scenario) -> Roadmap:
    """The roadmap in `path` (bad input exits 2); a note on stderr for each derived field
    the file gives otherwise than the scenario (recomputed, not an error)."""
    import gc

    from planner.api import load_roadmap

    with answers():
        read = load_roadmap(path, loaded)
    gc.freeze()  # the roadmap too (see `cli.app.scenario`)
    for edit in read.edits:
        typer.echo(str(edit), err=True)
    return read


@app.command()
def validate(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
) -> None:
    """Load and check the scenario and rules; print a short summary (exit 0 valid, 2 invalid)."""
    from planner.render.plan import scenario_summary

    emit(scenario_summary(scenario(packages, constraints, variant, sets)))


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def check(
    roadmap: RoadmapArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", help="Report format (JSON: a stable schema).")
    ] = CheckFormat.text,
    partial: PartialOpt = False,
    with_slack: SlackOpt = False,
) -> None:
    """Report every violated rule of a roadmap, with source and repair (exit 0 clean, 1 violations, 2 bad input)."""
    from planner.check import check as check_roadmap
    from planner.exposure import curves, is_marked
    from planner.render.exposure import exposure_doc, exposure_text
    from planner.render.report import report_json, report_text
    from planner.triage import triage

    loaded = scenario(packages, constraints, variant, sets)
    read = roadmap_of(roadmap, loaded)
    report = check_roadmap(loaded, read.starts, read.notes, partial)
    overview = triage(loaded, read.starts, report, partial, read.sequence)
    exposure = curves(loaded, read.starts) if is_marked(loaded) else None
    room = None
    if with_slack:
        from planner.slack import slack

        room = slack(loaded, read.starts, partial)
    if fmt is CheckFormat.json:
        from planner.render.slack import slack_doc

        extra: dict[str, object] = {}
        if exposure is not None:
            extra["irreversible"] = exposure_doc(exposure)
        if room is not None:
            extra["slack"] = slack_doc(room)
        emit(report_json(report, loaded, overview, read.edits, extra))
    else:
        from planner.render.slack import slack_text

        sections = [exposure_text(loaded, exposure)] if exposure is not None else []
        sections += [slack_text(loaded, room)] if room is not None else []
        emit(report_text(report, loaded, overview, sections))
    raise typer.Exit(code=0 if report.is_clean else 1)


class View(StrEnum):
    time = "time"
    phase = "phase"
    actor = "actor"
    package = "package"


@app.command()
def timeline(
    roadmap: Annotated[
        Path, typer.Argument(help="Roadmap file (YAML, JSON or CSV), e.g. from `plan -o`.")
    ],
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    by: Annotated[
        View, typer.Option("--by", help="One table by time, or one per phase, actor or package.")
    ] = View.time,
    tablefmt: Annotated[
        str,
        typer.Option(
            "--tablefmt", help="Any tabulate format: simple, github, grid, html, latex, ..."
        ),
    ] = "simple",
    phase: Annotated[
        int | None,
        typer.Option(
            "--phase-length",
            min=1,
            help="Length of a phase in the scenario's unit (default: a quarter).",
        ),
    ] = None,
    with_slack: SlackOpt = False,
) -> None:
    """Print who does what when (exit 0, or 2 on bad input)."""
    from tabulate import tabulate_formats

    from planner.exposure import curves, is_marked
    from planner.render.exposure import exposure_text
    from planner.render.timeline import timeline as render_timeline

    if tablefmt not in tabulate_formats:
        raise refuse(
            f"--tablefmt: unknown format '{tablefmt}'; "
            f"choose from {', '.join(sorted(tabulate_formats))}"
        )
    loaded = scenario(packages, constraints, variant, sets)
    read = roadmap_of(roadmap, loaded)
    columns = None
    chain = ""
    if with_slack:
        from planner.render.slack import chain_text, slack_columns
        from planner.slack import slack

        room = slack(loaded, read.starts, partial=True)
        columns, chain = slack_columns(room), chain_text(loaded, room)
    text = render_timeline(loaded, read.starts, by.value, tablefmt, phase, columns)
    if chain:
        text += "\n\n" + chain
    if is_marked(loaded):
        text += "\n\n" + exposure_text(loaded, curves(loaded, read.starts))
    emit(text)
