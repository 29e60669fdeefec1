"""The JSON Schemas of the three file kinds (`planner.authoring.schema`): generated from the field
declarations, valid draft 2020-12, a description on every field; the default files and
every example validate; known-bad files are refused; and a schema never refuses a file
the loader accepts (a property over mutated valid files)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, ClassVar

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.authoring.schema import (
    KINDS_OF_FILES,
    Definitions,
    SchemaError,
    as_json_data,
    object_schema,
    rule_kind_schema,
    schema_text,
)
from planner.errors import InputError
from planner.fields import Custom, Ident, Nat, declared
from planner.load import Inputs, build_scenario
from planner.load.yamlread import read_yaml
from planner.model import Step
from planner.roadmap.lines import ENTRY_FIELDS
from planner.roadmap.read import ROADMAP_TOP, load_roadmap
from planner.rules import KINDS
from planner.rules.window import Window
from planner.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {kind: json.loads(schema_text(kind)) for kind in KINDS_OF_FILES}
VALIDATORS = {kind: jsonschema.Draft202012Validator(s) for kind, s in SCHEMAS.items()}


def kind_of(path: Path) -> str:
    """Which schema a file of the repository answers to."""
    if path.name == "packages.yaml":
        return "packages"
    if path.parent.name == "constraints":
        return "constraints"
    return "roadmap"


def data_of(path: Path) -> Any:
    """A YAML file as JSON-like data, read as the loader reads it (YAML 1.1 types, dates
    as ISO text)."""
    return as_json_data(read_yaml(str(path), path.read_bytes()))


def errors(kind: str, data: Any) -> list[str]:
    """Every error, those inside `anyOf` alternatives included (`verify` or null, ...)."""
    out = []
    pending = list(VALIDATORS[kind].iter_errors(data))
    while pending:
        e = pending.pop(0)
        out.append(f"{e.json_path}: {e.message}")
        pending.extend(e.context or ())
    return out


def repository_files() -> list[Path]:
    """The default scenario's files and every YAML file under examples/ (but the variant
    files of examples/variants/, read by `--variant`: tests/test_variants.py has them)."""
    files = [ROOT / "packages.yaml", *sorted((ROOT / "constraints").glob("*.yaml"))]
    variants = ROOT / "examples" / "variants"
    files += sorted(p for p in (ROOT / "examples").rglob("*.yaml") if variants not in p.parents)
    return files


@pytest.mark.parametrize("kind", KINDS_OF_FILES)
def test_each_schema_is_valid_draft_2020_12(kind: str) -> None:
    schema = SCHEMAS[kind]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def properties(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, schema) under a `properties` keyword, anywhere in a schema but in the
    conditions of `if` (which choose a rule kind's definition, and describe no field)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "if":
                continue
            if key == "properties":
                for name, sub in value.items():
                    yield f"{path}/{name}", sub
                    yield from properties(sub, f"{path}/{name}")
            else:
                yield from properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from properties(item, f"{path}/{i}")


@pytest.mark.parametrize("kind", KINDS_OF_FILES)
def test_every_field_has_a_description(kind: str) -> None:
    found = list(properties(SCHEMAS[kind]))
    assert len(found) > 5
    for path, sub in found:
        assert sub.get("description"), f"{kind}: {path} has no description"


def test_every_declared_field_is_in_the_schemas() -> None:
    """Nothing is listed by hand: every declared field of every dataclass the files hold,
    and every rule kind with each of its fields, is in the schema."""
    defs = SCHEMAS["packages"]["$defs"]
    scenario = SCHEMAS["packages"]["properties"]["scenario"]["anyOf"][0]["properties"]
    assert {d.key for d in declared(Scenario)} == set(scenario)
    for name in ("package", "step", "verify", "requirement", "any_of"):
        assert name in defs, name
    assert {d.key for d in declared(Step)} == set(defs["step"]["properties"])
    rules = SCHEMAS["constraints"]["$defs"]
    for name, cls in KINDS.items():
        assert {"kind", *(d.key for d in declared(cls))} == set(
            rules[f"rule-{name}"]["properties"]
        ), name
    assert set(SCHEMAS["constraints"]["$defs"]["rule"]["properties"]["kind"]["enum"]) == set(KINDS)
    roadmap = SCHEMAS["roadmap"]
    assert set(roadmap["properties"]) == set(ROADMAP_TOP)
    assert set(roadmap["$defs"]["entry"]["properties"]) == set(ENTRY_FIELDS)


@dataclasses.dataclass(frozen=True, slots=True)
class Estimate:
    """Three-point estimate."""

    min: Annotated[int, Nat("the shortest it may take")]
    max: Annotated[int, Nat("the longest it may take")]


@dataclasses.dataclass(frozen=True, slots=True)
class StepWithEstimate(Step):
    estimate: Annotated[
        Estimate | None,
        Custom("how long it may take", shape=(("$ref", "#/$defs/estimate"),)),
    ] = None


def test_a_field_added_tomorrow_appears_without_changing_the_generator() -> None:
    """A new rule field, and a new dataclass held by a new step field (as `estimate:
    {min, max}` will be), are found through the declarations alone."""

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class WindowWithGap(Window):
        kind: ClassVar[str] = "window"
        gap: Annotated[int, Nat("time between two ranked steps")] = 0

    schema = rule_kind_schema(WindowWithGap)
    assert schema["properties"]["gap"]["description"] == "time between two ranked steps"

    defs = Definitions({"step": StepWithEstimate})
    found = defs.schemas({"$ref": "#/$defs/step"})
    assert found["estimate"]["description"] == "Three-point estimate."
    assert set(found["estimate"]["properties"]) == {"min", "max"}
    assert found["estimate"]["required"] == ["min", "max"]


@dataclasses.dataclass(frozen=True, slots=True)
class Odd(Step):
    thing: Annotated[str, Custom("a thing", shape=(("$ref", "#/$defs/thing"),))] = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Phase:
    """A named stage."""

    id: Annotated[str, Ident("the phase's id")]
    until: Annotated[int, Nat("when the phase ends")]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioWithPhases(Scenario):
    phases: Annotated[
        tuple[Phase, ...],
        Custom(
            "named stages",
            shape=(("type", "array"), ("items", {"$ref": "#/$defs/phase"})),
        ),
    ] = ()


def test_a_scenario_section_field_holding_a_dataclass_gets_its_definition() -> None:
    """`phases: [{id, until}]` on the scenario section, as the contract adds it."""
    defs = Definitions({"step": Step}, walk=(ScenarioWithPhases,))
    section = object_schema(ScenarioWithPhases, "the scenario")
    assert section["properties"]["phases"]["description"] == "named stages"
    found = defs.schemas(section)
    assert set(found["phase"]["properties"]) == {"id", "until"}


def test_a_reference_to_no_dataclass_is_a_clear_error() -> None:
    with pytest.raises(SchemaError, match=r"Odd\.thing: no dataclass in its type"):
        Definitions({"step": Odd})


def test_the_schemas_are_byte_identical_from_run_to_run() -> None:
    import subprocess
    import sys

    code = "from planner.authoring.schema import schema_text; print(schema_text('constraints'), end='')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout == schema_text("constraints")


@pytest.mark.parametrize("path", repository_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_default_files_and_examples_validate(path: Path) -> None:
    assert errors(kind_of(path), data_of(path)) == []


@pytest.mark.parametrize(
    "path",
    [p for p in repository_files() if kind_of(p) != "roadmap"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_scenario_files_point_editors_at_their_schema(path: Path) -> None:
    """The first line names the schema (yaml-language-server), by a relative path that
    leads to the schema in docs/."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), path
    target = (path.parent / first.removeprefix(prefix)).resolve()
    assert target == (ROOT / "docs" / f"{kind_of(path)}.schema.json").resolve()


# ---- known-bad files ------------------------------------------------------------------------

STEP = "{id: a, actor: A, kind: relief, duration: 1}"
PACKAGES = "actors: {A: Alpha}\npackages:\n  - id: p\n    steps:\n      - "

BAD = [
    # (kind, file text, a piece of the expected message)
    ("packages", "actors: {A: Alpha}\n", "'packages' is a required property"),
    ("packages", "packages: []\n", "'actors' is a required property"),
    ("packages", PACKAGES + "{id: a, actor: A, kind: relief}\n", "'duration' is a required"),
    ("packages", PACKAGES + "{id: a, actor: A, kind: relief, duration: -1}\n", "less than"),
    ("packages", PACKAGES + "{id: a, actor: A, kind: relief, duration: 1.5}\n", "integer"),
    (
        "packages",
        PACKAGES + "{id: a, actor: A, kind: relief, duration: 1, wait: [b]}\n",
        "'wait' was unexpected",
    ),
    ("packages", PACKAGES + "{id: 'a b', actor: A, kind: relief, duration: 1}\n", "'a b'"),
    ("packages", PACKAGES + STEP[:-1] + ", verify: {duration: 2}}\n", "'by' is a required"),
    ("packages", PACKAGES + STEP[:-1] + ", after: [{step: b, lag: -2}]}\n", "after"),
    ("packages", PACKAGES + STEP[:-1] + ", attrs: {risk: high}}\n", "'high' is not of type"),
    ("packages", "scenario: {unit: fortnight}\n" + PACKAGES + STEP + "\n", "'fortnight'"),
    ("packages", "scenario: {name: x, begin: 2027-01-01}\n" + PACKAGES + STEP + "\n", "'begin'"),
    (
        "packages",
        PACKAGES[: PACKAGES.index("    steps")] + "    steps: []\n",
        "should be non-empty",
    ),
    ("constraints", "rule: []\n", "'rules' is a required property"),
    (
        "constraints",
        "rules:\n  - {id: r, kind: gaet, when: [a], opens: [b], source: s}\n",
        "'gaet' is not one of",
    ),
    (
        "constraints",
        "rules:\n  - {id: r, kind: gate, when: [a], source: s}\n",
        "'opens' is a required property",
    ),
    (
        "constraints",
        "rules:\n  - {id: r, kind: gate, when: [a], opens: [b]}\n",
        "'source' is a required property",
    ),
    (
        "constraints",
        "rules:\n  - {id: r, kind: gate, when: [a], opens: [b], lag: 2, source: s}\n",
        "'lag' was unexpected",
    ),
    (
        "constraints",
        "rules:\n  - {id: r, kind: capacity, steps: [a], max: 0, source: s}\n",
        "less than the minimum of 1",
    ),
    ("constraints", "rules:\n  - {id: r, kind: window, steps: [], source: s}\n", "steps"),
    ("constraints", "rules:\n  - {id: r, kind: window, steps: {actors: A}, source: s}\n", "steps"),
    (
        "constraints",
        "rules:\n  - {id: r, kind: window, steps: [a], measure: end, source: s}\n",
        "'end' is not one of",
    ),
    ("constraints", "rules:\n  - {id: r, kind: delink, between: [[a]], source: s}\n", "between"),
    (
        "constraints",
        "rules:\n  - {id: r, kind: forbid, steps: [a], soft: maybe, source: s}\n",
        "'maybe' is not of type 'boolean'",
    ),
    ("roadmap", "steps: []\n", "'roadmap' is a required property"),
    ("roadmap", "roadmap: {steps: [{step: a}]}\n", "'start' is a required property"),
    ("roadmap", "roadmap: {steps: [{step: a, start: -1}]}\n", "less than the minimum of 0"),
    ("roadmap", "roadmap: {steps: [{step: a, start: 2.5}]}\n", "not of type 'integer'"),
    ("roadmap", "roadmap: {steps: [{step: a, begin: 2}]}\n", "'begin' was unexpected"),
    ("roadmap", "roadmap: {steps: [], sequence: [a]}\n", "roadmap"),
    ("roadmap", "roadmap: {}\n", "roadmap"),
    ("roadmap", "unit: fortnight\nroadmap: {sequence: [a]}\n", "'fortnight' is not one of"),
]


@pytest.mark.parametrize(
    ("kind", "text", "message"), BAD, ids=[f"{k}-{i}" for i, (k, *_) in enumerate(BAD)]
)
def test_each_schema_refuses_known_bad_files(kind: str, text: str, message: str) -> None:
    found = errors(kind, as_json_data(read_yaml("bad.yaml", text.encode())))
    assert found, text
    assert any(message in e for e in found), found


def test_the_loader_refuses_the_known_bad_files_too() -> None:
    """The schemas refuse nothing the loader would read: every known-bad scenario file
    above is refused by the loader as well (with an otherwise valid counterpart)."""
    for kind, text, _ in BAD:
        if kind == "packages":
            assert not loads(text.encode(), b"rules: []\n"), text
        elif kind == "constraints":
            assert not loads(DEAL_PACKAGES, text.encode()), text


# ---- the loader is the authority: never refuse what it accepts -------------------------------


def dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


def loads(packages: bytes, rules: bytes) -> bool:
    try:
        build_scenario(
            Inputs(
                files=(("packages.yaml", packages), ("constraints/r.yaml", rules)),
                packages_name="packages.yaml",
            )
        )
    except InputError:
        return False
    return True


#: A small deal that uses every field of every file kind at least once.
DEAL = {
    "scenario": {"name": "t", "unit": "week", "start": dt.date(2027, 1, 4), "description": "d"},
    "actors": {"A": "Alpha", "B": "Beta"},
    "packages": [
        {"id": "p", "title": "P", "source": "s", "note": "n", "steps": [
            {"id": "a", "actor": "A", "kind": "relief", "duration": 1, "value": 2, "title": "x",
             "verify": {"by": "m", "duration": 1, "what": "w"}, "tags": ["t1"],
             "attrs": {"risk": 1}, "source": "s", "note": "n"},
            {"id": "b", "actor": "B", "kind": "commitment", "duration": 2, "tags": "t1",
             "after": ["a", {"step": "a", "lag": 1, "within": 5}, {"any": ["a", {"step": "a"}]}],
             "attrs": {"risk": 2}},
            {"id": "c", "actor": "B", "kind": "commitment", "duration": 2},
        ]},
    ],
}  # fmt: skip
DEAL_PACKAGES = dump(DEAL)
RULES = {
    "rules": [
        {"id": "r1", "kind": "precedence", "before": ["a"], "after": {"steps": ["b"]}, "lag": 1,
         "within": 9, "source": "s"},
        {"id": "r2", "kind": "reciprocity", "give": "a", "get": {"actor": "B"}, "grace": 0,
         "within": 50, "pairing": "shared", "source": "s", "soft": True, "weight": 2},
        {"id": "r3", "kind": "balance", "ahead": {"actor": "A"},
         "behind": {"actor": "B", "kind": ["commitment"]}, "margin": 5, "source": "s"},
        {"id": "r4", "kind": "gate", "when": ["a"], "opens": {"package": "p"}, "source": "s",
         "note": "n"},
        {"id": "r5", "kind": "window", "steps": {"tags": "t1"}, "earliest": 0, "latest": 50,
         "measure": "done", "source": "s"},
        {"id": "r6", "kind": "delink", "between": [["a"], ["c"]], "source": "s"},
        {"id": "r7", "kind": "forbid", "steps": ["c"], "source": "s"},
        {"id": "r8", "kind": "capacity", "steps": {"kind": "relief"}, "max": 2, "source": "s"},
        {"id": "r9", "kind": "order", "steps": ["a", "b"], "by": "risk",
         "direction": "ascending", "source": "s"},
        {"id": "r10", "kind": "simultaneous", "steps": ["a"], "source": "s"},
    ]
}  # fmt: skip
ROADMAP = {
    "scenario": "t",
    "unit": "week",
    "objectives": {"makespan": 3},
    "note": "n",
    "roadmap": {"steps": [
        {"step": "a", "start": 0, "end": 1, "done": 2, "actor": "A", "package": "p",
         "kind": "relief", "title": "x"},
        {"step": "b", "start": 3},
    ]},
}  # fmt: skip

#: Values a mutation writes: wrong types, edge numbers, names of the deal, YAML 1.1 words.
VALUES = [
    None, 0, 1, -1, 2.5, 3.0, 1e3, 10**10, True, False, "", "x", "a b", "5", "yes", ".inf",
    "2027-01-04", dt.date(2027, 1, 4), [], ["a"], [1], [None], ["a", "b"], [["a"], ["b"]],
    {}, {"a": 1}, {"step": "a"}, {"step": 1}, {"any": ["a"]}, {"any": []}, {"steps": "a"},
    {"actor": ["A", "B"]}, {"tags": []}, {"kind": 5}, "week", "day", "shared", "done",
    "descending", "a", "b", "c", "A", "t1", "risk", "p", "relief", 7,
]  # fmt: skip
KEYS = sorted(
    {d.key for cls in (Scenario, Step, *KINDS.values()) for d in declared(cls)}
    | set(ENTRY_FIELDS) | {"any", "sequence", "unknown"}
)  # fmt: skip


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for key, value in items:
        yield from _paths(value, (*prefix, key))


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """`base` with one to three changes: a value replaced, a field dropped, a field (or an
    item) added."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif action == "drop":
            del parent[key]
        elif isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(KEYS))] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif isinstance(parent[key], list):
            parent[key].append(copy.deepcopy(draw(st.sampled_from(VALUES))))
    return doc


FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated(DEAL))
def test_a_packages_file_the_loader_accepts_is_never_refused(doc: Any) -> None:
    data = dump(doc)
    if loads(data, b"rules: []\n"):
        assert errors("packages", as_json_data(read_yaml("p.yaml", data))) == []


@FUZZ
@given(mutated(RULES))
def test_a_rules_file_the_loader_accepts_is_never_refused(doc: Any) -> None:
    data = dump(doc)
    if loads(DEAL_PACKAGES, data):
        assert errors("constraints", as_json_data(read_yaml("r.yaml", data))) == []


SCENARIO = build_scenario(
    Inputs(
        files=(("packages.yaml", DEAL_PACKAGES), ("constraints/r.yaml", dump(RULES))),
        packages_name="packages.yaml",
    )
)


@FUZZ
@given(mutated(ROADMAP))
def test_a_roadmap_the_loader_accepts_is_never_refused(doc: Any) -> None:
    data = dump(doc)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.yaml"
        path.write_bytes(data)
        try:
            load_roadmap(path, SCENARIO)
        except InputError:
            return
    assert errors("roadmap", as_json_data(read_yaml("r.yaml", data))) == []


def test_the_base_files_of_the_property_are_valid() -> None:
    """The property starts from files both the loader and the schemas accept."""
    assert loads(DEAL_PACKAGES, dump(RULES))
    assert errors("packages", as_json_data(read_yaml("p", DEAL_PACKAGES))) == []
    assert errors("constraints", as_json_data(read_yaml("r", dump(RULES)))) == []
    assert errors("roadmap", as_json_data(read_yaml("m", dump(ROADMAP)))) == []


def test_an_empty_rule_file_is_valid_as_the_loader_reads_it() -> None:
    assert loads(DEAL_PACKAGES, b"")
    assert errors("constraints", as_json_data(read_yaml("r", b""))) == []
