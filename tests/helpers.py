"""Tiny scenarios for the checker's specification tests, built through the real loader.

A test writes its scenario as Python data (or YAML text); `Maker` writes `packages.yaml`
and `constraints/rules.yaml` under the test's tmp_path and loads them with
`load_scenario`, so every scenario a test checks is one a user could have written.

    scenario = make(steps=[step("a"), step("b", after=["a"])], rules=[rule("gate", ...)])
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml

from planner.api import load_scenario
from planner.check import Report, check
from planner.rules.base import Violation
from planner.scenario import Scenario

ACTORS = {"US": "United States", "BY": "Belarus", "PL": "Poland"}

#: The repository's root: the default scenario and the examples.
ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`planner ARGS` run in this process (from the repository root unless `cwd`): what it
    prints on stdout and stderr, as text, and its exit code, as a finished process would
    give them. The command line's modules are imported afresh for each run (they keep
    what one command was given), and the process is not ended: `leave` (the flush and
    `os._exit` after the answer) is replaced by an exception that carries the code. A
    run costs what the command does, not a Python start and its imports (about a second).

    Where the process itself is the point (signals, closed or full stdout, writing to
    /dev/stdout, what it imports, worker processes), use `cli_process`."""
    for name in [m for m in sys.modules if m == "planner.cli" or m.startswith("planner.cli.")]:
        del sys.modules[name]
    import planner.cli

    app_module = sys.modules["planner.cli.app"]  # (`planner.cli.app` is the Typer app)

    def leave(code: int) -> NoReturn:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        raise _Left(code)

    setattr(app_module, "leave", leave)  # noqa: B010 - a module attribute, replaced
    out, err = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
    )
    saved = sys.stdin, sys.stdout, sys.stderr, sys.argv, Path.cwd()
    code: int | str | None = 0
    try:
        sys.stdin, sys.stdout, sys.stderr = streams
        sys.argv = ["planner", *args]
        os.chdir(cwd or ROOT)
        with warnings.catch_warnings():
            # As a fresh process has them (pytest makes every warning an error): a
            # warning is printed on stderr, where the tests see it.
            warnings.resetwarnings()
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning):
                warnings.simplefilter("ignore", category)
            try:
                planner.cli.main()
            except _Left as left:
                code = left.code
            except SystemExit as exc:
                code = exc.code
            except KeyboardInterrupt:
                raise
            except BaseException:  # what a process would die of: its traceback, exit 1
                traceback.print_exc()
                code = 1
    finally:
        for stream in streams[1:]:
            with contextlib.suppress(ValueError):  # closed by the command
                stream.flush()
        sys.stdin, sys.stdout, sys.stderr, sys.argv, before = saved
        os.chdir(before)
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(
        ["planner", *args], returncode, out.getvalue().decode(), err.getvalue().decode()
    )


class _Left(BaseException):
    """The command ended (`planner.cli.app.leave`) with this exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def cli_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m planner ARGS` in a fresh process (from the repository root unless `cwd`),
    its output as text; the timeout only keeps a hung run from stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=300,
    )


#: Runs commands one after another in one fresh process and says, for each, its exit code
#: and which of the watched modules it imported (see `imported_by`).
_IMPORTS_SCRIPT = """
import json, os, runpy, sys
commands, watched = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def leave(code):
    raise SystemExit(code)
os._exit = leave  # the CLI ends with os._exit, which would skip the rest
found = []
for args in commands:
    for name in [m for m in sys.modules if m.startswith(("planner.cli", "planner.__main__"))]:
        del sys.modules[name]  # the command line afresh: it keeps what one command was given
    before = {m for m in watched if m in sys.modules}
    sys.argv = ["planner", *args]
    sys.stdout = sys.stderr = open(os.devnull, "w")
    try:
        runpy.run_module("planner", run_name="__main__")
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    new = [m for m in watched if m in sys.modules and m not in before]
    found.append({"args": args, "code": code, "imported": new})
print(json.dumps(found))
"""


def imported_by(
    commands: Iterable[Sequence[str]], watched: Sequence[str], cwd: Path | None = None
) -> list[tuple[list[str], int, list[str]]]:
    """(args, exit code, the watched modules it imported) for each command, run one after
    another as `python -m planner` runs it, in one fresh process (from the repository
    root unless `cwd`). A module an earlier command imported is not imported again by
    a later one, so when commands must not import a module, the first that does is
    named; one process instead of one per command saves a Python start and its imports
    (about a second) per command."""
    import json

    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS_SCRIPT, json.dumps([list(c) for c in commands]),
         json.dumps(list(watched))],
        capture_output=True, text=True, cwd=cwd or ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return [(r["args"], r["code"], r["imported"]) for r in json.loads(result.stdout)]


def step(
    step_id: str,
    duration: int = 1,
    *,
    actor: str = "US",
    kind: str = "relief",
    package: str = "main",
    value: int = 0,
    verify: int | None = None,
    after: Iterable[Any] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A step as written in packages.yaml; `verify=N` is a verification of N units, and
    `package` says which package the step is written in."""
    out: dict[str, Any] = {
        "id": step_id,
        "actor": actor,
        "kind": kind,
        "duration": duration,
        "value": value,
        "package": package,
    }
    if verify is not None:
        out["verify"] = {"by": "monitors", "duration": verify}
    if after:
        out["after"] = list(after)
    out.update(extra)
    return out


def rule(kind: str, rule_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """A rule as written in constraints/*.yaml, with a placeholder source."""
    rid = rule_id or kind
    return {"id": rid, "kind": kind, "source": f"Source sentence of {rid}.", **fields}


class Maker:
    """Writes scenarios into fresh folders of one directory and loads them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def _folder(self) -> Path:
        self.count += 1
        folder = self.root / f"scenario{self.count}"
        (folder / "constraints").mkdir(parents=True)
        return folder

    def __call__(
        self,
        steps: Iterable[Mapping[str, Any]],
        rules: Iterable[Mapping[str, Any]] = (),
        *,
        unit: str = "week",
        actors: Mapping[str, str] = ACTORS,
    ) -> Scenario:
        packages: dict[str, list[dict[str, Any]]] = {}
        for s in steps:
            s = dict(s)
            packages.setdefault(s.pop("package", "main"), []).append(s)
        doc = {
            "scenario": {"name": "test scenario", "unit": unit},
            "actors": dict(actors),
            "packages": [{"id": p, "title": p, "steps": ss} for p, ss in packages.items()],
        }
        return self.from_yaml(
            yaml.safe_dump(doc, sort_keys=False), yaml.safe_dump({"rules": list(rules)})
        )

    def from_yaml(self, packages_text: str, constraints_text: str = "rules: []\n") -> Scenario:
        """A scenario from the text of packages.yaml and of one constraints file."""
        folder = self._folder()
        (folder / "packages.yaml").write_text(packages_text, encoding="utf-8")
        (folder / "constraints" / "rules.yaml").write_text(constraints_text, encoding="utf-8")
        return load_scenario(folder / "packages.yaml", folder / "constraints")

    def paths(
        self, scenario_steps: Iterable[Mapping[str, Any]], rules: Iterable[Any] = ()
    ) -> tuple[Path, Path]:
        """(packages.yaml, constraints/) of a freshly written scenario, for CLI tests."""
        self(scenario_steps, rules)
        folder = self.root / f"scenario{self.count}"
        return folder / "packages.yaml", folder / "constraints"


def violations_of(report: Report, rule_id: str) -> list[Violation]:
    """The hard violations of one rule."""
    return [v for v in report.violations if v.rule == rule_id]


def penalties_of(report: Report, rule_id: str) -> list[Violation]:
    return [v for v in report.penalties if v.rule == rule_id]


def run(scenario: Scenario, starts: Mapping[str, int]) -> Report:
    """Check a roadmap given as {step: start}, as a partial roadmap: a rule kind's tests
    look at that kind alone, and leave steps out on purpose (coverage has its own tests)."""
    return check(scenario, dict(starts), partial=True)


def the_violation(scenario: Scenario, starts: Mapping[str, int], rule_id: str) -> Violation:
    """The single violation of `rule_id`, asserting the roadmap breaks nothing else."""
    report = run(scenario, starts)
    assert [v.rule for v in report.violations] == [rule_id], [v.message for v in report.violations]
    return report.violations[0]


def is_clean(scenario: Scenario, starts: Mapping[str, int]) -> bool:
    report = run(scenario, starts)
    return not report.violations and not report.penalties
