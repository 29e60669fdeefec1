"""`forbid`: red lines — steps no roadmap may contain or depend on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from planner.fields import Sel
from planner.model import AnyOf, Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation


def dependents(scenario: ScenarioView, roots: set[str]) -> dict[str, list[str]]:
    """Steps that cannot happen without one of `roots`, each with its chain back to a root.

    A step depends on a root when one of its `after` items does, or when every alternative
    of one of its `{any: [...]}` items does (an alternative that stays open is a way out).
    """
    chains: dict[str, list[str]] = {r: [r] for r in roots}
    changed = True
    order = list(scenario.steps.values())
    while changed:  # `after` is acyclic, so this settles in at most depth passes
        changed = False
        for step in order:
            if step.id in chains:
                continue
            for cond in step.after:
                if isinstance(cond, AnyOf):
                    if cond.items and all(r.step in chains for r in cond.items):
                        chains[step.id] = [step.id, *chains[cond.items[0].step]]
                        break
                elif cond.step in chains:
                    chains[step.id] = [step.id, *chains[cond.step]]
                    break
            if step.id in chains:
                changed = True
    return {s: c for s, c in chains.items() if s not in roots}


@dataclass(frozen=True, slots=True, kw_only=True)
class Forbid(Rule):
    """Red lines: the selected steps are never scheduled, and no scheduled step may depend
    on them through `after`, however indirectly:

        s not scheduled    for every selected s, and for every s whose `after` chain needs one

    (an `{any: [...]}` item needs a red line only when every alternative does).

    Violated by each forbidden step in the roadmap, and by each scheduled step that needs
    one (the message prints the chain). `plan` leaves forbidden steps out and refuses a
    scenario where another step depends on them.
    """

    kind: ClassVar[str] = "forbid"
    severity: ClassVar[int] = 0
    example: ClassVar[str] = """\
# forbid: red lines. The steps are never scheduled, and no step may depend on them.
rules:
  - id: no-regime-change-demand
    kind: forbid
    steps: [s-demand-regime-change]
    source: "Conditioning relief on a change of government would end the talks."
"""

    steps: Annotated[Selector, Sel("the red-line steps")]

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        return []  # any step may be a red line

    def terms(self, t: Terms) -> None:
        t.exclude(self, self.steps.ids)

    def prepare(self, scenario: ScenarioView) -> None:
        self.dependents(scenario)

    def dependents(self, scenario: ScenarioView) -> dict[str, list[str]]:
        """The steps that depend on this rule's red lines, each with its chain: a fact of
        the scenario, computed once."""
        return scenario.fact(f"forbid:{self.id}", lambda s: dependents(s, set(self.steps.ids)))

    def check(self, ctx: CheckContext) -> list[Violation]:
        out = []
        for s in ctx.scheduled(self.steps.ids):
            out.append(
                ctx.violation(
                    self,
                    f"red line: {s} is scheduled in {ctx.t(ctx.start(s))}",
                    f"remove {s} from the roadmap",
                    [s],
                )
            )
        for s, chain in self.dependents(ctx.scenario).items():
            if ctx.is_scheduled(s):
                out.append(
                    ctx.violation(
                        self,
                        # Printed in the order things would happen, as `delink` does.
                        f"{s} depends on the red line {chain[-1]}: " + " → ".join(chain[::-1]),
                        f"remove the precondition of {chain[-2]} on {chain[-1]}, or leave out {s}",
                        [s, chain[-1]],
                    )
                )
        return out

    def encode(self, enc: Encoding) -> None:
        """Forbidden steps are left out (the encoder schedules only what no hard rule
        excludes); a step that needs one cannot be scheduled, so the plan is impossible
        (soft: a fixed penalty per step)."""
        if self.soft:
            enc.charge(self, len(self.steps.ids) + len(self.dependents(enc.scenario)))
            return
        for s, chain in self.dependents(enc.scenario).items():
            if s in enc.is_scheduled:
                enc.cannot_hold(
                    self, f"{s} depends on the red line {chain[-1]}: " + " → ".join(chain[::-1])
                )
                break
