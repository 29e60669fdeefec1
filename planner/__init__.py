"""relief-planner: sequence sanctions-relief deals against verified commitments.

The library face (`planner.api`) is importable from here: `planner.load_scenario()`,
`planner.plan(...)`, `planner.check(...)`, the renderers. It is loaded on first use, so
that `planner --help` does not pay for it.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Not `typing.TYPE_CHECKING`: importing typing costs 10 ms before the entry point can catch
# a Ctrl-C (mypy reads any constant of this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.api import (
        Report,
        Roadmap,
        Scenario,
        check,
        conflict_text,
        explain,
        load_roadmap,
        load_scenario,
        plan,
        plan_doc,
        plan_text,
        report_json,
        report_text,
        scenario_summary,
        timeline,
    )

#: The library face (`planner.api`), loaded on first use.
__all__ = [
    "Report", "Roadmap", "Scenario", "__version__", "check", "conflict_text", "explain",
    "load_roadmap", "load_scenario", "plan", "plan_doc", "plan_text", "report_json",
    "report_text", "scenario_summary", "timeline",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in __all__:
        from planner import api

        return getattr(api, name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
