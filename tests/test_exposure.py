"""Irreversible exposure: value a party gave that cannot be taken back, beyond the other
side's verified steps, per party and over time; in `check` and `timeline`.

Unmarked steps are reversible (they never count), so a scenario that marks nothing reports
nothing and its reports are unchanged.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from jsonschema import Draft202012Validator

from planner.whatif.exposure import curves, is_marked
from tests.helpers import Maker, cli, step

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "check-report.schema.json").read_text(encoding="utf-8"))

# The U.S. delists (irreversible, 3) and licenses (reversible, 2); Belarus pledges (2,
# verified in 2 weeks after 2 weeks of work) and halts (3, verified in 1, after 1 week).
DEAL = [
    step("us-delist", value=3, reversible=False),
    step("us-license", value=2, reversible=True),
    step("us-invest", value=4, kind="investment", reversible=False),
    step("by-pledge", 2, actor="BY", kind="commitment", value=2, verify=2),
    step("by-halt", 1, actor="BY", kind="commitment", value=3, verify=1),
]


def test_exposure_counts_irreversible_gives_against_verified_counter_steps(make: Maker) -> None:
    # Delisting in week 1: 3 exposed. The pledge is verified in week 4: 3 - 2 = 1. The
    # investment in week 6: 1 + 4 = 5. The halt, started in week 8, is verified in week
    # 10: 5 - 3 = 2. The licence never counts (it can lapse); Belarus gave nothing
    # irreversible, so it has no curve.
    scenario = make(DEAL)
    (us,) = curves(scenario, {"us-delist": 1, "us-license": 0, "us-invest": 6,
                              "by-pledge": 0, "by-halt": 8})  # fmt: skip
    assert us.actor == "US"
    assert us.points == ((1, 3), (4, 1), (6, 5), (10, 2))
    assert (us.peak, us.peak_at, us.peak_until) == (5, 6, 10)
    assert us.steps == ("us-delist", "us-invest")


def test_verified_steps_before_the_give_cover_it_and_the_same_week_nets_out(make: Maker) -> None:
    # The pledge is verified in week 4 and the halt in week 6; the delisting in week 4
    # nets out against the pledge that week (3 - 2 = 1), and the halt covers the rest.
    scenario = make(DEAL)
    (us,) = curves(scenario, {"us-delist": 4, "by-pledge": 0, "by-halt": 4})
    assert us.points == ((4, 1), (6, 0))
    assert (us.peak, us.peak_at, us.peak_until) == (1, 4, 6)


def test_unmarked_steps_are_reversible(make: Maker) -> None:
    scenario = make([step("us-delist", value=3), step("by-pledge", actor="BY", value=2, verify=1)])
    assert not is_marked(scenario)
    assert curves(scenario, {"us-delist": 0, "by-pledge": 0}) == ()


def test_check_and_timeline_report_it(tmp_path: Path) -> None:
    packages, constraints = Maker(tmp_path).paths(DEAL)
    roadmap = tmp_path / "r.yaml"
    times = {"us-delist": 1, "us-license": 0, "us-invest": 6, "by-pledge": 0, "by-halt": 8}
    roadmap.write_text(
        "roadmap:\n  steps:\n"
        + "".join(f"    - {{step: {s}, start: {t}}}\n" for s, t in times.items())
    )
    where = ["--packages", str(packages), "--constraints", str(constraints)]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, str(roadmap), *where)

    expected = [
        "Irreversible exposure (value given that cannot be taken back, beyond the other "
        "side's verified steps):",
        "  US: peak 5 in weeks 6–9",
        "    week 1: 3 · week 4: 1 · week 6: 5 · week 10: 2",
        "    irreversible steps: us-delist and us-invest",
    ]
    text = run("check").stdout
    assert "\n".join(expected) in text
    assert text.index(expected[0]) < text.index("Verdict:")
    assert "\n".join(expected) in run("timeline").stdout
    report = json.loads(run("check", "--format", "json").stdout)
    Draft202012Validator(SCHEMA).validate(report)
    assert report["irreversible"] == [
        {"actor": "US", "peak": 5, "peak_at": 6, "peak_until": 10,
         "curve": [[1, 3], [4, 1], [6, 5], [10, 2]], "steps": ["us-delist", "us-invest"]}
    ]  # fmt: skip
