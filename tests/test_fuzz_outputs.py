"""Fuzzing output paths (hypothesis, bounded examples): whatever output paths the commands
that write are given — the same file twice, a link from one to the other, a hard link or
a symbolic link to an input, an input itself, a directory, a folder that does not exist,
a file where a folder should be, `/dev/null`, `/dev/full`, a named pipe nobody reads, a
link loop, a broken link — and whatever sits where `plan -k 2` puts its alternative:

- no traceback (no exception escapes a command but its exit), exit 0 or 2;
- no input changes (the scenario, its rules, the variant file, the roadmap read);
- all or none: on exit 2 nothing in the folder changed (no file, no link, no temporary
  file); on exit 0 every output given is written whole.

In-process through typer's CliRunner, on a tiny deal (tests/test_timeline_outputs.py) so
that each example plans in milliseconds. FUZZ_EXAMPLES=500 runs a longer search.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from tests.test_timeline_outputs import PACKAGES, PHASES, RULES

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

#: What an output path can be.
KINDS = [
    "new", "existing", "same", "link-to-other", "input", "link-to-input", "hard-link-to-input",
    "dir", "link-to-dir", "missing-folder", "file-as-folder", "dev-null", "dev-full", "fifo",
    "link-loop", "broken-link",
]  # fmt: skip
#: What can sit where `plan -k 2 -o X.yaml` writes its alternative, X.alt2.yaml.
ALT_KINDS = ["absent", "existing", "fifo", "dir", "link-to-input", "dev-full"]
#: The commands that write, each with the suffix its output wants.
COMMANDS = {
    "plan": ".yaml",
    "repair": ".yaml",
    "gantt": ".md",
    "report": ".md",
    "simulate": ".png",
}
ROADMAP = "roadmap:\n  steps:\n" + "".join(
    f"    - {{step: {s}, start: {t}}}\n"
    for s, t in {"by-pledge": 0, "us-pledge": 0, "by-terms": 1, "us-relief": 4}.items()
)


def deal(folder: Path) -> list[Path]:
    """The inputs: the tiny deal, a variant file and a roadmap."""
    (folder / "deal" / "constraints").mkdir(parents=True)
    (folder / "deal" / "packages.yaml").write_text(PACKAGES.format(phases=PHASES))
    (folder / "deal" / "constraints" / "rules.yaml").write_text(RULES)
    (folder / "v.yaml").write_text('variant: {name: v}\nset:\n  - "*:value+=0"\n')
    (folder / "r.yaml").write_text(ROADMAP)
    (folder / "out").mkdir()
    return [
        folder / "deal" / "packages.yaml",
        folder / "deal" / "constraints" / "rules.yaml",
        folder / "v.yaml",
        folder / "r.yaml",
    ]


def make(kind: str, folder: Path, name: str, inputs: list[Path], first: Path | None) -> Path:
    """An output path of `kind` named `name` (with its suffix) under folder/out."""
    out = folder / "out" / name
    if kind == "existing":
        out.write_text("what the user had\n")
    elif kind == "same" and first is not None:
        return first
    elif kind == "link-to-other" and first is not None:
        out.symlink_to(first)
    elif kind == "input":
        return inputs[len(name) % len(inputs)]
    elif kind == "link-to-input":
        out.symlink_to(inputs[len(name) % len(inputs)])
    elif kind == "hard-link-to-input":
        os.link(inputs[len(name) % len(inputs)], out)
    elif kind == "dir":
        out.mkdir()
    elif kind == "link-to-dir":
        out.symlink_to(folder / "deal")
    elif kind == "missing-folder":
        return folder / "nowhere" / name
    elif kind == "file-as-folder":
        return folder / "r.yaml" / name
    elif kind in ("dev-null", "dev-full"):
        out.symlink_to(f"/dev/{kind[4:]}")
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "link-loop":
        out.symlink_to(out.with_name(f"{name}.loop"))
        out.with_name(f"{name}.loop").symlink_to(out)
    elif kind == "broken-link":
        out.symlink_to(f"target-of-{name}")
    return out


def snapshot(folder: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        mode = p.lstat().st_mode
        if stat.S_ISLNK(mode):
            found[key] = ("link", os.readlink(p))
        elif stat.S_ISFIFO(mode):
            found[key] = "fifo"
        elif stat.S_ISDIR(mode):
            found[key] = "dir"
        else:
            found[key] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


@FUZZ
@given(data=st.data())
def test_output_paths(data: st.DataObject) -> None:
    command = data.draw(st.sampled_from(sorted(COMMANDS)), label="command")
    suffix = COMMANDS[command]
    folder = Path(tempfile.mkdtemp(prefix="fuzz-outputs-"))
    try:
        inputs = deal(folder)
        first = make(
            data.draw(st.sampled_from(KINDS), label="-o"), folder, f"a{suffix}", inputs, None
        )
        outputs = [first]
        scenario = ["--packages", str(inputs[0]), "--constraints", str(inputs[1].parent)]
        args = [command, *scenario, "--variant", str(inputs[2]), "-o", str(first)]
        if command != "plan":
            args[1:1] = [str(inputs[3])]
        if command == "gantt":
            args += ["--format", "mermaid"]
        if command == "simulate":
            args += ["--runs", "3"]
        if command == "plan" and data.draw(st.booleans(), label="--report"):
            kind = data.draw(st.sampled_from(KINDS), label="--report kind")
            report = make(kind, folder, "b.md", inputs, first)
            outputs.append(report)
            args += ["--report", str(report)]
        if command == "plan" and data.draw(st.booleans(), label="-k 2"):
            alt = first.with_name(f"{first.stem}.alt2{first.suffix}")
            kind = data.draw(st.sampled_from(ALT_KINDS), label="alternative")
            if kind != "absent" and first.parent == folder / "out" and not alt.exists():
                make(kind, folder, alt.name, inputs, None)
            args += ["-k", "2"]
        elif command == "plan" and data.draw(st.booleans(), label="--keep"):
            args += ["--keep", str(inputs[3]), "--as-of", "0"]
        if data.draw(st.booleans(), label="--force"):
            args.append("--force")
        before = snapshot(folder)
        originals = {p: p.read_bytes() for p in inputs}

        result = CliRunner().invoke(app, args)

        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            result.exception,
        )
        assert result.exit_code in (0, 2), (args, result.exit_code, result.output)
        assert "Traceback" not in result.output
        for path, content in originals.items():
            assert path.is_file() and not path.is_symlink() and path.read_bytes() == content
        if result.exit_code == 2:
            assert snapshot(folder) == before, (args, result.stderr)
        else:
            for out in outputs:
                if not out.resolve().is_relative_to(Path("/dev")):
                    assert out.resolve().is_file() and out.resolve().stat().st_size > 0, args
        assert not [p for p in folder.rglob("*.tmp")], args
    finally:
        shutil.rmtree(folder, ignore_errors=True)
