"""The `planner` script's entry point, kept free of imports: a Ctrl-C while the command
line loads (typer and rich take a tenth of a second) says "interrupted" instead of
printing a traceback."""

from __future__ import annotations

import os
import sys

from planner import interrupt


def main() -> None:
    try:
        interrupt.install()
        from planner.cli import main as run
    except (KeyboardInterrupt, ImportError) as exc:
        if not isinstance(exc, KeyboardInterrupt) and not interrupt.pressed():
            raise
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(130)
    run()
