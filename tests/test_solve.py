"""Planning on the default scenario: objective values, measured the checker's way, agree
with the solver's; objective names are checked; the greedy hint keeps the hard rules."""

from __future__ import annotations

import pytest

from planner.api import load_scenario
from planner.check import check
from planner.objectives import measure, parse_objectives
from planner.solver.bounds import makespan_bound
from planner.solver.greedy import greedy_schedule
from planner.solver.solve import plan


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
    """The default's makespan (week 45) is its critical path: the fund and IFI chains."""
    scenario = load_scenario()
    scheduled = [s for s in scenario.steps if s not in scenario.forbidden()]
    assert makespan_bound(scenario, scheduled) == 45
    assert plan(scenario, ("makespan",)).candidates[0].values["makespan"] == 45


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
