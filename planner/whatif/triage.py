"""What to change first: the summary that opens a check report with violations.

The violations by kind, the steps that take part in most of them, and the size of the
closest repair (`planner repair`: the roadmap nearest to this one that keeps every hard
rule). Sizing the repair needs the solver: it runs only for a roadmap with violations
(a clean check never loads ortools), for a few seconds, and only on deals of up to
`MAX_STEPS` steps; beyond that the summary says to run `planner repair`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.check import Report
from planner.scenario import Scenario
from planner.solver.results import Repair

#: Steps named as taking part in most violations.
HOT_STEPS = 5
#: Seconds the summary may spend sizing the closest repair.
REPAIR_SECONDS = 3.0
#: Deals larger than this are not sized (the search would take longer than a check).
MAX_STEPS = 2_000


@dataclass(frozen=True, slots=True)
class Triage:
    """The summary block of a check report; `repair` is None when it was not sized."""

    by_kind: tuple[tuple[str, int], ...]
    hot_steps: tuple[tuple[str, int], ...]
    repair: Repair | None


def triage(
    scenario: Scenario,
    starts: Mapping[str, int],
    report: Report,
    partial: bool = False,
    sequence: Sequence[str] | None = None,
    size_repair: bool = True,
) -> Triage:
    """The summary of `report`, the check of roadmap `starts`; the closest repair sized
    only with `size_repair`."""
    kinds = Counter(v.kind for v in report.violations)
    by_kind = tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    involved = Counter(s for v in report.violations for s in v.steps)
    hot = tuple(sorted(involved.items(), key=lambda kv: (-kv[1], kv[0]))[:HOT_STEPS])
    sized = None
    if size_repair and report.violations and len(scenario.steps) <= MAX_STEPS:
        from planner.solver.repair import repair

        sized = repair(
            scenario, starts, sequence=sequence, partial=partial, time_limit=REPAIR_SECONDS
        )
    return Triage(by_kind, hot, sized)
