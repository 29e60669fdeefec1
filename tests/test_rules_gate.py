"""`gate`: no step in `opens` starts before every step in `when` is done:

    start(o) >= max(done(w) for w in when)    for every o in opens

A gate never holds its own `when` steps, even when `opens` selects them too.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Maker, is_clean, rule, run, step, the_violation


def scenario(make: Maker, **fields: Any) -> Any:
    # w1 (BY) is done in week 2; w2 (US) is verified in week 3 when both start in week 0.
    # The trade package has one US and one BY step.
    fields.setdefault("when", ["w1", "w2"])
    fields.setdefault("opens", {"package": "trade"})
    return make(
        [
            step("w1", 2, actor="BY", kind="commitment", package="security"),
            step("w2", 1, verify=2, kind="commitment", package="security"),
            step("o1", 1, package="trade"),
            step("o2", 1, actor="BY", package="trade"),
        ],
        [rule("gate", "security-gate", **fields)],
    )


def test_opens_steps_start_once_the_whole_gate_is_done(make: Maker) -> None:
    """The gate is done in week 3 (w2 verified); both trade steps start then."""
    assert is_clean(scenario(make), {"w1": 0, "w2": 0, "o1": 3, "o2": 3})


def test_opening_before_the_gate_is_done(make: Maker) -> None:
    """o1 in week 1: w2 is verified in week 3, 2 weeks later."""
    v = the_violation(scenario(make), {"w1": 0, "w2": 0, "o1": 1, "o2": 3}, "security-gate")
    assert v.kind == "gate"
    assert v.message == (
        "the gate is not open yet: o1 starts in week 1, but w2 is verified only in week 3: "
        "2 weeks too early"
    )
    assert v.repair == "start o1 in week 3 or later, or have w2 done earlier"
    assert v.steps == ("o1", "w2")
    assert v.times == (("o1", 1), ("w2", 0))
    assert v.amount == 2
    assert v.severity == 1


def test_the_gate_steps_are_not_held_by_their_own_gate(make: Maker) -> None:
    """opens {actor: US} includes w2, which is part of the gate: the gate does not hold
    w2 at all (it may start with w1), only o1, which waits for both."""
    s = scenario(make, opens={"actor": "US"})
    assert is_clean(s, {"w1": 0, "w2": 0, "o1": 3})
    v = the_violation(s, {"w1": 0, "w2": 0, "o1": 2}, "security-gate")
    assert v.message == (
        "the gate is not open yet: o1 starts in week 2, but w2 is verified only in week 3: "
        "1 week too early"
    )


def test_two_gate_steps_in_opens_do_not_wait_for_each_other(make: Maker) -> None:
    """Both gate steps are in `opens` too; a gate never holds its own steps, so they may
    start together, and only the trade steps wait (w2 is verified in week 3)."""
    s = scenario(make, opens={"package": ["security", "trade"]})
    assert is_clean(s, {"w1": 0, "w2": 0, "o1": 3, "o2": 3})
    report = run(s, {"w1": 0, "w2": 0, "o1": 3, "o2": 2})
    assert [v.steps for v in report.violations] == [("o2", "w2")]


def test_missing_when_step(make: Maker) -> None:
    """w2 left out: every scheduled opens step is blocked, reported once."""
    v = the_violation(scenario(make), {"w1": 0, "o1": 3, "o2": 3}, "security-gate")
    assert v.message == (
        "the gate is not open yet: o1 and o2 are scheduled, but w2, which must be done first, "
        "is left out of the roadmap"
    )
    assert v.repair == "schedule w2, or leave out o1 and o2"
    assert v.steps == ("w2", "o1", "o2")
    assert v.amount == 2


def test_nothing_opened_nothing_to_report(make: Maker) -> None:
    """The gate itself may be left out when nothing it opens is scheduled."""
    assert is_clean(scenario(make), {"w1": 0})


def test_soft_gate_is_a_penalty(make: Maker) -> None:
    """Soft, weight 2: o1 2 weeks before the gate is done costs 2 × 2 = 4."""
    report = run(scenario(make, soft=True, weight=2), {"w1": 0, "w2": 0, "o1": 1})
    assert report.is_clean
    assert [(p.rule, p.amount, p.penalty) for p in report.penalties] == [("security-gate", 2, 4)]
