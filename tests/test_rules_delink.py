"""`delink`: no chain of conditions may connect the two selectors, in either direction.
Links are `after` preconditions (prerequisite → step) and rules: precedence before →
after, reciprocity get → give, gate when → opens. A common ancestor is not a link.

Delinking is a property of the scenario, not of a roadmap's times: it is reported for any
roadmap, even an empty one. Chains print in the order things happen.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Maker, rule, run, step, the_violation

SOURCE = "This dialogue should proceed at its own pace and without being linked."
DELINK = rule(
    "delink",
    "humanitarian-apart",
    between=[{"package": "humanitarian"}, {"package": "relief"}],
    source=SOURCE,
)


def hum(step_id: str, **kw: Any) -> dict[str, Any]:
    return step(step_id, 1, kind="dialogue", package="humanitarian", **kw)


def rel(step_id: str, **kw: Any) -> dict[str, Any]:
    return step(step_id, 1, package="relief", **kw)


def mid(step_id: str, **kw: Any) -> dict[str, Any]:
    return step(step_id, 1, actor="BY", kind="commitment", package="security", **kw)


def test_separate_tracks(make: Maker) -> None:
    """No condition between the tracks: nothing to report."""
    s = make([hum("h"), rel("r")], [DELINK])
    assert run(s, {"h": 0, "r": 0}).is_clean


def test_direct_after_link(make: Maker) -> None:
    """Relief r waits for the humanitarian step h through its own `after`: exact wording."""
    s = make([hum("h"), rel("r", after=["h"])], [DELINK])
    v = the_violation(s, {"h": 0, "r": 1}, "humanitarian-apart")
    assert v.kind == "delink"
    assert v.message == "r is linked to h: h → [after] → r"
    assert v.repair == "remove the link [after] between h and r"
    assert v.steps == ("h", "r")
    assert v.times == (("h", 0), ("r", 1))
    assert v.source == SOURCE
    assert v.amount == 1


def test_reported_for_any_roadmap(make: Maker) -> None:
    """The link is in the scenario: even an empty roadmap is reported."""
    s = make([hum("h"), rel("r", after=["h"])], [DELINK])
    v = the_violation(s, {}, "humanitarian-apart")
    assert v.times == ()


def test_a_long_chain_through_every_kind_of_link(make: Maker) -> None:
    """h → x by x's `after`, x → y by precedence p, y → z by reciprocity q (z gives
    against y), z → r by gate g: four kinds of link, none from h to r directly. Each link
    is labelled with what makes it: `[after]` or the rule's id."""
    s = make(
        [hum("h"), mid("x", after=["h"]), mid("y"), mid("z"), rel("r")],
        [
            DELINK,
            rule("precedence", "p", before=["x"], after=["y"]),
            rule("reciprocity", "q", give=["z"], get=["y"]),
            rule("gate", "g", when=["z"], opens={"package": "relief"}),
        ],
    )
    v = the_violation(s, {}, "humanitarian-apart")
    assert v.message == "r is linked to h: h → [after] → x → [p] → y → [q] → z → [g] → r"
    assert v.steps == ("h", "x", "y", "z", "r")
    assert v.repair == "remove the link [after] between h and x"


def test_the_shortest_chain_is_shown(make: Maker) -> None:
    """Two chains from h to r: through x and y, or through the gate directly."""
    s = make(
        [hum("h"), mid("x", after=["h"]), mid("y", after=["x"]), rel("r", after=["y"])],
        [DELINK, rule("gate", "g", when=["h"], opens=["r"])],
    )
    assert the_violation(s, {}, "humanitarian-apart").message == "r is linked to h: h → [g] → r"


def test_both_directions(make: Maker) -> None:
    """h waits for relief r1, and relief r2 waits for h2: two violations, one per direction
    (humanitarian → relief first)."""
    s = make(
        [hum("h", after=["r1"]), hum("h2"), rel("r1"), rel("r2", after=["h2"])],
        [DELINK],
    )
    report = run(s, {})
    assert [v.message for v in report.violations] == [
        "r2 is linked to h2: h2 → [after] → r2",
        "h is linked to r1: r1 → [after] → h",
    ]


def test_a_common_ancestor_is_not_a_link(make: Maker) -> None:
    """Both tracks wait for the security pledge s (by `after` and by a gate): no chain runs
    from one track to the other."""
    s = make(
        [mid("s"), hum("h", after=["s"]), rel("r")],
        [DELINK, rule("gate", "security-gate", when=["s"], opens={"package": "relief"})],
    )
    assert run(s, {"s": 0, "h": 1, "r": 1}).is_clean


def test_a_common_descendant_is_not_a_link(make: Maker) -> None:
    """A review step waits for both tracks: it joins them, but neither waits on the other."""
    s = make([hum("h"), rel("r"), mid("review", after=["h", "r"])], [DELINK])
    assert run(s, {"h": 0, "r": 0, "review": 1}).is_clean


def test_an_any_alternative_is_a_link(make: Maker) -> None:
    """r may start after h *or* after x: h can still condition r."""
    s = make([hum("h"), mid("x"), rel("r", after=[{"any": ["h", "x"]}])], [DELINK])
    assert the_violation(s, {}, "humanitarian-apart").message == "r is linked to h: h → [after] → r"


def test_a_step_on_both_sides(make: Maker) -> None:
    """r is selected by both sides: the rule cannot hold whatever the links."""
    s = make(
        [hum("h"), rel("r")],
        [rule("delink", "d", between=[["h", "r"], {"package": "relief"}])],
    )
    v = the_violation(s, {}, "d")
    assert v.message == "r is on both sides of the de-linking"
    assert v.repair == "narrow one side so that it leaves out r"


def test_soft_delink_is_a_penalty(make: Maker) -> None:
    """A soft delink costs its weight once per chain found."""
    s = make(
        [hum("h"), rel("r", after=["h"])],
        [rule("delink", "d", between=[["h"], ["r"]], soft=True, weight=5)],
    )
    report = run(s, {})
    assert report.is_clean
    assert [(p.amount, p.penalty) for p in report.penalties] == [(1, 5)]
