"""Fixed steps, events and the scenario's own objectives.

    start(s) == fixed(s)        for every scheduled step with `fixed`

An event (`kind: event`) is held by `plan` at its fixed time or at the earliest time its
conditions allow; `check` holds it only to a `fixed` time. A scenario's `objectives` set
`plan`'s default order; `--objective` still wins.
"""

from __future__ import annotations

from pathlib import Path

from planner.api import plan
from planner.solver.explain import explain
from tests.helpers import Maker, cli, is_clean, rule, step, the_violation


def test_a_fixed_step_starts_at_its_time(make: Maker) -> None:
    """a happened in week 3: a roadmap that moves it breaks `fixed:a` by the distance."""
    s = make([step("a", 1, fixed=3), step("b", 1, after=["a"])])
    assert is_clean(s, {"a": 3, "b": 4})
    v = the_violation(s, {"a": 1, "b": 4}, "fixed:a")
    assert v.message == "a starts in week 1, but its time is fixed in week 3: 2 weeks early"
    assert v.repair == "start a in week 3, or change its `fixed` time in the scenario"
    assert (v.kind, v.amount, v.severity) == ("fixed", 2, 1)


def test_plan_holds_fixed_steps_and_events(make: Maker) -> None:
    """The ceasefire event may come no earlier than week 5 (after the talks, 5 weeks long,
    with a lag of 0): plan holds it there, not later, though nothing else depends on
    when it comes; the summit is fixed in week 8."""
    s = make(
        [
            step("talks", 5),
            step("ceasefire", 0, kind="event", actor="BY", after=["talks"]),
            step("summit", 1, fixed=8),
            step("reconstruction", 2, after=["ceasefire"]),
        ]
    )
    best = plan(s, ("makespan",)).candidates[0].starts
    assert best["ceasefire"] == 5
    assert best["summit"] == 8
    assert best["reconstruction"] == 5


def test_a_fixed_time_the_rules_cannot_meet_is_explained(make: Maker) -> None:
    """b is fixed in week 1 but must wait for a, done in week 3: the conflict is b's
    precondition and its fixed time, with the arithmetic."""
    s = make([step("a", 3), step("b", 1, fixed=1, after=["a"])])
    conflict = explain(s)
    assert conflict is not None
    assert sorted(c.name for c in conflict.culprits) == ["after:b", "fixed:b"]
    assert conflict.arithmetic == (
        "b cannot start before week 3 (chain: a (done week 3 at the earliest) → b); its time "
        "is fixed in week 1: 2 weeks short",
    )


def test_the_scenarios_objectives_are_the_default_order(tmp_path: Path, make: Maker) -> None:
    """g is a good-faith step that may go in week 0 or after w (a 4-week step) without
    delaying the end; with goodwill first, plan starts it in week 0."""
    packages, constraints = make.paths(
        [step("w", 4), step("g", 1, tags=["good-faith"]), step("z", 1, after=["w"])]
    )
    text = packages.read_text()
    packages.write_text(
        text.replace("scenario:\n", "scenario:\n  objectives: [goodwill, makespan]\n", 1)
    )
    args = ["--packages", str(packages), "--constraints", str(constraints), "--format", "json"]
    out = cli("plan", *args)
    assert out.returncode == 0, out.stderr
    assert '"objectives": [\n    "goodwill",\n    "makespan"\n  ]' in out.stdout
    forced = cli("plan", *args, "--objective", "makespan")
    assert forced.returncode == 0, forced.stderr
    assert '"objectives": [\n    "makespan"\n  ]' in forced.stdout


def test_bad_scenario_objectives_are_refused(make: Maker) -> None:
    import pytest

    from planner.errors import InputError

    with pytest.raises(InputError) as exc:
        make.from_yaml(
            "scenario: {name: t, objectives: [goodwil, makespan, makespan]}\n"
            "actors: {US: us}\npackages:\n"
            "  - {id: p, steps: [{id: a, actor: US, kind: k, duration: 1}]}\n"
        )
    messages = [p.message for p in exc.value.problems]
    assert messages == [
        "scenario: unknown objective 'goodwil' (did you mean 'goodwill'?); objectives are "
        "penalty, makespan, exposure, goodwill",
        "scenario: objective 'makespan' is listed twice",
    ]


def test_a_window_a_fixed_step_cannot_meet_makes_the_plan_impossible(make: Maker) -> None:
    """a is fixed in week 2, a window closes in week 1: no roadmap; both are named."""
    s = make([step("a", 1, fixed=2)], [rule("window", "early", steps=["a"], latest=1)])
    result = plan(s)
    assert result.status == "infeasible"
    assert result.conflict is not None
    assert sorted(c.name for c in result.conflict.culprits) == ["early", "fixed:a"]


def test_an_event_is_never_told_to_start(make: Maker) -> None:
    """An event no party controls (the ceasefire, assumed in week 5) is not a step to
    move: where a repair would move it, it names what the parties can change — the
    roadmap's entry or the scenario's assumption, the step that waits for it, the step
    it waits for (issue 21: `check` proposed "start ukraine-ceasefire in week 26")."""
    s = make(
        [
            step("talks", 3, kind="dialogue"),
            step("ceasefire", 0, actor="world", kind="event", fixed=5, after=["talks"]),
            step("reconstruction", 2, kind="cooperation", after=["ceasefire"]),
        ],
        actors={"US": "United States", "world": "Events no party controls"},
    )
    # The roadmap puts the ceasefire in week 7: back to its assumed week, or change that.
    v = the_violation(s, {"talks": 0, "ceasefire": 7, "reconstruction": 7}, "fixed:ceasefire")
    assert v.message == (
        "the roadmap puts ceasefire, an event no party controls, in week 7, but the scenario "
        "assumes it in week 5: 2 weeks late"
    )
    assert v.repair == (
        "write ceasefire at its assumed time, week 5, in the roadmap: it is an event no party "
        "controls; to plan for another date, change its `fixed` time in the scenario"
    )
    # Reconstruction starts in week 4, before the ceasefire (week 5): move reconstruction,
    # not the ceasefire.
    v = the_violation(s, {"talks": 0, "ceasefire": 5, "reconstruction": 4}, "after:reconstruction")
    assert (
        v.repair
        == "start reconstruction in week 5 or later (ceasefire is an event no party controls)"
    )
    # The talks end in week 6, after the ceasefire assumed in week 5 that waits for them:
    # have the talks done by week 5, or revisit the assumption.
    v = the_violation(s, {"talks": 3, "ceasefire": 5, "reconstruction": 5}, "after:ceasefire")
    assert v.repair == (
        "have talks done by week 5, or revisit what the scenario assumes of ceasefire "
        "(ceasefire is an event no party controls)"
    )
    assert "start ceasefire" not in v.repair
