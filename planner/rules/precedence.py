"""`precedence`: one set of steps waits for another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from planner.check import CheckContext, Violation
from planner.model import Rule, Selector
from planner.rules.common import wait_for_all

if TYPE_CHECKING:
    from planner.solver.encoder import Encoder

EMPTY = Selector((), ())


@dataclass(frozen=True, slots=True)
class Precedence(Rule):
    """Every step in `after` may start only `lag` or more after every step in `before` is
    done; with `within`, also no more than `within` after:

        done(b) + lag <= start(a) <= done(b) + within    for every b in before, a in after

    (a step in both selectors is not made to wait for itself).

    Violated when an `after` step starts too early, too late, or while a `before` step is
    left out of the roadmap.
    """

    kind: ClassVar[str] = "precedence"
    fields: ClassVar[dict[str, tuple[str, Any]]] = {
        "before": ("sel", None),
        "after": ("sel", None),
        "lag": ("nat", 0),
        "within": ("opt_nat", None),
    }
    severity: ClassVar[int] = 2

    before: Selector = EMPTY
    after: Selector = EMPTY
    lag: int = 0
    within: int | None = None

    def waits(self) -> tuple[tuple[str, ...], tuple[str, ...], int]:
        """(steps waited for, steps that wait, lag)."""
        return self.before.ids, self.after.ids, self.lag

    def links(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        return [(self.before.ids, self.after.ids)]

    def check(self, ctx: CheckContext) -> list[Violation]:
        found = wait_for_all(ctx, self, self.before.ids, self.after.ids, self.lag, self.within)
        return [ctx.violation(self, m, r, steps, amount) for m, r, steps, amount in found]

    def encode(self, enc: Encoder) -> None:
        enc.wait_for_all(self, self.before.ids, self.after.ids, self.lag, self.within)
