"""Whether the person pressed Ctrl-C: the SIGINT handler of the `planner` script.

It remembers the press, then raises KeyboardInterrupt as Python's own handler does. A
Ctrl-C that lands inside a C extension while it initializes (ortools) surfaces as an
ImportError instead; `pressed()` lets the command line tell that apart from a real error.
"""

from __future__ import annotations

import signal
from types import FrameType

_pressed = False


def pressed() -> bool:
    """True once Ctrl-C has been pressed in this process."""
    return _pressed


def note() -> None:
    """Remember a Ctrl-C that another handler took (the solver's, which stops the search
    instead of raising), so the command line can tell a cut-short answer from a slow one."""
    global _pressed
    _pressed = True


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _pressed
    _pressed = True
    raise KeyboardInterrupt


def install() -> None:
    """Handle SIGINT from now on."""
    signal.signal(signal.SIGINT, _on_sigint)
