"""The critical chain (`planner.whatif.chain`): one definition, and `check --slack`,
`simulate` and the outputs (`Outline.chain`) name the same chain for the same roadmap
(issue 21: they named different ones)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from planner.api import load_roadmap, load_scenario
from planner.check import check
from planner.render.outline import outline
from planner.scenario import Scenario
from planner.whatif.chain import START, critical_chain
from planner.whatif.simulate import simulate
from planner.whatif.simulate_run import pushed
from planner.whatif.slack import slack
from tests.helpers import Maker, rule, step

ROOT = Path(__file__).resolve().parent.parent


def test_the_chain_reaching_back_earliest_wins_a_tie_at_the_end(make: Maker) -> None:
    # Two steps are done last (week 6): c waits for b (done 4) which waits for a (done 2),
    # all tight, reaching back to week 0; y waits for x (done 5), which started in week 3
    # by the roadmap's choice. The chain is a → b → c: it reaches back furthest.
    scenario = make(
        [step("x", 2), step("y", 1, after=["x"]), step("a", 2), step("b", 2, after=["a"]),
         step("c", 2, after=["b"])],
    )  # fmt: skip
    starts = {"x": 3, "y": 5, "a": 0, "b": 2, "c": 4}
    chain = critical_chain(scenario, starts)
    assert chain.steps == (("a", ""), ("b", "after:b"), ("c", "after:c"))
    assert chain.held == START


def test_each_kind_of_waiting_ties_the_chain(make: Maker) -> None:
    # p (done 2) opens the gate on r; r's counter-step q (done 5) answers it with no time
    # to spare; the graduated order puts s (risk 2) right after r (risk 1) starts; a
    # capacity of one seat makes t wait for s to end.
    scenario = make(
        [step("p", 2, kind="commitment"), step("q", 3, kind="commitment"),
         step("r", 1, attrs={"risk": 1}), step("s", 2, attrs={"risk": 2}, kind="dialogue"),
         step("t", 1, kind="dialogue")],
        [rule("gate", "g", when=["p"], opens=["q"]),
         rule("reciprocity", "rq", give=["r"], get=["q"]),
         rule("order", "o", steps=["r", "s"], by="risk"),
         rule("capacity", "seat", steps={"kind": "dialogue"}, max=1)],
    )  # fmt: skip
    starts = {"p": 0, "q": 2, "r": 5, "s": 5, "t": 7}
    assert check(scenario, starts).is_clean
    chain = critical_chain(scenario, starts)
    assert chain.steps == (("p", ""), ("q", "g"), ("r", "rq"), ("s", "o"), ("t", "seat"))


def certain(s: Scenario) -> Scenario:
    """The scenario with every time certain (no estimate, no verification that fails, no
    scenario-wide uncertainty): every simulated run is the roadmap itself."""
    steps = {
        k: replace(
            v,
            estimate=None,
            verify=None if v.verify is None else replace(v.verify, estimate=None, fails=0.0),
        )
        for k, v in s.steps.items()
    }
    # every event takes its first outcome (no branch is drawn)
    steps = {
        k: v
        if not v.outcomes
        else replace(v, outcomes={o: 1.0 if i == 0 else 0.0 for i, o in enumerate(v.outcomes)})
        for k, v in steps.items()
    }
    return replace(s, steps=steps, uncertainty=())


def test_slack_simulate_and_the_outline_name_the_same_chain(make: Maker) -> None:
    """On the default's example roadmap and on the plan: the chain `check --slack`
    prints, the one every certain run of `simulate` holds, and the outline's."""
    s = certain(load_scenario())
    for path in (ROOT / "examples" / "brief-roadmap.yaml", ROOT / "tests" / "golden" / "plan.yaml"):
        starts = load_roadmap(path, s).starts
        from_slack = [x for x, _ in slack(s, starts).chain]
        _, from_run = pushed(s, starts, {})
        drawn = outline(s, starts, check(s, starts))
        assert from_run == from_slack
        assert [x for x, _ in drawn.chain] == from_slack
        # simulate's runs land in the deal's branches too (a run where the ceasefire
        # collapses has another chain); the main branch's runs hold slack's chain
        runs = simulate(s, starts, runs=3)
        assert set(from_slack) <= {x for x, n in runs.critical.items() if n}
