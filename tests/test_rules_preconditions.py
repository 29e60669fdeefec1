"""Step preconditions (`after`): a step starts only once the steps it names are done.

    start(s) >= done(p) + lag,   start(s) <= done(p) + within,   {any: [...]}: one item holds

done = start + duration + verification. Reported under the rule id `after:<step>`, with
the step's own source, kind `precondition`.
"""

from __future__ import annotations

from tests.helpers import Maker, is_clean, run, step, the_violation

SOURCE = "Aviation relief would be contingent on a verified no-resale understanding."


def scenario(make: Maker, *after: object) -> object:
    # a: 2 weeks of work and 1 week of verification, so a started in week 0 is done in week 3.
    # c: 5 weeks of work, no verification: started in week 0 it is done in week 5.
    return make(
        [
            step("a", 2, verify=1),
            step("c", 5),
            step("b", 1, after=list(after), source=SOURCE),
        ]
    )


def test_plain_precondition_holds_from_the_week_the_step_is_done(make: Maker) -> None:
    """b may start exactly when a is done (week 3), not a week before."""
    s = scenario(make, "a")
    assert is_clean(s, {"a": 0, "b": 3})
    assert is_clean(s, {"a": 0, "b": 9})  # no `within`: any time later is fine
    assert not is_clean(s, {"a": 0, "b": 2})


def test_too_early_counts_the_verification(make: Maker) -> None:
    """a ends in week 2 but is verified only in week 3: b in week 2 is 1 week too early.
    This is the exact wording a negotiator reads."""
    v = the_violation(scenario(make, "a"), {"a": 0, "b": 2}, "after:b")
    assert v.kind == "precondition"
    assert v.message == "b starts in week 2, but a is verified only in week 3: 1 week too early"
    assert v.repair == "start b in week 3 or later, or have a done earlier"
    assert v.steps == ("b", "a")
    assert v.times == (("b", 2), ("a", 0))
    assert v.amount == 1
    assert v.source == SOURCE
    assert not v.soft


def test_lag_adds_to_the_done_time(make: Maker) -> None:
    """With lag 4, b may start only in week 3 + 4 = 7: in week 3 it is 4 weeks too early."""
    s = scenario(make, {"step": "a", "lag": 4})
    assert is_clean(s, {"a": 0, "b": 7})
    v = the_violation(s, {"a": 0, "b": 3}, "after:b")
    assert v.message == (
        "b starts in week 3, but must wait 4 weeks after a is verified in week 3, "
        "until week 7: 4 weeks too early"
    )
    assert v.amount == 4
    assert v.repair == "start b in week 7 or later, or have a done earlier"


def test_within_bounds_the_wait(make: Maker) -> None:
    """With within 2, b must start in [3, 5]; in week 7 it is 2 weeks too late."""
    s = scenario(make, {"step": "a", "within": 2})
    assert is_clean(s, {"a": 0, "b": 3})
    assert is_clean(s, {"a": 0, "b": 5})
    v = the_violation(s, {"a": 0, "b": 7}, "after:b")
    assert v.message == (
        "b starts in week 7, more than 2 weeks after a is verified in week 3: 2 weeks too late"
    )
    assert v.amount == 2
    assert v.repair == "start b by week 5, or have a done later"
    # Too early is still too early with `within`.
    assert "1 week too early" in the_violation(s, {"a": 0, "b": 2}, "after:b").message


def test_lag_and_within_together(make: Maker) -> None:
    """lag 1, within 3 around a done in week 3: b in [4, 6]."""
    s = scenario(make, {"step": "a", "lag": 1, "within": 3})
    assert is_clean(s, {"a": 0, "b": 4})
    assert is_clean(s, {"a": 0, "b": 6})
    assert "1 week too early" in the_violation(s, {"a": 0, "b": 3}, "after:b").message
    assert "1 week too late" in the_violation(s, {"a": 0, "b": 7}, "after:b").message


def test_left_out_prerequisite(make: Maker) -> None:
    """b needs a, and the roadmap leaves a out: reported once, with b's time only."""
    v = the_violation(scenario(make, "a"), {"b": 4}, "after:b")
    assert v.message == "b needs a done first, but the roadmap leaves a out"
    assert v.repair == "schedule a before b, or leave out b"
    assert v.steps == ("b", "a")
    assert v.times == (("b", 4),)
    assert v.amount == 1


def test_left_out_step_has_no_preconditions_to_break(make: Maker) -> None:
    """Only scheduled steps must meet their preconditions."""
    assert is_clean(scenario(make, "a"), {"c": 0})


def test_any_holds_once_the_first_alternative_holds(make: Maker) -> None:
    """any: [a, c] — a is done in week 3, c in week 5: b may start from week 3."""
    s = scenario(make, {"any": ["a", "c"]})
    assert is_clean(s, {"a": 0, "c": 0, "b": 3})
    # a left out: c alone opens the way, from week 5.
    assert is_clean(s, {"c": 0, "b": 5})


def test_any_with_no_alternative_holding_names_the_nearest(make: Maker) -> None:
    """b in week 1: a would need 2 more weeks, c 4 more — a is the nearest."""
    v = the_violation(scenario(make, {"any": ["a", "c"]}), {"a": 0, "c": 0, "b": 1}, "after:b")
    assert v.message == (
        "none of the alternatives (a or c) holds; nearest: b starts in week 1, but a is "
        "verified only in week 3: 2 weeks too early"
    )
    assert v.steps == ("b", "a")
    assert v.amount == 2


def test_any_prefers_a_scheduled_alternative_to_a_left_out_one(make: Maker) -> None:
    """a is left out, c is 4 weeks away: the nearest way to satisfy b is to wait for c,
    not to report a's absence (whose amount, 1, is a count and not a time)."""
    v = the_violation(scenario(make, {"any": ["a", "c"]}), {"c": 0, "b": 1}, "after:b")
    assert "nearest: b starts in week 1, but c is done only in week 5: 4 weeks too early" in (
        v.message
    )
    assert v.amount == 4


def test_any_with_every_alternative_left_out(make: Maker) -> None:
    """Neither a nor c is scheduled: the first left-out alternative is named."""
    v = the_violation(scenario(make, {"any": ["a", "c"]}), {"b": 1}, "after:b")
    assert v.message == (
        "none of the alternatives (a or c) holds; nearest: b needs a done first, but the "
        "roadmap leaves a out"
    )


def test_any_whichever_is_earlier_with_within(make: Maker) -> None:
    """'Within 2 weeks of a, or from 10 weeks after c': b in week 20 misses a's window
    (a done in week 3) but c (done 5, lag 10) has held since week 15."""
    s = scenario(make, {"any": [{"step": "a", "within": 2}, {"step": "c", "lag": 10}]})
    assert is_clean(s, {"a": 0, "c": 0, "b": 20})
    # Week 10: too late for a (by 5) and too early for c (by 5): nearest is a tie broken
    # by wording, and the amount is 5 either way.
    v = the_violation(s, {"a": 0, "c": 0, "b": 10}, "after:b")
    assert v.amount == 5


def test_every_broken_item_is_reported(make: Maker) -> None:
    """Two plain items both too early: two violations of `after:b`, in the order the
    items are written (a rule's violations keep their order within its group)."""
    report = run(scenario(make, "a", "c"), {"a": 0, "c": 0, "b": 1})
    assert [(v.rule, v.steps, v.amount) for v in report.violations] == [
        ("after:b", ("b", "a"), 2),
        ("after:b", ("b", "c"), 4),
    ]


TREATY = """\
scenario: {name: treaty, unit: month}
actors: {EU: European Union}
packages:
  - id: treaty
    steps:
      - {id: adoption, actor: EU, kind: commitment, duration: 0}
      - {id: report, actor: EU, kind: verification, duration: 6}
      - id: review
        actor: EU
        kind: dialogue
        duration: 1
        after: [{any: [{step: adoption, lag: 96}, report]}]
"""


def test_whichever_is_earlier_written_as_yaml(make: Maker) -> None:
    """DESIGN's example, in months: 'eight years after adoption, or on the agency's report,
    whichever is earlier'. Adoption (no duration) in month 0 allows the review from month
    96; a report started in month 30 is done in month 36 and allows it from then."""
    s = make.from_yaml(TREATY)
    assert is_clean(s, {"adoption": 0, "report": 30, "review": 36})
    assert is_clean(s, {"adoption": 0, "review": 96})
    v = the_violation(s, {"adoption": 0, "report": 30, "review": 35}, "after:review")
    assert v.message == (
        "none of the alternatives (adoption or report) holds; nearest: review starts in "
        "month 35, but report is done only in month 36: 1 month too early"
    )
    v = the_violation(s, {"adoption": 0, "review": 90}, "after:review")
    assert v.message.endswith(
        "nearest: review starts in month 90, but must wait 96 months after adoption is done "
        "in month 0, until month 96: 6 months too early"
    )
    assert v.amount == 6
