"""The library face: what a notebook user calls, also importable from `planner` itself.

    import planner
    scenario = planner.load_scenario()                 # the embedded Belarus default
    result = planner.plan(scenario)                    # CP-SAT: best roadmap first
    report = planner.check(scenario, result.candidates[0].starts)
    print(planner.report_text(report, scenario))

The command line (`planner.cli`) is a thin layer over these functions.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import planner.load.cache as cache
from planner.check import Report, check
from planner.load import build_scenario, read_inputs, read_overlay
from planner.load.files import gc_paused
from planner.objectives import objective_order
from planner.render.plan import conflict_text, plan_doc, plan_text, scenario_summary
from planner.render.report import report_json, report_text
from planner.render.timeline import timeline
from planner.roadmap import Roadmap, read_roadmap
from planner.scenario import Scenario
from planner.solver.results import Conflict, PlanResult

__all__ = [
    "Report",
    "Roadmap",
    "Scenario",
    "check",
    "conflict_text",
    "explain",
    "load_roadmap",
    "load_scenario",
    "plan",
    "plan_doc",
    "plan_text",
    "report_json",
    "report_text",
    "scenario_summary",
    "timeline",
]


@gc_paused
def load_scenario(
    packages: Path | None = None,
    constraints: Path | None = None,
    variants: Sequence[Path] = (),
    sets: Sequence[str] = (),
) -> Scenario:
    """Load and validate a scenario; the embedded default for whatever is not given.

    `variants` (variant files) and `sets` (`--set` expressions) change it before it is
    validated (`planner.load.variants`); the scenario says which changes they made
    (`Scenario.variant`, `Scenario.changes`).

    A large scenario is kept in the scenario cache (`planner.load.cache`) with the facts of the
    scenario alone (`Scenario.prepare`) worked out, and read back from it while its files
    (and its variant) are unchanged.

    Raises
    ------
    planner.errors.InputError
        With every problem in every file, each located (bad variants and `--set`
        expressions among them).
    """
    inputs = read_inputs(packages, constraints)
    overlay, problems = read_overlay(variants, sets)
    if problems:
        inputs = replace(inputs, problems=inputs.problems + tuple(problems))
    key = None if inputs.problems else cache.key([*inputs.files, *overlay.key_parts()])
    cached = cache.get(key)
    if cached is not None:
        return cached
    scenario = build_scenario(inputs, overlay).prepare()
    cache.put(key, scenario)
    return scenario


def load_roadmap(path: Path, scenario: Scenario) -> Roadmap:
    """The roadmap in a file (YAML or JSON with start times or a sequence, or CSV).

    Raises
    ------
    planner.errors.InputError
        Unknown or repeated steps, bad times, malformed files.
    """
    return read_roadmap(path, scenario)


def plan(
    scenario: Scenario,
    objectives: Sequence[str] | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    alternatives: int = 1,
    tolerance: float = 0.05,
    differ_by: int | None = None,
    stop: threading.Event | None = None,
) -> PlanResult:
    """Roadmaps that keep every hard rule, best first, or why none exists
    (`planner.solver.solve.plan`, which has every parameter). `objectives` defaults to
    the scenario's own order (`objectives:` in packages.yaml), else the built-in one;
    `differ_by` (how far apart an alternative's reversed relief packages open) to a
    quarter of a year; `time_limit` bounds the whole call. Set `stop` (from any thread)
    to end the search as Ctrl-C does: the best roadmap found so far comes back, marked
    `interrupted`."""
    from planner.solver.solve import plan as solve

    goals = objective_order(scenario) if objectives is None else tuple(objectives)
    return solve(
        scenario, goals, time_limit, seed, alternatives, tolerance, differ_by=differ_by, stop=stop
    )


def explain(scenario: Scenario, time_limit: float = 10.0, seed: int = 0) -> Conflict | None:
    """A minimal set of hard rules that cannot all hold, or None when all can."""
    from planner.solver.explain import explain as find_conflict

    return find_conflict(scenario, time_limit, seed)
