"""What the library's calls answer (`planner.api`): plain data, read by the renderers of
`planner.render.results` (the text each command prints) and by a notebook. The types
they hold are imported for type checking only: a command imports what its own call
makes, not what every call does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (imported by the calls that make them, when they run)
    from planner.check import Report
    from planner.errors import Problem
    from planner.render.outline import Outline
    from planner.roadmap import Roadmap
    from planner.scenario import Scenario
    from planner.solver.results import PlanResult, Repair
    from planner.whatif.contingency import Branch, Trigger
    from planner.whatif.diff import Diff
    from planner.whatif.exposure import Curve
    from planner.whatif.simulate import Simulation
    from planner.whatif.slack import Slack
    from planner.whatif.triage import Triage


@dataclass(frozen=True, slots=True)
class CheckResult:
    """`planner check`: the check report of a roadmap, the summary that opens it
    (`overview`: violations by kind, the steps in most of them, the size of the closest
    repair), each party's irreversible exposure when the scenario marks steps
    `reversible: false`, and the slack when asked."""

    scenario: Scenario
    roadmap: Roadmap
    report: Report
    overview: Triage
    exposure: tuple[Curve, ...] | None = None
    slack: Slack | None = None

    @property
    def is_clean(self) -> bool:
        """No hard rule is violated (`planner check` exits 0)."""
        return self.report.is_clean


@dataclass(frozen=True, slots=True)
class TimelineResult:
    """`planner timeline`: what the memo outputs show of a roadmap (`outline`: rows,
    phases, leverage, who answers whom), with the irreversible exposure when the scenario
    marks steps and the slack when asked."""

    scenario: Scenario
    roadmap: Roadmap
    outline: Outline
    exposure: tuple[Curve, ...] | None = None
    slack: Slack | None = None


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """`planner gantt` and `planner report`: the outline of a checked roadmap (with its
    critical chain, `planner.whatif.chain`'s), and the name the report gives the roadmap
    (its file's name); `roadmap` as read (None for a plan's candidate); `baseline` the
    roadmap `gantt --baseline` draws under the bars, as read."""

    scenario: Scenario
    outline: Outline
    name: str
    roadmap: Roadmap | None = None
    baseline: Roadmap | None = None


@dataclass(frozen=True, slots=True)
class RepairResult:
    """`planner repair`: the closest roadmap that keeps every hard rule (or why none
    does with the held steps), for the roadmap named `source`."""

    scenario: Scenario
    roadmap: Roadmap
    repair: Repair
    source: str

    @property
    def is_repaired(self) -> bool:
        """A repaired (or already clean) roadmap was found (`planner repair` exits 0)."""
        return self.repair.status not in ("infeasible", "unknown")


@dataclass(frozen=True, slots=True)
class NoPlan:
    """A side of a comparison that is `plan` when no roadmap was found: its scenario and
    the plan's answer (the conflict, or notes)."""

    scenario: Scenario
    result: PlanResult


@dataclass(frozen=True, slots=True)
class DiffResult:
    """`planner diff`: the comparison, or the side whose plan found no roadmap; `edits`
    are the derived fields the roadmap files give otherwise than their scenario."""

    diff: Diff | None
    no_plan: NoPlan | None = None
    edits: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class SimulateResult:
    """`planner simulate`: the runs over the uncertain durations of the roadmap named
    `source`."""

    scenario: Scenario
    roadmap: Roadmap
    simulation: Simulation
    source: str


@dataclass(frozen=True, slots=True)
class ContingencyResult:
    """`planner contingency`: each branch of the roadmap named `source` (`branches`), and
    the triggers it could not open because the roadmap leaves their step out
    (`skipped`)."""

    scenario: Scenario
    roadmap: Roadmap
    branches: tuple[Branch, ...]
    skipped: tuple[Trigger, ...]
    source: str
