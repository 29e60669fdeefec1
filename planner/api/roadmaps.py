"""What a roadmap shows: its check (`planner check`), its timeline (`planner timeline`)
and the outline its documents draw (`planner gantt`, `planner report`). No ortools here,
except the few seconds `check` spends sizing the closest repair of a broken roadmap
(`planner.whatif.triage`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from planner.api.inputs import RoadmapLike, assume, roadmap_of
from planner.api.results import CheckResult, DocumentResult, TimelineResult
from planner.check import check
from planner.roadmap import Roadmap
from planner.scenario import Scenario
from planner.solver.results import Candidate
from planner.whatif.exposure import curves, is_marked


def check_roadmap(
    scenario: Scenario,
    roadmap: RoadmapLike,
    partial: bool = False,
    with_slack: bool = False,
    assumptions: Sequence[str] = (),
) -> CheckResult:
    """Every violated rule of a roadmap, the summary that opens the report, the
    irreversible exposure (when the scenario marks steps) and, `with_slack`, how far each
    step can move (`planner check [--partial] [--slack] [--assume ID=OUTCOME]`;
    `planner.render.results.check_output` prints it). `assumptions` (`ID=OUTCOME`) check
    the roadmap in that branch of the deal (`planner.api.inputs.assume`).

    Raises
    ------
    planner.errors.InputError
        When `roadmap` is a file that cannot be read against `scenario`, or an assumption
        is wrong.
    """
    from planner.whatif.slack import slack
    from planner.whatif.triage import triage

    # Any step of the deal is known; one of another branch is a violation, not a typo.
    read, _ = roadmap_of(scenario.everything(), roadmap)
    scenario = assume(scenario, assumptions)
    report = check(scenario, read.starts, read.notes, partial)
    starts = {s: t for s, t in read.starts.items() if s in scenario.steps}
    sequence = read.sequence if len(starts) == len(read.starts) else None
    return CheckResult(
        scenario,
        read,
        report,
        triage(scenario, starts, report, partial, sequence),
        curves(scenario, starts) if is_marked(scenario) else None,
        slack(scenario, starts, partial) if with_slack else None,
    )


def timeline_view(
    scenario: Scenario,
    roadmap: RoadmapLike,
    phase_length: int | None = None,
    with_slack: bool = False,
) -> TimelineResult:
    """Who does what when (`planner timeline [--phase-length T] [--slack]`;
    `planner.render.results.timeline_output` prints it in any view and format). The
    roadmap is checked for who answers whom, as a partial roadmap for the slack.

    Raises
    ------
    planner.errors.InputError
        When `roadmap` is a file that cannot be read against `scenario`.
    """
    from planner.render.outline import outline
    from planner.whatif.slack import slack

    read, _ = roadmap_of(scenario, roadmap)
    return TimelineResult(
        scenario,
        read,
        outline(scenario, read.starts, check(scenario, read.starts), phase_length),
        curves(scenario, read.starts) if is_marked(scenario) else None,
        slack(scenario, read.starts, partial=True) if with_slack else None,
    )


#: Up to this many scheduled steps, `document` works out the critical chain (slack's,
#: `planner.whatif.slack.critical_chain`); its cost grows with the square of the steps.
CHAIN_STEPS = 1000


def document(
    scenario: Scenario,
    roadmap: RoadmapLike | Candidate,
    phase_length: int | None = None,
    name: str | None = None,
    baseline: RoadmapLike | None = None,
) -> DocumentResult:
    """What the Gantt chart and the report of a roadmap draw (`planner gantt`, `planner
    report`): its outline, checked (a plan's candidate is checked already), with its
    critical chain; `baseline` a roadmap to draw under it (`gantt --baseline`). `name` is
    what the report calls the roadmap (default: its file's name).

    Raises
    ------
    planner.errors.InputError
        When `roadmap` or `baseline` is a file that cannot be read against `scenario`.
    """
    from dataclasses import replace

    from planner.render.outline import outline
    from planner.whatif.slack import critical_chain

    base = roadmap_of(scenario, baseline)[0] if baseline is not None else None
    read: Roadmap | None = None
    if isinstance(roadmap, Candidate):
        starts, report, shown = roadmap.starts, roadmap.report, name or "the roadmap"
    else:
        read, source = roadmap_of(scenario, roadmap)
        starts, shown = read.starts, name or Path(source).name
        report = check(scenario, read.starts, read.notes)
    drawn = outline(scenario, starts, report, phase_length)
    if len(starts) <= CHAIN_STEPS:
        chain = tuple(s for s, _ in critical_chain(scenario, starts))
        drawn = replace(drawn, chain=chain)
    return DocumentResult(scenario, drawn, shown, read, base)
