"""`window`: every scheduled selected step's start (or, with `measure: done`, its done
time) lies in [earliest, latest], both ends included. Steps left out are not constrained.
The amount is the number of time units outside.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Maker, is_clean, rule, run, step, the_violation


def scenario(make: Maker, **fields: Any) -> Any:
    # s: 2 weeks of work, 1 of verification: done 3 weeks after it starts.
    fields.setdefault("steps", ["s"])
    return make(
        [step("s", 2, verify=1), step("other", 1)],
        [rule("window", "talks-window", **fields)],
    )


def test_start_inside_the_window_both_ends_included(make: Maker) -> None:
    """[4, 8] includes weeks 4 and 8."""
    s = scenario(make, earliest=4, latest=8)
    for t in (4, 6, 8):
        assert is_clean(s, {"s": t})


def test_start_too_early(make: Maker) -> None:
    """s in week 2, the window opens in week 4: 2 weeks too early. Exact wording."""
    v = the_violation(scenario(make, earliest=4, latest=8), {"s": 2}, "talks-window")
    assert v.kind == "window"
    assert v.message == "s starts in week 2, before the window opens in week 4: 2 weeks too early"
    assert v.repair == "start s in week 4 or later"
    assert v.steps == ("s",)
    assert v.times == (("s", 2),)
    assert v.amount == 2


def test_start_too_late(make: Maker) -> None:
    """s in week 11, the window closes in week 8: 3 weeks too late."""
    v = the_violation(scenario(make, earliest=4, latest=8), {"s": 11}, "talks-window")
    assert v.message == "s starts in week 11, after the window closes in week 8: 3 weeks too late"
    assert v.repair == "start s by week 8"
    assert v.amount == 3


def test_no_latest_means_open_ended(make: Maker) -> None:
    """Without `latest`, any start from `earliest` on is fine."""
    assert is_clean(scenario(make, earliest=4), {"s": 400})


def test_done_measure_counts_work_and_verification(make: Maker) -> None:
    """measure: done, latest 8: s in week 5 is done in week 8 (fine); in week 6, week 9."""
    s = scenario(make, latest=8, measure="done")
    assert is_clean(s, {"s": 5})
    v = the_violation(s, {"s": 6}, "talks-window")
    assert v.message == "s is done in week 9, after the window closes in week 8: 1 week too late"
    assert v.repair == "start s by week 5"
    assert v.times == (("s", 6),)


def test_done_measure_too_early(make: Maker) -> None:
    """measure: done, earliest 5: s in week 0 is done in week 3, 2 weeks too early; the
    repair moves the start by as much."""
    v = the_violation(scenario(make, earliest=5, measure="done"), {"s": 0}, "talks-window")
    assert v.message == "s is done in week 3, before the window opens in week 5: 2 weeks too early"
    assert v.repair == "start s in week 2 or later"


def test_a_window_no_start_can_meet(make: Maker) -> None:
    """measure: done, latest 2: s takes 3 weeks, so even from week 0 it is late; the repair
    says so instead of proposing a start before week 0."""
    v = the_violation(scenario(make, latest=2, measure="done"), {"s": 0}, "talks-window")
    assert v.amount == 1
    assert v.repair == (
        "shorten s or its verification, or widen the window: even starting in week 0 it is "
        "done only in week 3"
    )


def test_left_out_steps_are_not_constrained(make: Maker) -> None:
    """s is left out: the window says nothing about it."""
    assert is_clean(scenario(make, earliest=4, latest=8), {"other": 0})


def test_each_step_outside_is_one_violation(make: Maker) -> None:
    """Window [1, 2]: s in week 0 is 1 early, other in week 5 is 3 late."""
    s = scenario(make, steps=["s", "other"], earliest=1, latest=2)
    report = run(s, {"s": 0, "other": 5})
    assert [(v.steps, v.amount) for v in report.violations] == [(("s",), 1), (("other",), 3)]


def test_days_speak_days(make: Maker) -> None:
    """A treaty counted in days: the message speaks days."""
    s = make([step("s", 2)], [rule("window", "w", steps=["s"], latest=60)], unit="day")
    v = the_violation(s, {"s": 61}, "w")
    assert v.message == "s starts in day 61, after the window closes in day 60: 1 day too late"


def test_soft_window_is_a_penalty(make: Maker) -> None:
    """Soft, weight 3: 3 weeks too late costs 9."""
    report = run(scenario(make, latest=8, soft=True, weight=3), {"s": 11})
    assert report.is_clean
    assert [(p.amount, p.weight, p.penalty) for p in report.penalties] == [(3, 3, 9)]
