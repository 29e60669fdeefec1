"""The finish with its risk, for every output that prints a finish date: the roadmap's own
finish and the P50 and P80 of `planner simulate`'s runs (holding the roadmap's order, seed
0), so `plan`, `report`, `brief` and the chart print the same three numbers for the same
roadmap. Nothing is simulated when the scenario gives no estimate (the finish is then
certain: `risk` answers None).

The runs are `RUNS`, fewer on large deals (at most `BUDGET` step-runs, never fewer than
`MIN_RUNS`), so a 10,000-step report does not spend minutes on its percentiles; the
number of runs is printed beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.scenario import Scenario

#: Runs behind the percentiles printed beside a finish.
RUNS = 500
#: At most this many step-runs (steps × runs) for them...
BUDGET = 200_000
#: ... but never fewer runs than this.
MIN_RUNS = 20


@dataclass(frozen=True, slots=True)
class Finish:
    """A roadmap's finish (`planned`: its last done time) and the P50 and P80 of the last
    done time over `runs` simulated runs (seed `seed`)."""

    planned: int
    p50: int
    p80: int
    runs: int
    seed: int = 0


def runs_for(num_steps: int) -> int:
    """How many runs a roadmap of `num_steps` steps gets (see the module)."""
    return max(MIN_RUNS, min(RUNS, BUDGET // max(1, num_steps)))


def is_uncertain(scenario: Scenario, starts: Mapping[str, int]) -> bool:
    """Some duration or verification time of the roadmap is uncertain, or some
    verification may fail."""
    from planner.whatif.simulate import risks

    for r in risks(scenario, list(starts)).values():
        if r.duration.uncertain or r.fails > 0 or (r.verify is not None and r.verify.uncertain):
            return True
    return False


def risk(
    scenario: Scenario, starts: Mapping[str, int], runs: int | None = None, seed: int = 0
) -> Finish | None:
    """The finish of the roadmap `starts` with its P50 and P80 (`runs`: default
    `runs_for` its size; 0 simulates nothing); None when nothing is uncertain, the
    roadmap is empty or `runs` is 0."""
    if not starts or runs == 0 or not is_uncertain(scenario, starts):
        return None
    from planner.whatif.simulate import quantiles, simulate

    found = simulate(scenario, starts, runs or runs_for(len(starts)), seed)
    q = quantiles(found.last_done)
    return Finish(found.planned_last, q[50], q[80], found.runs, seed)
