"""Planning: on the default scenario, objective values measured the checker's way agree
with the solver's, objective names are checked, the greedy schedule keeps the hard rules;
above the small-model threshold, plans are reproducible and the greedy schedule is the
answer (with honest bounds) when no solve gets any time."""

from __future__ import annotations

import pytest

from planner.api import load_scenario
from planner.check import check
from planner.objectives import measure, parse_objectives
from planner.scenario import Scenario
from planner.schedule.bounds import makespan_bound
from planner.schedule.greedy import greedy_schedule
from planner.solver import solve as solve_module
from planner.solver.solve import plan
from tests.helpers import Maker, rule, step


def test_measured_values_agree_with_the_solver() -> None:
    scenario = load_scenario()
    result = plan(scenario)
    best = result.candidates[0]
    assert best.origin == "optimal"
    assert (
        measure(scenario, best.starts, check(scenario, best.starts), result.objectives)
        == best.values
    )


def test_the_makespan_bound_is_reached_on_the_default() -> None:
    """The default's makespan (week 55) is its critical path: the gate (12), the graduated
    licences two weeks apart (potash 20, EVs 22, aviation parts 24), the end-use checks
    (done 28), the leasing licence (done 29) and the firms' joint ventures half a year later."""
    scenario = load_scenario()
    scheduled = [s for s in scenario.steps if s not in scenario.forbidden()]
    assert makespan_bound(scenario, scheduled) == 55
    assert plan(scenario, ("makespan",)).candidates[0].values["makespan"] == 55


def test_the_greedy_hint_keeps_every_hard_rule_of_the_default() -> None:
    scenario = load_scenario()
    scheduled = [s for s in scenario.steps if s not in scenario.forbidden()]
    greedy = greedy_schedule(scenario, scheduled)
    assert greedy.keeps_every_rule
    assert check(scenario, greedy.starts).is_clean


@pytest.mark.parametrize("text", ["", "speed", "makespan,speed"])
def test_unknown_objectives_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unknown objective"):
        parse_objectives(text)


def test_objectives_keep_their_order_without_repeats() -> None:
    assert parse_objectives("exposure, makespan,exposure") == ("exposure", "makespan")


def test_exposure_above_one_curves_own_floor_is_found(make: Maker) -> None:
    """Two balance curves: r0 (soft) peaks at 2 (s1's value, never answered), r1 only
    falls (s1 answers it). The exposure objective takes 2 off both curves from week 0 on;
    r1's floor must allow that, or the stage is wrongly 'infeasible'. (Found by the repair
    property test.)"""
    s = make(
        [step("s0", 0), step("s1", 0, value=2, after=["s0"]), step("s2", 0, after=["s1"])],
        [
            rule("balance", "r0", ahead=["s0", "s1"], behind=["s0"], margin=0, soft=True),
            rule("balance", "r1", ahead=["s0"], behind=["s1"], margin=0),
        ],
    )
    result = plan(s)
    assert result.status == "found"
    assert result.candidates[0].values["exposure"] == 2


def medium(make: Maker, packages: int = 30, seats: int = 6) -> Scenario:
    """`packages` packages of a verified commitment, a dialogue (`seats` at once), a relief
    step the commitment answers and a measure; one balance rule (margin 2) over all relief.
    32 packages: 128 steps, above the small-model threshold."""
    steps, relief, verified = [], [], []
    for p in range(packages):
        pk = f"p{p}"
        steps += [
            step(
                f"{pk}-by", 1 + p % 3, actor="BY", kind="commitment", value=2, verify=1, package=pk
            ),
            step(f"{pk}-talks", 2 + p % 2, actor="PL", kind="dialogue", package=pk),
            step(f"{pk}-relief", 1, value=2, after=[f"{pk}-talks"], package=pk),
            step(
                f"{pk}-measure", 1, actor="PL", kind="measure", after=[f"{pk}-relief"], package=pk
            ),
        ]
        relief.append(f"{pk}-relief")
        verified.append(f"{pk}-by")
    rules = [
        rule("capacity", "seats", steps={"kind": "dialogue"}, max=seats),
        rule("balance", "lev", ahead=relief, behind=verified, margin=2),
    ]
    rules += [
        rule("reciprocity", f"p{p}-for", give=[f"p{p}-relief"], get=[f"p{p}-by"])
        for p in range(packages)
    ]
    return make(steps, rules)


def test_plan_above_the_small_threshold_is_reproducible(make: Maker) -> None:
    """121 steps and more: one worker from a complete hint; the same roadmap twice."""
    scenario = medium(make, 32, seats=32)  # seats enough: the critical path is the optimum
    first, second = plan(scenario), plan(scenario)
    assert first.candidates[0].origin == "optimal"  # proven: no time limit cut it
    assert first.candidates[0].starts == second.candidates[0].starts
    assert first.candidates[0].values == second.candidates[0].values
    assert check(scenario, first.candidates[0].starts).is_clean


def test_with_no_time_for_a_solve_the_greedy_schedule_is_the_answer(
    make: Maker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every stage finds no time left: the greedy schedule is returned (it keeps every
    rule), its makespan bound the critical-path bound, never 0."""
    monkeypatch.setattr(solve_module, "MIN_STAGE", 1e9)
    scenario = medium(make, 32)
    scheduled = [s for s in scenario.steps if s not in scenario.forbidden()]
    result = plan(scenario, ("makespan", "exposure"))
    assert result.status == "found"
    best = result.candidates[0]
    assert best.origin == "greedy"
    assert best.report is not None and best.report.is_clean
    assert best.bounds["makespan"] == makespan_bound(scenario, scheduled) > 0
    assert best.values["makespan"] >= best.bounds["makespan"]
