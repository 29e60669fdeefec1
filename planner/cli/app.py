"""The `planner` application: the scenario's loading, the check of output files before a
command's work (`writing`), the one place library errors become exit codes, and the entry
point. The options several commands share are in `planner.cli.options`.

Exit codes: 0 success · 1 the answer is "no" (violations, no roadmap exists) · 2 bad input.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.exceptions import TyperException

from planner.errors import InputError, Problem
from planner.render.escape import terminal_safe

if TYPE_CHECKING:
    from planner.output import Outputs, Protected
    from planner.roadmap import Roadmap
    from planner.scenario import Scenario

app = typer.Typer(
    name="planner",
    help="Sequence sanctions-relief deals: plan, check and print reciprocal roadmaps.",
    epilog="Scenarios of 256 KiB or more are cached after their first load, under "
    "$RELIEF_PLANNER_CACHE or ~/.cache/relief-planner; RELIEF_PLANNER_CACHE=off turns "
    "that off (the manual: docs/commands/repair.md, 'the scenario cache').",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: What the shared --variant and --set options of the running command were given.
_GIVEN: dict[str, Any] = {}


def _given(name: str) -> Callable[[Any], Any]:
    """An option's callback that keeps what the option was given (see `scenario`)."""

    def keep(value: Any) -> Any:
        _GIVEN[name] = value
        return value

    return keep


def _version(value: bool) -> None:
    if value:
        from planner import __version__

        typer.echo(f"relief-planner {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Sequence sanctions-relief deals against verified commitments.

    Without --packages/--constraints every command uses the embedded default: the
    U.S.–Belarus normalization roadmap.
    """


def emit(text: str) -> None:
    """Print the answer on stdout. A reader that went away (`| head -1`) is not an error:
    the rest is dropped and the exit code stays the answer's; stdout that cannot be
    written at all (closed, a full disk) is bad output: one line on stderr, exit 2."""
    out = sys.stdout
    if out is None:
        raise refuse("planner: cannot write the output: standard output is closed")
    try:
        text = terminal_safe(text)  # no escape sequence or bidi control of the input's
        out.write(text if text.endswith("\n") else text + "\n")
        out.flush()
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or "standard output is closed"
        raise refuse(f"planner: cannot write the output: {reason}") from None


def refuse(message: str) -> typer.Exit:
    """Print one line about bad input or a bad option, and give the exit for it (2)."""
    typer.echo(message, err=True)
    return typer.Exit(code=2)


@contextlib.contextmanager
def answers() -> Iterator[None]:
    """Map the library's errors to exit codes: every input problem on its own line of
    stderr (or an output that may not be written: one line), then exit 2."""
    from planner.output import OutputError

    try:
        yield
    except InputError as exc:
        for line in exc.lines():
            typer.echo(line, err=True)
        raise typer.Exit(code=2) from None
    except OutputError as exc:
        raise refuse(str(exc)) from None


def finite(value: float | None) -> float | None:
    """A float option's check: a number, not nan or infinity."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number")
    return value


#: The parameters of a command that name its output files; every other path among its
#: parameters is an input, which no output may touch (`writing`).
OUTPUT_PARAMS = frozenset({"out", "report"})


#: The names click gives its path type (`Path`, with `dir_okay` or `file_okay` off).
PATH_TYPES = frozenset({"path", "file", "directory"})


def _input_paths(ctx: typer.Context) -> list[Path]:
    """Every path among the parameters of the command `ctx` runs that is not an output:
    its variant files, the roadmaps it reads (`ROADMAP`, `--keep`, ...)."""
    found: list[Path] = []
    for param in ctx.command.params:
        if param.name in OUTPUT_PARAMS or param.name in ("packages", "constraints", None):
            continue  # (the scenario's files: `protected` lists them)
        if getattr(param.type, "name", None) not in PATH_TYPES:
            continue
        value = ctx.params.get(param.name)
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is not None:
                found.append(Path(item))
    return found


def protected(packages: Path | None, constraints: Path | None, *inputs: Path) -> Protected:
    """What the command's output files may not touch: its input files (the scenario's and
    `inputs`), the constraints folder, and the folders of a scenario given by name."""
    from planner.load.files import constraint_files, default_paths
    from planner.output import Protected

    default_packages, default_constraints = default_paths()
    pkg, rules = packages or default_packages, constraints or default_constraints
    files: list[Path] = [pkg, *inputs]
    with contextlib.suppress(InputError):
        files += constraint_files(rules)
    guarded = [p for p, given in ((pkg.parent, packages), (rules, constraints)) if given]
    return Protected.of(files, closed=[rules], guarded=guarded)


@contextlib.contextmanager
def writing(ctx: typer.Context, *outputs: Path | None, force: bool = False) -> Iterator[Outputs]:
    """The output files of the command `ctx` runs (None: not asked for), checked now,
    before its work: one that may not or cannot be written exits 2 at once (an input of
    the command, a directory, the same file twice, a missing folder, a pipe nobody reads,
    ...). `.write(...)` writes them after the work, all or none. The inputs are every
    other path among the command's parameters (`OUTPUT_PARAMS`), so an option that reads
    a file is protected by being declared. The library's errors inside are mapped as by
    `answers`."""
    from planner.output import Outputs

    packages, constraints = (ctx.params.get(name) for name in ("packages", "constraints"))
    paths = [p for p in outputs if p is not None]
    with answers():
        guard = protected(
            Path(packages) if packages is not None else None,
            Path(constraints) if constraints is not None else None,
            *_input_paths(ctx),
        )
        with Outputs(paths, guard, force) as files:
            yield files


def scenario(
    packages: Path | None,
    constraints: Path | None,
    variants: list[Path] | None = None,
    sets: list[str] | None = None,
) -> Scenario:
    """The scenario, changed by `--variant` files and `--set` expressions (bad input,
    theirs included, exits 2): given here, or else the command's own `variant` and
    `sets` options (`VariantOpt`, `SetOpt`), so declaring them is all a command needs.
    A variant is named on stderr with one line per change it made, so stdout stays the
    answer (JSON included).

    It lives until the process ends, so the cyclic collector is told never to walk its
    objects again: otherwise the first collections after a 10,000-step load walk them
    all, for about 30 ms."""
    from planner.api import load_scenario

    if variants is None and sets is None:
        # A command that declares the two options (`variant: VariantOpt = None`,
        # `sets: SetOpt = None`) gets them here even when it calls `scenario(packages,
        # constraints)` alone: the options keep what they were given (`_given`).
        variants, sets = _GIVEN.get("--variant"), _GIVEN.get("--set")
    with answers():
        loaded = load_scenario(packages, constraints, variants or (), sets or ())
    gc.freeze()
    for line in variant_lines(loaded):
        typer.echo(line, err=True)
    return loaded


def variant_lines(loaded: Scenario) -> list[str]:
    """The variant's name and every change it made, one line each (none without one)."""
    if not loaded.variant:
        return []
    count = len(loaded.changes)
    head = f"variant {loaded.variant}: " + (
        "no change" if not count else f"{count} change{'s' * (count != 1)}"
    )
    return [head, *(f"  {what}  [{where}]" for where, what in loaded.changes)]


def roadmap(path: Path, loaded: Scenario) -> Roadmap:
    """The roadmap in `path` (bad input exits 2), noted (`noted`), kept from the cyclic
    collector as the scenario is (`scenario`)."""
    from planner.api import load_roadmap

    with answers():
        read = load_roadmap(path, loaded)
    gc.freeze()
    noted(read.edits)
    return read


def noted(edits: Iterable[Problem]) -> None:
    """A note on stderr for each derived field a roadmap file gives otherwise than the
    scenario (`Roadmap.edits`: recomputed, not an error)."""
    for edit in edits:
        typer.echo(str(edit), err=True)


def main() -> None:
    """Entry point of the `planner` script: usage errors as one line, exit 2; Ctrl-C as
    one line, exit 130 — also a Ctrl-C that lands while the answer is flushed on the way
    out (the answer is then dropped, not cut)."""
    try:
        leave(_run())
    except KeyboardInterrupt:
        interrupted()


def _run() -> int:
    """The command's exit code (usage errors and Ctrl-C end the process here)."""
    try:
        code = app(standalone_mode=False)
    except TyperException as exc:  # click's usage errors (bad or missing options)
        message = exc.format_message()
        if message:  # (no command at all: the help was printed instead)
            ctx = getattr(exc, "ctx", None)
            where = f"{ctx.command_path}: " if ctx is not None else "planner: "
            typer.echo(f"{where}{message} (see --help)", err=True)
        leave(2)
    except (typer.Abort, KeyboardInterrupt):
        interrupted()
    except SystemExit:
        # typer's only exit outside standalone mode: stdout closed by its reader while it
        # printed help (`planner --help | head -1`). Our answers go through `emit`.
        leave(0)
    except Exception:
        from planner import interrupt

        if interrupt.pressed():  # Ctrl-C inside a C extension's import (ortools)
            interrupted()
        raise
    if code == 130:  # typer turns a Ctrl-C into a silent exit 130
        interrupted()
    return code if isinstance(code, int) else 0


def interrupted() -> NoReturn:
    """Ctrl-C with nothing to show: say so, exit 130 (the shell's code for it). What is
    still buffered for stdout is dropped: an answer is whole or not given."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    os._exit(130)


def leave(code: int) -> NoReturn:
    """Flush the output and end the process at once, as mypy does: tearing a 10,000-step
    scenario down object by object takes longer (about 75 ms) than checking it, and the
    system reclaims the memory in one go. Every file we write is closed by then
    (`planner.output`), so nothing is lost."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed, or None
            stream.flush()
    os._exit(code)
