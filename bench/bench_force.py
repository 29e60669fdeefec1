"""Benchmark: `plan` and `check` with time in force and contingencies, against the same
scenario without them.

    python bench/bench_force.py [--steps 1000] [--seed 1] [--runs 3] [--time-limit 10]

The plain scenario is `bench/generate.py`'s. The "in force" copy adds, to every sixth
U.S. relief step, a term (`lasts: 26`) and renewals every 26 weeks until week 104
(`repeat`, expanded by the loader into steps `ID@2`, ...), a `continuity` rule keeping
that relief in force until week 78, and to every fifth verified Belarusian commitment a
contingent snapback (`if: {step: ID, outcome: fails}`, `reimposes:` the relief step
nearest after it). End to end (a subprocess, process start included), median of `--runs`
runs after one warm-up, the two scenarios taking turns. Writes the "force" section of
bench/results.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from common import (
    DATA,
    ENV,
    ensure_data_ignored,
    interleaved_runs,
    machine_line,
    median,
    table,
    write_section,
)
from generate import generate, write

PLANNER = [sys.executable, "-m", "planner"]


def add_force(plain: Path, out: Path) -> tuple[int, int, int]:
    """Copy the scenario at `plain` to `out` with terms, renewals, a continuity rule and
    contingent snapbacks. Returns (lasting steps, renewals, snapbacks)."""
    shutil.copytree(plain, out, dirs_exist_ok=True)
    doc = yaml.safe_load((plain / "packages.yaml").read_text(encoding="utf-8"))
    lasting: list[str] = []
    snapbacks = 0
    relief_seen = 0
    verified_seen = 0
    for pkg in doc["packages"]:
        steps = pkg["steps"]
        added = []
        for k, step in enumerate(steps):
            if step.get("actor") == "US" and step.get("kind") == "relief":
                relief_seen += 1
                if relief_seen % 6 == 0:
                    step["lasts"] = 26
                    step["repeat"] = {"every": 26, "until": 104}
                    lasting.append(step["id"])
            if step.get("actor") == "BY" and "verify" in step:
                verified_seen += 1
                later = [
                    s
                    for s in steps[k + 1 :]
                    if s.get("actor") == "US" and s.get("kind") == "relief"
                ]
                if verified_seen % 5 == 0 and later:
                    snapbacks += 1
                    added.append(
                        {
                            "id": f"{step['id']}-snapback",
                            "actor": "US",
                            "kind": "relief",
                            "title": f"Reimpose {later[0]['id']} if {step['id']} fails",
                            "duration": 1,
                            "value": 0,
                            "if": {"step": step["id"], "outcome": "fails"},
                            "reimposes": later[0]["id"],
                            "source": "Synthetic snapback (bench/bench_force.py).",
                        }
                    )
        steps.extend(added)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    (out / "packages.yaml").write_text(text, encoding="utf-8")
    rule = {
        "rules": [
            {
                "id": "relief-stays-in-force",
                "kind": "continuity",
                "steps": lasting,
                "until": 78,
                "source": "Synthetic: renewed relief stays in force until week 78.",
            }
        ]
    }
    (out / "constraints" / "in-force.yaml").write_text(
        yaml.safe_dump(rule, sort_keys=False), encoding="utf-8"
    )
    renewals = len(lasting) * 3  # 26-week renewals between done (~week 1-30) and week 104
    return len(lasting), renewals, snapbacks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=10.0)
    args = ap.parse_args()
    ensure_data_ignored()
    base = DATA / f"force-{args.steps}-{args.seed}"
    plain, forced = base / "plain", base / "force"
    write(generate(args.steps, args.seed), plain, args.seed)
    lasting, _, snapbacks = add_force(plain, forced)

    rows = []
    counts = {}
    for name, d in (("plain", plain), ("in force", forced)):
        roadmap = d / "roadmap.yaml"
        scen = ["--packages", str(d / "packages.yaml"), "--constraints", str(d / "constraints")]
        plan = [*PLANNER, "plan", *scen, "--time-limit", str(args.time_limit)]
        proc = subprocess.run(
            [*plan, "-o", str(roadmap), "--force"], capture_output=True, text=True, env=ENV
        )
        if proc.returncode != 0:
            sys.exit(f"plan failed on {name}: {proc.stderr.strip()}")
        summary = subprocess.run(
            [*PLANNER, "validate", *scen], capture_output=True, text=True, env=ENV
        ).stdout.splitlines()
        counts[name] = "; ".join(
            line.strip() for line in summary if "steps:" in line or "renewals" in line
        )
        found = re.search(r"last step done: (week \d+ \([^)]*\))", proc.stdout)
        finish = found.group(1) if found else "?"
        times = interleaved_runs(
            {
                "plan": (plan, ENV),
                "check": ([*PLANNER, "check", str(roadmap), *scen], ENV),
            },
            runs=args.runs,
        )
        check_code = times["check"][1]
        rows.append(
            [
                name,
                finish,
                f"{median(times['plan'][0]):.1f}",
                f"{median(times['check'][0]):.2f}",
                "clean" if check_code == 0 else f"exit {check_code}",
            ]
        )
    text = "\n".join(
        [
            "## Time in force and contingencies (`python bench/bench_force.py`)",
            "",
            machine_line(),
            "",
            f"`bench/generate.py --steps {args.steps} --seed {args.seed}`, then every sixth U.S.",
            f"relief step lasting 26 weeks and renewed every 26 until week 104 ({lasting} chains),",
            f"a continuity rule over them until week 78, and {snapbacks} contingent snapbacks.",
            f"`plan --time-limit {args.time_limit:g}` and `check` of its roadmap, end to end,",
            f"median of {args.runs}, the two scenarios taking turns.",
            "",
            *(f"- {name}: {line}" for name, line in counts.items()),
            "",
            table(["scenario", "plan finds", "plan (s)", "check (s)", "check of plan"], rows),
        ]
    )
    write_section("force", text)
    print(text)


if __name__ == "__main__":
    main()
