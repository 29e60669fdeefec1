"""The finish with its risk (`planner.whatif.risk`): P50 and P80 of `simulate` beside every
finish date (`plan`, `report`, `brief`), the same numbers for the same roadmap; nothing
simulated when nothing is uncertain (issue 21 item 4)."""

from __future__ import annotations

import json
from pathlib import Path

from planner.api import document, load_scenario, plan
from planner.render.results import plan_output
from planner.whatif.risk import MIN_RUNS, RUNS, risk, runs_for
from planner.whatif.simulate import quantiles, simulate
from tests.helpers import Maker, step
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent
UNCERTAIN = ROOT / "examples" / "variants" / "uncertain.yaml"
PLAN = ROOT / "tests" / "golden" / "plan.yaml"


def test_certain_times_simulate_nothing(make: Maker) -> None:
    s = make([step("a", 2), step("b", 1, after=["a"])])
    assert risk(s, {"a": 0, "b": 2}) is None


def test_the_percentiles_are_simulates_own(make: Maker) -> None:
    # a takes 2 to 6 weeks (most likely 2), b one week after it: planned done in week 3.
    s = make([step("a", 2, estimate={"min": 2, "max": 6}), step("b", 1, after=["a"])])
    starts = {"a": 0, "b": 2}
    found = risk(s, starts, runs=200)
    assert found is not None and (found.planned, found.runs) == (3, 200)
    q = quantiles(simulate(s, starts, 200, 0).last_done)
    assert (found.p50, found.p80) == (q[50], q[80])
    assert 3 <= found.p50 <= found.p80 <= 7
    assert risk(s, starts, runs=0) is None


def test_fewer_runs_on_large_deals() -> None:
    assert runs_for(62) == RUNS
    assert runs_for(1_000) == 200
    assert runs_for(10_000) == MIN_RUNS


def test_plan_report_and_brief_print_the_same_p50_and_p80(tmp_path: Path) -> None:
    """With the default's three-point estimates (the uncertain variant): `plan`'s finish,
    its JSON and the report of the same roadmap carry one P50 and one P80."""
    s = load_scenario(variants=[UNCERTAIN])
    result = plan(s)
    best = result.candidates[0]
    assert best.finish is not None and best.finish.planned == best.values["makespan"]
    p50, p80 = best.finish.p50, best.finish.p80
    text = plan_output(s, result)
    assert f"last step done: week {best.finish.planned} (P50 week {p50}, P80 week {p80}" in text
    doc = json.loads(plan_output(s, result, "json"))
    assert doc["candidates"][0]["finish"] == {
        "planned": best.finish.planned, "p50": p50, "p80": p80, "runs": RUNS, "seed": 0
    }  # fmt: skip
    drawn = document(s, best)
    assert drawn.outline.finish == best.finish
    out = tmp_path / "r.yaml"
    assert run("plan", "--variant", str(UNCERTAIN), "-o", str(out)).returncode == 0
    brief = " ".join(run("brief", str(out), "--variant", str(UNCERTAIN)).stdout.split())
    assert f"(week {p50}), P80" in brief and f"(week {p80}), over 500" in brief


def test_without_estimates_the_plan_prints_no_percentiles(make: Maker) -> None:
    s = make([step("a", 2), step("b", 1, after=["a"])])
    result = plan(s, ("penalty", "makespan"))
    assert "finish" not in json.loads(plan_output(s, result, "json"))["candidates"][0]
    assert "P50" not in plan_output(s, result, "text")


def test_the_default_carries_its_risk_out_of_the_box() -> None:
    """The default scenario has estimates from its stated assumptions (issue 21 item 4):
    `plan` prints P50 and P80 beside the planned finish, both later than it."""
    doc = json.loads(run("plan", "--format", "json").stdout)
    finish = doc["candidates"][0]["finish"]
    assert finish["planned"] < finish["p50"] <= finish["p80"]
    assert "P50" in run("plan").stdout
