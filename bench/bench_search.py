"""Benchmark: ways to improve a large roadmap in a fixed time, from the same start (how
`plan`'s search at scale was chosen).

    python bench/bench_search.py [--family chains] [--steps 3000] [--seconds 4,20] [--runs 2]

Start: the greedy schedule, repaired when it breaks a rule (as `plan` does), then
completed by a solve with every start fixed (every variable's value: a complete hint).
Each way then minimizes the makespan for the given wall-clock seconds:

- `1 worker, complete hint`: CP-SAT on the whole model, one worker (what `plan` does from
  2,000 steps on);
- `portfolio, complete hint`: the interleaved portfolio of 8 workers `plan` uses below;
- `portfolio LNS only, complete hint`: CP-SAT's own large-neighbourhood search alone
  (8 or 4 workers), and that for half the time followed by one worker from its roadmap;
- `1 worker / portfolio, starts hint`: the hint without the auxiliary variables;
- `own LNS (suffix windows)`: our neighbourhoods: every start fixed but those of the steps
  done in the last W weeks, W growing from 10 % of the makespan, each re-solved on one
  worker.

Prints the makespan reached and the proven bound, median (min-max) of `--runs` runs, and
writes the "search-FAMILY-STEPS" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from bench_plan import FAMILIES, load, scenario_for, spread
from common import ensure_data_ignored, machine_line, table, write_section

from planner.check import check
from planner.scenario import Scenario
from planner.schedule.bounds import earliest_starts, makespan_bound
from planner.schedule.greedy import greedy_schedule
from planner.solver.encoder import Encoder
from planner.solver.mend import mend
from planner.solver.search import Outcome, Search, Stopper


def start(scenario: Scenario, search: Search, scheduled: list[str]) -> Outcome:
    est = earliest_starts(scenario, scheduled)
    greedy = greedy_schedule(scenario, scheduled, est, makespan_bound(scenario, scheduled, est))
    starts = greedy.starts
    if not greedy.keeps_every_rule:
        fixed = mend(
            scenario, search, starts, check(scenario, starts), time.monotonic() + 60, scheduled
        )
        assert fixed is not None and fixed.starts is not None
        starts = fixed.starts
    return search.solve(search.enc.makespan, 60, 1, hint=starts, free=(), large=True)


def own_lns(
    scenario: Scenario, search: Search, first: Outcome, seconds: float, scheduled: list[str]
) -> tuple[int, int | None]:
    """Suffix neighbourhoods: free the steps done in the last W weeks, W doubling."""
    assert first.starts is not None and first.value is not None
    end = time.monotonic() + seconds
    starts, full, value = first.starts, first.full, first.value
    off = {s: scenario.steps[s].done_offset for s in scheduled}
    width = max(2, value // 10)
    bound: int | None = None
    while time.monotonic() < end - 0.05:
        free = [s for s in scheduled if starts[s] + off[s] > value - width]
        whole = len(free) == len(scheduled)
        outcome = search.solve(
            search.enc.makespan,
            end - time.monotonic(),
            1,
            hint=starts,
            full=full,
            free=None if whole else free,
            large=True,
        )
        if outcome.found and outcome.value is not None and outcome.value <= value:
            improved = outcome.value < value
            starts, full, value = outcome.starts or starts, outcome.full, outcome.value
            if whole:
                bound = outcome.bound
                break
            if not improved:
                width *= 2
        else:
            width *= 2
    return value, bound


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--family", default="chains", choices=sorted(FAMILIES))
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", default="4,20")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    ensure_data_ignored()
    d, _ = scenario_for(args.family, args.steps, args.seed)
    scenario, _ = load(d)
    scheduled = [s for s in scenario.steps if s not in scenario.forbidden()]
    enc = Encoder(scenario).build()
    stopper = Stopper()
    search = Search(enc, stopper, args.seed)
    first = start(scenario, search, scheduled)
    assert first.value is not None
    print(f"start: makespan {first.value} (greedy, repaired, completed)", flush=True)
    makespan = enc.makespan

    def cp_sat(workers: int, complete: bool, lns_only: bool = False) -> Callable[[float], Any]:
        def run(seconds: float) -> tuple[int | None, int | None]:
            outcome = _solve(search, makespan, seconds, workers, first, complete, lns_only)
            return outcome.value, outcome.bound

        return run

    def lns_then_one(seconds: float) -> tuple[int | None, int | None]:
        half = _solve(search, makespan, seconds / 2, 8, first, True, True)
        better = half if half.found else first
        rest = _solve(search, makespan, seconds / 2, 1, better, True, False)
        value = rest.value if rest.found else better.value
        return value, rest.bound

    ways: dict[str, Callable[[float], Any]] = {
        "1 worker, complete hint": cp_sat(1, True),
        "portfolio (8), complete hint": cp_sat(8, True),
        "portfolio (8) LNS only, complete hint": cp_sat(8, True, lns_only=True),
        "portfolio (4) LNS only, complete hint": cp_sat(4, True, lns_only=True),
        "LNS only (8) for half the time, then 1 worker": lns_then_one,
        "1 worker, starts hint": cp_sat(1, False),
        "portfolio (8), starts hint": cp_sat(8, False),
        "own LNS (suffix windows)": lambda sec: own_lns(scenario, search, first, sec, scheduled),
    }
    budgets = [float(x) for x in args.seconds.split(",") if x]
    rows = []
    for name, way in ways.items():
        row = [name]
        for sec in budgets:
            values, bounds = [], []
            for _ in range(args.runs):
                value, bound = way(sec)
                values.append(value if value is not None else float("nan"))
                if bound is not None:
                    bounds.append(bound)
            found = [v for v in values if v == v]
            cell = spread(found, "{:.0f}") if found else "nothing"
            if len(found) < len(values):
                cell += f" ({len(values) - len(found)} of {len(values)} found nothing)"
            if bounds:
                cell += f", bound {max(bounds)}"
            row.append(cell)
            print(f"{name}, {sec:g} s: {cell}", flush=True)
        rows.append(row)
    lines = [
        f"## search at scale: ways to improve a roadmap ({args.steps} steps)",
        "",
        machine_line(),
        "",
        f"Scenario: `{FAMILIES[args.family][0]} --steps {args.steps} --seed {args.seed}`; "
        f"start: the greedy schedule, repaired and completed, makespan {first.value}. Makespan "
        f"reached in the wall-clock time given, median (min–max) of {args.runs} runs "
        "(`python bench/bench_search.py`).",
        "",
        table(["way", *(f"{s:g} s" for s in budgets)], rows),
    ]
    text = "\n".join(lines)
    print()
    print(text)
    if not args.no_write:
        write_section(f"search-{args.family}-{args.steps}", text)


def _solve(
    search: Search,
    expr: Any,
    seconds: float,
    workers: int,
    first: Outcome,
    complete: bool,
    lns_only: bool,
) -> Outcome:
    """One whole-model solve from the start, optionally with CP-SAT's LNS alone."""
    from planner.solver import search as search_module

    original = search_module.parameters

    def params(solver: Any, seed: int, sec: float, w: int, large: bool = False) -> None:
        original(solver, seed, sec, w, large)
        if lns_only:
            solver.parameters.use_lns_only = True

    search_module.parameters = params
    try:
        return search.solve(
            expr,
            seconds,
            workers,
            hint=first.starts,
            full=first.full if complete else None,
            large=True,
        )
    finally:
        search_module.parameters = original


if __name__ == "__main__":
    main()
