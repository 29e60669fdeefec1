"""Shared helpers of the benchmark scripts: timing subprocesses, the machine line, results."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
RESULTS = BENCH / "results.md"

#: The environment of every timed subprocess. Python writes and reuses bytecode (.pyc) by
#: default; some sandboxes turn that off (PYTHONDONTWRITEBYTECODE=1), which recompiles
#: the planner's own modules on every run (about 40 ms) while site-packages keep the
#: bytecode pip wrote. We measure what a user's Python does: the warm-up run writes it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_runs(
    cmd: Sequence[str],
    runs: int = 5,
    warmup: int = 1,
    ok: Sequence[int] = (0,),
    env: dict[str, str] | None = None,
) -> tuple[list[float], int]:
    """Wall times of `runs` runs of `cmd` (after `warmup` untimed ones) and the exit code."""
    env = ENV if env is None else env
    code = 0
    for _ in range(warmup):
        code = subprocess.run(cmd, capture_output=True, check=False, env=env).returncode
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - t0)
        code = proc.returncode
        if code not in ok:
            sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
            raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return times, code


def interleaved_runs(
    cmds: dict[str, tuple[Sequence[str], dict[str, str]]], runs: int = 5, ok: Sequence[int] = (0,)
) -> dict[str, tuple[list[float], int]]:
    """Like `timed_runs` for several (command, environment) pairs, taking turns run by run,
    so that a busy moment of a shared machine falls on all of them alike."""
    out: dict[str, tuple[list[float], int]] = {name: ([], 0) for name in cmds}
    for cmd, env in cmds.values():  # warm-up: bytecode, caches
        subprocess.run(cmd, capture_output=True, check=False, env=env)
    for _ in range(runs):
        for name, (cmd, env) in cmds.items():
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, check=False, env=env)
            out[name][0].append(time.perf_counter() - t0)
            if proc.returncode not in ok:
                sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
                raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
            out[name] = (out[name][0], proc.returncode)
    return out


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return (
        f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')} · nproc {os.cpu_count()} · "
        f"{cpu_model()} · Python {platform.python_version()}{load} · {git_state()}"
    )


def git_state() -> str:
    """The commit measured, and whether planner/ had uncommitted changes then."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=BENCH.parent, capture_output=True, text=True, check=False
            ).stdout
        except OSError:
            return ""

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = [ln[3:] for ln in git("status", "--porcelain", "planner").splitlines()]
    return f"commit {head}" + (f" + uncommitted changes in {', '.join(dirty)}" if dirty else "")


def ensure_data_ignored() -> None:
    """Generated scenarios stay out of git: `bench/data/` in the repository's .gitignore."""
    gitignore = BENCH.parent / ".gitignore"
    lines = gitignore.read_text().splitlines() if gitignore.exists() else []
    if "bench/data/" not in lines:
        with gitignore.open("a") as fh:
            fh.write("bench/data/\n")


def write_section(name: str, text: str, path: Path = RESULTS) -> None:
    """Replace (or add) the section `name` of the results file, keeping the others."""
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    old = path.read_text() if path.exists() else "# relief-planner benchmarks\n"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.write_text(new)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
