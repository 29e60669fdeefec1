"""The library face (`planner.api`): every command is one call returning a result, and the
result's renderer (`planner.render.results`) gives exactly what the command prints, so a
notebook reproduces the command line. The manual's notebook session is run as written.
The command line stays thin: every command function is short and none does the work
itself (no import of the checker, the solver or the what-if code)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import planner
from planner import api
from planner.cli import app
from planner.errors import InputError
from planner.render import results as render
from tests.helpers import Maker, rule, step
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "examples" / "brief-roadmap.yaml"
BROKEN = ROOT / "examples" / "everything-at-week-0.yaml"
UNCERTAIN = ROOT / "examples" / "variants" / "uncertain.yaml"


def as_printed(text: str) -> str:
    """`text` as the command prints it (a line end added when it has none)."""
    return text if text.endswith("\n") else text + "\n"


def printed(*args: str) -> str:
    """What the command prints on stdout, run in-process."""
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    return result.stdout


# ---- the manual's notebook session ---------------------------------------------------------


def manual_session() -> str:
    """The first Python block of the manual's page 'Library' (docs/library.md)."""
    text = (ROOT / "docs" / "library.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the manual's library page has no Python block"
    return blocks[0]


def test_the_manual_notebook_session_prints_what_plan_and_check_print() -> None:
    """The session, run as written from the repository's root, prints `planner plan`'s
    output, then `planner check examples/brief-roadmap.yaml`'s, byte for byte."""
    session = subprocess.run(
        [sys.executable, "-c", manual_session()], capture_output=True, text=True, cwd=ROOT
    )
    assert session.returncode == 0, session.stderr
    plan, check = run("plan"), run("check", "examples/brief-roadmap.yaml")
    assert plan.returncode == 0 and check.returncode in (0, 1)
    assert session.stdout == plan.stdout + check.stdout


# ---- each command is its call and its renderer --------------------------------------------


@pytest.mark.parametrize(
    ("args", "fmt", "partial", "slack"),
    [
        ([str(BRIEF)], "text", False, False),
        ([str(BROKEN), "--format", "json"], "json", False, False),
        ([str(BRIEF), "--slack", "--partial"], "text", True, True),
        ([str(BRIEF), "--slack", "--format", "json"], "json", False, True),
    ],
)
def test_check(args: list[str], fmt: str, partial: bool, slack: bool) -> None:
    scenario = api.load_scenario()
    result = api.check_roadmap(scenario, args[0], partial, slack)
    assert printed("check", *args) == render.check_output(result, fmt) + "\n"
    # the result holds what the text says
    assert result.is_clean == (args[0] == str(BRIEF))
    assert (result.slack is not None) == slack


def test_check_a_roadmap_read_already() -> None:
    """A `Roadmap` is taken as well as a path: the same report."""
    scenario = api.load_scenario()
    roadmap = api.load_roadmap(BROKEN, scenario)
    by_path, by_object = api.check_roadmap(scenario, BROKEN), api.check_roadmap(scenario, roadmap)
    assert render.check_output(by_path) == render.check_output(by_object)
    assert not by_object.is_clean and by_object.overview.by_kind


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ([], {}),
        (["--by", "phase", "--tablefmt", "github"], {"view": "phase", "tablefmt": "github"}),
        (["--slack"], {}),
        (["--format", "csv", "--columns", "step,start"], {"fmt": "csv", "columns": ("step", "start")}),
        (["--format", "json", "--phase-length", "8"], {"fmt": "json"}),
    ],
)  # fmt: skip
def test_timeline(args: list[str], kwargs: dict[str, object]) -> None:
    scenario = api.load_scenario()
    phase = 8 if "--phase-length" in args else None
    result = api.timeline_view(scenario, BRIEF, phase, "--slack" in args)
    expected = render.timeline_output(result, **kwargs)  # type: ignore[arg-type]
    assert printed("timeline", str(BRIEF), *args) == as_printed(expected)


def test_repair_and_its_output_file(tmp_path: Path) -> None:
    """What `repair` prints is the result's rendering; the file it writes is the repaired
    roadmap, which `check` finds clean."""
    scenario = api.load_scenario()
    result = api.repair(scenario, BROKEN)
    assert result.is_repaired and result.repair.moves
    out = tmp_path / "fixed.yaml"
    assert printed("repair", str(BROKEN), "-o", str(out)) == render.repair_output(result) + "\n"
    assert api.check_roadmap(scenario, out).is_clean


def test_repair_refuses_unknown_held_steps_in_the_order_given(make: Maker) -> None:
    """--keep names: each bad one is one line, in the order given, exit 2."""
    deal = [step("pledge"), step("relief", after=["pledge"])]
    scenario = make(deal, [rule("window", steps=["relief"], latest=9)])
    with pytest.raises(InputError) as caught:
        api.repair(scenario, api.Roadmap("r.yaml", {"pledge": 0}), keep=["zz", "relief", "qq"])
    assert caught.value.lines() == [
        "--keep: unknown step 'zz'",
        "--keep: relief is not in the roadmap, so it cannot be held",
        "--keep: unknown step 'qq'",
    ]


def test_plan_replan_and_explain() -> None:
    scenario = api.load_scenario()
    result = api.plan(scenario, alternatives=2)
    assert printed("plan", "-k", "2", "--format", "json") == (
        render.plan_output(scenario, result, "json") + "\n"
    )
    best = api.Roadmap("best", dict(result.candidates[0].starts))
    again = api.replan(scenario, best, 10, name="best.yaml")
    assert again.status == "found"
    assert api.explain(scenario) is None


def test_diff_of_two_files_and_of_two_plans() -> None:
    scenario = api.load_scenario()
    files = api.diff(str(BRIEF), str(BROKEN), scenario)
    assert files.diff is not None and files.diff.moved
    assert printed("diff", str(BRIEF), str(BROKEN)) == render.diff_output(files.diff) + "\n"
    slow = api.load_scenario(sets=["*:verify.duration*=2"])
    plans = api.diff("plan", "plan", scenario, slow)
    assert plans.diff is not None
    expected = render.diff_output(plans.diff, "json") + "\n"
    assert (
        printed("diff", "plan", "plan", "--b-set", "*:verify.duration*=2", "--format", "json")
        == expected
    )


def test_diff_when_a_plan_finds_no_roadmap(make: Maker) -> None:
    """B's window is impossible (a 5-week step done by week 2): the result says why, no
    comparison."""
    scenario = make([step("a", 5)], [rule("window", steps=["a"], latest=2, measure="done")])
    found = api.diff("plan", "plan", scenario)
    assert found.diff is None and found.no_plan is not None
    assert found.no_plan.result.status == "infeasible"


def test_simulate_and_its_histogram(tmp_path: Path) -> None:
    scenario = api.load_scenario(variants=[UNCERTAIN])
    result = api.simulate(scenario, BRIEF, runs=50, seed=3)
    args = ["simulate", str(BRIEF), "--variant", str(UNCERTAIN), "--runs", "50", "--seed", "3"]
    assert printed(*args, "--format", "json") == render.simulate_output(result, "json") + "\n"
    out = tmp_path / "h.png"
    assert printed(*args, "-o", str(out))
    assert out.read_bytes() == render.histogram(result)


def test_gantt_and_report(tmp_path: Path) -> None:
    scenario = api.load_scenario()
    result = api.document(scenario, BRIEF)
    assert result.name == "brief-roadmap.yaml"
    chart = render.chart_output(result, "mermaid")
    assert printed("gantt", str(BRIEF), "--format", "mermaid") == f"{chart}\n"
    out = tmp_path / "r.md"
    printed("report", str(BRIEF), "-o", str(out))
    assert out.read_text() == render.report_output(result, "md")


def test_validate_explain_and_graph() -> None:
    scenario = api.load_scenario()
    assert printed("validate") == api.scenario_summary(scenario) + "\n"
    item = "us-aviation-parts-license"
    assert printed("validate", "--explain", item) == as_printed(api.describe(scenario, item))
    from planner.explore.graph import RENDERERS

    near = api.graph(scenario, item, 1)
    assert item in near.steps and len(near.steps) < len(scenario.steps)
    assert printed("graph", "--around", item) == as_printed(RENDERERS["dot"](near))


def test_the_top_level_names_every_call_and_renderer() -> None:
    """`import planner` is enough: every name of `__all__` resolves (loaded on first use)."""
    for name in planner.__all__:
        assert getattr(planner, name) is not None
    assert planner.check_roadmap is api.check_roadmap
    assert planner.check_output is render.check_output


# ---- the command line stays thin ---------------------------------------------------------

CLI = ROOT / "planner" / "cli"
#: The work the library does: the command line calls `planner.api` for it.
WORK = ("planner.check", "planner.solver", "planner.whatif", "planner.schedule", "planner.rules")


def commands() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                "command" in ast.unparse(d) for d in node.decorator_list
            ):
                found.append((path.name, node))
    return found


def test_every_command_function_is_at_most_40_lines() -> None:
    """Options are declared once (`Annotated` aliases), the work is one library call: a
    command function (its decorator, signature and docstring included) stays short."""
    sizes = {f"{file}:{node.name}": node.end_lineno - node.lineno + 2 for file, node in commands()}  # type: ignore[operator]
    assert len(sizes) >= 13
    assert {name: n for name, n in sizes.items() if n > 40} == {}


def test_the_command_line_does_no_work_itself() -> None:
    """No module of `planner/cli` imports the checker, the solver, the what-if code, the
    greedy or the rules, at any level: it calls `planner.api`."""
    for path in CLI.glob("*.py"):
        tree = ast.parse(path.read_text())
        typing_only = {  # `if TYPE_CHECKING:` imports: names for mypy, no work
            id(n) for b in ast.walk(tree) if isinstance(b, ast.If)
            and ast.unparse(b.test) == "TYPE_CHECKING" for n in ast.walk(b)
        }  # fmt: skip
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                assert not name.startswith(WORK), f"{path.name} imports {name}"
