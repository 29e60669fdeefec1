"""`capacity`: at most `max` selected steps run at once, a step running from its start
until its end — [start, end), verification not counted, so a zero-duration step never
runs:

    |{s : start(s) <= t < end(s)}| <= max    at every t

The amount is the peak overload (peak - max).
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Maker, is_clean, penalties_of, rule, run, step, the_violation


def scenario(make: Maker, max_: int = 1, **fields: Any) -> Any:
    # Dialogues: a runs 4 weeks (then 5 weeks of verification), b 2 weeks, c 1 week,
    # z is a zero-duration announcement. `other` is not a dialogue.
    return make(
        [
            step("a", 4, kind="dialogue", verify=5),
            step("b", 2, kind="dialogue"),
            step("c", 1, kind="dialogue"),
            step("z", 0, kind="dialogue"),
            step("other", 6),
        ],
        [rule("capacity", "bandwidth", steps={"kind": "dialogue"}, max=max_, **fields)],
    )


def test_one_after_the_other(make: Maker) -> None:
    """a runs in weeks 0..3 and ends in week 4; b may start in week 4 (ends before starts
    at the same time), c when b ends in week 6."""
    assert is_clean(scenario(make), {"a": 0, "b": 4, "c": 6})


def test_verification_is_not_counted(make: Maker) -> None:
    """a is being verified in weeks 4..8 while b runs: only a's running weeks count."""
    assert is_clean(scenario(make), {"a": 0, "b": 5})


def test_zero_duration_steps_never_run(make: Maker) -> None:
    """z takes no time: it fits even in the middle of a."""
    assert is_clean(scenario(make), {"a": 0, "z": 2})


def test_unselected_steps_do_not_count(make: Maker) -> None:
    """`other` is not a dialogue: it may run beside a."""
    assert is_clean(scenario(make), {"a": 0, "other": 0})


def test_overload(make: Maker) -> None:
    """b starts in week 3 while a runs until week 4: 2 steps at once, 1 over the limit."""
    v = the_violation(scenario(make), {"a": 0, "b": 3}, "bandwidth")
    assert v.kind == "capacity"
    assert v.message == "in week 3, 2 steps run at once, over the limit of 1: a and b"
    assert v.repair == "start b in week 4 or later"
    assert v.steps == ("a", "b")
    assert v.times == (("a", 0), ("b", 3))
    assert v.amount == 1
    assert v.severity == 5


def test_the_amount_is_the_peak_overload(make: Maker) -> None:
    """a [0, 4), b [1, 3), c [2, 3): 2 at once from week 1, 3 in week 2. The message names
    the first overloaded week and the peak; amount 3 - 1 = 2."""
    v = the_violation(scenario(make), {"a": 0, "b": 1, "c": 2}, "bandwidth")
    assert v.message == (
        "in week 1, 2 steps run at once, over the limit of 1: a and b (at the peak, 3)"
    )
    assert v.amount == 2


def test_max_two(make: Maker) -> None:
    """max 2: a [0, 4), b [1, 3) and c [3, 4) never make three; c in week 2 does, and the
    repair moves the latest starter to week 3, when b ends."""
    s = scenario(make, max_=2)
    assert is_clean(s, {"a": 0, "b": 1, "c": 3})
    v = the_violation(s, {"a": 0, "b": 1, "c": 2}, "bandwidth")
    assert v.message == "in week 2, 3 steps run at once, over the limit of 2: a, b and c"
    assert v.repair == "start c in week 3 or later"


def test_soft_capacity(make: Maker) -> None:
    """Soft, weight 4, peak overload 2 (three at once, max 1): penalty 8."""
    report = run(scenario(make, soft=True, weight=4), {"a": 0, "b": 1, "c": 2})
    assert report.is_clean
    [p] = penalties_of(report, "bandwidth")
    assert p.penalty == 8


def test_an_event_is_not_among_the_steps_to_move(make: Maker) -> None:
    # One seat for a summit (an event, weeks 0-2) and a dialogue (weeks 1-2): the later
    # starter would be moved, unless it is the event; then the dialogue is.
    s = make(
        [step("summit", 2, actor="world", kind="event"), step("d", 2, kind="dialogue")],
        [rule("capacity", "one", steps=["summit", "d"], max=1)],
        actors={"US": "United States", "world": "Events no party controls"},
    )
    assert the_violation(s, {"d": 0, "summit": 1}, "one").repair == "start d in week 3 or later"
    assert the_violation(s, {"summit": 0, "d": 1}, "one").repair == "start d in week 2 or later"
