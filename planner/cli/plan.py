"""`plan` and `explain`: the commands that search. Nothing here imports ortools until the
search runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import app, emit, finite, interrupted, refuse, roadmap, scenario, writing
from planner.cli.options import (
    ConstraintsOpt,
    ForceOpt,
    IdsOpt,
    PackagesOpt,
    PlanFormat,
    SetOpt,
    VariantOpt,
    output_option,
    seed_option,
    time_limit_option,
)
from planner.limits import MAX_TIME

if TYPE_CHECKING:
    from planner.output import Outputs
    from planner.scenario import Scenario
    from planner.solver.results import PlanResult

ObjectiveOpt = Annotated[
    str | None,
    typer.Option(
        "--objective",
        help="Objectives in priority order, comma-separated, minimized lexicographically: "
        "penalty (soft rules), makespan, exposure, goodwill. Default: the scenario's "
        "`objectives`, else penalty,makespan,exposure,goodwill.",
    ),
]
AlternativesOpt = Annotated[
    int,
    typer.Option(
        "--alternatives",
        "-k",
        min=1,
        max=50,
        help="How many roadmaps to propose; each further one opens two relief packages "
        "the other way round (see --differ-by) or includes other optional packages.",
    ),
]
DifferByOpt = Annotated[
    int | None,
    typer.Option(
        "--differ-by",
        min=1,
        max=MAX_TIME,
        metavar="T",
        help="How far apart (in the scenario's unit) the two relief packages an "
        "alternative reverses must open. Default: a quarter (13 weeks, 91 days, 3 months).",
    ),
]
ToleranceOpt = Annotated[
    float,
    typer.Option(
        "--tolerance",
        min=0.0,
        max=10.0,
        callback=finite,
        help="Alternatives stay within this fraction of the best first objective.",
    ),
]
PlanTimeOpt = Annotated[
    float,
    time_limit_option(
        "Seconds for the whole call; then the best roadmap found is printed with its gap."
    ),
]
PlanSeedOpt = Annotated[int, seed_option("Solver seed: same inputs and seed, same output.")]
PlanFormatOpt = Annotated[PlanFormat, typer.Option("--format", help="Output format.")]
PlanOutOpt = Annotated[
    Path | None,
    output_option(
        "Write the best roadmap as a file `check` reads (.yaml, .json or .csv); alternatives "
        "go beside it as NAME.alt2.yaml, ..."
    ),
]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report",
        dir_okay=False,
        help="Also write the best roadmap's report (`planner report`): .html or .md.",
    ),
]
KeepOpt = Annotated[
    Path | None,
    typer.Option(
        "--keep",
        dir_okay=False,
        help="Re-plan mid-deal: a roadmap whose steps that started before --as-of stay "
        "where they are; the rest is planned from --as-of on.",
    ),
]
AsOfOpt = Annotated[
    int | None,
    typer.Option(
        "--as-of", min=0, max=MAX_TIME, help="With --keep: the time the deal has reached."
    ),
]


@app.command()
def plan(
    ctx: typer.Context,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    objective: ObjectiveOpt = None,
    alternatives: AlternativesOpt = 1,
    differ_by: DifferByOpt = None,
    tolerance: ToleranceOpt = 0.05,
    time_limit: PlanTimeOpt = 10.0,
    seed: PlanSeedOpt = 0,
    fmt: PlanFormatOpt = PlanFormat.table,
    out: PlanOutOpt = None,
    report: ReportOpt = None,
    force: ForceOpt = False,
    keep: KeepOpt = None,
    as_of: AsOfOpt = None,
    ids: IdsOpt = False,
) -> None:
    """Propose roadmaps that keep every hard rule (exit 0), or say why none exists (exit 1)."""
    from planner import api

    if (keep is None) != (as_of is None):
        raise refuse("--keep and --as-of go together: --keep ROADMAP --as-of T")
    if keep is not None and alternatives > 1:
        raise refuse("--alternatives: re-planning with --keep proposes one roadmap")
    with writing(ctx, *roadmap_paths(out, alternatives), report_path(report), force=force) as files:
        loaded = scenario(packages, constraints, variant, sets)
        goals = objectives(objective, loaded)
        if keep is not None and as_of is not None:
            kept = roadmap(keep, loaded)
            result = api.replan(loaded, kept, as_of, goals, time_limit, seed, name=str(keep))
        else:
            result = api.plan(
                loaded, goals, time_limit, seed, alternatives, tolerance, differ_by,
                progress=_progress_line if sys.stderr.isatty() else None,
            )  # fmt: skip
        show_plan(loaded, result, fmt, files, out, report, ids)


def objectives(objective: str | None, loaded: Scenario) -> tuple[str, ...]:
    """`--objective` as given (a bad one exits 2), else the scenario's own order."""
    from planner.objectives import objective_order, parse_objectives

    try:
        return objective_order(loaded) if objective is None else parse_objectives(objective)
    except ValueError as exc:
        raise refuse(f"--objective: {exc}") from None


def roadmap_paths(out: Path | None, alternatives: int) -> list[Path]:
    """Where `-o FILE` writes the best roadmap and each alternative (`NAME.alt2.yaml`, ...)."""
    from planner.roadmap.write import alternative_paths

    return alternative_paths(out, alternatives) if out is not None else []


def report_path(report: Path | None) -> Path | None:
    """`--report FILE`, its suffix checked before the search (a bad one exits 2)."""
    if report is not None:
        from planner.cli.outputs import REPORT_SUFFIXES, format_of

        format_of(report, None, REPORT_SUFFIXES, "--report")
    return report


def _progress_line(text: str) -> None:
    sys.stderr.write("\r" + text.ljust(60) + ("\r" if not text else ""))
    sys.stderr.flush()


def show_plan(
    loaded: Scenario,
    result: PlanResult,
    fmt: PlanFormat,
    files: Outputs,
    out: Path | None,
    report: Path | None = None,
    ids: bool = False,
) -> None:
    """Print the plan's answer and write its files, or say why there is none (exit 1, or
    130 when Ctrl-C came before any roadmap was found). Tables are cut to fit a terminal,
    whole elsewhere (a file, a pipe)."""
    from planner import interrupt
    from planner.cli.core import terminal_width
    from planner.render.results import plan_output

    if result.status == "interrupted" or (result.status == "unknown" and interrupt.pressed()):
        interrupted()  # Ctrl-C before any roadmap was found
    if result.status == "unknown":
        for note in result.notes:
            typer.echo(note, err=True)
        raise typer.Exit(code=1)
    # Everything is rendered before any file is written: a roadmap that cannot be shown
    # is not written either.
    text = plan_output(loaded, result, fmt.value, ids, terminal_width())
    if result.status == "infeasible":
        emit(text)
        raise typer.Exit(code=1)
    write_plan(loaded, result, files, out, report, ids)
    emit(text)


def write_plan(
    loaded: Scenario,
    result: PlanResult,
    files: Outputs,
    out: Path | None,
    report: Path | None,
    ids: bool = False,
) -> None:
    """The best roadmap to `out`, each alternative beside it, and the best one's report to
    `report`, all or none; alternatives left from an earlier run are named on stderr."""
    from planner.api import document
    from planner.output import stale_siblings
    from planner.render.results import report_output
    from planner.roadmap.write import roadmap_doc, roadmap_text

    paths = roadmap_paths(out, len(result.candidates))
    outputs: list[tuple[Path, str | bytes]] = [
        (path, roadmap_text(roadmap_doc(loaded, cand.starts, cand.values), path))
        for path, cand in zip(paths, result.candidates, strict=False)
    ]
    if report is not None:
        from planner.cli.outputs import REPORT_SUFFIXES, format_of

        name = out.name if out is not None else "the best roadmap of `planner plan`"
        drawn = document(loaded, result.candidates[0], name=name)
        fmt = format_of(report, None, REPORT_SUFFIXES, "--report")
        outputs.append((report, report_output(drawn, fmt, ids)))
    files.write(outputs)
    stale = stale_siblings(paths, out) if out is not None else []
    if stale:
        typer.echo(
            f"note: {', '.join(str(p) for p in stale)} "
            f"{'is' if len(stale) == 1 else 'are'} left from an earlier run (not this plan)",
            err=True,
        )


ExplainTimeOpt = Annotated[float, time_limit_option("Seconds for the search.")]
ExplainSeedOpt = Annotated[int, seed_option("Solver seed.")]


@app.command()
def explain(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    time_limit: ExplainTimeOpt = 10.0,
    seed: ExplainSeedOpt = 0,
) -> None:
    """Say which rules collide when no roadmap exists (exit 1), or that all can hold (exit 0)."""
    from planner import api

    loaded = scenario(packages, constraints, variant, sets)
    conflict = api.explain(loaded, time_limit, seed)
    if conflict is None:
        emit(f"{loaded.name}: every hard rule can hold together; `planner plan` finds a roadmap.")
        return
    emit(api.conflict_text(loaded, conflict))
    raise typer.Exit(code=1)
