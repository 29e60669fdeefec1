"""Roadmap files as `check` reads them: YAML or JSON steps with start times, CSV with a
`step,start` header, or a `sequence` of step ids; derived fields (end, done, actor, ...)
checked for consistency, never trusted; bad files refused with exit 2 and one
`file:line:col: message` line per problem, every problem at once, no traceback.

The scenario is tests/data/roadmaps/ (its packages.yaml explains the done offsets); bad
roadmaps are files under tests/data/roadmaps/bad/, each named after its defect.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.api import load_scenario
from planner.cli import app
from planner.roadmap.read import load_roadmap
from planner.roadmap.sequence import starts_from_sequence
from planner.scenario import Scenario
from tests.helpers import Maker, is_clean, rule, step

DATA = Path(__file__).parent / "data" / "roadmaps"

#: The good roadmap. Why these times are the earliest that keep every rule:
#: by-pledge and us-pledge open in week 0; us-freeze waits for the security gate
#: (us-pledge done in week 1); us-relief waits for by-pledge done (week 3) + lag 1 = 4;
#: by-step2 has no condition (4, after us-relief in the sequence); us-invest waits for its
#: counter-step by-step2 (done in week 5) and for us-freeze done (2) + lag 2 = 4: week 5.
GOOD = {
    "by-pledge": 0,
    "us-pledge": 0,
    "us-freeze": 1,
    "us-relief": 4,
    "by-step2": 4,
    "us-invest": 5,
}


@pytest.fixture
def scenario() -> Scenario:
    return load_scenario(DATA / "packages.yaml", DATA / "constraints")


def cli_check(*args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `planner check` on the test scenario, run from DATA
    so that file names in messages are short and relative."""
    with contextlib.chdir(DATA):
        result = CliRunner().invoke(
            app, ["check", *args, "--packages", "packages.yaml", "--constraints", "constraints"]
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "name", ["steps.yaml", "steps.json", "steps.csv", "derived.csv", "derived.yaml"]
)
def test_every_format_gives_the_same_starts(scenario: Scenario, name: str) -> None:
    """YAML, JSON and CSV say the same thing; consistent derived columns are accepted."""
    written = load_roadmap(DATA / "good" / name, scenario)
    assert written.sequence is None
    assert written.starts == GOOD


@pytest.mark.parametrize("name", ["steps.yaml", "steps.json", "steps.csv", "derived.yaml"])
def test_a_good_roadmap_is_clean(name: str) -> None:
    """The GOOD times keep every rule of the test scenario: exit 0, nothing on stderr."""
    code, out, err = cli_check(f"good/{name}")
    assert (code, err) == (0, "")
    assert "Verdict: the roadmap keeps every hard rule." in out


@pytest.mark.parametrize("name", ["sequence.yaml", "sequence.json"])
def test_sequence_is_read_as_an_ordered_list(scenario: Scenario, name: str) -> None:
    """A sequence is kept as written; its times are computed later."""
    written = load_roadmap(DATA / "good" / name, scenario)
    assert written.starts is None
    assert written.sequence == (
        "by-pledge",
        "us-pledge",
        "us-freeze",
        "us-relief",
        "by-step2",
        "us-invest",
    )


def test_sequence_starts_each_step_as_early_as_allowed(scenario: Scenario) -> None:
    """The times GOOD explains: after (with lag), gate, reciprocity, precedence (with lag),
    and never before the step listed before."""
    order = ["by-pledge", "us-pledge", "us-freeze", "us-relief", "by-step2", "us-invest"]
    assert starts_from_sequence(scenario, order) == GOOD


def test_sequence_never_starts_before_the_previous_step(scenario: Scenario) -> None:
    """us-pledge has no condition, but it is listed after us-relief (week 4): week 4."""
    assert starts_from_sequence(scenario, ["by-pledge", "us-relief", "us-pledge"]) == {
        "by-pledge": 0,
        "us-relief": 4,
        "us-pledge": 4,
    }


def test_sequence_does_not_wait_for_steps_listed_later(scenario: Scenario) -> None:
    """us-freeze is listed before the gate step us-pledge: it starts in week 0, and check
    reports the gate (exit 1), with a note that times come from the sequence."""
    assert starts_from_sequence(scenario, ["us-freeze", "us-pledge"]) == {
        "us-freeze": 0,
        "us-pledge": 0,
    }


def test_sequence_through_the_cli(tmp_path: Path) -> None:
    """The sequence in the GOOD order is clean; listed backwards, the gate is broken."""
    code, out, _ = cli_check(str(DATA / "good" / "sequence.yaml"))
    assert code == 0
    assert "Note: times come from the sequence" in out
    bad = tmp_path / "backwards.yaml"
    bad.write_text("roadmap:\n  sequence: [us-freeze, us-pledge]\n", encoding="utf-8")
    code, out, _ = cli_check(str(bad))
    assert code == 1
    assert "[gate] security-gate" in out
    assert "us-freeze starts in week 0, but us-pledge is done only in week 1" in out


def test_sequence_waits_for_a_counter_step(scenario: Scenario) -> None:
    """by-step2 is done in week 1, so us-invest starts in week 1. The precedence on
    us-freeze, which the sequence leaves out, is not waited for (check reports it)."""
    assert starts_from_sequence(scenario, ["by-step2", "us-invest"]) == {
        "by-step2": 0,
        "us-invest": 1,
    }


@pytest.mark.parametrize(("pairing", "g2"), [("distinct", 3), ("shared", 1)])
def test_sequence_uses_each_distinct_counter_step_once(make: Maker, pairing: str, g2: int) -> None:
    """c1 is done in week 1, c2 in week 3. g1 takes c1 and starts in week 1. Distinct: g2
    must wait for c2 (week 3); shared: c1 answers g2 too, which starts with g1."""
    s = make(
        [step("c1", 1, actor="BY"), step("c2", 3, actor="BY"), step("g1", 1), step("g2", 1)],
        [rule("reciprocity", "r", give=["g1", "g2"], get=["c1", "c2"], pairing=pairing)],
    )
    starts = starts_from_sequence(s, ["c1", "c2", "g1", "g2"])
    assert starts == {"c1": 0, "c2": 0, "g1": 1, "g2": g2}
    assert is_clean(s, starts)


BAD = {
    "unknown-step.yaml": [
        "bad/unknown-step.yaml:4:14: roadmap: unknown step 'us-releif' (did you mean 'us-relief'?)"
    ],
    "duplicate-step.yaml": [
        "bad/duplicate-step.yaml:4:14: roadmap: step 'by-pledge' is listed twice (first at line 3)"
    ],
    "negative-start.yaml": [
        "bad/negative-start.yaml:3:32: step 'by-pledge': 'start' must be ≥ 0, not -1"
    ],
    "fractional-start.yaml": [
        "bad/fractional-start.yaml:3:32: step 'by-pledge': 'start' must be a whole number, not 1.5"
    ],
    "fractional-start.csv": [
        "bad/fractional-start.csv:2:11: step 'by-pledge': 'start' must be a whole number, not 1.5"
    ],
    "missing-start-column.csv": [
        "bad/missing-start-column.csv:1:1: CSV header must name the columns 'step' and 'start'",
        "bad/missing-start-column.csv:1:6: unknown CSV column 'strat' (did you mean 'start'?)",
    ],
    "sequence-unknown-step.yaml": [
        "bad/sequence-unknown-step.yaml:2:25: roadmap: unknown step 'us-pledg' (did you "
        "mean 'us-pledge'?)"
    ],
    "sequence-duplicate-step.yaml": [
        "bad/sequence-duplicate-step.yaml:2:36: roadmap: step 'by-pledge' is listed twice "
        "(first at line 2)"
    ],
    "csv-repeated-column.csv": [
        # A repeated column would let the last one win unseen.
        "bad/csv-repeated-column.csv:1:12: CSV column 'start' is repeated (first at column 6)"
    ],
    "csv-not-ascii-digits.csv": [
        # Python's int() reads '٣' as 3 and '1_000' as 1000; a roadmap is written in 0-9.
        "bad/csv-not-ascii-digits.csv:2:11: step 'by-pledge': 'start' must be a whole "
        "number ≥ 0, not '٣'",
        "bad/csv-not-ascii-digits.csv:3:11: step 'us-pledge': 'start' must be a whole "
        "number ≥ 0, not '1_000'",
    ],
    "json-fraction-exponent.json": [
        # JSON numbers with an exponent are numbers (1E1 is week 10), and 1e-3 is not whole.
        "bad/json-fraction-exponent.json:2:34: step 'by-pledge': 'start' must be a whole "
        "number, not 0.001"
    ],
    "control-character.yaml": [
        "bad/control-character.yaml:3:44: YAML error: unacceptable character #x0001: "
        "control characters are not allowed (remove it)"
    ],
    "many-problems.yaml": [
        "bad/many-problems.yaml:3:32: step 'by-pledge': 'start' must be ≥ 0, not -1",
        "bad/many-problems.yaml:4:14: roadmap: unknown step 'us-releif' (did you mean "
        "'us-relief'?)",
        "bad/many-problems.yaml:5:14: roadmap: step 'by-pledge' is listed twice (first at line 3)",
        "bad/many-problems.yaml:6:32: step 'us-pledge': 'start' must be a whole number, not 0.5",
    ],
}

#: Syntax errors: the position is the parser's; the test checks the shape.
MALFORMED = {
    "malformed.yaml": r"bad/malformed\.yaml:\d+:\d+: YAML syntax error: .+",
    "malformed.json": r"bad/malformed\.json:1:\d+: YAML syntax error: .+",
}


#: Roadmaps a person edited by moving `start` alone: the derived fields are recomputed,
#: one note on stderr for each that disagrees (not an error), and the exit code is the rules'.
EDITED = {
    "inconsistent-done.yaml": (
        0,
        # by-pledge: 2 weeks + 1 week of verification: done in week 3, not 2.
        ["edited/inconsistent-done.yaml:5:41: note: step 'by-pledge': 'done' is 2, but the "
         "scenario gives 3: recomputed"],
    ),
    "inconsistent-end.csv": (
        0,
        # us-relief lasts 2 weeks: started in week 4 it ends in week 6, not 5.
        ["edited/inconsistent-end.csv:5:13: note: step 'us-relief': 'end' is 5, but the "
         "scenario gives 6: recomputed"],
    ),
    "moved-in-a-plan-file.yaml": (
        # us-relief moved from week 4 to 3: before by-pledge's done (3) + lag 1.
        1,
        [
            "edited/moved-in-a-plan-file.yaml:9:42: note: step 'us-relief': 'end' is 6, but "
            "the scenario gives 5: recomputed",
            "edited/moved-in-a-plan-file.yaml:9:51: note: step 'us-relief': 'done' is 6, but "
            "the scenario gives 5: recomputed",
            "edited/moved-in-a-plan-file.yaml:9:109: note: step 'us-relief': 'title' is "
            "'Relief', but the scenario gives 'us-relief': recomputed",
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EDITED))
def test_an_edited_roadmap_is_recomputed_with_a_note(name: str) -> None:
    code, out, err = cli_check(f"edited/{name}")
    assert (code, err.splitlines()) == EDITED[name]
    if code == 1:
        assert "us-relief starts in week 3, but must wait 1 week after by-pledge" in out


def test_every_edited_file_is_tested() -> None:
    assert sorted(p.name for p in (DATA / "edited").iterdir()) == sorted(EDITED)


def test_every_bad_file_is_tested() -> None:
    """Every defect file in bad/ has its expected lines here, and vice versa."""
    assert sorted(p.name for p in (DATA / "bad").iterdir()) == sorted([*BAD, *MALFORMED])


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_roadmap(name: str) -> None:
    """Exit 2, nothing on stdout, exactly the expected `file:line:col: message` lines."""
    code, out, err = cli_check(f"bad/{name}")
    assert code == 2
    assert out == ""
    assert err.splitlines() == BAD[name]
    assert "Traceback" not in err


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_roadmap(name: str) -> None:
    """A syntax error is one located line, not a traceback."""
    code, out, err = cli_check(f"bad/{name}")
    assert code == 2
    assert out == ""
    [line] = err.splitlines()
    assert re.fullmatch(MALFORMED[name], line), line


def test_missing_roadmap_file() -> None:
    """A missing file is bad input, named without a position."""
    code, _, err = cli_check("bad/no-such-file.yaml")
    assert code == 2
    assert err.splitlines() == ["bad/no-such-file.yaml: no such file"]
