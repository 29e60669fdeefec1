"""relief-planner: sequence sanctions-relief deals against verified commitments.

The library face (`planner.api`) is importable from here: `planner.load_scenario()`,
`planner.plan(...)`, `planner.check(...)`, the renderers. It is loaded on first use, so
that `planner --help` does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
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
