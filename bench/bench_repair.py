"""Benchmark of `planner repair` at scale (a script, not a test).

    python bench/bench_repair.py                          # 1,000, 3,000 and 10,000 steps
    python bench/bench_repair.py --sizes 1000 --runs 3 --no-write
    python bench/bench_repair.py --planner /work/main --label before --no-write

For each size N: `bench/generate.py --steps N --seed 1` writes a scenario; `plan` (30 s,
seed 1, cached in bench/data) gives the roadmap to perturb, as a negotiator's plan;
5 % of its starts (seeded) are moved 2-10 weeks earlier (not below week 0), and `repair`
must find the roadmap closest to the perturbed one. Measured, in process, `--runs` times:
the wall time of `repair(..., time_limit=T)` (default 10 s, the command's default), its
status, whether it proved no roadmap closer, the total displacement against the way back
to the plan (which keeps every rule, so the closest repair never needs more), the ratio,
the steps moved, that the repaired roadmap passes `check`, and the time of the shifted
proposal alone (`shifted_proposal`: the list schedule, pure Python). With `--cli`, `planner
repair` end to end (subprocess, the scenario cached) once per size as well.

`--planner PATH` imports the planner from another checkout (e.g. main, for the figures
before a change); `--label` names the rows.
"""

from __future__ import annotations

import argparse
import pickle
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "--planner" in sys.argv:
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--planner") + 1]).resolve()))

from bench.common import (  # noqa: E402
    BENCH,
    DATA,
    ENV,
    ensure_data_ignored,
    machine_line,
    median,
    table,
    write_section,
)
from planner.api import load_scenario  # noqa: E402
from planner.check import check  # noqa: E402
from planner.scenario import Scenario  # noqa: E402
from planner.solver.repair import repair  # noqa: E402
from planner.solver.solve import plan  # noqa: E402


def scenario_dir(steps: int, seed: int) -> Path:
    d = DATA / f"repair-{steps}-s{seed}"
    if not (d / "packages.yaml").exists():
        subprocess.run(
            [sys.executable, str(BENCH / "generate.py"), "--steps", str(steps), "--seed",
             str(seed), "--out", str(d)],
            check=True, capture_output=True,
        )  # fmt: skip
    return d


def planned(d: Path, scenario: Scenario, seed: int) -> dict[str, int]:
    """The plan of the scenario (30 s, seed), computed once and kept beside it."""
    cache = d / f"plan-s{seed}.pickle"
    if cache.exists():
        starts: dict[str, int] = pickle.loads(cache.read_bytes())
        return starts
    result = plan(scenario, time_limit=30.0, seed=seed)
    starts = dict(result.candidates[0].starts)
    cache.write_bytes(pickle.dumps(starts))
    (d / "plan.yaml").write_text(
        "roadmap:\n  steps:\n"
        + "".join(f"    - {{step: {s}, start: {t}}}\n" for s, t in starts.items())
    )
    return starts


def perturbed(original: dict[str, int], seed: int) -> dict[str, int]:
    """5 % of the starts moved 2-10 weeks earlier (not below 0)."""
    rnd = random.Random(seed)
    out = dict(original)
    for s in rnd.sample(sorted(original), len(original) // 20):
        out[s] = max(0, out[s] - rnd.randint(2, 10))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,3000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cli", action="store_true", help="also time `planner repair` end to end")
    ap.add_argument("--planner", help="import the planner from this checkout")
    ap.add_argument("--label", default="this branch")
    ap.add_argument("--no-write", action="store_true", help="do not update bench/results.md")
    args = ap.parse_args()
    ensure_data_ignored()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        d = scenario_dir(n, args.seed)
        scenario = load_scenario(d / "packages.yaml", d / "constraints")
        original = planned(d, scenario, args.seed)
        assert check(scenario, original).is_clean, "the plan must keep every rule"
        proposal = perturbed(original, args.seed)
        back = sum(abs(proposal[s] - original[s]) for s in original)
        broken = len(check(scenario, proposal).violations)
        shift_s = "—"
        try:
            from planner.solver.repair import shifted_proposal
        except ImportError:  # a checkout from before the shift
            pass
        else:
            report = check(scenario, proposal)
            chosen = [s for s in scenario.steps if s in proposal]
            took = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                shifted_proposal(scenario, chosen, proposal, report)
                took.append(time.perf_counter() - t0)
            shift_s = f"{median(took):.2f}"
        times, totals, moved, proven, statuses, clean = [], [], [], [], [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = repair(scenario, proposal, time_limit=args.time_limit, seed=args.seed)
            times.append(time.perf_counter() - t0)
            statuses.append(result.status)
            totals.append(result.total if result.status == "repaired" else None)
            moved.append(result.num_moved)
            proven.append(result.proven)
            clean.append(result.after is not None and result.after.is_clean)
        found = [t for t in totals if t is not None]
        total = f"{int(median(found)):,}" if found else "none"
        if found and min(found) != max(found):
            total += f" ({min(found):,}–{max(found):,})"
        ratio = f"{median(found) / back:.2f}" if found and back else "—"
        cli = ""
        if args.cli:
            road = d / "perturbed.yaml"
            road.write_text(
                "roadmap:\n  steps:\n"
                + "".join(f"    - {{step: {s}, start: {t}}}\n" for s, t in proposal.items())
            )
            cmd = [sys.executable, "-m", "planner", "repair", str(road), "--packages",
                   str(d / "packages.yaml"), "--constraints", str(d / "constraints"),
                   "--time-limit", f"{args.time_limit:g}"]  # fmt: skip
            env = dict(ENV)
            if args.planner:
                env["PYTHONPATH"] = str(Path(args.planner).resolve())
            # `python -m planner` imports from the working directory first: run it in the
            # checkout measured.
            where = Path(args.planner).resolve() if args.planner else ROOT
            run = {"capture_output": True, "env": env, "check": False, "cwd": where}
            subprocess.run(cmd, **run)  # type: ignore[call-overload]  # warm the cache
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, **run)  # type: ignore[call-overload]
            cli = f"{time.perf_counter() - t0:.1f} s, exit {proc.returncode}"
        rows.append(
            [
                args.label,
                f"{n:,}",
                broken,
                f"{median(times):.2f} ({min(times):.2f}–{max(times):.2f})",
                "/".join(sorted(set(statuses))),
                f"{sum(proven)}/{len(proven)}",
                total,
                f"{back:,}",
                ratio,
                int(median(moved)),
                f"{sum(clean)}/{len(clean)}",
                shift_s,
                *([cli] if args.cli else []),
            ]
        )
        print(rows[-1], flush=True)
    header = [
        "code", "steps", "violations", "repair s (min–max)", "status", "proven",
        "displacement", "way back", "ratio", "steps moved", "clean", "shift s",
        *(["`planner repair` end to end"] if args.cli else []),
    ]  # fmt: skip
    text = "\n".join(
        [
            "## repair at scale",
            "",
            machine_line(),
            "",
            f"Scenarios: `bench/generate.py --steps N --seed {args.seed}`; the roadmap is its "
            f"`plan` (30 s, seed {args.seed}) with 5 % of the starts moved 2–10 weeks earlier "
            f"(seed {args.seed}); `repair(..., time_limit={args.time_limit:g})` in process, "
            f"{args.runs} runs: median (min–max). The way back to the plan keeps every rule, "
            "so the closest repair never needs more; ratio = displacement / way back.",
            "",
            table(header, rows),
        ]
    )
    print(text)
    if not args.no_write:
        write_section("repair", text)


if __name__ == "__main__":
    main()
