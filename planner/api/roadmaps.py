"""What a roadmap shows: its check (`planner check`), its timeline (`planner timeline`)
and the outline its documents draw (`planner gantt`, `planner report`, `planner brief`:
with the finish's P50 and P80 from a simulation when the scenario is uncertain, and the
deal's branches). No ortools here,
except the few seconds `check` spends sizing the closest repair of a broken roadmap
(`planner.whatif.triage`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from planner.api.inputs import RoadmapLike, assume, roadmap_of
from planner.api.results import CheckResult, DocumentResult, TimelineResult
from planner.check import check
from planner.scenario import Scenario
from planner.solver.results import Candidate
from planner.whatif.exposure import curves, is_marked

if TYPE_CHECKING:
    from planner.render.outline import Branch


def check_roadmap(
    scenario: Scenario,
    roadmap: RoadmapLike,
    partial: bool = False,
    with_slack: bool = False,
    assumptions: Sequence[str] = (),
    size_repair: bool = True,
) -> CheckResult:
    """Every violated rule of a roadmap, the summary that opens the report, the
    irreversible exposure (when the scenario marks steps) and, `with_slack`, how far each
    step can move (`planner check [--partial] [--slack] [--assume ID=OUTCOME]`;
    `planner.render.results.check_output` prints it). `assumptions` (`ID=OUTCOME`) check
    the roadmap in that branch of the deal (`planner.api.inputs.assume`). Without
    `size_repair` the summary does not size the closest repair (no search: what a live
    check wants; `overview.repair` is None, as for a deal too large to size).

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
        triage(scenario, starts, report, partial, sequence, size_repair),
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


def document(
    scenario: Scenario,
    roadmap: RoadmapLike | Candidate,
    phase_length: int | None = None,
    name: str | None = None,
    runs: int | None = None,
    baseline: RoadmapLike | None = None,
) -> DocumentResult:
    """What the Gantt chart, the report and the brief of a roadmap show (`planner gantt`,
    `planner report`, `planner brief`): its outline, checked (a plan's candidate is
    checked already), with its critical chain, its finish's P50 and P80 over `runs`
    simulated runs (default: `planner.whatif.risk.runs_for` its size; 0: none; nothing is
    simulated when nothing is uncertain) and the deal's branches; `baseline` a roadmap to
    draw under it (`gantt --baseline`). `name` is what the documents call the roadmap
    (default: its file's name).

    Raises
    ------
    planner.errors.InputError
        When `roadmap` or `baseline` is a file that cannot be read against `scenario`.
    """
    from planner.render.outline import outline
    from planner.whatif.risk import is_uncertain, risk

    finish = None
    if isinstance(roadmap, Candidate):
        starts, report, read, label = roadmap.starts, roadmap.report, None, "the roadmap"
        finish = roadmap.finish if runs != 0 else None  # (`plan` simulated it)
    else:
        read, source = roadmap_of(scenario, roadmap)
        starts, label = read.starts, Path(source).name
        report = check(scenario, starts, read.notes)
    uncertain = is_uncertain(scenario, starts)
    if finish is None and uncertain:
        finish = risk(scenario, starts, runs)
    found = branches(scenario, starts)
    drawn = outline(scenario, starts, report, phase_length, finish, found, uncertain)
    base = roadmap_of(scenario, baseline)[0] if baseline is not None else None
    return DocumentResult(scenario, drawn, name or label, read, base)


def brief(
    scenario: Scenario,
    roadmap: RoadmapLike | Candidate,
    name: str | None = None,
    runs: int | None = None,
) -> DocumentResult:
    """The one-page brief of a roadmap (`planner brief`; `planner.render.results.
    brief_output` renders it): `document` with the scenario's phases.

    Raises
    ------
    planner.errors.InputError
        When `roadmap` is a file that cannot be read against `scenario`.
    """
    return document(scenario, roadmap, name=name, runs=runs)


def branches(scenario: Scenario, starts: Mapping[str, int]) -> list[Branch]:
    """Each branch of the deal that the roadmap reaches (its trigger step is scheduled),
    in one line: what it adds, leaves out and takes back (`planner contingency` plans
    them; this does not)."""
    from planner.render.outline import Branch
    from planner.whatif.contingency import branch_scenario, known_at, triggers

    out = []
    for trigger in triggers(scenario):
        if trigger.step not in starts:
            continue
        branch, dropped = branch_scenario(scenario, trigger, starts)
        added = tuple(s for s in branch.steps if s not in scenario.steps)
        left = tuple(dict.fromkeys([*dropped, *(s for s in starts if s not in branch.steps)]))
        taken = (branch.steps[s].reimposes for s in added)
        out.append(
            Branch(
                trigger.step,
                trigger.outcome,
                trigger.probability,
                known_at(scenario, starts, trigger.step),
                added,
                left,
                tuple(dict.fromkeys(s for s in taken if s is not None)),
            )
        )
    return out
