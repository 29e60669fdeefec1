"""Contingencies: what follows when a verification fails or an event takes another outcome.

The main roadmap is the branch in which every verification passes and every event takes
its first outcome (`Scenario.branch`). For a roadmap of it, each **trigger** — a
verification on whose failure (or pass) some step depends, an event outcome other than
the main one — opens a branch:

- it is known when the trigger step is done in the roadmap (its verification ends, the
  event happens);
- every step the roadmap starts before then has happened and is held where it is;
- the steps of the branch that happen only on that outcome are added, and those that
  happen only on another are left out; so are the renewals of a step the branch
  reimposes that have not started yet (a snapback ends the relief: nothing renews it);
- the rest is planned from the trigger on, as `plan --keep --as-of` does.

This module works out the branches' scenarios and reads what a branch roadmap changes
(what is reimposed or lapses and when, each party's exposure, the finish, the rules it
breaks); `planner.api.contingency` plans them. Pure: no ortools, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.check import Report
from planner.force import Force, chains
from planner.model import FAILS, PASSES
from planner.scenario import Scenario
from planner.whatif.exposure import curves


@dataclass(frozen=True, slots=True)
class Trigger:
    """A branch of the deal: `step` turns out `outcome` (`fails`, `passes`, or an event's
    outcome) with `probability` (None when the scenario gives none)."""

    step: str
    outcome: str
    probability: float | None


def triggers(scenario: Scenario) -> list[Trigger]:
    """The branches that change the roadmap: each outcome, other than the one the
    scenario's branch assumes, on which some step's presence depends; in scenario order
    of the trigger steps."""
    whole = scenario.everything()
    found: dict[tuple[str, str], None] = {}
    for step in whole.steps.values():
        when = step.when
        if when is None or when.step not in scenario.steps:
            continue
        assumed = scenario.outcome(when.step)
        for other in scenario.outcomes_of(when.step):
            # A step contingent on `when.outcome` appears in that branch, or disappears in
            # every other branch when `when.outcome` is the one assumed.
            if other != assumed and (other == when.outcome or when.outcome == assumed):
                found[(when.step, other)] = None
    order = {s: i for i, s in enumerate(whole.steps)}
    out = []
    for trigger, outcome in sorted(found, key=lambda k: (order[k[0]], k[1])):
        out.append(Trigger(trigger, outcome, probability(whole, trigger, outcome)))
    return out


def probability(scenario: Scenario, trigger: str, outcome: str) -> float | None:
    """The chance of an outcome: an event's own, a verification's `fails` (and 1 - it for
    passing); None when a verification has no `fails` of its own or from `uncertainty`."""
    step = scenario.steps[trigger]
    if step.outcomes:
        return step.outcomes.get(outcome)
    fails = step.verify.fails if step.verify is not None else 0.0
    for entry in scenario.uncertainty:
        if fails:
            break
        if entry.fails is not None and (entry.steps is None or trigger in entry.steps.ids):
            fails = entry.fails
    if not fails:
        return None
    return fails if outcome == FAILS else 1 - fails if outcome == PASSES else None


def known_at(scenario: Scenario, starts: Mapping[str, int], trigger: str) -> int:
    """When the trigger's outcome is known in a roadmap: its done time."""
    return starts[trigger] + scenario.steps[trigger].done_offset


def branch_scenario(
    scenario: Scenario, trigger: Trigger, starts: Mapping[str, int]
) -> tuple[Scenario, tuple[str, ...]]:
    """The branch's scenario for a roadmap of the main one, and the renewals it drops: those
    of the steps the branch reimposes that the roadmap does not start before the trigger
    is known."""
    assume = {**dict(scenario.assumed), trigger.step: trigger.outcome}
    branch = scenario.branch(assume)
    t = known_at(scenario, starts, trigger.step)
    reimposed = {
        s.reimposes
        for sid, s in branch.steps.items()
        if s.reimposes is not None and sid not in scenario.steps
    }
    dropped = tuple(
        sid for sid, s in branch.steps.items() if s.renews in reimposed and starts.get(sid, t) >= t
    )
    return branch.without(dropped), dropped


@dataclass(frozen=True, slots=True)
class ForceChange:
    """How long a step's force holds in the main roadmap (`main_end`, None: to the end)
    and in the branch (`branch_end`), and why it ends there in the branch: `reimposed`
    (by the step `by`), `lapses` (a renewal dropped or left out), or `ends` otherwise."""

    step: str
    main_end: int | None
    branch_end: int | None
    why: str
    by: str = ""


@dataclass(frozen=True, slots=True)
class Exposure:
    """A party's irreversible exposure: its peak and its level at the end, in the main
    roadmap and in the branch."""

    actor: str
    main_peak: int
    main_end: int
    branch_peak: int
    branch_end: int


def force_changes(
    main: Scenario,
    main_starts: Mapping[str, int],
    branch: Scenario,
    branch_starts: Mapping[str, int],
) -> list[ForceChange]:
    """The steps whose force ends at another time in the branch than in the main
    roadmap."""
    out = []
    main_force = _force(main, main_starts)
    branch_force = _force(branch, branch_starts)
    by_member = chains(branch.everything().steps)
    seen: set[str] = set()
    for sid in main_starts:
        chain = by_member.get(sid)
        if chain is None or chain.base in seen or chain.base not in branch_starts:
            continue
        seen.add(chain.base)
        before = _end(main_force.chain_spans(chain.base))
        after = _end(branch_force.chain_spans(chain.base))
        if before == after:
            continue
        cuts = sorted(
            (branch_starts[c] + branch.steps[c].done_offset, c)
            for c in chain.cuts
            if c in branch_starts
        )
        if cuts and after == cuts[0][0]:
            out.append(ForceChange(chain.base, before, after, "reimposed", cuts[0][1]))
        else:
            out.append(ForceChange(chain.base, before, after, "lapses"))
    return out


def _force(scenario: Scenario, starts: Mapping[str, int]) -> Force:
    steps = scenario.steps
    return Force(
        steps,
        starts.get,
        lambda s: starts[s] + steps[s].done_offset if s in starts else None,
        chains(scenario.everything().steps),
    )


def _end(spans: list[tuple[int, int | None]]) -> int | None:
    return spans[-1][1] if spans else None


def exposures(
    main: Scenario,
    main_starts: Mapping[str, int],
    branch: Scenario,
    branch_starts: Mapping[str, int],
) -> list[Exposure]:
    """Each party's irreversible exposure in the main roadmap and in the branch."""
    before = {c.actor: c for c in curves(main, main_starts)}
    after = {c.actor: c for c in curves(branch, branch_starts)}
    out = []
    for actor in [a for a in main.actors if a in before or a in after]:
        b, a = before.get(actor), after.get(actor)
        out.append(
            Exposure(
                actor,
                b.peak if b else 0,
                b.points[-1][1] if b and b.points else 0,
                a.peak if a else 0,
                a.points[-1][1] if a and a.points else 0,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Branch:
    """One contingency, planned: the trigger, when it is known, the steps held, the
    branch's own steps (`added`, with their starts), the steps left out (`dropped`: the
    renewals of reimposed steps not yet started, and steps that happen only on another
    outcome), the branch roadmap's check, what changes in force and exposure, and the
    finish in the main roadmap and in the branch. `starts` is None when no roadmap of the
    branch was found (`status` and `why` say so)."""

    trigger: Trigger
    known_at: int
    held: tuple[str, ...]
    added: tuple[str, ...]
    dropped: tuple[str, ...]
    status: str
    starts: Mapping[str, int] | None
    report: Report | None
    force: tuple[ForceChange, ...]
    exposure: tuple[Exposure, ...]
    main_finish: int
    branch_finish: int | None
    why: str = ""
    scenario: Scenario | None = None
    #: Steps of the main roadmap the branch starts at another time.
    moved: tuple[str, ...] = ()
