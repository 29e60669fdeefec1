"""Contingencies (`planner contingency`, `check --assume`): each branch of a roadmap,
planned from its trigger on with everything before held; a branch's roadmap passes
`check --assume` of that branch.

The scenario: Belarus pledges not to resell aircraft (2 weeks, then a 4-week end-use check
that fails with probability 0.15); the U.S. licenses aviation (1 week, lasting 26 weeks,
renewed every 26 until week 80); if the check fails, a 6-week snapback reimposes the
licence; spare parts follow the licence only if the check passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.api import check_roadmap, contingency, load_scenario, plan
from planner.errors import InputError
from planner.render.results import contingency_output
from tests.helpers import cli

PACKAGES = """\
scenario: {name: Aviation snapback, unit: week, start: 2027-01-04}
actors: {US: United States, BY: Belarus}
packages:
  - id: aviation
    steps:
      - id: by-no-resale
        actor: BY
        kind: commitment
        duration: 2
        value: 4
        verify: {by: US Commerce, duration: 4, fails: 0.15}
      - id: us-aviation-licence
        actor: US
        kind: relief
        duration: 1
        value: 5
        lasts: 26
        repeat: {every: 26, until: 80}
        after: [by-no-resale]
      - id: us-aviation-snapback
        actor: US
        kind: relief
        duration: 6
        reimposes: us-aviation-licence
        if: {step: by-no-resale, outcome: fails}
      - id: us-spare-parts
        actor: US
        kind: relief
        duration: 1
        value: 2
        after: [us-aviation-licence]
        if: {step: by-no-resale, outcome: passes}
"""


@pytest.fixture
def deal(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "deal" / "constraints").mkdir(parents=True)
    (tmp_path / "deal" / "packages.yaml").write_text(PACKAGES)
    (tmp_path / "deal" / "constraints" / "rules.yaml").write_text("rules: []\n")
    return tmp_path / "deal" / "packages.yaml", tmp_path / "deal" / "constraints"


def main_roadmap(deal: tuple[Path, Path]) -> dict[str, int]:
    scenario = load_scenario(*deal)
    result = plan(scenario, ("penalty", "makespan"), time_limit=10)
    return dict(result.candidates[0].starts)


def test_the_main_roadmap_has_no_snapback(deal: tuple[Path, Path]) -> None:
    """Pledge 0-2, verified week 6; licence 6-7; parts 7-8; renewals done in 33 and 59
    (26 after the one before); the snapback only in the failure branch."""
    starts = main_roadmap(deal)
    assert starts == {
        "by-no-resale": 0,
        "us-aviation-licence": 6,
        "us-spare-parts": 7,
        "us-aviation-licence@2": 32,
        "us-aviation-licence@3": 58,
    }


def test_the_failure_branch_snaps_back_and_drops_the_renewals(deal: tuple[Path, Path]) -> None:
    """Known in week 6 (the check ends): only the pledge started before it is held. The
    licence (waiting for the pledge) still starts in week 6, the snapback follows it
    (week 7, a reimposition waits for what it takes back) and ends its force in week 13;
    the renewals and the spare parts (only if the check passes) are left out."""
    scenario = load_scenario(*deal)
    starts = main_roadmap(deal)
    result = contingency(scenario, starts, time_limit=10)
    (branch,) = result.branches
    assert (branch.trigger.step, branch.trigger.outcome) == ("by-no-resale", "fails")
    assert branch.trigger.probability == pytest.approx(0.15)
    assert branch.known_at == 6
    assert branch.held == ("by-no-resale",)
    assert branch.added == ("us-aviation-snapback",)
    assert set(branch.dropped) == {
        "us-aviation-licence@2",
        "us-aviation-licence@3",
        "us-spare-parts",
    }
    assert branch.starts is not None and branch.starts["us-aviation-snapback"] == 7
    (force,) = branch.force
    assert (force.step, force.branch_end, force.why, force.by) == (
        "us-aviation-licence",
        13,
        "reimposed",
        "us-aviation-snapback",
    )
    assert force.main_end == 59 + 26  # the last renewal's term
    assert branch.report is not None and branch.report.is_clean
    text = contingency_output(result)
    assert "1. If by-no-resale fails its verification (chance 15%), known in week 6" in text
    assert "reimposed by us-aviation-snapback" in text


def test_a_branch_roadmap_passes_check_assume_and_fails_the_main_check(
    deal: tuple[Path, Path], tmp_path: Path
) -> None:
    scenario = load_scenario(*deal)
    (branch,) = contingency(scenario, main_roadmap(deal), time_limit=10).branches
    assert branch.starts is not None
    path = tmp_path / "branch.yaml"
    steps = [{"step": s, "start": t} for s, t in branch.starts.items()]
    path.write_text(yaml.safe_dump({"roadmap": {"steps": steps}}))
    assert check_roadmap(scenario, path, assumptions=["by-no-resale=fails"]).is_clean
    main = check_roadmap(scenario, path)
    assert {v.kind for v in main.report.violations} == {"branch", "coverage"}


def test_the_main_roadmap_under_the_failure_assumption(deal: tuple[Path, Path]) -> None:
    """Checked where the check fails, the main roadmap schedules the spare parts (a branch
    violation) and lacks the snapback (coverage); its renewals are no longer required
    only once a snapback is scheduled."""
    scenario = load_scenario(*deal)
    checked = check_roadmap(scenario, main_roadmap(deal), assumptions=["by-no-resale=fails"])
    kinds = sorted((v.kind, v.steps) for v in checked.report.violations)
    assert kinds == [("branch", ("us-spare-parts",)), ("coverage", ("us-aviation-snapback",))]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("by-no-resale", "--assume: 'by-no-resale': write ID=OUTCOME (e.g. by-pledge=fails)"),
        (
            "by-no-resal=fails",
            "--assume: unknown step 'by-no-resal' (did you mean 'by-no-resale'?)",
        ),
        (
            "by-no-resale=fial",
            "--assume: 'by-no-resale' cannot turn out 'fial' (did you mean 'fails'?); its "
            "outcomes are passes, fails",
        ),
        (
            "us-spare-parts=fails",
            "--assume: 'us-spare-parts' has no outcomes: it is no event, and has no verification",
        ),
    ],
)
def test_a_bad_assumption_is_one_line(deal: tuple[Path, Path], given: str, expected: str) -> None:
    scenario = load_scenario(*deal)
    with pytest.raises(InputError) as info:
        check_roadmap(scenario, main_roadmap(deal), assumptions=[given])
    assert [str(p) for p in info.value.problems] == [expected]


def test_the_commands(deal: tuple[Path, Path], tmp_path: Path) -> None:
    packages, constraints = deal
    out = tmp_path / "r.yaml"
    where = ["--packages", str(packages), "--constraints", str(constraints)]
    assert cli("plan", *where, "-o", str(out)).returncode == 0
    shown = cli("contingency", str(out), *where)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"Contingencies of {out} (Aviation snapback): 1 branch\n")
    data = cli("contingency", str(out), *where, "--format", "json")
    assert '"outcome": "fails"' in data.stdout
    bad = cli("check", str(out), *where, "--assume", "nope=x")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == "--assume: unknown step 'nope'\n"
    assert cli("check", str(out), *where, "--assume", "by-no-resale=fails").returncode == 1


DRAWN = """\
scenario: {{name: Drawn snapback, unit: week, start: 2027-01-04}}
actors: {{US: United States, BY: Belarus}}
packages:
  - id: deal
    steps:
      - id: by-pledge
        actor: BY
        kind: commitment
        duration: {pledge}
        value: 4
        verify: {{by: Monitors, duration: {verify}, fails: 0.2}}
      - id: review
        actor: US
        kind: event
        duration: {review}
        outcomes: {{renewed: 0.7, revoked: 0.3}}
      - id: us-licence
        actor: US
        kind: relief
        duration: 1
        value: 5
        lasts: {lasts}
        repeat: {{every: {every}, until: {until}}}
        after: [by-pledge]
      - id: us-snapback
        actor: US
        kind: relief
        duration: {wind_down}
        reimposes: us-licence
        if: {{step: by-pledge, outcome: fails}}
      - id: us-revocation
        actor: US
        kind: relief
        duration: 1
        reimposes: us-licence
        if: {{step: review, outcome: revoked}}
        after: [review]
      - id: us-follow-on
        actor: US
        kind: relief
        duration: 2
        value: 2
        after: [us-licence]
        if: {{step: review, outcome: renewed}}
"""


@settings(max_examples=6, deadline=None, derandomize=True)
@given(
    pledge=st.integers(1, 4),
    verify=st.integers(1, 5),
    review=st.integers(1, 6),
    lasts=st.integers(4, 20),
    slack=st.integers(0, 3),
    terms=st.integers(1, 3),
    wind_down=st.integers(1, 8),
)
def test_every_branch_contingency_plans_is_what_check_assume_says(
    tmp_path_factory: pytest.TempPathFactory,
    pledge: int,
    verify: int,
    review: int,
    lasts: int,
    slack: int,
    terms: int,
    wind_down: int,
) -> None:
    """On drawn deals (a verified pledge that may fail, a review event with two outcomes, a
    renewed licence, two ways to reimpose it, a follow-on on one outcome): every branch
    `contingency` plans is judged by `check --assume` of its trigger as `contingency`
    reports it — the same rules broken, none when it says none."""
    every = max(1, lasts - slack)
    folder = tmp_path_factory.mktemp("drawn")
    (folder / "constraints").mkdir()
    (folder / "packages.yaml").write_text(
        DRAWN.format(
            pledge=pledge,
            verify=verify,
            review=review,
            lasts=lasts,
            every=every,
            until=every * terms + 10,
            wind_down=wind_down,
        )
    )
    (folder / "constraints" / "rules.yaml").write_text("rules: []\n")
    scenario = load_scenario(folder / "packages.yaml", folder / "constraints")
    result = plan(scenario, ("penalty", "makespan"), time_limit=5)
    starts = dict(result.candidates[0].starts)
    branches = contingency(scenario, starts, time_limit=5).branches
    assert {(b.trigger.step, b.trigger.outcome) for b in branches} >= {
        ("by-pledge", "fails"),
        ("review", "revoked"),
    }
    for branch in branches:
        if branch.starts is None or branch.report is None:
            continue
        assumed = f"{branch.trigger.step}={branch.trigger.outcome}"
        checked = check_roadmap(scenario, dict(branch.starts), assumptions=[assumed])
        said = {v.rule for v in branch.report.violations if not v.soft}
        got = {v.rule for v in checked.report.violations if not v.soft}
        assert got == said, assumed
