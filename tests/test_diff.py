"""`planner diff A B`: what changed between two roadmaps, or the plans of two variants, in
sentences a person can read aloud, a table, and JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from planner.render.diff import diff_table, sentences
from planner.whatif.diff import diff, side
from tests.helpers import Maker, rule, step
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent

# Belarus pledges (2 weeks, verified in 2: done in week 4); aviation and potash relief
# each wait for the pledge; aviation must start by week 10; a good-faith gesture is
# optional. Relief runs ahead of the verified pledge by at most 3 leverage units.
DEAL = [
    step("by-pledge", 2, actor="BY", kind="commitment", value=3, verify=2, package="security"),
    step("us-aviation", value=2, after=["by-pledge"], package="aviation"),
    step("us-potash", value=2, after=["by-pledge"], package="potash"),
    step("us-gesture", kind="goodwill", package="extra", optional=True),
]
RULES = [
    rule("window", "aviation-by-10", steps=["us-aviation"], latest=10),
    rule("balance", "leverage", ahead={"actor": "US"}, behind={"actor": "BY"}, margin=3),
]
A = {"by-pledge": 0, "us-aviation": 4, "us-potash": 6, "us-gesture": 0}
B = {"by-pledge": 0, "us-aviation": 8, "us-potash": 5}


def test_two_roadmaps_in_sentences_and_a_table(make: Maker) -> None:
    # A is done in week 7 (potash, 6 + 1), B in week 9 (aviation, 8 + 1). Aviation moves
    # 4 weeks later, potash 1 earlier, so potash now opens first. B leaves the gesture
    # out. In A, aviation starts the week the pledge is verified: its precondition is
    # tight (it cannot move earlier); in B it has 4 weeks of room, and nothing else is
    # tight in either. The leverage curve peaks at 1 in both (a relief step of 2 after
    # the pledge's 3, then another 2).
    scenario = make(DEAL, RULES)
    found = diff(side("a.yaml", scenario, A), side("b.yaml", scenario, B))
    assert sentences(found) == [
        "B finishes in week 9, 2 weeks later than A (week 7).",
        "Peak concessions ahead stay at 1.",
        "2 of the 3 steps in both move: 1 later, by 4 weeks, and 1 earlier, by 1 week.",
        "The largest moves: us-aviation starts in week 8 instead of week 4 (4 weeks later); "
        "us-potash starts in week 5 instead of week 6 (1 week earlier).",
        "The relief packages open in another order: potash now opens before aviation.",
        "B's order: potash, aviation.",
        "B leaves out us-gesture, which A schedules.",
        "Both keep every hard rule.",
        # (said as a negotiator would: where A had no room, B has some)
        "In B, this rule leaves room where A had none: the preconditions of us-aviation.",
    ]
    assert diff_table(found).splitlines() == [
        "step         A       B       moved",
        "-----------  ------  ------  --------",
        "us-gesture   week 0  —       left out",
        "us-potash    week 6  week 5  −1",
        "us-aviation  week 4  week 8  +4",
    ]


def test_a_rule_broken_in_b_and_a_step_added(make: Maker) -> None:
    # B starts aviation in week 11, past its window (latest 10), and adds the gesture.
    scenario = make(DEAL, RULES)
    b = {**B, "us-aviation": 11, "us-gesture": 3}
    found = diff(side("a", scenario, {k: v for k, v in A.items() if k != "us-gesture"}),
                 side("b", scenario, b))  # fmt: skip
    said = sentences(found)
    assert "B schedules us-gesture, which A leaves out." in said
    assert "B breaks 1 hard rule that A keeps: aviation-by-10." in said
    assert found.newly_broken == ("aviation-by-10",)


def test_the_plans_of_two_variants(tmp_path: Path) -> None:
    # B verifies the pledge in 5 weeks, not 2: done in week 7, so both relief steps
    # (one week each) are done in week 8 instead of week 5.
    packages, constraints = Maker(tmp_path).paths(DEAL, RULES)
    where = ["--packages", str(packages), "--constraints", str(constraints)]
    result = run("diff", "plan", "plan", *where, "--b-set", "by-pledge.verify.duration=5")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "A: the plan (the scenario as written)",
        "B: the plan (variant --set 'by-pledge.verify.duration=5')",
    ]
    assert "B finishes in week 8, 3 weeks later than A (week 5)." in lines
    assert "In B, 1 step takes longer from start to done: by-pledge 7 weeks instead of 4." in lines
    doc = json.loads(run("diff", "plan", "plan", *where, "--b-set", "by-pledge.verify.duration=5",
                         "--format", "json").stdout)  # fmt: skip
    assert doc["schema"] == "relief-planner/diff/1"
    assert (doc["a"]["last_done"], doc["b"]["last_done"]) == (5, 8)
    assert {m["step"]: m["by"] for m in doc["moved"]} == {"us-aviation": 3, "us-potash": 3}
    assert doc["sentences"] == lines[3 : 3 + len(doc["sentences"])]


def test_doubling_every_verification_of_the_default_explained(tmp_path: Path) -> None:
    """The issue's check: one --set doubles every verification time of the default; the
    new plan differs, and diff says how in sentences (each ends with a full stop)."""
    base, doubled = tmp_path / "base.yaml", tmp_path / "doubled.yaml"
    twice = "*:verify.duration*=2"
    assert run("plan", "-o", str(base)).returncode == 0
    assert run("plan", "--set", twice, "-o", str(doubled)).returncode == 0
    assert base.read_text() != doubled.read_text()
    result = run("diff", str(base), str(doubled), "--b-set", twice)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"A: {base} (the scenario as written)\nB: {doubled} (variant --set ")
    said = text.split("\n\n")[1].splitlines()
    assert said[0].startswith("B finishes in week ") and "later than A" in said[0]
    assert any(re.match(r"In B, \d+ steps take longer from start to done: ", s) for s in said)
    assert any(" steps in both move: " in s for s in said)
    assert all(s.endswith(".") for s in said)


def test_a_variant_file_and_one_set_give_the_same_plan() -> None:
    by_file = run(
        "plan", "--variant", "examples/variants/slow-verification.yaml", "--format", "json"
    )
    by_set = run("plan", "--set", "*:verify.duration*=2", "--format", "json")
    assert by_file.returncode == by_set.returncode == 0
    assert by_file.stdout == by_set.stdout
    head = by_file.stderr.splitlines()[0]
    assert head.startswith("variant slow-verification: ") and head.endswith(" changes")


def test_a_plan_side_uses_its_scenarios_objectives() -> None:
    """The default declares good faith before exposure (`objectives:`); `diff plan plan`
    plans each side that way, as `planner plan` does: both peak at exposure 5, and both
    finish in week 55 (nothing changed)."""
    result = run("diff", "plan", "plan")
    assert result.returncode == 0, result.stderr
    assert "Peak concessions ahead stay at 5." in result.stdout
    assert "week 55" in result.stdout
