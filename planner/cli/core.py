"""The core commands: validate, check, timeline. Each parses its options, makes one call
into `planner.api`, renders its result (`planner.render.results`) and maps the answer to
an exit code. None of them imports ortools (`check` only to size the repair of a broken
roadmap, in `planner.whatif.triage`)."""

from __future__ import annotations

from typing import Annotated

import typer

from planner.cli.app import answers, app, emit, noted, refuse, scenario
from planner.cli.options import (
    AssumeOpt,
    CheckFormat,
    ConstraintsOpt,
    IdsOpt,
    PackagesOpt,
    PartialOpt,
    RoadmapArg,
    RoadmapFileArg,
    SetOpt,
    SlackOpt,
    TimelineFormat,
    VariantOpt,
    View,
)

ExplainOpt = Annotated[
    str | None,
    typer.Option(
        "--explain",
        metavar="ID",
        help="Print what the loader made of one step or rule: selectors resolved, "
        "preconditions, the rules that mention it, its earliest start and why.",
    ),
]
CheckFormatOpt = Annotated[
    CheckFormat, typer.Option("--format", help="Report format (JSON: a stable schema).")
]
ViewOpt = Annotated[
    View,
    typer.Option(
        "--by", help="One table by time, one per phase, actor or package, or the leverage table."
    ),
]
TablefmtOpt = Annotated[
    str,
    typer.Option("--tablefmt", help="Any tabulate format: simple, github, grid, html, latex, ..."),
]
TimelinePhaseOpt = Annotated[
    int | None,
    typer.Option(
        "--phase-length",
        min=1,
        help="Fixed phases of this length in the scenario's unit, instead of the "
        "scenario's phases (or those derived from its gates).",
    ),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="Columns to show, comma-separated: start, end, done, step, actor, package, "
        "kind, title, value, verifier, verified, counter, source, phase; 'default' (start, "
        "end, done, step, actor, package), 'all'.",
    ),
]
TimelineFormatOpt = Annotated[
    TimelineFormat,
    typer.Option("--format", help="table (in --tablefmt), csv or json (stable columns)."),
]


@app.command()
def validate(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    explain: ExplainOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
) -> None:
    """Load and check the scenario and rules; print a short summary (exit 0 valid, 2 invalid)."""
    loaded = scenario(packages, constraints, variant, sets)
    if explain is None:
        from planner.render.plan import scenario_summary

        emit(scenario_summary(loaded))
        return
    from planner.api import describe
    from planner.explore.lookup import UnknownId

    try:
        emit(describe(loaded, explain))
    except UnknownId as exc:
        raise refuse(f"planner validate: --explain: {exc}") from None


@app.command()
def check(
    roadmap: RoadmapArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    fmt: CheckFormatOpt = CheckFormat.text,
    partial: PartialOpt = False,
    with_slack: SlackOpt = False,
    assumptions: AssumeOpt = None,
    ids: IdsOpt = False,
) -> None:
    """Report every violated rule of a roadmap, with source and repair (exit 0 clean, 1 violations, 2 bad input)."""
    from planner.api import check_roadmap
    from planner.render.results import check_output

    loaded = scenario(packages, constraints, variant, sets)
    with answers():
        result = check_roadmap(loaded, roadmap, partial, with_slack, assumptions or ())
    noted(result.roadmap.edits)
    emit(check_output(result, fmt.value, ids))
    raise typer.Exit(code=0 if result.is_clean else 1)


def terminal_width() -> int | None:
    """The terminal's width when stdout is one (tables are cut to fit), else None."""
    import os
    import sys

    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else None
    except (OSError, ValueError, AttributeError):
        return None


def table_options(
    tablefmt: str, columns: str | None, with_slack: bool, fmt: TimelineFormat
) -> tuple[str, ...] | None:
    """The columns `--columns` asks for (None: the default); a `--tablefmt` tabulate does
    not know, a bad column, or `--slack` outside a table exit 2."""
    from tabulate import tabulate_formats

    from planner.render.timeline import parse_columns

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
    return chosen


@app.command()
def timeline(
    roadmap: RoadmapFileArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    by: ViewOpt = View.time,
    tablefmt: TablefmtOpt = "simple",
    phase: TimelinePhaseOpt = None,
    columns: ColumnsOpt = None,
    fmt: TimelineFormatOpt = TimelineFormat.table,
    with_slack: SlackOpt = False,
    ids: IdsOpt = False,
) -> None:
    """Print who does what when (exit 0, or 2 on bad input)."""
    from planner.api import timeline_view
    from planner.render.results import timeline_output

    chosen = table_options(tablefmt, columns, with_slack, fmt)
    loaded = scenario(packages, constraints, variant, sets)
    with answers():
        result = timeline_view(loaded, roadmap, phase, with_slack)
    noted(result.roadmap.edits)
    width = terminal_width()
    emit(timeline_output(result, fmt.value, by.value, tablefmt, chosen, width, ids))
