"""The command line: `planner` (also `python -m planner`).

`app` holds the application, its shared options and the entry point `main`; each module
beside it registers a group of commands.
"""

from planner.cli import core, plan, repair, whatif
from planner.cli.app import app, main

__all__ = ["app", "core", "main", "plan", "repair", "whatif"]
