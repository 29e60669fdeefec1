"""The authoring commands end to end: `init` (the starter and the Belarus copy), `validate
--explain`, `graph` and `schema`; what they print is read against the starter scenario,
whose numbers are explained where they are asserted."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from planner.api import load_scenario
from planner.authoring.schema import as_json_data, schema_text
from planner.authoring.starter import point_at_schemas, scenario_files
from planner.explore.graph import around, build_graph, to_dot, to_mermaid
from planner.explore.lookup import UnknownId, explain_id
from planner.load.yamlread import read_yaml
from planner.rules import KINDS
from tests.helpers import cli as run
from tests.helpers import cli_process, imported_by

ROOT = Path(__file__).resolve().parent.parent


def scenario_args(folder: Path) -> list[str]:
    return [
        "--packages",
        str(folder / "packages.yaml"),
        "--constraints",
        str(folder / "constraints"),
    ]


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A starter scenario written by `planner init`, shared by the read-only tests."""
    folder = tmp_path_factory.mktemp("init") / "mycase"
    result = run("init", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


# ---- init -----------------------------------------------------------------------------------


def test_init_writes_the_starter_and_says_what_next(starter: Path) -> None:
    names = sorted(str(p.relative_to(starter)) for p in starter.rglob("*") if p.is_file())
    assert names == sorted(scenario_files("starter"))
    assert "README.md" in names and "schemas/packages.schema.json" in names
    assert len([n for n in names if n.startswith("constraints/")]) == len(KINDS)


def test_the_starter_has_one_rule_of_every_kind(starter: Path) -> None:
    """Fails when a rule kind is added to the registry and the starter lacks an example."""
    loaded = load_scenario(starter / "packages.yaml", starter / "constraints")
    assert {r.kind for r in loaded.rules} == set(KINDS)
    for kind in KINDS:
        assert (starter / "constraints" / f"{kind}.yaml").is_file(), kind


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_carries_its_starter_example(kind: str) -> None:
    """The file `init` writes for a kind is the kind's `example` under the schema line:
    a rule file of that kind alone, with a comment that says what the kind means."""
    example = KINDS[kind].example
    written = scenario_files("starter")[f"constraints/{kind}.yaml"].decode("utf-8")
    assert written == (
        "# yaml-language-server: $schema=../schemas/constraints.schema.json\n" + example
    )
    assert example.startswith(f"# {kind}: ") and example.endswith("\n")
    rules = read_yaml(f"{kind}.yaml", example.encode("utf-8"))["rules"]
    assert rules and {r["kind"] for r in rules} == {kind}


def test_the_starter_validates_and_plans_as_written(starter: Path) -> None:
    validated = run("validate", *scenario_args(starter))
    assert validated.returncode == 0, validated.stderr
    assert "Starter deal: valid" in validated.stdout
    planned = run("plan", *scenario_args(starter), "--format", "json")
    assert planned.returncode == 0, planned.stderr
    doc = json.loads(planned.stdout)
    assert doc["status"] == "found"
    # talks 0-6 and 6-12 (one at a time), the reform from week 12 (after the economic
    # talks) verified in week 18, trade licence 18-19, finance 4 weeks later: done week 24.
    assert doc["candidates"][0]["values"]["makespan"] == 24


def test_the_starter_files_validate_against_the_schemas_they_point_at(starter: Path) -> None:
    for path in [starter / "packages.yaml", *sorted((starter / "constraints").glob("*.yaml"))]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        target = path.parent / first.removeprefix("# yaml-language-server: $schema=")
        schema = json.loads(target.read_text(encoding="utf-8"))
        data = as_json_data(read_yaml(str(path), path.read_bytes()))
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == [], path
    assert (starter / "schemas" / "roadmap.schema.json").read_text() == schema_text("roadmap")


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "deal"
    assert run("init", str(folder)).returncode == 0
    (folder / "packages.yaml").write_text("# my edits\n", encoding="utf-8")
    again = run("init", str(folder))
    assert again.returncode == 2
    lines = again.stderr.splitlines()
    assert f"{folder / 'packages.yaml'}: exists; add --force to replace it" in lines
    assert len(lines) == len(scenario_files("starter")), "one line per existing file"
    assert "Traceback" not in again.stderr
    assert (folder / "packages.yaml").read_text() == "# my edits\n", "nothing was written"
    forced = run("init", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (folder / "packages.yaml").read_bytes() == scenario_files("starter")["packages.yaml"]


def test_init_writes_nothing_when_one_file_exists(tmp_path: Path) -> None:
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "gate.yaml").write_text("rules: []\n", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"{tmp_path / 'constraints' / 'gate.yaml'}: exists; add --force to replace it\n"
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["constraints", "gate.yaml"]


def test_init_names_rule_files_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "old.yaml").write_text("rules: []\n", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.returncode == 0
    assert (
        "constraints/old.yaml is not part of the starter scenario and will be read as rules"
        in result.stderr
    )


def test_init_onto_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    result = run("init", str(tmp_path / "f"))
    assert result.returncode == 2
    assert result.stderr == f"{tmp_path / 'f'}: is not a directory\n"


def test_init_from_belarus_copies_the_embedded_default_and_plans(tmp_path: Path) -> None:
    folder = tmp_path / "by"
    assert run("init", str(folder), "--from", "belarus").returncode == 0
    original = (ROOT / "packages.yaml").read_bytes()
    copied = (folder / "packages.yaml").read_bytes()
    assert copied.split(b"\n", 1)[1] == original.split(b"\n", 1)[1], "only the first line differs"
    assert copied.startswith(b"# yaml-language-server: $schema=schemas/packages.schema.json\n")
    for rules in (ROOT / "constraints").glob("*.yaml"):
        mine = (folder / "constraints" / rules.name).read_bytes()
        assert mine.split(b"\n", 1)[1] == rules.read_bytes().split(b"\n", 1)[1], rules.name
    planned = run("plan", *scenario_args(folder), "--time-limit", "30")
    assert planned.returncode == 0, planned.stderr
    assert "U.S.–Belarus normalization roadmap" in planned.stdout


def test_the_schema_line_is_replaced_or_added() -> None:
    assert point_at_schemas("constraints/a.yaml", b"rules: []\n") == (
        b"# yaml-language-server: $schema=../schemas/constraints.schema.json\nrules: []\n"
    )
    assert point_at_schemas(
        "packages.yaml", b"# yaml-language-server: $schema=x\nactors: {}\n"
    ) == (b"# yaml-language-server: $schema=schemas/packages.schema.json\nactors: {}\n")


# ---- validate --explain -----------------------------------------------------------------------


def test_explain_a_step_gives_its_rules_and_why_it_starts_when_it_can(starter: Path) -> None:
    result = run("validate", *scenario_args(starter), "--explain", "s-finance-license")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"step s-finance-license  ({starter / 'packages.yaml'}:")
    assert "    - s-trade-license done + 4 weeks\n" in out
    assert "    [order] low-risk-first: steps" in out
    assert "    [reciprocity] relief-for-verified-steps: give" in out
    assert "    [window, soft] relief-within-half-a-year: steps" in out
    assert "    [gate] opening-first: opens" in out
    # The chain: the security talks (0-6), the economic talks after them (6-12), the reform
    # after those (precedence, from 12; verified in 18), the trade licence (18-19), then 4
    # weeks: week 23.
    assert "  earliest start: week 23 (done in week 24 at the earliest)" in out
    chain = [line.split()[0] for line in out.split("  why:\n")[1].splitlines()]
    assert chain == [
        "s-finance-license",
        "s-trade-license",
        "t-reform",
        "talks-economy",
        "talks-security:",
    ]
    assert (
        "t-reform (from week 12): held back by talks-economy through precedence reform-follows-economic-talks"
        in out
    )
    assert "talks-security: nothing holds it: it can start in week 0" in out


def test_explain_a_rule_resolves_its_selectors(starter: Path) -> None:
    result = run("validate", *scenario_args(starter), "--explain", "relief-for-verified-steps")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(
        f"rule relief-for-verified-steps  ({starter / 'constraints' / 'reciprocity.yaml'}:5:5)"
    )
    assert "  kind: reciprocity (hard)\n" in out
    assert "  give:    {kind: relief} → s-trade-license, s-finance-license\n" in out
    assert "  get:     {actor: T, tags: verified} → t-halt-pledge, t-reform\n" in out
    assert "  pairing: distinct\n" in out
    assert "start(g) - within <= done(c) <= start(g) + grace" in out


def test_explain_a_red_line_and_a_soft_rule(starter: Path) -> None:
    loaded = load_scenario(starter / "packages.yaml", starter / "constraints")
    red = explain_id(loaded, "s-demand-regime-change")
    assert "  never scheduled: a red line (no-regime-change-demand)" in red
    soft = explain_id(loaded, "relief-within-half-a-year")
    assert "  kind: window (soft, weight 2)" in soft
    assert "  latest:   26" in soft and "  measure:  done" in soft
    pair = explain_id(loaded, "humanitarian-apart")
    assert "  between[0]: {package: humanitarian} → t-humanitarian-access" in pair


def test_explain_the_default_gate_chain() -> None:
    """On the default: the aviation parts licence waits (most lucrative first, two weeks
    apart) for the EV relief, which waits for the potash licence, which waits for the
    revenue-sharing deal, which the security gate holds until the non-aggression pledge
    is verified in week 12; 12 + 8 (revenue sharing) + 2 + 2 = week 24."""
    out = explain_id(load_scenario(), "us-aviation-parts-license")
    assert "  earliest start: week 24" in out
    assert (
        "us-ev-relief (from week 22): held back by us-potash-license through order most-lucrative-first"
        in out
    )
    assert (
        "by-potash-revenue-sharing (from week 12): held back by by-nonaggression-pledge through gate security-gate"
        in out
    )


def test_explain_an_unknown_id_is_one_line_with_a_suggestion(starter: Path) -> None:
    result = run("validate", *scenario_args(starter), "--explain", "s-trade-licence")
    assert result.returncode == 2
    assert result.stderr == (
        "planner validate: --explain: no step or rule 's-trade-licence' in the scenario "
        "(did you mean 's-trade-license'?)\n"
    )
    with pytest.raises(UnknownId, match="no step or rule 'zz'"):
        explain_id(load_scenario(starter / "packages.yaml", starter / "constraints"), "zz")


# ---- graph ----------------------------------------------------------------------------------


def test_graph_dot_has_every_step_and_the_links_the_rules_state(starter: Path) -> None:
    result = run("graph", *scenario_args(starter))
    assert result.returncode == 0, result.stderr
    dot = result.stdout
    assert dot.startswith('digraph "Starter deal" {\n') and dot.endswith("}\n")
    loaded = load_scenario(starter / "packages.yaml", starter / "constraints")
    for step_id in loaded.steps:
        assert f'  "{step_id}" [label=' in dot or f'    "{step_id}" [label=' in dot, step_id
    assert '"t-reform" -> "s-trade-license" [label="after"];' in dot  # a precondition
    assert '"s-trade-license" -> "s-finance-license" [label="lag 4"];' in dot
    # precedence and order as labelled arrows, reciprocity dashed from the counter-step
    assert '"talks-economy" -> "t-reform" [label="reform-follows-economic-talks within 12"];' in dot
    assert '"s-trade-license" -> "s-finance-license" [label="low-risk-first", style=dotted];' in dot
    assert (
        '"t-reform" -> "s-trade-license" [label="relief-for-verified-steps", style=dashed];' in dot
    )
    # the gate joins 2 steps to 3: drawn through a node of its own
    assert '[shape=diamond, style=solid, label="opening-first\\ngate"];' in dot
    assert 'label="pledges-signed-together", dir=none, style=bold' in dot
    assert 'fillcolor="#f8d0d0"' in dot  # the red line
    assert dot.count("{") == dot.count("}")


def test_graph_mermaid(starter: Path) -> None:
    result = run("graph", *scenario_args(starter), "--format", "mermaid")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("flowchart LR\n")
    assert '    s3["t-reform<br/>T · commitment"]' in text
    assert "  s3 --> s4\n" in text  # t-reform → s-trade-license (after)
    assert '  s4 ==>|"low-risk-first"| s5\n' in text
    assert '  s0 ---|"pledges-signed-together"| s1\n' in text
    assert "  class s9 redline\n" in text


def test_graph_around_a_step(starter: Path) -> None:
    """Depth 1 around the trade licence: what it waits for (the reform, the gate's
    pledges, the counter-steps) and what waits for it (the finance licence); not the
    talks, two links away."""
    loaded = load_scenario(starter / "packages.yaml", starter / "constraints")
    near = around(build_graph(loaded), "s-trade-license", 1)
    assert set(near.steps) == {
        "s-trade-license", "t-reform", "s-finance-license", "t-halt-pledge",
        "s-no-regime-change-pledge",
    }  # fmt: skip
    assert set(around(build_graph(loaded), "s-trade-license", 0).steps) == {"s-trade-license"}
    farther = around(build_graph(loaded), "s-trade-license", 2)
    assert "talks-economy" in farther.steps and "talks-security" not in farther.steps
    assert "around s-trade-license, depth 1" in to_dot(near)
    assert to_mermaid(near).count('["') == len(near.steps) + 2  # steps, and two packages
    result = run("graph", *scenario_args(starter), "--around", "s-trade-licence")
    assert result.returncode == 2
    assert result.stderr == (
        "planner graph: --around: unknown step 's-trade-licence' (did you mean 's-trade-license'?)\n"
    )


def test_graph_is_byte_identical_from_run_to_run() -> None:
    assert run("graph").stdout == cli_process("graph").stdout  # another process, hash seed


# ---- schema ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["packages", "constraints", "roadmap"])
def test_schema_prints_the_generated_schema(kind: str) -> None:
    result = run("schema", kind)
    assert result.returncode == 0
    assert result.stdout == schema_text(kind)
    assert result.stdout == (ROOT / "docs" / f"{kind}.schema.json").read_text(encoding="utf-8")


def test_schema_of_an_unknown_kind_is_one_line() -> None:
    result = run("schema", "rules")
    assert result.returncode == 2
    assert "Invalid value for" in result.stderr and len(result.stderr.splitlines()) == 1


def test_init_does_not_import_ortools(tmp_path: Path) -> None:
    [(_, code, imported)] = imported_by([["init", str(tmp_path / "x")]], ["ortools"])
    assert (code, imported) == (0, [])
