"""Benchmark: the planner on synthetic scenarios of growing size, the why-not, alternatives,
and the default scenario end to end.

    python bench/bench_plan.py [--sizes 40,100,300,1000,3000] [--limits 5,15,15,30,30]
                               [--first-limit 5] [--seed 1] [--runs 5] [--skip-default]

Per size N (scenario from bench/generate.py, seed --seed):
  - greedy: the list schedule's makespan and time (planner.solver.greedy, no ortools);
  - lower bound: the longest path through `after`, precedence, gate and reciprocity (the
    earliest counter-step) with lags, durations and verification, window openings; and
    the capacity energy bound (earliest dialogue start + ceil(sum of durations / max));
  - model: Encoder build time and size; time to the first solution CP-SAT finds with the
    greedy hint, measured with a solution callback on the same model and parameters;
  - plan(objectives=("makespan",), time_limit=T): wall time, makespan, proven or not,
    gap to the lower bound, ratio to greedy, and whether `check` finds the roadmap clean;
  - at the largest size also plan with --first-limit seconds ("first roadmap <= 5 s").
Then: the minimal conflict (explain) at 100 and 300 steps made infeasible by one window;
5 alternatives within 5 % at 100 steps; the default scenario `planner plan` end to end
against the bare imports; `planner --help`. Prints a markdown table and writes the "plan"
section of bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from common import (
    DATA,
    ensure_data_ignored,
    machine_line,
    median,
    table,
    timed_runs,
    write_section,
)
from generate import generate, write

from planner.api import load_scenario
from planner.check import check
from planner.scenario import Scenario
from planner.solver.bounds import critical_path, earliest_starts, energy_bound
from planner.solver.greedy import greedy_schedule

BARE_IMPORTS = "import ortools.sat.python.cp_model, yaml, typer, tabulate"


# ---- lower bounds ----------------------------------------------------------------------


# ---- measurements ----------------------------------------------------------------------


CONSTRAINT_KINDS = (
    "linear",
    "bool_or",
    "bool_and",
    "at_most_one",
    "exactly_one",
    "lin_max",
    "interval",
    "cumulative",
    "reservoir",
    "no_overlap",
    "element",
    "table",
)


def constraint_kind(c: Any) -> str:
    """The kind of a CP-SAT constraint proto; `linear?` for an enforced (half-reified) one."""
    for kind in CONSTRAINT_KINDS:
        if getattr(c, f"has_{kind}")():
            return kind + ("?" if len(c.enforcement_literal) else "")
    return "other"


def first_solution(
    scenario: Scenario, hint: dict[str, int], limit: float, seed: int
) -> dict[str, Any]:
    """Build the model as `plan` does, minimize makespan with the greedy hint, and time the
    first solution CP-SAT reports (a solution callback that stops the search there)."""
    from ortools.sat.python import cp_model

    from planner.solver import solve as solve_mod
    from planner.solver.encoder import Encoder

    t0 = time.perf_counter()
    enc = Encoder(scenario).build()
    build = time.perf_counter() - t0
    proto = enc.model.proto
    kinds = Counter(constraint_kind(c) for c in proto.constraints)
    model = enc.model
    model.minimize(enc.makespan)
    for s, var in enc.start.items():
        if s in hint:
            model.add_hint(var, hint[s])
    # The parameters `plan` uses (private helpers: fall back to their values of today).
    workers_of = getattr(solve_mod, "_workers", lambda n: 1 if n <= 120 else 8)
    workers = workers_of(len(enc.scheduled))

    def make_solver() -> Any:
        if hasattr(solve_mod, "_solver"):
            return solve_mod._solver(seed, limit, workers)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.random_seed, p.max_time_in_seconds, p.num_workers = seed, limit, workers
        p.interleave_search = workers > 1
        p.expand_reservoir_constraints = False
        return solver

    solver = make_solver()

    class First(cp_model.CpSolverSolutionCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.at: float | None = None
            self.value: float | None = None

        def on_solution_callback(self) -> None:
            if self.at is None:
                self.at = time.perf_counter() - t1
                self.value = self.objective_value
            self.stop_search()

    cb = First()
    t1 = time.perf_counter()
    status = solver.solve(model, cb)
    took = time.perf_counter() - t1
    # The makespan stage alone, run to its end: when is the optimum proven?
    full = make_solver()
    t2 = time.perf_counter()
    full_status = full.solve(model)
    full_s = time.perf_counter() - t2
    return {
        "stage_s": full_s,
        "stage_status": full.status_name(full_status),
        "stage_value": full.objective_value,
        "stage_bound": full.best_objective_bound,
        "build": build,
        "vars": len(proto.variables),
        "constraints": len(proto.constraints),
        "kinds": dict(kinds.most_common()),
        "first": cb.at,
        "first_value": cb.value,
        "first_status": solver.status_name(status),
        "probe_seconds": took,
        "workers": workers,
    }


def run_plan(scenario: Scenario, limit: float, seed: int, **kw: Any) -> dict[str, Any]:
    from planner.solver.solve import plan

    t0 = time.perf_counter()
    result = plan(scenario, objectives=("makespan",), time_limit=limit, seed=seed, **kw)
    took = time.perf_counter() - t0
    out: dict[str, Any] = {"seconds": took, "status": result.status, "notes": list(result.notes)}
    if result.candidates:
        best = result.candidates[0]
        out.update(
            makespan=best.values["makespan"],
            bound=best.bounds.get("makespan"),
            origin=best.origin,
            clean=check(scenario, best.starts).is_clean,
            candidates=[c.values["makespan"] for c in result.candidates],
        )
    return out


def scenario_for(n: int, seed: int, infeasible: bool = False) -> tuple[Scenario, float]:
    d = DATA / f"{'bad' if infeasible else 'plan'}-{n}-s{seed}"
    write(generate(n, seed, infeasible=infeasible), d, seed)
    t0 = time.perf_counter()
    scenario = load_scenario(d / "packages.yaml", d / "constraints")
    return scenario, time.perf_counter() - t0


def bench_size(n: int, limit: float, seed: int, first_limit: float | None) -> dict[str, Any]:
    scenario, load_s = scenario_for(n, seed)
    scheduled = [s for s in scenario.steps if s not in scenario.forbidden()]
    t0 = time.perf_counter()
    hint = greedy_schedule(scenario, scheduled)
    greedy_s = time.perf_counter() - t0
    greedy_ms = max(hint[s] + scenario.steps[s].done_offset for s in scheduled)
    greedy_clean = check(scenario, hint).is_clean
    est = earliest_starts(scenario, scheduled)
    cp = critical_path(scenario, est)
    energy = energy_bound(scenario, est)
    lb = max(cp, energy)
    row: dict[str, Any] = {
        "n": len(scenario.steps),
        "load": load_s,
        "greedy": greedy_ms,
        "greedy_s": greedy_s,
        "greedy_clean": greedy_clean,
        "cp": cp,
        "energy": energy,
        "lb": lb,
        "limit": limit,
    }
    print(
        f"[{n}] loaded in {load_s:.2f} s; greedy {greedy_ms} in {greedy_s * 1000:.0f} ms "
        f"(clean {greedy_clean}); bound {lb} (critical path {cp}, energy {energy})",
        flush=True,
    )
    probe = first_solution(scenario, hint, limit, seed)
    row["probe"] = probe
    print(
        f"[{n}] makespan stage alone: {probe['stage_status']} {probe['stage_value']:g} "
        f"(bound {probe['stage_bound']:g}) in {probe['stage_s']:.2f} s",
        flush=True,
    )
    print(
        f"[{n}] model: build {probe['build']:.2f} s, {probe['vars']} vars, "
        f"{probe['constraints']} constraints {probe['kinds']}; first solution "
        f"{probe['first']} s (value {probe['first_value']}, {probe['first_status']})",
        flush=True,
    )
    row["plan"] = run_plan(scenario, limit, seed)
    print(f"[{n}] plan {limit:g} s: {json.dumps(row['plan'])}", flush=True)
    if first_limit is not None:
        row["first_plan"] = run_plan(scenario, first_limit, seed)
        print(f"[{n}] plan {first_limit:g} s: {json.dumps(row['first_plan'])}", flush=True)
    return row


def bench_conflict(n: int, seed: int, limit: float) -> dict[str, Any]:
    from planner.solver.explain import explain

    scenario, _ = scenario_for(n, seed, infeasible=True)
    t0 = time.perf_counter()
    conflict = explain(scenario, limit, seed)
    took = time.perf_counter() - t0
    out: dict[str, Any] = {"n": n, "seconds": took}
    if conflict is not None:
        out.update(
            size=len(conflict.culprits),
            names=[c.name for c in conflict.culprits],
            minimal=conflict.is_minimal,
        )
    print(f"[conflict {n}] {json.dumps(out)}", flush=True)
    return out


def bench_alternatives(n: int, seed: int, limit: float) -> dict[str, Any]:
    scenario, _ = scenario_for(n, seed)
    out = run_plan(scenario, limit, seed, alternatives=5, tolerance=0.05)
    out["n"] = n
    print(f"[alternatives {n}] {json.dumps(out)}", flush=True)
    return out


def bench_default(runs: int) -> dict[str, Any]:
    plan_t, code = timed_runs(["planner", "plan"], runs)
    bare_t, _ = timed_runs([sys.executable, "-c", BARE_IMPORTS], runs)
    help_t, _ = timed_runs(["planner", "--help"], runs)
    import subprocess

    doc = json.loads(
        subprocess.run(
            ["planner", "plan", "--format", "json"], capture_output=True, text=True, check=True
        ).stdout
    )
    best = doc["candidates"][0]
    out = {
        "plan": median(plan_t),
        "bare": median(bare_t),
        "help": median(help_t),
        "ratio": median(plan_t) / median(bare_t),
        "origin": best["origin"],
        "values": best["values"],
        "bounds": best["bounds"],
        "exit": code,
    }
    print(f"[default] {json.dumps(out)}", flush=True)
    return out


# ---- report ----------------------------------------------------------------------------


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def proven(p: dict[str, Any]) -> str:
    """Whether CP-SAT proved the makespan optimal (its bound equals the value), and the
    candidate's origin ("optimal" only when every stage, the tie-break included, was)."""
    if p.get("makespan") is None:
        return "—"
    return ("yes" if p.get("bound") == p["makespan"] else f"no (bound {p.get('bound')})") + (
        f" ({p.get('origin')})"
    )


def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def report(
    rows: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    alts: dict[str, Any] | None,
    default: dict[str, Any] | None,
    seed: int,
) -> str:
    lines = ["## plan", "", machine_line(), ""]
    lines.append(
        f"Scenarios: `bench/generate.py --steps N --seed {seed}`; objective makespan only "
        '(`plan(..., objectives=("makespan",), time_limit=T)`); times in seconds, wall clock, '
        "in process (model building, greedy hint and solving included in plan). "
        "Bound = max(critical path, capacity energy)."
    )
    lines.append("")
    header = [
        "steps",
        "greedy (ms)",
        "bound (cp / energy)",
        "T",
        "plan s",
        "makespan",
        "proven (origin)",
        "gap to bound",
        "vs greedy",
        "clean",
        "build s",
        "1st sol. s",
        "makespan stage s",
    ]
    body = []
    for r in rows:
        p = r["plan"]
        ms = p.get("makespan")
        body.append(
            [
                r["n"],
                f"{r['greedy']} ({r['greedy_s'] * 1000:.0f})" + ("" if r["greedy_clean"] else " ✗"),
                f"{r['lb']} ({r['cp']} / {r['energy']})",
                f"{r['limit']:g}",
                f"{p['seconds']:.2f}",
                ms if ms is not None else p["status"],
                proven(p),
                pct((ms - r["lb"]) / r["lb"]) if ms is not None else "—",
                f"{ms / r['greedy']:.3f}" if ms is not None else "—",
                p.get("clean", "—"),
                fmt_s(r["probe"]["build"]),
                fmt_s(r["probe"]["first"]),
                f"{r['probe']['stage_s']:.2f} ({r['probe']['stage_status'].lower()})",
            ]
        )
        if "first_plan" in r:
            q = r["first_plan"]
            ms = q.get("makespan")
            body.append(
                [
                    f"{r['n']} (short)",
                    "",
                    "",
                    f"{q.get('limit', '')}",
                    f"{q['seconds']:.2f}",
                    ms if ms is not None else q["status"],
                    proven(q),
                    pct((ms - r["lb"]) / r["lb"]) if ms is not None else "—",
                    f"{ms / r['greedy']:.3f}" if ms is not None else "—",
                    q.get("clean", "—"),
                    "",
                    "",
                    "",
                ]
            )
    lines += [table(header, body), ""]
    lines.append("✗ after the greedy makespan: the greedy schedule breaks a rule `check` reports.")
    lines.append("")
    other = []
    for c in conflicts:
        other.append(
            [
                f"minimal conflict, {c['n']} steps",
                fmt_s(c["seconds"]),
                f"{c.get('size', '—')} rules, minimal {c.get('minimal')}: {', '.join(c.get('names', []))}",
            ]
        )
    if alts is not None:
        other.append(
            [
                f"5 alternatives within 5 %, {alts['n']} steps",
                fmt_s(alts["seconds"]),
                f"{len(alts.get('candidates', []))} found, makespans {alts.get('candidates')}; "
                + "; ".join(alts.get("notes", [])),
            ]
        )
    if default is not None:
        other += [
            [
                "default scenario: `planner plan` (median of 5)",
                fmt_s(default["plan"]),
                f"origin {default['origin']}, values {default['values']}, bounds {default['bounds']}",
            ],
            [f'bare imports: `python -c "{BARE_IMPORTS}"`', fmt_s(default["bare"]), ""],
            ["ratio plan / bare imports", f"{default['ratio']:.2f}", "target <= 1.3"],
            ["`planner --help` (median of 5)", fmt_s(default["help"]), ""],
        ]
    lines += [table(["measure", "seconds", "detail"], other), ""]
    lines += targets(rows, conflicts, alts, default)
    return "\n".join(lines)


def targets(
    rows: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    alts: dict[str, Any] | None,
    default: dict[str, Any] | None,
) -> list[str]:
    by_n = {r["n"]: r for r in rows}
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

    def plan_of(n: int) -> dict[str, Any] | None:
        return by_n[n]["plan"] if n in by_n else None

    p = plan_of(100)
    line(
        None if p is None else p.get("bound") == p.get("makespan") and p["seconds"] <= 5,
        "100 steps proven optimal <= 5 s"
        + (f" ({p['seconds']:.1f} s, {p.get('origin')})" if p else ""),
    )
    for n, gap, limit in ((300, 0.01, 15), (1000, 0.02, 30)):
        p = plan_of(n)
        if p is None or p.get("makespan") is None:
            line(None if p is None else False, f"{n} steps <= {gap:.0%} above bound in {limit} s")
            continue
        g = (p["makespan"] - by_n[n]["lb"]) / by_n[n]["lb"]
        line(
            g <= gap and p["seconds"] <= limit + 1,
            f"{n} steps <= {gap:.0%} above bound in {limit} s ({pct(g)} in {p['seconds']:.1f} s)",
        )
    r = by_n.get(3000)
    if r is not None:
        q = r.get("first_plan", r["plan"])
        ms = q.get("makespan")
        line(
            ms is not None and q["seconds"] <= 5.5 and ms <= r["greedy"],
            f"3,000 steps first roadmap <= 5 s, never worse than greedy ({q['seconds']:.1f} s, "
            f"makespan {ms} vs greedy {r['greedy']})",
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="40,100,300,1000,3000")
    ap.add_argument("--limits", default="5,15,15,30,30", help="plan time limit per size (s)")
    ap.add_argument(
        "--first-limit",
        type=float,
        default=5.0,
        help="also plan the largest size (>= 3000) with this limit",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--conflict-sizes", default="100,300")
    ap.add_argument("--conflict-limit", type=float, default=30.0)
    ap.add_argument("--alt-size", type=int, default=100)
    ap.add_argument("--alt-limit", type=float, default=30.0)
    ap.add_argument("--skip-default", action="store_true")
    ap.add_argument("--json", type=Path, help="also dump the raw measurements here")
    ap.add_argument("--no-write", action="store_true", help="do not update bench/results.md")
    args = ap.parse_args()

    ensure_data_ignored()
    sizes = [int(x) for x in args.sizes.split(",") if x]
    limits = [float(x) for x in args.limits.split(",") if x]
    limits += [limits[-1]] * (len(sizes) - len(limits))
    rows = []
    for n, limit in zip(sizes, limits, strict=True):
        first = args.first_limit if n >= 3000 and args.first_limit else None
        row = bench_size(n, limit, args.seed, first)
        if "first_plan" in row:
            row["first_plan"]["limit"] = first
        rows.append(row)
    conflicts = [
        bench_conflict(n, args.seed, args.conflict_limit)
        for n in (int(x) for x in args.conflict_sizes.split(",") if x)
    ]
    alts = bench_alternatives(args.alt_size, args.seed, args.alt_limit) if args.alt_size else None
    default = None if args.skip_default else bench_default(args.runs)
    text = report(rows, conflicts, alts, default, args.seed)
    print()
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"rows": rows, "conflicts": conflicts, "alternatives": alts, "default": default},
                indent=2,
                default=str,
            )
        )
    if not args.no_write:
        write_section("plan", text)


if __name__ == "__main__":
    main()
