"""`forbid`: red lines. The selected steps are never scheduled, and no scheduled step may
depend on them through `after`, however indirectly. A step with an `{any: [...]}` item
depends on a red line only when every alternative does: one open alternative is a way out.
"""

from __future__ import annotations

from tests.helpers import Maker, is_clean, rule, run, step, the_violation

SOURCE = "The ejection of Russian troops is a nonstarter for Minsk."
RED_LINE = rule("forbid", "no-ejection", steps=["x"], source=SOURCE)


def test_a_roadmap_without_the_red_line_is_clean(make: Maker) -> None:
    """x is not scheduled and nothing depends on it."""
    s = make([step("x", 1, actor="BY"), step("a", 1)], [RED_LINE])
    assert is_clean(s, {"a": 0})


def test_forbidden_step_scheduled(make: Maker) -> None:
    """x is scheduled: the red line is crossed, whatever its time. Exact wording."""
    s = make([step("x", 1, actor="BY"), step("a", 1)], [RED_LINE])
    v = the_violation(s, {"a": 0, "x": 3}, "no-ejection")
    assert v.kind == "forbid"
    assert v.message == "red line: x is scheduled in week 3"
    assert v.repair == "remove x from the roadmap"
    assert v.steps == ("x",)
    assert v.times == (("x", 3),)
    assert v.source == SOURCE
    assert v.severity == 0


def test_a_dependent_through_a_chain(make: Maker) -> None:
    """z after y after x: z depends on the red line x even though neither x nor y is
    scheduled (z's own precondition on y is a second, separate violation)."""
    s = make(
        [step("x", 1, actor="BY"), step("y", 1, after=["x"]), step("z", 1, after=["y"])],
        [RED_LINE],
    )
    report = run(s, {"z": 5})
    [v] = [v for v in report.violations if v.rule == "no-ejection"]
    assert v.message == "z depends on the red line x: x → y → z"
    assert v.repair == "remove the precondition of y on x, or leave out z"
    assert v.steps == ("z", "x")
    assert v.times == (("z", 5),)
    assert [v.rule for v in report.violations] == ["no-ejection", "after:z"]  # red lines first


def test_every_scheduled_dependent_is_reported(make: Maker) -> None:
    """y and z are both scheduled and both need x: one violation each, each with its chain."""
    s = make(
        [step("x", 1, actor="BY"), step("y", 1, after=["x"]), step("z", 1, after=["y"])],
        [RED_LINE],
    )
    report = run(s, {"y": 0, "z": 1})
    forbid = [v.message for v in report.violations if v.rule == "no-ejection"]
    assert forbid == [
        "y depends on the red line x: x → y",
        "z depends on the red line x: x → y → z",
    ]


def test_an_any_with_one_open_alternative_is_not_a_dependent(make: Maker) -> None:
    """w may start after x *or* after a: a keeps w possible without crossing the line."""
    s = make(
        [step("x", 1, actor="BY"), step("a", 2), step("w", 1, after=[{"any": ["x", "a"]}])],
        [RED_LINE],
    )
    assert is_clean(s, {"a": 0, "w": 2})


def test_an_any_whose_every_alternative_is_forbidden(make: Maker) -> None:
    """w may follow x or y, but y itself needs x: no way out, so w depends on x."""
    s = make(
        [
            step("x", 1, actor="BY"),
            step("y", 1, after=["x"]),
            step("w", 1, after=[{"any": ["x", "y"]}]),
        ],
        [RED_LINE],
    )
    report = run(s, {"w": 0})
    assert "w depends on the red line x: x → w" in [v.message for v in report.violations]


def test_rules_are_not_dependencies(make: Maker) -> None:
    """A precedence rule on x is not an `after` dependency: forbid is silent, and the
    precedence rule reports its left-out step."""
    s = make(
        [step("x", 1, actor="BY"), step("p", 1)],
        [RED_LINE, rule("precedence", "prec", before=["x"], after=["p"])],
    )
    report = run(s, {"p": 0})
    assert [v.rule for v in report.violations] == ["prec"]


def test_red_lines_in_the_summary(make: Maker) -> None:
    """Forbidden steps are listed as red lines, not as steps left out."""
    s = make([step("x", 1, actor="BY"), step("a", 1), step("b", 1)], [RED_LINE])
    summary = run(s, {"a": 0}).summary
    assert summary.forbidden == ("x",)
    assert summary.left_out == ("b",)


def test_a_soft_red_line_is_a_penalty_not_a_red_line(make: Maker) -> None:
    """A soft forbid is an objective term: scheduling x costs its weight, and x is not
    listed among the scenario's red-line steps."""
    s = make(
        [step("x", 1, actor="BY"), step("a", 1)],
        [rule("forbid", "avoid-x", steps=["x"], soft=True, weight=7)],
    )
    report = run(s, {"x": 0})
    assert report.is_clean
    assert [(p.message, p.penalty) for p in report.penalties] == [
        ("red line: x is scheduled in week 0", 7)
    ]
    assert report.summary.forbidden == ()
