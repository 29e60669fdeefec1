"""The objectives a plan minimizes, by name, measured the checker's way. No ortools here:
the command line names them without paying for the solver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the types: the command line imports this module at start
    from planner.check import Report
    from planner.model import Step
    from planner.scenario import Scenario

OBJECTIVES = ("penalty", "makespan", "exposure", "goodwill")
DEFAULT_OBJECTIVES = ("penalty", "makespan", "exposure", "goodwill")

#: How reports name each objective's value.
OBJECTIVE_WORDS = {
    "penalty": "soft-rule penalty",
    "makespan": "last step done",
    "exposure": "peak concessions ahead",
    "goodwill": "good-faith start times (sum)",
}

GOODWILL_TAGS = frozenset({"good-faith", "goodwill"})


def is_goodwill(step: Step) -> bool:
    """A good-faith step, for the `goodwill` objective: kind `goodwill`, or tagged
    `good-faith` / `goodwill`."""
    return step.kind == "goodwill" or not step.tags.isdisjoint(GOODWILL_TAGS)


def objective_order(scenario: Scenario) -> tuple[str, ...]:
    """The objectives `plan` minimizes by default: the scenario's own (`objectives:` in
    packages.yaml), else the built-in order."""
    return scenario.objectives or DEFAULT_OBJECTIVES


def parse_objectives(text: str) -> tuple[str, ...]:
    """'makespan,exposure' → ('makespan', 'exposure'); unknown names raise ValueError."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if n not in OBJECTIVES]
    if bad or not names:
        raise ValueError(
            f"unknown objective {', '.join(repr(b) for b in bad) or '(none)'}; "
            f"choose from {', '.join(OBJECTIVES)}, comma-separated in priority order"
        )
    return tuple(dict.fromkeys(names))


def measure(
    scenario: Scenario, starts: Mapping[str, int], report: Report, objectives: Sequence[str]
) -> dict[str, int]:
    """The objective values of a roadmap, from its check report (as the solver counts them)."""
    out = {}
    for name in objectives:
        if name == "makespan":
            out[name] = report.summary.last_time
        elif name == "exposure":
            out[name] = report.summary.peak_exposure or 0
        elif name == "goodwill":
            out[name] = sum(t for s, t in starts.items() if is_goodwill(scenario.steps[s]))
        elif name == "penalty":
            out[name] = report.total_penalty
    return out
