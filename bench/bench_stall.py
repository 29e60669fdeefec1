"""Benchmark: `plan` when its one worker stalls, with and without the second core (a
script, not a test).

    python bench/bench_stall.py                      # the multi-year family, and the others
    python bench/bench_stall.py --cases multiyear:1000:3:30 --runs 3 --no-write

Each case is FAMILY:STEPS:SEED:T (families as in bench/bench_plan.py, `multiyear` being
bench/generate_multiyear.py). For each, `plan` with the default objectives and time limit
T runs in process `--runs` times in two ways, taking turns:

- `one worker`: the stall rule off (`planner.solver.solve.STALL` set past 1), as before;
- `stall → both cores`: as shipped: when the one worker has found no better roadmap and
  proved no better bound for a while, CP-SAT's neighbourhood searches on two interleaved
  workers, then one worker again for the proof.

Reported: the wall time, the makespan and its proven bound, how many runs proved it, and
whether every run returned the same roadmap. Writes the "stall" section of
bench/results.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from typing import Any

from bench_plan import FAMILIES, load, scenario_for
from common import ensure_data_ignored, machine_line, median, table, write_section

from planner.check import check
from planner.solver import solve as solve_module

DEFAULT_CASES = (
    "multiyear:1000:2:5,multiyear:1000:2:30,multiyear:1000:3:5,multiyear:1000:3:30,"
    "chains:3000:1:30,layered:10000:1:30,chains:10000:1:30"
)
DEFAULT = ("penalty", "makespan", "exposure", "goodwill")


def one(scenario: Any, limit: float, seed: int, stall: float) -> dict[str, Any]:
    solve_module.STALL = stall
    t0 = time.perf_counter()
    result = solve_module.plan(scenario, DEFAULT, time_limit=limit, seed=seed)
    took = time.perf_counter() - t0
    best = result.candidates[0] if result.candidates else None
    if best is None:
        return {"seconds": took, "makespan": None, "bound": None, "clean": False, "digest": ""}
    return {
        "seconds": took,
        "makespan": best.values["makespan"],
        "bound": best.bounds["makespan"],
        "clean": check(scenario, best.starts).is_clean,
        "digest": hashlib.sha256(json.dumps(sorted(best.starts.items())).encode()).hexdigest(),
    }


def cell(runs: list[dict[str, Any]]) -> list[str]:
    times = [r["seconds"] for r in runs]
    found = [r for r in runs if r["makespan"] is not None]
    if not found:
        return [f"{median(times):.2f}", "none", "—", "0/" + str(len(runs)), "—"]
    ms = sorted(r["makespan"] for r in found)
    bounds = sorted(r["bound"] for r in found)
    made = f"{int(median(ms))}" + (f" ({ms[0]}–{ms[-1]})" if ms[0] != ms[-1] else "")
    proven = sum(1 for r in found if r["bound"] == r["makespan"])
    same = "yes" if len({r["digest"] for r in found}) == 1 else "no"
    return [
        f"{median(times):.2f} ({min(times):.2f}–{max(times):.2f})",
        made,
        f"{int(median(bounds))}",
        f"{proven}/{len(runs)}",
        same,
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    ensure_data_ignored()
    shipped = solve_module.STALL
    rows = []
    for case in args.cases.split(","):
        family, n, seed, limit = case.split(":")
        assert family in FAMILIES, family
        d, _ = scenario_for(family, int(n), int(seed))
        scenario, _ = load(d)
        before: list[dict[str, Any]] = []
        after: list[dict[str, Any]] = []
        for _ in range(args.runs):
            before.append(one(scenario, float(limit), int(seed), 2.0))
            after.append(one(scenario, float(limit), int(seed), shipped))
        for way, runs in (("one worker", before), ("stall → both cores", after)):
            rows.append([family, f"{int(n):,}", seed, limit, way, *cell(runs)])
            print(rows[-1], flush=True)
    solve_module.STALL = shipped
    text = "\n".join(
        [
            "## plan: a stalled worker and the second core",
            "",
            machine_line(),
            "",
            "`plan` with the default objectives, in process, "
            f"{args.runs} runs per way taking turns: median (min–max). `one worker`: the "
            "stall rule off (as before); `stall → both cores`: as shipped. bound: the "
            "makespan bound proven; proven: runs whose makespan met it; same: every run "
            "returned the same roadmap.",
            "",
            table(
                [
                    "family",
                    "steps",
                    "seed",
                    "T",
                    "way",
                    "plan s",
                    "makespan",
                    "bound",
                    "proven",
                    "same",
                ],
                rows,
            ),
        ]
    )
    print(text)
    if not args.no_write:
        write_section("stall", text)


if __name__ == "__main__":
    main()
