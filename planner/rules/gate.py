"""`gate`: nothing in one set starts before another set is done."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from planner.fields import Sel
from planner.model import Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation
from planner.rules.common import encode_wait_for_all, wait_for_all


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate(Rule):
    """No step in `opens` starts before every step in `when` is done:

        start(o) >= max(done(w) for w in when)    for every o in opens

    The gate's own steps are never held by it: a step selected by both `when` and `opens`
    is part of the gate, so `opens: {actor: US}` may include the U.S. pledge that forms
    it (the steps a gate holds are `opens` minus `when`). Violated when a held step starts
    before the gate is done, or while a `when` step is left out of the roadmap.
    """

    kind: ClassVar[str] = "gate"
    severity: ClassVar[int] = 1
    example: ClassVar[str] = """\
# gate: no `opens` step starts before every `when` step is done.
rules:
  - id: opening-first
    kind: gate
    when: [t-halt-pledge, s-no-regime-change-pledge]
    opens: {package: relief}
    source: "The opening commitments come first."
"""

    when: Annotated[Selector, Sel("the steps that form the gate: all must be done")]
    opens: Annotated[Selector, Sel("the steps the gate holds back until then")]

    @property
    def held(self) -> tuple[str, ...]:
        """The steps the gate holds back: `opens` minus the gate's own `when` steps."""
        gate = set(self.when.ids)
        return tuple(s for s in self.opens.ids if s not in gate)

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        return []  # any two selectors make a gate

    def terms(self, t: Terms) -> None:
        t.wait(self, self.when.ids, self.held)
        t.opens(self, self.when.ids, self.held)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def check(self, ctx: CheckContext) -> list[Violation]:
        found = wait_for_all(ctx, self.when.ids, self.held)
        return [
            ctx.violation(self, "the gate is not open yet: " + m, r, steps, amount)
            for m, r, steps, amount in found
        ]

    def encode(self, enc: Encoding) -> None:
        encode_wait_for_all(enc, self, self.when.ids, self.held, 0, None)
