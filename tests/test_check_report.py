"""The check report: JSON that validates against docs/check-report.schema.json, text
grouped by rule (most severe first), penalties, summary and verdict; exit codes 0 clean,
1 violations, 2 bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from planner.check import check
from planner.cli import app
from planner.render.report import report_json, report_text
from planner.rules import KINDS
from planner.scenario import Scenario
from tests.helpers import Maker, rule, step

SCHEMA_PATH = Path(__file__).parent.parent / "docs" / "check-report.schema.json"
EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def small(make: Maker) -> Scenario:
    """A red line x; b needs a (done in week 2); w has a soft window closing in week 2."""
    return make(
        [
            step("x", 1, actor="BY"),
            step("a", 2),
            step("b", 1, after=["a"], source="Relief follows the pledge."),
            step("w", 1),
        ],
        [
            rule("forbid", "no-x", steps=["x"]),
            rule("window", "w-window", steps=["w"], latest=2, soft=True, weight=3),
        ],
    )


# ---- JSON ----------------------------------------------------------------------------


def test_json_report_of_violations_and_penalties(make: Maker, validator: Any) -> None:
    """x scheduled (red line), b 1 week early, w 3 weeks late at weight 3 (penalty 9)."""
    s = small(make)
    doc = json.loads(report_json(check(s, {"x": 0, "a": 0, "b": 1, "w": 5}), s))
    validator.validate(doc)
    assert doc["schema"] == "relief-planner/check-report/1"
    assert (doc["scenario"], doc["unit"], doc["clean"]) == ("test scenario", "week", False)
    assert doc["violations"] == [
        {
            "rule": "no-x",
            "kind": "forbid",
            "severity": 0,
            "message": "red line: x is scheduled in week 0",
            "repair": "remove x from the roadmap",
            "steps": ["x"],
            "times": {"x": 0},
            "amount": 1,
            "source": "Source sentence of no-x.",
        },
        {
            "rule": "after:b",
            "kind": "precondition",
            "severity": 1,
            "message": "b starts in week 1, but a is done only in week 2: 1 week too early",
            "repair": "start b in week 2 or later, or have a done earlier",
            "steps": ["b", "a"],
            "times": {"b": 1, "a": 0},
            "amount": 1,
            "source": "Relief follows the pledge.",
        },
    ]
    [p] = doc["penalties"]
    assert (p["rule"], p["amount"], p["weight"], p["penalty"]) == ("w-window", 3, 3, 9)
    assert doc["summary"] == {
        "num_violations": 2,
        "num_rules_violated": 2,
        "total_penalty": 9,
        "num_scheduled": 4,
        "last_time": 6,  # w: start 5 + 1
        "peak_exposure": None,  # no balance rule
        "left_out": [],
        "forbidden": ["x"],
    }
    assert doc["notes"] == []


def test_json_report_of_a_clean_roadmap(make: Maker, validator: Any) -> None:
    """A partial roadmap of a alone: nothing is broken, b and w are left out."""
    s = small(make)
    doc = json.loads(report_json(check(s, {"a": 0}, partial=True), s))
    validator.validate(doc)
    assert doc["clean"] is True
    assert doc["violations"] == doc["penalties"] == []
    assert doc["summary"]["left_out"] == ["b", "w"]  # x is a red line, not left out


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_json_reports_of_the_examples_validate(validator: Any, example: str) -> None:
    """The default scenario's examples through the CLI: every rule kind's output fits."""
    result = CliRunner().invoke(app, ["check", str(EXAMPLES / example), "--format", "json"])
    assert result.exit_code in (0, 1)
    doc = json.loads(result.stdout)
    validator.validate(doc)
    assert doc["clean"] is (result.exit_code == 0)
    assert doc["summary"]["num_violations"] == len(doc["violations"])
    assert doc["summary"]["total_penalty"] == sum(p["penalty"] for p in doc["penalties"])
    for v in doc["violations"] + doc["penalties"]:
        assert set(v["times"]) <= set(v["steps"])
    for p in doc["penalties"]:
        assert p["penalty"] == p["weight"] * p["amount"]


def test_json_sequence_note(tmp_path: Path, validator: Any) -> None:
    """A sequence's report says where its times come from."""
    roadmap = tmp_path / "seq.yaml"
    roadmap.write_text("roadmap:\n  sequence: [by-nonaggression-pledge]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(roadmap), "--format", "json"])
    doc = json.loads(result.stdout)
    validator.validate(doc)
    [note] = doc["notes"]
    assert note.startswith("times come from the sequence")


def test_the_schema_rejects_what_the_report_never_writes(validator: Any) -> None:
    """A penalty without its weight, or a violation carrying one, does not validate."""
    finding = {
        "rule": "r",
        "kind": "window",
        "severity": 3,
        "message": "m",
        "repair": "r",
        "steps": ["s"],
        "times": {"s": 1},
        "amount": 1,
        "source": "",
    }
    summary = {
        "num_violations": 0,
        "num_rules_violated": 0,
        "total_penalty": 0,
        "num_scheduled": 0,
        "last_time": 0,
        "peak_exposure": None,
        "left_out": [],
        "forbidden": [],
    }
    base = {"schema": "relief-planner/check-report/1", "scenario": "s", "unit": "week",
            "clean": True, "violations": [], "penalties": [], "summary": summary,
            "notes": [], "overview": None, "recomputed": []}  # fmt: skip
    validator.validate(base)
    assert not validator.is_valid({**base, "penalties": [finding]})
    assert not validator.is_valid({**base, "violations": [{**finding, "weight": 2}]})
    assert not validator.is_valid({**base, "violations": [{**finding, "amount": 0}]})
    assert not validator.is_valid({**base, "extra": 1})


def test_every_schema_field_is_described() -> None:
    """The schema documents every field it names."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(schema, "$")
    assert missing == []


def test_the_schema_knows_every_rule_kind() -> None:
    """A new rule kind must be added to the schema's `kind` enum, or its reports fail;
    so must the checks that come from the steps themselves (after, required, fixed, the
    branch a step belongs to)."""
    from planner.rules import branch, coverage, fixed
    from planner.rules.base import PRECONDITION_KIND

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    kinds = schema["$defs"]["finding"]["properties"]["kind"]["enum"]
    from_steps = [PRECONDITION_KIND, coverage.KIND, fixed.KIND, branch.KIND]
    assert sorted(kinds) == sorted([*from_steps, *KINDS])


# ---- text ----------------------------------------------------------------------------


def test_text_report_exactly(make: Maker) -> None:
    """The whole report for the small case: header, the red line first (severity 0), then
    the precondition, then penalties, summary and verdict."""
    s = small(make)
    text = report_text(check(s, {"x": 0, "a": 0, "b": 1, "w": 5}), s)
    assert text == "\n".join(
        [
            "2 violations of 2 hard rules",
            "",
            "[forbid] no-x",
            '  source: "Source sentence of no-x."',
            "  - red line: x is scheduled in week 0",
            "    repair: remove x from the roadmap",
            "",
            "[precondition] after:b",
            '  source: "Relief follows the pledge."',
            "  - b starts in week 1, but a is done only in week 2: 1 week too early",
            "    repair: start b in week 2 or later, or have a done earlier",
            "",
            "Soft-rule penalties (total 9):",
            "  [window] w-window: weight 3 × 3 = 9",
            "    - w starts in week 5, after the window closes in week 2: 3 weeks too late",
            "",
            "Summary:",
            "  steps scheduled: 4",
            "  last step done: week 6",
            "  red-line steps (must never be scheduled): 1",
            "  steps left out: none",
            "",
            "Verdict: 2 hard violations.",
        ]
    )


def test_text_groups_most_severe_first(make: Maker) -> None:
    """Rules of severity 1 to 4 (gate, reciprocity, window, capacity), and two windows of
    the same severity: the larger total amount (2 + 3) before the smaller (1). Each group's
    header appears once, with its violations under it."""
    s = make(
        [
            step("g", 1, kind="commitment"),
            step("a", 3, kind="dialogue"),
            step("b", 3, kind="dialogue"),
            step("c", 1, actor="BY"),
        ],
        [
            rule("capacity", "cap", steps={"kind": "dialogue"}, max=1),
            rule("window", "w-small", steps=["a"], latest=0),
            rule("window", "w-large", steps=["b", "c"], latest=0),
            rule("reciprocity", "recip", give=["a"], get=["c"]),
            rule("gate", "gate", when=["g"], opens=["a", "b"]),
        ],
    )
    # g is done in week 2, a starts in week 1 (gate); a runs in weeks 1..3 and b in 2..4
    # (capacity); a, b, c are 1, 2, 3 weeks late (windows); c is done in week 4, after a
    # starts (reciprocity).
    text = report_text(check(s, {"g": 1, "a": 1, "b": 2, "c": 3}), s)
    headers = [line for line in text.splitlines() if line.startswith("[")]
    assert headers == [
        "[gate] gate",
        "[reciprocity] recip",
        "[window] w-large",
        "[window] w-small",
        "[capacity] cap",
    ]
    assert text.splitlines()[0] == "6 violations of 5 hard rules"
    assert (
        text.index("[window] w-large")
        < text.index("b starts in week 2")
        < text.index("c starts in week 3")
        < text.index("[window] w-small")
    )


def test_text_of_a_clean_roadmap(make: Maker) -> None:
    """A clean partial roadmap: no groups, no penalties section, the steps left out, a
    clean verdict."""
    s = small(make)
    lines = report_text(check(s, {"a": 0}, partial=True), s).splitlines()
    assert lines[0] == "No hard rule is violated."
    assert "  steps left out: b, w" in lines
    assert lines[-1] == "Verdict: the roadmap keeps every hard rule."
    assert not any(line.startswith("Soft-rule penalties") for line in lines)


# ---- exit codes ----------------------------------------------------------------------


def cli(paths: tuple[Path, Path], roadmap: Path, *more: str) -> int:
    packages, constraints = paths
    args = ["check", str(roadmap), "--packages", str(packages), "--constraints", str(constraints)]
    return CliRunner().invoke(app, [*args, *more]).exit_code


def test_exit_codes(make: Maker, tmp_path: Path) -> None:
    """0 clean (penalties allowed), 1 hard violations (a required step left out is one,
    unless --partial), 2 bad input."""
    paths = make.paths(
        [step("a", 2), step("b", 1, after=["a"]), step("w", 1)],
        [rule("window", "w-window", steps=["w"], latest=0, soft=True)],
    )
    roadmap = tmp_path / "r.yaml"
    entries = "roadmap:\n  steps:\n    - {step: a, start: 0}\n    - {step: b, start: %d}\n"
    roadmap.write_text(entries % 2 + "    - {step: w, start: 0}\n")
    assert cli(paths, roadmap) == 0
    roadmap.write_text(entries % 2 + "    - {step: w, start: 3}\n")
    assert cli(paths, roadmap) == 0  # a penalty only
    roadmap.write_text(entries % 1 + "    - {step: w, start: 0}\n")
    assert cli(paths, roadmap) == 1
    roadmap.write_text(entries % 2)
    assert cli(paths, roadmap) == 1  # w is required
    assert cli(paths, roadmap, "--partial") == 0
    roadmap.write_text("roadmap:\n  steps:\n    - {step: nope, start: 0}\n")
    assert cli(paths, roadmap) == 2
    bad_rules = paths[1] / "rules.yaml"
    bad_rules.write_text("rules:\n  - {id: r, kind: sequence, source: s}\n")
    assert cli(paths, roadmap) == 2
