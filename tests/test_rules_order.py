"""`order`: graduated relief. Of two selected steps, the one with the smaller attribute
`by` (a name in `attrs`, or `duration` / `value`) starts no later than the other;
`direction: descending` reverses it; ties are free:

    by(a) < by(b)  =>  start(a) <= start(b)        (ascending)

Each step that starts earlier than the latest start among the steps ranked before it is
one violation, its amount the gap.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Maker, is_clean, rule, run, step, the_violation

SOURCE = "Start with industries that do not hold any military application."


def scenario(make: Maker, **fields: Any) -> Any:
    # risk: potash 1, evs 1, parts 2, leasing 3. duration: potash 4, evs 2, parts 1,
    # leasing 3. value: potash 5, evs 6, parts 2, leasing 1.
    fields.setdefault("by", "risk")
    return make(
        [
            step("potash", 4, value=5, attrs={"risk": 1}),
            step("evs", 2, value=6, attrs={"risk": 1}),
            step("parts", 1, value=2, attrs={"risk": 2}),
            step("leasing", 3, value=1, attrs={"risk": 3.5}),
        ],
        [rule("order", "graduated", steps={"kind": "relief"}, source=SOURCE, **fields)],
    )


def test_ascending_in_order(make: Maker) -> None:
    """risk 1, 1, 2, 3.5 start in weeks 0, 0, 2, 2: never a riskier step before a safer one."""
    s = scenario(make)
    assert is_clean(s, {"potash": 0, "evs": 0, "parts": 2, "leasing": 2})


def test_ties_are_free(make: Maker) -> None:
    """potash and evs both have risk 1: either may go first."""
    s = scenario(make)
    assert is_clean(s, {"potash": 3, "evs": 0, "parts": 3})
    assert is_clean(s, {"potash": 0, "evs": 3, "parts": 3})


def test_a_riskier_step_first(make: Maker) -> None:
    """leasing (risk 3.5) in week 1, before parts (risk 2) in week 4: 3 weeks too early."""
    v = the_violation(scenario(make), {"parts": 4, "leasing": 1}, "graduated")
    assert v.kind == "order"
    assert v.message == (
        "leasing (risk 3.5) starts in week 1, before parts (risk 2) in week 4: graduated order "
        "wants lower risk first, 3 weeks too early"
    )
    assert v.repair == "start leasing in week 4 or later, or parts earlier"
    assert v.steps == ("leasing", "parts")
    assert v.times == (("leasing", 1), ("parts", 4))
    assert v.amount == 3
    assert v.source == SOURCE


def test_each_step_is_measured_against_all_lower_ranks(make: Maker) -> None:
    """evs (risk 1) in week 5 sets the bar for every riskier step: parts in week 3 is 2
    weeks early, leasing in week 4 is 1 week early — against evs, not against parts."""
    report = run(scenario(make), {"evs": 5, "parts": 3, "leasing": 4})
    assert [(v.steps, v.amount) for v in report.violations] == [
        (("parts", "evs"), 2),
        (("leasing", "evs"), 1),
    ]


def test_descending(make: Maker) -> None:
    """descending by value: evs (6) first, then potash (5), parts (2), leasing (1)."""
    s = scenario(make, by="value", direction="descending")
    assert is_clean(s, {"evs": 0, "potash": 1, "parts": 1, "leasing": 7})
    v = the_violation(s, {"evs": 2, "potash": 0}, "graduated")
    assert v.message == (
        "potash (value 5) starts in week 0, before evs (value 6) in week 2: graduated order "
        "wants higher value first, 2 weeks too early"
    )


def test_by_duration(make: Maker) -> None:
    """by: duration (not an attrs name): parts (1) <= evs (2) <= leasing (3) <= potash (4)."""
    s = scenario(make, by="duration")
    assert is_clean(s, {"parts": 0, "evs": 1, "leasing": 2, "potash": 3})
    v = the_violation(s, {"parts": 0, "evs": 1, "leasing": 2, "potash": 1}, "graduated")
    assert v.message == (
        "potash (duration 4) starts in week 1, before leasing (duration 3) in week 2: "
        "graduated order wants lower duration first, 1 week too early"
    )


def test_left_out_steps_do_not_count(make: Maker) -> None:
    """Only scheduled steps are ranked: leasing alone is in order."""
    assert is_clean(scenario(make), {"leasing": 0})


def test_soft_order_is_a_penalty(make: Maker) -> None:
    """Soft, weight 2: leasing 3 weeks before parts costs 6."""
    report = run(scenario(make, soft=True, weight=2), {"parts": 4, "leasing": 1})
    assert report.is_clean
    assert [(p.amount, p.penalty) for p in report.penalties] == [(3, 6)]


def test_gap_between_ranks(make: Maker) -> None:
    """With gap 2: risk 1 (potash, evs) in week 0, risk 2 (parts) by week 2 at the
    earliest, risk 3.5 (leasing) 2 weeks after parts. Ties (potash, evs) stay free."""
    s = scenario(make, gap=2)
    assert is_clean(s, {"potash": 0, "evs": 1, "parts": 3, "leasing": 5})
    v = the_violation(s, {"potash": 0, "evs": 1, "parts": 3, "leasing": 4}, "graduated")
    assert v.message == (
        "leasing (risk 3.5) starts in week 4, only 1 week after parts (risk 2) in week 3: "
        "graduated order wants lower risk first and 2 weeks between ranks, 1 week too early"
    )
    assert v.repair == "start leasing in week 5 or later, or parts earlier"
    assert v.amount == 1


def test_gap_and_the_wrong_order(make: Maker) -> None:
    """A step before a lower rank is short by the whole distance plus the gap."""
    s = scenario(make, gap=2)
    v = the_violation(s, {"potash": 3, "evs": 3, "parts": 1, "leasing": 6}, "graduated")
    assert v.message.startswith("parts (risk 2) starts in week 1, before potash (risk 1) in week 3")
    assert v.amount == 4  # needs week 5: 3 + 2


def test_gap_is_kept_by_the_plan(make: Maker) -> None:
    from planner.solver.solve import plan

    s = scenario(make, gap=3)
    best = plan(s, ("makespan",)).candidates[0].starts
    assert best["parts"] >= max(best["potash"], best["evs"]) + 3
    assert best["leasing"] >= best["parts"] + 3
    assert is_clean(s, best)


def test_the_solver_has_room_for_the_gaps(make: Maker) -> None:
    """Three steps that take no time, ranked by risk with a gap of 3: the only quick
    roadmap is weeks 0, 3 and 6. Every step one after another takes no time at all, so
    CP-SAT's horizon must count the gaps (it once did not: its domains ended at week 1,
    and `plan` had only the greedy's schedule to offer); CP-SAT proves week 6 optimal."""
    from planner.solver.solve import plan

    s = make([step(x, 0, attrs={"risk": r}) for x, r in (("a", 1), ("b", 2), ("c", 3))],
             [rule("order", "graduated", steps=["a", "b", "c"], by="risk", gap=3)])  # fmt: skip
    result = plan(s, ("makespan",))
    best = result.candidates[0]
    assert best.starts == {"a": 0, "b": 3, "c": 6}
    assert best.origin == "optimal"
