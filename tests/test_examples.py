"""The worked deals under examples/: each is YAML alone; it validates, plans, and its
roadmap checks clean; every step and rule says where it comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.api import load_roadmap, load_scenario
from planner.check import check
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent
DEALS = ["six-party-2007", "venezuela-2023"]


def scenario_args(deal: str) -> list[str]:
    folder = ROOT / "examples" / deal
    return [
        "--packages",
        str(folder / "packages.yaml"),
        "--constraints",
        str(folder / "constraints"),
    ]


@pytest.mark.parametrize("deal", DEALS)
def test_the_deal_validates_and_every_step_and_rule_has_a_source(deal: str) -> None:
    folder = ROOT / "examples" / deal
    scenario = load_scenario(folder / "packages.yaml", folder / "constraints")
    assert scenario.unit == "day"
    for step in scenario.steps.values():
        assert step.source.strip(), step.id
    for rule in scenario.rules:
        assert rule.source.strip(), rule.id


@pytest.mark.parametrize("deal", DEALS)
def test_the_deal_plans(deal: str) -> None:
    result = run("plan", *scenario_args(deal), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "found"


@pytest.mark.parametrize("deal", DEALS)
def test_the_roadmap_checks_clean(deal: str) -> None:
    result = run("check", f"examples/{deal}/roadmap.yaml", *scenario_args(deal))
    assert result.returncode == 0, result.stdout
    assert "Verdict: the roadmap keeps every hard rule." in result.stdout
    assert "steps left out: none" in result.stdout


def test_six_party_deadlines_as_the_texts_set_them() -> None:
    """The roadmap meets the 60-day deadline (the shutdown verified on day 20), the sixth
    round on 19 March (day 34) and the rescission 45 days after the notice (92 + 45)."""
    folder = ROOT / "examples" / "six-party-2007"
    scenario = load_scenario(folder / "packages.yaml", folder / "constraints")
    starts = load_roadmap(folder / "roadmap.yaml", scenario).starts
    shutdown = scenario.steps["dprk-shutdown-yongbyon"]
    assert starts["dprk-shutdown-yongbyon"] + shutdown.done_offset == 20
    assert starts["sixth-round"] == 34
    notice_done = (
        starts["us-notify-congress-sst"] + scenario.steps["us-notify-congress-sst"].done_offset
    )
    assert starts["us-rescind-sst"] == notice_done + 45
    # Moving the rescission one day earlier breaks the statute's 45 days.
    early = dict(starts, **{"us-rescind-sst": starts["us-rescind-sst"] - 1})
    assert {v.rule for v in check(scenario, early).violations} == {
        "rescission-45-days-after-notice"
    }


def test_six_party_history_misses_the_60_days() -> None:
    """The shutdown and the first fuel came on 14 July 2007 (day 151): both 60-day windows
    are missed (the shutdown verified on day 157: 97 days late; the fuel 91 days late)."""
    folder = ROOT / "examples" / "six-party-2007"
    scenario = load_scenario(folder / "packages.yaml", folder / "constraints")
    starts = dict(load_roadmap(folder / "roadmap.yaml", scenario).starts)
    starts.update({"dprk-shutdown-yongbyon": 151, "rok-initial-hfo": 151})
    report = check(scenario, starts)
    late = {(v.rule, v.amount) for v in report.violations if v.kind == "window"}
    assert late == {
        ("initial-actions-within-60-days", 97),
        ("initial-fuel-commences-within-60-days", 91),
    }


def test_venezuela_history_breaks_the_end_of_november() -> None:
    """What happened: the releases came on 20 December (day 64), 20 days after the end of
    November; no candidate was reinstated and the licence was not renewed (left out)."""
    result = run("check", "examples/venezuela-2023/history.yaml", *scenario_args("venezuela-2023"))
    assert result.returncode == 1
    assert (
        "gov-release-political-prisoners starts in day 64, after the window closes in day 44: 20 days too late"
        in result.stdout
    )
    assert "steps left out: gov-reinstate-candidates, us-renew-gl44" in result.stdout


def test_venezuela_relief_ran_ahead_is_a_penalty_not_a_violation() -> None:
    """Day 1: 9 units of U.S. relief (6 + 1 + 2) against the 2 of the signing: 7, four
    over the soft margin of 3."""
    folder = ROOT / "examples" / "venezuela-2023"
    scenario = load_scenario(folder / "packages.yaml", folder / "constraints")
    report = check(scenario, load_roadmap(folder / "roadmap.yaml", scenario).starts)
    assert report.is_clean
    assert [(v.rule, v.amount) for v in report.penalties] == [("relief-ran-ahead", 4)]
    assert report.summary.peak_exposure == 7
