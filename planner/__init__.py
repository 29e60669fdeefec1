"""relief-planner: sequence sanctions-relief deals against verified commitments.

The library face is importable from here: the calls of `planner.api` (one per command:
`planner.load_scenario()`, `planner.check_roadmap(...)`, `planner.plan(...)`, ...) and
the renderers of their results, `planner.render.results` (`planner.check_output(...)`,
`planner.plan_output(...)`, ...: what each command prints). They are loaded on first
use, so that `planner --help` does not pay for them.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Not `typing.TYPE_CHECKING`: importing typing costs 10 ms before the entry point can catch
# a Ctrl-C (mypy reads any constant of this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.api import (
        PLAN,
        CheckResult,
        DiffResult,
        DocumentResult,
        NoPlan,
        RepairResult,
        Report,
        Roadmap,
        Scenario,
        SimulateResult,
        TimelineResult,
        brief,
        check,
        check_roadmap,
        conflict_text,
        describe,
        diff,
        document,
        explain,
        graph,
        load_roadmap,
        load_scenario,
        plan,
        plan_doc,
        plan_text,
        repair,
        replan,
        report_json,
        report_text,
        scenario_summary,
        simulate,
        timeline,
        timeline_view,
    )
    from planner.render.results import (
        brief_output,
        chart_output,
        check_output,
        diff_output,
        histogram,
        plan_output,
        repair_output,
        report_output,
        simulate_output,
        timeline_output,
    )

#: The library face (`planner.api`, then the renderers), loaded on first use.
__all__ = [
    "PLAN", "CheckResult", "DiffResult", "DocumentResult", "NoPlan", "RepairResult",
    "Report", "Roadmap", "Scenario", "SimulateResult", "TimelineResult", "__version__",
    "brief", "brief_output", "chart_output", "check", "check_output", "check_roadmap", "conflict_text", "describe",
    "diff", "diff_output", "document", "explain", "graph", "histogram", "load_roadmap",
    "load_scenario", "plan", "plan_doc", "plan_output", "plan_text", "repair",
    "repair_output", "replan", "report_json", "report_output", "report_text",
    "scenario_summary", "simulate", "simulate_output", "timeline", "timeline_output",
    "timeline_view",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in __all__:
        from planner import api

        if hasattr(api, name):
            return getattr(api, name)
        from planner.render import results

        return getattr(results, name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
