"""What-if calls: `diff` (two roadmaps, or the plans of two variants), `simulate`
(Monte Carlo over uncertain durations) and `contingency` (each branch of the deal,
planned from its trigger). numpy and ortools are imported only when they
run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from planner.api.inputs import RoadmapLike, roadmap_of
from planner.api.results import ContingencyResult, DiffResult, NoPlan, SimulateResult
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


def contingency(
    scenario: Scenario,
    roadmap: RoadmapLike,
    objectives: Sequence[str] | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
) -> ContingencyResult:
    """Each contingency of a roadmap (`planner contingency ROADMAP`): for every
    verification whose failure (or pass) and every event outcome some step depends on,
    the branch planned from the moment the outcome is known, everything before it held
    (`planner.whatif.contingency`). `time_limit` is shared by the branches' searches.

    Raises
    ------
    planner.errors.InputError
        When `roadmap` is a file that cannot be read against `scenario`.
    """
    import time

    from planner.check import check
    from planner.solver.replan import replan
    from planner.whatif import contingency as c

    read, source = roadmap_of(scenario, roadmap)
    starts = read.starts
    goals = objective_order(scenario) if objectives is None else tuple(objectives)
    main_report = check(scenario, starts)
    found = [t for t in c.triggers(scenario) if t.step in starts]
    skipped = tuple(t for t in c.triggers(scenario) if t.step not in starts)
    end = time.monotonic() + time_limit
    branches = []
    for k, trigger in enumerate(found):
        branch, dropped = c.branch_scenario(scenario, trigger, starts)
        at = c.known_at(scenario, starts, trigger.step)
        kept = {s: t for s, t in starts.items() if s in branch.steps}
        share = max(0.5, (end - time.monotonic()) / (len(found) - k))
        result = replan(branch, kept, at, goals, share, seed, source)
        left = tuple(s for s in starts if s not in branch.steps)
        added = tuple(s for s in branch.steps if s not in scenario.steps)
        held = tuple(s for s, t in kept.items() if t < at)
        if result.status != "found":
            why = "; ".join(result.notes) or (
                "no roadmap keeps every hard rule with what happened held"
                if result.status == "infeasible"
                else "no roadmap found in the time limit"
            )
            branches.append(
                c.Branch(trigger, at, held, added, left, result.status, None, None, (), (),
                         main_report.summary.last_time, None, why, branch)
            )  # fmt: skip
            continue
        bstarts = dict(result.candidates[0].starts)
        report = check(branch, bstarts)
        branches.append(
            c.Branch(
                trigger,
                at,
                held,
                added,
                tuple(dict.fromkeys((*dropped, *left))),
                "found",
                bstarts,
                report,
                tuple(c.force_changes(scenario, starts, branch, bstarts)),
                tuple(c.exposures(scenario, starts, branch, bstarts)),
                main_report.summary.last_time,
                report.summary.last_time,
                scenario=branch,
                moved=tuple(s for s, t in starts.items() if s in bstarts and bstarts[s] != t),
            )
        )
    return ContingencyResult(scenario, read, tuple(branches), skipped, source)
