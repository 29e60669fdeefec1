"""Benchmark of `planner repair` on perturbed roadmaps (a script, not a test).

    python bench/bench_repair.py                       # 300 and 1,000 steps, rewrites bench/results.md
    python bench/bench_repair.py --sizes 1000 --runs 3 --no-write

For each size: `bench/generate.py --steps N --seed 1` writes a scenario and its roadmap,
clean by construction; `--moves K` of its steps are moved by a random amount (-10..+10
weeks, seeded), and `repair` (in process, `planner.solver.repair.repair`, time limit T)
must find the roadmap closest to the perturbed one. Reported: wall time (median and
spread over runs), the total displacement of the repair against the distance back to the
original roadmap (the repair can never need more: the original is clean), steps moved,
whether the optimum was proven, and that the repaired roadmap passes `check`.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH,
    DATA,
    ensure_data_ignored,
    machine_line,
    median,
    table,
    write_section,
)
from planner.api import load_scenario
from planner.check import check
from planner.roadmap.read import load_roadmap
from planner.solver.repair import repair


def scenario_dir(steps: int, seed: int) -> Path:
    d = DATA / f"repair-{steps}-s{seed}"
    if not (d / "roadmap.yaml").exists():
        subprocess.run(
            [sys.executable, str(BENCH / "generate.py"), "--steps", str(steps), "--seed",
             str(seed), "--out", str(d), "--roadmap", str(d / "roadmap.yaml")],
            check=True, capture_output=True,
        )  # fmt: skip
    return d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="300,1000")
    ap.add_argument("--moves", type=int, default=20, help="steps moved in the roadmap")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-write", action="store_true", help="do not update bench/results.md")
    args = ap.parse_args()
    ensure_data_ignored()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        d = scenario_dir(n, args.seed)
        scenario = load_scenario(d / "packages.yaml", d / "constraints")
        original = load_roadmap(d / "roadmap.yaml", scenario).starts or {}
        assert check(scenario, original).is_clean, "the generated roadmap must be clean"
        rnd = random.Random(args.seed)
        perturbed = dict(original)
        for s in rnd.sample(sorted(original), args.moves):
            perturbed[s] = max(0, perturbed[s] + rnd.choice([-1, 1]) * rnd.randint(1, 10))
        back = sum(abs(perturbed[s] - original[s]) for s in original)
        broken = len(check(scenario, perturbed).violations)
        times = []
        result = None
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = repair(scenario, perturbed, time_limit=args.time_limit, seed=args.seed)
            times.append(time.perf_counter() - t0)
        assert result is not None
        clean = result.after is not None and result.after.is_clean
        rows.append(
            [
                f"{n:,}",
                args.moves,
                broken,
                f"{median(times):.2f} ({min(times):.2f}–{max(times):.2f})",
                result.status,
                "yes" if result.proven else "no",
                result.total,
                back,
                result.num_moved,
                clean,
            ]
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "## repair",
            "",
            machine_line(),
            "",
            f"Scenarios: `bench/generate.py --steps N --seed {args.seed}` with their clean "
            f"roadmap; {args.moves} steps moved by -10..+10 weeks (seed {args.seed}); "
            f"`repair(..., time_limit={args.time_limit:g})` in process, {args.runs} runs. "
            "The repair never needs more displacement than the way back to the original.",
            "",
            table(
                [
                    "steps",
                    "moved in",
                    "violations",
                    "repair s (min–max)",
                    "status",
                    "proven",
                    "displacement",
                    "way back",
                    "steps moved",
                    "clean",
                ],
                rows,
            ),
        ]
    )
    print(text)
    if not args.no_write:
        write_section("repair", text)


if __name__ == "__main__":
    main()
