"""`simultaneous`: all selected steps start at the same time (escrowed relief effective on
verification day). Spread: amount latest start - earliest start. Left out while others are
scheduled: amount the number left out.
"""

from __future__ import annotations

from tests.helpers import Maker, is_clean, rule, run, step, the_violation


def scenario(make: Maker) -> object:
    return make(
        [step("a", 1), step("b", 2), step("c", 3, actor="BY")],
        [rule("simultaneous", "escrow", steps=["a", "b", "c"])],
    )


def test_together(make: Maker) -> None:
    """All three start in week 4, whatever their durations."""
    assert is_clean(scenario(make), {"a": 4, "b": 4, "c": 4})


def test_none_scheduled(make: Maker) -> None:
    """Leaving them all out is allowed."""
    assert is_clean(scenario(make), {})


def test_spread(make: Maker) -> None:
    """a and c in week 2, b in week 5: 3 weeks apart; a and c should move to week 5."""
    v = the_violation(scenario(make), {"a": 2, "b": 5, "c": 2}, "escrow")
    assert v.kind == "simultaneous"
    assert v.message == (
        "steps meant to start together start 3 weeks apart: a in week 2, c in week 2, b in week 5"
    )
    assert v.repair == "start a and c in week 5 with the others"
    assert v.steps == ("a", "b", "c")
    assert v.times == (("a", 2), ("b", 5), ("c", 2))
    assert v.amount == 3


def test_left_out(make: Maker) -> None:
    """a and c are scheduled together, b is left out: amount 1 (one step missing)."""
    v = the_violation(scenario(make), {"a": 1, "c": 1}, "escrow")
    assert v.message == "b is left out, but must start together with a and c"
    assert v.repair == "schedule b with the others, or leave them all out"
    assert v.steps == ("b", "a", "c")
    assert v.amount == 1


def test_left_out_and_spread(make: Maker) -> None:
    """Both problems at once: two violations, 1 left out and 1 week of spread."""
    report = run(scenario(make), {"a": 1, "c": 2})
    assert [(v.amount, v.message.split(",")[0]) for v in report.violations] == [
        (1, "b is left out"),
        (1, "steps meant to start together start 1 week apart: a in week 1"),
    ]


def test_soft_simultaneous_is_a_penalty(make: Maker) -> None:
    """Soft, weight 2: a spread of 3 weeks costs 6."""
    s = make(
        [step("a", 1), step("b", 2)],
        [rule("simultaneous", "escrow", steps=["a", "b"], soft=True, weight=2)],
    )
    report = run(s, {"a": 2, "b": 5})
    assert report.is_clean
    assert [(p.amount, p.penalty) for p in report.penalties] == [(3, 6)]
