"""`simulate` knows branches (issue 20 item 7) and uncertain event dates (issue 23 item 5):
a run draws each trigger's outcome (a verification's `fails`, an event's `outcomes`),
holds the branch's roadmap as `planner contingency` plans it, and the report gives the
share of runs per outcome, each snapback and lapse; an event that runs from a fixed time
until it happens, with an `estimate` of that duration, is done at a drawn time. Tiny
scenarios, answers in comments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from planner.api import load_scenario, plan
from planner.render.simulate import simulation_json, simulation_text
from planner.whatif.simulate import simulate
from tests.test_contingency import PACKAGES as AVIATION

CEASEFIRE = """\
scenario: {name: Ceasefire, unit: week}
actors: {US: United States, BY: Belarus, world: the world}
packages:
  - id: p
    steps:
      # assumption: most likely in week 10, as early as week 6, as late as week 20 (the
      # war runs from week 0 until the ceasefire); holds six times in ten.
      - {id: ceasefire, actor: world, kind: event, duration: 10, fixed: 0,
         estimate: {min: 6, max: 20}, outcomes: {holds: 0.6, collapses: 0.4}}
      - {id: reconstruction, actor: US, kind: relief, duration: 4, value: 1,
         after: [ceasefire], if: {step: ceasefire, outcome: holds}}
      - {id: emergency-aid, actor: US, kind: relief, duration: 2, value: 1,
         after: [ceasefire], if: {step: ceasefire, outcome: collapses}}
"""


def deal(tmp_path: Path, text: str) -> tuple[Path, Path]:
    (tmp_path / "deal" / "constraints").mkdir(parents=True)
    (tmp_path / "deal" / "packages.yaml").write_text(text)
    (tmp_path / "deal" / "constraints" / "rules.yaml").write_text("rules: []\n")
    return tmp_path / "deal" / "packages.yaml", tmp_path / "deal" / "constraints"


def planned(files: tuple[Path, Path]) -> dict[str, int]:
    scenario = load_scenario(*files)
    return dict(plan(scenario, ("penalty", "makespan"), time_limit=10).candidates[0].starts)


def test_a_failed_verification_lands_the_run_in_the_snapback_branch(tmp_path: Path) -> None:
    # The no-resale check fails with probability 0.15: about 15% of 2,000 runs land in the
    # failure branch (binomial: 0.15 ± 0.008, so 0.12-0.18 holds with room), and in each
    # of them the snapback is scheduled, in none of the others. The licence is reimposed,
    # not lapsed; in the main branch its renewals come on time (nothing is uncertain):
    # no lapse in any run.
    files = deal(tmp_path, AVIATION)
    scenario = load_scenario(*files)
    sim = simulate(scenario, planned(files), runs=2000, seed=3)
    fails = sim.outcomes["by-no-resale"]["fails"]
    assert list(sim.outcomes["by-no-resale"]) == ["passes", "fails"]
    assert 0.12 < fails / 2000 < 0.18
    assert sim.snapbacks == {"us-aviation-snapback": fails}
    assert sim.lapses == {}
    text = simulation_text(scenario, sim, "r.yaml", None)
    assert f"  by-no-resale: passes {100 - 100 * fails / 2000:.1f}%" in text
    assert f"  us-aviation-snapback  {100 * fails / 2000:5.1f}%" in text
    doc = json.loads(simulation_json(scenario, sim, "r.yaml", None))
    assert doc["snapbacks"] == {"us-aviation-snapback": fails / 2000}
    assert doc["lapses"] == {}


def test_an_event_outcome_and_an_uncertain_date_are_drawn(tmp_path: Path) -> None:
    # The ceasefire holds in about 60% of runs (reconstruction, 4 weeks, follows it) and
    # collapses in 40% (emergency aid, 2 weeks). Its date is drawn from (6, 10, 20); the
    # step after it starts at its planned week 10 or, when the ceasefire comes later, at
    # the ceasefire: the finish is at least 12 (aid from 10) and at most 24 (reconstruction
    # from 20), and later than planned in many runs (P(date > 10.5) is about 0.69).
    files = deal(tmp_path, CEASEFIRE)
    scenario = load_scenario(*files)
    starts = planned(files)
    assert starts == {"ceasefire": 0, "reconstruction": 10}  # the main branch: it holds
    sim = simulate(scenario, starts, runs=2000, seed=1)
    holds = sim.outcomes["ceasefire"]["holds"]
    assert 0.55 < holds / 2000 < 0.65
    assert int(sim.last_done.min()) >= 12 and int(sim.last_done.max()) <= 24
    assert np.count_nonzero(sim.last_done > 14) > 1000
    # Same seed, same bytes.
    again = simulate(scenario, starts, runs=2000, seed=1)
    assert simulation_json(scenario, sim, "r", None) == simulation_json(scenario, again, "r", None)


def test_without_outcomes_an_event_date_alone_is_sampled(tmp_path: Path) -> None:
    # Only the date is uncertain: the finish is max(10, date) + 4. Dates up to 10 (P about
    # 0.32 with rounding) finish in week 14, so P10 is 14; the median is later.
    text = CEASEFIRE.replace(", outcomes: {holds: 0.6, collapses: 0.4}", "")
    text = text.split("      - {id: reconstruction")[0] + (
        "      - {id: reconstruction, actor: US, kind: relief, duration: 4, value: 1,\n"
        "         after: [ceasefire]}\n"
    )
    files = deal(tmp_path, text)
    scenario = load_scenario(*files)
    sim = simulate(scenario, {"ceasefire": 0, "reconstruction": 10}, runs=1000, seed=0)
    assert sim.outcomes == {} and int(np.percentile(sim.last_done, 10)) == 14
    assert int(np.median(sim.last_done)) > 14 and int(sim.last_done.max()) <= 24
