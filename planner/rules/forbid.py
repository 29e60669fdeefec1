"""`forbid`: red lines — steps no roadmap may contain or depend on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from planner.check import CheckContext, Violation
from planner.model import AnyOf, Rule, Scenario, Selector

if TYPE_CHECKING:
    from planner.solver.encoder import Encoder

EMPTY = Selector((), ())


def dependents(scenario: Scenario, roots: set[str]) -> dict[str, list[str]]:
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


@dataclass(frozen=True, slots=True)
class Forbid(Rule):
    """Red lines: the selected steps are never scheduled, and no scheduled step may depend
    on them through `after`, however indirectly:

        s not scheduled    for every selected s, and for every s whose `after` chain needs one

    Violated by each forbidden step in the roadmap, and by each scheduled step that needs
    one (the message prints the chain). `plan` leaves forbidden steps out and refuses a
    scenario where another step depends on them.
    """

    kind: ClassVar[str] = "forbid"
    fields: ClassVar[dict[str, tuple[str, Any]]] = {"steps": ("sel", None)}
    severity: ClassVar[int] = 0

    steps: Selector = EMPTY

    def dependents(self, scenario: Scenario) -> dict[str, list[str]]:
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

    def encode(self, enc: Encoder) -> None:
        enc.forbid(self)
