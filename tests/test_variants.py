"""Variants without copying files: `--set` expressions and `--variant` overlay files.

Specified here, on a tiny deal (`tests/bad_variants/scenario/`: by-pledge, 2 weeks and
verified in 4; by-halt, 1 week and verified in 2; us-relief after by-pledge; us-license
after by-halt; a window closing relief at week 10; a balance rule with margin 2):

- each form of `--set` changes exactly what it names, and says so, one change a line;
- a variant file removes, adds, overrides and sets, in that order;
- what a variant gets wrong is reported where it wrote it, every problem at once, exit 2
  (`tests/bad_variants/<defect>/`: variant.yaml and expected.txt, run against the tiny
  deal); so is every bad `--set` expression, one line each;
- the scenario cache keys on the variant, and no output may overwrite a variant file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from planner.api import load_scenario
from planner.errors import InputError
from planner.load import cache
from planner.scenario import Scenario
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad_variants"
DEAL = BAD / "scenario"
DEFECTS = sorted(p.name for p in BAD.iterdir() if (p / "expected.txt").is_file())


def tiny(*sets: str, variants: tuple[Path, ...] = ()) -> Scenario:
    return load_scenario(DEAL / "packages.yaml", DEAL / "constraints", variants, sets)


def changes(*sets: str) -> list[str]:
    scenario = tiny(*sets)
    return [what for _, what in scenario.changes]


def refused(*sets: str, variants: tuple[Path, ...] = ()) -> list[str]:
    with pytest.raises(InputError) as exc:
        tiny(*sets, variants=variants)
    return exc.value.lines()


# ---- --set ---------------------------------------------------------------------------


def test_set_one_field_of_one_step_keeps_the_rest_of_its_verification() -> None:
    scenario = tiny("by-pledge.verify.duration=6")
    step = scenario.steps["by-pledge"]
    assert step.verify.duration == 6 and step.verify.by == "monitors"
    assert step.done_offset == 2 + 6
    assert scenario.changes == (
        ("--set 'by-pledge.verify.duration=6'", "step 'by-pledge': verify.duration 4 → 6"),
    )
    assert scenario.variant == "--set 'by-pledge.verify.duration=6'"


def test_arithmetic_on_a_time_written_with_its_unit_is_in_the_scenarios_unit() -> None:
    """The default's aviation snapback takes "44 days" (GL 44A's wind-down), which a
    scenario in weeks reads as 7 weeks: '+=1' makes it 8 weeks, and '*=2' 14 (both in
    weeks, as every number of --set is), where it used to say '44 days' is not a number."""
    scenario = load_scenario(sets=("us-aviation-snapback.duration+=1",))
    # (a contingent step: in the scenario with every branch)
    assert scenario.everything().steps["us-aviation-snapback"].duration == 8
    doubled = load_scenario(sets=("us-aviation-snapback.duration*=2",))
    assert doubled.everything().steps["us-aviation-snapback"].duration == 14


def test_star_doubles_every_verification_and_skips_steps_without_one() -> None:
    # by-pledge 4 → 8, by-halt 2 → 4; the two relief steps have no verification.
    assert changes("*:verify.duration*=2") == [
        "step 'by-pledge': verify.duration 4 → 8",
        "step 'by-halt': verify.duration 2 → 4",
    ]


def test_a_selector_with_two_conditions_and_a_declared_default() -> None:
    # us-relief's value 2 → 3; us-license writes no value: its declared default 0 → 1.
    assert changes("kind=relief,actor=US:value+=1") == [
        "step 'us-relief': value 2 → 3",
        "step 'us-license': value 0 → 1",
    ]
    assert changes("package=security,id=by-halt|by-pledge:duration-=1") == [
        "step 'by-pledge': duration 2 → 1",
        "step 'by-halt': duration 1 → 0",
    ]


def test_rules_are_changed_by_id_or_by_selector() -> None:
    assert changes("balance.margin+=2", "rules:kind=window:latest*=2") == [
        "rule 'balance': margin 2 → 4",
        "rule 'relief-window': latest 10 → 20",
    ]


def test_multiplying_a_whole_number_rounds_up_and_says_so() -> None:
    # 4 × 1.25 = 5 exactly; 2 × 1.25 = 2.5 weeks is 3 weeks.
    assert changes("*:verify.duration*=1.25") == [
        "step 'by-pledge': verify.duration 4 → 5",
        "step 'by-halt': verify.duration 2 → 3 (rounded up from 2.5)",
    ]


def test_values_are_yaml_and_null_removes_a_field() -> None:
    scenario = tiny(
        "by-halt.verify=null",
        "us-license.verify={by: auditors, duration: 3}",
        "us-relief.title=Relief: aviation",
        "scenario.name=Tiny deal, hawkish",
    )
    steps = scenario.steps
    assert steps["by-halt"].verify is None
    assert (steps["us-license"].verify.by, steps["us-license"].verify.duration) == ("auditors", 3)
    assert steps["us-relief"].title == "Relief: aviation"  # plain text may hold ': '
    assert scenario.name == "Tiny deal, hawkish"


def test_the_longest_id_that_fits_is_the_target(tmp_path: Path) -> None:
    # Ids may hold dots: 'us.grant.duration' names the step 'us.grant', not 'us'.
    folder = tmp_path / "deal"
    shutil.copytree(DEAL, folder)
    text = (folder / "packages.yaml").read_text()
    text += "      - {id: us.grant, actor: US, kind: relief, duration: 1}\n"
    (folder / "packages.yaml").write_text(text)
    scenario = load_scenario(
        folder / "packages.yaml", folder / "constraints", (), ["us.grant.duration=3"]
    )
    assert scenario.steps["us.grant"].duration == 3


@pytest.mark.parametrize(
    ("expr", "line"),
    [
        ("by-pledge.duration=abc", "step 'by-pledge': 'duration' must be a time (a whole number of weeks, or a number with its unit: '45 days', '6 months'), not 'abc'"),
        ("by-pledeg.duration=3", "no step or rule 'by-pledeg' (did you mean 'by-pledge'?)"),
        ("kind=relif:duration=2", "no step has kind 'relif' (did you mean 'relief'?)"),
        ("colour=red:duration=2", "unknown selector field 'colour'; steps are selected by id, actor, package, kind, tag"),
        ("by-pledge.durration=3", "step 'by-pledge': unknown field 'durration' (did you mean 'duration'?)"),
        ("by-pledge.duration-=3", "step 'by-pledge': 'duration' must be ≥ 0, not -1"),
        ("by-pledge", "expected TARGET.FIELD=VALUE, SELECTOR:FIELD=VALUE or rules:SELECTOR:FIELD=VALUE (or +=, -=, *=)"),
        ("by-pledge.duration+=x", "'+=' needs a number, not 'x'"),
        ("by-pledge.verify={by: x, duration: [}", "the value '{by: x, duration: [}' is not valid YAML: YAML syntax error: did not find expected node content"),
        ("*:estimate.max+=1", "none of the 4 steps it selects has estimate.max"),
        ("by-pledge.id=x", "an id cannot be changed by --set; remove the step or rule and add another in a variant"),
        ("by-pledge.verify.duration.x=1", "step 'by-pledge': 'duration' is 4, not a mapping with fields"),
        ("by-pledge.title*=2", "step 'by-pledge': has no 'title' to change with '*=': use '='"),
        ("us-relief.after*=2", "step 'us-relief': 'after' is a list, not a number"),
        ("rules:kind=gate:margin=1", "no rule has kind 'gate'"),
        ("balance.margin=", "no value after the '=' (write null to remove a field)"),
    ],
)  # fmt: skip
def test_a_bad_set_expression_is_one_located_line(expr: str, line: str) -> None:
    assert refused(expr) == [f"--set '{expr}': {line}"]


def test_every_bad_expression_is_reported_at_once() -> None:
    assert refused("by-pledge.duration=x", "balance.margin=-1") == [
        "--set 'balance.margin=-1': rule 'balance': 'margin' must be ≥ 0, not -1",
        "--set 'by-pledge.duration=x': step 'by-pledge': 'duration' must be a time (a whole number of weeks, or a number with its unit: '45 days', '6 months'), not 'x'",
    ]


# ---- variant files -------------------------------------------------------------------


def test_a_variant_file_removes_adds_overrides_and_sets_in_that_order(tmp_path: Path) -> None:
    v = tmp_path / "hawkish.yaml"
    v.write_text(
        "variant: {name: hawkish, description: longer checks}\n"
        "remove:\n"
        "  rules: [relief-window]\n"
        "  steps: [us-license]\n"
        "add:\n"
        "  steps:\n"
        "    - {id: us-license, package: relief, actor: US, kind: relief, duration: 2}\n"
        "  rules:\n"
        "    - {id: late-window, kind: window, steps: [us-license], latest: 30, source: later}\n"
        "override:\n"
        "  steps:\n"
        "    by-pledge: {verify: {duration: 13}, note: hawks}\n"
        "  rules:\n"
        "    balance: {margin: 1}\n"
        "set: ['*:verify.duration+=1']\n"
    )
    scenario = tiny(variants=(v,))
    assert scenario.variant == "hawkish"
    assert list(scenario.changes) == [
        (f"{v}:3:11", "removed rule 'relief-window'"),
        (f"{v}:4:11", "removed step 'us-license'"),
        (f"{v}:7:7", "added step 'us-license' to package 'relief'"),
        (f"{v}:9:7", "added rule 'late-window' (window)"),
        # Overridden to 13, then one more by `set:`: one line, from first to last.
        (f"{v}:12:36; {v}:15:7 (2 changes)", "step 'by-pledge': verify.duration 4 → 14"),
        (f"{v}:12:47", "step 'by-pledge': note (unset) → hawks"),
        (f"{v}:14:23", "rule 'balance': margin 2 → 1"),
        (f"{v}:15:7", "step 'by-halt': verify.duration 2 → 3"),
    ]
    steps = scenario.steps
    assert steps["by-pledge"].verify.by == "monitors"  # merged, not replaced
    assert steps["us-license"].duration == 2 and steps["us-license"].after == ()
    assert sorted(r.id for r in scenario.rules) == ["balance", "late-window"]
    late = next(r for r in scenario.rules if r.id == "late-window")
    assert str(late.mark) == f"{v}:9:7"  # the added rule is located in the variant


@pytest.mark.parametrize("defect", DEFECTS)
def test_a_bad_variant_gives_its_expected_lines(
    defect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BAD)
    with pytest.raises(InputError) as exc:
        load_scenario(
            Path("scenario/packages.yaml"),
            Path("scenario/constraints"),
            [Path(defect) / "variant.yaml"],
        )
    expected = (BAD / defect / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert exc.value.lines() == expected


def test_the_command_refuses_a_bad_variant_and_bad_sets_in_one_line_each() -> None:
    result = run(
        "validate", "--packages", "scenario/packages.yaml", "--constraints", "scenario/constraints",
        "--variant", "unknown-step-to-override/variant.yaml", "--set", "by-halt.duration=-2",
        cwd=BAD,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "--set 'by-halt.duration=-2': step 'by-halt': 'duration' must be ≥ 0, not -2",
        *(BAD / "unknown-step-to-override" / "expected.txt").read_text().splitlines(),
    ]


def test_the_command_names_the_variant_and_every_change_on_stderr() -> None:
    result = run(
        "validate", "--packages", "scenario/packages.yaml", "--constraints", "scenario/constraints",
        "--set", "*:verify.duration*=2", cwd=BAD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Tiny deal: valid")
    assert result.stderr.splitlines() == [
        "variant --set '*:verify.duration*=2': 2 changes",
        "  step 'by-pledge': verify.duration 4 → 8  [--set '*:verify.duration*=2']",
        "  step 'by-halt': verify.duration 2 → 4  [--set '*:verify.duration*=2']",
    ]


def test_json_output_stays_json_with_a_variant() -> None:
    result = run(
        "plan", "--packages", "scenario/packages.yaml", "--constraints", "scenario/constraints",
        "--set", "balance.margin=5", "--format", "json", cwd=BAD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "found"


def test_no_output_overwrites_a_variant_file(tmp_path: Path) -> None:
    v = tmp_path / "v.yaml"
    v.write_text("set: ['balance.margin=5']\n")
    before = v.read_text()
    result = run(
        "plan", "--packages", str(DEAL / "packages.yaml"), "--constraints", str(DEAL / "constraints"),
        "--variant", str(v), "-o", str(v),
    )  # fmt: skip
    assert result.returncode == 2
    assert "is an input of this command" in result.stderr
    assert v.read_text() == before


def test_the_scenario_cache_keys_on_the_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    plain = tiny()
    doubled = tiny("*:verify.duration*=2")
    assert plain.steps["by-pledge"].verify.duration == 4
    assert doubled.steps["by-pledge"].verify.duration == 8
    assert len(list((tmp_path / "cache").glob("*" + cache.SUFFIX))) == 2
    again = tiny("*:verify.duration*=2")  # read back from the cache, changes included
    assert again == doubled and again.changes == doubled.changes
    assert tiny().steps["by-pledge"].verify.duration == 4


def test_a_variant_drops_a_package_and_adds_another(tmp_path: Path) -> None:
    # The relief package goes (with its two steps, so the window over relief steps goes
    # too, and the balance rule stands on the pledge alone); an energy package comes in
    # with one step after by-halt; security becomes optional.
    v = tmp_path / "v.yaml"
    v.write_text(
        "remove:\n"
        "  packages: [relief]\n"
        "  rules: [relief-window]\n"
        "add:\n"
        "  packages:\n"
        "    - id: energy\n"
        "      steps:\n"
        "        - {id: us-grid, actor: US, kind: investment, duration: 3, after: [by-halt]}\n"
        "override:\n"
        "  packages:\n"
        "    security: {optional: true}\n"
    )
    scenario = tiny(variants=(v,))
    assert [p.id for p in scenario.packages] == ["security", "energy"]
    assert list(scenario.steps) == ["by-pledge", "by-halt", "us-grid"]
    assert scenario.packages[0].optional
    assert [what for _, what in scenario.changes] == [
        "removed rule 'relief-window'",
        "removed package 'relief' and its 2 steps",
        "added package 'energy' with 1 step",
        "package 'security': optional (unset) → true",
    ]


def test_a_command_that_declares_the_options_gets_them_in_scenario(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Commands call `scenario(packages, constraints)`: declaring `variant: VariantOpt`
    and `sets: SetOpt` is enough, the options keep what the command line gave them."""
    import importlib

    app = importlib.import_module("planner.cli.app")  # the module (planner.cli.app is the app)
    monkeypatch.setattr(app, "_GIVEN", {})
    app._given("--variant")(None)
    app._given("--set")(["by-halt.duration=3"])
    loaded = app.scenario(DEAL / "packages.yaml", DEAL / "constraints")
    assert loaded.steps["by-halt"].duration == 3
    assert "variant --set 'by-halt.duration=3': 1 change" in capsys.readouterr().err
