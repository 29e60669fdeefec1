"""Benchmark: one worker against the interleaved portfolio, from a roadmap, at 200 to 1,000
steps (how `plan` chose its workers above the small-model threshold).

    python bench/bench_workers.py [--sizes 200,500,1000] [--seeds 1,2,3] [--limit 30]

For each family, size and seed: `plan()` with the default objectives, once with
`solve.FROM_ROADMAP = 1` (one worker from a complete hint, what `plan` does) and once with
8 (the interleaved portfolio from the same hint). Prints the wall time and whether the
result is proven optimal, and writes the "workers" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import time

from bench_plan import DEFAULT, FAMILIES, load, scenario_for, spread
from common import ensure_data_ignored, machine_line, table, write_section

from planner.solver import solve as solve_module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="200,500,1000")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--limit", type=float, default=30.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    ensure_data_ignored()
    rows = []
    totals: dict[int, list[float]] = {1: [], 8: []}
    for family in FAMILIES:
        for n in (int(x) for x in args.sizes.split(",") if x):
            for seed in (int(x) for x in args.seeds.split(",") if x):
                d, _ = scenario_for(family, n, seed)
                scenario, _ = load(d)
                row: list[object] = [family, n, seed]
                for workers in (1, 8):
                    solve_module.FROM_ROADMAP = workers
                    t0 = time.perf_counter()
                    result = solve_module.plan(scenario, DEFAULT, args.limit, 0)
                    took = time.perf_counter() - t0
                    best = result.candidates[0]
                    totals[workers].append(took)
                    row.append(f"{took:.2f} s, {best.values['makespan']} ({best.origin})")
                print(row, flush=True)
                rows.append(row)
    solve_module.FROM_ROADMAP = 1
    lines = [
        "## workers from a roadmap: one against the portfolio",
        "",
        machine_line(),
        "",
        f"`python bench/bench_workers.py`: `plan()`, default objectives, T = {args.limit:g} s, "
        "one run each; makespan and origin (optimal: every objective proven).",
        "",
        table(["family", "steps", "seed", "1 worker (chosen)", "portfolio of 8"], rows),
        "",
        f"All runs: 1 worker {spread(totals[1])} s, portfolio {spread(totals[8])} s.",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    if not args.no_write:
        write_section("workers", text)


if __name__ == "__main__":
    main()
