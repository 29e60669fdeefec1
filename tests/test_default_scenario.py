"""The embedded U.S.–Belarus default read as the brief means it: the best roadmap opens
with unilateral good-faith gestures, stages the sectoral relief in the brief's order,
delists the SDN tranches in their numbered order, and keeps the humanitarian dialogue
apart from every other U.S. priority; and as a practitioner reads it: U.S. law where it
binds (the Belarus Democracy Act's waiver before the IFI vote and the fund), U.S. firms as
their own actor, the ceasefire as an uncertain event, lasting tracks, renewable licences
and the branches a negotiator would brief."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from planner.api import check_roadmap, contingency, load_scenario, plan
from planner.check import check
from planner.objectives import objective_order
from planner.scenario import Scenario
from planner.solver.results import PlanResult
from planner.whatif.exposure import curves
from planner.whatif.simulate import Triple, quantiles, risks, share_by, simulate

ROOT = Path(__file__).resolve().parent.parent

#: The brief's order: "starting with products, services, and industries that offer the
#: most lucrative investment opportunities and do not hold any military application":
#: potash (lucrative 6, risk 0), EVs (5, 1), aviation parts (4, 2), leasing (3, 3).
SECTORAL = ("us-potash-license", "us-ev-relief", "us-aviation-parts-license",
            "us-aviation-leasing-license")  # fmt: skip
TRANCHES = ("us-sdn-first-delistings", "us-sdn-second-delistings", "us-sdn-third-delistings")


@pytest.fixture(scope="module")
def best() -> tuple[Scenario, PlanResult]:
    scenario = load_scenario()
    return scenario, plan(scenario)


def test_the_scenario_declares_good_faith_before_exposure() -> None:
    """The brief's "opening stages" ask for good faith first; the scenario says so."""
    assert objective_order(load_scenario()) == ("penalty", "goodwill", "makespan", "exposure")


def test_good_faith_opens_the_roadmap(best: tuple[Scenario, PlanResult]) -> None:
    """Every step of the good-faith package starts in week 0 (the freeze's renewals come
    later, see below), and the roadmap still finishes by week 55 (the firms' joint
    ventures, half a year after the last licence) with every hard rule kept, proven
    optimal."""
    scenario, result = best
    assert result.status == "found"
    top = result.candidates[0]
    assert top.origin == "optimal" and top.report is not None and top.report.is_clean
    package = next(p for p in scenario.packages if p.id == "good-faith")
    opening = [s for s in package.step_ids if scenario.steps[s].renews is None]  # the gestures
    assert {s: top.starts[s] for s in opening} == dict.fromkeys(opening, 0)
    assert top.values["makespan"] <= 55


def test_sectoral_relief_is_staged_in_the_briefs_order(best: tuple[Scenario, PlanResult]) -> None:
    """Four distinct starts, in order: the gap of 2 weeks between ranks (graduated.yaml)
    makes a tie impossible; potash waits for the revenue-sharing deal (done week 20)."""
    _, result = best
    starts = [result.candidates[0].starts[s] for s in SECTORAL]
    assert starts == sorted(starts) and len(set(starts)) == 4
    assert starts[0] == 20 and all(b - a >= 2 for a, b in pairwise(starts))


def test_the_sdn_tranches_go_in_their_numbered_order(best: tuple[Scenario, PlanResult]) -> None:
    _, result = best
    starts = [result.candidates[0].starts[s] for s in TRANCHES]
    assert starts == sorted(starts) and len(set(starts)) == 3


def test_reconstruction_waits_for_the_assumed_ceasefire(best: tuple[Scenario, PlanResult]) -> None:
    """The ceasefire is an event that runs from week 0 and is done at its most likely date,
    week 26 (an assumption, not a condition): the reconstruction role waits for it."""
    scenario, result = best
    starts = result.candidates[0].starts
    ceasefire = scenario.steps["ukraine-ceasefire"]
    assert ceasefire.kind == "event"
    assert starts["ukraine-ceasefire"] == 0 and ceasefire.done_offset == 26
    assert starts["by-reconstruction-role"] >= 26


def test_the_fund_waits_for_the_constructive_track_review(
    best: tuple[Scenario, PlanResult],
) -> None:
    scenario, result = best
    starts = result.candidates[0].starts
    review = scenario.steps["us-constructive-track-review"]
    assert starts["us-by-investment-fund"] >= starts[review.id] + review.done_offset


def test_the_new_red_line_is_never_scheduled(best: tuple[Scenario, PlanResult]) -> None:
    _, result = best
    assert "us-new-security-commitment" not in result.candidates[0].starts


def test_helsinki_waiting_for_the_hybrid_halt_is_refused(tmp_path: Path) -> None:
    """The brief keeps the dialogue "without being linked to other U.S. policy priorities":
    a precondition on the border package's hybrid halt is a link, and the planner says
    which rule it breaks and by which chain."""
    text = (ROOT / "packages.yaml").read_text(encoding="utf-8")
    anchor = "      - id: us-helsinki-dialogue\n"
    assert anchor in text
    (tmp_path / "packages.yaml").write_text(
        text.replace(anchor, anchor + "        after: [by-hybrid-halt]\n"), encoding="utf-8"
    )
    scenario = load_scenario(tmp_path / "packages.yaml", ROOT / "constraints")
    result = plan(scenario, time_limit=5.0)
    assert result.status == "infeasible" and result.conflict is not None
    (culprit,) = result.conflict.culprits
    assert (culprit.name, culprit.kind) == ("humanitarian-not-linked", "delink")
    assert any(
        "by-hybrid-halt → [after] → us-helsinki-dialogue" in line
        for line in result.conflict.arithmetic
    )


# ---- U.S. law -----------------------------------------------------------------------------


def test_the_ifi_vote_and_the_fund_wait_for_the_statutory_waiver(
    best: tuple[Scenario, PlanResult],
) -> None:
    """The Belarus Democracy Act bars U.S. government financing to the Government of Belarus
    and has the U.S. oppose IFI assistance to it (humanitarian needs aside) until the
    President acts: the waiver opens with the security gate (week 12, done week 14), and
    the IFI vote and the investment fund start after it is done."""
    scenario, result = best
    starts = result.candidates[0].starts
    waiver = scenario.steps["us-bda-waiver"]
    done = starts[waiver.id] + waiver.done_offset
    assert (starts[waiver.id], done) == (12, 14)
    for relief in ("us-ifi-support", "us-by-investment-fund"):
        assert waiver.id in {r.step for r in scenario.steps[relief].requirements()}
        assert starts[relief] >= done


def test_a_slow_waiver_holds_the_ifi_vote() -> None:
    """With the waiver taking 20 weeks (done week 32, not 14), the IFI vote, which its
    counter-step alone would allow in week 26 (the IFI terms verified), waits until week
    32: the statute, not the bargain, sets its date."""
    scenario = load_scenario(sets=["us-bda-waiver.duration=20"])
    starts = plan(scenario, time_limit=20.0).candidates[0].starts
    assert starts["us-bda-waiver"] == 12
    assert starts["us-ifi-support"] == 32


def test_the_certification_route_would_trade_prisoners_for_relief(tmp_path: Path) -> None:
    """Where the brief collides with the statute: the Act lifts its sanctions on
    certification of progress on conditions that start with prisoner releases. A waiver
    that waits for releases (the certification route) links the humanitarian track to
    relief, which the brief rules out: the planner refuses it and names the chain."""
    text = (ROOT / "packages.yaml").read_text(encoding="utf-8")
    anchor = "      - id: us-bda-waiver\n"
    assert text.count(anchor) == 1
    (tmp_path / "packages.yaml").write_text(
        text.replace(anchor, anchor + "        after: [by-prisoner-releases]\n"), encoding="utf-8"
    )
    scenario = load_scenario(tmp_path / "packages.yaml", ROOT / "constraints")
    result = plan(scenario, time_limit=5.0)
    assert result.status == "infeasible" and result.conflict is not None
    (culprit,) = result.conflict.culprits
    assert (culprit.name, culprit.kind) == ("humanitarian-not-linked", "delink")
    assert any(
        "by-prisoner-releases → [after] → us-bda-waiver" in line
        for line in result.conflict.arithmetic
    )


# ---- private actors, transit ---------------------------------------------------------------

FIRMS_STEPS = ("firms-ev-investment", "firms-potash-investment", "firms-aviation-joint-ventures")


def test_a_firms_investment_is_not_us_exposure(best: tuple[Scenario, PlanResult]) -> None:
    """The licence is the U.S. relief; the investment it enables is the firms' own, a gain
    for Belarus (`for: BY`). So the U.S. irreversible exposure counts the delistings and
    the fund (U.S. government capital), not a plant or a mine; the firms' sunk capital is
    their own curve, and no balance rule weighs it as U.S. relief."""
    scenario, result = best
    starts = result.candidates[0].starts
    for sid in FIRMS_STEPS:
        step = scenario.steps[sid]
        assert (step.actor, step.beneficiary, step.reversible) == ("FIRMS", "BY", False)
    by_actor = {c.actor: c for c in curves(scenario, starts)}
    assert set(by_actor["US"].steps) == {
        "us-sdn-first-delistings",
        "us-sdn-second-delistings",
        "us-sdn-third-delistings",
        "us-by-investment-fund",
    }
    assert set(by_actor["FIRMS"].steps) == set(FIRMS_STEPS)
    balance = next(r for r in scenario.rules if r.id == "us-by-leverage-balance")
    assert not set(FIRMS_STEPS) & set(balance.ahead.ids)  # type: ignore[attr-defined]


def test_firms_invest_on_their_own_timescale(best: tuple[Scenario, PlanResult]) -> None:
    """Half a year after the licence and the Belarusian terms they need (not weeks): the
    automakers after the EV licence and the land (done week 25), the potash investors after
    the licence and the development rights (26), the joint ventures after the leasing
    licence (29)."""
    _, result = best
    starts = result.candidates[0].starts
    assert {s: starts[s] for s in FIRMS_STEPS} == {
        "firms-ev-investment": 25,
        "firms-potash-investment": 26,
        "firms-aviation-joint-ventures": 29,
    }
    assert result.candidates[0].values["makespan"] == 29 + 26


def test_the_klaipeda_transit_follows_the_licence_and_the_border_track(
    best: tuple[Scenario, PlanResult],
) -> None:
    """Lithuania reopens the potash route only once the U.S. licence is in force (week 21),
    its own crossings roadmap is agreed (week 30, after the verified hybrid halt) and the
    E.U.'s review is done (week 33)."""
    scenario, result = best
    starts = result.candidates[0].starts

    def done(s: str) -> int:
        return starts[s] + scenario.steps[s].done_offset

    assert scenario.steps["lt-potash-transit"].optional
    assert starts["lt-potash-transit"] == max(
        done("us-potash-license"), done("lt-crossings-roadmap"), done("eu-review-mirroring")
    )
    assert starts["lt-crossings-roadmap"] >= done("by-hybrid-halt")


# ---- security first, a gate -------------------------------------------------------------


def test_security_first_is_a_gate_not_an_order(best: tuple[Scenario, PlanResult]) -> None:
    """The pledges are exchanged in week 0 (the U.S. pledge is done in week 2); the
    confidence building and the hosted border dialogues begin then, not when the gate opens
    (week 12, the non-aggression pledge verified); the economic packages wait for the gate."""
    scenario, result = best
    starts = result.candidates[0].starts
    exchanged = (
        starts["us-no-regime-change-pledge"]
        + scenario.steps["us-no-regime-change-pledge"].done_offset
    )
    assert exchanged == 2
    for sid in ("nato-deconfliction-dialogue", "us-hosts-poland-dialogue"):
        assert starts[sid] == exchanged
    assert starts["us-sdn-first-delistings"] == starts["us-brief-moscow"] == 0
    assert min(starts[s] for s in ("by-no-resale-pledge", "by-potash-revenue-sharing")) == 12


def test_the_helsinki_dialogue_cannot_wait_for_the_pledges(tmp_path: Path) -> None:
    """Week 0 is a choice the de-linking forces: the dialogue waiting for the security
    pledges would link it to another U.S. priority."""
    text = (ROOT / "packages.yaml").read_text(encoding="utf-8")
    anchor = "      - id: us-helsinki-dialogue\n"
    (tmp_path / "packages.yaml").write_text(
        text.replace(anchor, anchor + "        after: [us-no-regime-change-pledge]\n"),
        encoding="utf-8",
    )
    scenario = load_scenario(tmp_path / "packages.yaml", ROOT / "constraints")
    result = plan(scenario, time_limit=5.0)
    assert result.status == "infeasible" and result.conflict is not None
    assert [c.name for c in result.conflict.culprits] == ["humanitarian-not-linked"]


# ---- time in force ------------------------------------------------------------------------


def test_lasting_tracks_keep_their_delinking(best: tuple[Scenario, PlanResult]) -> None:
    """The Helsinki dialogue runs in six-monthly cycles through the first year (a time, not
    a step of another track) and the prisoner and remains exchanges every quarter until the
    ceasefire (an event of their own track): each renewal sits in its track's package, so
    the de-linking rules select it, and the best roadmap keeps both rules."""
    scenario, result = best
    top = result.candidates[0]
    renewals = {
        "us-helsinki-dialogue@2": ("humanitarian", "humanitarian-not-linked"),
        "by-pow-exchanges@2": ("ukraine-track", "ukraine-track-not-linked-to-normalization"),
        "by-remains-exchanges@2": ("ukraine-track", "ukraine-track-not-linked-to-normalization"),
    }
    rules = {r.id: r for r in scenario.rules}
    for sid, (package, rule) in renewals.items():
        assert scenario.steps[sid].package == package and sid in top.starts
        first, _ = rules[rule].between  # type: ignore[attr-defined]
        assert sid in first.ids
    assert isinstance(scenario.steps["us-helsinki-dialogue"].repeat.until, int)  # type: ignore[union-attr]
    assert top.starts["us-helsinki-dialogue@2"] + 10 == 36  # the second cycle, done week 36
    report = check(scenario, top.starts)
    assert report.is_clean


def test_renewals_never_set_the_finish(best: tuple[Scenario, PlanResult]) -> None:
    """Each chain is renewed two weeks before it would lapse, until a step of its own track
    (the firms' investment a licence enables) or a time within the first year: every
    renewal is done before the last step of the deal (week 55), so the finish still means
    the deal's end. The freeze is renewed twice (weeks 25 and 49) and stays in force from
    the verified pledge (week 12) through week 52, as its continuity rule wants."""
    scenario, result = best
    starts = result.candidates[0].starts
    done = {s: t + scenario.steps[s].done_offset for s, t in starts.items()}
    renewed = [s for s in starts if scenario.steps[s].renews is not None]
    assert len(renewed) == 8
    assert max(done[s] for s in renewed) < max(done.values()) == 55
    assert (done["us-sectoral-freeze@2"], done["us-sectoral-freeze@3"]) == (25, 49)
    freeze = next(r for r in scenario.rules if r.id == "good-faith-freeze-holds")
    assert freeze.kind == "continuity"
    assert all(v.rule != "good-faith-freeze-holds" for v in check(scenario, starts).violations)


def test_a_lapsed_freeze_breaks_its_continuity(best: tuple[Scenario, PlanResult]) -> None:
    """Renewed two weeks late (its second term done in week 29, not 25), the freeze lapses
    in week 27 (its six months from week 1 run out): a gap of 2 weeks while the pledges
    hold."""
    scenario, result = best
    starts = dict(result.candidates[0].starts)
    starts["us-sectoral-freeze@2"] += 4
    starts["us-sectoral-freeze@3"] += 4
    found = [v for v in check(scenario, starts).violations if v.rule == "good-faith-freeze-holds"]
    assert [v.amount for v in found] == [2]


def test_the_ceasefire_is_sampled_by_simulate(best: tuple[Scenario, PlanResult]) -> None:
    """The ceasefire's date is drawn from 13 to 52 weeks (most likely 26). A late one
    holds back the reconstruction role until it is the last step, so the ceasefire is on
    the critical chain of some runs, and not of the others (a date fixed in week 26 is
    always 13 weeks ahead of the finish the firms set)."""
    scenario, result = best
    starts = result.candidates[0].starts
    drawn = risks(scenario, ["ukraine-ceasefire"])["ukraine-ceasefire"].duration
    assert (drawn.low, drawn.mode, drawn.high) == (13, 26, 52)
    sim = simulate(scenario, starts, runs=300, seed=0)
    assert 0 < sim.critical["ukraine-ceasefire"] < 300
    assert len(set(sim.last_done.tolist())) > 10  # the default is uncertain out of the box


def test_simulate_is_meaningful_out_of_the_box(best: tuple[Scenario, PlanResult]) -> None:
    """Issue 21 item 4: the default carries its delay risk (`uncertainty`, and the firms'
    and the ceasefire's own estimates), each spread derived from a guide its header states,
    so every time on the best roadmap is uncertain: a licence takes its week or up to two
    (1 to 2), a delisting 6 to 12 weeks (factors 0.75 to 1.5 of 8), two months of
    monitoring 6 to 13 weeks (0.75 to 1.6 of 8, the JCPOA's 13 the upper bound). Nothing
    starts early and most spreads only lengthen, so the finish planned for week 55 is
    rarely kept: seen with 1,000 runs, seed 0, P50 week 67 and P80 week 73 (3.5% of runs
    done by week 55); pinned here as a range, so that a change of the sampler does not
    break it while a default that lost its spread does."""
    scenario, result = best
    starts = result.candidates[0].starts
    got = risks(scenario, list(starts))
    assert [
        s for s, r in got.items() if scenario.steps[s].duration and not r.duration.uncertain
    ] == []
    assert [
        s for s, r in got.items() if r.verify and r.verify.mode and not r.verify.uncertain
    ] == []
    assert got["us-potash-license"].duration == Triple(1, 1, 2)
    assert got["us-sdn-second-delistings"].duration == Triple(6, 8, 12)
    assert got["by-nonaggression-pledge"].verify == Triple(6, 8, 13)
    assert got["firms-potash-investment"].duration == Triple(13, 26, 52)  # its own estimate
    sim = simulate(scenario, starts, runs=300, seed=0)
    q = quantiles(sim.last_done)
    assert sim.planned_last == 55
    assert 55 < q[50] < q[80] <= 80 and q[80] - q[50] >= 3
    assert 0 < share_by(sim.last_done, 55) < 0.1


# ---- contingencies ------------------------------------------------------------------------


def test_the_contingency_branches_a_negotiator_would_brief(
    best: tuple[Scenario, PlanResult],
) -> None:
    """Three branches, each planned from when its outcome is known with everything before
    held, each keeping every hard rule and passing `check --assume`:

    - the end-use checks fail (known week 28): the parts licence is snapped back with a
      7-week wind-down (done week 35); leasing, the joint ventures and the licence's
      renewal never come;
    - the review of the constructive track fails (known week 37): no investment fund;
    - the ceasefire collapses (known week 26): no reconstruction role, and normalization
      goes on as planned (the finish does not move)."""
    scenario, result = best
    starts = result.candidates[0].starts
    got = contingency(scenario, starts, time_limit=30.0)
    branches = {(b.trigger.step, b.trigger.outcome): b for b in got.branches}
    assert list(branches) == [
        ("by-aviation-end-use-checks", "fails"),
        ("us-constructive-track-review", "fails"),
        ("ukraine-ceasefire", "collapses"),
    ]
    assert [b.trigger.probability for b in got.branches] == pytest.approx([0.15, 0.2, 0.3])
    aviation = branches[("by-aviation-end-use-checks", "fails")]
    assert aviation.known_at == 28 and aviation.added == ("us-aviation-snapback",)
    assert set(aviation.dropped) == {
        "us-aviation-parts-license@2",
        "us-aviation-leasing-license",
        "firms-aviation-joint-ventures",
    }
    (force,) = aviation.force
    assert (force.step, force.branch_end, force.why) == (
        "us-aviation-parts-license",
        35,
        "reimposed",
    )
    assert branches[("us-constructive-track-review", "fails")].dropped == ("us-by-investment-fund",)
    ceasefire = branches[("ukraine-ceasefire", "collapses")]
    assert ceasefire.dropped == ("by-reconstruction-role",)
    assert ceasefire.branch_finish == ceasefire.main_finish == 55
    for (step, outcome), branch in branches.items():
        assert branch.starts is not None and branch.report is not None
        assert branch.report.is_clean
        checked = check_roadmap(scenario, dict(branch.starts), assumptions=[f"{step}={outcome}"])
        assert checked.is_clean, (step, outcome)


# ---- names a principal reads ---------------------------------------------------------------


def test_every_step_and_package_has_a_short_name() -> None:
    """Issue 21 item 2: every step and package of the default carries a `short:` name a
    principal reads in a table or on a chart label: written, at most 32 characters, no two
    alike (packages and steps together, the contingent snapback and the renewals the loader
    derives from them — "Sectoral freeze (renewal 2)" — included)."""
    whole = load_scenario().everything()
    named = {f"package {p.id}": p.short for p in whole.packages}
    named |= {f"step {sid}": step.short for sid, step in whole.steps.items()}
    assert "step us-aviation-snapback" in named and "step us-sectoral-freeze@3" in named
    assert [k for k, name in named.items() if not name] == []
    assert {k: name for k, name in named.items() if len(name) > 32} == {}
    assert len(set(named.values())) == len(named)
    # The names say what the title says, in a few words (two read as the lead's examples).
    assert whole.steps["us-potash-license"].short == "Potash licence"
    assert whole.steps["us-hosts-poland-dialogue"].short == "Polish border talks"
    assert whole.steps["us-sectoral-freeze@2"].short == "Sectoral freeze (renewal 2)"
