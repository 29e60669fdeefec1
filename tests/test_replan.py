"""Re-planning mid-deal: `plan --keep ROADMAP --as-of T`.

Specifies that every step the roadmap starts before T stays exactly where it is, every
other step starts at T or later, and that when what already happened makes the rules
impossible the answer is exit 1 with the why-not naming the held steps.
"""

from __future__ import annotations

import re
from pathlib import Path

from planner.check import check
from planner.solver.replan import replan
from tests.helpers import Maker, rule, step
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent


def starts_in(path: Path) -> dict[str, int]:
    return {s: int(t) for s, t in re.findall(r'step: "([^"]+)", start: (\d+)', path.read_text())}


def test_held_steps_stay_and_the_rest_starts_from_the_as_of_time(make: Maker) -> None:
    # a (2 weeks) then b; x waits for nothing. The roadmap had a at 0, b at 2, x at 5.
    # As of week 4, a and b happened where they were; x had not started, so the earliest it
    # can start is week 4 (the best plan would have put it at 0, and the roadmap at 5).
    scenario = make([step("a", 2), step("b", after=["a"]), step("x")])
    result = replan(scenario, {"a": 0, "b": 2, "x": 5}, as_of=4)
    assert result.status == "found"
    assert result.candidates[0].starts == {"a": 0, "b": 2, "x": 4}
    assert result.notes == (
        "re-planned as of week 4: 2 steps held where the roadmap has them (started before "
        "week 4), 1 planned from week 4 on",
    )
    assert check(scenario, result.candidates[0].starts).is_clean


def test_steps_the_roadmap_left_out_are_planned_too(make: Maker) -> None:
    # The roadmap never scheduled c (after b): re-planning as of week 1 adds it at done(b).
    scenario = make([step("a", 2), step("b", after=["a"]), step("c", 3, after=["b"])])
    result = replan(scenario, {"a": 0}, as_of=1)
    assert result.candidates[0].starts == {"a": 0, "b": 2, "c": 3}


def test_what_happened_too_early_makes_the_rules_impossible(make: Maker) -> None:
    # a now takes 3 weeks (it took 2 when b was started, in week 2): b, held in week 2,
    # starts 1 week before a is done. The why-not names b's precondition and the held b.
    scenario = make([step("a", 3), step("b", after=["a"]), step("x")])
    result = replan(scenario, {"a": 0, "b": 2, "x": 5}, as_of=4)
    assert result.status == "infeasible" and result.conflict is not None
    assert sorted(c.name for c in result.conflict.culprits) == ["after:b", "keep:b"]
    assert result.conflict.arithmetic == (
        "b cannot start before week 3 (chain: a (done week 3 at the earliest) → b); "
        "it is held in week 2: 1 week short",
    )


def test_a_deadline_that_passed_collides_with_the_as_of_window(make: Maker) -> None:
    # x must start by week 2 but had not started by week 4: the window and the as-of
    # window collide, and the as-of window is described in words, not by its step ids.
    scenario = make([step("a"), step("x")], [rule("window", "x-early", steps=["x"], latest=2)])
    result = replan(scenario, {"a": 0, "x": 5}, as_of=4)
    assert result.status == "infeasible" and result.conflict is not None
    by_name = {c.name: c for c in result.conflict.culprits}
    assert sorted(by_name) == ["as-of-4", "x-early"]
    assert by_name["as-of-4"].detail == (
        "the 1 step the roadmap had not started by week 4 starts in week 4 or later"
    )
    assert by_name["as-of-4"].where == "--as-of"
    assert result.conflict.arithmetic == (
        "x cannot start before week 4 (chain: x); window 'x-early' allows week 2 at the "
        "latest: 2 weeks short",
    )


def test_a_red_line_that_already_happened_cannot_be_undone(make: Maker) -> None:
    scenario = make([step("a"), step("eject")], [rule("forbid", "no-eject", steps=["eject"])])
    result = replan(scenario, {"a": 0, "eject": 1}, as_of=3)
    assert result.status == "infeasible" and result.conflict is not None
    assert [c.detail for c in result.conflict.culprits] == [
        "eject is a red line, and it already happened (week 1)"
    ]


def test_plan_keep_as_of_12_keeps_every_step_that_started_before_week_12(tmp_path: Path) -> None:
    """The issue's check, on the default: plan, then re-plan as of week 12, as it is and
    with every verification twice as long. What started before week 12 is where it was;
    everything else starts in week 12 or later, and the new roadmap passes `check` (in its
    variant). With the longer checks, what happened may collide with them: then the
    answer is exit 1 and the why-not names a held step."""
    first = tmp_path / "r.yaml"
    assert run("plan", "-o", str(first)).returncode == 0
    before = starts_in(first)
    for sets in ([], ["--set", "*:verify.duration*=2"]):
        again = tmp_path / "again.yaml"
        result = run("plan", "--keep", str(first), "--as-of", "12", *sets, "-o", str(again))
        if sets and result.returncode == 1:
            assert "[held] keep:" in result.stdout
            continue
        assert result.returncode == 0, result.stderr
        assert "re-planned as of week 12" in result.stdout
        after = starts_in(again)
        assert after.keys() == before.keys()
        for s, t in before.items():
            assert after[s] == t if t < 12 else after[s] >= 12, s
        assert run("check", str(again), *sets).returncode == 0


def test_keep_and_as_of_go_together() -> None:
    for args in (["--keep", "examples/brief-roadmap.yaml"], ["--as-of", "3"]):
        result = run("plan", *args)
        assert result.returncode == 2
        assert result.stderr.strip() == "--keep and --as-of go together: --keep ROADMAP --as-of T"
