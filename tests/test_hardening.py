"""Hostile but realistic use: no input file is ever overwritten, every output is whole or
absent, Ctrl-C and closed pipes answer in one line, and valid input never gives a
traceback. Each test names the case of the hardening issue it covers.

These run the real command (`python -m planner`) where the process's own behaviour is
the point (exit codes, signals, stdout); the rest run in-process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.api import load_scenario
from planner.errors import MAX_LISTED, InputError
from planner.load.files import default_paths
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 2, no traceback, exactly one line on stderr (returned)."""
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    """A copy of the default scenario in its own folder: deal/packages.yaml, deal/constraints."""
    packages, constraints = default_paths()
    d = tmp_path / "deal"
    d.mkdir()
    shutil.copy(packages, d / "packages.yaml")
    shutil.copytree(constraints, d / "constraints")
    return d


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def scenario_args(d: Path) -> list[str]:
    return ["--packages", str(d / "packages.yaml"), "--constraints", str(d / "constraints")]


# ---- 1. inputs are never overwritten ----------------------------------------------------


@pytest.mark.parametrize("target", ["packages.yaml", "constraints/balance.yaml"])
def test_output_onto_an_input_is_refused_even_with_force(deal: Path, target: str) -> None:
    before = hashes(deal)
    line = one_line_refusal(run("plan", *scenario_args(deal), "-o", str(deal / target), "--force"))
    assert line.endswith("is an input of this command; write the output elsewhere")
    assert hashes(deal) == before


def test_a_new_yaml_in_the_constraints_folder_is_refused(deal: Path) -> None:
    """It would be read as a rule file next time."""
    line = one_line_refusal(
        run("plan", *scenario_args(deal), "-o", str(deal / "constraints/r.yaml"), "--force")
    )
    assert "where it would be read as rules" in line
    assert not (deal / "constraints/r.yaml").exists()


def test_the_scenarios_own_folder_needs_force(deal: Path) -> None:
    line = one_line_refusal(run("plan", *scenario_args(deal), "-o", str(deal / "r.yaml")))
    assert line.endswith("write the output elsewhere, or add --force")
    assert not (deal / "r.yaml").exists()
    assert run("plan", *scenario_args(deal), "-o", str(deal / "r.yaml"), "--force").returncode == 0
    assert run("check", str(deal / "r.yaml"), *scenario_args(deal)).returncode == 0


def test_an_alternatives_name_on_an_input_writes_nothing(deal: Path) -> None:
    """`-k 2 -o deal.yaml` would write deal.alt2.yaml, here the scenario itself: refused,
    and the best roadmap is not written either (all or nothing)."""
    (deal / "packages.yaml").rename(deal / "deal.alt2.yaml")
    args = ["--packages", str(deal / "deal.alt2.yaml"), "--constraints", str(deal / "constraints")]
    before = hashes(deal)
    result = run("plan", *args, "-k", "2", "-o", str(deal / "deal.yaml"), "--force")
    assert one_line_refusal(result).startswith(str(deal / "deal.alt2.yaml"))
    assert hashes(deal) == before


def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    assert run("plan", "-o", "/dev/null").returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("old\n")
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    assert run("plan", "-o", str(tmp_path / "link.yaml")).returncode == 0
    assert (tmp_path / "link.yaml").is_symlink()
    assert run("check", str(tmp_path / "real.yaml")).returncode == 0


def test_a_named_pipe_without_reader_is_refused_and_with_one_is_written(tmp_path: Path) -> None:
    fifo = tmp_path / "out.yaml"
    os.mkfifo(fifo)
    line = one_line_refusal(run("plan", "-o", str(fifo)))
    assert line == f"{fifo}: a named pipe with no reader"
    # The test is the reader: its end is open before the command runs (no waiting for
    # another process to open it), and the roadmap (a few KiB) fits the pipe's buffer.
    with os.fdopen(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb") as reader:
        assert run("plan", "-o", str(fifo)).returncode == 0
        os.set_blocking(reader.fileno(), True)
        text = reader.read().decode()  # the writer has closed: to the end
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert text.startswith("# written by `planner plan`")


def test_modes_follow_the_umask_and_replaced_files_keep_theirs(tmp_path: Path) -> None:
    new, old = tmp_path / "new.yaml", tmp_path / "old.yaml"
    old.write_text("old\n")
    old.chmod(0o640)
    umask = os.umask(0o022)
    try:
        assert run("plan", "-o", str(new)).returncode == 0
        assert run("plan", "-o", str(old)).returncode == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


# ---- 8. a set of outputs is written whole or not at all ---------------------------------


def test_an_unwritable_alternative_leaves_the_best_untouched(tmp_path: Path) -> None:
    best = tmp_path / "r.yaml"
    best.write_text("the earlier roadmap\n")
    (tmp_path / "r.alt2.yaml").mkdir()
    line = one_line_refusal(run("plan", "-k", "2", "-o", str(best)))
    assert line == f"{tmp_path / 'r.alt2.yaml'}: is a directory"
    assert best.read_text() == "the earlier roadmap\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_stale_alternatives_are_named(tmp_path: Path) -> None:
    assert run("plan", "-k", "3", "-o", str(tmp_path / "r.yaml")).returncode == 0
    result = run("plan", "-k", "1", "-o", str(tmp_path / "r.yaml"))
    assert result.returncode == 0
    assert (
        f"note: {tmp_path / 'r.alt2.yaml'}, {tmp_path / 'r.alt3.yaml'} are left from an "
        "earlier run (not this plan)"
    ) in result.stderr


# ---- 2. Ctrl-C always answers -----------------------------------------------------------


def test_ctrl_c_anywhere_in_a_command_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """A command interrupted in Python (typer turns it into a silent exit 130)."""
    script = (
        "import planner.cli as cli\n"
        "from planner.cli.app import app\n"
        "@app.command()\n"
        "def boom() -> None:\n"
        "    raise KeyboardInterrupt\n"
        "cli.main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "boom"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 130
    assert result.stderr == "interrupted\n"


#: `planner check` on the broken example (`python -m planner`, as `runpy` runs it) with one
#: Ctrl-C at a chosen moment. `signal FILE NAME N`: when the N-th call of function NAME in
#: a file ending FILE begins (a module's body is '<module>': its import), a SIGINT is
#: raised, exactly as the terminal sends one, and "[ctrl-c]" is written on stderr to show
#: it was sent. `ready`: "ready" is written on stderr as the command line starts loading
#: (its handler installed, inside the entry point's guard), and the test sends the signal.
INTERRUPTED_CHECK = """
import os, runpy, signal, sys
mode, where, name, nth = (sys.argv[1:] + ["planner/cli/__init__.py", "<module>", "1"])[:4]
seen = 0
def hook(frame, event, arg):
    global seen
    code = frame.f_code
    if event != "call" or code.co_name != name:
        return
    if not code.co_filename.replace(os.sep, "/").endswith(where):
        return
    if mode == "ready":
        sys.setprofile(None)
        os.write(2, b"ready\\n")
    else:
        seen += 1
        if seen == int(nth):
            sys.setprofile(None)
            os.write(2, b"[ctrl-c]\\n")
            signal.raise_signal(signal.SIGINT)
sys.argv = ["planner", "check", "examples/everything-at-week-0.yaml"]
sys.setprofile(hook)
runpy.run_module("planner", run_name="__main__", alter_sys=True)
"""

#: Moments of `check` on a broken roadmap, in order, and where the Ctrl-C lands.
MOMENTS = {
    "entry": ("planner/entry.py", "<module>", 1),  # before the planner's handler
    "typer": ("typer/__init__.py", "<module>", 1),  # importing the command line
    "loading": ("planner/load/files.py", "read_file", 1),  # reading the scenario
    "checking": ("planner/check.py", "check", 1),
    "ortools": ("ortools/__init__.py", "<module>", 1),  # for the size of the closest repair
    "searching": ("planner/solver/search.py", "run", 1),  # the solver's own handler
    "writing": ("planner/cli/app.py", "emit", 1),  # the answer, on stdout
    "leaving": ("planner/cli/app.py", "leave", 1),  # after the answer
}


def interrupted_check(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_CHECK, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def interrupted_at() -> Iterator[dict[str, subprocess.Popen[str]]]:
    """One interrupted `check` per moment, all started at once (they run side by side);
    each test reads its own."""
    procs = {m: interrupted_check("signal", *map(str, where)) for m, where in MOMENTS.items()}
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_ctrl_c_at_each_moment_is_one_line_and_exit_130(
    moment: str, interrupted_at: dict[str, subprocess.Popen[str]]
) -> None:
    """Deterministic moments (the signal is raised by the process itself when it gets
    there, whatever the machine's load): before the planner's handler and after it,
    importing, loading, checking, writing. The answer is the one line 'interrupted' and
    exit 130, with nothing on stdout; but in the solver's search its own handler stops the
    search, and the report comes whole, saying its sizing was interrupted; and once the
    answer is out (leaving), it stays whole, followed by 'interrupted' and exit 130."""
    out, err = interrupted_at[moment].communicate(timeout=300)
    lines = err.splitlines()
    assert lines[:1] == ["[ctrl-c]"], f"the check never reached {MOMENTS[moment]}: {err}"
    if moment == "searching":
        assert interrupted_at[moment].returncode == 1, err
        assert (
            "repair: sizing it was interrupted; `planner repair` finds the closest roadmap" in out
        )
        assert out.endswith("Verdict: 113 hard violations.\n")
        assert lines == ["[ctrl-c]"]
        return
    if moment == "leaving":  # the answer was out, whole, before the Ctrl-C came
        assert out.endswith("Verdict: 113 hard violations.\n")
        assert (interrupted_at[moment].returncode, lines[1:]) == (130, ["interrupted"])
        return
    assert (interrupted_at[moment].returncode, out, lines[1:]) == (130, "", ["interrupted"])


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.4])
def test_sigint_at_any_moment_never_gives_a_traceback(delay: float) -> None:
    """A Ctrl-C sent from outside at a moment the test does not choose: `delay` after the
    command line starts loading (the process says when: its handler is installed by
    then), so that the signal lands somewhere in the imports, loading, checking, the
    solver (in C++ too) or writing, however loaded the machine. The answer is whole, or
    the one line 'interrupted' with exit 130. (The moments before are the deterministic
    test's above.)"""
    proc = interrupted_check("ready")
    assert proc.stderr is not None
    assert proc.stderr.readline() == "ready\n"
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert "Traceback" not in err, err
    if proc.returncode == 130:
        assert err.strip().splitlines()[-1] == "interrupted"
    else:
        assert proc.returncode == 1 and out.rstrip().endswith("hard violations."), err


# ---- 3. valid input never gives a traceback ---------------------------------------------


def test_times_past_the_calendar_show_without_a_date(tmp_path: Path) -> None:
    d = tmp_path / "big"
    (d / "constraints").mkdir(parents=True)
    (d / "packages.yaml").write_text(
        "scenario: {name: big, start: 9999-12-27}\nactors: {US: us}\npackages:\n"
        "  - id: p\n    steps:\n      - {id: a, actor: US, kind: k, duration: 1}\n"
        "      - {id: b, actor: US, kind: k, duration: 1, after: [{step: a, lag: 1000000000}]}\n"
    )
    (d / "constraints/r.yaml").write_text("rules: []\n")
    out = tmp_path / "r.yaml"
    plan = run("plan", *scenario_args(d), "-o", str(out))
    assert plan.returncode == 0, plan.stderr
    assert "week 0 (9999-12-27)" in plan.stdout and "week 1000000001 " in plan.stdout
    assert run("check", str(out), *scenario_args(d)).returncode == 0
    (tmp_path / "late.yaml").write_text("roadmap:\n  steps:\n    - {step: a, start: 999999999}\n")
    timeline = run("timeline", str(tmp_path / "late.yaml"), *scenario_args(d))
    assert timeline.returncode == 0 and "week 999999999 " in timeline.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--tolerance", "nan"], "Invalid value for '--tolerance': nan is not a number"),
        (["plan", "--time-limit", "inf"], "Invalid value for '--time-limit'"),
        (["plan", "--seed", "2147483648"], "Invalid value for '--seed'"),
        (["explain", "--seed", "99999999999"], "Invalid value for '--seed'"),
    ],
)
def test_numbers_the_solver_cannot_take_are_refused(args: list[str], message: str) -> None:
    assert message in one_line_refusal(run(*args))


def test_an_unlistable_constraints_folder_is_one_line(
    deal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root every folder is searchable, so the refusal of the system is simulated."""

    def refused(self: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refused)
    with pytest.raises(InputError) as exc:
        load_scenario(deal / "packages.yaml", deal / "constraints")
    assert [str(p) for p in exc.value.problems] == [
        f"{deal / 'constraints'}: cannot list: Permission denied"
    ]


def test_a_full_disk_on_stdout_is_one_line_and_exit_2() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "planner", "validate"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    assert result.stderr == "planner: cannot write the output: No space left on device\n"
    assert result.returncode == 2


def test_a_closed_stdout_is_one_line_and_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "planner", "validate"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 2
    assert result.stderr == "planner: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate"], 0),
        (["check", "examples/everything-at-week-0.yaml"], 1),
        (["plan"], 0),
        (["--help"], 0),
    ],
)
def test_a_reader_that_leaves_early_keeps_the_answers_exit_code(args: list[str], code: int) -> None:
    """`planner ... | head -1`: no traceback, and the exit code still says the answer."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == code
    assert "Traceback" not in err and "Error" not in err


# ---- 4 and 7. special files are refused, never read or dropped ---------------------------


def test_a_named_pipe_among_the_rules_is_refused_without_waiting(deal: Path) -> None:
    os.mkfifo(deal / "constraints" / "zz.yaml")
    with pytest.raises(InputError) as exc:
        load_scenario(deal / "packages.yaml", deal / "constraints")
    assert [str(p) for p in exc.value.problems] == [
        f"{deal / 'constraints' / 'zz.yaml'}: is a named pipe, not a file"
    ]


def test_a_named_pipe_as_the_roadmap_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "r.yaml")
    line = one_line_refusal(run("check", str(tmp_path / "r.yaml")))
    assert line == f"{tmp_path / 'r.yaml'}: is a named pipe, not a file"


# ---- 5. bad input stays fast and short ----------------------------------------------------


def test_many_problems_of_one_shape_are_listed_then_counted(tmp_path: Path) -> None:
    entries = "".join(f"    - {{step: no-such-step-{i}, start: 0}}\n" for i in range(300))
    (tmp_path / "r.yaml").write_text("roadmap:\n  steps:\n" + entries)
    result = run("check", str(tmp_path / "r.yaml"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_LISTED + 1
    assert lines[-1].startswith(f"{tmp_path / 'r.yaml'}:{3 + MAX_LISTED}:")
    assert f"and {300 - MAX_LISTED} more problems like this one from here on" in lines[-1]
