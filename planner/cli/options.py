"""The options and arguments that several commands share, declared once (`Annotated`
aliases), and the output formats of the commands. Importing this costs typer alone: no
scenario code, no ortools."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from planner.cli.app import _given, finite

#: The largest seed CP-SAT takes (a 32-bit integer).
MAX_SEED = 2**31 - 1


def time_limit_option(help: str) -> Any:
    """`--time-limit S` for a command that searches: seconds, finite, 0.1 to a day."""
    return typer.Option("--time-limit", min=0.1, max=86400.0, callback=finite, help=help)


def seed_option(help: str) -> Any:
    """`--seed N` for a command that searches or draws: 0 to `MAX_SEED`."""
    return typer.Option("--seed", min=0, max=MAX_SEED, help=help)


def output_option(help: str) -> Any:
    """`--output FILE`, `-o FILE`: a file the command writes (never one of its inputs)."""
    return typer.Option("--output", "-o", dir_okay=False, help=help)


# ---- the scenario: every command that loads one ---------------------------------------------

PackagesOpt = Annotated[
    Path | None,
    typer.Option(
        "--packages",
        help="Scenario file (packages.yaml). Default: the embedded U.S.–Belarus roadmap.",
        dir_okay=False,
    ),
]
ConstraintsOpt = Annotated[
    Path | None,
    typer.Option(
        "--constraints",
        help="Folder of rule files (*.yaml). Default: the embedded rules.",
        file_okay=False,
    ),
]
VariantOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--variant",
        help="A variant file that overrides, adds or removes steps and rules (repeatable; "
        "applied in order, before --set).",
        dir_okay=False,
        callback=_given("--variant"),
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Change one field without copying files (repeatable): STEP.FIELD=VALUE, "
        "RULE.FIELD=VALUE, 'SELECTOR:FIELD=VALUE' (e.g. '*:verify.duration*=2'), "
        "'rules:SELECTOR:FIELD=VALUE'; ops =, +=, -=, *=.",
        callback=_given("--set"),
    ),
]

# ---- roadmaps read ---------------------------------------------------------------------------

#: The roadmap `check` and `repair` read.
RoadmapArg = Annotated[
    Path,
    typer.Argument(help="Roadmap file: YAML or JSON (steps with starts, or a sequence), or CSV."),
]
#: The roadmap `timeline`, `simulate`, `gantt` and `report` read.
RoadmapFileArg = Annotated[
    Path, typer.Argument(help="Roadmap file (YAML, JSON or CSV), e.g. from `plan -o`.")
]
PartialOpt = Annotated[
    bool,
    typer.Option(
        "--partial",
        help="The roadmap covers only part of the deal: steps it leaves out are not "
        "violations (rules that need them still report).",
    ),
]
SlackOpt = Annotated[
    bool,
    typer.Option(
        "--slack",
        help="How far each step can move earlier and later with every other step where it "
        "is, what stops it, and the critical chain.",
    ),
]
#: `gantt` and `report` (`timeline` says more: `TimelinePhaseOpt`).
PhaseLengthOpt = Annotated[
    int | None,
    typer.Option(
        "--phase-length",
        min=1,
        help="Fixed phases of this length instead of the scenario's (or the gates') phases.",
    ),
]

# ---- outputs -------------------------------------------------------------------------------

ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Write output files inside the scenario's own folders too."),
]


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


class View(StrEnum):
    time = "time"
    phase = "phase"
    actor = "actor"
    package = "package"
    leverage = "leverage"


class TimelineFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class PlanFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    yaml = "yaml"


#: `repair` prints what `plan` does: tables or a document.
RepairFormat = PlanFormat


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class SimulateFormat(StrEnum):
    text = "text"
    json = "json"


class ChartFormat(StrEnum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    mermaid = "mermaid"


class ReportFormat(StrEnum):
    html = "html"
    md = "md"


class BriefFormat(StrEnum):
    text = "text"
    md = "md"
    html = "html"


IdsOpt = Annotated[
    bool,
    typer.Option(
        "--ids",
        help="Show each step's id beside its name (tables get an id column). Machine "
        "outputs (JSON, CSV, roadmap files) always carry the ids.",
    ),
]
RunsOpt = Annotated[
    int | None,
    typer.Option(
        "--runs",
        min=0,
        max=100_000,
        help="Simulated runs behind the finish's P50 and P80 (default: 500, fewer above "
        "400 steps; 0: none). Nothing is simulated when the scenario gives no estimate.",
    ),
]


AssumeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--assume",
        metavar="ID=OUTCOME",
        help="Check a branch of the deal (repeatable): a verification that `fails` (or "
        "`passes`), an event's outcome; the steps contingent on it are then required, and "
        "those contingent on other outcomes left out.",
    ),
]
