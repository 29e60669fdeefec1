"""Branches: a roadmap checked in a branch of the deal (`check --assume ID=OUTCOME`)
schedules only the steps that happen in it.

    s not scheduled    for every s whose conditions (`if:`) the branch's outcomes deny

A step contingent on another outcome (a snapback that happens only if a verification
fails, checked where it passes; a step that waits for a pass, checked where it fails) is a
violation of rule `branch:<step>`; the repair is to leave it out. The branch's own
contingent steps are required as any step is (`coverage`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from planner.model import FAILS, PASSES, conditions
from planner.rules.base import CheckContext, Violation

if TYPE_CHECKING:
    from planner.scenario import Scenario

KIND = "branch"
#: With the preconditions: what the roadmap holds does not exist in this branch.
SEVERITY = 1


def rule_id(step: str) -> str:
    return f"{KIND}:{step}"


def _words(trigger: str, outcome: str) -> str:
    if outcome == FAILS:
        return f"{trigger} fails its verification"
    if outcome == PASSES:
        return f"{trigger} passes its verification"
    return f"{trigger} turns out '{outcome}'"


def check(ctx: CheckContext, scenario: Scenario, absent: Collection[str]) -> list[Violation]:
    """A violation for every step of `absent` (scheduled, but not in `scenario`, the
    branch)."""
    whole = scenario.everything()
    out = []
    for s in absent:
        denied = [(t, o) for t, o in sorted(conditions(whole.steps, s)) if scenario.outcome(t) != o]
        why = " and ".join(_words(t, o) for t, o in denied) or "another outcome"
        assumed = "; ".join(_words(t, scenario.outcome(t)) for t, _ in denied)
        out.append(
            Violation(
                rule=rule_id(s),
                kind=KIND,
                message=(
                    f"{s} is scheduled, but it happens only if {why}, and this branch "
                    f"assumes {assumed or 'otherwise'}"
                ),
                repair=f"leave {s} out of this branch's roadmap",
                steps=(s,),
                times=((s, ctx.starts[s]),) if s in ctx.starts else (),
                amount=1,
                source=whole.steps[s].source,
                severity=SEVERITY,
            )
        )
    return out
