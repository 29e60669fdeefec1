"""Slack: how far each step can move with every other step fixed, and what stops it.

The property: on random tiny scenarios (each rule kind in turn, drawn from its
declarations, with other rules) and random roadmaps, a step's slack later (earlier) is exactly how far it can move, one time
unit at a time, before `check` reports a hard rule broken that the roadmap kept: every
move within the slack breaks nothing new, the next one does (or, for "any", no move up
to far past every time in the roadmap does). The rest are tiny cases whose answer the
comment works out, and the `--slack` columns of `check` and `timeline`.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from planner.check import check
from planner.scenario import Scenario
from planner.schedule.bounds import horizon
from planner.whatif.slack import START, slack
from tests.helpers import Maker, rule, step
from tests.helpers import cli as run
from tests.test_solver_properties import PER_KIND, per_kind, scenarios

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "check-report.schema.json").read_text(encoding="utf-8"))


def broken(scenario: Scenario, starts: dict[str, int], partial: bool) -> set[str]:
    return {v.rule for v in check(scenario, starts, partial=partial).violations}


@per_kind
@PER_KIND
@given(data=st.data())
def test_slack_is_exactly_how_far_a_step_moves_before_check_fails(
    kind: str, data: st.DataObject
) -> None:
    scenario = data.draw(scenarios(max_steps=4, kind=kind))
    rnd = data.draw(st.randoms(use_true_random=False))
    partial = data.draw(st.booleans())
    ids = list(scenario.steps)
    top = horizon(scenario, ids)
    for _ in range(3):
        chosen = [s for s in ids if not partial or rnd.random() < 0.7]
        starts = {s: rnd.randint(0, top) for s in chosen}
        before = broken(scenario, starts, partial)
        result = slack(scenario, starts, partial)
        far = max(starts.values(), default=0) + top + 4
        for room in result.rooms:
            s = room.step

            def breaks(
                t: int, s: str = s, starts: dict[str, int] = starts, before: set[str] = before
            ) -> bool:
                return bool(broken(scenario, {**starts, s: t}, partial) - before)

            assert not any(breaks(starts[s] - d) for d in range(1, room.earlier + 1)), s
            if room.earlier < starts[s]:
                assert breaks(starts[s] - room.earlier - 1), (s, room)
            else:
                assert room.earlier_by == (START,)
            if room.later is None:
                assert not any(breaks(starts[s] + d) for d in range(1, far)), (s, room)
            else:
                assert not any(breaks(starts[s] + d) for d in range(1, room.later + 1)), s
                assert breaks(starts[s] + room.later + 1), (s, room)
                assert room.later_by and room.later_why


def test_a_precondition_and_a_window_bound_a_step(make: Maker) -> None:
    # a takes 2 weeks and is verified in 1: done at 3. b waits for a and must start by
    # week 8. With a at 0 and b at 5: b can start 2 weeks earlier (week 3) and 3 later
    # (week 8); a can start 2 weeks later (done at 5) and not earlier (week 0).
    scenario = make(
        [step("a", 2, verify=1), step("b", after=["a"])],
        [rule("window", "b-by-8", steps=["b"], latest=8)],
    )
    result = slack(scenario, {"a": 0, "b": 5})
    a, b = result.room("a"), result.room("b")
    assert (b.earlier, b.earlier_by) == (2, ("after:b",))
    assert b.earlier_why == "b starts in week 2, but a is verified only in week 3: 1 week too early"
    assert (b.later, b.later_by) == (3, ("b-by-8",))
    assert (a.earlier, a.earlier_by, a.later, a.later_by) == (0, (START,), 2, ("after:b",))
    # b is done last (week 6) and waits for a with a week to spare: the critical chain is b
    # alone, held by nothing but the roadmap's choice (it could start earlier).
    assert (result.chain, result.held) == ((("b", ""),), "")


def test_slack_is_the_room_up_to_the_first_break_even_when_a_later_time_is_fine(
    make: Maker,
) -> None:
    # One seat (capacity 1): a runs weeks 0-1, b weeks 2-3, c weeks 6-7. b can move 2
    # weeks later (weeks 4-5), not 3 (it would overlap c); past c it would be fine again,
    # but slack is the room before the first break. b can move 0 earlier (a runs until 2).
    scenario = make(
        [step("a", 2), step("b", 2), step("c", 2)],
        [rule("capacity", "one-seat", steps=["a", "b", "c"], max=1)],
    )
    b = slack(scenario, {"a": 0, "b": 2, "c": 6}).room("b")
    assert (b.earlier, b.earlier_by, b.later, b.later_by) == (0, ("one-seat",), 2, ("one-seat",))


def test_the_critical_chain_ends_at_the_step_done_last(make: Maker) -> None:
    # a → b → c, each waiting for the one before, all as early as possible: the chain.
    # x stands alone and can slip any amount later.
    scenario = make([step("a", 2), step("b", 3, after=["a"]), step("c", 1, after=["b"]), step("x")])
    result = slack(scenario, {"a": 0, "b": 2, "c": 5, "x": 0})
    assert result.chain == (("a", ""), ("b", "after:b"), ("c", "after:c"))
    assert result.last_done == 6
    assert result.room("x").later is None and result.room("c").later is None


def test_rules_already_broken_are_left_out_of_the_measure(make: Maker) -> None:
    # b starts 1 week before a is done: its precondition is broken already. Moving b
    # earlier breaks nothing new, so its slack earlier is its start.
    scenario = make([step("a", 2), step("b", after=["a"])])
    result = slack(scenario, {"a": 0, "b": 1})
    assert result.broken == {"after:b"}
    assert result.room("b").earlier == 1


def test_a_fixed_step_has_no_slack_and_a_gap_holds_the_next_rank(make: Maker) -> None:
    """e is fixed at week 3: either move breaks `fixed:e`. b ranks after a with a gap of 2
    (a in week 0): b in week 2 cannot move earlier (the order rule), and later freely."""
    scenario = make(
        [step("a", attrs={"r": 1}), step("b", attrs={"r": 2}),
         step("e", 0, kind="event", fixed=3)],
        [rule("order", "o", steps=["a", "b"], by="r", gap=2)],
    )  # fmt: skip
    rooms = {r.step: r for r in slack(scenario, {"a": 0, "b": 2, "e": 3}).rooms}
    assert (rooms["e"].earlier, rooms["e"].later) == (0, 0)
    assert rooms["e"].earlier_by == rooms["e"].later_by == ("fixed:e",)
    assert (rooms["b"].earlier, rooms["b"].later, rooms["b"].earlier_by) == (0, None, ("o",))


def test_timeline_and_check_show_the_slack() -> None:
    timeline = run("timeline", "examples/brief-roadmap.yaml", "--slack")
    assert timeline.returncode == 0, timeline.stderr
    header = timeline.stdout.splitlines()[0].split()
    assert header[:8] == ["start", "end", "done", "step", "actor", "package", "earlier", "later"]
    # Names, not ids (issue 21 item 2): the chain opens with the non-aggression pledge.
    assert (
        "Critical chain (done week 55, from the start of the deal): Belarus non-aggression "
        "pledge → " in timeline.stdout
    )
    text = run("check", "examples/brief-roadmap.yaml", "--slack")
    assert text.returncode == 0
    assert "Slack (in weeks, every other step where it is; what stops each move):" in text.stdout
    report = json.loads(
        run("check", "examples/brief-roadmap.yaml", "--slack", "--format", "json").stdout
    )
    Draft202012Validator(SCHEMA).validate(report)
    rows = {r["step"]: r for r in report["slack"]["steps"]}
    assert len(rows) == 68 and report["slack"]["last_done"] == 55
    assert report["slack"]["critical_chain"][-1]["step"] in rows
