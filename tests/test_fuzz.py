"""Fuzzing the command line (hypothesis, bounded examples): mutated default files,
mutated roadmaps and odd option values. Whatever the input:

- no traceback (no exception escapes a command but its exit);
- the exit code is 0, 1 or 2;
- no input file changes (every input is hashed before and after);
- no partial output: an output file is written whole (it reads back) or not at all, and
  no temporary file is left behind.

In-process through typer's CliRunner (a command's code paths; the process-level behaviour
is in tests/test_hardening.py). FUZZ_EXAMPLES=500 runs a longer search.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from planner.load.files import default_paths

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "brief-roadmap.yaml"

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Text a hand or a bad tool puts in a file.
JUNK = st.sampled_from(
    [
        "", " ", "\t", ":", ": ", "-", "- ", "{", "}", "[", "]", ",", "'", '"', "#", "&a", "*a",
        "!!int", "~", "null", "yes", "no", "1e3", "-1", "0.5", ".nan", ".inf", "1000000001",
        "999999999999", "2027-02-30", "\x00", "\x01", "\u2028", "é", "٣", "1_000", "\\n",
        "us-sdn-first-delistings", "by-nonaggression-pledge", "kind", "step", "after",
    ]
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with a few edits: lines dropped, doubled, swapped or cut; junk inserted."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        edit = draw(st.sampled_from(["drop", "double", "swap", "insert", "replace", "cut"]))
        if edit == "drop" and lines:
            del lines[i]
        elif edit == "double" and lines:
            lines.insert(i, lines[i])
        elif edit == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "insert" and lines:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(JUNK) + lines[i][at:]
        elif edit == "replace" and lines:
            words = lines[i].split(" ")
            k = draw(st.integers(0, len(words) - 1))
            words[k] = draw(JUNK)
            lines[i] = " ".join(words)
        elif edit == "cut":
            lines = lines[: i + 1]
    return "\n".join(lines)


def digest(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def invoke(args: list[str]) -> int:
    """Run one command in-process; no exception may escape but the command's exit."""
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    return result.exit_code


def scenario_copy(tmp: Path) -> Path:
    packages, constraints = default_paths()
    d = tmp / "deal"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    shutil.copy(packages, d / "packages.yaml")
    shutil.copytree(constraints, d / "constraints")
    return d


def no_partial_output(out: Path, code: int, command: str) -> None:
    if not out.parent.is_dir():
        return  # nothing could be written there
    leftovers = [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, leftovers
    if out.exists():
        assert code == 0, f"{command} failed with {code} but wrote {out}"
        assert invoke(["check", str(out)]) in (0, 1)  # whole: it reads back


@FUZZ
@given(data=st.data())
def test_mutated_scenarios(data: st.DataObject) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-scenario-"))
    d = scenario_copy(tmp)
    targets = [d / "packages.yaml", *sorted((d / "constraints").glob("*.yaml"))]
    target = data.draw(st.sampled_from(targets))
    target.write_text(data.draw(mutated(target.read_text(encoding="utf-8"))), encoding="utf-8")
    inputs = [*targets, EXAMPLE]
    before = digest(inputs)
    args = ["--packages", str(d / "packages.yaml"), "--constraints", str(d / "constraints")]
    invoke(["validate", *args])
    invoke(["check", str(EXAMPLE), *args])
    view = data.draw(st.sampled_from(["time", "phase", "actor", "package"]))
    invoke(["timeline", str(EXAMPLE), "--by", view, *args])
    out = tmp / "out" / "r.yaml"
    out.parent.mkdir(exist_ok=True)
    out.unlink(missing_ok=True)
    code = invoke(["plan", "--time-limit", "1", "-o", str(out), *args])
    no_partial_output(out, code, "plan")
    assert digest(inputs) == before
    shutil.rmtree(tmp)


@FUZZ
@given(data=st.data())
def test_mutated_roadmaps(data: st.DataObject) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-roadmap-"))
    suffix = data.draw(st.sampled_from([".yaml", ".json", ".csv"]))
    source = EXAMPLE.read_text(encoding="utf-8")
    if suffix == ".csv":
        import re

        rows = re.findall(r"\{step: ([\w.-]+), start: (\d+)\}", source)
        source = "step,start\n" + "".join(f"{s},{t}\n" for s, t in rows)
    elif suffix == ".json":
        import json

        import yaml

        source = json.dumps(yaml.safe_load(source), indent=1)
    roadmap = tmp / f"r{suffix}"
    roadmap.write_text(data.draw(mutated(source)), encoding="utf-8")
    before = digest([roadmap])
    invoke(["check", str(roadmap)])
    invoke(["check", str(roadmap), "--format", "json"])
    invoke(["timeline", str(roadmap), "--by", data.draw(st.sampled_from(["time", "phase"]))])
    assert digest([roadmap]) == before
    shutil.rmtree(tmp)


OPTION_VALUES = {
    "--format": ["text", "json", "table", "markdown", "yaml", "xml", ""],
    "--tablefmt": ["simple", "github", "html", "latex", "nope", ""],
    "--by": ["time", "phase", "actor", "package", "week", ""],
    "--phase-length": ["0", "-1", "3", "x", "1000000000"],
    "--seed": ["0", "-1", "2147483647", "2147483648", "x", "1e3"],
    "--tolerance": ["nan", "-1", "0", "0.1", "1e308", "inf"],
    "--time-limit": ["0", "0.5", "1", "inf", "nan", "abc"],
    "--alternatives": ["0", "1", "2", "51", "x"],
    "--differ-by": ["0", "1", "13", "-4", "x", "9007199254740993"],
    "--objective": ["makespan", "penalty,goodwill", "speed", "", ",", "makespan,makespan"],
}
COMMAND_OPTIONS = {
    "check": ["--format"],
    "timeline": ["--tablefmt", "--by", "--phase-length"],
    "plan": [
        "--format",
        "--seed",
        "--tolerance",
        "--time-limit",
        "--alternatives",
        "--objective",
        "--differ-by",
    ],
    "explain": ["--seed", "--time-limit"],
}


@FUZZ
@given(data=st.data())
def test_odd_option_values(data: st.DataObject) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-options-"))
    d = scenario_copy(tmp)
    command = data.draw(st.sampled_from(sorted(COMMAND_OPTIONS)))
    args = [command]
    if command in ("check", "timeline"):
        args.append(str(EXAMPLE))
    for option in data.draw(st.lists(st.sampled_from(COMMAND_OPTIONS[command]), unique=True)):
        args += [option, data.draw(st.sampled_from(OPTION_VALUES[option]))]
    if command == "plan":
        args += ["--time-limit", "1"] if "--time-limit" not in args else []
    scenario_files = [d / "packages.yaml", *sorted((d / "constraints").glob("*.yaml"))]
    out = None
    if command == "plan" and data.draw(st.booleans()):
        out = data.draw(
            st.sampled_from(
                [tmp / "r.yaml", tmp / "r.csv", d / "packages.yaml", d / "constraints/new.yaml",
                 d / "constraints", tmp / "missing-dir" / "r.yaml", d / "r.yaml"]
            )
        )  # fmt: skip
        args += ["-o", str(out)]
    args += ["--packages", str(d / "packages.yaml"), "--constraints", str(d / "constraints")]
    before = digest([*scenario_files, EXAMPLE])
    code = invoke(args)
    assert digest([*scenario_files, EXAMPLE]) == before
    if out is not None and out.suffix and out not in scenario_files:
        no_partial_output(out, code, command)
    shutil.rmtree(tmp)
