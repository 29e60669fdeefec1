"""`repair`: the roadmap closest to a proposed one that keeps every hard rule."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from planner.cli.app import app, emit, interrupted, noted, scenario, writing
from planner.cli.options import (
    ConstraintsOpt,
    ForceOpt,
    PackagesOpt,
    PartialOpt,
    RepairFormat,
    RoadmapArg,
    SetOpt,
    VariantOpt,
    output_option,
    seed_option,
    time_limit_option,
)

RepairOutOpt = Annotated[
    Path | None,
    output_option("Write the repaired roadmap as a file `check` reads (.yaml, .json or .csv)."),
]
HeldOpt = Annotated[
    str | None,
    typer.Option(
        "--keep",
        help="Steps held where the roadmap has them (they already happened), comma-separated.",
    ),
]
HeldBeforeOpt = Annotated[
    int | None,
    typer.Option(
        "--keep-before",
        min=0,
        help="Hold every step the roadmap starts before this time (what already happened).",
    ),
]
RepairTimeOpt = Annotated[
    float,
    time_limit_option("Seconds for the whole call; then the closest repair found is printed."),
]
RepairSeedOpt = Annotated[int, seed_option("Solver seed: same output.")]
RepairFormatOpt = Annotated[RepairFormat, typer.Option("--format", help="Output format.")]


@app.command()
def repair(
    ctx: typer.Context,
    roadmap: RoadmapArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    out: RepairOutOpt = None,
    keep: HeldOpt = None,
    keep_before: HeldBeforeOpt = None,
    partial: PartialOpt = False,
    time_limit: RepairTimeOpt = 10.0,
    seed: RepairSeedOpt = 0,
    fmt: RepairFormatOpt = RepairFormat.table,
    force: ForceOpt = False,
) -> None:
    """The roadmap closest to ROADMAP that keeps every hard rule (exit 0 repaired or clean, 1 impossible with the held steps, 2 bad input).

    Every moved step, from, to and why."""
    from planner import api, interrupt
    from planner.render.results import repair_output
    from planner.roadmap.write import roadmap_doc, roadmap_text

    held = [n.strip() for n in (keep or "").split(",") if n.strip()]
    with writing(ctx, out, force=force) as files:
        loaded = scenario(packages, constraints, variant, sets)
        result = api.repair(loaded, roadmap, held, keep_before, partial, time_limit, seed)
        noted(result.roadmap.edits)
        if result.repair.status == "unknown" and interrupt.pressed():
            interrupted()  # Ctrl-C before any repaired roadmap was found
        text = repair_output(result, fmt.value)
        if not result.is_repaired:
            impossible(text, result.repair.notes)
        if out is not None:
            doc = roadmap_doc(loaded, result.repair.starts, result.repair.values)
            files.write([(out, roadmap_text(doc, out))])
    emit(text)


def impossible(text: str, notes: tuple[str, ...]) -> NoReturn:
    """No repair with the held steps (or none found in time): why, the notes on stderr,
    exit 1."""
    emit(text)
    for note in notes:
        typer.echo(note, err=True)
    raise typer.Exit(code=1)
