"""`reciprocity`: action for action. Each `give` step needs its own `get` step done no
later than its start (with `grace` of overlap) and, with `within`, no longer than that
before it:

    start(g) - within <= done(c) <= start(g) + grace    for the counter-step c of g

`pairing: distinct` (default): a counter-step answers one give step only — a matching,
not a count. `pairing: shared`: one verified step may answer several.
Hard reciprocity's amount is 1 per unanswered give step (a soft one costs `weight` each).
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Maker, is_clean, penalties_of, rule, run, step, the_violation

SOURCE = "It should be clearly communicated that this is a reciprocal process."


def scenario(make: Maker, gives: int = 2, **fields: Any) -> Any:
    # Counter-steps c1, c2 (BY): 1 week of work + 2 weeks of verification, so a counter-step
    # started in week s is done in week s + 3. Give steps g1, g2 (US): 1 week each.
    steps = [step(f"c{i}", 1, actor="BY", kind="commitment", verify=2) for i in (1, 2)]
    steps += [step(f"g{i}", 1) for i in range(1, gives + 1)]
    fields.setdefault("give", {"actor": "US"})
    fields.setdefault("get", {"actor": "BY"})
    return make(steps, [rule("reciprocity", "relief-for-steps", source=SOURCE, **fields)])


def test_one_counter_step_each(make: Maker) -> None:
    """c1 done in week 3 answers g1 (week 3), c2 done in week 5 answers g2 (week 5)."""
    assert is_clean(scenario(make), {"c1": 0, "c2": 2, "g1": 3, "g2": 5})


def test_counter_step_done_too_late(make: Maker) -> None:
    """g1 starts in week 1, its only counter-step c1 is verified in week 3: 2 weeks early.
    The exact message a negotiator reads."""
    v = the_violation(scenario(make, gives=1), {"c1": 0, "g1": 1}, "relief-for-steps")
    assert v.kind == "reciprocity"
    assert v.message == (
        "g1 starts in week 1, but its counter-step c1 is verified only in week 3: 2 weeks too early"
    )
    assert v.repair == "start g1 in week 3 or later, or have c1 done earlier"
    assert v.steps == ("g1", "c1")
    assert v.times == (("g1", 1), ("c1", 0))
    assert v.amount == 1  # one unanswered give step
    assert v.source == SOURCE


def test_grace_allows_overlap(make: Maker) -> None:
    """grace 2: c1 done in week 3 may answer a give step starting from week 1, not week 0."""
    s = scenario(make, gives=1, grace=2)
    assert is_clean(s, {"c1": 0, "g1": 1})
    v = the_violation(s, {"c1": 0, "g1": 0}, "relief-for-steps")
    assert v.message == (
        "g1 starts in week 0, but its counter-step c1 is verified only in week 3 "
        "(even with 2 weeks of grace): 1 week too early"
    )
    assert v.repair == "start g1 in week 1 or later, or have c1 done earlier"


def test_within_refuses_a_stale_counter_step(make: Maker) -> None:
    """within 4: c1 done in week 3 answers give steps starting in weeks 3..7 only."""
    s = scenario(make, gives=1, within=4)
    assert is_clean(s, {"c1": 0, "g1": 7})
    v = the_violation(s, {"c1": 0, "g1": 8}, "relief-for-steps")
    assert v.message == (
        "g1 starts in week 8, but its nearest counter-step c1 was done in week 3, more than "
        "4 weeks before: 1 week too late"
    )
    assert v.repair == "start g1 by week 7, or schedule c1 later"
    assert v.steps == ("g1", "c1")


def test_distinct_one_counter_step_cannot_answer_two(make: Maker) -> None:
    """Both give steps start in week 5, only c1 (done week 3) is scheduled. Distinct: it
    answers one of them (g1, the tie broken by id) and g2 is left unanswered."""
    v = the_violation(scenario(make), {"c1": 0, "g1": 5, "g2": 5}, "relief-for-steps")
    assert v.message == (
        "g2 starts in week 5, but every counter-step {actor: BY} in the roadmap already "
        "answers another give step (pairing: distinct, so each counter-step answers one "
        "give step only)"
    )
    assert v.steps == ("g2",)
    assert v.repair == ("schedule another counter-step {actor: BY} done by week 5, or leave out g2")


def test_shared_one_verified_step_answers_several(make: Maker) -> None:
    """The same roadmap under pairing: shared is clean: one verification report unlocks
    both reliefs."""
    s = scenario(make, pairing="shared")
    assert is_clean(s, {"c1": 0, "g1": 5, "g2": 5})
    # Shared still needs the counter-step done in time.
    v = the_violation(s, {"c1": 0, "g1": 5, "g2": 2}, "relief-for-steps")
    assert v.message == (
        "g2 starts in week 2, but its counter-step c1 is verified only in week 3: 1 week too early"
    )


def test_a_count_says_yes_but_no_matching_exists(make: Maker) -> None:
    """Two give steps, two counter-steps: a count is satisfied. But c2 is verified only in
    week 8, after both give steps start (week 5): only c1 can answer either, so one give
    step (g2) has no counter-step, and the nearest free one (c2) is 3 weeks late."""
    v = the_violation(scenario(make), {"c1": 0, "c2": 5, "g1": 5, "g2": 5}, "relief-for-steps")
    assert v.message == (
        "g2 starts in week 5, but its counter-step c2 is verified only in week 8: 3 weeks too early"
    )
    assert v.steps == ("g2", "c2")


def test_a_count_by_start_time_says_yes_but_windows_allow_only_one(make: Maker) -> None:
    """within 2: g1 (week 6) accepts counter-steps done in weeks 4..6, g2 (week 8) in
    weeks 6..8. c2 is done in week 4 and c1 in week 5: both are done before either give
    step starts (a count of counter-steps done by each start says 2 >= 2), but both fall in
    g1's window only. g1 takes one (the earliest, c2); g2 has none: the free one, c1, was
    done 3 weeks before g2 starts, 1 week more than `within` allows."""
    s = scenario(make, within=2)
    v = the_violation(s, {"c2": 1, "c1": 2, "g1": 6, "g2": 8}, "relief-for-steps")
    assert v.message == (
        "g2 starts in week 8, but its nearest counter-step c1 was done in week 5, more than "
        "2 weeks before: 1 week too late"
    )
    assert v.steps == ("g2", "c1")
    assert v.repair == "start g2 by week 7, or schedule c1 later"


def test_matching_takes_the_earliest_usable_counter_step(make: Maker) -> None:
    """within 5: g1 (week 7) accepts weeks 2..7, g2 (week 10) weeks 5..10. c1 (done week 3)
    fits g1 only, c2 (done week 6) fits both. Giving g1 the later c2 would strand g2; a
    matching exists (g1-c1, g2-c2), so the roadmap is clean."""
    s = scenario(make, within=5)
    assert is_clean(s, {"c1": 0, "c2": 3, "g1": 7, "g2": 10})


def test_left_out_counter_steps(make: Maker) -> None:
    """g1 is scheduled, no Belarusian step is: the message says none is in the roadmap."""
    v = the_violation(scenario(make, gives=1), {"g1": 2}, "relief-for-steps")
    assert v.message == "g1 starts in week 2, but no counter-step {actor: BY} is in the roadmap"
    assert v.steps == ("g1",)


def test_left_out_give_step_needs_nothing(make: Maker) -> None:
    """Counter-steps may come without relief: only give steps need answers."""
    assert is_clean(scenario(make), {"c1": 0})


def test_a_step_never_answers_itself(make: Maker) -> None:
    """x and y are both give and get steps of zero duration: each may answer the other,
    never itself."""
    steps = [step("x", 0), step("y", 0)]
    s = make(steps, [rule("reciprocity", "swap", give=["x", "y"], get=["x", "y"])])
    assert is_clean(s, {"x": 0, "y": 0})
    v = the_violation(s, {"x": 0}, "swap")
    assert v.message == "x starts in week 0, but no counter-step {steps: [x, y]} is in the roadmap"


def test_matching_when_a_step_is_both_give_and_get(make: Maker) -> None:
    """h (no duration) both gives and answers. c is done in week 0, h in week 2; g and h
    start in week 2. h may not answer itself, so the only matching is g-h, h-c: a checker
    that lets g take the earliest counter-step (c) would strand h, though a matching
    exists (regression: the greedy alone is not enough when a step may not answer itself)."""
    s = make(
        [step("c", 0, actor="BY"), step("g", 2), step("h", 0)],
        [rule("reciprocity", "r", give=["g", "h"], get=["c", "g", "h"])],
    )
    assert is_clean(s, {"c": 0, "g": 2, "h": 2})


def test_soft_reciprocity_costs_weight_per_unanswered_give_step(make: Maker) -> None:
    """Two unanswered give steps, weight 5: penalty 10, whatever the gaps."""
    s = scenario(make, soft=True, weight=5)
    report = run(s, {"c1": 10, "g1": 0, "g2": 1})
    assert report.is_clean
    ps = penalties_of(report, "relief-for-steps")
    assert [p.steps[0] for p in ps] == ["g1", "g2"]
    assert [p.penalty for p in ps] == [5, 5]
    assert report.total_penalty == 10
