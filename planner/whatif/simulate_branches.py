"""How a simulated run lands in a branch of the deal (`planner.whatif.simulate`).

**Outcomes.** Each trigger of the roadmap (`planner.whatif.contingency.triggers`: a
verification some step depends on, an event with `outcomes`) is drawn in every run: a
verification fails with its `fails` probability (its own, or the `uncertainty` default),
and a failure is then the branch, not a retry (the contingent steps follow it); an event
takes each outcome with its probability. The draws come after a run's times, so a
scenario without triggers draws exactly as before.

**Branch roadmaps.** Each branch of one trigger is planned once, before the runs, as
`planner contingency` plans it: every step the roadmap starts before the trigger is known
held, the branch's own steps added and the rest re-planned from then on. A run in which
several triggers take another outcome than the main one combines their branches: the
first one's roadmap, with the steps the others add at their times. In a run the branch
roadmap is then held in its order like the main one: a late trigger pushes what waits
for it.

**What a run reports.** Its branch (the outcome of each trigger), the steps that
reimpose relief (snapbacks) scheduled in it, and the relief that lapses in it: a chain
of grants and renewals (`planner.force`) whose force ends, or has a gap, before the run's
last step is done, other than by a snapback.

**Uncertain event dates.** An event's date is uncertain as any time is: an event that
starts at a `fixed` time and lasts until it happens (the default's ceasefire: from week 0,
most likely 26 weeks) with an `estimate` of its duration is done at a drawn time, and the
steps that wait for it are pushed when it comes late (`estimate` keeps its one meaning,
the duration's three-point estimate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.force import Force, chains
from planner.model import FAILS, PASSES, Step
from planner.scenario import Scenario
from planner.whatif.contingency import branch_scenario, known_at, probability, triggers

#: The time one branch's search may take before the runs (`plan_branches`).
BRANCH_TIME = 5.0


@dataclass(frozen=True, slots=True)
class Draw:
    """A trigger step drawn in each run: its outcomes (the main one first) and their
    probabilities."""

    step: str
    outcomes: tuple[str, ...]
    chances: tuple[float, ...]
    verification: bool


def draws(scenario: Scenario, starts: Mapping[str, int]) -> list[Draw]:
    """The triggers of the roadmap `starts` that a run draws, in scenario order."""
    whole = scenario.everything()
    out: dict[str, Draw] = {}
    for trigger in triggers(scenario):
        if trigger.step not in starts or trigger.step in out:
            continue
        step = whole.steps[trigger.step]
        if step.outcomes:
            names = tuple(step.outcomes)
            out[trigger.step] = Draw(
                trigger.step, names, tuple(step.outcomes[n] for n in names), False
            )
        else:
            fails = probability(whole, trigger.step, FAILS) or 0.0
            out[trigger.step] = Draw(trigger.step, (PASSES, FAILS), (1 - fails, fails), True)
    return list(out.values())


def plan_branches(
    scenario: Scenario,
    starts: Mapping[str, int],
    found: Sequence[Draw],
    objectives: Sequence[str],
    seed: int,
    time_limit: float = BRANCH_TIME,
) -> dict[tuple[str, str], dict[str, int] | None]:
    """The roadmap of each branch of one trigger, as `planner contingency` plans it (None
    when none was found: runs landing there are counted as runs without a roadmap)."""
    from planner.solver.replan import replan

    out: dict[tuple[str, str], dict[str, int] | None] = {}
    main = {d.step: scenario.outcome(d.step) for d in found}
    by_key = {(t.step, t.outcome): t for t in triggers(scenario)}
    for d in found:
        for outcome, chance in zip(d.outcomes, d.chances, strict=True):
            if outcome == main[d.step] or chance <= 0:
                continue
            trigger = by_key.get((d.step, outcome))
            if trigger is None:  # nothing depends on this outcome: the main roadmap holds
                continue
            branch, _ = branch_scenario(scenario, trigger, starts)
            at = known_at(scenario, starts, d.step)
            kept = {s: t for s, t in starts.items() if s in branch.steps}
            result = replan(branch, kept, at, objectives, time_limit, seed, "the roadmap")
            if result.interrupted:
                raise KeyboardInterrupt
            out[(d.step, outcome)] = (
                dict(result.candidates[0].starts) if result.status == "found" else None
            )
    return out


def combined(
    scenario: Scenario,
    starts: Mapping[str, int],
    plans: Mapping[tuple[str, str], dict[str, int] | None],
    taken: Sequence[tuple[str, str]],
) -> tuple[Scenario, dict[str, int]] | None:
    """The scenario and roadmap of a run whose triggers took the outcomes `taken` (each
    other than the main one): the first branch's roadmap with the steps the others add;
    None when a branch has no roadmap."""
    known = [k for k in taken if k in plans]
    if not known:
        return scenario, dict(starts)
    assume = {**dict(scenario.assumed), **dict(taken)}
    branch = scenario.branch(assume)
    first = plans[known[0]]
    if first is None:
        return None
    out = {s: t for s, t in first.items() if s in branch.steps}
    for key in known[1:]:
        more = plans[key]
        if more is None:
            return None
        for s, t in more.items():
            if s in branch.steps and s not in starts:
                out.setdefault(s, t)
    return branch, out


def snapbacks(scenario: Scenario, starts: Mapping[str, int]) -> list[str]:
    """The scheduled steps that take relief back."""
    return [s for s in starts if scenario.steps[s].reimposes is not None]


def lapses(
    scenario: Scenario, steps: Mapping[str, Step], starts: Mapping[str, int], last: int
) -> list[str]:
    """The relief (a chain's base step) whose force ends or has a gap before `last`,
    other than where a scheduled step reimposes it (`steps`: the run's, with its times)."""
    by_member = chains(scenario.everything().steps)
    if not by_member:
        return []

    def done(s: str) -> int | None:
        return starts[s] + steps[s].done_offset if s in starts else None

    force = Force(steps, starts.get, done, by_member)
    out = []
    seen: set[str] = set()
    for s in starts:
        chain = by_member.get(s)
        if chain is None or chain.base in seen or chain.base not in starts:
            continue
        seen.add(chain.base)
        cut_at = {d for c in chain.cuts if (d := done(c)) is not None}
        spans = force.chain_spans(chain.base)
        if any(b is not None and b < last and b not in cut_at for _, b in spans):
            out.append(chain.base)
    return out
