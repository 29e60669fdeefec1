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
from planner.roadmap.packages import order_groups
from planner.scenario import Scenario
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


def _package_signature_constraints(enc: Encoder, previous: Sequence[Candidate]) -> list[str]:
    """Make the next roadmap order at least one pair of relief packages differently from
    each earlier candidate. Returns the package ids compared."""
    scenario = enc.scenario
    by_package = order_groups(scenario, enc.scheduled)
    position = {p.id: i for i, p in enumerate(scenario.packages)}
    packages = sorted(by_package, key=lambda p: position.get(p, 0))
    if len(packages) < 2:
        return []
    first = {}
    for p in packages:
        var = enc.model.new_int_var(0, enc.horizon, f"package_start[{p}]")
        enc.model.add_min_equality(var, [enc.start[s] for s in by_package[p]])
        first[p] = var
    for k, cand in enumerate(previous):
        prev = {p: min(cand.starts[s] for s in by_package[p]) for p in packages}
        flips = []
        for i, p in enumerate(packages):
            for q in packages[i + 1 :]:
                a, b = (p, q) if prev[p] <= prev[q] else (q, p)
                flip = enc.model.new_bool_var(f"flip{k}[{a},{b}]")
                enc.model.add(first[a] >= first[b] + 1).only_enforce_if(flip)
                flips.append(flip)
                if prev[p] == prev[q]:
                    flip2 = enc.model.new_bool_var(f"flip{k}[{b},{a}]")
                    enc.model.add(first[b] >= first[a] + 1).only_enforce_if(flip2)
                    flips.append(flip2)
        enc.model.add_bool_or(flips)
    return packages


def plan(
    scenario: Scenario,
    objectives: Sequence[str] = DEFAULT_OBJECTIVES,
    time_limit: float = 10.0,
    seed: int = 0,
    alternatives: int = 1,
    tolerance: float = 0.05,
    progress: Progress | None = None,
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
        How many roadmaps to propose; each further one orders the relief packages
        differently and stays within `tolerance` (a fraction) of the best on the first
        objective.

    Returns
    -------
    PlanResult
        status "found" with candidates; "infeasible" with a minimal conflict; "unknown"
        when the time ran out before any roadmap was found and the greedy schedule breaks
        a rule.
    """
    t0 = time.monotonic()
    deadline = t0 + time_limit
    enc = Encoder(scenario).build()
    if enc.impossible:
        from planner.solver.explain import explain

        return PlanResult(
            "infeasible", tuple(objectives), conflict=explain(scenario, time_limit, seed)
        )
    hint = greedy_schedule(scenario, enc.scheduled)
    notes: list[str] = []
    with _Watch(progress) as watch:
        status, best, interrupted = solve_lexicographic(
            enc, objectives, deadline, seed, hint, watch
        )
    if status == "infeasible":
        from planner.solver.explain import explain

        return PlanResult(
            "infeasible", tuple(objectives), conflict=explain(scenario, time_limit, seed)
        )
    if best is None:
        report = check(scenario, hint)
        if report.is_clean:
            values = measure(scenario, hint, report, objectives)
            best = Candidate(hint, values, {n: 0 for n in objectives}, "greedy", report)
            notes.append("CP-SAT found no roadmap in the time limit; this is the greedy schedule")
        else:
            return PlanResult(
                "unknown",
                tuple(objectives),
                notes=(
                    f"no roadmap found within {time_limit:g} s, and none proven impossible: "
                    "raise --time-limit",
                ),
            )
    if any(v < 0 for v in best.values.values()):
        measured = measure(scenario, best.starts, check(scenario, best.starts), objectives)
        best = Candidate(
            best.starts,
            {n: (v if v >= 0 else measured[n]) for n, v in best.values.items()},
            {n: (v if v >= 0 else 0) for n, v in best.bounds.items()},
            best.origin,
        )
    candidates = [best]
    if interrupted:
        notes.append("search interrupted: this is the best roadmap found so far")
    primary = objectives[0]
    while len(candidates) < alternatives and not interrupted:
        if time.monotonic() >= deadline:
            notes.append(f"time limit reached after {len(candidates)} roadmap(s)")
            break
        alt = Encoder(scenario).build()
        compared = _package_signature_constraints(alt, candidates)
        if not compared:
            notes.append("only one package to order: no alternatives differ in substance")
            break
        limit = math.floor(best.values[primary] * (1 + tolerance))
        expr = alt.objective_expr(primary)
        if not isinstance(expr, int):
            alt.model.add(expr <= limit)
        status, cand, interrupted = solve_lexicographic(alt, objectives, deadline, seed, None, None)
        if cand is None:
            if status == "infeasible":
                notes.append(
                    f"no further roadmap orders the packages differently within "
                    f"{tolerance:.0%} of the best {primary}"
                )
            else:
                notes.append("time limit reached while looking for alternatives")
            break
        candidates.append(cand)
    ranked = sorted(
        candidates, key=lambda c: (tuple(c.values[n] for n in objectives), candidates.index(c))
    )
    checked = tuple(replace(c, report=c.report or check(scenario, c.starts)) for c in ranked)
    return PlanResult("found", tuple(objectives), checked, notes=tuple(notes))
