"""What-if commands: `diff` (two roadmaps, or the plans of two variants) and `simulate`
(Monte Carlo over uncertain durations). Thin: options, one library call, a renderer."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import (
    ConstraintsOpt,
    ForceOpt,
    PackagesOpt,
    SetOpt,
    VariantOpt,
    answers,
    app,
    emit,
    protected,
    refuse,
    scenario,
    seed_option,
    time_limit_option,
)

if TYPE_CHECKING:
    from planner.scenario import Scenario

#: The word that stands for "the plan of this side's scenario" instead of a roadmap file.
PLAN = "plan"


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="Roadmap A (a file `check` reads), or `plan`.")],
    b: Annotated[str, typer.Argument(help="Roadmap B, or `plan` (of B's scenario).")],
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    b_variant: Annotated[
        list[Path] | None,
        typer.Option(
            "--b-variant",
            dir_okay=False,
            help="A variant file for B's scenario only, on top of --variant/--set (repeatable).",
        ),
    ] = None,
    b_set: Annotated[
        list[str] | None,
        typer.Option(
            "--b-set",
            help="A --set expression for B's scenario only (repeatable): e.g. "
            "'*:verify.duration*=2'.",
        ),
    ] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", help="Output format.")] = DiffFormat.text,
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective",
            help="For a side that is `plan`: the objectives, as in plan (default: that "
            "side's scenario's `objectives`, else penalty,makespan,exposure,goodwill).",
        ),
    ] = None,
    time_limit: Annotated[
        float,
        time_limit_option("For a side that is `plan`: seconds for its plan."),
    ] = 10.0,
    seed: Annotated[int, seed_option("For a side that is `plan`.")] = 0,
) -> None:
    """What changed from roadmap A to roadmap B, read aloud, as a table or JSON (exit 0; 1 when a side is `plan` and none exists; 2 bad input).

    Steps moved, added or left out, packages reordered, rules broken or tight, finish and
    exposure."""
    from planner.objectives import objective_order, parse_objectives
    from planner.render.diff import diff_json, diff_text
    from planner.whatif.diff import diff as compare
    from planner.whatif.diff import same_unit, side

    try:
        asked = parse_objectives(objective) if objective is not None else None
    except ValueError as exc:
        raise refuse(f"--objective: {exc}") from None
    scenario_a = scenario(packages, constraints, variant, sets)
    scenario_b = scenario_a
    if b_variant or b_set:
        scenario_b = scenario(
            packages,
            constraints,
            [*(variant or ()), *(b_variant or ())],
            [*(sets or ()), *(b_set or ())],
        )
    with answers():
        same_unit(scenario_a, scenario_b)
    sides = []
    for text, loaded in ((a, scenario_a), (b, scenario_b)):
        name = "the plan" if text == PLAN else text
        objectives = asked if asked is not None else objective_order(loaded)
        starts = _starts(text, loaded, objectives, time_limit, seed)
        sides.append(side(name, loaded, starts))
    found = compare(sides[0], sides[1])
    if fmt is DiffFormat.json:
        emit(diff_json(found))
    else:
        emit(diff_text(found, "github" if fmt is DiffFormat.markdown else "simple"))


def _starts(
    text: str, loaded: Scenario, objectives: tuple[str, ...], time_limit: float, seed: int
) -> dict[str, int]:
    """The starts of a roadmap file, or of the plan of `loaded` (no plan: why not, exit 1)."""
    if text != PLAN:
        from planner.cli.core import roadmap_of

        return roadmap_of(Path(text), loaded).starts
    from planner.render.plan import conflict_text
    from planner.solver.solve import plan

    result = plan(loaded, objectives, time_limit, seed)
    if result.status != "found":
        if result.conflict is not None:
            emit(conflict_text(loaded, result.conflict))
        for note in result.notes:
            typer.echo(note, err=True)
        raise typer.Exit(code=1)
    return dict(result.candidates[0].starts)


class SimulateFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def simulate(
    roadmap: Annotated[
        Path, typer.Argument(help="Roadmap file (YAML, JSON or CSV), e.g. from `plan -o`.")
    ],
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    runs: Annotated[
        int, typer.Option("--runs", min=1, max=10_000_000, help="How many runs.")
    ] = 1000,
    seed: Annotated[
        int,
        seed_option(
            "Seed of the draws: the same seed, the same runs on any machine and with any --workers."
        ),
    ] = 0,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=256, help="Local processes for the runs.")
    ] = 1,
    by: Annotated[
        int | None,
        typer.Option(
            "--by",
            min=0,
            help="The probability of finishing by this time (default: the roadmap's own finish).",
        ),
    ] = None,
    replan: Annotated[
        bool,
        typer.Option(
            "--replan",
            help="Re-plan each run with its drawn times (CP-SAT) instead of holding the "
            "roadmap's order.",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write the histogram as a PNG image."),
    ] = None,
    force: ForceOpt = False,
    fmt: Annotated[
        SimulateFormat, typer.Option("--format", help="Report format.")
    ] = SimulateFormat.text,
) -> None:
    """Monte Carlo over uncertain durations: finish and exposure percentiles, criticality, rules broken (exit 0, or 2 on bad input).

    P10/P50/P80/P90 of the finish and of exposure, the chance to finish by --by, each
    step's criticality index, the rules broken most often, a histogram."""
    import sys

    from planner.cli.core import roadmap_of
    from planner.whatif.simulate import simulate as run_simulation

    if out is not None and out.suffix.lower() != ".png":
        raise refuse(f"--output: {out}: the histogram is written as a .png image")
    loaded = scenario(packages, constraints, variant, sets)
    read = roadmap_of(roadmap, loaded)
    guard = protected(packages, constraints, roadmap) if out is not None else None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("simulating", total=runs)
            result = run_simulation(
                loaded, read.starts, runs, seed, workers, replan,
                lambda done: bar.update(task, completed=done),
            )  # fmt: skip
    else:
        result = run_simulation(loaded, read.starts, runs, seed, workers, replan)
    from planner.render.simulate import histogram_png, simulation_json, simulation_text

    source = str(roadmap)
    text = (
        simulation_json(loaded, result, source, by)
        if fmt is SimulateFormat.json
        else simulation_text(loaded, result, source, by)
    )
    if out is not None and guard is not None:
        from planner.output import write_outputs

        image = histogram_png(loaded, result, source, by)
        with answers():
            write_outputs([(out, image)], guard, force)
    emit(text)
