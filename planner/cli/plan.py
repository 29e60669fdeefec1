"""`plan` and `explain`: the commands that search. Nothing here imports ortools until the
search runs."""

from __future__ import annotations

import json
import sys
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
    finite,
    interrupted,
    protected,
    refuse,
    scenario,
    seed_option,
    time_limit_option,
)
from planner.limits import MAX_TIME

if TYPE_CHECKING:
    from planner.output import Protected
    from planner.scenario import Scenario
    from planner.solver.results import PlanResult


class PlanFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    yaml = "yaml"


@app.command()
def plan(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective",
            help="Objectives in priority order, comma-separated, minimized lexicographically: "
            "penalty (soft rules), makespan, exposure, goodwill. Default: the scenario's "
            "`objectives`, else penalty,makespan,exposure,goodwill.",
        ),
    ] = None,
    alternatives: Annotated[
        int,
        typer.Option(
            "--alternatives",
            "-k",
            min=1,
            max=50,
            help="How many roadmaps to propose; each further one opens two relief packages "
            "the other way round (see --differ-by) or includes other optional packages.",
        ),
    ] = 1,
    differ_by: Annotated[
        int | None,
        typer.Option(
            "--differ-by",
            min=1,
            max=MAX_TIME,
            metavar="T",
            help="How far apart (in the scenario's unit) the two relief packages an "
            "alternative reverses must open. Default: a quarter (13 weeks, 91 days, 3 months).",
        ),
    ] = None,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            min=0.0,
            max=10.0,
            callback=finite,
            help="Alternatives stay within this fraction of the best first objective.",
        ),
    ] = 0.05,
    time_limit: Annotated[
        float,
        time_limit_option(
            "Seconds for the whole call; then the best roadmap found is printed with its gap."
        ),
    ] = 10.0,
    seed: Annotated[
        int,
        seed_option("Solver seed: same inputs and seed, same output."),
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
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            dir_okay=False,
            help="Also write the best roadmap's report (`planner report`): .html or .md.",
        ),
    ] = None,
    force: ForceOpt = False,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep",
            dir_okay=False,
            help="Re-plan mid-deal: a roadmap whose steps that started before --as-of stay "
            "where they are; the rest is planned from --as-of on.",
        ),
    ] = None,
    as_of: Annotated[
        int | None,
        typer.Option(
            "--as-of", min=0, max=MAX_TIME, help="With --keep: the time the deal has reached."
        ),
    ] = None,
) -> None:
    """Propose roadmaps that keep every hard rule (exit 0), or say why none exists (exit 1)."""
    from planner.objectives import objective_order, parse_objectives

    if (keep is None) != (as_of is None):
        raise refuse("--keep and --as-of go together: --keep ROADMAP --as-of T")
    if keep is not None and alternatives > 1:
        raise refuse("--alternatives: re-planning with --keep proposes one roadmap")
    loaded = scenario(packages, constraints, variant, sets)
    try:
        objectives = objective_order(loaded) if objective is None else parse_objectives(objective)
    except ValueError as exc:
        raise refuse(f"--objective: {exc}") from None
    inputs = [keep] if keep is not None else []
    guard = protected(packages, constraints, *inputs) if out is not None or report else None
    if report is not None:
        from planner.cli.outputs import REPORT_SUFFIXES, format_of

        format_of(report, None, REPORT_SUFFIXES, "--report")  # a bad suffix: before the search
    if keep is not None and as_of is not None:
        from planner.cli.core import roadmap_of
        from planner.solver.replan import replan

        kept = roadmap_of(keep, loaded)
        result = replan(loaded, kept.starts, as_of, objectives, time_limit, seed, str(keep))
        _print_plan(loaded, result, fmt, out, guard, force, report)
        return
    from planner.solver.solve import plan as make_plan

    progress = _progress_line if sys.stderr.isatty() else None
    result = make_plan(
        loaded, objectives, time_limit, seed, alternatives, tolerance, progress, differ_by
    )
    _print_plan(loaded, result, fmt, out, guard, force, report)


def _progress_line(text: str) -> None:
    sys.stderr.write("\r" + text.ljust(60) + ("\r" if not text else ""))
    sys.stderr.flush()


def _write_roadmaps(
    loaded: Scenario,
    result: PlanResult,
    out: Path | None,
    guard: Protected,
    force: bool,
    report: Path | None = None,
) -> None:
    """The best roadmap to `out`, each alternative beside it (`NAME.alt2.yaml`, ...), and
    the best one's report to `report`, all or none; alternatives left from an earlier run
    are named on stderr."""
    from planner.output import stale_siblings, write_outputs
    from planner.roadmap.write import alternative_paths, roadmap_doc, roadmap_text

    paths = alternative_paths(out, len(result.candidates)) if out is not None else []
    texts = [
        roadmap_text(roadmap_doc(loaded, cand.starts, cand.values), path)
        for path, cand in zip(paths, result.candidates, strict=False)
    ]
    outputs = list(zip(paths, texts, strict=True))
    if report is not None:
        from planner.cli.outputs import REPORT_SUFFIXES, format_of, report_text

        best = result.candidates[0]
        fmt = format_of(report, None, REPORT_SUFFIXES, "--report")
        name = out.name if out is not None else "the best roadmap of `planner plan`"
        outputs.append((report, report_text(loaded, best.starts, best.report, fmt, name)))
    with answers():
        write_outputs(outputs, guard, force)
    if out is None:
        return
    stale = stale_siblings(paths, out)
    if stale:
        typer.echo(
            f"note: {', '.join(str(p) for p in stale)} "
            f"{'is' if len(stale) == 1 else 'are'} left from an earlier run (not this plan)",
            err=True,
        )


def _print_plan(
    loaded: Scenario,
    result: PlanResult,
    fmt: PlanFormat,
    out: Path | None,
    guard: Protected | None,
    force: bool,
    report: Path | None = None,
) -> None:
    from planner import interrupt
    from planner.render import plan as render

    if result.status == "interrupted" or (result.status == "unknown" and interrupt.pressed()):
        interrupted()  # Ctrl-C before any roadmap was found
    if result.status == "infeasible":
        assert result.conflict is not None
        emit(render.conflict_text(loaded, result.conflict))
        raise typer.Exit(code=1)
    if result.status == "unknown":
        for note in result.notes:
            typer.echo(note, err=True)
        raise typer.Exit(code=1)
    # Everything is rendered before any file is written: a roadmap that cannot be shown
    # is not written either.
    if fmt is PlanFormat.json:
        text = json.dumps(render.plan_doc(loaded, result), indent=2, ensure_ascii=False)
    elif fmt is PlanFormat.yaml:
        import yaml

        doc = render.plan_doc(loaded, result)
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    else:
        tablefmt = "github" if fmt is PlanFormat.markdown else "simple"
        text = render.plan_text(loaded, result, tablefmt)
    if (out is not None or report is not None) and guard is not None:
        _write_roadmaps(loaded, result, out, guard, force, report)
    emit(text)


@app.command()
def explain(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    time_limit: Annotated[
        float,
        time_limit_option("Seconds for the search."),
    ] = 10.0,
    seed: Annotated[int, seed_option("Solver seed.")] = 0,
) -> None:
    """Say which rules collide when no roadmap exists (exit 1), or that all can hold (exit 0)."""
    loaded = scenario(packages, constraints, variant, sets)
    from planner.render.plan import conflict_text
    from planner.solver.explain import explain as find_conflict

    conflict = find_conflict(loaded, time_limit, seed)
    if conflict is None:
        emit(f"{loaded.name}: every hard rule can hold together; `planner plan` finds a roadmap.")
        return
    emit(conflict_text(loaded, conflict))
    raise typer.Exit(code=1)
