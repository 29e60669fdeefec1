"""The greedy list schedule: it keeps the hard rules it can and says which it cannot.

- its verdict is `check`'s report on its starts (coverage only when asked);
- property (each rule kind in turn): a greedy schedule that keeps every rule is one the
  solver accepts with its starts fixed, at the checker's penalty: the greedy places
  steps inside CP-SAT's domains (the horizon) and the encodings agree with its check;
- deadlines, `within` limits, seats and balance room on tiny scenarios whose answer is
  worked out in a comment.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planner.check import check
from planner.scenario import Scenario
from planner.schedule.greedy import greedy_schedule
from tests.helpers import Maker, rule, step
from tests.test_solver_properties import PER_KIND, per_kind, scenarios, solver_penalty_for


def scheduled(scenario: Scenario) -> list[str]:
    return [s for s in scenario.steps if s not in scenario.forbidden()]


def hard_broken(scenario: Scenario, starts: dict[str, int]) -> set[str]:
    return {v.rule for v in check(scenario, starts).violations}


@per_kind
@PER_KIND
@given(data=st.data())
def test_a_greedy_schedule_that_keeps_every_rule_is_one_the_solver_accepts(
    kind: str, data: st.DataObject
) -> None:
    scenario = data.draw(scenarios(max_steps=6, kind=kind))
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert set(greedy.starts) == set(scheduled(scenario))
    assert greedy.report == check(scenario, greedy.starts, partial=True)
    assert set(greedy.broken) == hard_broken(scenario, greedy.starts)
    if greedy.keeps_every_rule:
        assert solver_penalty_for(scenario, greedy.starts) == greedy.report.total_penalty


def test_an_urgent_deadline_takes_the_seat_first(make: Maker) -> None:
    """One seat for a and b. a has the longer chain behind it (c, 5 weeks), so it would go
    first; but b must start by week 1, so b takes the seat in week 0 and a follows in
    week 1: c is done in week 9."""
    scenario = make(
        [step("a", 3, kind="dialogue"), step("b", 1, kind="dialogue"), step("c", 5, after=["a"])],
        [
            rule("capacity", "one-seat", steps={"kind": "dialogue"}, max=1),
            rule("window", "b-early", steps=["b"], latest=1),
        ],
    )
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert greedy.starts == {"a": 1, "b": 0, "c": 4}
    assert greedy.broken == ()


def test_a_within_limit_pulls_its_anchor_later(make: Maker) -> None:
    """w waits for f (done + 0, within 2) and for g (5 weeks). Started at once, f would be
    done in week 1 and w could not start by week 3; so f starts in week 2 (done in week
    3) and w in week 5, within 2 of it."""
    scenario = make(
        [
            step("f", 1),
            step("g", 5),
            step("w", 1, after=[{"step": "f", "within": 2}, "g"]),
        ]
    )
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert greedy.starts["w"] == 5
    assert greedy.starts["w"] <= greedy.starts["f"] + 1 + 2
    assert greedy.broken == ()


def test_a_concession_waits_for_balance_room(make: Maker) -> None:
    """Margin 2: relief worth 3 can start only once the verified step worth 3 is done
    (week 1 + 2 of verification = week 3)."""
    scenario = make(
        [
            step("relief", 1, value=3),
            step("verified", 1, actor="BY", kind="commitment", value=3, verify=2),
        ],
        [rule("balance", "lev", ahead=["relief"], behind=["verified"], margin=2)],
    )
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert greedy.starts == {"relief": 3, "verified": 0}
    assert greedy.broken == ()


def test_what_cannot_be_kept_is_reported(make: Maker) -> None:
    """Two steps must start together, but only one seat exists: the capacity rule breaks,
    and the greedy says so (as `check` does)."""
    scenario = make(
        [step("a", 2, kind="dialogue"), step("b", 2, kind="dialogue")],
        [
            rule("capacity", "one-seat", steps={"kind": "dialogue"}, max=1),
            rule("simultaneous", "together", steps=["a", "b"]),
        ],
    )
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert greedy.starts["a"] == greedy.starts["b"]
    assert greedy.broken == ("one-seat",)
    assert hard_broken(scenario, greedy.starts) == {"one-seat"}


def test_a_counter_step_answers_the_give_step_whose_window_closes_first(make: Maker) -> None:
    """Distinct pairing: g1 must be answered within 2 weeks of its start, g2 may wait;
    both are ready in week 0 after c1. c1 is done in week 1, c2 in week 6: c1 goes to g1
    whose window closes first, g2 takes c2."""
    scenario = make(
        [
            step("c1", 1, actor="BY", kind="commitment"),
            step("c2", 6, actor="BY", kind="commitment"),
            step("g1", 1, after=[{"step": "c1", "within": 2}]),
            step("g2", 1),
        ],
        [rule("reciprocity", "pairs", give=["g1", "g2"], get=["c1", "c2"])],
    )
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert greedy.broken == ()
    assert greedy.starts["g1"] <= 3
    assert greedy.starts["g2"] >= 6


def test_the_verdict_is_checks_and_coverage_is_the_callers_to_ask(make: Maker) -> None:
    """b waits for a. Given only b, the greedy places b at week 0: its precondition on a,
    which was not given, is broken (as `check` says of any roadmap without a). Whether the
    steps given are all the deal requires (a is required) is said only when asked."""
    scenario = make([step("a", 2), step("b", 1, after=["a"])])
    assert greedy_schedule(scenario, ["b"]).broken == ("after:b",)
    whole = greedy_schedule(scenario, ["b"], partial=False)
    assert whole.broken == ("after:b", "coverage:main")
    assert whole.report == check(scenario, {"b": 0})
    assert greedy_schedule(scenario, ["a", "b"]).starts == {"a": 0, "b": 2}
    assert greedy_schedule(scenario, ["a", "b"]).keeps_every_rule


def test_a_renewal_is_placed_so_force_reaches_until(make: Maker) -> None:
    """A licence in force 10 weeks, one renewal of 10 weeks, kept in force until week 25
    (continuity). Placed at once, the licence would lapse in week 10 and the renewal
    (done at most 10 after it) in week 20: short of 25. So the renewal is done no earlier
    than 25 - 10 = 15 and the licence no earlier than 25 - 20 = 5, and placed there the
    renewal comes exactly as the licence lapses: no gap, and `check` agrees."""
    scenario = make(
        [
            step("licence", 0, lasts=10, value=3),
            step("renewal", 0, renews="licence"),
        ],
        [rule("continuity", "holds", steps=["licence"], until=25)],
    )
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert greedy.starts == {"licence": 5, "renewal": 15}
    assert greedy.broken == ()
    assert hard_broken(scenario, greedy.starts) == set()


def test_force_must_be_there_by_from(make: Maker) -> None:
    """Kept in force from week 3 until week 20 with one renewal: the licence must be done
    by week 3 (a deadline), the renewal no earlier than 20 - 10 = 10 and no later than
    the licence's lapse. The greedy keeps both bounds."""
    scenario = make(
        [
            step("licence", 1, lasts=10, value=3),
            step("renewal", 0, renews="licence"),
        ],
        [rule("continuity", "holds", steps=["licence"], until=20, **{"from": 3})],
    )
    greedy = greedy_schedule(scenario, scheduled(scenario))
    assert greedy.starts["licence"] + 1 <= 3
    assert greedy.starts["renewal"] >= 10
    assert greedy.broken == ()
