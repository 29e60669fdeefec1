"""`planner simulate ROADMAP`: Monte Carlo over uncertain durations.

Specified: where estimates come from (a step's own, else the scenario's defaults, field by
field); how a run holds the roadmap's order (pushed later as the waiting terms require,
never earlier than planned); failing verifications; the criticality index and the rules
broken; reproducibility across worker counts; the report, its JSON and the PNG.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from planner.whatif.simulate import CHUNK, Risk, Triple, generator, risks, simulate
from planner.whatif.simulate_run import pushed
from tests.helpers import Maker, cli_process, rule, step
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent
UNCERTAIN = ROOT / "examples" / "variants" / "uncertain.yaml"


def uncertainty_text(entries: str) -> str:
    return (
        "scenario:\n  name: tiny\n  uncertainty:\n" + entries
        + "actors: {US: us, BY: by}\npackages:\n  - id: p\n    steps:\n"
        "      - {id: a, actor: BY, kind: commitment, duration: 4, verify: {by: x, duration: 2}}\n"
        "      - {id: b, actor: US, kind: relief, duration: 3, estimate: {max: 9}}\n"
        "      - {id: c, actor: US, kind: relief, duration: 10,"
        " verify: {by: x, duration: 3, fails: 0.2, retry: 1, estimate: {min: 2}}}\n"
    )  # fmt: skip


def test_estimates_come_from_the_step_then_the_first_default_that_gives_each_field(
    make: Maker,
) -> None:
    # Relief steps: durations 1 to 1.5 times; every step: 0.5 to 2 times, verification 1
    # to 3 times and failing one time in ten, retried after 2. For each field the first
    # entry naming the step applies; a step's own estimate, fails and retry win.
    scenario = make.from_yaml(
        uncertainty_text(
            "    - {steps: {kind: relief}, duration: {min: 1, max: 1.5}}\n"
            "    - {duration: {min: 0.5, max: 2}, verify: {min: 1, max: 3}, fails: 0.1, retry: 2}\n"
        )
    )
    found = risks(scenario, ["a", "b", "c"])
    # a: 4 weeks, 0.5 to 2 times: 2 to 8; verification 2, 1 to 3 times: 2 to 6.
    assert found["a"] == Risk(Triple(2, 4, 8), Triple(2, 2, 6), 0.1, 2)
    # b: its own estimate (min defaults to the duration); no verification.
    assert found["b"] == Risk(Triple(3, 3, 9))
    # c: relief, 10 weeks: 10 to 15; its verification's own estimate (max: the duration),
    # its own fails and retry.
    assert found["c"] == Risk(Triple(10, 10, 15), Triple(2, 3, 3), 0.2, 1)


def test_factors_round_outwards(make: Maker) -> None:
    # 3 weeks × 0.8 = 2.4 → 2 (down); × 1.3 = 3.9 → 4 (up).
    scenario = make.from_yaml(uncertainty_text("    - {duration: {min: 0.8, max: 1.3}}\n"))
    assert risks(scenario, ["b"])["b"].duration == Triple(3, 3, 9)  # its own estimate wins
    assert risks(scenario, ["a"])["a"].duration == Triple(3, 4, 6)  # 3.2 → 3, 5.2 → 6


def test_holding_the_order_pushes_steps_as_their_waiting_rules_require(make: Maker) -> None:
    # Planned: the pledge runs weeks 0-2 and is verified by week 4; relief (after the
    # pledge) starts in week 4 and is done in 5; potash waits 1 week after relief is done
    # (a precedence with lag 1): week 6; a gesture in week 1 waits for nothing.
    # The pledge's verification takes 5 weeks instead of 2: done in week 7. Relief is
    # pushed to 7, potash to 7 + 1 + 1 = 9; the gesture stays in week 1.
    scenario = make(
        [step("pledge", 2, actor="BY", verify=2), step("relief", after=["pledge"]),
         step("potash"), step("gesture", kind="goodwill")],
        [rule("precedence", "potash-after-relief", before=["relief"], after=["potash"], lag=1)],
    )  # fmt: skip
    plan = {"pledge": 0, "relief": 4, "potash": 6, "gesture": 1}
    starts, chain = pushed(scenario, plan, {"pledge": (2, 5)})
    assert starts == {"pledge": 0, "relief": 7, "potash": 9, "gesture": 1}
    assert chain == ["pledge", "relief", "potash"]
    # A step done early moves nothing earlier: the gesture is instant, the rest as planned.
    starts, chain = pushed(scenario, plan, {"gesture": (0, 0)})
    assert starts == plan
    assert chain == ["pledge", "relief", "potash"]  # each starts when the one before is done


def test_reciprocity_order_simultaneity_and_capacity_are_held_too(make: Maker) -> None:
    # give waits for a free counter-step (reciprocity); low is ranked before high (order
    # by risk); x and y start together; d1 and d2 share one seat (capacity 1).
    scenario = make(
        [step("counter", 2, actor="BY", verify=1), step("give"),
         step("low", attrs={"risk": 1}), step("high", attrs={"risk": 2}),
         step("x"), step("y"), step("d1", 3, kind="dialogue"), step("d2", 2, kind="dialogue")],
        [rule("reciprocity", "r", give=["give"], get=["counter"]),
         rule("order", "o", steps=["low", "high"], by="risk"),
         rule("simultaneous", "s", steps=["x", "y"]),
         rule("capacity", "c", steps={"kind": "dialogue"}, max=1)],
    )  # fmt: skip
    plan = {"counter": 0, "give": 3, "low": 2, "high": 2, "x": 1, "y": 1, "d1": 0, "d2": 3}
    # The counter-step takes 4 weeks and 1 to verify: done in week 5, so give starts in
    # week 5. d1 takes 5 weeks instead of 3: d2 waits for its seat until week 5. The rest
    # keep their plan.
    starts, _ = pushed(scenario, plan, {"counter": (4, 1), "d1": (5, 0)})
    assert starts == {**plan, "give": 5, "d2": 5}
    # x waits for a (3 weeks, now 5): y, which starts with x, goes with it.
    scenario2 = make(
        [step("a", 3), step("x", after=["a"]), step("y")],
        [rule("simultaneous", "s", steps=["x", "y"])],
    )
    starts, _ = pushed(scenario2, {"a": 0, "x": 3, "y": 3}, {"a": (5, 0)})
    assert starts == {"a": 0, "x": 5, "y": 5}
    # Ranked steps planned in the same week: high waits for low, even when low is pushed
    # (and though high is written first: of steps planned together, those others wait
    # for are placed first).
    scenario3 = make(
        [
            step("a", 3),
            step("high", attrs={"risk": 2}),
            step("low", after=["a"], attrs={"risk": 1}),
        ],
        [rule("order", "o", steps=["low", "high"], by="risk")],
    )
    starts, _ = pushed(scenario3, {"a": 0, "low": 3, "high": 3}, {"a": (6, 0)})
    assert starts == {"a": 0, "low": 6, "high": 6}
    # With a gap of 2 between ranks, high keeps it: pushed low starts in week 6, high in 8.
    scenario4 = make(
        [
            step("a", 3),
            step("high", attrs={"risk": 2}),
            step("low", after=["a"], attrs={"risk": 1}),
        ],
        [rule("order", "o", steps=["low", "high"], by="risk", gap=2)],
    )
    starts, _ = pushed(scenario4, {"a": 0, "low": 3, "high": 5}, {"a": (6, 0)})
    assert starts == {"a": 0, "low": 6, "high": 8}


def test_a_fixed_step_is_never_pushed(make: Maker) -> None:
    """The ceasefire is assumed for week 4 whatever the roadmap's delays: a step that
    would push it (it waits for a) does not; the step after the event still waits for it."""
    scenario = make(
        [step("a", 3), step("event", 0, kind="event", fixed=4, after=["a"]),
         step("b", after=["event"])],
    )  # fmt: skip
    starts, _ = pushed(scenario, {"a": 0, "event": 4, "b": 4}, {"a": (6, 0)})
    assert starts == {"a": 0, "event": 4, "b": 4}


def test_run_generators_are_the_children_of_the_seed_sequence() -> None:
    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        assert (
            generator(42, i).random(3).tolist() == np.random.default_rng(child).random(3).tolist()
        )


def test_without_any_estimate_every_run_is_the_roadmap(make: Maker) -> None:
    scenario = make([step("a", 2), step("b", after=["a"]), step("c")])
    sim = simulate(scenario, {"a": 0, "b": 2, "c": 0}, runs=20)
    assert sim.last_done.tolist() == [3] * 20
    assert sim.critical == {"a": 20, "c": 0, "b": 20}
    assert sim.broken == {}


def test_a_failing_verification_is_redone_after_its_retry(make: Maker) -> None:
    # One step of 1 week, verified in 1, failing half the time, retried 2 weeks later:
    # it is done in week 2, 5, 8, ... (each failure adds 2 + 1), half the runs in week 2.
    scenario = make.from_yaml(
        "scenario: {name: t}\nactors: {BY: by}\npackages:\n  - id: p\n    steps:\n"
        "      - {id: a, actor: BY, kind: k, duration: 1, verify: {by: x, duration: 1, fails: 0.5, retry: 2}}\n"
    )
    sim = simulate(scenario, {"a": 0}, runs=4000, seed=3)
    values = sim.last_done
    assert set(((values - 2) % 3).tolist()) == {0} and values.min() == 2
    assert 0.47 < np.mean(values == 2) < 0.53
    assert 0.22 < np.mean(values == 5) < 0.28


def test_criticality_and_the_rules_broken_most_often(make: Maker) -> None:
    # a (2 weeks, 1 to 3) then b, which must start by week 2: b is pushed past its window
    # when a takes 3 weeks, i.e. when the triangular draw rounds up to 3 (x >= 2.5): a
    # chance of 1/8. c (10 weeks, certain) is always done last: its chain is c alone.
    scenario = make(
        [step("a", 2, estimate={"min": 1, "max": 3}), step("b", after=["a"]), step("c", 10)],
        [rule("window", "b-by-2", steps=["b"], latest=2)],
    )
    sim = simulate(scenario, {"a": 0, "b": 2, "c": 0}, runs=4000, seed=11)
    assert sim.critical == {"a": 0, "c": 4000, "b": 0}
    assert 0.10 < sim.broken["b-by-2"] / 4000 < 0.15
    assert set(sim.last_done.tolist()) == {10}


def test_the_same_seed_gives_the_same_runs_with_any_number_of_workers(make: Maker) -> None:
    scenario = make(
        [step("a", 4, estimate={"min": 2, "max": 9}, verify=2),
         step("b", 3, estimate={"max": 6}, after=["a"]), step("c", 5, estimate={"min": 1, "max": 8})]
    )  # fmt: skip
    plan = {"a": 0, "b": 6, "c": 0}
    one = simulate(scenario, plan, runs=600, seed=5, workers=1)
    two = simulate(scenario, plan, runs=600, seed=5, workers=2)
    assert one.last_done.tolist() == two.last_done.tolist()
    assert one.critical == two.critical
    other = simulate(scenario, plan, runs=600, seed=6)
    assert other.last_done.tolist() != one.last_done.tolist()


def test_irreversible_exposure_is_simulated_per_party(make: Maker) -> None:
    # The delisting (3, irreversible) starts at 0; the pledge (2) is verified at 2 to 4:
    # US's peak is always 3 (from week 0 until the pledge is verified).
    scenario = make(
        [step("us-delist", value=3, reversible=False),
         step("by-pledge", 1, actor="BY", value=2, verify=1, estimate={"max": 3})]
    )  # fmt: skip
    sim = simulate(scenario, {"us-delist": 0, "by-pledge": 0}, runs=50)
    assert sim.actors == ("US",)
    assert sim.irreversible[0].tolist() == [3] * 50


def test_the_command_report_json_and_png(tmp_path: Path) -> None:
    png = tmp_path / "hist.png"
    runs = 2 * CHUNK  # two chunks, so that --workers 2 hands one to each worker
    args = ["simulate", "examples/brief-roadmap.yaml", "--variant", str(UNCERTAIN),
            "--runs", str(runs), "--seed", "4", "--by", "60"]  # fmt: skip
    result = run(*args, "-o", str(png))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(
        f"Simulation of examples/brief-roadmap.yaml: {runs:,} runs, seed 4, holding"
    )
    for piece in ("P10    P50    P80    P90", "last step done", "peak concessions ahead",
                  "Done by week 60: ", "Last step done (weeks), runs per bin:",
                  "Criticality index", "Rules broken most often"):  # fmt: skip
        assert piece in text, piece
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # worker processes are started from a real command, not from the test process
    again = cli_process(*args, "--workers", "2", "-o", str(tmp_path / "again.png"))
    assert again.stdout == text
    assert (tmp_path / "again.png").read_bytes() == png.read_bytes()
    doc = json.loads(run(*args, "--format", "json").stdout)
    assert doc["schema"] == "relief-planner/simulation/1" and doc["runs"] == runs
    assert doc["last_done"]["p10"] <= doc["last_done"]["p50"] <= doc["last_done"]["p90"]
    assert sum(b["runs"] for b in doc["histogram"]) == runs
    assert 0 <= doc["by"]["share"] <= 1 and doc["by"]["time"] == 60


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["-o", "hist.svg"], "--output: hist.svg: the histogram is written as a .png image"),
        (["--runs", "0"], "Invalid value for '--runs'"),
        (["--workers", "0"], "Invalid value for '--workers'"),
    ],
)
def test_bad_options_are_one_line(args: list[str], line: str) -> None:
    result = run("simulate", "examples/brief-roadmap.yaml", *args)
    assert result.returncode == 2
    assert line in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_ctrl_c_stops_simulate_replan_on_one_worker(tmp_path: Path) -> None:
    """Issue 19 item 13. Each re-planned run is a `plan` whose solver takes Ctrl-C to stop
    its search; the simulation used to carry on with the next run and end with exit 0.
    Now Ctrl-C stops the whole simulation: exit 130, "interrupted", no traceback."""
    import signal
    import subprocess
    import sys
    import time

    roadmap = tmp_path / "r.yaml"
    assert run("plan", "-o", str(roadmap)).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", "simulate", str(roadmap), "--replan",
         "--runs", "100000", "--variant", str(ROOT / "examples/variants/uncertain.yaml")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(4)  # well into the runs (imports and the first re-plans take about 1 s)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("simulate --replan ignored Ctrl-C") from None
    assert proc.returncode == 130, (out, err)
    assert err.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in err
