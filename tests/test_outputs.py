"""Output files (`planner.output`, `planner.cli.app.writing`): checked before the work,
written after it, all or none, and never over an input.

The tests named `test_item_N_...` are the cases of the hardening issue, round two, that
they cover, each run from a user's command line in a fresh folder after `planner plan -o
r.yaml`, as the issue reproduced them. The rest say the same of every command that
writes and every input it reads, and of the library (`Outputs`) directly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.load.files import default_paths
from planner.output import OutputError, Outputs, Protected, write_outputs
from tests.helpers import cli, cli_process

ROOT = Path(__file__).resolve().parent.parent
VARIANT = ROOT / "examples" / "variants" / "slow-verification.yaml"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`planner plan -o r.yaml`, once for the module."""
    folder = tmp_path_factory.mktemp("planned")
    assert cli("plan", "-o", "r.yaml", cwd=folder).returncode == 0
    return folder / "r.yaml"


@pytest.fixture
def here(tmp_path: Path, planned: Path) -> Path:
    """A fresh folder holding r.yaml (the default's plan) and v.yaml (a variant)."""
    shutil.copy(planned, tmp_path / "r.yaml")
    shutil.copy(VARIANT, tmp_path / "v.yaml")
    return tmp_path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli(*args, cwd=cwd)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 2, no traceback, one line on stderr (returned), nothing on stdout."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("variant", " "))]
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    return lines[0]


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry of `folder`: a file's bytes, a link's target, a pipe, a folder."""
    found: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        if p.is_symlink():
            found[key] = ("link", os.readlink(p))
        elif stat.S_ISFIFO(p.lstat().st_mode):
            found[key] = "fifo"
        elif p.is_dir():
            found[key] = "dir"
        else:
            found[key] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


# ---- 1. gantt and report overwrote a --variant input ----------------------------------------


@pytest.mark.parametrize(
    ("args", "variant"),
    [
        (["gantt", "r.yaml", "--format", "mermaid", "-o", "v.yaml"], "v.yaml"),
        (["report", "r.yaml", "-o", "v.md"], "v.md"),
        (["gantt", "r.yaml", "-o", "v.svg"], "v.svg"),
        (["plan", "-o", "v.yaml"], "v.yaml"),
        (["repair", "r.yaml", "-o", "v.yaml"], "v.yaml"),
        (["simulate", "r.yaml", "--runs", "10", "-o", "v.png"], "v.png"),
    ],
)
def test_item_1_no_command_writes_over_its_variant_file(
    here: Path, args: list[str], variant: str
) -> None:
    """`planner gantt r.yaml --variant v.yaml --format mermaid -o v.yaml` exited 0 with a
    Mermaid block in v.yaml; now every command that writes refuses its variant file."""
    if variant != "v.yaml":
        (here / "v.yaml").rename(here / variant)
    before = snapshot(here)
    line = refused(run(*args, "--variant", variant, cwd=here))
    assert line == f"{variant}: is an input of this command; write the output elsewhere"
    assert snapshot(here) == before


# ---- 2. outputs were not all or none when one was a device or a pipe ------------------------


def test_item_2_a_full_device_among_the_outputs_replaces_nothing(here: Path) -> None:
    """`ln -s /dev/full full.html; planner plan -o r2.yaml --report full.html` exited 2
    but had replaced r2.yaml: the device is written before any file is renamed."""
    (here / "r2.yaml").write_text("the earlier roadmap\n")
    (here / "full.html").symlink_to("/dev/full")
    before = snapshot(here)
    line = refused(run("plan", "-o", "r2.yaml", "--report", "full.html", cwd=here))
    assert line == "full.html: cannot write: No space left on device"
    assert snapshot(here) == before  # no temporary file left either


def test_item_2_a_pipe_nobody_reads_named_like_an_alternative_replaces_nothing(
    here: Path,
) -> None:
    """A FIFO named like the second alternative (`r.alt2.yaml`): refused before the
    search, and r.yaml is not replaced."""
    (here / "r.yaml").write_text("the earlier roadmap\n")
    os.mkfifo(here / "r.alt2.yaml")
    before = snapshot(here)
    line = refused(run("plan", "-k", "2", "-o", "r.yaml", cwd=here))
    assert line == "r.alt2.yaml: a named pipe with no reader"
    assert snapshot(here) == before


def test_item_2_two_devices_among_the_outputs_are_refused(here: Path) -> None:
    """What a device took cannot be taken back: one device at most among the outputs
    (`/dev/null` aside), so the set stays all or none."""
    (here / "full.yaml").symlink_to("/dev/full")
    (here / "out.md").symlink_to("/dev/stderr")
    # in a process: there /dev/stderr is a pipe (here it is the file pytest captures into)
    line = refused(cli_process("plan", "-o", "full.yaml", "--report", "out.md", cwd=here))
    assert line.startswith("out.md: is a device or pipe, and so is full.yaml")
    (here / "null.md").symlink_to("/dev/null")
    assert run("plan", "-o", "/dev/null", "--report", "null.md", cwd=here).returncode == 0


# ---- 3. two outputs that are the same file ---------------------------------------------------


def test_item_3_two_outputs_that_are_the_same_file_are_refused(here: Path) -> None:
    """`ln -s r3.yaml a.md; planner plan -o r3.yaml --report a.md` exited 0 with the
    Markdown report in r3.yaml."""
    (here / "a.md").symlink_to("r3.yaml")
    before = snapshot(here)
    line = refused(run("plan", "-o", "r3.yaml", "--report", "a.md", cwd=here))
    assert line == "a.md: is the same file as r3.yaml, also an output of this command"
    assert snapshot(here) == before


def test_item_3_a_hard_link_is_the_same_file_too(here: Path) -> None:
    (here / "r3.yaml").write_text("the earlier roadmap\n")
    os.link(here / "r3.yaml", here / "b.md")
    line = refused(run("plan", "-o", "r3.yaml", "--report", "b.md", cwd=here))
    assert line == "b.md: is the same file as r3.yaml, also an output of this command"
    assert (here / "r3.yaml").read_text() == "the earlier roadmap\n"


# ---- 23. output paths were checked only after the work --------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["repair", "{broken}", "-o", "/nonexistent/x.yaml"],
        ["simulate", "{roadmap}", "--runs", "20000", "-o", "/nonexistent/x.png"],
        ["plan", "-k", "3", "-o", "/nonexistent/x.yaml"],
        ["plan", "--report", "/nonexistent/x.md"],
        ["gantt", "{roadmap}", "-o", "/nonexistent/x.svg"],
        ["report", "{roadmap}", "-o", "/nonexistent/x.html"],
        ["plan", "-o", "{roadmap}/x.yaml"],  # a file where a folder should be
    ],
)
def test_item_23_output_paths_are_checked_before_the_work(
    here: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """`repair … -o /nonexistent/x.yaml` was refused after 11.6 s of search, `simulate
    --runs 20000 -o /nonexistent/x.png` after 10 s: now before the scenario is even read
    (reading it fails this test)."""
    import planner.api

    def work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the work began before the output was checked")

    monkeypatch.setattr(planner.api, "load_scenario", work)
    broken = ROOT / "examples" / "everything-at-week-0.yaml"
    line = [a.format(broken=broken, roadmap=here / "r.yaml") for a in args]
    result = CliRunner().invoke(app, line)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 2
    assert result.stderr.strip() in (
        f"{line[-1]}: cannot write: No such file or directory",
        f"{line[-1]}: cannot write: Not a directory",
    )


# ---- every command that writes, every input it reads ----------------------------------------

WRITERS = {
    "plan": ["plan", "--keep", "r.yaml", "--as-of", "0", "-o"],
    "repair": ["repair", "r.yaml", "-o"],
    "simulate": ["simulate", "r.yaml", "--runs", "10", "-o"],
    "gantt": ["gantt", "r.yaml", "--format", "mermaid", "-o"],
    "report": ["report", "r.yaml", "-o"],
}
SUFFIX = {"plan": ".yaml", "repair": ".yaml", "simulate": ".png", "gantt": ".md", "report": ".md"}


@pytest.mark.parametrize("command", sorted(WRITERS))
@pytest.mark.parametrize(
    "target", ["deal/packages.yaml", "deal/constraints/balance.yaml", "v.yaml", "r.yaml"]
)
def test_no_command_writes_over_any_of_its_inputs(here: Path, command: str, target: str) -> None:
    """The scenario, a rule file, the variant file and the roadmap read (`plan --keep`'s
    too), reached through a link named as the command wants its output: refused, with
    --force, and nothing changes."""
    deal = here / "deal"
    packages, constraints = default_paths()
    deal.mkdir()
    shutil.copy(packages, deal / "packages.yaml")
    shutil.copytree(constraints, deal / "constraints")
    out = f"out{SUFFIX[command]}"
    (here / out).symlink_to(target)
    scenario = ["--packages", "deal/packages.yaml", "--constraints", "deal/constraints"]
    before = snapshot(here)
    args = [*WRITERS[command], out, *scenario, "--variant", "v.yaml", "--force"]
    line = refused(run(*args, cwd=here))
    assert line == f"{out}: is an input of this command; write the output elsewhere"
    assert snapshot(here) == before


# ---- the library: Outputs --------------------------------------------------------------------


def test_outputs_checks_before_and_writes_after(tmp_path: Path) -> None:
    """`check` (on entering) refuses what can be known; `write` writes all or none."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    with Outputs([a, b]) as files:
        assert not a.exists()  # checking makes no file
        files.write([(a, "A\n"), (b, b"B\n")])
    assert (a.read_text(), b.read_text()) == ("A\n", "B\n")
    with pytest.raises(OutputError, match="is a directory"), Outputs([a, tmp_path]):
        pass
    with pytest.raises(ValueError, match="not an output checked before"), Outputs([a]) as files:
        files.write([(b, "b")])


def test_an_input_is_refused_by_name_link_and_hard_link(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text("input\n")
    (tmp_path / "soft.yaml").symlink_to(source)
    os.link(source, tmp_path / "hard.yaml")
    guard = Protected.of([source])
    for name in ("in.yaml", "soft.yaml", "hard.yaml"):
        with pytest.raises(OutputError, match="is an input of this command"):
            write_outputs([(tmp_path / name, "x")], guard)
    assert source.read_text() == "input\n"


def test_a_link_loop_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    with pytest.raises(OutputError, match="is a symbolic link loop"):
        write_outputs([(tmp_path / "a.yaml", "x")], Protected.of([tmp_path / "b.yaml"]))
