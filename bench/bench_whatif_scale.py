"""Benchmark of `planner simulate` and `planner timeline --slack` at 1,000-10,000 steps
(a script, not a test; issue 22 items 1 and 3).

    python bench/bench_whatif_scale.py                          # rewrites bench/results.md
    python bench/bench_whatif_scale.py --sizes 1000 3000 --runs 200 --repeat 1 --no-write

Scenarios: `bench/generate.py --steps N --seed 1` with its constructed roadmap
(`--roadmap`), kept under bench/data/. simulate draws from `bench/uncertain.yaml` (the
generated scenario's three-point estimates) and holds the roadmap's order, on
`--workers` processes; slack is `planner timeline ROADMAP --slack`. Each command end to
end in a subprocess: wall time (median of the repeats) and the peak resident memory of
the command. The growth exponent between two sizes is log(t2 / t1) / log(n2 / n1).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from bench.common import ENV, ensure_data_ignored, machine_line, median, table, write_section

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
VARIANT = ROOT / "bench" / "uncertain.yaml"


def scenario(n: int) -> Path:
    """The generated scenario of n steps (made once)."""
    out = DATA / f"whatif{n}"
    if not (out / "roadmap.yaml").exists():
        subprocess.run(
            [sys.executable, "bench/generate.py", "--steps", str(n), "--seed", "1",
             "--out", str(out), "--roadmap", str(out / "roadmap.yaml")],
            cwd=ROOT, check=True, capture_output=True, env=ENV,
        )  # fmt: skip
    return out


def measure(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak MB) of one command: the peak is read with `time -f %M` when
    available, else from the children's rusage."""
    wrap = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    t0 = time.perf_counter()
    proc = subprocess.run(wrap + cmd, cwd=ROOT, capture_output=True, env=ENV, check=False)
    took = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    if wrap:
        peak = int(proc.stderr.decode().strip().splitlines()[-1]) / 1024
    else:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return took, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", default="this branch")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    ensure_data_ignored()
    rows = []
    found: dict[str, list[tuple[int, float]]] = {"simulate": [], "slack": []}
    for n in args.sizes:
        d = scenario(n)
        common = ["--packages", str(d / "packages.yaml"), "--constraints", str(d / "constraints")]
        commands = {
            "simulate": [sys.executable, "-m", "planner", "simulate", str(d / "roadmap.yaml"),
                         *common, "--variant", str(VARIANT), "--runs", str(args.runs),
                         "--workers", str(args.workers)],
            "slack": [sys.executable, "-m", "planner", "timeline", str(d / "roadmap.yaml"),
                      *common, "--slack"],
        }  # fmt: skip
        measure([*commands["slack"][:4], str(d / "roadmap.yaml"), *common])  # cache the scenario
        for name, cmd in commands.items():
            got = [measure(cmd) for _ in range(args.repeat)]
            secs = median([t for t, _ in got])
            peak = max(m for _, m in got)
            found[name].append((n, secs))
            print(f"{name} {n}: {', '.join(f'{t:.2f}' for t, _ in got)} s, {peak:.0f} MB",
                  flush=True)  # fmt: skip
            rows.append([args.label, name, f"{n:,}", f"{secs:.2f} s", f"{peak:.0f} MB"])
    growth = []
    for name, points in found.items():
        for (n1, t1), (n2, t2) in itertools.pairwise(points):
            growth.append(f"{name} {n1:,}→{n2:,}: N^{math.log(t2 / t1) / math.log(n2 / n1):.2f}")
    text = "\n".join(
        [
            "## simulate and slack at scale",
            "",
            f"`python bench/bench_whatif_scale.py --runs {args.runs} --workers {args.workers}"
            f" --repeat {args.repeat}`: `planner simulate ROADMAP --variant bench/uncertain.yaml"
            f" --runs {args.runs} --workers {args.workers}` and `planner timeline ROADMAP"
            " --slack` on `bench/generate.py --steps N --seed 1` with its constructed roadmap,"
            " end to end (median wall time, peak resident memory).",
            "",
            table(["code", "command", "steps", "time", "peak memory"], rows),
            "",
            "Growth: " + "; ".join(growth) + ".",
            "",
            f"Machine: {machine_line()}",
        ]
    )
    print(text)
    if not args.no_write:
        write_section(f"whatif-scale {args.label}", text)


if __name__ == "__main__":
    main()
