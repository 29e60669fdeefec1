"""Planning: lexicographic CP-SAT solves within one time budget, alternatives that differ
in substance, the greedy schedule as the roadmap to beat, and Ctrl-C.

The time limit bounds the whole call:

1. the earliest starts and the makespan bound, the greedy list schedule, its check and
   the model are built first, as long as they take (0.1 s at 1,000 steps, about 2 s at
   10,000);
2. a greedy schedule that breaks a rule is repaired next (`repair`), with up to a third of
   what is left;
3. the objectives are minimized in priority order, each stage from the best roadmap so
   far: the first gets 60 % of what is left, each later one 50 %, the last all of it. A
   stage whose roadmap already meets its lower bound (the makespan the critical path and
   capacity allow, the penalty of soft rules no times can keep, an exposure of 0, good
   faith at the earliest starts) is proven without a solve;
4. with alternatives, the best roadmap gets half of what is left after step 1, and each
   further roadmap an equal part of the rest (`planner.solver.alternatives` says what
   makes one differ in substance);
5. what the check of the roadmaps at the end needs is kept back from the start.

Ctrl-C (or setting `stop`) ends the running solve with its best solution and starts no
other: the result is the best roadmap so far (or the greedy one when it keeps every rule),
marked `interrupted`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from planner.check import Report, check
from planner.objectives import DEFAULT_OBJECTIVES, is_goodwill, measure
from planner.roadmap.packages import included_units, optional_units
from planner.scenario import Scenario
from planner.schedule.bounds import earliest_starts, makespan_bound
from planner.schedule.greedy import Schedule, greedy_schedule
from planner.solver.alternatives import (
    fit_optional,
    left_out_note,
    next_alternative,
    optional_note,
    why_none,
)
from planner.solver.encoder import Encoder
from planner.solver.mend import mend
from planner.solver.progress import Progress, Watch
from planner.solver.results import Candidate, PlanResult
from planner.solver.search import Outcome, Search, Stopper

#: Deterministic work units CP-SAT may spend on the final tie-break stage (start every step
#: as early as the objectives allow); small scenarios finish it far sooner.
TIE_BREAK_WORK = 1.0
#: Up to this many steps: one worker without presolve, and the tie-break stage. Above:
#: one worker with presolve (probing off) from a complete hint of the best roadmap so far:
#: measured against the interleaved portfolio on both benchmark families, it proved the
#: optimum sooner in 15 of 18 runs at 200-1,000 steps and at 3,000 and 10,000 steps
#: (bench/bench_workers.py, bench/bench_search.py).
SMALL_STEPS = 120
#: Workers of the interleaved portfolio (deterministic for a seed) for a search with no
#: roadmap to start from (alternatives, or a greedy schedule that could not be repaired).
PORTFOLIO = 8
#: Workers above SMALL_STEPS from a roadmap (bench/bench_workers.py compares 8).
FROM_ROADMAP = 1
#: A stage with less time than this keeps the roadmap it starts from.
MIN_STAGE = 0.05
#: Above SMALL_STEPS, a stage's one worker that has found no better roadmap and proved no
#: better bound for this fraction of the stage's time (and at least MIN_PATIENCE seconds)
#: has stalled: CP-SAT's neighbourhood searches then run on LNS_WORKERS (interleaved, so
#: deterministic for a seed) for LNS_SHARE of the time left, and one worker again from
#: their roadmap for the rest (`_Planner._unstall`). Measured on the multi-year family
#: (bench/generate_multiyear.py), where the one worker stalls at 1,000 steps.
STALL = 0.5
MIN_PATIENCE = 1.0
LNS_WORKERS = 2
LNS_SHARE = 0.6


def _reserve(num_steps: int, roadmaps: int) -> float:
    """Seconds kept back for checking the roadmaps and for CP-SAT's overrun of its limit
    (measured on a busy 2-core machine: about 0.04 s per check, and overruns up to 0.15 s
    at 3,000 steps and 0.8 s at 10,000)."""
    return 0.05 + num_steps * (8e-5 + 5e-6 * roadmaps)


@dataclass(slots=True)
class _Roadmap:
    """The best roadmap so far in one search: its starts, and every variable's value
    when a solve of this model produced it (a complete hint)."""

    starts: dict[str, int]
    full: list[int] | None
    origin: str  # "greedy", "repaired" or "solver"
    values: dict[str, int] | None = None  # measured, when asked
    #: The objective the auxiliary variables of `full` are tightest for: a hint whose
    #: objective variable sits above the value the starts give stalls CP-SAT (measured).
    tight: str | None = None


class _Planner:
    """One `plan` call: its state, the greedy schedule, the objectives in turn, the
    alternatives; and what it answers when the search ends: the roadmaps checked and
    ranked, the greedy schedule as the fallback when no solve did better, the impossible
    and interrupted cases."""

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
        #: The greedy schedule, once known (with its check).
        self.greedy: Schedule | None = None
        self.lower: dict[str, int] = {}
        self.interrupted = False

    def _rank(self, starts: dict[str, int], report: Report) -> tuple[Any, ...]:
        """How good a schedule is: keeping every rule first, then the objectives in order."""
        values = measure(self.scenario, starts, report, self.objectives)
        return (not report.is_clean, *(values[n] for n in self.objectives))

    def _greedy_report(self) -> Report:
        assert self.greedy is not None
        return self.greedy.report

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

    # -- the whole call ------------------------------------------------------------------

    def run(self, alternatives: int, tolerance: float) -> PlanResult:
        scenario, objectives = self.scenario, self.objectives
        # Not abortable: a second or less even at 10,000 steps, and Ctrl-C meanwhile still
        # gets the greedy schedule as the answer when it keeps every rule.
        forbidden = scenario.forbidden()
        if self.chosen is None:
            scheduled = [s for s in scenario.steps if s not in forbidden]
        else:
            scheduled = [s for s in scenario.steps if s in set(self.chosen) - forbidden]
        self.scheduled = scheduled
        est = earliest_starts(scenario, scheduled)
        bound = makespan_bound(scenario, scheduled, est)
        greedy = greedy_schedule(scenario, scheduled, est, bound, partial=False)
        self.size = len(scheduled)
        self.est = est
        self.lower = {
            "penalty": 0,
            "makespan": bound,
            "exposure": 0,
            "goodwill": sum(t for s, t in est.items() if is_goodwill(scenario.steps[s])),
        }
        self.greedy = greedy
        if self.stopper.stopped:
            return self.on_interrupt()
        if self.size > SMALL_STEPS and "exposure" in objectives:
            report = self._greedy_report()
            if report.summary.peak_exposure:
                # The same list schedule with every balance curve held at 0: measured, it
                # costs no makespan on either benchmark family and proves the exposure
                # stage.
                with self.stopper.abortable():
                    level = greedy_schedule(
                        scenario, scheduled, est, bound, exposure=0, partial=False
                    )
                if self._rank(level.starts, level.report) < self._rank(greedy.starts, report):
                    self.greedy = level
        greedy = self.greedy
        with self.stopper.abortable():
            enc = Encoder(scenario, scheduled=scheduled, est=est, bound=bound).build()
        if enc.impossible:
            return self._infeasible()
        self.lower["penalty"] = sum(t for t in enc.penalty_terms if isinstance(t, int))
        self.reserve = _reserve(self.size, alternatives)
        end = self.deadline - self.reserve
        best_end = end if alternatives == 1 else time.monotonic() + (end - time.monotonic()) / 2
        search = Search(enc, self.stopper, self.seed)
        start: _Roadmap | None = None
        if greedy.keeps_every_rule:  # `check` finds it clean
            start = _Roadmap(greedy.starts, None, "greedy")
        elif self.size > SMALL_STEPS:
            budget = time.monotonic() + (best_end - time.monotonic()) / 3
            report = self._greedy_report()
            fixed = mend(scenario, search, greedy.starts, report, budget, scheduled)
            if fixed is not None and fixed.status == "infeasible":
                return self._infeasible()
            if fixed is not None and fixed.starts is not None:
                start = _Roadmap(fixed.starts, fixed.full, "repaired")
        status, best = self._search(enc, search, best_end, start, greedy.starts)
        if status == "infeasible":
            return self._infeasible()
        if best is None:
            return self._nothing()
        candidates = [best]
        if self.interrupted:
            self.notes.append("search interrupted: this is the best roadmap found so far")
        optional = included_units(scenario, best.starts)
        if optional:
            self.notes.append(optional_note(optional))
        self._alternatives(candidates, alternatives, tolerance, end)
        return self._result(candidates)

    # -- one roadmap: the objectives in turn ---------------------------------------------

    def _values(self, roadmap: _Roadmap) -> dict[str, int]:
        if roadmap.values is None:
            report = check(self.scenario, roadmap.starts)
            roadmap.values = measure(self.scenario, roadmap.starts, report, self.objectives)
        return roadmap.values

    def _search(
        self,
        enc: Encoder,
        search: Search,
        end: float,
        start: _Roadmap | None,
        hint: dict[str, int] | None = None,
    ) -> tuple[str, Candidate | None]:
        """Minimize each objective in turn from `start` (else from `hint`, a schedule that
        breaks some rule), fixing the earlier ones at their best. Returns (status,
        candidate); status is "optimal", "feasible", "infeasible" or "unknown"."""
        model = enc.model
        objectives = self.objectives
        small = self.size <= SMALL_STEPS
        large = not small
        exprs = {name: enc.objective_expr(name) for name in objectives}
        stages = list(objectives)
        if small:
            exprs["starts"] = enc.objective_expr("starts")  # tie-break: all as early as can be
            stages.append("starts")
        values: dict[str, int] = {}
        bounds: dict[str, int] = {}
        status_all = "optimal"
        current = start
        for k, name in enumerate(stages):
            expr = exprs[name]
            tie_break = name == "starts"
            if isinstance(expr, int):
                values[name] = bounds[name] = expr
                continue
            low = self.lower.get(name, 0)
            if not small and current is not None and self._values(current)[name] <= low:
                values[name] = bounds[name] = self._values(current)[name]
                model.add(expr == values[name])
                continue
            remaining = end - time.monotonic()
            if current is not None and (remaining <= MIN_STAGE or self.stopper.stopped):
                if not tie_break:
                    values[name], bounds[name] = self._values(current)[name], low
                    status_all = "feasible"
                    model.add(expr <= values[name])
                continue
            share = remaining * self._share(k, stages, exprs, current)
            self.watch.state = f"(objective {name})"
            if large and current is not None and current.tight != name:
                current = self._complete(search, current, expr, name, time.monotonic() + share)
            from_roadmap = large and current is not None and not tie_break
            stage_end = time.monotonic() + share
            outcome = search.solve(
                expr,
                max(share, 0.05),
                1 if small else FROM_ROADMAP if current is not None else PORTFOLIO,
                hint=current.starts if current is not None else hint,
                full=current.full if current is not None and large else None,
                # The tie-break runs on one worker for a fixed amount of deterministic
                # work, not seconds: the same roadmap whatever the machine's load.
                work=TIE_BREAK_WORK if tie_break else None,
                large=large,
                patience=max(MIN_PATIENCE, STALL * share) if from_roadmap else None,
            )
            if outcome.stalled:
                outcome = self._unstall(search, expr, outcome, stage_end)
            if self.stopper.stopped:
                self.interrupted = True
            if outcome.status == "infeasible" and current is None:
                return "infeasible", None
            worse = (
                large
                and outcome.found
                and outcome.value is not None
                and current is not None
                and not tie_break
                and outcome.value > self._values(current)[name]
            )  # a solve cut short before it took up an incomplete hint
            if not outcome.found or outcome.value is None or worse:
                if current is None:
                    return "unknown", None
                if not tie_break:
                    values[name] = self._values(current)[name]
                    bounds[name] = max(low, min(outcome.bound or low, values[name]))
                    status_all = "feasible"
                    model.add(expr <= values[name])
                continue
            current = self._better(current, outcome)
            current.tight = name
            if tie_break:
                continue
            value = outcome.value
            bound = outcome.bound if outcome.bound is not None else low
            values[name], bounds[name] = value, max(low, min(bound, value))
            if outcome.status == "optimal" or bounds[name] == value:
                model.add(expr == value)
            else:
                status_all = "feasible"
                model.add(expr <= value)
        if current is None:
            return "unknown", None
        if current.origin == "greedy" and status_all != "optimal" and start is not None:
            self.notes.append(
                "CP-SAT found no better roadmap in the time limit; this is the greedy schedule"
            )
        values.pop("starts", None)
        bounds.pop("starts", None)
        origin = status_all if status_all == "optimal" or current.origin != "greedy" else "greedy"
        return status_all, Candidate(current.starts, values, bounds, origin)

    def _unstall(self, search: Search, expr: Any, stalled: Outcome, end: float) -> Outcome:
        """The one worker found nothing better for a while, short of a proof: CP-SAT's
        neighbourhood searches on both cores (`LNS_WORKERS`, interleaved: deterministic
        for a seed) for part of the stage's time left, then one worker again from the best
        roadmap, for a proof. The best of the three, with the best bound proven."""
        best = stalled
        left = end - time.monotonic()
        if left <= 2 * MIN_STAGE or self.stopper.stopped:
            return best
        self.watch.state = "(neighbourhoods on every core)"
        lns = search.solve(
            expr, left * LNS_SHARE, LNS_WORKERS, full=best.full, large=True, lns=True
        )
        if lns.value is not None and best.value is not None and lns.value < best.value:
            best = replace(lns, bound=best.bound)
        left = end - time.monotonic()
        if left > MIN_STAGE and not self.stopper.stopped:
            last = search.solve(expr, left, 1, full=best.full, large=True)
            if last.found and last.value is not None and best.value is not None:
                bound = max(b for b in (last.bound, best.bound, -math.inf) if b is not None)
                if last.value <= best.value:
                    best = replace(last, bound=None if bound == -math.inf else int(bound))
                else:
                    best = replace(best, bound=None if bound == -math.inf else int(bound))
        if best.value is not None and best.bound is not None and best.bound >= best.value:
            best = replace(best, status="optimal")
        return best

    def _share(
        self, k: int, stages: list[str], exprs: dict[str, Any], current: _Roadmap | None
    ) -> float:
        """The fraction of the time left that stage k gets: 60 % for the first, 50 % for
        a later one, all of it for the last that may need a solve (a later stage whose
        roadmap already meets its lower bound needs none)."""
        later = stages[k + 1 :]
        if self.size > SMALL_STEPS and current is not None:
            values = self._values(current)
            later = [
                n
                for n in later
                if not isinstance(exprs[n], int)
                and (n not in values or values[n] > self.lower.get(n, 0))
            ]
        if not later:
            return 1.0
        return 0.6 if k == 0 else 0.5

    def _better(self, current: _Roadmap | None, outcome: Outcome) -> _Roadmap:
        """The solve's roadmap (it is at least as good as the hint it started from)."""
        assert outcome.starts is not None
        if current is not None and outcome.starts == current.starts:
            current.full = outcome.full
            return current
        return _Roadmap(outcome.starts, outcome.full, "solver")

    def _complete(
        self, search: Search, roadmap: _Roadmap, expr: Any, name: str, end: float
    ) -> _Roadmap:
        """Every variable's value for a roadmap's starts, the objective `expr` as low as
        they allow (a solve with every start fixed), for a complete hint."""
        remaining = end - time.monotonic()
        if remaining <= MIN_STAGE:
            return roadmap
        outcome = search.solve(expr, remaining, 1, hint=roadmap.starts, free=(), large=True)
        if outcome.found:
            roadmap.full, roadmap.tight = outcome.full, name
        return roadmap

    # -- alternatives --------------------------------------------------------------------

    def _alternatives(
        self, candidates: list[Candidate], alternatives: int, tolerance: float, end: float
    ) -> None:
        scenario, objectives = self.scenario, self.objectives
        best = candidates[0]
        primary = objectives[0]
        limit = math.floor(best.values[primary] * (1 + tolerance))
        gap = self.differ_by
        while len(candidates) < alternatives and not self.interrupted:
            now = time.monotonic()
            if now >= end:
                self.notes.append(f"time limit reached after {len(candidates)} roadmap(s)")
                break
            until = now + (end - now) / (alternatives - len(candidates))
            cand, searched, undecided = self._next_alternative(candidates, gap, limit, until)
            if cand is None:
                late = time.monotonic() >= until
                self.notes.append(
                    why_none(
                        scenario, self.interrupted, late, searched, gap, tolerance, primary,
                        undecided,
                    )
                )  # fmt: skip
                break
            candidates.append(cand)

    def _next_alternative(
        self, candidates: list[Candidate], gap: int, limit: int, end: float
    ) -> tuple[Candidate | None, int, int]:
        """The next roadmap that differs in substance (`alternatives.next_alternative`)."""

        def solve(alt: Encoder, until: float) -> tuple[str, Candidate | None]:
            self.lower["penalty"] = sum(t for t in alt.penalty_terms if isinstance(t, int))
            return self._search(alt, Search(alt, self.stopper, self.seed), until, None)

        return next_alternative(
            self.scenario, self.objectives, candidates, gap, limit, end, solve,
            lambda: self.interrupted,
        )  # fmt: skip


def plan(
    scenario: Scenario,
    objectives: Sequence[str] = DEFAULT_OBJECTIVES,
    time_limit: float = 10.0,
    seed: int = 0,
    alternatives: int = 1,
    tolerance: float = 0.05,
    progress: Progress | None = None,
    differ_by: int | None = None,
    *,
    stop: threading.Event | None = None,
) -> PlanResult:
    """Propose roadmaps that keep every hard rule, best first.

    Parameters
    ----------
    objectives:
        Names from `OBJECTIVES`, minimized lexicographically in the order given.
    time_limit:
        Seconds for the whole call (greedy schedule, model, every solve, alternatives);
        when it runs out the best roadmap found so far is returned with its proven
        bounds (see this module's docstring for how it is shared).
    alternatives:
        How many roadmaps to propose; each further one differs from every earlier one in
        substance (`planner.solver.alternatives`) and stays within `tolerance` (a
        fraction) of the best on the first objective.
    differ_by:
        How far apart a reversed pair of relief packages must open in an alternative;
        default a quarter of a year in the scenario's unit (`Scenario.quarter`).
    stop:
        Set it (from any thread) to stop the search as Ctrl-C does.

    Returns
    -------
    PlanResult
        status "found" with candidates; "infeasible" with a minimal conflict; "unknown"
        when the time ran out before any roadmap was found and the greedy schedule breaks
        a rule; "interrupted" when Ctrl-C (or `stop`) came before any roadmap was found.
        `interrupted` says whether the search was cut short that way.
    """
    deadline = time.monotonic() + time_limit
    with Stopper(stop) as stopper, Watch(progress) as watch:

        def attempt(chosen: Sequence[str] | None, seconds: float) -> PlanResult:
            planner = _Planner(
                scenario, tuple(objectives), seconds, seed, stopper, watch, chosen, differ_by
            )
            try:
                return planner.run(alternatives, tolerance)
            except KeyboardInterrupt:
                return planner.on_interrupt()

        result = attempt(None, time_limit)
        if result.status == "infeasible" and optional_units(scenario) and not stopper.stopped:
            # An optional part may be what no roadmap can fit: plan without the parts that
            # cannot be added to the rest (and say so), before calling the deal impossible.
            chosen, left = fit_optional(scenario, deadline, seed, stopper)
            if chosen is not None:
                again = attempt(chosen, max(1.0, deadline - time.monotonic()))
                if again.status != "infeasible":
                    return replace(again, notes=(left_out_note(scenario, left), *again.notes))
    if result.status == "infeasible":
        from planner.solver.explain import explain

        remaining = max(1.0, deadline - time.monotonic())
        return replace(result, conflict=explain(scenario, remaining, seed))
    return result
