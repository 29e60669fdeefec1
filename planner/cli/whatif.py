"""What-if commands: `diff` (two roadmaps, or the plans of two variants) and `simulate`
(Monte Carlo over uncertain durations). Thin: options, one library call, a renderer."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from planner.cli.app import answers, app, emit, noted, refuse, scenario, writing
from planner.cli.options import (
    ConstraintsOpt,
    DiffFormat,
    ForceOpt,
    PackagesOpt,
    RoadmapFileArg,
    SetOpt,
    SimulateFormat,
    VariantOpt,
    output_option,
    seed_option,
    time_limit_option,
)

if TYPE_CHECKING:
    from planner.api.results import NoPlan

SideA = Annotated[str, typer.Argument(help="Roadmap A (a file `check` reads), or `plan`.")]
SideB = Annotated[str, typer.Argument(help="Roadmap B, or `plan` (of B's scenario).")]
BVariantOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--b-variant",
        dir_okay=False,
        help="A variant file for B's scenario only, on top of --variant/--set (repeatable).",
    ),
]
BSetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--b-set",
        help="A --set expression for B's scenario only (repeatable): e.g. '*:verify.duration*=2'.",
    ),
]
DiffFormatOpt = Annotated[DiffFormat, typer.Option("--format", help="Output format.")]
DiffObjectiveOpt = Annotated[
    str | None,
    typer.Option(
        "--objective",
        help="For a side that is `plan`: the objectives, as in plan (default: that "
        "side's scenario's `objectives`, else penalty,makespan,exposure,goodwill).",
    ),
]
DiffTimeOpt = Annotated[
    float, time_limit_option("For a side that is `plan`: seconds for its plan.")
]
DiffSeedOpt = Annotated[int, seed_option("For a side that is `plan`.")]


@app.command()
def diff(
    a: SideA,
    b: SideB,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    b_variant: BVariantOpt = None,
    b_set: BSetOpt = None,
    fmt: DiffFormatOpt = DiffFormat.text,
    objective: DiffObjectiveOpt = None,
    time_limit: DiffTimeOpt = 10.0,
    seed: DiffSeedOpt = 0,
) -> None:
    """What changed from roadmap A to roadmap B, read aloud, as a table or JSON (exit 0; 1 when a side is `plan` and none exists; 2 bad input).

    Steps moved, added or left out, packages reordered, rules broken or tight, finish and
    exposure."""
    from planner import api
    from planner.objectives import parse_objectives
    from planner.render.results import diff_output

    try:
        asked = parse_objectives(objective) if objective is not None else None
    except ValueError as exc:
        raise refuse(f"--objective: {exc}") from None
    scenario_a = scenario(packages, constraints, variant, sets)
    scenario_b = scenario_a
    if b_variant or b_set:
        both = [*(variant or ()), *(b_variant or ())], [*(sets or ()), *(b_set or ())]
        scenario_b = scenario(packages, constraints, *both)
    with answers():
        found = api.diff(a, b, scenario_a, scenario_b, asked, time_limit, seed)
    noted(found.edits)
    if found.diff is None:
        no_roadmap(found.no_plan)
    emit(diff_output(found.diff, fmt.value))


def no_roadmap(no_plan: NoPlan | None) -> NoReturn:
    """A side that is `plan` found no roadmap: why not (the colliding rules) on stdout,
    the search's notes on stderr, exit 1."""
    from planner.render.plan import conflict_text

    if no_plan is not None and no_plan.result.conflict is not None:
        emit(conflict_text(no_plan.scenario, no_plan.result.conflict))
    for note in no_plan.result.notes if no_plan is not None else ():
        typer.echo(note, err=True)
    raise typer.Exit(code=1)


RunsOpt = Annotated[int, typer.Option("--runs", min=1, max=10_000_000, help="How many runs.")]
DrawSeedOpt = Annotated[
    int,
    seed_option(
        "Seed of the draws: the same seed, the same runs on any machine and with any --workers."
    ),
]
WorkersOpt = Annotated[
    int, typer.Option("--workers", min=1, max=256, help="Local processes for the runs.")
]
ByOpt = Annotated[
    int | None,
    typer.Option(
        "--by",
        min=0,
        help="The probability of finishing by this time (default: the roadmap's own finish).",
    ),
]
ReplanOpt = Annotated[
    bool,
    typer.Option(
        "--replan",
        help="Re-plan each run with its drawn times (CP-SAT) instead of holding the "
        "roadmap's order.",
    ),
]
HistogramOpt = Annotated[Path | None, output_option("Write the histogram as a PNG image.")]
SimulateFormatOpt = Annotated[SimulateFormat, typer.Option("--format", help="Report format.")]


@app.command()
def simulate(
    ctx: typer.Context,
    roadmap: RoadmapFileArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    runs: RunsOpt = 1000,
    seed: DrawSeedOpt = 0,
    workers: WorkersOpt = 1,
    by: ByOpt = None,
    replan: ReplanOpt = False,
    out: HistogramOpt = None,
    force: ForceOpt = False,
    fmt: SimulateFormatOpt = SimulateFormat.text,
) -> None:
    """Monte Carlo over uncertain durations: finish and exposure percentiles, criticality, rules broken (exit 0, or 2 on bad input).

    P10/P50/P80/P90 of the finish and of exposure, the chance to finish by --by, each
    step's criticality index, the rules broken most often, a histogram."""
    from planner import api
    from planner.render.results import histogram, simulate_output

    if out is not None and out.suffix.lower() != ".png":
        raise refuse(f"--output: {out}: the histogram is written as a .png image")
    with writing(ctx, out, force=force) as files:
        loaded = scenario(packages, constraints, variant, sets)
        with progress_bar(runs) as progress:
            result = api.simulate(loaded, roadmap, runs, seed, workers, replan, progress)
        noted(result.roadmap.edits)
        text = simulate_output(result, fmt.value, by)
        if out is not None:
            files.write([(out, histogram(result, by))])
    emit(text)


@contextlib.contextmanager
def progress_bar(runs: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr while the runs go, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("simulating", total=runs)
        yield lambda done: bar.update(task, completed=done)


ContingencyTimeOpt = Annotated[
    float,
    time_limit_option("Seconds for the whole call, shared by the branches' searches."),
]
ContingencySeedOpt = Annotated[int, seed_option("Seed of the branches' searches.")]


@app.command()
def contingency(
    roadmap: RoadmapFileArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    fmt: SimulateFormatOpt = SimulateFormat.text,
    time_limit: ContingencyTimeOpt = 10.0,
    seed: ContingencySeedOpt = 0,
) -> None:
    """Each failure or outcome branch of a roadmap, planned from its trigger on (exit 0, or 2 on bad input).

    For every verification whose failure some step depends on, and every event outcome:
    when it is known, the contingent steps as planned with everything before held, what is
    reimposed or lapses and when, each party's exposure before and after, the finish, and
    the rules the branch's roadmap breaks."""
    from planner import api
    from planner.render.results import contingency_output

    loaded = scenario(packages, constraints, variant, sets)
    with answers():
        result = api.contingency(loaded, roadmap, None, time_limit, seed)
    noted(result.roadmap.edits)
    emit(contingency_output(result, fmt.value))
