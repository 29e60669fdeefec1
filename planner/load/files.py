"""Reading input files: the only module that opens them. Missing, unreadable and oversized
files are refused here, each as one located problem."""

from __future__ import annotations

import errno
import functools
import gc
import importlib.util
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from planner.errors import InputError, Mark, Problem
from planner.load.yamlread import MAX_BYTES


def default_paths() -> tuple[Path, Path]:
    """The embedded default scenario: (packages.yaml, constraints/), wherever installed."""
    spec = importlib.util.find_spec("planner_default")
    roots = list(spec.submodule_search_locations or []) if spec else []
    roots.append(str(Path(__file__).resolve().parent.parent.parent))  # a source checkout
    for root in roots:
        if (Path(root) / "packages.yaml").is_file():
            return Path(root) / "packages.yaml", Path(root) / "constraints"
    raise InputError([Problem(Mark("packages.yaml"), "the embedded default scenario is missing")])


def display_name(path: Path) -> str:
    """A path as messages show it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def read_file(path: Path, name: str | None = None) -> tuple[str, bytes]:
    """(display name, bytes), refusing missing, unreadable and oversized files, and
    anything but a regular file (a named pipe would block, a device never end)."""
    name = name or display_name(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputError([Problem(Mark(name), "is a directory, not a file")])
        if not stat.S_ISREG(st.st_mode):
            raise InputError([Problem(Mark(name), f"is {_special(st.st_mode)}, not a file")])
        size = st.st_size
        if size > MAX_BYTES:
            raise InputError(
                [Problem(Mark(name), f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")]
            )
        with path.open("rb") as fh:
            return name, fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError([Problem(Mark(name), "is a broken symbolic link")]) from None
        raise InputError([Problem(Mark(name), "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(Mark(name), "is a directory, not a file")]) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError([Problem(Mark(name), "is a symbolic link loop")]) from None
        raise InputError([Problem(Mark(name), f"cannot read: {exc.strerror}")]) from None


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


#: The suffixes of rule files, in any case (`rules.YAML` is read too).
RULE_SUFFIXES = (".yaml", ".yml")


def constraint_files(directory: Path) -> list[Path]:
    """The rule files of a constraints folder (`*.yaml`, `*.yml`, any case), by name.
    Every entry with such a suffix is returned, whatever it is, so that `read_file`
    reports a broken link, a loop, a folder or a pipe instead of dropping its rules."""
    name = display_name(directory)
    try:
        if not directory.exists():
            raise InputError([Problem(Mark(name), "no such directory")])
        if not directory.is_dir():
            raise InputError([Problem(Mark(name), "is not a directory")])
        entries = list(directory.iterdir())
    except OSError as exc:
        raise InputError([Problem(Mark(name), f"cannot list: {exc.strerror}")]) from None
    return sorted(p for p in entries if p.suffix.lower() in RULE_SUFFIXES)


_P = ParamSpec("_P")
_T = TypeVar("_T")


def gc_paused(fn: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run `fn` with the cyclic garbage collector paused (reference counting still frees
    everything). Loading allocates hundreds of thousands of small objects that all stay
    alive, and the collections they would trigger, each walking every live object, cost
    about a third of loading a 10,000-step scenario."""

    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused
