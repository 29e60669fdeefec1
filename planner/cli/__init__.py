"""The command line: `planner` (also `python -m planner`).

Thin: each command parses its options, makes one call into `planner.api`, renders the
result with `planner.render.results` and maps errors to exit codes. `app` holds the
application, the scenario's loading, the output check and the entry point `main`;
`options` the options several commands share; each module beside them registers a group
of commands.
"""

from planner.cli import core, plan, repair, whatif

# isort: split
# After the core commands, so that `planner --help` lists those first.
from planner.cli import authoring, outputs, serve
from planner.cli.app import app, main

__all__ = ["app", "authoring", "core", "main", "outputs", "plan", "repair", "serve", "whatif"]
