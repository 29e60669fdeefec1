"""The calls that search with CP-SAT: `plan`, `replan` (`plan --keep --as-of`), `repair`
and `explain`. ortools is imported only when one of them runs, so that importing the
library (and `planner --help`) does not pay for it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence

from planner.api.inputs import RoadmapLike, roadmap_of
from planner.api.results import RepairResult
from planner.errors import InputError, Mark, Problem
from planner.load.values import suggest
from planner.objectives import objective_order
from planner.roadmap import Roadmap
from planner.scenario import Scenario
from planner.solver.results import Conflict, PlanResult


def plan(
    scenario: Scenario,
    objectives: Sequence[str] | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    alternatives: int = 1,
    tolerance: float = 0.05,
    differ_by: int | None = None,
    stop: threading.Event | None = None,
    progress: Callable[[str], None] | None = None,
    runs: int | None = None,
) -> PlanResult:
    """Roadmaps that keep every hard rule, best first, or why none exists
    (`planner.solver.solve.plan`, which has every parameter). `objectives` defaults to
    the scenario's own order (`objectives:` in packages.yaml), else the built-in one;
    `differ_by` (how far apart an alternative's reversed relief packages open) to a
    quarter of a year; `time_limit` bounds the whole call. Set `stop` (from any thread)
    to end the search as Ctrl-C does: the best roadmap found so far comes back, marked
    `interrupted`. `progress` is told what the search is doing (a line of text; "" at
    the end). Each roadmap's finish comes with its P50 and P80 over `runs` simulated runs
    (`planner.whatif.risk`; 0: none) when the scenario is uncertain and the search was not
    stopped. `planner.render.results.plan_output` prints the answer as `planner plan`."""
    from planner.solver.solve import plan as solve

    goals = objective_order(scenario) if objectives is None else tuple(objectives)
    found = solve(
        scenario, goals, time_limit, seed, alternatives, tolerance, progress, differ_by, stop=stop
    )
    return with_risk(scenario, found, runs)


def with_risk(scenario: Scenario, result: PlanResult, runs: int | None = None) -> PlanResult:
    """The plan's answer with each roadmap's finish risk (`planner.whatif.risk`), unless
    the search was interrupted."""
    from dataclasses import replace

    from planner.whatif.risk import risk

    if result.interrupted or not result.candidates or runs == 0:
        return result
    found = tuple(replace(c, finish=risk(scenario, c.starts, runs)) for c in result.candidates)
    return replace(result, candidates=found)


def replan(
    scenario: Scenario,
    roadmap: RoadmapLike,
    as_of: int,
    objectives: Sequence[str] | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    name: str | None = None,
) -> PlanResult:
    """Re-plan mid-deal (`planner plan --keep ROADMAP --as-of T`): the best roadmap that
    keeps every step `roadmap` starts before `as_of` where it is and starts every other
    step at `as_of` or later. `name` is how the answer calls the roadmap (default: its
    path as given, or the name it was read under).

    Raises
    ------
    planner.errors.InputError
        When `roadmap` is a file that cannot be read against `scenario`.
    """
    from planner.solver.replan import replan as search

    read, source = roadmap_of(scenario, roadmap)
    goals = objective_order(scenario) if objectives is None else tuple(objectives)
    found = search(scenario, read.starts, as_of, goals, time_limit, seed, name or source)
    return with_risk(scenario, found)


def held_steps(
    scenario: Scenario,
    roadmap: Roadmap,
    keep: Collection[str] = (),
    keep_before: int | None = None,
) -> set[str]:
    """The steps `keep` names and those `roadmap` starts before `keep_before`.

    Raises
    ------
    planner.errors.InputError
        A name that is no step, or a step the roadmap does not schedule: one line each,
        `--keep: ...`, in the order given.
    """
    problems: list[Problem] = []
    held: set[str] = set()
    for i, name in enumerate(keep, 1):
        where = Mark("--keep", 0, i)  # (column: the place in the list; printed `--keep`)
        if name not in scenario.steps:
            problems.append(Problem(where, f"unknown step '{name}'{suggest(name, scenario.steps)}"))
        elif name not in roadmap.starts:
            problems.append(Problem(where, f"{name} is not in the roadmap, so it cannot be held"))
        else:
            held.add(name)
    if problems:
        raise InputError(problems)
    if keep_before is not None:
        held |= {s for s, t in roadmap.starts.items() if t < keep_before}
    return held


def repair(
    scenario: Scenario,
    roadmap: RoadmapLike,
    keep: Collection[str] = (),
    keep_before: int | None = None,
    partial: bool = False,
    time_limit: float = 10.0,
    seed: int = 0,
) -> RepairResult:
    """The roadmap closest to `roadmap` that keeps every hard rule (`planner repair`):
    the steps `keep` names, and those it starts before `keep_before`, are held where they
    are; `partial`: the steps it leaves out stay out. Every moved step, from, to and why
    (`planner.render.results.repair_output` prints it).

    Raises
    ------
    planner.errors.InputError
        When `roadmap` is a file that cannot be read against `scenario`, or `keep` names
        a step that is not in it.
    """
    from planner.solver.repair import repair as search

    read, source = roadmap_of(scenario, roadmap)
    held = held_steps(scenario, read, keep, keep_before)
    found = search(
        scenario,
        read.starts,
        sequence=read.sequence,
        keep=held,
        partial=partial,
        time_limit=time_limit,
        seed=seed,
        as_of=keep_before,
    )
    return RepairResult(scenario, read, found, source)


def explain(scenario: Scenario, time_limit: float = 10.0, seed: int = 0) -> Conflict | None:
    """A minimal set of hard rules that cannot all hold, or None when all can
    (`planner explain`)."""
    from planner.solver.explain import explain as find_conflict

    return find_conflict(scenario, time_limit, seed)
