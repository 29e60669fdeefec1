"""A cache of loaded scenarios: checking against an unchanged scenario skips parsing it.

Parsing is most of `planner check`'s time on large deals: libyaml alone needs about 0.5 s
to read a 10,000-step scenario, and validating it twice that. A negotiator edits the
roadmap and re-checks it many times against the same scenario, so the validated
`Scenario` is kept, pickled, under a key that covers everything it was built from:

- the bytes and display names of every scenario file (a name appears in messages, and a
  changed byte anywhere is a different scenario);
- the planner's own code (name, size and modification time of each module), so an
  upgrade or a local edit never reads a scenario built by other code;
- the Python version and this cache's format number.

An entry holds its own key and the SHA-256 of its payload, both checked on reading: an
entry copied under another name, or changed since it was written, is parsed anew.

Only scenarios of at least `MIN_BYTES` are cached: smaller ones load faster than a cache
entry is written. Files with problems are never cached, so every message is the loader's.

Where: `$RELIEF_PLANNER_CACHE` if set (`off` disables the cache; a leading `~` is the home
directory), else `$XDG_CACHE_HOME/relief-planner` (an absolute path, as the XDG
specification says; a relative one is ignored), else `~/.cache/relief-planner`. The
directory is created private (mode 0700), and a directory that other users could write to
is never read, since a cache entry is a pickle. At most `MAX_ENTRIES` entries are kept,
the least recently used removed first; trimming removes only files that are entries (a
name of 64 hex digits and `.scenario`, starting with this cache's format line), never
another file of the same folder. Any failure to read or write the cache is ignored: the
scenario is then simply parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from planner.output import write_atomic
from planner.scenario import Scenario

ENV = "RELIEF_PLANNER_CACHE"
FORMAT = b"relief-planner scenario cache 2\n"
MIN_BYTES = 256 * 1024
MAX_ENTRIES = 8
#: After the format line: the entry's key and the SHA-256 of its payload, hex, a space
#: between them and a newline after.
HEADER = 64 + 1 + 64 + 1
SUFFIX = ".scenario"
#: The name of a cache entry: its key (a SHA-256, hex) and the suffix.
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}" + re.escape(SUFFIX) + r"\Z")
#: What every entry of every format of this cache starts with.
_FORMAT_PREFIX = FORMAT[: FORMAT.rindex(b" ") + 1]


def directory() -> Path | None:
    """The cache directory, or None when the cache is off."""
    where = os.environ.get(ENV)
    if where is not None:
        if where.strip().lower() in ("off", "0", "no", "false", ""):
            return None
        expanded = os.path.expanduser(where)
        # `~user` of no such user stays as written: not a folder named `~` here.
        return None if expanded.startswith("~") else Path(expanded)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "relief-planner"
    try:
        return Path.home() / ".cache" / "relief-planner"
    except RuntimeError:  # no home directory to be found: no cache
        return None


def _code_fingerprint() -> bytes:
    """Name, size and modification time of every module of the planner package."""
    root = Path(__file__).resolve().parent
    parts = []
    for path in sorted(root.rglob("*.py")):
        st = path.stat()
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode()


def key(files: Sequence[tuple[str, bytes]]) -> str | None:
    """The cache key of a scenario read from `files` (display name, bytes), or None when it
    is too small to be worth caching or the cache is off."""
    if sum(len(data) for _, data in files) < MIN_BYTES or directory() is None:
        return None
    h = hashlib.sha256(FORMAT)
    h.update(sys.version.encode())
    h.update(_code_fingerprint())
    for name, data in files:
        h.update(f"\0{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _trusted(where: Path) -> bool:
    """A directory only this user can write to (on systems with owners and modes)."""
    try:
        st = where.stat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def get(cache_key: str | None) -> Scenario | None:
    """The cached scenario for `cache_key`, or None."""
    where = directory()
    if cache_key is None or where is None or not _trusted(where):
        return None
    path = where / (cache_key + SUFFIX)
    try:
        data = path.read_bytes()
        head = len(FORMAT) + HEADER
        if not data.startswith(FORMAT) or len(data) < head:
            return None
        stored_key, digest = data[len(FORMAT) : head - 1].split(b" ")
        payload = memoryview(data)[head:]
        # An entry copied under another name, or changed since written, is not this one.
        if (
            stored_key.decode() != cache_key
            or hashlib.sha256(payload).hexdigest() != digest.decode()
        ):
            return None
        scenario = pickle.loads(payload)
    except Exception:  # a missing, truncated or foreign entry: parse instead
        return None
    if not isinstance(scenario, Scenario):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used
    return scenario


def put(cache_key: str | None, scenario: Scenario) -> None:
    """Keep `scenario` under `cache_key` (atomically), then trim the cache."""
    where = directory()
    if cache_key is None or where is None:
        return
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(where):
            return
        payload = pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.sha256(payload).hexdigest()
        data = FORMAT + f"{cache_key} {digest}\n".encode() + payload
        write_atomic(where / (cache_key + SUFFIX), data, durable=False)
        entries = sorted(_entries(where), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink()
    except (OSError, pickle.PicklingError, RecursionError):
        return


def _entries(where: Path) -> list[Path]:
    """The cache entries in `where`: files named as entries are and starting as they do
    (a folder given as the cache may hold the user's own `*.scenario` files)."""
    out = []
    for path in where.iterdir():
        if not _ENTRY_NAME.match(path.name) or path.is_symlink() or not path.is_file():
            continue
        try:
            with path.open("rb") as fh:
                if fh.read(len(_FORMAT_PREFIX)) != _FORMAT_PREFIX:
                    continue
        except OSError:
            continue
        out.append(path)
    return out
