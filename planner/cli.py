"""The command line: parse options, call one library function, render, map errors to exit codes.

Exit codes: 0 success · 1 the answer is "no" (violations, no roadmap exists) · 2 bad input.
Nothing here imports ortools except `plan` and `explain`, and only when they run.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from planner.errors import InputError

app = typer.Typer(
    name="planner",
    help="Sequence sanctions-relief deals: plan, check and print reciprocal roadmaps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PackagesOpt = Annotated[
    Path | None,
    typer.Option(
        "--packages",
        help="Scenario file (packages.yaml). Default: the embedded U.S.–Belarus roadmap.",
        dir_okay=False,
    ),
]
ConstraintsOpt = Annotated[
    Path | None,
    typer.Option(
        "--constraints",
        help="Folder of rule files (*.yaml). Default: the embedded rules.",
        file_okay=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        from planner import __version__

        typer.echo(f"relief-planner {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Sequence sanctions-relief deals against verified commitments.

    Without --packages/--constraints every command uses the embedded default: the
    U.S.–Belarus normalization roadmap.
    """


def fail(exc: InputError) -> typer.Exit:
    """Print every input problem, one line each, and give the exit for bad input."""
    for problem in exc.problems:
        typer.echo(str(problem), err=True)
    return typer.Exit(code=2)


def emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command()
def validate(packages: PackagesOpt = None, constraints: ConstraintsOpt = None) -> None:
    """Load and check the scenario and rules; print a short summary (exit 0 valid, 2 invalid)."""
    from planner.load import load_scenario
    from planner.render import scenario_summary

    try:
        scenario = load_scenario(packages, constraints)
    except InputError as exc:
        raise fail(exc) from None
    emit(scenario_summary(scenario))


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def check(
    roadmap: Annotated[
        Path,
        typer.Argument(
            help="Roadmap file: YAML or JSON (steps with starts, or a sequence), or CSV."
        ),
    ],
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", help="Report format (JSON: a stable schema).")
    ] = CheckFormat.text,
) -> None:
    """Report every violated rule of a roadmap, with source and repair (exit 0 clean, 1 violations, 2 bad input)."""
    from planner.check import check as check_roadmap
    from planner.load import load_roadmap, load_scenario
    from planner.render import report_json, report_text
    from planner.roadmap import SEQUENCE_NOTE, starts_from_sequence

    try:
        scenario = load_scenario(packages, constraints)
        written = load_roadmap(roadmap, scenario)
    except InputError as exc:
        raise fail(exc) from None
    notes: list[str] = []
    if written.sequence is not None:
        starts = starts_from_sequence(scenario, written.sequence)
        notes.append(SEQUENCE_NOTE)
    else:
        starts = written.starts or {}
    report = check_roadmap(scenario, starts, notes)
    emit(
        report_json(report, scenario) if fmt is CheckFormat.json else report_text(report, scenario)
    )
    raise typer.Exit(code=0 if report.is_clean else 1)


def main() -> None:
    """Entry point of the `planner` script."""
    app()
