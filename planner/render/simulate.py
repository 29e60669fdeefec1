"""A simulation as text, JSON and a histogram PNG. Pure functions of a computed
`Simulation`: text or bytes out, no I/O (matplotlib is imported by the PNG alone)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from planner.scenario import Scenario
from planner.whatif.simulate import QUANTILES, Simulation, quantiles, share_by

SIMULATION_SCHEMA_ID = "relief-planner/simulation/1"
#: Steps listed by criticality, and rules by how often they break, in the text.
LISTED = 12
#: Bars of the text histogram at most (wider bins past that).
BARS = 24
BAR_WIDTH = 40


def by_time(sim: Simulation, by: int | None) -> int:
    """The time `--by` asks about: given, or the roadmap's own finish."""
    return sim.planned_last if by is None else by


def bins(values: np.ndarray) -> list[tuple[int, int, int]]:
    """(from, to, runs) per bin of whole time units, at most `BARS` bins."""
    if not len(values):
        return []
    low, high = int(values.min()), int(values.max())
    width = max(1, math.ceil((high - low + 1) / BARS))
    counts = np.bincount((values - low) // width)
    return [(low + k * width, low + (k + 1) * width - 1, int(c)) for k, c in enumerate(counts)]


def histogram_lines(sim: Simulation, unit: str) -> list[str]:
    found = bins(sim.last_done)
    if not found:
        return []
    top = max(c for _, _, c in found)
    lines = [f"Last step done ({unit}s), runs per bin:"]
    for a, b, c in found:
        label = f"{a}" if a == b else f"{a}–{b}"
        bar = "█" * round(BAR_WIDTH * c / top) if top else ""
        lines.append(
            f"  {label:>9}  {bar:<{BAR_WIDTH}}  {c:>6,}  {100 * c / len(sim.last_done):5.1f}%"
        )
    return lines


def _mode(sim: Simulation) -> str:
    if sim.replan:
        return "each run re-planned with its drawn times (CP-SAT, the default objectives)"
    return "holding the roadmap's order (starts pushed as the waiting rules require)"


def simulation_text(scenario: Scenario, sim: Simulation, source: str, by: int | None) -> str:
    """The report: what was drawn, the quantiles, the chance to finish by a time, the
    histogram, the criticality index and the rules broken most often."""
    unit = scenario.unit
    kept = len(sim.last_done)
    lines = [
        f"Simulation of {source}: {sim.runs:,} runs, seed {sim.seed}, {_mode(sim)}.",
        f"Uncertain: {sim.num_uncertain} step durations, {sim.num_verifications} verification "
        f"times; {sim.num_failing} verifications may fail and be redone.",
    ]
    if scenario.variant:
        lines.append(f"Variant: {scenario.variant}.")
    if not sim.num_uncertain and not sim.num_verifications and not sim.num_failing:
        lines.append(
            "Nothing is uncertain: give steps an `estimate` or the scenario `uncertainty` "
            "defaults (every run is the roadmap itself)."
        )
    if sim.num_failed:
        lines.append(f"No roadmap exists in {sim.num_failed:,} runs (left out of the figures).")
    if not kept:
        return "\n".join(lines)
    rows = [["last step done", *quantiles(sim.last_done).values(), sim.planned_last]]
    rows.append(
        ["peak concessions ahead", *quantiles(sim.peak_exposure).values(), sim.planned_peak]
    )
    for k, actor in enumerate(sim.actors):
        rows.append(
            [f"irreversible exposure {actor}", *quantiles(sim.irreversible[k]).values(),
             sim.planned_irreversible.get(actor, 0)]
        )  # fmt: skip
    from tabulate import tabulate

    headers = ["", *(f"P{q}" for q in QUANTILES), "planned"]
    lines += ["", tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)]
    when = by_time(sim, by)
    what = "" if by is not None else " (the roadmap's own finish)"
    lines += [
        "",
        f"Done by {unit} {when}{what}: {100 * share_by(sim.last_done, when):.1f}% of runs.",
        "",
        *histogram_lines(sim, unit),
        "",
        "Criticality index (share of runs whose critical chain holds the step):",
    ]
    critical = sorted(sim.critical.items(), key=lambda kv: (-kv[1], sim.steps.index(kv[0])))
    shown = [(s, n) for s, n in critical if n][:LISTED]
    width = max((len(s) for s, _ in shown), default=0)
    lines += [f"  {s:<{width}}  {100 * n / kept:5.1f}%" for s, n in shown]
    lines += ["", "Rules broken most often (share of runs):"]
    broken = sorted(sim.broken.items(), key=lambda kv: (-kv[1], kv[0]))[:LISTED]
    if not broken:
        lines.append("  none: every run keeps every rule")
    width = max((len(_rule(r, sim)) for r, _ in broken), default=0)
    lines += [f"  {_rule(r, sim):<{width}}  {100 * n / kept:5.1f}%" for r, n in broken]
    lines += branch_lines(sim, kept)
    return "\n".join(lines)


def branch_lines(sim: Simulation, kept: int) -> list[str]:
    """The branches the runs landed in, and the chance of each snapback and lapse (none
    of it when nothing can fail, branch, lapse or be reimposed)."""
    lines: list[str] = []
    if sim.outcomes:
        lines += ["", "Branches (share of runs with each outcome; the main one first):"]
        for trigger, counts in sim.outcomes.items():
            told = ", ".join(f"{o} {100 * n / kept:.1f}%" for o, n in counts.items())
            lines.append(f"  {trigger}: {told}")
    if sim.outcomes or sim.has_force:
        lines += ["", "Snapbacks (share of runs in which the relief is reimposed):"]
        if not sim.snapbacks:
            lines.append("  none")
        lines += [f"  {s}  {100 * n / kept:5.1f}%" for s, n in sim.snapbacks.items()]
        lines += ["", "Lapses (share of runs in which the relief lapses before the end):"]
        if not sim.lapses:
            lines.append("  none")
        lines += [f"  {s}  {100 * n / kept:5.1f}%" for s, n in sim.lapses.items()]
    return lines


def _rule(name: str, sim: Simulation) -> str:
    if name.startswith("after:"):
        return f"{name} (preconditions)"
    return f"{name} (soft)" if name in sim.soft else name


def simulation_doc(
    scenario: Scenario, sim: Simulation, source: str, by: int | None
) -> dict[str, Any]:
    kept = len(sim.last_done)
    when = by_time(sim, by)

    def q(values: np.ndarray) -> dict[str, int]:
        return {f"p{k}": v for k, v in quantiles(values).items()}

    return {
        "schema": SIMULATION_SCHEMA_ID,
        "scenario": scenario.name,
        "variant": scenario.variant,
        "unit": scenario.unit,
        "roadmap": source,
        "runs": sim.runs,
        "seed": sim.seed,
        "mode": "replan" if sim.replan else "hold-order",
        "runs_without_roadmap": sim.num_failed,
        "planned": {
            "last_done": sim.planned_last,
            "peak_exposure": sim.planned_peak,
            "irreversible": dict(sim.planned_irreversible),
        },
        "last_done": q(sim.last_done),
        "peak_exposure": q(sim.peak_exposure),
        "irreversible": {a: q(sim.irreversible[k]) for k, a in enumerate(sim.actors)},
        "by": {"time": when, "share": share_by(sim.last_done, when)},
        "histogram": [{"from": a, "to": b, "runs": c} for a, b, c in bins(sim.last_done)],
        "criticality": {s: (n / kept if kept else 0.0) for s, n in sim.critical.items()},
        "broken": {r: n / kept for r, n in sorted(sim.broken.items())} if kept else {},
        **_branch_doc(sim, kept),
    }


def _branch_doc(sim: Simulation, kept: int) -> dict[str, Any]:
    """The branches, snapbacks and lapses as shares of runs (only when the scenario has
    any of them, so that other documents stay as they were)."""
    if not sim.outcomes and not sim.has_force:
        return {}

    def share(n: int) -> float:
        return n / kept if kept else 0.0

    return {
        "branches": {
            t: {o: share(n) for o, n in counts.items()} for t, counts in sim.outcomes.items()
        },
        "snapbacks": {s: share(n) for s, n in sim.snapbacks.items()},
        "lapses": {s: share(n) for s, n in sim.lapses.items()},
    }


def simulation_json(scenario: Scenario, sim: Simulation, source: str, by: int | None) -> str:
    return json.dumps(simulation_doc(scenario, sim, source, by), indent=2, ensure_ascii=False)


def histogram_png(scenario: Scenario, sim: Simulation, source: str, by: int | None) -> bytes:
    """The histogram of the last time done, with P50, P80 and the `--by` time marked, as
    PNG bytes (no metadata that varies: the same runs give the same bytes)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    unit = scenario.unit
    found = [(a, c) for a, _, c in bins(sim.last_done)]
    width = (bins(sim.last_done)[0][1] - bins(sim.last_done)[0][0] + 1) if found else 1
    # The title holds the scenario's name and the roadmap's file name: a `$` in either is
    # text, not the start of TeX math (see `planner.render.gantt`).
    with matplotlib.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
        ax.bar([a for a, _ in found], [c for _, c in found], width=width * 0.9, align="edge",
               color="#4C72B0")  # fmt: skip
        marks = quantiles(sim.last_done)
        when = by_time(sim, by)
        for label, x, style, color in (
            (f"planned {sim.planned_last}", sim.planned_last, "-", "#999999"),
            (f"P50 {marks[50]}", marks[50], "--", "black"),
            (f"P80 {marks[80]}", marks[80], ":", "black"),
            (f"by {when}: {100 * share_by(sim.last_done, when):.0f}%", when, "-", "#C44E52"),
        ):
            # A run done at time v is counted in the slot [v, v + 1): the mark is its middle.
            ax.axvline(x + 0.5, color=color, linestyle=style, linewidth=1.2, label=label)
        ax.set_xlabel(f"last step done ({unit}s)")
        ax.set_ylabel("runs")
        ax.set_title(f"{scenario.name}: {source}, {sim.runs:,} runs", fontsize=10)
        ax.legend(loc="upper right", fontsize=9)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", metadata={"Software": None})
        plt.close(fig)
    return out.getvalue()
