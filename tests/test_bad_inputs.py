"""Bad input is a first-class case: every folder in `tests/bad_inputs/` is one named defect.

Specifies that loading a defective scenario reports exactly the lines of the folder's
`expected.txt`: one `file:line:col: message` line per problem (paths relative to the
folder), every problem reported. The folders run in-process, through the library
(`planner validate` prints those lines, one per problem, and nothing else); one test runs
the command itself on each of a few folders to prove exit 2, an empty stdout and no
traceback. A folder holds `packages.yaml`, `constraints/` and `expected.txt`; where
PyYAML's pure-Python parser words a syntax error differently from libyaml,
`expected.pure-python.txt` holds its wording (the locations are the same). Where a
message lists the rule kinds, `expected.txt` says `<planner.rules.KINDS>`: the registry's
list, so that adding a kind changes no fixture.

Also specified here: a file over the size limit is refused by its size alone, in one line,
and an alias bomb ("billion laughs") is refused where it is written, never expanded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from planner.api import load_scenario
from planner.errors import InputError
from planner.load.yamlread import MAX_BYTES
from planner.rules import KINDS

ROOT = Path(__file__).resolve().parent.parent
BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"
DEFECTS = sorted(p.name for p in BAD_INPUTS.iterdir() if (p / "expected.txt").is_file())

RULES = """\
rules:
  - id: pledge-first
    kind: precedence
    source: Security commitments come first.
    before: [by-pledge]
    after: [us-relief]
"""


def validate(folder: Path) -> subprocess.CompletedProcess[str]:
    """`planner validate` on folder/packages.yaml and folder/constraints, run inside folder."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    command = [sys.executable, "-m", "planner", "validate"]
    command += ["--packages", "packages.yaml", "--constraints", "constraints"]
    return subprocess.run(
        command,
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,  # a safety net against a hang, not a performance assertion
        check=False,
    )


def expected_lines(folder: Path) -> list[str]:
    pure = folder / "expected.pure-python.txt"
    chosen = pure if pure.is_file() and not yaml.__with_libyaml__ else folder / "expected.txt"
    text = chosen.read_text(encoding="utf-8")
    return text.replace("<planner.rules.KINDS>", ", ".join(KINDS)).splitlines()


def assert_refused(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Exit 2, empty stdout, no traceback; the stderr lines."""
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert result.stdout == ""
    assert result.returncode == 2, result.stderr
    return result.stderr.splitlines()


def test_the_folder_holds_at_least_25_defects() -> None:
    assert len(DEFECTS) >= 25
    for name in DEFECTS:
        folder = BAD_INPUTS / name
        assert (folder / "packages.yaml").is_file(), name
        assert (folder / "constraints").is_dir(), name
        assert (folder / "expected.txt").read_text(encoding="utf-8").strip(), name


def problems_of(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines `planner validate` prints for the scenario in `folder`, run inside it."""
    monkeypatch.chdir(folder)
    with pytest.raises(InputError) as refused:
        load_scenario(Path("packages.yaml"), Path("constraints"))
    return [str(p) for p in refused.value.problems]


@pytest.mark.parametrize("defect", DEFECTS)
def test_defect_gives_its_expected_lines(defect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = BAD_INPUTS / defect
    assert problems_of(folder, monkeypatch) == expected_lines(folder)


@pytest.mark.parametrize("defect", ["several-problems-at-once", "alias-bomb", "non-utf8"])
def test_the_command_exits_2_with_exactly_those_lines(defect: str) -> None:
    folder = BAD_INPUTS / defect
    assert assert_refused(validate(folder)) == expected_lines(folder)


def test_a_file_over_the_size_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    line = b"# padding, padding, padding, padding, padding, padding, padding, padding.\n"
    data = line * (MAX_BYTES // len(line) + 1)
    assert len(data) > MAX_BYTES
    (tmp_path / "packages.yaml").write_bytes(data)
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "rules.yaml").write_text(RULES, encoding="utf-8")

    lines = assert_refused(validate(tmp_path))

    assert lines == [f"packages.yaml: file is {len(data):,} bytes; the limit is {MAX_BYTES:,}"]


def test_an_alias_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    # The classic billion laughs: nine levels of nine aliases, 9**9 strings if expanded.
    lines = ['lol: &a0 "lol"']
    lines += [f"l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (tmp_path / "packages.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "rules.yaml").write_text(RULES, encoding="utf-8")

    out = assert_refused(validate(tmp_path))

    assert out[0] == "packages.yaml:1:6: anchors are not allowed (&a0): write the value out"
    assert out[1] == "packages.yaml:2:5: anchors are not allowed (&a1): write the value out"
    assert out[2] == "packages.yaml:2:10: aliases are not allowed (*a0): write the value out"
    # 10 anchors and 81 aliases: ten are listed one by one, the other 81 counted on one line.
    assert len(out) == 11
    assert out[-1] == (
        "packages.yaml:2:50: 81 more anchors and aliases from here on (not listed): "
        "write the values out"
    )
