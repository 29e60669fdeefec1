"""Planning: lexicographic CP-SAT solves, alternatives that differ in substance, fallback.

The only module (with `encoder` and `explain`) that imports ortools.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from ortools.sat.python import cp_model

from planner.check import check
from planner.objectives import DEFAULT_OBJECTIVES, measure
from planner.roadmap.packages import optional_units
from planner.scenario import Scenario
from planner.solver.alternatives import choices, fit_optional, left_out_note, require_reversal
from planner.solver.encoder import Encoder
from planner.solver.greedy import greedy_schedule
from planner.solver.results import Candidate, PlanResult

#: Deterministic work units CP-SAT may spend on the final tie-break stage (start every step
#: as early as the objectives allow); small scenarios finish it far sooner.
TIE_BREAK_WORK = 1.0
#: Above this many steps the tie-break costs more than it is worth and is skipped.
TIE_BREAK_MAX_STEPS = 120


Progress = Callable[[str], None]


def _solver(seed: int, time_limit: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = seed
    params.max_time_in_seconds = max(0.05, time_limit)
    params.num_workers = workers
    params.interleave_search = workers > 1  # deterministic: same seed, same roadmap
    # Small batches: with many workers on few cores, the default batches wait for their
    # slowest task (measured: 1,000 steps proven optimal in 2.3 s instead of 13.5 s).
    params.interleave_batch_size = 4
    params.expand_reservoir_constraints = False
    params.symmetry_level = 1
    if workers == 1:
        # Small models: presolve costs more than it saves (the default scenario plans in
        # 17 ms instead of 63 ms over its five stages).
        params.cp_model_presolve = False
    return solver


class _Watch:
    """Reports progress on stderr-like output once solving takes over a second."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.state = ""
        self.t0 = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _Watch:
        if self.progress is not None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        frames = "|/-\\"
        i = 0
        while not self._stop.wait(0.25):
            elapsed = time.monotonic() - self.t0
            if elapsed >= 1.0 and self.progress is not None:
                self.progress(f"{frames[i % 4]} solving {elapsed:5.1f} s {self.state}")
                i += 1

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            if time.monotonic() - self.t0 >= 1.0 and self.progress is not None:
                self.progress("")


def _workers(num_steps: int) -> int:
    # Tiny models solve fastest on one worker; larger ones need the portfolio.
    return 1 if num_steps <= 120 else 8


def solve_lexicographic(
    enc: Encoder,
    objectives: Sequence[str],
    deadline: float,
    seed: int,
    hint: dict[str, int] | None,
    watch: _Watch | None = None,
) -> tuple[str, Candidate | None, bool]:
    """Minimize each objective in turn, fixing the earlier ones at their best.

    Returns (status, candidate, interrupted); status is "optimal", "feasible",
    "infeasible" or "unknown".
    """
    model = enc.model
    exprs = {name: enc.objective_expr(name) for name in objectives}
    stages = list(objectives)
    if len(enc.scheduled) <= TIE_BREAK_MAX_STEPS:
        exprs["starts"] = enc.objective_expr("starts")  # tie-break: everything as early as it can
        stages.append("starts")
    values: dict[str, int] = {}
    bounds: dict[str, int] = {}
    status_all = "optimal"
    starts: dict[str, int] | None = None
    interrupted = False
    workers = _workers(len(enc.scheduled))
    for k, name in enumerate(stages):
        expr = exprs[name]
        if isinstance(expr, int):
            values[name] = bounds[name] = expr
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0.01 and starts is not None:
            values[name] = bounds[name] = -1  # measured below from the roadmap
            status_all = "feasible"
            continue
        share = remaining if k == len(stages) - 1 else remaining * (0.6 if k == 0 else 0.5)
        model.clear_hints()  # type: ignore[no-untyped-call]
        hint_starts = starts or hint
        if hint_starts:
            for s, var in enc.start.items():
                if s in hint_starts:
                    model.add_hint(var, hint_starts[s])
        model.minimize(expr)
        tie_break = name == "starts"
        # The tie-break runs on one worker for a fixed amount of deterministic work, not
        # seconds: the same roadmap whatever the machine's load.
        solver = _solver(seed, max(share, 0.05), 1 if tie_break else workers)
        if tie_break:
            solver.parameters.max_deterministic_time = TIE_BREAK_WORK
        if watch is not None:
            watch.state = f"(objective {name})"
        t0 = time.monotonic()
        status = solver.solve(model)
        took = time.monotonic() - t0
        if status == cp_model.INFEASIBLE:
            return "infeasible", None, False
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if starts is None:
                return "unknown", None, False
            if not tie_break:
                status_all = "feasible"
                values[name] = bounds[name] = -1
            continue
        value = round(solver.objective_value)
        bound = math.ceil(solver.best_objective_bound - 1e-6)
        starts = {s: int(solver.value(v)) for s, v in enc.start.items()}
        values[name], bounds[name] = value, min(bound, value)
        if status == cp_model.OPTIMAL:
            model.add(expr == value)
        elif tie_break:
            pass  # a canonical-enough roadmap; the objectives above are unaffected
        else:
            status_all = "feasible"
            model.add(expr <= value)
            if took < share * 0.9:
                interrupted = True  # stopped early: Ctrl-C
                break
    assert starts is not None
    values.pop("starts", None)
    bounds.pop("starts", None)
    return status_all, Candidate(starts, values, bounds, status_all), interrupted


def _next_alternative(
    scenario: Scenario,
    objectives: Sequence[str],
    candidates: list[Candidate],
    gap: int,
    limit: int,
    deadline: float,
    seed: int,
) -> tuple[Candidate | None, bool, int]:
    """The next roadmap that differs in substance from every one in `candidates`, within
    `limit` on the first objective: (candidate or None, interrupted, how many searches
    could be posed). A reversal of the relief order with the best roadmap's optional parts
    comes first; only when none exists, the cheapest roadmap with other optional parts."""
    options = choices(scenario, candidates[0])
    found: Candidate | None = None
    searched = 0
    for i, chosen in enumerate(options):
        now = time.monotonic()
        if now >= deadline or (i == 1 and found is not None):
            break
        # Room beyond the usual horizon for the reversals asked of this roadmap.
        alt = Encoder(scenario, scheduled=chosen, after=gap * len(candidates)).build()
        if alt.impossible:
            continue
        same = [c for c in candidates if set(c.starts) == set(chosen)]
        if same and not require_reversal(alt, same, gap):
            continue
        searched += 1
        expr = alt.objective_expr(objectives[0])
        if not isinstance(expr, int):
            alt.model.add(expr <= limit)
        share = now + (deadline - now) / (len(options) - i)
        _, cand, interrupted = solve_lexicographic(alt, objectives, share, seed, None, None)
        if interrupted:
            return found, True, searched
        if cand is not None and (
            found is None
            or tuple(cand.values[n] for n in objectives)
            < tuple(found.values[n] for n in objectives)
        ):
            found = cand
    return found, False, searched


def _best(
    scenario: Scenario,
    scheduled: Sequence[str] | None,
    objectives: Sequence[str],
    deadline: float,
    seed: int,
    progress: Progress | None,
) -> tuple[str, Candidate | None, bool, list[str]]:
    """The best roadmap of the steps `scheduled` (default: every step no red line excludes):
    (status, candidate or None, interrupted, notes). Status "infeasible" when no roadmap
    keeps every hard rule (not yet explained), "unknown" when nothing was found in time."""
    enc = Encoder(scenario, scheduled=scheduled).build()
    if enc.impossible:
        return "infeasible", None, False, []
    hint = greedy_schedule(scenario, enc.scheduled)
    notes: list[str] = []
    with _Watch(progress) as watch:
        status, best, interrupted = solve_lexicographic(
            enc, objectives, deadline, seed, hint, watch
        )
    if status == "infeasible":
        return "infeasible", None, interrupted, []
    if best is None:
        report = check(scenario, hint)
        if not report.is_clean:
            return "unknown", None, interrupted, []
        values = measure(scenario, hint, report, objectives)
        best = Candidate(hint, values, {n: 0 for n in objectives}, "greedy", report)
        notes.append("CP-SAT found no roadmap in the time limit; this is the greedy schedule")
    if any(v < 0 for v in best.values.values()):
        measured = measure(scenario, best.starts, check(scenario, best.starts), objectives)
        best = Candidate(
            best.starts,
            {n: (v if v >= 0 else measured[n]) for n, v in best.values.items()},
            {n: (v if v >= 0 else 0) for n, v in best.bounds.items()},
            best.origin,
        )
    return "found", best, interrupted, notes


def plan(
    scenario: Scenario,
    objectives: Sequence[str] = DEFAULT_OBJECTIVES,
    time_limit: float = 10.0,
    seed: int = 0,
    alternatives: int = 1,
    tolerance: float = 0.05,
    progress: Progress | None = None,
    differ_by: int | None = None,
) -> PlanResult:
    """Propose roadmaps that keep every hard rule, best first.

    Parameters
    ----------
    objectives:
        Names from `OBJECTIVES`, minimized lexicographically in the order given.
    time_limit:
        Seconds for the whole search (alternatives included); when it runs out the best
        roadmap found so far is returned with its proven bounds.
    alternatives:
        How many roadmaps to propose; each further one differs from every earlier one in
        substance (`planner.solver.alternatives`) and stays within `tolerance` (a
        fraction) of the best on the first objective.
    differ_by:
        How far apart a reversed pair of relief packages must open in an alternative;
        default a quarter of a year in the scenario's unit (`Scenario.quarter`).

    Returns
    -------
    PlanResult
        status "found" with candidates; "infeasible" with a minimal conflict; "unknown"
        when the time ran out before any roadmap was found and the greedy schedule breaks
        a rule.
    """
    deadline = time.monotonic() + time_limit
    status, best, interrupted, notes = _best(scenario, None, objectives, deadline, seed, progress)
    if status == "infeasible" and optional_units(scenario):
        # An optional part may be what no roadmap can fit: plan without the parts that
        # cannot be added to the rest (and say so), before calling the deal impossible.
        chosen, left = fit_optional(scenario, deadline, seed)
        if chosen is not None:
            status, best, interrupted, notes = _best(
                scenario, chosen, objectives, deadline, seed, progress
            )
            notes.insert(0, left_out_note(scenario, left))
    if status == "infeasible":
        from planner.solver.explain import explain

        return PlanResult(
            "infeasible", tuple(objectives), conflict=explain(scenario, time_limit, seed)
        )
    if best is None:
        return PlanResult(
            "unknown",
            tuple(objectives),
            notes=(
                *notes,
                f"no roadmap found within {time_limit:g} s, and none proven impossible: "
                "raise --time-limit",
            ),
        )
    candidates = [best]
    if interrupted:
        notes.append("search interrupted: this is the best roadmap found so far")
    primary = objectives[0]
    limit = math.floor(best.values[primary] * (1 + tolerance))
    gap = scenario.quarter if differ_by is None else differ_by
    while len(candidates) < alternatives and not interrupted:
        if time.monotonic() >= deadline:
            notes.append(f"time limit reached after {len(candidates)} roadmap(s)")
            break
        now = time.monotonic()
        until = now + (deadline - now) / (alternatives - len(candidates))
        cand, interrupted, searched = _next_alternative(
            scenario, objectives, candidates, gap, limit, until, seed
        )
        if cand is None:
            if interrupted:
                notes.append("search interrupted while looking for alternatives")
            elif time.monotonic() >= until:
                notes.append("time limit reached while looking for alternatives")
            elif not searched:
                notes.append(
                    "only one relief package and no optional part: no alternative differs "
                    "in substance"
                )
            else:
                notes.append(
                    f"no further roadmap opens two relief packages the other way round, "
                    f"{gap} {scenario.unit}s or more apart, or includes other optional "
                    f"parts, within {tolerance:.0%} of the best {primary}"
                )
            break
        candidates.append(cand)
    # The roadmaps with the best one's optional parts first (it has every part the rules
    # allow), then the others; each group by its values (a time-limited best may lose).
    mine = set(best.starts)
    ranked = sorted(
        candidates,
        key=lambda c: (
            set(c.starts) != mine,
            tuple(c.values[n] for n in objectives),
            candidates.index(c),
        ),
    )
    checked = tuple(replace(c, report=c.report or check(scenario, c.starts)) for c in ranked)
    return PlanResult("found", tuple(objectives), checked, notes=tuple(notes))
