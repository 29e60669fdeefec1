"""Writing output files: atomically, all or nothing, and never over an input.

Every command that writes files goes through `write_outputs`:

- a path that is one of the command's input files (the scenario, a rule file, the
  roadmap read) is refused, whatever `--force` says; so is a path inside the constraints
  folder (a new `.yaml` there would become a rule file), and, for a scenario named with
  `--packages`/`--constraints`, any path inside its folders, unless `force`;
- every regular file is first written to a temporary file beside it, flushed to disk,
  then all are renamed into place; if any cannot be written, none is replaced;
- a symbolic link is followed: the file it points to is replaced, the link stays;
- a device or a named pipe (`/dev/null`, `/dev/stdout`, a FIFO with a reader) is written
  into, not replaced;
- a new file gets the usual mode (0666 less the umask); a replaced file keeps its mode.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class OutputError(Exception):
    """An output that cannot or may not be written: one line, `path: reason`."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True, slots=True)
class Protected:
    """What outputs may not touch: input files (never), and folders (unless forced)."""

    files: tuple[Path, ...] = ()
    #: Folders where no `.yaml` output may go, even with force (the constraints folder:
    #: every `.yaml` there is a rule file); other outputs go there only with force.
    closed: tuple[Path, ...] = ()
    #: Folders an output goes into only with force (the scenario's own folders).
    guarded: tuple[Path, ...] = ()
    _ids: frozenset[tuple[int, int]] = field(default=frozenset(), compare=False)

    @staticmethod
    def of(
        files: Collection[Path],
        closed: Collection[Path] = (),
        guarded: Collection[Path] = (),
    ) -> Protected:
        ids = set()
        for f in files:
            with contextlib.suppress(OSError):
                st = f.stat()
                ids.add((st.st_dev, st.st_ino))
        return Protected(
            tuple(f.resolve() for f in files),
            tuple(d.resolve() for d in closed),
            tuple(d.resolve() for d in guarded),
            frozenset(ids),
        )

    def refusal(self, path: Path, force: bool) -> str | None:
        """Why `path` may not be written, or None."""
        target = path.resolve()
        try:
            st = path.stat()
            if (st.st_dev, st.st_ino) in self._ids:
                return "is an input of this command; write the output elsewhere"
        except OSError:
            pass
        if target in self.files:
            return "is an input of this command; write the output elsewhere"
        for folder in self.closed:
            if target.parent == folder and target.suffix.lower() in (".yaml", ".yml"):
                return (
                    f"is in the constraints folder {folder}, where it would be read as "
                    "rules; write the output elsewhere"
                )
        if not force:
            for folder in (*self.guarded, *self.closed):
                if target.is_relative_to(folder):
                    return (
                        f"is inside the scenario's folder {folder}; write the output "
                        "elsewhere, or add --force"
                    )
        return None


NOTHING_PROTECTED = Protected()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_stream(path: Path) -> bool:
    """A device or named pipe: written into, never replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISBLK(mode)


def _write_stream(path: Path, data: bytes) -> None:
    try:
        flags = os.O_WRONLY | (os.O_NONBLOCK if stat.S_ISFIFO(path.stat().st_mode) else 0)
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a named pipe that nobody reads
            raise OutputError(path, "a named pipe with no reader") from None
        raise OutputError(path, f"cannot write: {exc.strerror}") from None
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise OutputError(path, f"cannot write: {exc.strerror}") from None


def write_outputs(
    outputs: Sequence[tuple[Path, str | bytes]],
    protected: Protected = NOTHING_PROTECTED,
    force: bool = False,
) -> None:
    """Write every (path, content) — text as UTF-8 — or none of them.

    Raises
    ------
    OutputError
        The first path that may not or cannot be written; nothing was replaced.
    """
    items = [(p, c.encode("utf-8") if isinstance(c, str) else c) for p, c in outputs]
    for path, _ in items:
        reason = protected.refusal(path, force)
        if reason:
            raise OutputError(path, reason)
        if path.is_dir():
            raise OutputError(path, "is a directory")
    files = [(p, d) for p, d in items if not _is_stream(p)]
    streams = [(p, d) for p, d in items if _is_stream(p)]
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path.resolve()))
        for tmp, target in staged:
            os.replace(tmp, target)
        staged = []
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    for path, data in streams:
        _write_stream(path, data)


def _stage(path: Path, data: bytes) -> str:
    """A temporary file beside (the target of) `path` holding `data`, flushed, with the
    mode the final file should have."""
    target = path.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise OutputError(path, f"cannot write: {exc.strerror}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(path, f"cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(path, f"cannot write: {exc.strerror}") from None
        raise
    return tmp


def write_atomic(path: Path, content: str | bytes, durable: bool = True) -> None:
    """Write `content` (text as UTF-8) to a temporary file beside `path`, flush it to disk
    (unless not `durable`: a cache entry may be lost in a crash, never half-written), then
    rename it over `path` in one step. On any failure the temporary file is removed and
    `path` is left as it was. (For the scenario cache: private files, no guard.)"""
    directory = path.parent if str(path.parent) else Path(".")
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def stale_siblings(paths: Sequence[Path], pattern_of: Path) -> list[Path]:
    """Alternative files beside `pattern_of` (`NAME.altN.suffix`) not among `paths`: left
    from an earlier run."""
    stem, suffix = pattern_of.stem, pattern_of.suffix
    written = {p.name for p in paths}
    found = []
    with contextlib.suppress(OSError):
        for p in pattern_of.parent.glob(f"{stem}.alt*{suffix}"):
            middle = p.name[len(stem) + 4 : len(p.name) - len(suffix)]
            if middle.isdigit() and p.name not in written:
                found.append(p)
    return sorted(found, key=lambda p: int(p.name[len(stem) + 4 : len(p.name) - len(suffix)]))
