"""Writing output files: checked before the work, written after it, all or none, and never
over an input.

Every command that writes files goes through `Outputs` (`write_outputs` does both steps at
once):

- `Outputs.check`, before the command's work, refuses what can be known to fail: a path
  that is one of the command's input files (the scenario, a rule file, a variant file, the
  roadmap read; also reached through a link, or a hard link), whatever `--force` says; a
  path inside the constraints folder (a new `.yaml` there would become a rule file), and,
  for a scenario named with `--packages`/`--constraints`, any path inside its folders,
  unless `force`; a directory; two outputs that are the same file (the same name, a link
  to the other, a hard link); a folder that does not exist or cannot be written in (a
  temporary file is made there and removed, as the write will); a named pipe nobody reads;
  and more than one device or named pipe among the outputs (what a device took cannot be
  taken back; `/dev/null` does not count). A device or named pipe is opened then and kept
  open until it is written, so its reader sees no end before the output;
- `Outputs.write`, after the work, checks the files again (the work may have taken long),
  writes every regular file to a temporary file beside it and flushes it to disk, then
  writes the device or pipe, and only then renames the files into place: if anything fails
  before the renames, nothing is replaced;
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
from types import TracebackType


class OutputError(Exception):
    """An output that cannot or may not be written: one line, `path: reason`."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def resolved(path: Path) -> Path:
    """`path` with every link followed, as far as they lead (a link loop: the path made
    absolute, as written)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a link loop (Python 3.11)
        return Path(os.path.abspath(path))


def _file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file `path` reaches, or None when it reaches none."""
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


INPUT = "is an input of this command; write the output elsewhere"


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
        ids = {i for i in map(_file_id, files) if i is not None}
        return Protected(
            tuple(resolved(f) for f in files),
            tuple(resolved(d) for d in closed),
            tuple(resolved(d) for d in guarded),
            frozenset(ids),
        )

    def refusal(self, path: Path, force: bool) -> str | None:
        """Why `path` may not be written, or None."""
        target = resolved(path)
        if _file_id(path) in self._ids or target in self.files:
            return INPUT
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


def _mode(path: Path) -> int | None:
    """The mode of the file `path` reaches (links followed), or None when none."""
    try:
        return path.stat().st_mode
    except (OSError, ValueError):
        return None


def _is_stream(mode: int | None) -> bool:
    """A device or named pipe: written into, never replaced."""
    return mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISBLK(mode))


def _is_null(path: Path) -> bool:
    """`/dev/null` under any name: it takes anything and keeps nothing."""
    null = _file_id(Path(os.devnull))
    return null is not None and _file_id(path) == null


def _cannot(path: Path, exc: OSError) -> OutputError:
    return OutputError(path, f"cannot write: {exc.strerror or exc}")


class Outputs:
    """The output files of one command: checked before its work (`check`), written after
    it (`write`), all or none. Use it as a context manager: the devices and pipes it
    opened are closed on the way out, written or not."""

    def __init__(
        self,
        paths: Sequence[Path],
        protected: Protected = NOTHING_PROTECTED,
        force: bool = False,
    ) -> None:
        self.paths = tuple(paths)
        self.protected = protected
        self.force = force
        #: Devices and named pipes, opened by `check`: path -> file descriptor.
        self._streams: dict[Path, int] = {}

    def __enter__(self) -> Outputs:
        self.check()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for fd in self._streams.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._streams = {}

    def check(self) -> None:
        """Refuse, before the work, every output that may not or cannot be written; open
        the devices and pipes among them.

        Raises
        ------
        OutputError
            The first output that may not or cannot be written.
        """
        self._refuse(self.paths)
        streams = [p for p in self.paths if _is_stream(_mode(p)) and not _is_null(p)]
        if len(streams) > 1:
            raise OutputError(
                streams[1],
                f"is a device or pipe, and so is {streams[0]}: one output at most may be "
                "one (what a device took cannot be taken back if the other fails)",
            )
        for path in self.paths:
            if _is_stream(_mode(path)):
                if path not in self._streams:
                    self._streams[path] = _open_stream(path)
            else:
                _probe(path)

    def _refuse(self, paths: Sequence[Path]) -> None:
        """Inputs, directories, link loops and one file written twice."""
        seen: dict[object, Path] = {}
        for path in paths:
            reason = self.protected.refusal(path, self.force)
            if reason:
                raise OutputError(path, reason)
            mode = _mode(path)
            if mode is not None and stat.S_ISDIR(mode):
                raise OutputError(path, "is a directory")
            if mode is None and path.is_symlink() and _loops(path):
                raise OutputError(path, "is a symbolic link loop")
            if _is_null(path):
                continue
            key: object = _file_id(path) or resolved(path)
            if key in seen:
                raise OutputError(
                    path, f"is the same file as {seen[key]}, also an output of this command"
                )
            seen[key] = path

    def write(self, contents: Sequence[tuple[Path, str | bytes]]) -> None:
        """Write every (path, content) — text as UTF-8 — or none of them. Every path must
        be one of `paths` (an output checked before); a path of `paths` left out is not
        written.

        Raises
        ------
        OutputError
            The first path that may not or cannot be written; nothing was replaced.
        """
        items = [(p, c.encode("utf-8") if isinstance(c, str) else c) for p, c in contents]
        unknown = [p for p, _ in items if p not in self.paths]
        if unknown:
            raise ValueError(f"not an output checked before: {unknown[0]}")
        self._refuse([p for p, _ in items])
        for path, _ in items:  # (one that became a device or pipe during the work)
            if path not in self._streams and _is_stream(_mode(path)):
                self._streams[path] = _open_stream(path)
        files = [(p, d) for p, d in items if p not in self._streams]
        streams = [(p, d) for p, d in items if p in self._streams]
        staged: list[tuple[str, Path]] = []
        try:
            for path, data in files:
                staged.append((_stage(path, data), resolved(path)))
            for path, data in streams:
                _write_stream(path, self._streams.pop(path), data)
            for tmp, target in staged:
                os.replace(tmp, target)
            staged = []
        finally:
            for tmp, _ in staged:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def _loops(path: Path) -> bool:
    try:
        path.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _probe(path: Path) -> None:
    """Make and remove a temporary file where `path` will be staged: the write will do the
    same, so what fails here would fail then (a missing folder, no permission, a read-only
    file system)."""
    target = resolved(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _cannot(path, exc) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _open_stream(path: Path) -> int:
    """Open a device or named pipe for writing without waiting: a pipe nobody reads is
    refused at once."""
    try:
        flags = os.O_WRONLY | (os.O_NONBLOCK if stat.S_ISFIFO(_mode(path) or 0) else 0)
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a named pipe that nobody reads
            raise OutputError(path, "a named pipe with no reader") from None
        raise _cannot(path, exc) from None
    os.set_blocking(fd, True)
    return fd


def _write_stream(path: Path, fd: int, data: bytes) -> None:
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise _cannot(path, exc) from None


def write_outputs(
    outputs: Sequence[tuple[Path, str | bytes]],
    protected: Protected = NOTHING_PROTECTED,
    force: bool = False,
) -> None:
    """Check and write every (path, content) — text as UTF-8 — or none of them (`Outputs`
    in one step, for output that costs nothing to make).

    Raises
    ------
    OutputError
        The first path that may not or cannot be written; nothing was replaced.
    """
    with Outputs([p for p, _ in outputs], protected, force) as files:
        files.write(outputs)


def _stage(path: Path, data: bytes) -> str:
    """A temporary file beside (the target of) `path` holding `data`, flushed, with the
    mode the final file should have."""
    target = resolved(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _cannot(path, exc) from None
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
            raise _cannot(path, exc) from None
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


def write_tree(
    outputs: Sequence[tuple[Path, str | bytes]],
    protected: Protected = NOTHING_PROTECTED,
    force: bool = False,
) -> None:
    """`write_outputs`, first creating the folders the paths need; when nothing could be
    written, the folders it created are removed again (innermost first).

    Raises
    ------
    OutputError
        A folder that cannot be created, or an output that may not or cannot be written.
    """
    created: list[Path] = []
    try:
        for folder in sorted({p.parent for p, _ in outputs}, key=lambda p: len(p.parts)):
            for part in [*reversed(folder.parents), folder]:
                if not part.exists() and part not in created:
                    try:
                        part.mkdir()
                    except OSError as exc:
                        raise OutputError(part, f"cannot create: {exc.strerror}") from None
                    created.append(part)
        write_outputs(outputs, protected, force)
    except BaseException:
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
