"""Lexicographic solves of one model, for the searches that are not `plan`'s own: `repair`
(its distance stages, then the objectives) and `plan --keep --as-of` (the held steps on
the model). Each stage minimizes one expression and fixes it at its best before the next;
every solve runs through `planner.solver.search`, so Ctrl-C (or `stop`) ends the running
solve with its best solution and starts no other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from planner.solver.encoder import Encoder
from planner.solver.results import Candidate
from planner.solver.search import Search, Stopper

#: Deterministic work units CP-SAT may spend on the final tie-break stage (start every step
#: as early as the objectives allow): the same roadmap whatever the machine's load.
TIE_BREAK_WORK = 1.0
#: Above this many steps the tie-break costs more than it is worth and is skipped.
SMALL_STEPS = 120
#: One worker from a roadmap to start from (measured faster than a portfolio at every
#: size: `planner.solver.solve`), the interleaved portfolio without one (deterministic for
#: a seed).
PORTFOLIO = 8


def solve_lexicographic(
    enc: Encoder,
    objectives: Sequence[str],
    deadline: float,
    seed: int,
    hint: dict[str, int] | None,
    stop: threading.Event | None = None,
) -> tuple[str, Candidate | None, bool]:
    """Minimize each objective (a name `enc.objective_expr` knows) in turn, fixing the
    earlier ones at their best, until `deadline` (a `time.monotonic()` time).

    Returns (status, candidate, interrupted); status is "optimal", "feasible",
    "infeasible" or "unknown" (nothing found in time, or stopped first).
    """
    with Stopper(stop) as stopper:
        status, best = run_stages(enc, objectives, deadline, seed, hint, stopper)
        return status, best, stopper.stopped


def run_stages(
    enc: Encoder,
    objectives: Sequence[str],
    deadline: float,
    seed: int,
    hint: dict[str, int] | None,
    stopper: Stopper,
) -> tuple[str, Candidate | None]:
    """`solve_lexicographic` under a caller's `stopper`: (status, candidate)."""
    model = enc.model
    small = len(enc.scheduled) <= SMALL_STEPS
    exprs = {name: enc.objective_expr(name) for name in objectives}
    stages = list(objectives)
    if small:
        exprs["starts"] = enc.objective_expr("starts")  # tie-break: all as early as can be
        stages.append("starts")
    search = Search(enc, stopper, seed)
    values: dict[str, int] = {}
    bounds: dict[str, int] = {}
    status_all = "optimal"
    starts: dict[str, int] | None = None
    for k, name in enumerate(stages):
        expr = exprs[name]
        tie_break = name == "starts"
        if isinstance(expr, int):
            values[name] = bounds[name] = expr
            continue
        remaining = deadline - time.monotonic()
        if starts is not None and (remaining <= 0.01 or stopper.stopped):
            if not tie_break:
                values[name] = bounds[name] = -1  # measured by the caller from the roadmap
                status_all = "feasible"
            continue
        share = remaining if k == len(stages) - 1 else remaining * (0.6 if k == 0 else 0.5)
        outcome = search.solve(
            expr,
            max(share, 0.05),
            1 if small or tie_break or (starts or hint) else PORTFOLIO,
            hint=starts or hint,
            work=TIE_BREAK_WORK if tie_break else None,
            large=not small,
        )
        if outcome.status == "infeasible":
            return "infeasible", None
        if not outcome.found or outcome.value is None:
            if starts is None:
                return "unknown", None
            if not tie_break:
                status_all = "feasible"
                values[name] = bounds[name] = -1
            continue
        starts = outcome.starts
        if tie_break:
            continue
        value = outcome.value
        bound = outcome.bound if outcome.bound is not None else value
        values[name], bounds[name] = value, min(bound, value)
        if outcome.status == "optimal":
            model.add(expr == value)
        else:
            status_all = "feasible"
            model.add(expr <= value)
    if starts is None:
        return "unknown", None
    return status_all, Candidate(starts, values, bounds, status_all)
