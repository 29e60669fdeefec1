"""The command line: parse options, call one library function, render, map errors to exit codes.

Exit codes: 0 success · 1 the answer is "no" (violations, no roadmap exists) · 2 bad input.
Nothing here imports ortools except `plan` and `explain`, and only when they run.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from planner.errors import InputError
from planner.solver import DEFAULT_OBJECTIVES

if TYPE_CHECKING:
    from planner.model import Scenario

app = typer.Typer(
    name="planner",
    help="Sequence sanctions-relief deals: plan, check and print reciprocal roadmaps.",
    epilog="Scenarios of 256 KiB or more are cached after their first load, under "
    "$RELIEF_PLANNER_CACHE or ~/.cache/relief-planner; RELIEF_PLANNER_CACHE=off turns "
    "that off (README: 'the scenario cache').",
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


def _load(packages: Path | None, constraints: Path | None) -> Scenario:
    """The scenario (raises InputError). It lives until the process ends, so the cyclic
    collector is told never to walk its objects again: otherwise the first collections
    after a 10,000-step load walk them all, for about 30 ms."""
    from planner.load import load_scenario

    scenario = load_scenario(packages, constraints)
    gc.freeze()
    return scenario


def emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command()
def validate(packages: PackagesOpt = None, constraints: ConstraintsOpt = None) -> None:
    """Load and check the scenario and rules; print a short summary (exit 0 valid, 2 invalid)."""
    from planner.render import scenario_summary

    try:
        scenario = _load(packages, constraints)
    except InputError as exc:
        raise fail(exc) from None
    emit(scenario_summary(scenario))


class CheckFormat(StrEnum):
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
    from planner.load import load_roadmap
    from planner.render import report_json, report_text
    from planner.roadmap import SEQUENCE_NOTE, starts_from_sequence

    try:
        scenario = _load(packages, constraints)
        written = load_roadmap(roadmap, scenario)
    except InputError as exc:
        raise fail(exc) from None
    gc.freeze()  # the roadmap too (see _load)
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


class PlanFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    yaml = "yaml"


class View(StrEnum):
    time = "time"
    phase = "phase"
    actor = "actor"
    package = "package"


def _output_paths(out: Path, count: int) -> list[Path]:
    """FILE for the best roadmap, FILE-stem.alt2.suffix ... for the alternatives."""
    return [out] + [out.with_name(f"{out.stem}.alt{i}{out.suffix}") for i in range(2, count + 1)]


@app.command()
def plan(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="Objectives in priority order, comma-separated, minimized lexicographically: "
            "penalty (soft rules), makespan, exposure, goodwill.",
        ),
    ] = ",".join(DEFAULT_OBJECTIVES),
    alternatives: Annotated[
        int,
        typer.Option(
            "--alternatives",
            "-k",
            min=1,
            max=50,
            help="How many roadmaps to propose (they order the relief packages differently).",
        ),
    ] = 1,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            min=0.0,
            max=10.0,
            help="Alternatives stay within this fraction of the best first objective.",
        ),
    ] = 0.05,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="Seconds of search; then the best roadmap found is printed with its gap.",
        ),
    ] = 10.0,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Solver seed: same inputs and seed, same output.")
    ] = 0,
    fmt: Annotated[PlanFormat, typer.Option("--format", help="Output format.")] = PlanFormat.table,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write the best roadmap as a file `check` reads (.yaml, .json or .csv); alternatives go beside it as NAME.alt2.yaml, ...",
        ),
    ] = None,
) -> None:
    """Propose roadmaps that keep every hard rule (exit 0), or say why none exists (exit 1)."""

    try:
        scenario = _load(packages, constraints)
    except InputError as exc:
        raise fail(exc) from None
    from planner.solver.solve import parse_objectives
    from planner.solver.solve import plan as make_plan

    try:
        objectives = parse_objectives(objective)
    except ValueError as exc:
        typer.echo(f"--objective: {exc}", err=True)
        raise typer.Exit(code=2) from None
    progress = _progress_line if sys.stderr.isatty() else None
    result = make_plan(scenario, objectives, time_limit, seed, alternatives, tolerance, progress)
    _print_plan(scenario, result, fmt, out)


def _progress_line(text: str) -> None:
    sys.stderr.write("\r" + text.ljust(60) + ("\r" if not text else ""))
    sys.stderr.flush()


def _print_plan(scenario: Any, result: Any, fmt: PlanFormat, out: Path | None) -> None:
    from planner import render

    if result.status == "infeasible":
        emit(render.conflict_text(scenario, result.conflict))
        raise typer.Exit(code=1)
    if result.status == "unknown":
        for note in result.notes:
            typer.echo(note, err=True)
        raise typer.Exit(code=1)
    if out is not None:
        from planner.output import write_atomic

        for path, cand in zip(
            _output_paths(out, len(result.candidates)), result.candidates, strict=True
        ):
            doc = render.roadmap_doc(scenario, cand.starts, cand.values)
            suffix = path.suffix.lower()
            text = (
                json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
                if suffix == ".json"
                else render.roadmap_csv(doc)
                if suffix == ".csv"
                else render.roadmap_yaml(doc)
            )
            try:
                write_atomic(path, text)
            except OSError as exc:
                typer.echo(f"{path}: cannot write: {exc.strerror}", err=True)
                raise typer.Exit(code=2) from None
    if fmt is PlanFormat.json:
        emit(json.dumps(render.plan_doc(scenario, result), indent=2, ensure_ascii=False))
    elif fmt is PlanFormat.yaml:
        import yaml

        emit(
            yaml.safe_dump(
                render.plan_doc(scenario, result), sort_keys=False, allow_unicode=True, width=100
            )
        )
    else:
        emit(
            render.plan_text(scenario, result, "github" if fmt is PlanFormat.markdown else "simple")
        )


@app.command()
def explain(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for the search.")
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Solver seed.")] = 0,
) -> None:
    """Say which rules collide when no roadmap exists (exit 1), or that all can hold (exit 0)."""

    try:
        scenario = _load(packages, constraints)
    except InputError as exc:
        raise fail(exc) from None
    from planner.render import conflict_text
    from planner.solver.explain import explain as find_conflict

    conflict = find_conflict(scenario, time_limit, seed)
    if conflict is None:
        emit(f"{scenario.name}: every hard rule can hold together; `planner plan` finds a roadmap.")
        return
    emit(conflict_text(scenario, conflict))
    raise typer.Exit(code=1)


@app.command()
def timeline(
    roadmap: Annotated[
        Path, typer.Argument(help="Roadmap file (YAML, JSON or CSV), e.g. from `plan -o`.")
    ],
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
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
) -> None:
    """Print who does what when (exit 0, or 2 on bad input)."""
    from tabulate import tabulate_formats

    from planner.load import load_roadmap
    from planner.render import timeline as render_timeline
    from planner.roadmap import starts_from_sequence

    if tablefmt not in tabulate_formats:
        typer.echo(
            f"--tablefmt: unknown format '{tablefmt}'; choose from {', '.join(sorted(tabulate_formats))}",
            err=True,
        )
        raise typer.Exit(code=2)
    try:
        scenario = _load(packages, constraints)
        written = load_roadmap(roadmap, scenario)
    except InputError as exc:
        raise fail(exc) from None
    if written.sequence is not None:
        starts = starts_from_sequence(scenario, written.sequence)
    else:
        starts = written.starts or {}
    emit(render_timeline(scenario, starts, by.value, tablefmt, phase))


def main() -> None:
    """Entry point of the `planner` script: usage errors as one line, exit 2."""
    # typer vendors click: its UsageError is the base of the BadParameter it exports.
    usage_error: type[Exception] = next(
        c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
    )
    try:
        code = app(standalone_mode=False)
    except usage_error as exc:
        message = exc.format_message()  # type: ignore[attr-defined]  # click's UsageError
        if message:  # (no command at all: the help was printed instead)
            ctx = getattr(exc, "ctx", None)
            where = f"{ctx.command_path}: " if ctx is not None else "planner: "
            typer.echo(f"{where}{message} (see --help)", err=True)
        _leave(2)
    except typer.Abort:
        typer.echo("interrupted", err=True)
        _leave(130)
    _leave(code if isinstance(code, int) else 0)


def _leave(code: int) -> NoReturn:
    """Flush the output and end the process at once, as mypy does: tearing a 10,000-step
    scenario down object by object takes longer (about 75 ms) than checking it, and the
    system reclaims the memory in one go. Every file we write is closed by then
    (`output.write_atomic`), so nothing is lost."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to save
            stream.flush()
    os._exit(code)
