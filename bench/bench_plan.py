"""Benchmark: the planner on two families of synthetic scenarios, the why-not, alternatives,
and the default scenario end to end.

    python bench/bench_plan.py [--families layered,chains] [--sizes 40,100,300,1000,3000,10000]
                               [--limits 5,15,15,30,5,30] [--long 3000:30] [--runs 3]
                               [--cli 3000:5,10000:30] [--seed 1] [--skip-default]

Families: `layered` is `bench/generate.py` (many short packages on a layered DAG, one
balance rule, one capacity), `chains` is `bench/generate_chains.py` (few long tracks with
lags, six balance rules, five capacities, deadlines and `within` limits).

Per family and size N (seed --seed):
  - greedy: the list schedule's makespan, time and the rules it breaks (no ortools);
  - bound: max(critical path, capacity energy), as `plan` states it in the model;
  - plan(objectives=("makespan",)) and plan() (the default objectives) with the size's
    time limit T, in process, `--runs` times: wall time, values, proven bound, whether
    `check` finds the roadmap clean; each figure is given as median (min-max);
  - `--long N:T`: the same at a longer limit, for the best known bound (the largest
    bound any run proved; "optimum" when a run proved it);
  - `--cli N:T`: `planner plan --time-limit T` end to end (a subprocess: start, imports,
    loading the scenario, the plan, the output), `--runs` times after a warm-up that
    fills the scenario cache; its roadmap (`-o`) is then checked with `planner check`.
Then: the minimal conflict (explain) at 100 and 300 steps made infeasible by one window;
5 alternatives within 5 % at 100 steps; the default scenario `planner plan` end to end
against the bare imports; `planner --help`. Prints markdown and writes the "plan" section
of bench/results.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import (
    DATA,
    ENV,
    ensure_data_ignored,
    machine_line,
    median,
    table,
    timed_runs,
    write_section,
)
from generate import generate, write
from generate_chains import generate_chains
from generate_multiyear import generate_multiyear

from planner.api import load_scenario
from planner.check import check
from planner.scenario import Scenario
from planner.schedule.bounds import critical_path, earliest_starts, energy_bound
from planner.schedule.greedy import greedy_schedule

BARE_IMPORTS = "import ortools.sat.python.cp_model, yaml, typer, tabulate"
DEFAULT = ("penalty", "makespan", "exposure", "goodwill")
FAMILIES = {
    "layered": ("bench/generate.py", generate, 20),
    "chains": ("bench/generate_chains.py", generate_chains, 60),
    "multiyear": ("bench/generate_multiyear.py", generate_multiyear, 80),
}


# ---- measurements ----------------------------------------------------------------------


def scenario_for(family: str, n: int, seed: int, infeasible: bool = False) -> tuple[Path, float]:
    _, make, _ = FAMILIES[family]
    d = DATA / f"{family}-{'bad-' if infeasible else ''}{n}-s{seed}"
    gen = make(n, seed, infeasible=True) if infeasible else make(n, seed)
    write(gen, d, seed)
    return d, 0.0


def load(d: Path) -> tuple[Scenario, float]:
    t0 = time.perf_counter()
    scenario = load_scenario(d / "packages.yaml", d / "constraints")
    return scenario, time.perf_counter() - t0


def run_plan(
    scenario: Scenario, limit: float, seed: int, objectives: tuple[str, ...], **kw: Any
) -> dict[str, Any]:
    from planner.solver.solve import plan

    t0 = time.perf_counter()
    result = plan(scenario, objectives=objectives, time_limit=limit, seed=seed, **kw)
    took = time.perf_counter() - t0
    out: dict[str, Any] = {"seconds": took, "status": result.status, "notes": list(result.notes)}
    if result.candidates:
        best = result.candidates[0]
        out.update(
            values=dict(best.values),
            bounds=dict(best.bounds),
            origin=best.origin,
            clean=check(scenario, best.starts).is_clean,
            digest=hashlib.sha256(json.dumps(sorted(best.starts.items())).encode()).hexdigest(),
            candidates=[c.values[objectives[0]] for c in result.candidates],
        )
    return out


def runs_of(
    scenario: Scenario, limit: float, seed: int, objectives: tuple[str, ...], runs: int
) -> list[dict[str, Any]]:
    return [run_plan(scenario, limit, seed, objectives) for _ in range(runs)]


def cli_runs(d: Path, limit: float, runs: int) -> dict[str, Any]:
    """`planner plan --time-limit T` end to end, after a warm-up that fills the cache."""
    env = dict(ENV, RELIEF_PLANNER_CACHE=str(DATA / "cache"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "roadmap.yaml"
        cmd = [
            "planner",
            "plan",
            "--packages",
            str(d / "packages.yaml"),
            "--constraints",
            str(d / "constraints"),
            "--time-limit",
            f"{limit:g}",
            "-o",
            str(out),
        ]
        times, code = timed_runs(cmd, runs, env=env, ok=(0, 1))
        checked = subprocess.run(
            [
                "planner",
                "check",
                str(out),
                "--packages",
                str(d / "packages.yaml"),
                "--constraints",
                str(d / "constraints"),
            ],
            capture_output=True,
            env=env,
            check=False,
        )
    return {"times": times, "exit": code, "check_exit": checked.returncode}


def bench_size(
    family: str, n: int, limit: float, seed: int, runs: int, long_limit: float | None
) -> dict[str, Any]:
    d, _ = scenario_for(family, n, seed)
    scenario, load_s = load(d)
    scheduled = [s for s in scenario.steps if s not in scenario.forbidden()]
    est = earliest_starts(scenario, scheduled)
    cp, energy = critical_path(scenario, est), energy_bound(scenario, est)
    lb = max(cp, energy)
    greedy_times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        greedy = greedy_schedule(scenario, scheduled, est, lb)
        greedy_times.append(time.perf_counter() - t0)
    greedy_ms = max(greedy.starts[s] + scenario.steps[s].done_offset for s in scheduled)
    row: dict[str, Any] = {
        "family": family,
        "n": len(scenario.steps),
        "dir": str(d),
        "load": load_s,
        "greedy": greedy_ms,
        "greedy_s": greedy_times,
        "greedy_broken": list(greedy.broken),
        "cp": cp,
        "energy": energy,
        "lb": lb,
        "limit": limit,
    }
    print(
        f"[{family} {n}] loaded in {load_s:.2f} s; greedy {greedy_ms} in "
        f"{median(greedy_times) * 1000:.0f} ms (breaks {len(greedy.broken)}); "
        f"bound {lb} (critical path {cp}, energy {energy})",
        flush=True,
    )
    row["makespan_runs"] = runs_of(scenario, limit, seed, ("makespan",), runs)
    print(f"[{family} {n}] makespan {limit:g} s: {_brief(row['makespan_runs'])}", flush=True)
    row["default_runs"] = runs_of(scenario, limit, seed, DEFAULT, runs)
    print(f"[{family} {n}] default {limit:g} s: {_brief(row['default_runs'])}", flush=True)
    if long_limit is not None:
        row["long_limit"] = long_limit
        row["long_runs"] = runs_of(scenario, long_limit, seed, DEFAULT, runs)
        print(f"[{family} {n}] default {long_limit:g} s: {_brief(row['long_runs'])}", flush=True)
    return row


def _brief(rs: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{r['seconds']:.2f} s {r.get('values')} bounds {r.get('bounds')} "
        f"{r.get('origin')} clean {r.get('clean')}"
        for r in rs
    )


def bench_conflict(n: int, seed: int, limit: float, runs: int) -> dict[str, Any]:
    from planner.solver.explain import explain

    d, _ = scenario_for("layered", n, seed, infeasible=True)
    scenario, _ = load(d)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        conflict = explain(scenario, limit, seed)
        times.append(time.perf_counter() - t0)
    out: dict[str, Any] = {"n": n, "seconds": median(times), "times": times}
    if conflict is not None:
        out.update(
            size=len(conflict.culprits),
            names=[c.name for c in conflict.culprits],
            minimal=conflict.is_minimal,
        )
    print(f"[conflict {n}] {json.dumps(out)}", flush=True)
    return out


def bench_alternatives(n: int, seed: int, limit: float, runs: int) -> dict[str, Any]:
    d, _ = scenario_for("layered", n, seed)
    scenario, _ = load(d)
    outs = [
        run_plan(scenario, limit, seed, ("makespan",), alternatives=5, tolerance=0.05)
        for _ in range(runs)
    ]
    out = outs[-1]
    out["times"] = [o["seconds"] for o in outs]
    out["seconds"] = median(out["times"])
    out["n"] = n
    print(f"[alternatives {n}] {json.dumps(out)}", flush=True)
    return out


def bench_default(runs: int) -> dict[str, Any]:
    plan_t, code = timed_runs(["planner", "plan"], runs)
    bare_t, _ = timed_runs([sys.executable, "-c", BARE_IMPORTS], runs)
    help_t, _ = timed_runs(["planner", "--help"], runs)
    doc = json.loads(
        subprocess.run(
            ["planner", "plan", "--format", "json"], capture_output=True, text=True, check=True
        ).stdout
    )
    best = doc["candidates"][0]
    out = {
        "plan": plan_t,
        "bare": bare_t,
        "help": help_t,
        "ratio": median(plan_t) / median(bare_t),
        "origin": best["origin"],
        "values": best["values"],
        "bounds": best["bounds"],
        "exit": code,
    }
    print(f"[default] {json.dumps(out)}", flush=True)
    return out


# ---- report ----------------------------------------------------------------------------


def spread(xs: list[float], fmt: str = "{:.2f}") -> str:
    """median (min-max), or the value alone when every run gave it."""
    xs = sorted(xs)
    if not xs:
        return "—"
    if xs[0] == xs[-1]:
        return fmt.format(xs[0])
    return f"{fmt.format(median(xs))} ({fmt.format(xs[0])}–{fmt.format(xs[-1])})"


def best_known(row: dict[str, Any]) -> tuple[int, bool]:
    """(the best known makespan bound, whether some run proved it optimal)."""
    best, proven = row["lb"], False
    for key in ("makespan_runs", "default_runs", "long_runs"):
        for r in row.get(key, []):
            if "bounds" in r:
                best = max(best, r["bounds"]["makespan"])
                proven = proven or r["values"]["makespan"] == r["bounds"]["makespan"]
    return best, proven


def plan_cells(rs: list[dict[str, Any]], best: int) -> list[str]:
    found = [r for r in rs if "values" in r]
    if not found:
        return ["—", rs[0]["status"] if rs else "—", "—", "—", "—", "—"]
    ms = [r["values"]["makespan"] for r in found]
    gaps = [100 * (m - best) / best for m in ms]
    proved = sum(1 for r in found if r["values"]["makespan"] == r["bounds"]["makespan"])
    extra = ""
    if "exposure" in found[0]["values"]:
        extra = " · exposure " + spread([r["values"]["exposure"] for r in found], "{:.0f}")
    same = len({r["digest"] for r in found}) == 1 and len(found) == len(rs)
    return [
        spread([r["seconds"] for r in rs]),
        spread(ms, "{:.0f}") + extra,
        spread(gaps, "{:.1f} %"),
        f"{proved}/{len(found)}",
        "yes" if all(r["clean"] for r in found) else "**no**",
        "yes" if same else "no",
    ]


def report(
    rows: list[dict[str, Any]],
    clis: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    alts: dict[str, Any] | None,
    default: dict[str, Any] | None,
    seed: int,
    runs: int,
) -> str:
    lines = ["## plan", "", machine_line(), ""]
    lines.append(
        f"Scenarios: `bench/generate.py` (layered) and `bench/generate_chains.py` (chains), "
        f"`--steps N --seed {seed}`. In process (greedy, model and every solve inside "
        f"`plan`), {runs} runs each: median (min–max). Bound = max(critical path, "
        "capacity energy), what `plan` states in the model; best known = the largest bound "
        "any run below proved (optimum: some run proved that makespan optimal). Gap = "
        "makespan over the best known bound."
    )
    lines.append("")
    header = [
        "family",
        "steps",
        "greedy makespan · time",
        "bound (cp / energy)",
        "best known",
        "objectives",
        "T",
        "plan s",
        "makespan",
        "gap",
        "proven",
        "clean",
        "same roadmap",
    ]
    body = []
    for r in rows:
        best, proven = best_known(r)
        greedy = f"{r['greedy']} · {spread([1000 * x for x in r['greedy_s']], '{:.0f}')} ms"
        if r["greedy_broken"]:
            greedy += f", breaks {len(r['greedy_broken'])}"
        known = f"{best}" + (" (optimum)" if proven else "")
        runs_list = [("makespan", r["limit"], r["makespan_runs"])]
        runs_list.append(("default", r["limit"], r["default_runs"]))
        if "long_runs" in r:
            runs_list.append(("default", r["long_limit"], r["long_runs"]))
        for i, (objs, limit, rs) in enumerate(runs_list):
            head = (
                [r["family"], r["n"], greedy, f"{r['lb']} ({r['cp']} / {r['energy']})", known]
                if i == 0
                else ["", "", "", "", ""]
            )
            body.append([*head, objs, f"{limit:g}", *plan_cells(rs, best)])
    lines += [table(header, body), ""]
    lines.append(
        'greedy: the list schedule alone, and its time; "breaks k": k rules it could not '
        "keep, which `plan` repairs. proven: runs whose makespan CP-SAT (or the bound) "
        "proved optimal. default: `penalty,makespan,exposure,goodwill`. same roadmap: "
        "every run returned the same starts (a run the time limit cuts may differ)."
    )
    lines.append("")
    if clis:
        lines.append(
            f"`planner plan --time-limit T` end to end (subprocess: start, imports, the cached "
            f"scenario, the plan, the output, `-o`), {runs} runs after a warm-up:"
        )
        lines.append("")
        body = [
            [
                c["family"],
                c["n"],
                f"{c['limit']:g}",
                spread(c["times"]),
                c["exit"],
                "clean" if c["check_exit"] == 0 else f"**check exit {c['check_exit']}**",
            ]
            for c in clis
        ]
        lines += [
            table(["family", "steps", "T", "wall s", "plan exit", "`planner check` of -o"], body),
            "",
        ]
    other = []
    for c in conflicts:
        other.append(
            [
                f"minimal conflict, {c['n']} steps ({len(c['times'])} runs)",
                spread(c["times"]),
                f"{c.get('size', '—')} rules, minimal {c.get('minimal')}: {', '.join(c.get('names', []))}",
            ]
        )
    if alts is not None:
        other.append(
            [
                f"5 alternatives within 5 %, {alts['n']} steps ({len(alts['times'])} runs)",
                spread(alts["times"]),
                f"{len(alts.get('candidates', []))} found, makespans {alts.get('candidates')}; "
                + "; ".join(alts.get("notes", [])),
            ]
        )
    if default is not None:
        other += [
            [
                f"default scenario: `planner plan` ({len(default['plan'])} runs)",
                spread(default["plan"]),
                f"origin {default['origin']}, values {default['values']}, bounds {default['bounds']}",
            ],
            [f'bare imports: `python -c "{BARE_IMPORTS}"`', spread(default["bare"]), ""],
            ["ratio plan / bare imports (medians)", f"{default['ratio']:.2f}", "target <= 1.3"],
            [f"`planner --help` ({len(default['help'])} runs)", spread(default["help"]), ""],
        ]
    lines += [table(["measure", "seconds", "detail"], other), ""]
    lines += targets(rows, clis, conflicts, alts, default)
    return "\n".join(lines)


def targets(
    rows: list[dict[str, Any]],
    clis: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    alts: dict[str, Any] | None,
    default: dict[str, Any] | None,
) -> list[str]:
    out = ["Targets:", ""]

    def line(ok: bool | None, text: str) -> None:
        mark = "n/a" if ok is None else ("met" if ok else "**MISSED**")
        out.append(f"- {text}: {mark}")

    if default is not None:
        line(
            default["ratio"] <= 1.3 and default["origin"] == "optimal",
            f"default plan <= 1.3 x bare imports with proven optimum ({default['ratio']:.2f} x, "
            f"{default['origin']})",
        )
    for r in rows:
        if r["n"] < 3000:
            continue
        best, proven = best_known(r)
        what = "optimum" if proven else "best known bound"
        gap = 0.05 if r["n"] < 10000 else 0.10
        for key, limit in (("default_runs", r["limit"]), ("long_runs", r.get("long_limit"))):
            rs = [x for x in r.get(key, []) if "values" in x]
            if not rs:
                continue
            worst = max(x["values"]["makespan"] for x in rs)
            line(
                all(x["clean"] for x in rs) and worst <= best * (1 + gap),
                f"{r['family']} {r['n']} steps, T = {limit:g} s: clean and within "
                f"{gap:.0%} of the {what} {best} (worst of {len(rs)}: {worst}, "
                f"{100 * (worst - best) / best:.1f} %)",
            )
    for c in clis:
        allowed = c["limit"] + 1.0 if c["limit"] <= 5 else c["limit"] + 2.0
        line(
            max(c["times"]) <= allowed and c["check_exit"] == 0,
            f"{c['family']} {c['n']} steps, `plan --time-limit {c['limit']:g}` ends within "
            f"about {allowed:g} s end to end (slowest of {len(c['times'])}: "
            f"{max(c['times']):.2f} s) and its roadmap passes `check`",
        )
    for c in conflicts:
        limit = 1 if c["n"] <= 100 else 3
        line(
            c["seconds"] <= limit and c.get("minimal") is True,
            f"minimal conflict <= {limit} s at {c['n']} ({c['seconds']:.2f} s)",
        )
    if alts is not None:
        line(
            alts["seconds"] <= 1 and len(alts.get("candidates", [])) == 5,
            f"5 alternatives within 5 % <= 1 s at 100 ({alts['seconds']:.2f} s, "
            f"{len(alts.get('candidates', []))} found)",
        )
    return out


def pairs(text: str) -> dict[int, float]:
    out = {}
    for item in text.split(","):
        if item:
            n, t = item.split(":")
            out[int(n)] = float(t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--families", default="layered,chains")
    ap.add_argument("--sizes", default="40,100,300,1000,3000,10000")
    ap.add_argument("--limits", default="5,15,15,30,5,30", help="plan time limit per size (s)")
    ap.add_argument("--long", default="3000:30", help="N:T pairs also run at a longer limit")
    ap.add_argument("--cli", default="3000:5,10000:30", help="N:T pairs run end to end")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--conflict-sizes", default="100,300")
    ap.add_argument("--conflict-limit", type=float, default=30.0)
    ap.add_argument("--alt-size", type=int, default=100)
    ap.add_argument("--alt-limit", type=float, default=30.0)
    ap.add_argument("--default-runs", type=int, default=5)
    ap.add_argument("--skip-default", action="store_true")
    ap.add_argument("--json", type=Path, help="also dump the raw measurements here")
    ap.add_argument("--no-write", action="store_true", help="do not update bench/results.md")
    args = ap.parse_args()

    ensure_data_ignored()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    limits = [float(x) for x in args.limits.split(",") if x]
    limits += [limits[-1]] * (len(sizes) - len(limits))
    longs, clis_wanted = pairs(args.long), pairs(args.cli)
    rows, clis = [], []
    for family in args.families.split(","):
        minimum = FAMILIES[family][2]
        for n, limit in zip(sizes, limits, strict=True):
            if n < minimum:
                continue
            row = bench_size(family, n, limit, args.seed, args.runs, longs.get(n))
            rows.append(row)
            if n in clis_wanted:
                c = cli_runs(Path(row["dir"]), clis_wanted[n], args.runs)
                c.update(family=family, n=row["n"], limit=clis_wanted[n])
                print(f"[{family} {n}] cli {clis_wanted[n]:g} s: {json.dumps(c)}", flush=True)
                clis.append(c)
    conflicts = [
        bench_conflict(n, args.seed, args.conflict_limit, args.runs)
        for n in (int(x) for x in args.conflict_sizes.split(",") if x)
    ]
    alts = (
        bench_alternatives(args.alt_size, args.seed, args.alt_limit, args.runs)
        if args.alt_size
        else None
    )
    default = None if args.skip_default else bench_default(args.default_runs)
    text = report(rows, clis, conflicts, alts, default, args.seed, args.runs)
    print()
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "cli": clis,
                    "conflicts": conflicts,
                    "alternatives": alts,
                    "default": default,
                },
                indent=2,
                default=str,
            )
        )
    if not args.no_write:
        write_section("plan", text)


if __name__ == "__main__":
    main()
