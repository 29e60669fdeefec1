"""The `planner` script's entry point, kept free of imports: a Ctrl-C while the command
line loads (typer and rich take a tenth of a second) says "interrupted" instead of
printing a traceback.

It installs the SIGINT handler first: it remembers that Ctrl-C was pressed, then raises
KeyboardInterrupt as Python's own handler does. A Ctrl-C that lands inside a C extension
while it initializes (ortools) surfaces as an ImportError instead; `interrupted_by_user`
lets the command line tell that apart from a real error.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

_pressed = False


def interrupted_by_user() -> bool:
    """True once Ctrl-C has been pressed in this process."""
    return _pressed


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _pressed
    _pressed = True
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        from planner.cli import main as run
    except (KeyboardInterrupt, ImportError):
        if not isinstance(sys.exc_info()[1], KeyboardInterrupt) and not _pressed:
            raise
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(130)
    run()
