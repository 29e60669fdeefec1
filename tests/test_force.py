"""Time in force (`planner.force`), renewals, `repeat`, snapback and contingent steps, and
the `continuity` rule: tiny scenarios whose answers are worked out in the comments.

A step with `lasts: T` is in force over [done, done + T); a renewal (`renews: ID`) adds
[done(r), done(r) + lasts); a step that `reimposes: ID` cuts the force at its done time.
`continuity` asks the force to cover [from, until) without a gap.
"""

from __future__ import annotations

import pytest

from planner.check import check
from planner.model import convert
from planner.rules.base import CURVES
from planner.solver.solve import plan
from tests.helpers import Maker, rule, step, violations_of


@pytest.mark.parametrize(
    ("amount", "written", "unit", "expected"),
    [
        (45, "days", "week", 7),  # 45 / 7 = 6.4, rounded up
        (6, "months", "week", 26),  # 180 days / 7 = 25.7
        (6, "months", "day", 180),
        (1, "year", "week", 52),
        (1, "year", "day", 365),
        (1, "year", "month", 12),
        (2, "weeks", "day", 14),
        (90, "days", "month", 3),
        (60, "days", "week", 9),  # a 60-day statutory notice: 8.6 weeks, so 9
    ],
)
def test_times_with_units_are_converted_and_rounded_up(
    amount: int, written: str, unit: str, expected: int
) -> None:
    assert convert(amount, written, unit) == expected


def licence(make: Maker, renewed_on: int | None = None, until: str = "340 days") -> object:
    # A 180-day licence done on day 0 (duration 0), renewed once; continuity until `until`.
    steps = [
        step("licence", 0, lasts="180 days", value=3),
        step("renewal", 0, renews="licence"),
    ]
    rules = [rule("continuity", "keep-it", steps=["licence"], until=until)]
    return make(steps, rules, unit="day")


def test_a_licence_renewed_before_it_lapses_keeps_continuity(make: Maker) -> None:
    """Renewed on day 170: in force over [0, 180) and [170, 350): day 340 is covered."""
    scenario = licence(make)
    assert check(scenario, {"licence": 0, "renewal": 170}).is_clean


def test_a_licence_renewed_after_it_lapses_leaves_a_named_gap(make: Maker) -> None:
    """Renewed on day 190: [0, 180) then [190, 370): a 10-day gap from day 180."""
    scenario = licence(make)
    report = check(scenario, {"licence": 0, "renewal": 190})
    (v,) = violations_of(report, "keep-it")
    assert v.amount == 10
    assert v.message == (
        "licence lapses in day 180 (its 180 days from day 0 run out) and is renewed only "
        "when renewal is done in day 190: a gap of 10 days, while it must stay in force "
        "until day 340"
    )
    assert v.repair == "have renewal done by day 180"


def test_a_lapse_with_no_renewal_left_is_named(make: Maker) -> None:
    """Renewed on day 170, the force ends on day 350; until day 360 leaves 10 days."""
    scenario = licence(make, until="360 days")
    (v,) = violations_of(check(scenario, {"licence": 0, "renewal": 170}), "keep-it")
    assert v.amount == 10
    assert "lapses in day 350" in v.message and "is not renewed until day 360" in v.message


def test_plan_renews_in_time(make: Maker) -> None:
    """The solver keeps continuity: the renewal is done by day 180."""
    scenario = licence(make)
    result = plan(scenario, ("penalty", "makespan"), time_limit=10)
    assert result.status == "found"
    starts = result.candidates[0].starts
    assert starts["renewal"] <= 180
    assert check(scenario, starts).is_clean


def test_a_repeat_chain_expands_plans_and_checks(make: Maker) -> None:
    """lasts 26 weeks, renewed every 26 until week 80, done at the earliest in week 1:
    ceil((80 - 1 - 26) / 26) = 3 renewals, each done 26 weeks after the one before."""
    scenario = make(
        [step("gl", 1, lasts=26, repeat={"every": 26, "until": 80}, value=4)],
        [rule("continuity", "gl-holds", steps={"package": "main"}, until=80)],
    )
    assert list(scenario.steps) == ["gl", "gl@2", "gl@3", "gl@4"]
    renewal = scenario.steps["gl@3"]
    assert (renewal.renews, renewal.kind, renewal.value) == ("gl", "renewal", 0)
    result = plan(scenario, ("penalty", "makespan"), time_limit=10)
    assert result.status == "found"
    starts = result.candidates[0].starts
    assert [starts[s] for s in scenario.steps] == [0, 26, 52, 78]
    assert check(scenario, starts).is_clean
    # A renewal a week late breaks the chain's cadence (its precondition) and continuity.
    late = {**starts, "gl@3": 53}
    report = check(scenario, late)
    assert {v.rule for v in report.violations} == {"after:gl@3", "after:gl@4", "gl-holds"}


def changes(points: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """A curve's points where its level changes (a step of value 0 adds a point)."""
    out: list[tuple[int, int]] = []
    for t, level in points:
        if not out or out[-1][1] != level:
            out.append((t, level))
    return out


def snapback(make: Maker) -> object:
    # US aviation relief (value 4) in week 0, done week 1, its end-use check 2 weeks (done
    # week 3); if the check fails, a snapback of 2 weeks' wind-down follows it.
    # A balance rule counts US relief against nothing: its curve is US relief in force.
    return make(
        [
            step("relief", 1, value=4, verify=2),
            step("by", 1, actor="BY", kind="commitment", value=0),
            step(
                "snapback",
                2,
                reimposes="relief",
                after=["relief"],
                **{"if": {"step": "relief", "outcome": "fails"}},
            ),
        ],
        [rule("balance", "exposed", ahead={"steps": ["relief"]}, behind=["by"], margin=10)],
    )


def test_a_contingent_step_is_absent_from_the_main_roadmap(make: Maker) -> None:
    scenario = snapback(make)
    assert "snapback" not in scenario.steps
    assert "snapback" in scenario.everything().steps
    assert check(scenario, {"relief": 0, "by": 0}).is_clean
    branch = scenario.branch({"relief": "fails"})
    assert "snapback" in branch.steps
    # In the branch where the check fails, leaving the snapback out is a coverage violation.
    assert {v.kind for v in check(branch, {"relief": 0, "by": 0}).violations} == {"coverage"}


def test_a_snapback_lowers_the_balance_curve_when_it_is_done(make: Maker) -> None:
    """The snapback starts in week 3 (after the failed check), done in week 5: relief
    counts from week 0 (+4) until week 5 (-4)."""
    branch = snapback(make).branch({"relief": "fails"})
    report = check(branch, {"relief": 0, "by": 0, "snapback": 3})
    (curve,) = report.records[CURVES]
    assert changes(curve.points) == [(0, 4), (5, 0)]
    # Without the snapback (the main roadmap) relief counts to the end.
    main = check(snapback(make), {"relief": 0, "by": 0})
    assert changes(main.records[CURVES][0].points) == [(0, 4)]


def test_lapsed_relief_stops_counting_in_balance(make: Maker) -> None:
    """A licence of value 3, done in week 1, lasting 4 weeks: +3 at week 0, -3 at week 5;
    the counter-step (value 3, done week 2) then leaves the curve at -3."""
    scenario = make(
        [
            step("lic", 1, value=3, lasts=4),
            step("by", 2, actor="BY", kind="commitment", value=3),
        ],
        [rule("balance", "lev", ahead={"actor": "US"}, behind={"actor": "BY"}, margin=0)],
    )
    report = check(scenario, {"lic": 0, "by": 0})
    assert report.records[CURVES][0].points == ((0, 3), (2, 0), (5, -3))
    assert not report.is_clean  # 3 over the margin in weeks 0-1
    result = plan(scenario, ("penalty", "makespan"), time_limit=10)
    assert result.status == "found"
    assert check(scenario, result.candidates[0].starts).is_clean


def test_negative_value_lowers_what_was_given(make: Maker) -> None:
    """A new designation (value -2) during easing: the curve goes 3, then 1."""
    scenario = make(
        [
            step("lic", 1, value=3),
            step("designation", 1, value=-2),
            step("by", 1, actor="BY", kind="commitment"),
        ],
        [rule("balance", "lev", ahead={"actor": "US"}, behind={"actor": "BY"}, margin=5)],
    )
    report = check(scenario, {"lic": 0, "designation": 4, "by": 0})
    assert changes(report.records[CURVES][0].points) == [(0, 3), (4, 1)]


def test_for_names_who_receives_in_irreversible_exposure(make: Maker) -> None:
    """BY gives an irreversible step (value 5); the EU's verified step (value 5) counts
    for BY only when it says `for: BY`."""
    from planner.whatif.exposure import curves

    actors = {"US": "United States", "BY": "Belarus", "EU": "European Union"}
    for receiver, peak_after in ((None, 0), ("BY", 0), ("US", 5)):
        extra = {} if receiver is None else {"for": receiver}
        scenario = make(
            [
                step("by-gives", 1, actor="BY", kind="commitment", value=5, reversible=False),
                step("eu-relief", 1, actor="EU", value=5, verify=0, **extra),
            ],
            actors=actors,
        )
        (by,) = curves(scenario, {"by-gives": 0, "eu-relief": 2})
        assert by.points[-1][1] == peak_after
