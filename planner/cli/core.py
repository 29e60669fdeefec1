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
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="ID",
            help="Print what the loader made of one step or rule: selectors resolved, "
            "preconditions, the rules that mention it, its earliest start and why.",
        ),
    ] = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
) -> None:
    """Load and check the scenario and rules; print a short summary (exit 0 valid, 2 invalid)."""
    loaded = scenario(packages, constraints, variant, sets)
    if explain is not None:
        from planner.explore.lookup import UnknownId, explain_id

        try:
            emit(explain_id(loaded, explain))
        except UnknownId as exc:
            raise refuse(f"planner validate: --explain: {exc}") from None
        return
    from planner.render.plan import scenario_summary

    emit(scenario_summary(loaded))


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
    from planner.render.exposure import exposure_doc, exposure_text
    from planner.render.report import report_json, report_text
    from planner.whatif.exposure import curves, is_marked
    from planner.whatif.triage import triage

    loaded = scenario(packages, constraints, variant, sets)
    read = roadmap_of(roadmap, loaded)
    report = check_roadmap(loaded, read.starts, read.notes, partial)
    overview = triage(loaded, read.starts, report, partial, read.sequence)
    exposure = curves(loaded, read.starts) if is_marked(loaded) else None
    room = None
    if with_slack:
        from planner.whatif.slack import slack

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
    leverage = "leverage"


class TimelineFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def terminal_width() -> int | None:
    """The terminal's width when stdout is one (tables are cut to fit), else None."""
    import os
    import sys

    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else None
    except (OSError, ValueError, AttributeError):
        return None


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
        View,
        typer.Option(
            "--by",
            help="One table by time, one per phase, actor or package, or the leverage table.",
        ),
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
            help="Fixed phases of this length in the scenario's unit, instead of the "
            "scenario's phases (or those derived from its gates).",
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="Columns to show, comma-separated: start, end, done, step, actor, package, "
            "kind, title, value, verifier, verified, counter, source, phase; 'default', 'all'.",
        ),
    ] = None,
    fmt: Annotated[
        TimelineFormat,
        typer.Option("--format", help="table (in --tablefmt), csv or json (stable columns)."),
    ] = TimelineFormat.table,
    with_slack: SlackOpt = False,
) -> None:
    """Print who does what when (exit 0, or 2 on bad input)."""
    from tabulate import tabulate_formats

    from planner.check import check as check_roadmap
    from planner.render import export
    from planner.render.exposure import exposure_text
    from planner.render.outline import outline
    from planner.render.timeline import (
        DEFAULT_COLUMNS,
        TERMINAL_FORMATS,
        parse_columns,
        render_timeline,
        text_block,
    )
    from planner.whatif.exposure import curves, is_marked

    if tablefmt not in tabulate_formats:
        raise refuse(
            f"--tablefmt: unknown format '{tablefmt}'; "
            f"choose from {', '.join(sorted(tabulate_formats))}"
        )
    try:
        chosen = parse_columns(columns) if columns is not None else None
    except ValueError as exc:
        raise refuse(f"--columns: {exc}") from None
    if with_slack and fmt is not TimelineFormat.table:
        raise refuse(
            "--slack: shown as table columns; `planner check --slack --format json` has it as data"
        )
    loaded = scenario(packages, constraints, variant, sets)
    read = roadmap_of(roadmap, loaded)
    # The check report says which counter-step answers which give step.
    drawn = outline(loaded, read.starts, check_roadmap(loaded, read.starts), phase)
    if fmt is TimelineFormat.json:
        emit(export.timeline_json(drawn))
        return
    if fmt is TimelineFormat.csv:
        emit(export.timeline_csv(drawn, chosen, by.value))
        return
    extra, chain = None, ""
    if with_slack:
        from planner.render.slack import chain_text, slack_columns
        from planner.whatif.slack import slack

        room = slack(loaded, read.starts, partial=True)
        extra, chain = slack_columns(room), chain_text(loaded, room)
    width = terminal_width() if tablefmt in TERMINAL_FORMATS else None
    text = render_timeline(drawn, by.value, tablefmt, chosen or DEFAULT_COLUMNS, width, extra=extra)
    if chain:
        text += "\n\n" + text_block(chain, tablefmt)
    if is_marked(loaded):
        text += "\n\n" + text_block(exposure_text(loaded, curves(loaded, read.starts)), tablefmt)
    emit(text)
