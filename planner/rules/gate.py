"""`gate`: nothing in one set starts before another set is done."""

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
class Gate(Rule):
    """No step in `opens` starts before every step in `when` is done:

        start(o) >= max(done(w) for w in when)    for every o in opens

    The gate's own steps are never held by it: a step selected by both `when` and `opens`
    is part of the gate, so `opens: {actor: US}` may include the U.S. pledge that forms
    it (the steps a gate holds are `opens` minus `when`). Violated when a held step starts
    before the gate is done, or while a `when` step is left out of the roadmap.
    """

    kind: ClassVar[str] = "gate"
    fields: ClassVar[dict[str, tuple[str, Any]]] = {
        "when": ("sel", None),
        "opens": ("sel", None),
    }
    severity: ClassVar[int] = 1

    when: Selector = EMPTY
    opens: Selector = EMPTY

    @property
    def held(self) -> tuple[str, ...]:
        """The steps the gate holds back: `opens` minus the gate's own `when` steps."""
        gate = set(self.when.ids)
        return tuple(s for s in self.opens.ids if s not in gate)

    def waits(self) -> tuple[tuple[str, ...], tuple[str, ...], int]:
        """(steps waited for, steps that wait, lag), as for `precedence`."""
        return self.when.ids, self.held, 0

    def links(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        return [(self.when.ids, self.held)]

    def check(self, ctx: CheckContext) -> list[Violation]:
        found = wait_for_all(ctx, self, self.when.ids, self.held)
        return [
            ctx.violation(self, "the gate is not open yet: " + m, r, steps, amount)
            for m, r, steps, amount in found
        ]

    def encode(self, enc: Encoder) -> None:
        enc.wait_for_all(self, self.when.ids, self.held, 0, None)
