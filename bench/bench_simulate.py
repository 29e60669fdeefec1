"""Benchmark of `planner simulate` on the default scenario (a script, not a test).

    python bench/bench_simulate.py                  # 10,000 runs, workers 1 and 2; rewrites bench/results.md
    python bench/bench_simulate.py --runs 2000 --repeat 1 --no-write

The roadmap is the default's example roadmap (`examples/brief-roadmap.yaml`), simulated
holding its order, end to end (`planner simulate` in a subprocess: start, imports, the
scenario, the runs, the report and the PNG), with the three-point estimates of
`examples/variants/uncertain.yaml` (the default scenario itself marks no estimate: without
them every run is the roadmap). For each worker count: the wall time (median and spread
over the repeats), and whether the report and the PNG are byte-identical across repeats
and worker counts for the fixed seed.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ENV, machine_line, median, table, write_section

ROOT = Path(__file__).resolve().parent.parent
ROADMAP = "examples/brief-roadmap.yaml"
VARIANT = "examples/variants/uncertain.yaml"


def one(runs: int, workers: int, seed: int, png: Path) -> tuple[float, str, str]:
    """(seconds, digest of stdout, digest of the PNG) of one `planner simulate`."""
    cmd = [sys.executable, "-m", "planner", "simulate", ROADMAP, "--variant", VARIANT,
           "--runs", str(runs), "--seed", str(seed), "--workers", str(workers),
           "-o", str(png), "--force"]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, env=ENV, check=False)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    digest = hashlib.sha256(proc.stdout).hexdigest()[:12]
    return took, digest, hashlib.sha256(png.read_bytes()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    digests: set[tuple[str, str]] = set()
    with tempfile.TemporaryDirectory() as tmp:
        one(200, 1, args.seed, Path(tmp) / "warm.png")  # bytecode, caches
        for workers in args.workers:
            times = []
            for k in range(args.repeat):
                took, out, png = one(
                    args.runs, workers, args.seed, Path(tmp) / f"h{workers}{k}.png"
                )
                times.append(took)
                digests.add((out, png))
            rows.append([workers, f"{median(times):.2f} s", f"{min(times):.2f}–{max(times):.2f} s"])
            print(f"workers {workers}: {', '.join(f'{t:.2f}' for t in times)} s", flush=True)
    same = "yes" if len(digests) == 1 else f"NO ({len(digests)} different outputs)"
    text = "\n".join(
        [
            f"## simulate: {args.runs:,} runs of the default roadmap, holding its order",
            "",
            f"`planner simulate {ROADMAP} --variant {VARIANT} --runs {args.runs} "
            f"--seed {args.seed} --workers N -o hist.png`, end to end, {args.repeat} repeats.",
            "",
            table(["workers", "median", "spread"], rows),
            "",
            f"Report and PNG byte-identical across repeats and worker counts: {same}.",
            "",
            f"Machine: {machine_line()}",
        ]
    )
    print(text)
    if not args.no_write:
        write_section("simulate", text)


if __name__ == "__main__":
    main()
