"""Writing files atomically: a crash or Ctrl-C never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, content: str | bytes, durable: bool = True) -> None:
    """Write `content` (text as UTF-8) to a temporary file beside `path`, flush it to disk
    (unless not `durable`: a cache entry may be lost in a crash, never half-written), then
    rename it over `path` in one step. On any failure the temporary file is removed and
    `path` is left as it was."""
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
