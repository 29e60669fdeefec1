"""The command line: `planner` (also `python -m planner`).

`app` holds the application, its shared options and the entry point `main`; each module
beside it registers a group of commands.
"""

from planner.cli import core, plan, repair, whatif

# isort: split
# After the core commands, so that `planner --help` lists those first.
from planner.cli import authoring, outputs
from planner.cli.app import app, main

__all__ = ["app", "authoring", "core", "main", "outputs", "plan", "repair", "whatif"]
