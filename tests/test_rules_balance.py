"""`balance`: leverage never runs ahead. At every time t,

    value of `ahead` steps started by t  -  value of `behind` steps done by t  <=  margin

A concession and a counter-step done in the same week net out. The amount is the peak
excess over the margin.
"""

from __future__ import annotations

from typing import Any

from planner.rules.base import CheckContext
from tests.helpers import Maker, is_clean, penalties_of, rule, run, step, the_violation


def scenario(make: Maker, margin: int = 2, **fields: Any) -> Any:
    # US relief u1 (value 4) and u2 (value 3); Belarusian step b1 (value 5): 1 week of work
    # and 2 of verification, so b1 started in week 0 counts from week 3.
    return make(
        [
            step("u1", 2, value=4),
            step("u2", 1, value=3),
            step("b1", 1, actor="BY", kind="commitment", value=5, verify=2),
        ],
        [
            rule(
                "balance",
                "leverage",
                ahead={"actor": "US"},
                behind={"actor": "BY"},
                margin=margin,
                **fields,
            )
        ],
    )


def test_the_curve(make: Maker) -> None:
    """u1 (+4) in week 0, b1 done (-5) in week 3, u2 (+3) in week 5: 4, -1, 2."""
    s = scenario(make)
    [bal] = s.rules
    ctx = CheckContext(s, {"u1": 0, "b1": 0, "u2": 5})
    assert bal.curve(ctx) == [(0, 4), (3, -1), (5, 2)]  # type: ignore[attr-defined]
    assert bal.curve_peak(ctx) == (4, 0)  # type: ignore[attr-defined]


def test_running_ahead_then_covered(make: Maker) -> None:
    """The curve is 4 from week 0 until b1 is done in week 3: 2 over the margin of 2.
    u2 in week 5 brings it to 2, within the margin."""
    v = the_violation(scenario(make), {"u1": 0, "b1": 0, "u2": 5}, "leverage")
    assert v.kind == "balance"
    assert v.message == (
        "from week 0 until week 3, the value of steps {actor: US} started runs ahead of the "
        "value of steps {actor: BY} done by more than the margin of 2: the gap peaks at 4 in "
        "week 0, 2 over the margin"
    )
    assert v.repair == (
        "delay u1 until b1 is done in week 3, or have more of {actor: BY} done by week 0"
    )
    assert v.steps == ("u1",)
    assert v.times == (("u1", 0),)
    assert v.amount == 2
    assert v.severity == 4


def test_equality_nets_out(make: Maker) -> None:
    """u1 (+4) starts in week 3, the week b1 (-5) is done: the level goes 0 -> -1, never 4,
    even with margin 0."""
    s = scenario(make, margin=0)
    assert is_clean(s, {"b1": 0, "u1": 3})
    # A week earlier the concession runs ahead by its whole value for one week.
    v = the_violation(s, {"b1": 0, "u1": 2}, "leverage")
    assert v.amount == 4
    assert v.message.startswith("from week 2 until week 3,")


def test_the_amount_is_the_peak_excess(make: Maker) -> None:
    """u1 (+4) in week 0, u2 (+3) in week 1: the curve is 4 then 7, 5 over the margin of 2
    at the peak; the steps that pushed it there are those starting at the peak (u2)."""
    v = the_violation(scenario(make), {"u1": 0, "u2": 1}, "leverage")
    assert v.amount == 5
    assert "from week 0 to the end of the roadmap" in v.message
    assert "the gap peaks at 7 in week 1, 5 over the margin" in v.message
    assert v.steps == ("u2",)


def test_several_periods_above_the_margin(make: Maker) -> None:
    """Margin 1: the curve is 4 in weeks 0..2, -1 from week 3 and 2 from week 6 (u2): above
    the margin in two periods. The message gives the first period and the peak (4, 3 over
    the margin), and says how many periods there are."""
    v = the_violation(scenario(make, margin=1), {"u1": 0, "b1": 0, "u2": 6}, "leverage")
    assert v.message.startswith("from week 0 until week 3,")
    assert v.message.endswith("3 over the margin (2 periods above the margin in all)")
    assert v.amount == 3


def test_within_the_margin(make: Maker) -> None:
    """u1 alone (4) stays within a margin of 4; an empty roadmap never rises."""
    assert is_clean(scenario(make, margin=4), {"u1": 0})
    assert is_clean(scenario(make), {})


def test_soft_balance_penalty(make: Maker) -> None:
    """Soft, weight 2, peak excess 5: penalty 10."""
    report = run(scenario(make, soft=True, weight=2), {"u1": 0, "u2": 1})
    assert report.is_clean
    [p] = penalties_of(report, "leverage")
    assert (p.amount, p.penalty) == (5, 10)


def test_peak_exposure_in_the_summary(make: Maker) -> None:
    """The summary's peak exposure is the curve's highest level (not the excess)."""
    assert run(scenario(make), {"u1": 0, "u2": 1}).summary.peak_exposure == 7
