"""`precedence`: one set of steps waits for another."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from planner.fields import Sel, Time
from planner.model import Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation
from planner.rules.common import encode_wait_for_all, wait_for_all


@dataclass(frozen=True, slots=True, kw_only=True)
class Precedence(Rule):
    """Every step in `after` may start only `lag` or more after every step in `before` is
    done; with `within`, also no more than `within` after:

        done(b) + lag <= start(a) <= done(b) + within    for every b in before, a in after

    (a step in both selectors is not made to wait for itself).

    Violated when an `after` step starts too early, too late, or while a `before` step is
    left out of the roadmap.
    """

    kind: ClassVar[str] = "precedence"
    severity: ClassVar[int] = 3
    example: ClassVar[str] = """\
# precedence: the `after` steps start only `lag` or more after every `before` step is
# done, and (with `within`) no longer than that after.
rules:
  - id: reform-follows-economic-talks
    kind: precedence
    before: [talks-economy]          # a selector: step ids ...
    after: [t-reform]
    within: 12                       # the reform starts at most 12 weeks after the talks end
    source: "Quote the sentence this rule encodes (required on every rule)."
"""

    before: Annotated[Selector, Sel("the steps waited for")]
    after: Annotated[Selector, Sel("the steps that wait")]
    lag: Annotated[int, Time("time after the last `before` step is done before they start")] = 0
    within: Annotated[
        int | None, Time("and no longer than this after each `before` step is done (≥ lag)")
    ] = None

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        if self.within is not None and self.within < self.lag:
            return [("within", f"impossible: within {self.within} is shorter than lag {self.lag}")]
        return []

    def terms(self, t: Terms) -> None:
        t.wait(self, self.before.ids, self.after.ids, self.lag, self.within)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def check(self, ctx: CheckContext) -> list[Violation]:
        found = wait_for_all(ctx, self.before.ids, self.after.ids, self.lag, self.within)
        return [ctx.violation(self, m, r, steps, amount) for m, r, steps, amount in found]

    def encode(self, enc: Encoding) -> None:
        encode_wait_for_all(enc, self, self.before.ids, self.after.ids, self.lag, self.within)
