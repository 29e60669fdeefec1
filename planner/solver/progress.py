"""The progress line of a search that takes a while (`plan` on a terminal)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Progress = Callable[[str], None]


class Watch:
    """Reports progress on stderr-like output once solving takes over a second."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.state = ""
        self.t0 = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Watch:
        if self.progress is not None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        frames = "|/-\\"
        i = 0
        while not self._stop.wait(0.25):
            elapsed = time.monotonic() - self.t0
            if elapsed >= 1.0 and self.progress is not None:
                self.progress(f"{frames[i % 4]} solving {elapsed:5.1f} s {self.state}")
                i += 1

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            if time.monotonic() - self.t0 >= 1.0 and self.progress is not None:
                self.progress("")
