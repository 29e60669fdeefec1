"""`precedence`: every step in `after` starts `lag` or more after every step in `before`
is done, and with `within` no more than that:

    done(b) + lag <= start(a) <= done(b) + within    for every b in before, a in after

(a step in both selectors is not made to wait for itself).
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Maker, is_clean, penalties_of, rule, run, step, the_violation

SOURCE = "The security cluster opens a path to constructive engagement in all other areas."


def scenario(make: Maker, **fields: Any) -> Any:
    # a: done in week 2 when started in week 0; b: 1 week + 3 weeks' verification, done in
    # week 4 when started in week 0. The later of the two (b) binds `lag`, the earlier (a)
    # binds `within`.
    fields.setdefault("before", ["a", "b"])
    fields.setdefault("after", ["c", "d"])
    return make(
        [step("a", 2), step("b", 1, verify=3), step("c", 1), step("d", 1)],
        [rule("precedence", "security-first", source=SOURCE, **fields)],
    )


def test_after_steps_wait_for_the_last_before_step(make: Maker) -> None:
    """b is verified in week 4, the later of the two: c and d may start from week 4."""
    s = scenario(make)
    assert is_clean(s, {"a": 0, "b": 0, "c": 4, "d": 10})


def test_too_early_names_the_binding_before_step(make: Maker) -> None:
    """d in week 3: a (done week 2) is fine, b (verified week 4) is not — 1 week too early."""
    v = the_violation(scenario(make), {"a": 0, "b": 0, "c": 4, "d": 3}, "security-first")
    assert v.kind == "precedence"
    assert v.message == "d starts in week 3, but b is verified only in week 4: 1 week too early"
    assert v.repair == "start d in week 4 or later, or have b done earlier"
    assert v.steps == ("d", "b")
    assert v.times == (("d", 3), ("b", 0))
    assert v.amount == 1
    assert v.source == SOURCE
    assert v.severity == 3


def test_each_early_after_step_is_one_violation(make: Maker) -> None:
    """c (week 1) and d (week 0) both start before b is verified (week 4): 3 and 4 weeks."""
    report = run(scenario(make), {"a": 0, "b": 0, "c": 1, "d": 0})
    assert [(v.steps, v.amount) for v in report.violations] == [
        (("c", "b"), 3),
        (("d", "b"), 4),
    ]


def test_lag(make: Maker) -> None:
    """lag 2: c may start in week 4 + 2 = 6; in week 4 it is 2 weeks too early."""
    s = scenario(make, lag=2, after=["c"])
    assert is_clean(s, {"a": 0, "b": 0, "c": 6})
    v = the_violation(s, {"a": 0, "b": 0, "c": 4}, "security-first")
    assert v.message == (
        "c starts in week 4, but must wait 2 weeks after b is verified in week 4, until "
        "week 6: 2 weeks too early"
    )
    assert v.amount == 2


def test_within_is_measured_from_the_earliest_done_before_step(make: Maker) -> None:
    """within 3: c must start by done(a) + 3 = 5 (a, done in week 2, is the earliest), and
    not before week 4 (b). Week 6 is 1 week too late."""
    s = scenario(make, within=3, after=["c"])
    assert is_clean(s, {"a": 0, "b": 0, "c": 4})
    assert is_clean(s, {"a": 0, "b": 0, "c": 5})
    v = the_violation(s, {"a": 0, "b": 0, "c": 6}, "security-first")
    assert v.message == (
        "c starts in week 6, more than 3 weeks after a is done in week 2: 1 week too late"
    )
    assert v.steps == ("c", "a")
    assert v.amount == 1
    assert v.repair == "start c by week 5, or have a done later"


def test_a_step_in_both_selectors_does_not_wait_for_itself(make: Maker) -> None:
    """before [a, b], after [b, c]: b waits for a only (done week 2), c for both."""
    s = scenario(make, after=["b", "c"])
    assert is_clean(s, {"a": 0, "b": 2, "c": 6})  # b verified in week 6
    v = the_violation(s, {"a": 0, "b": 1, "c": 6}, "security-first")
    assert v.message == "b starts in week 1, but a is done only in week 2: 1 week too early"


def test_left_out_before_step(make: Maker) -> None:
    """b is left out: both scheduled after steps are blocked — one violation, amount 2."""
    v = the_violation(scenario(make), {"a": 0, "c": 4, "d": 4}, "security-first")
    assert v.message == (
        "c and d are scheduled, but b, which must be done first, is left out of the roadmap"
    )
    assert v.repair == "schedule b, or leave out c and d"
    assert v.steps == ("b", "c", "d")
    assert v.times == (("c", 4), ("d", 4))
    assert v.amount == 2


def test_left_out_after_step_is_not_constrained(make: Maker) -> None:
    """Nothing waits: c and d are left out."""
    assert is_clean(scenario(make), {"a": 0, "b": 0})


def test_soft_precedence_is_a_penalty_of_weight_times_amount(make: Maker) -> None:
    """Soft, weight 3, d 4 weeks too early: penalty 12, the roadmap stays clean."""
    s = scenario(make, soft=True, weight=3)
    report = run(s, {"a": 0, "b": 0, "c": 4, "d": 0})
    assert report.is_clean
    [p] = penalties_of(report, "security-first")
    assert p.soft and p.amount == 4 and p.weight == 3
    assert p.penalty == 12
    assert report.total_penalty == 12
