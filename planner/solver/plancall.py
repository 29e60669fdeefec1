"""What one `plan` call answers (`planner.solver.solve`): its state, the roadmaps it found
checked and ranked, the greedy schedule as the fallback when no solve did better, the
why-not when no roadmap exists, and the answer to Ctrl-C."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from planner.check import Report, check
from planner.objectives import measure
from planner.scenario import Scenario
from planner.solver.greedy import Schedule
from planner.solver.progress import Watch
from planner.solver.results import Candidate, PlanResult
from planner.solver.search import Stopper


class PlanCall:
    """The state of one `plan` call, and what it answers when the search ends: the
    roadmaps checked and ranked, the greedy schedule as the fallback, the impossible and
    interrupted cases."""

    def __init__(
        self,
        scenario: Scenario,
        objectives: tuple[str, ...],
        time_limit: float,
        seed: int,
        stopper: Stopper,
        watch: Watch,
        chosen: Sequence[str] | None = None,
        differ_by: int | None = None,
    ) -> None:
        self.scenario = scenario
        #: The steps to schedule (default: every step no red line excludes).
        self.chosen = chosen
        self.differ_by = scenario.quarter if differ_by is None else differ_by
        self.objectives = objectives
        self.time_limit = time_limit
        self.seed = seed
        self.stopper = stopper
        self.watch = watch
        self.t0 = time.monotonic()
        self.deadline = self.t0 + time_limit
        self.notes: list[str] = []
        #: The greedy schedule, once known, and its check (when asked).
        self.greedy: Schedule | None = None
        self._report: Report | None = None
        self.lower: dict[str, int] = {}
        self.interrupted = False

    def _rank(self, starts: dict[str, int], report: Report) -> tuple[Any, ...]:
        """How good a schedule is: keeping every rule first, then the objectives in order."""
        values = measure(self.scenario, starts, report, self.objectives)
        return (not report.is_clean, *(values[n] for n in self.objectives))

    def _greedy_report(self) -> Report:
        assert self.greedy is not None
        if self._report is None:
            self._report = check(self.scenario, self.greedy.starts)
        return self._report

    @property
    def fallback(self) -> Candidate | None:
        """The greedy schedule as a candidate, when it keeps every rule."""
        if self.greedy is None:
            return None
        report = self._greedy_report()
        if not report.is_clean:
            return None
        starts = self.greedy.starts
        return Candidate(
            starts,
            measure(self.scenario, starts, report, self.objectives),
            {n: self.lower[n] for n in self.objectives},
            "greedy",
            report,
        )

    def _infeasible(self) -> PlanResult:
        """No roadmap exists: `plan` explains why (once, after trying without the optional
        parts)."""
        return PlanResult("infeasible", self.objectives)

    def _nothing(self) -> PlanResult:
        """No roadmap found: the greedy one when it keeps every rule, else none."""
        fallback = self.fallback
        if fallback is not None:
            if not self.interrupted:
                self.notes.append(
                    "CP-SAT found no roadmap in the time limit; this is the greedy schedule"
                )
            else:
                self.notes.append("search interrupted: this is the greedy schedule")
            return self._result([fallback])
        if self.interrupted:
            return self.on_interrupt()
        return PlanResult(
            "unknown",
            self.objectives,
            notes=(
                f"no roadmap found within {self.time_limit:g} s, and none proven impossible: "
                "raise --time-limit",
            ),
        )

    def on_interrupt(self) -> PlanResult:
        """Ctrl-C before any solve: the greedy schedule when it keeps every rule."""
        self.interrupted = True
        fallback = self.fallback
        if fallback is not None:
            self.notes.append("search interrupted: this is the greedy schedule")
            return self._result([fallback])
        return PlanResult(
            "interrupted",
            self.objectives,
            notes=("interrupted before any roadmap was found",),
            interrupted=True,
        )

    def _result(self, candidates: list[Candidate]) -> PlanResult:
        objectives = self.objectives
        # The roadmaps with the best one's optional parts first (it has every part the
        # rules allow), then the others; each group by its values (a time-limited best may
        # lose to an alternative).
        mine = set(candidates[0].starts)
        ranked = sorted(
            candidates,
            key=lambda c: (
                set(c.starts) != mine,
                tuple(c.values[n] for n in objectives),
                candidates.index(c),
            ),
        )
        checked = tuple(
            replace(c, report=c.report or check(self.scenario, c.starts)) for c in ranked
        )
        return PlanResult(
            "found", objectives, checked, notes=tuple(self.notes), interrupted=self.interrupted
        )
