"""The command line: `planner` (also `python -m planner`).

`app` holds the application, its shared options and the entry point `main`; each module
beside it registers a group of commands.
"""

from planner.cli import authoring, core, plan
from planner.cli.app import app, main

__all__ = ["app", "authoring", "core", "main", "plan"]
