"""The command line end to end: the manual's promises, exit codes, golden output.

Golden files under tests/golden/ were read line by line when written: each number in
them is explained in the roadmap file's header comment.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import cli as run
from tests.helpers import cli_process, imported_by

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"


def test_validate_the_default() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert "U.S.–Belarus normalization roadmap: valid" in result.stdout
    assert "steps: 78" in result.stdout
    for kind in ("balance", "continuity", "delink", "forbid", "gate", "order", "precedence",
                 "reciprocity", "simultaneous", "window"):  # fmt: skip
        assert kind in result.stdout


def test_validate_works_from_any_directory(tmp_path: Path) -> None:
    assert run("validate", cwd=tmp_path).returncode == 0


def test_golden_check_report_on_the_default() -> None:
    """Aviation parts licensed in week 10: before the no-resale pledge is verified (week 19,
    so 9 weeks too early, both as a precondition and as reciprocity), before the gate
    (pledge verified in week 12: 2 weeks), and before the EV relief (week 22) against both
    graduated-order rules (lower risk first: 12 weeks; most lucrative first, two weeks
    apart: 14); the licence's renewal, left in week 48, comes 37 weeks after the licence is
    done (week 11) instead of 23 (renewed two weeks before its six months run out): 14
    weeks late; the first SDN delistings in week 9 miss the good-faith window (latest week
    8) by 1 week. The summary first: the parts license takes part in six of the seven
    violations, and the closest repair moves the delistings 1 week earlier and the parts
    license 14 weeks later (week 24, two weeks after the EV relief, which puts its renewal
    back in step): 2 steps, 15 weeks."""
    result = run("check", "tests/golden/aviation-early.yaml")
    assert result.returncode == 1
    assert result.stdout == (GOLDEN / "aviation-early.txt").read_text()


def test_the_example_roadmap_passes() -> None:
    result = run("check", "examples/brief-roadmap.yaml")
    assert result.returncode == 0, result.stdout
    assert "Verdict: the roadmap keeps every hard rule." in result.stdout


def test_everything_at_week_zero_breaks_every_gate_precedence_and_reciprocity_rule() -> None:
    """With every step in week 0 nothing is verified before anything starts, so every
    gate, precedence and reciprocity rule of the default is broken (each named, with
    numbers, source and repair)."""
    from planner.api import load_scenario

    scenario = load_scenario()
    result = run("check", "examples/everything-at-week-0.yaml", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    broken = {v["rule"] for v in report["violations"]}
    for rule in scenario.rules:
        if rule.kind in ("gate", "precedence", "reciprocity") and not rule.soft:
            assert rule.id in broken, rule.id
    for v in report["violations"]:
        assert v["source"] and v["repair"] and v["message"]
        assert any(ch.isdigit() for ch in v["message"])


def test_plan_writes_a_roadmap_that_check_accepts(tmp_path: Path) -> None:
    out = tmp_path / "r.yaml"
    result = run("plan", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Roadmap 1 (best)" in result.stdout and "proven optimal" in result.stdout
    check = run("check", str(out))
    assert check.returncode == 0, check.stdout
    for suffix in (".json", ".csv"):
        other = tmp_path / f"r{suffix}"
        assert run("plan", "-o", str(other)).returncode == 0
        assert run("check", str(other)).returncode == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_plan_is_byte_identical_across_runs() -> None:
    """In two processes (each with its own hash seed) as in one."""
    first = run("plan", "--alternatives", "2", "--format", "json")
    second = cli_process("plan", "--alternatives", "2", "--format", "json")
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_alternatives_differ_in_package_order(tmp_path: Path) -> None:
    """Three relief orders, each said in one sentence; with --differ-by 30 the reversed
    pair opens 30 weeks apart (potash in week 20, the second SDN tranche in 50)."""
    result = run("plan", "--alternatives", "3", "--format", "json")
    doc = json.loads(result.stdout)
    orders = [tuple(c["package_order"]) for c in doc["candidates"]]
    assert len(orders) == 3 and len(set(orders)) == 3
    best = doc["candidates"][0]["values"]["penalty"]
    for cand in doc["candidates"]:
        assert cand["values"]["penalty"] <= best * 1.05
    text = run("plan", "-k", "2", "--differ-by", "30").stdout
    assert (
        "  how it differs: It opens package potash 30 weeks before package sdn-delistings (weeks 20 and 50;"
        in text
    )


def test_an_impossible_window_names_exactly_the_colliding_rules(tmp_path: Path) -> None:
    """Aviation relief cannot start before the no-resale pledge is verified (week 7 at the
    earliest), so a window ending it in week 2 collides with the parts license's
    precondition, and with nothing else."""
    constraints = tmp_path / "constraints"
    constraints.mkdir()
    for f in (ROOT / "constraints").glob("*.yaml"):
        (constraints / f.name).write_text(f.read_text())
    (constraints / "zz.yaml").write_text(
        "rules:\n"
        "  - {id: aviation-by-week-2, kind: window, steps: {package: aviation, kind: relief},"
        " latest: 2, source: test}\n"
    )
    for command in ("plan", "explain"):
        result = run(command, "--constraints", str(constraints))
        assert result.returncode == 1
        names = [
            line.split("]")[1].split()[0]
            for line in result.stdout.splitlines()
            if line.startswith("[")
        ]
        assert names == ["after:us-aviation-parts-license", "aviation-by-week-2"]
        assert "cannot start before week 7" in result.stdout
        assert "5 weeks short" in result.stdout


def test_explain_on_the_default_finds_no_conflict() -> None:
    result = run("explain")
    assert result.returncode == 0
    assert "every hard rule can hold together" in result.stdout


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "yaml"])
def test_plan_formats(fmt: str) -> None:
    result = run("plan", "--format", fmt)
    assert result.returncode == 0
    if fmt == "json":
        assert json.loads(result.stdout)["status"] == "found"
    elif fmt == "yaml":
        import yaml

        assert yaml.safe_load(result.stdout)["status"] == "found"
    elif fmt == "markdown":
        assert "| start" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--objective", "speed"], "--objective: unknown objective 'speed'"),
        (["plan", "-o", "/nonexistent-dir/r.yaml"], "/nonexistent-dir/r.yaml: cannot write"),
        (["plan", "--packages", "missing.yaml"], "missing.yaml: no such file"),
        (
            ["timeline", "examples/brief-roadmap.yaml", "--tablefmt", "nope"],
            "--tablefmt: unknown format 'nope'",
        ),
        (["check", "missing.yaml"], "missing.yaml: no such file"),
        (["plan", "--alternatives", "0"], "planner plan: Invalid value for '--alternatives'"),
        (["plan", "--format", "pdf"], "planner plan: Invalid value for '--format'"),
        (["check"], "planner check: Missing argument 'roadmap'"),
        (["timeline", "r.yaml", "--by", "week"], "planner timeline: Invalid value for '--by'"),
        (["nope"], "No such command 'nope'"),
        (
            ["check", "examples/brief-roadmap.yaml", "--format", "xml"],
            "Invalid value for '--format'",
        ),
        (["timeline", "r.yaml", "--phase-length", "0"], "Invalid value for '--phase-length'"),
        (["explain", "--time-limit", "0"], "Invalid value for '--time-limit'"),
        (["plan", "--seed", "-1"], "Invalid value for '--seed'"),
        (["plan", "--tolerance", "-0.5"], "Invalid value for '--tolerance'"),
        (["validate", "--constraints", "missing-dir"], "missing-dir: no such directory"),
    ],
)
def test_bad_options_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("view", ["time", "phase", "actor", "package", "leverage"])
def test_timeline_views(view: str) -> None:
    result = run("timeline", "examples/brief-roadmap.yaml", "--by", view)
    assert result.returncode == 0
    if view != "leverage":  # words before ids (issue 21 item 2): the id only with --ids
        assert "Belarus non-aggression pledge" in result.stdout
        assert "by-nonaggression-pledge" not in result.stdout
        with_ids = run("timeline", "examples/brief-roadmap.yaml", "--by", view, "--ids").stdout
        assert "by-nonaggression-pledge" in with_ids
    if view == "actor":
        assert "BY: Belarus" in result.stdout
    if view == "phase":  # the default scenario's own phases
        assert "Phase 1: Security first: the pledges exchanged" in result.stdout
        assert "Phase 4: Longer term" in result.stdout
    if view == "leverage":
        assert "1. Security first: the pledges exchanged" in result.stdout


def test_fixed_phases_on_request() -> None:
    """--phase-length 13 gives quarters instead of the scenario's phases. A phase runs from
    its first week until the next phase's first (issue 21: "done week 2 (2027-01-18)" read
    as after a phase said to end on 2027-01-17)."""
    result = run("timeline", "examples/brief-roadmap.yaml", "--by", "phase", "--phase-length", "13")
    assert result.returncode == 0
    assert "Phase 1: week 0 until week 13 (2027-01-04 until 2027-04-05)" in result.stdout
    assert "Security first" not in result.stdout


def test_each_command_summary_is_one_paragraph() -> None:
    """`planner --help` lists each command by the first paragraph of its help, keeping its
    line breaks: a summary written over several lines prints broken mid-sentence."""
    import typer.main

    from planner.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        first = (command.help or "").strip().split("\n\n")[0]
        assert "\n" not in first, name


#: Commands that need no solver, so must not pay for importing it.
NO_SOLVER = [["--help"], ["validate"], ["check", "examples/brief-roadmap.yaml"],
             ["timeline", "examples/brief-roadmap.yaml"],
             ["validate", "--explain", "us-aviation-parts-license"],
             ["schema", "packages"], ["graph", "--format", "mermaid"],
             ["check", "examples/brief-roadmap.yaml", "--slack", "--set", "*:value+=0"],
             ["timeline", "examples/brief-roadmap.yaml", "--slack"],
             ["diff", "examples/brief-roadmap.yaml", "examples/brief-roadmap.yaml",
              "--b-set", "*:verify.duration*=2"]]  # fmt: skip
# (`simulate` of the default plans its three contingency branches before the runs, as
# `planner contingency` does: it needs the solver.)


def test_ortools_is_not_imported() -> None:
    """Each command of NO_SOLVER runs to its answer without importing ortools; `plan`,
    run last, does (so the watch sees an import when there is one)."""
    *found, planned = imported_by([*NO_SOLVER, ["plan"]], ["ortools"])
    for args, code, imported in found:
        assert (code, imported) == (0, []), f"{args}: exit {code}, imported {imported}"
    assert planned[1:] == (0, ["ortools"])


def test_help_reads_no_scenario_code() -> None:
    """`planner --help` and `planner plan --help` import the command line alone: no YAML
    reader, no loader, no roadmap reader (they cost start-up time and help needs none)."""
    heavy = ["yaml", "planner.load", "planner.roadmap", "ortools"]
    for args, code, imported in imported_by([["--help"], ["plan", "--help"]], heavy):
        assert (code, imported) == (0, []), args


def run_in_terminal(*args: str, columns: int) -> str:
    """The command's output in a terminal `columns` wide (a pseudo-terminal)."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "planner", *args], stdout=follower,
                            stderr=follower, cwd=ROOT, env=env)  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def _without_change_log(text: str) -> str:
    """The output less the variant's change log (stderr, in the same terminal)."""
    return "\n".join(
        line for line in text.splitlines() if "--set" not in line and not line.startswith("variant")
    )


def test_long_titles_are_cut_only_to_fit_a_narrow_terminal() -> None:
    """Tables name steps by their short names (here a long one, 86 characters). Piped (no
    terminal) and in a document format the name stays whole; in a terminal 120 columns
    wide the table is cut to fit it (every line at most 120 characters), names shortened
    further with '…'; in one 400 columns wide it fits whole."""
    name = "Promise that the U.S. does not and will not engage in efforts to change the government"
    # The default names the pledge "U.S. no-regime-change pledge"; a long name is set here.
    long = ("--set", f"us-no-regime-change-pledge.short={name}")
    piped = run("timeline", "examples/brief-roadmap.yaml", *long)
    assert name in piped.stdout
    document = run("timeline", "examples/brief-roadmap.yaml", "--tablefmt", "github", *long)
    assert name in document.stdout
    terminal = run_in_terminal("timeline", "examples/brief-roadmap.yaml", *long, columns=120)
    terminal = _without_change_log(terminal)
    assert name not in terminal
    assert "Promise" in terminal and "…" in terminal
    assert max(len(line) for line in terminal.splitlines()) <= 120
    wide = run_in_terminal("timeline", "examples/brief-roadmap.yaml", *long, columns=400)
    assert name in wide


def test_a_step_that_needs_a_red_line_makes_the_plan_impossible(tmp_path: Path) -> None:
    """`relief` waits for `eject`, which a forbid rule excludes: no times can help, so the
    why-not names the red line (with its source) and the precondition, and the chain."""
    (tmp_path / "p.yaml").write_text(
        "scenario: {name: red line}\n"
        "actors: {US: United States, BY: Belarus}\n"
        "packages:\n"
        "  - id: main\n"
        "    steps:\n"
        "      - {id: eject, actor: BY, kind: commitment, duration: 1}\n"
        "      - {id: relief, actor: US, kind: relief, duration: 1, after: [eject]}\n"
    )
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "r.yaml").write_text(
        "rules:\n  - {id: no-eject, kind: forbid, steps: [eject], source: a nonstarter}\n"
    )
    result = run(
        "plan", "--packages", str(tmp_path / "p.yaml"), "--constraints", str(tmp_path / "c")
    )
    assert result.returncode == 1
    assert "cannot hold, whatever the times" in result.stdout
    assert "[forbid] no-eject" in result.stdout and 'source: "a nonstarter"' in result.stdout
    assert "relief depends on the red line eject: eject → relief" in result.stdout
