"""`plan --alternatives K`: each roadmap after the best differs in substance from every
earlier one: it opens a pair of relief packages the other way round, at least `differ_by`
apart, or it includes other optional parts; and it says so in one sentence with its cost.

Tiny scenarios whose answers are worked out in the docstrings; the default deal last."""

from __future__ import annotations

from itertools import combinations

from planner.api import load_scenario, plan
from planner.render.plan import difference, plan_doc
from planner.roadmap.packages import included_units, reversals
from tests.helpers import Maker, rule, step


def test_a_tie_is_broken_both_ways_a_quarter_apart(make: Maker) -> None:
    """a (package A) and b (package B), one week each, no rule: the best opens both in week
    0, done in week 1. The second roadmap must open one 3 weeks before the other (a in 0, b
    in 3: done in week 4, the cheapest; a first by scenario order); the third must reverse
    the second too, so b opens 3 weeks before a."""
    s = make([step("a", package="A"), step("b", package="B")])
    result = plan(s, ["makespan"], alternatives=3, tolerance=10.0, differ_by=3)
    starts = [c.starts for c in result.candidates]
    assert [c.values["makespan"] for c in result.candidates] == [1, 4, 4]
    assert starts[0] == {"a": 0, "b": 0}
    assert {(x["a"], x["b"]) for x in starts[1:]} == {(0, 3), (3, 0)}
    second = difference(s, result.candidates[:1], result.candidates[1], result.objectives)
    assert second.startswith("It opens ") and " 3 weeks before " in second
    assert second.endswith("it costs last step done week 4 (+3).")


def test_no_alternative_within_the_tolerance_is_said(make: Maker) -> None:
    """With tolerance 0 the alternative must finish in week 1 like the best, but opening one
    package 3 weeks before the other finishes in week 4 at the earliest: none exists."""
    s = make([step("a", package="A"), step("b", package="B")])
    result = plan(s, ["makespan"], alternatives=2, tolerance=0.0, differ_by=3)
    assert len(result.candidates) == 1
    assert result.notes == (
        "no further roadmap opens two relief packages the other way round, 3 weeks or more "
        "apart, or includes other optional parts, within 0% of the best makespan",
    )


def test_an_optional_step_left_out_is_an_alternative(make: Maker) -> None:
    """b waits for a (a precedence), so no roadmap opens B before A; the optional
    consultation o is the only other choice. The best schedules every optional step the
    rules allow (o, 5 weeks: done in week 5); the alternative leaves o out and finishes in
    week 2, and still comes second (it lacks a part of the deal the best has)."""
    steps = [step("a", package="A"), step("b", package="B"),
             step("o", 5, package="C", kind="consultation", optional=True)]  # fmt: skip
    s = make(steps, [rule("precedence", before=["a"], after=["b"])])
    result = plan(s, ["penalty", "makespan"], alternatives=2, differ_by=1)
    best, alt = result.candidates
    assert "o" in best.starts and "o" not in alt.starts
    assert included_units(s, best.starts) == ("o",) and included_units(s, alt.starts) == ()
    assert difference(s, [best], alt, result.objectives) == (
        "It leaves out the optional step o and keeps the best's relief order; "
        "it costs nothing on the objectives and gains last step done week 2 (-3)."
    )


def test_an_optional_step_no_roadmap_can_fit_is_left_out(make: Maker) -> None:
    """o is optional but must wait for b and end by week 1, while b cannot start before
    week 1: no roadmap has o, so plan leaves it out and says so, instead of failing."""
    s = make(
        [step("a"), step("b", after=["a"]), step("o", after=["b"], optional=True)],
        [rule("window", steps=["o"], latest=1)],
    )
    result = plan(s, ["makespan"])
    assert result.status == "found"
    assert set(result.candidates[0].starts) == {"a", "b"}
    assert result.notes[0] == (
        "optional o left out: no roadmap keeps every hard rule with it (`planner explain` says why)"
    )


def test_one_package_and_nothing_optional_has_no_alternative(make: Maker) -> None:
    s = make([step("a"), step("b")])
    result = plan(s, ["makespan"], alternatives=2)
    assert len(result.candidates) == 1
    assert result.notes == (
        "only one relief package and no optional part: no alternative differs in substance",
    )


def test_the_default_gives_three_substantive_alternatives() -> None:
    """A quarter (13 weeks) apart: the best opens the SDN tranches (week 12) before potash
    (20); the second opens potash 13 weeks before the second tranche, at no cost; the
    third also opens the second tranche 13 weeks before IFI access, which ends week 59, 4
    weeks after the best (55)."""
    s = load_scenario()
    result = plan(s, alternatives=3)
    cands = result.candidates
    assert len(cands) == 3 and all(c.report is not None and c.report.is_clean for c in cands)
    for earlier, later in combinations(cands, 2):
        if set(earlier.starts) == set(later.starts):
            turned = reversals(s, earlier.starts, later.starts)
            assert turned and turned[0].apart >= 13
    assert [c.values["makespan"] for c in cands] == [55, 55, 59]
    doc = plan_doc(s, result)
    assert "differs" not in doc["candidates"][0]
    assert doc["candidates"][1]["differs"] == (
        "It opens package potash 13 weeks before package sdn-delistings (weeks 20 and 33; the best opens "
        "sdn-delistings in week 12, potash in week 20); it costs nothing on the objectives."
    )
    assert doc["candidates"][2]["differs"].endswith("it costs last step done week 59 (+4).")
    # The optional E.U. track and, after its review, the optional Klaipėda transit.
    included = ["eu-track", "lt-potash-transit"]
    assert all(c["optional_included"] == included for c in doc["candidates"])


def test_alternatives_that_ran_out_of_time_say_so(make: Maker) -> None:
    """Issue 19 item 11. Packages A and B can be opened either way round, so a further
    roadmap exists; when its search ends without an answer (the time ran out, as at 1,500
    steps in 10 s), `plan` says the time ran out, not that no further roadmap exists. Only
    a search that proves none exists earns that sentence (the tolerance test above)."""
    from planner.solver.alternatives import next_alternative, why_none
    from planner.solver.results import Candidate

    s = make([step("a", package="A"), step("b", package="B")])
    best = Candidate({"a": 0, "b": 0}, {"makespan": 1}, {"makespan": 1}, "optimal")
    far = float("inf")
    ran_out = next_alternative(
        s, ["makespan"], [best], 3, 10, far, lambda enc, until: ("unknown", None), lambda: False
    )
    assert ran_out == (None, 1, 1)
    note = why_none(s, False, False, 1, 3, 0.05, "makespan", undecided=1)
    assert note.startswith("time limit reached while looking for alternatives")
    assert "raise --time-limit" in note
    proven = next_alternative(
        s, ["makespan"], [best], 3, 10, far, lambda enc, until: ("infeasible", None),
        lambda: False,
    )  # fmt: skip
    assert proven == (None, 1, 0)
    assert why_none(s, False, False, 1, 3, 0.05, "makespan", undecided=0).startswith(
        "no further roadmap opens"
    )


def test_proven_optimal_says_what_it_is_relative_to(make: Maker) -> None:
    """Issue 19 item 10. o is optional, and a soft red line costs 5 when o is scheduled.
    `plan` includes every optional part the hard rules allow (the deal asks for it: an
    optional part is left out only when it cannot be held), so its penalty, 5, is optimal
    among the roadmaps with o, while leaving o out costs 0. The output says exactly that,
    so "proven optimal" is not read as optimal over every choice of optional parts."""
    s = make(
        [step("a"), step("o", kind="consultation", optional=True)],
        [rule("forbid", "o-frowned-upon", steps=["o"], soft=True, weight=5)],
    )
    result = plan(s, ["penalty", "makespan"])
    best = result.candidates[0]
    assert "o" in best.starts and best.values["penalty"] == 5 == best.bounds["penalty"]
    assert result.notes == (
        "optimal among the roadmaps that include the optional o: plan includes every "
        "optional part the hard rules allow, and does not weigh leaving one out",
    )
    without = make([step("a")], [])
    assert plan(without, ["penalty", "makespan"]).candidates[0].values["penalty"] == 0
    # Without optional parts in the roadmap, nothing is added.
    assert plan(without, ["penalty", "makespan"]).notes == ()
