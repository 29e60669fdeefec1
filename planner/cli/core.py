"""The core commands: validate, check, plan, explain, timeline. Each parses its options,
calls one library function, renders, and maps the answer to an exit code. Nothing here
imports ortools except `plan` and `explain`, and only when they run."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import ConstraintsOpt, PackagesOpt, answers, app, emit, refuse, scenario
from planner.objectives import DEFAULT_OBJECTIVES

if TYPE_CHECKING:
    from planner.roadmap import Roadmap
    from planner.scenario import Scenario
    from planner.solver.results import PlanResult

RoadmapArg = Annotated[
    Path,
    typer.Argument(help="Roadmap file: YAML or JSON (steps with starts, or a sequence), or CSV."),
]


def roadmap_of(path: Path, loaded: Scenario) -> Roadmap:
    """The roadmap in `path` (bad input exits 2)."""
    import gc

    from planner.api import load_roadmap

    with answers():
        read = load_roadmap(path, loaded)
    gc.freeze()  # the roadmap too (see `cli.app.scenario`)
    return read


@app.command()
def validate(packages: PackagesOpt = None, constraints: ConstraintsOpt = None) -> None:
    """Load and check the scenario and rules; print a short summary (exit 0 valid, 2 invalid)."""
    from planner.render.plan import scenario_summary

    emit(scenario_summary(scenario(packages, constraints)))


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def check(
    roadmap: RoadmapArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", help="Report format (JSON: a stable schema).")
    ] = CheckFormat.text,
) -> None:
    """Report every violated rule of a roadmap, with source and repair (exit 0 clean, 1 violations, 2 bad input)."""
    from planner.check import check as check_roadmap
    from planner.render.report import report_json, report_text

    loaded = scenario(packages, constraints)
    read = roadmap_of(roadmap, loaded)
    report = check_roadmap(loaded, read.starts, read.notes)
    render = report_json if fmt is CheckFormat.json else report_text
    emit(render(report, loaded))
    raise typer.Exit(code=0 if report.is_clean else 1)


class PlanFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    yaml = "yaml"


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
    from planner.objectives import parse_objectives

    loaded = scenario(packages, constraints)
    try:
        objectives = parse_objectives(objective)
    except ValueError as exc:
        raise refuse(f"--objective: {exc}") from None
    from planner.solver.solve import plan as make_plan

    progress = _progress_line if sys.stderr.isatty() else None
    result = make_plan(loaded, objectives, time_limit, seed, alternatives, tolerance, progress)
    _print_plan(loaded, result, fmt, out)


def _progress_line(text: str) -> None:
    sys.stderr.write("\r" + text.ljust(60) + ("\r" if not text else ""))
    sys.stderr.flush()


def _write_roadmaps(loaded: Scenario, result: PlanResult, out: Path) -> None:
    """The best roadmap to `out`, each alternative beside it (`NAME.alt2.yaml`, ...)."""
    from planner.output import write_atomic
    from planner.roadmap.write import alternative_paths, roadmap_doc, roadmap_text

    for path, cand in zip(
        alternative_paths(out, len(result.candidates)), result.candidates, strict=True
    ):
        text = roadmap_text(roadmap_doc(loaded, cand.starts, cand.values), path)
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise refuse(f"{path}: cannot write: {exc.strerror}") from None


def _print_plan(loaded: Scenario, result: PlanResult, fmt: PlanFormat, out: Path | None) -> None:
    from planner.render import plan as render

    if result.status == "infeasible":
        assert result.conflict is not None
        emit(render.conflict_text(loaded, result.conflict))
        raise typer.Exit(code=1)
    if result.status == "unknown":
        for note in result.notes:
            typer.echo(note, err=True)
        raise typer.Exit(code=1)
    if out is not None:
        _write_roadmaps(loaded, result, out)
    if fmt is PlanFormat.json:
        emit(json.dumps(render.plan_doc(loaded, result), indent=2, ensure_ascii=False))
    elif fmt is PlanFormat.yaml:
        import yaml

        doc = render.plan_doc(loaded, result)
        emit(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
    else:
        tablefmt = "github" if fmt is PlanFormat.markdown else "simple"
        emit(render.plan_text(loaded, result, tablefmt))


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
    loaded = scenario(packages, constraints)
    from planner.render.plan import conflict_text
    from planner.solver.explain import explain as find_conflict

    conflict = find_conflict(loaded, time_limit, seed)
    if conflict is None:
        emit(f"{loaded.name}: every hard rule can hold together; `planner plan` finds a roadmap.")
        return
    emit(conflict_text(loaded, conflict))
    raise typer.Exit(code=1)


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

    from planner.render.timeline import timeline as render_timeline

    if tablefmt not in tabulate_formats:
        raise refuse(
            f"--tablefmt: unknown format '{tablefmt}'; "
            f"choose from {', '.join(sorted(tabulate_formats))}"
        )
    loaded = scenario(packages, constraints)
    read = roadmap_of(roadmap, loaded)
    emit(render_timeline(loaded, read.starts, by.value, tablefmt, phase))
