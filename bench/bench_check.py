"""Benchmark: `planner check` on a 10,000-step scenario and a clean roadmap.

    python bench/bench_check.py [--steps 10000] [--seed 1] [--runs 5] [--profile]

End to end (a subprocess, process start included): median of `--runs` runs after one
warm-up, twice: as a negotiator re-checks an edited roadmap against an unchanged scenario
(the scenario cache warm; the warm-up run fills it), and with the cache off (every run
parses the scenario, as the first check of a new scenario does). In-process split, from
fresh processes too. Target: < 0.5 s end to end. The cache lives in bench/data/cache.
Writes the "check" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

from common import (
    DATA,
    ENV,
    ensure_data_ignored,
    interleaved_runs,
    machine_line,
    median,
    table,
    timed_runs,
    write_section,
)
from generate import generate, roadmap_yaml, write

TARGET = 0.5

FLOOR = r"""
import json, sys, time
from pathlib import Path
import yaml
d = Path(sys.argv[1])
files = [d / "packages.yaml", d / "roadmap.yaml", *sorted((d / "constraints").glob("*.yaml"))]
texts = [f.read_text(encoding="utf-8") for f in files]
t0 = time.perf_counter()
n = sum(1 for t in texts for _ in yaml.parse(t, Loader=yaml.CSafeLoader))
t1 = time.perf_counter()
for t in texts:
    yaml.load(t, Loader=yaml.CSafeLoader)
t2 = time.perf_counter()
print(json.dumps({"events": n, "libyaml events only": t1 - t0, "CSafeLoader safe load": t2 - t1}))
"""

WRITE_PLANNED = r"""
import sys
from pathlib import Path
from planner.api import load_scenario
from planner.roadmap.read import load_roadmap
from planner.roadmap.write import roadmap_doc, roadmap_yaml
d = Path(sys.argv[1])
scenario = load_scenario(d / "packages.yaml", d / "constraints")
starts = load_roadmap(d / "roadmap.yaml", scenario).starts
Path(sys.argv[2]).write_text(roadmap_yaml(roadmap_doc(scenario, starts)), encoding="utf-8")
"""

SPLIT = r"""
import gc, json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from planner.check import check
from planner.api import load_scenario
from planner.roadmap.read import load_roadmap
from planner.render.report import report_text
t1 = time.perf_counter()
d = Path(sys.argv[1])
scenario = load_scenario(d / "packages.yaml", d / "constraints")
t2 = time.perf_counter()
roadmap = load_roadmap(d / "roadmap.yaml", scenario)
t3 = time.perf_counter()
gc.freeze()  # as the CLI does once the scenario is loaded
report = check(scenario, roadmap.starts)
t4 = time.perf_counter()
report_text(report, scenario)
t5 = time.perf_counter()
import planner.cli
t6 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load scenario": t2 - t1, "load roadmap": t3 - t2,
                  "check": t4 - t3, "render": t5 - t4, "import cli (typer)": t6 - t5,
                  "clean": report.is_clean}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of one run")
    ap.add_argument("--no-write", action="store_true", help="do not update bench/results.md")
    args = ap.parse_args()

    ensure_data_ignored()
    d = DATA / f"check-{args.steps}-s{args.seed}"
    gen = generate(args.steps, args.seed)
    write(gen, d, args.seed)
    (d / "roadmap.yaml").write_text(roadmap_yaml(gen.starts), encoding="utf-8")
    size = (d / "packages.yaml").stat().st_size
    cons = sum(p.stat().st_size for p in (d / "constraints").glob("*.yaml"))
    num_rules = sum(len(r) for r in gen.rules.values())
    print(
        f"scenario: {gen.num_steps} steps, {num_rules} rules, packages.yaml {size:,} B, "
        f"constraints {cons:,} B, roadmap {(d / 'roadmap.yaml').stat().st_size:,} B"
    )

    cmd = [
        "planner",
        "check",
        str(d / "roadmap.yaml"),
        "--packages",
        str(d / "packages.yaml"),
        "--constraints",
        str(d / "constraints"),
    ]
    cache_dir = DATA / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    warm_env = {**ENV, "RELIEF_PLANNER_CACHE": str(cache_dir)}
    cold_env = {**ENV, "RELIEF_PLANNER_CACHE": "off"}
    # The same roadmap as `plan -o` writes it: derived fields and titles on every line.
    planned = d / "roadmap-planned.yaml"
    subprocess.run(
        [sys.executable, "-c", WRITE_PLANNED, str(d), str(planned)], check=True, env=warm_env
    )
    planned_cmd = [*cmd[:2], str(planned), *cmd[3:]]
    timed = interleaved_runs(
        {
            "cached": (cmd, warm_env),
            "planned": (planned_cmd, warm_env),
            "cold": (cmd, cold_env),
        },
        args.runs,
        ok=(0, 1),
    )
    times, code = timed["cached"]
    e2e = median(times)
    print(f"planner check, scenario cached: median {e2e:.3f} s (min {min(times):.3f}, exit {code})")
    planned_times, planned_code = timed["planned"]
    planned_e2e = median(planned_times)
    print(f"planner check, plan -o format, scenario cached: median {planned_e2e:.3f} s")
    cold_times, _ = timed["cold"]
    cold = median(cold_times)
    print(f"planner check, cache off: median {cold:.3f} s (min {min(cold_times):.3f})")

    def split_runs(env: dict[str, str]) -> dict[str, float]:
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", SPLIT, str(d)],
                    capture_output=True,
                    check=True,
                    text=True,
                    env=env,
                ).stdout
            )
            for _ in range(args.runs)
        ]
        return {k: median([r[k] for r in runs]) for k in runs[0]}

    split_runs(warm_env)  # writes bytecode
    warm_split = split_runs(warm_env)
    cold_split = split_runs(cold_env)
    splits = [warm_split]
    keys = [k for k in warm_split if k != "clean"]
    split = {k: warm_split[k] for k in keys}
    startup, _ = timed_runs([sys.executable, "-c", "pass"], args.runs)
    split = {"python start": median(startup), **split}
    split["load scenario, cache off (parse and validate)"] = cold_split["load scenario"]
    for k, v in split.items():
        print(f"  {k:>20}: {v:.3f} s")
    floors = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", FLOOR, str(d)], capture_output=True, check=True, text=True
            ).stdout
        )
        for _ in range(args.runs)
    ]
    events = int(floors[0]["events"])
    floor = {k: median([f[k] for f in floors]) for k in floors[0] if k != "events"}
    for k, v in floor.items():
        print(f"  {k:>20}: {v:.3f} s ({events:,} YAML events in all files)")
    clean = bool(splits[0]["clean"])
    print(f"  roadmap clean: {clean}")

    verdict = "met" if e2e < TARGET else "MISSED"
    cold_verdict = "met" if cold < TARGET else "MISSED"
    rows = [
        [
            f"`planner check` end to end, scenario cached (median of {args.runs}, subprocess)",
            f"{e2e:.3f}",
            f"< {TARGET} s: **{verdict}**",
        ],
        [
            f"the same roadmap as `plan -o` writes it (derived fields, titles; "
            f"{planned.stat().st_size / 1e6:.1f} MB, exit {planned_code})",
            f"{planned_e2e:.3f}",
            f"< {TARGET} s: {'met' if planned_e2e < TARGET else 'MISSED'}",
        ],
        [
            f"`planner check` end to end, cache off: a new scenario (median of {args.runs})",
            f"{cold:.3f}",
            f"< {TARGET} s: {cold_verdict}",
        ],
        *[[f"in process: {k}", f"{v:.3f}", ""] for k, v in split.items()],
        *[
            [f"for scale, all input files: {k} ({events:,} events)", f"{v:.3f}", ""]
            for k, v in floor.items()
        ],
    ]
    text = "\n".join(
        [
            "## check: 10,000 steps",
            "",
            machine_line(),
            "",
            f"Scenario: `bench/generate.py --steps {args.steps} --seed {args.seed}`: "
            f"{gen.num_steps} steps, {num_rules} rules, packages.yaml {size / 1e6:.1f} MB; "
            f"roadmap: the generator's valid-by-construction schedule (clean: {clean}, "
            f"exit {code}).",
            "The three end-to-end measures take turns run by run. The in-process split is of the "
            "cached run. Subprocesses run with Python's default bytecode caching (see "
            "`bench/common.py`).",
            "",
            table(["measure", "seconds", "target"], rows),
        ]
    )
    print()
    print(text)
    if not args.no_write:
        write_section("check", text)
    if args.profile:
        prof = subprocess.run(
            [sys.executable, "-m", "cProfile", "-s", "cumtime", "-m", "planner", *cmd[1:]],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        lines = prof.splitlines()
        start = next((i for i, ln in enumerate(lines) if "ncalls" in ln), 0)
        print("\n".join(lines[start : start + 40]))


if __name__ == "__main__":
    main()
