"""`repair`: the roadmap closest to a proposed one that keeps every hard rule."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

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
    interrupted,
    protected,
    refuse,
    scenario,
    seed_option,
    time_limit_option,
)
from planner.cli.core import PartialOpt, RoadmapArg, roadmap_of


class RepairFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    yaml = "yaml"


def held_steps(
    keep: str | None, keep_before: int | None, starts: dict[str, int], steps: dict[str, object]
) -> set[str]:
    """The steps `--keep` and `--keep-before` hold (bad names exit 2, one line each)."""
    from planner.load.values import suggest

    held: set[str] = set()
    problems = []
    for name in (n.strip() for n in (keep or "").split(",") if n.strip()):
        if name not in steps:
            problems.append(f"--keep: unknown step '{name}'{suggest(name, steps)}")
        elif name not in starts:
            problems.append(f"--keep: {name} is not in the roadmap, so it cannot be held")
        else:
            held.add(name)
    if problems:
        for line in problems:
            typer.echo(line, err=True)
        raise typer.Exit(code=2)
    if keep_before is not None:
        held |= {s for s, t in starts.items() if t < keep_before}
    return held


@app.command()
def repair(
    roadmap: RoadmapArg,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write the repaired roadmap as a file `check` reads (.yaml, .json or .csv).",
        ),
    ] = None,
    keep: Annotated[
        str | None,
        typer.Option(
            "--keep",
            help="Steps held where the roadmap has them (they already happened), comma-separated.",
        ),
    ] = None,
    keep_before: Annotated[
        int | None,
        typer.Option(
            "--keep-before",
            min=0,
            help="Hold every step the roadmap starts before this time (what already happened).",
        ),
    ] = None,
    partial: PartialOpt = False,
    time_limit: Annotated[
        float,
        time_limit_option("Seconds for the whole call; then the closest repair found is printed."),
    ] = 10.0,
    seed: Annotated[int, seed_option("Solver seed: same output.")] = 0,
    fmt: Annotated[
        RepairFormat, typer.Option("--format", help="Output format.")
    ] = RepairFormat.table,
    force: ForceOpt = False,
) -> None:
    """The roadmap closest to ROADMAP that keeps every hard rule (exit 0 repaired or clean, 1 impossible with the held steps, 2 bad input).

    Every moved step, from, to and why."""
    loaded = scenario(packages, constraints, variant, sets)
    read = roadmap_of(roadmap, loaded)
    held = held_steps(keep, keep_before, read.starts, dict(loaded.steps))
    guard = protected(packages, constraints, roadmap) if out is not None else None
    from planner.solver.repair import repair as find_repair

    result = find_repair(
        loaded,
        read.starts,
        sequence=read.sequence,
        keep=held,
        partial=partial,
        time_limit=time_limit,
        seed=seed,
        as_of=keep_before,
    )
    from planner import interrupt
    from planner.render.repair import repair_doc, repair_text

    if result.status == "unknown" and interrupt.pressed():
        interrupted()  # Ctrl-C before any repaired roadmap was found
    source = str(roadmap)
    if fmt is RepairFormat.json:
        text = json.dumps(repair_doc(loaded, result, source), indent=2, ensure_ascii=False)
    elif fmt is RepairFormat.yaml:
        import yaml

        doc = repair_doc(loaded, result, source)
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    else:
        tablefmt = "github" if fmt is RepairFormat.markdown else "simple"
        text = repair_text(loaded, result, source, tablefmt)
    if result.status in ("infeasible", "unknown"):
        emit(text)
        for note in result.notes:
            typer.echo(note, err=True)
        raise typer.Exit(code=1)
    if out is not None and guard is not None:
        from planner.output import write_outputs
        from planner.roadmap.write import roadmap_doc, roadmap_text

        doc = roadmap_doc(loaded, result.starts, result.values)
        with answers():
            write_outputs([(out, roadmap_text(doc, out))], guard, force)
    if not result.starts:
        raise refuse(f"{roadmap}: nothing to write")  # pragma: no cover - repaired has starts
    emit(text)
