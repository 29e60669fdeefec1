"""Reading input files: the only module that opens them. Missing, unreadable and oversized
files are refused here, each as one located problem."""

from __future__ import annotations

import functools
import gc
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from planner.errors import InputError, Mark, Problem
from planner.yamlread import MAX_BYTES


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
    """(display name, bytes), refusing missing, unreadable and oversized files."""
    name = name or display_name(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                [Problem(Mark(name), f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")]
            )
        with path.open("rb") as fh:
            return name, fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(Mark(name), "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(Mark(name), "is a directory, not a file")]) from None
    except OSError as exc:
        raise InputError([Problem(Mark(name), f"cannot read: {exc.strerror}")]) from None


def constraint_files(directory: Path) -> list[Path]:
    """The rule files of a constraints folder, by name."""
    name = display_name(directory)
    if not directory.exists():
        raise InputError([Problem(Mark(name), "no such directory")])
    if not directory.is_dir():
        raise InputError([Problem(Mark(name), "is not a directory")])
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


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
