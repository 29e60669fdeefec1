"""What-if calls: `diff` (two roadmaps, or the plans of two variants) and `simulate`
(Monte Carlo over uncertain durations). numpy and ortools are imported only when they
run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from planner.api.inputs import RoadmapLike, roadmap_of
from planner.api.results import DiffResult, NoPlan, SimulateResult
from planner.api.search import plan
from planner.errors import Problem
from planner.objectives import objective_order
from planner.scenario import Scenario

#: The word that stands for "the plan of this side's scenario" instead of a roadmap.
PLAN = "plan"


def diff(
    a: RoadmapLike,
    b: RoadmapLike,
    scenario_a: Scenario,
    scenario_b: Scenario | None = None,
    objectives: Sequence[str] | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
) -> DiffResult:
    """What changed from roadmap `a` to roadmap `b` (`planner diff A B`), each read
    against its scenario (B's defaults to A's). A side that is `"plan"` is the plan of
    its scenario, with `objectives` (default: that scenario's), `time_limit` and `seed`;
    when it finds no roadmap, the result says why instead (`no_plan`).

    Raises
    ------
    planner.errors.InputError
        When a roadmap file cannot be read against its scenario.
    """
    from planner.whatif.diff import Side, same_unit, side
    from planner.whatif.diff import diff as compare

    same_unit(scenario_a, scenario_b or scenario_a)  # before either side is planned
    sides: list[Side] = []
    edits: list[Problem] = []
    for given, scenario in ((a, scenario_a), (b, scenario_b or scenario_a)):
        if isinstance(given, str) and given == PLAN:
            goals = objective_order(scenario) if objectives is None else tuple(objectives)
            result = plan(scenario, goals, time_limit, seed)
            if result.status != "found":
                return DiffResult(None, NoPlan(scenario, result), tuple(edits))
            sides.append(side("the plan", scenario, dict(result.candidates[0].starts)))
            continue
        read, name = roadmap_of(scenario, given)
        edits += read.edits
        sides.append(side(name, scenario, read.starts))
    return DiffResult(compare(sides[0], sides[1]), None, tuple(edits))


def simulate(
    scenario: Scenario,
    roadmap: RoadmapLike,
    runs: int = 1000,
    seed: int = 0,
    workers: int = 1,
    replan: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SimulateResult:
    """`runs` runs of the roadmap over the scenario's uncertain durations (`planner
    simulate`): finish and exposure percentiles, criticality, rules broken
    (`planner.whatif.simulate.simulate`, which has every parameter;
    `planner.render.results.simulate_output` prints it).

    Raises
    ------
    planner.errors.InputError
        When `roadmap` is a file that cannot be read against `scenario`.
    """
    from planner.whatif.simulate import simulate as run

    read, source = roadmap_of(scenario, roadmap)
    found = run(scenario, read.starts, runs, seed, workers, replan, progress)
    return SimulateResult(scenario, read, found, source)
