"""The library face: what a notebook user calls, also importable from `planner` itself.

Every command of the command line is one call here, which returns a result object
(`planner.api.results`); `planner.render.results` renders it as the command prints it:

    import planner
    scenario = planner.load_scenario()                 # the embedded Belarus default
    result = planner.plan(scenario)                    # CP-SAT: best roadmap first
    print(planner.plan_output(scenario, result))       # what `planner plan` prints
    checked = planner.check_roadmap(scenario, "r.yaml")
    print(planner.check_output(checked))               # what `planner check r.yaml` prints

| command | call | result |
|---|---|---|
| `validate` | `load_scenario` (`describe` for `--explain`) | `Scenario` |
| `check` | `check_roadmap` | `CheckResult` |
| `timeline` | `timeline_view` | `TimelineResult` |
| `gantt`, `report` | `document` | `DocumentResult` |
| `brief` | `brief` | `DocumentResult` |
| `plan` | `plan`; with `--keep --as-of`, `replan` | `PlanResult` |
| `explain` | `explain` | `Conflict` or None |
| `repair` | `repair` | `RepairResult` |
| `diff` | `diff` | `DiffResult` |
| `simulate` | `simulate` | `SimulateResult` |
| `contingency` | `contingency` | `ContingencyResult` |
| `graph` | `graph` | `Graph` |

The calls that search import ortools when they run, not before. The command line
(`planner.cli`) parses options, makes the call, renders and maps errors to exit codes.
"""

from __future__ import annotations

from planner.api.inputs import describe, graph, load_roadmap, load_scenario
from planner.api.results import (
    CheckResult,
    ContingencyResult,
    DiffResult,
    DocumentResult,
    NoPlan,
    RepairResult,
    SimulateResult,
    TimelineResult,
)
from planner.api.roadmaps import brief, check_roadmap, document, timeline_view
from planner.api.search import explain, plan, repair, replan
from planner.api.whatif import PLAN, contingency, diff, simulate
from planner.check import Report, check
from planner.render.plan import conflict_text, plan_doc, plan_text, scenario_summary
from planner.render.report import report_json, report_text
from planner.render.timeline import timeline
from planner.roadmap import Roadmap
from planner.scenario import Scenario

__all__ = [
    "PLAN",
    "CheckResult",
    "ContingencyResult",
    "DiffResult",
    "DocumentResult",
    "NoPlan",
    "RepairResult",
    "Report",
    "Roadmap",
    "Scenario",
    "SimulateResult",
    "TimelineResult",
    "brief",
    "check",
    "check_roadmap",
    "conflict_text",
    "contingency",
    "describe",
    "diff",
    "document",
    "explain",
    "graph",
    "load_roadmap",
    "load_scenario",
    "plan",
    "plan_doc",
    "plan_text",
    "repair",
    "replan",
    "report_json",
    "report_text",
    "scenario_summary",
    "simulate",
    "timeline",
    "timeline_view",
]
