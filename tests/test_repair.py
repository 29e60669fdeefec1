"""`check` in the negotiator's loop, and `repair`: the closest roadmap that keeps every rule.

- a roadmap edited by moving `start` alone is re-checked (derived fields recomputed, with a
  note), and the move is judged;
- every required step the roadmap leaves out is a `coverage` violation, unless --partial;
- `repair` finds the roadmap nearest the proposed one that keeps every hard rule: on tiny
  random scenarios exactly as near as a brute-force search finds, and always clean;
- held steps (`--keep`, `--keep-before`) stay put, and when they make the rules impossible
  the why-not names them.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from planner.api import load_scenario
from planner.check import check
from planner.render.repair import repair_text
from planner.scenario import Scenario
from planner.schedule.bounds import horizon
from planner.solver.repair import repair
from tests.helpers import Maker, rule, step
from tests.helpers import cli as run
from tests.test_solver_properties import PROPERTY, scenarios

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "examples" / "brief-roadmap.yaml"
SCHEMA = json.loads((ROOT / "docs" / "repair-report.schema.json").read_text(encoding="utf-8"))


def brief_starts() -> dict[str, int]:
    return {
        s: int(t) for s, t in re.findall(r"\{step: ([\w.@-]+), start: (\d+)\}", BRIEF.read_text())
    }


def roadmap_file(path: Path, starts: dict[str, int]) -> Path:
    path.write_text(
        "roadmap:\n  steps:\n"
        + "".join(f"    - {{step: {s}, start: {t}}}\n" for s, t in starts.items())
    )
    return path


# ---- the negotiator's loop ----------------------------------------------------------------


def test_moving_a_step_in_a_plan_file_by_its_start_alone_is_judged(tmp_path: Path) -> None:
    """`plan -o`, then a person moves the potash licence from week 20 to week 15 by editing
    its `start`: its end and done are recomputed (a note each, on stderr) and the move
    breaks its precondition (revenue sharing is verified in week 20)."""
    out = tmp_path / "r.yaml"
    assert run("plan", "-o", str(out)).returncode == 0
    text = out.read_text()
    line = next(x for x in text.splitlines() if '"us-potash-license"' in x)
    assert "start: 20," in line
    out.write_text(text.replace(line, line.replace("start: 20,", "start: 15,")))
    result = run("check", str(out))
    assert result.returncode == 1
    assert "us-potash-license starts in week 15" in result.stdout
    notes = result.stderr.splitlines()
    assert len(notes) == 2 and all("note: step 'us-potash-license'" in n for n in notes)
    assert "'end' is 21, but the scenario gives 16: recomputed" in notes[0]


def test_a_roadmap_without_the_humanitarian_track_is_caught(tmp_path: Path) -> None:
    scenario = load_scenario()
    starts = brief_starts()
    humanitarian = {s for s in starts if scenario.steps[s].package == "humanitarian"}
    path = roadmap_file(
        tmp_path / "r.yaml", {s: t for s, t in starts.items() if s not in humanitarian}
    )
    result = run("check", str(path))
    assert result.returncode == 1
    assert "[coverage] coverage:humanitarian" in result.stdout
    assert "us-helsinki-dialogue (Open a respectful" in result.stdout
    # The dialogue, its renewal, the two working groups, the releases.
    assert "  by kind: coverage 5" in result.stdout
    assert run("check", str(path), "--partial").returncode == 0


def test_coverage_names_the_earliest_start_and_respects_optional(make: Maker) -> None:
    """b waits for a (done in week 2): left out, its repair names week 2. c is optional,
    and every step of the optional package p2 may be left out too."""
    s = make(
        [
            step("a", 2),
            step("b", 1, after=["a"]),
            step("c", 1, optional=True),
            step("d", 1, package="p2"),
        ]
    )
    raw = s.packages
    assert [p.optional for p in raw] == [False, False]
    report = check(s, {"a": 0})
    assert [(v.rule, v.steps) for v in report.violations] == [
        ("coverage:main", ("b",)),
        ("coverage:p2", ("d",)),
    ]
    assert report.violations[0].repair.startswith("schedule b in week 2 or later")
    optional_package = make.from_yaml(
        "scenario: {name: t}\nactors: {US: us}\npackages:\n"
        "  - {id: p, optional: true, steps: [{id: a, actor: US, kind: k, duration: 1}]}\n"
    )
    assert check(optional_package, {}).is_clean


def test_an_alternative_is_not_required_once_another_is_scheduled(make: Maker) -> None:
    """x may start after either r1 or r2 (whichever first): with r1 scheduled, r2 is only
    an alternative and may be left out; with neither, both are reported."""
    s = make(
        [step("r1", 1), step("r2", 1), step("x", 1, after=[{"any": ["r1", "r2"]}])],
    )
    assert check(s, {"r1": 0, "x": 1}).is_clean
    missing = {v.steps[0] for v in check(s, {"x": 0}).violations if v.kind == "coverage"}
    assert missing == {"r1", "r2"}


# ---- repair, end to end -------------------------------------------------------------------


def test_repair_of_a_perturbed_plan_moves_no_more_than_the_way_back(tmp_path: Path) -> None:
    scenario = load_scenario()
    planned = brief_starts()
    perturbed = dict(planned)
    for s, delta in [("us-potash-license", -6), ("by-hybrid-halt", -5), ("us-ev-relief", 4),
                     ("us-by-investment-fund", -3)]:  # fmt: skip
        perturbed[s] += delta
    back = sum(abs(perturbed[s] - planned[s]) for s in planned)
    result = repair(scenario, perturbed)
    assert result.status == "repaired" and result.proven
    assert result.total <= back
    assert check(scenario, result.starts).is_clean
    path = roadmap_file(tmp_path / "p.yaml", perturbed)
    out = tmp_path / "fixed.yaml"
    cli = run("repair", str(path), "-o", str(out))
    assert cli.returncode == 0, cli.stderr
    assert f"moves {result.num_moved} steps, {result.total} weeks in all" in cli.stdout
    assert run("check", str(out)).returncode == 0


def test_a_clean_roadmap_needs_no_repair() -> None:
    result = run("repair", str(BRIEF))
    assert result.returncode == 0
    assert "it already keeps every hard rule: nothing to repair" in result.stdout


def test_repair_schedules_left_out_steps_and_drops_red_lines(tmp_path: Path) -> None:
    starts = brief_starts()
    del starts["us-helsinki-dialogue"]
    starts["by-close-airspace-to-russia"] = 0
    result = run("repair", str(roadmap_file(tmp_path / "r.yaml", starts)), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    Draft202012Validator(SCHEMA).validate(doc)
    moves = {m["step"]: m for m in doc["moves"]}
    assert moves["us-helsinki-dialogue"]["from"] is None
    assert moves["by-close-airspace-to-russia"]["to"] is None
    assert moves["by-close-airspace-to-russia"]["why"] == ["no-airspace-closure-demand"]
    assert doc["clean_after"] is True and doc["status"] == "repaired"


def test_a_sequence_keeps_its_order_where_the_rules_allow(make: Maker) -> None:
    """Written b, a, c: b (1 week) goes first, then a, then c, which must wait for a.
    Nothing forces another order, so none is inverted and nothing moves."""
    s = make([step("a", 1), step("b", 1), step("c", 1, after=["a"])])
    from planner.roadmap.sequence import starts_from_sequence

    proposed = starts_from_sequence(s, ["b", "a", "c"])
    assert proposed == {"b": 0, "a": 0, "c": 1}
    result = repair(s, proposed, sequence=["b", "a", "c"])
    assert result.status == "clean"


def test_the_order_of_a_sequence_wins_over_distance(make: Maker) -> None:
    """Sequence [a, b] with a window making a start no earlier than week 3: repairing the
    sequence's times (a 0, b 0) keeps b after a (b → 3) rather than leave b at week 0."""
    s = make([step("a", 1), step("b", 1)], [rule("window", "late-a", steps=["a"], earliest=3)])
    result = repair(s, {"a": 0, "b": 0}, sequence=["a", "b"])
    assert result.starts == {"a": 3, "b": 3}
    unordered = repair(s, {"a": 0, "b": 0})
    assert unordered.starts == {"a": 3, "b": 0}


# ---- held steps ---------------------------------------------------------------------------


def test_keep_holds_steps_and_keep_before_holds_the_past(tmp_path: Path) -> None:
    starts = brief_starts()
    starts["us-potash-license"] = 14  # too early: its counter-step is verified in week 20
    path = roadmap_file(tmp_path / "r.yaml", starts)
    free = repair(load_scenario(), starts)
    assert [m.step for m in free.moved] == ["us-potash-license"]
    result = run("repair", str(path), "--keep-before", "13", "--format", "json")
    doc = json.loads(result.stdout)
    assert result.returncode == 0
    assert [m["step"] for m in doc["moves"]] == ["us-potash-license"]


def test_a_held_step_that_breaks_a_rule_by_itself_is_the_why_not(tmp_path: Path) -> None:
    starts = brief_starts()
    starts["us-potash-license"] = 14
    path = roadmap_file(tmp_path / "r.yaml", starts)
    result = run("repair", str(path), "--keep", "us-potash-license")
    assert result.returncode == 1
    assert "[held] keep:us-potash-license  (--keep)" in result.stdout
    assert "us-potash-license is held in week 14, where the roadmap has it" in result.stdout
    assert "it is held in week 14: 6 weeks short" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keep", "us-potash-licence"], "--keep: unknown step 'us-potash-licence' (did you mean 'us-potash-license'?)"),
        (["--keep", "by-close-airspace-to-russia"], "--keep: by-close-airspace-to-russia is not in the roadmap, so it cannot be held"),
        (["--keep-before", "-1"], "Invalid value for '--keep-before'"),
        (["--time-limit", "nan"], "Invalid value for '--time-limit'"),
        (["--seed", "2147483648"], "Invalid value for '--seed'"),
        (["--format", "xml"], "Invalid value for '--format'"),
        (["-o", str(BRIEF)], "is an input of this command"),
    ],
)  # fmt: skip
def test_bad_options_of_repair_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run("repair", str(BRIEF), *args)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert message in line


def test_a_bad_roadmap_is_bad_input_for_repair(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("roadmap:\n  steps:\n    - {step: nope, start: 0}\n")
    result = run("repair", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().endswith("roadmap: unknown step 'nope'")


# ---- properties ---------------------------------------------------------------------------


def nearest_by_brute_force(scenario: Scenario, proposed: dict[str, int]) -> int | None:
    """The least total displacement of a clean roadmap over every start up to the horizon
    past the latest proposed start (the room the repair has)."""
    ids = sorted(proposed)
    top = horizon(scenario, ids) + max(proposed.values(), default=0)
    best: int | None = None
    for times in itertools.product(range(top + 1), repeat=len(ids)):
        distance = sum(abs(t - proposed[s]) for s, t in zip(ids, times, strict=True))
        if best is not None and distance >= best:
            continue
        if check(scenario, dict(zip(ids, times, strict=True))).is_clean:
            best = distance
    return best


@PROPERTY
@given(scenarios(), st.data())
def test_repair_is_as_near_as_brute_force_and_clean(scenario: Scenario, data: Any) -> None:
    ids = [s for s in scenario.steps if s not in scenario.forbidden()]
    proposed = {s: data.draw(st.integers(0, 4)) for s in ids}
    result = repair(scenario, proposed, time_limit=10)
    best = nearest_by_brute_force(scenario, proposed)
    if best is None:
        assert result.status == "infeasible", result
        return
    assert result.status in ("clean", "repaired")
    assert check(scenario, result.starts).is_clean
    assert result.total == best


# ---- issue 19: repair and optional steps, the past, Ctrl-C ---------------------------------


def test_repair_adds_a_left_out_optional_step_that_another_needs(
    make: Maker, tmp_path: Path
) -> None:
    """Issue 19 item 9. y (required) waits for x (optional), which the roadmap leaves out:
    no roadmap keeps every rule without x, so the closest repair schedules x (one optional
    step added, the least change of content) and leaves y where it is. `check`'s summary,
    its advice and `explain` agree: the repair is possible, and x is what it adds."""
    steps = [step("x", 2, optional=True), step("y", 1, after=["x"])]
    scenario = make(steps)
    result = repair(scenario, {"y": 5})
    assert result.status == "repaired" and result.proven
    assert [(m.step, m.before, m.after) for m in result.moves] == [("x", None, 0)]
    assert result.total == 0 and check(scenario, result.starts).is_clean
    packages, constraints = make.paths(steps)
    road = roadmap_file(tmp_path / "r.yaml", {"y": 5})
    scenario_args = ["--packages", str(packages), "--constraints", str(constraints)]
    checked = run("check", str(road), *scenario_args)
    assert checked.returncode == 1
    assert "repair: `planner repair` schedules 1 left-out step" in checked.stdout
    assert "no roadmap keeps every hard rule" not in checked.stdout
    assert "schedule x before y" in checked.stdout
    repaired = run("repair", str(road), *scenario_args)
    assert repaired.returncode == 0, repaired.stdout
    assert "the closest repair schedules 1 left-out step" in repaired.stdout
    assert run("explain", *scenario_args).returncode == 0


def test_repair_leaves_out_an_optional_step_no_roadmap_can_hold(make: Maker) -> None:
    """Issue 19 item 9. y is optional and waits for z, a red line: no roadmap schedules y,
    so the repair leaves it out (and says so), where it used to answer that no roadmap
    keeps every rule "with the steps held" though nothing was held."""
    scenario = make(
        [step("y", 1, optional=True, after=["z"]), step("z", 1), step("w", 1)],
        [rule("forbid", "no-z", steps=["z"])],
    )
    result = repair(scenario, {"y": 0, "w": 0})
    assert result.status == "repaired"
    assert [(m.step, m.before, m.after, m.red_line) for m in result.moves] == [
        ("y", 0, None, False)
    ]
    assert check(scenario, result.starts).is_clean
    text = repair_text(scenario, result, "r.yaml")
    assert "the closest repair leaves out 1 optional step" in text


def test_an_impossible_repair_without_held_steps_does_not_say_held(make: Maker) -> None:
    """Issue 19 item 9. Nothing is held and no choice of steps can keep the rules (b must
    start by week 1 but waits for a, done in week 3): the answer names the rules, and
    does not speak of held steps."""
    scenario = make(
        [step("a", 3), step("b", 1, after=["a"])],
        [rule("window", "b-early", steps=["b"], latest=1)],
    )
    result = repair(scenario, {"a": 0, "b": 0})
    assert result.status == "infeasible"
    text = repair_text(scenario, result, "r.yaml")
    assert text.startswith("No roadmap keeps every hard rule.\n")
    assert "held" not in text.split("\n")[0]


def test_keep_before_never_moves_a_step_into_the_past(make: Maker, tmp_path: Path) -> None:
    """Issue 19 item 12. c must start by week 8; the roadmap has it in week 20. Without
    held steps the closest repair moves it to week 8; with `--keep-before 12` weeks 0-11
    already happened, so c can only start in week 12 or later: no roadmap exists, and the
    why-not says so (as `plan --keep --as-of 12` refuses the same case)."""
    steps = [step("a", 1), step("c", 1)]
    rules = [rule("window", "c-by-week-8", steps=["c"], latest=8)]
    scenario = make(steps, rules)
    assert repair(scenario, {"a": 0, "c": 20}).starts == {"a": 0, "c": 8}
    held = repair(scenario, {"a": 0, "c": 20}, as_of=12)
    assert held.status == "infeasible" and held.conflict is not None
    assert sorted(c.name for c in held.conflict.culprits) == ["as-of-12", "c-by-week-8"]
    # A step the roadmap starts at or after the as-of time may move, but not before it.
    later = repair(scenario, {"a": 0, "c": 20}, as_of=5)
    assert later.starts == {"a": 0, "c": 8}
    packages, constraints = make.paths(steps, rules)
    road = roadmap_file(tmp_path / "r.yaml", {"a": 0, "c": 20})
    cli = run("repair", str(road), "--keep-before", "12", "--packages", str(packages),
              "--constraints", str(constraints))  # fmt: skip
    assert cli.returncode == 1
    assert "starts before week 12 held where it is and nothing else starting before then" in (
        cli.stdout
    )
    assert "[window] as-of-12  (--keep-before)" in cli.stdout


def test_keep_before_schedules_left_out_steps_after_it(make: Maker) -> None:
    """Issue 19 item 12. b (required) is left out of the roadmap: the repair schedules it,
    but no earlier than the as-of time (week 6), though its conditions allow week 0."""
    scenario = make([step("a", 1), step("b", 1)])
    result = repair(scenario, {"a": 0}, as_of=6)
    assert result.starts == {"a": 0, "b": 6}


def _ctrl_c_before_solve(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Press Ctrl-C (call the SIGINT handler the repair installs) before every solve but
    the first `after` ones."""
    import signal

    from planner.solver import search as search_module

    original = search_module.Search.solve
    calls = [0]

    def solve(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] > after:
            handler = signal.getsignal(signal.SIGINT)
            assert callable(handler)
            handler(signal.SIGINT, None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(search_module.Search, "solve", solve)


def test_an_interrupted_repair_says_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19 item 14. Ctrl-C after the first solve: the repair found so far, marked
    interrupted, says Ctrl-C stopped the search (not "the time limit")."""
    from planner import interrupt

    scenario = load_scenario()
    starts = brief_starts()
    starts["us-potash-license"] = 14
    _ctrl_c_before_solve(monkeypatch, after=1)
    monkeypatch.setattr(interrupt, "_pressed", False)
    result = repair(scenario, starts)
    assert result.status == "repaired" and result.interrupted and not result.proven
    text = repair_text(scenario, result, "r.yaml")
    assert "Ctrl-C stopped the search before it proved no roadmap is closer" in text
    assert "time limit" not in text


def test_check_interrupted_while_sizing_the_repair_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 19 item 14. Ctrl-C before any solve of the sizing: the summary says the
    sizing was interrupted, not that `planner repair` needs more time."""
    from planner import interrupt
    from planner.render.report import report_text
    from planner.whatif.triage import triage

    scenario = load_scenario()
    starts = brief_starts()
    starts["us-potash-license"] = 14
    _ctrl_c_before_solve(monkeypatch, after=0)
    monkeypatch.setattr(interrupt, "_pressed", False)
    report = check(scenario, starts)
    summary = triage(scenario, starts, report)
    assert summary.repair is not None and summary.repair.status == "unknown"
    assert summary.repair.interrupted
    text = report_text(report, scenario, summary)
    assert "repair: sizing it was interrupted" in text
    assert "with more time" not in text


@PROPERTY
@given(scenarios(), st.data())
def test_repair_at_scale_is_never_farther_than_the_shift_and_proven_only_when_closest(
    scenario: Scenario, data: Any
) -> None:
    """The large-deal path (the shifted proposal, neighbourhoods, the whole model for the
    proof), forced on tiny random scenarios: its roadmap keeps every rule, is never
    farther from the proposal than the shifted one (when that keeps every rule), and is
    said to be the closest only when brute force finds none closer."""
    from unittest.mock import patch

    from planner.solver import repair as repair_module

    ids = [s for s in scenario.steps if s not in scenario.forbidden()]
    proposed = {s: data.draw(st.integers(0, 4)) for s in ids}
    with patch.object(repair_module, "SMALL_STEPS", 0):
        result = repair(scenario, proposed, time_limit=10)
    best = nearest_by_brute_force(scenario, proposed)
    if best is None:
        assert result.status == "infeasible", result
        return
    assert result.status in ("clean", "repaired"), result
    assert check(scenario, result.starts).is_clean
    assert result.total >= best
    if result.proven:
        assert result.total == best
    chosen = [s for s in scenario.steps if s in set(ids) | set(scenario.required())]
    shifted = repair_module.shifted_proposal(scenario, chosen, proposed, check(scenario, proposed))
    if shifted is not None and result.status == "repaired":
        assert result.total <= sum(abs(shifted[s] - t) for s, t in proposed.items())
