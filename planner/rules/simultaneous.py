"""`simultaneous`: steps that start together (escrowed relief effective on one day)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from planner.fields import Sel
from planner.model import Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation
from planner.rules.common import listing


@dataclass(frozen=True, slots=True, kw_only=True)
class Simultaneous(Rule):
    """All selected steps start at the same time:

        start(a) == start(b)    for all selected a, b

    Violated when scheduled steps start at different times (amount: the spread, latest
    start minus earliest), or when some are scheduled and others left out (amount: the
    number left out).
    """

    kind: ClassVar[str] = "simultaneous"
    severity: ClassVar[int] = 5
    example: ClassVar[str] = """\
# simultaneous: the selected steps start at the same time.
rules:
  - id: pledges-signed-together
    kind: simultaneous
    steps: [t-halt-pledge, s-no-regime-change-pledge]
    source: "Both pledges are signed at one ceremony."
"""

    steps: Annotated[Selector, Sel("the steps that start together")]

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        return []  # any steps can be asked to start together

    def terms(self, t: Terms) -> None:
        t.together(self, self.steps.ids)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def check(self, ctx: CheckContext) -> list[Violation]:
        sched = ctx.scheduled(self.steps.ids)
        if not sched:
            return []
        out = []
        missing = [s for s in self.steps.ids if not ctx.is_scheduled(s)]
        if missing:
            out.append(
                ctx.violation(
                    self,
                    f"{listing(missing)} {'is' if len(missing) == 1 else 'are'} left out, but "
                    f"must start together with {listing(sched)}",
                    f"schedule {listing(missing)} with the others, or leave them all out",
                    [*missing, *sched],
                    len(missing),
                )
            )
        first = min(ctx.start(s) for s in sched)
        last = max(ctx.start(s) for s in sched)
        if last > first:
            shown = ", ".join(
                f"{s} in {ctx.t(ctx.start(s))}" for s in sorted(sched, key=ctx.start)[:8]
            )
            early = [s for s in sched if ctx.start(s) < last]
            out.append(
                ctx.violation(
                    self,
                    f"steps meant to start together start {ctx.span(last - first)} apart: {shown}",
                    f"start {listing(early)} in {ctx.t(last)} with the others",
                    sched,
                    last - first,
                )
            )
        return out

    def encode(self, enc: Encoding) -> None:
        """All selected steps start at the same time (soft: charged by the spread)."""
        sched = enc.sched(self.steps.ids)
        missing = [s for s in self.steps.ids if s not in enc.is_scheduled]
        if missing and sched:
            enc.cannot_hold(
                self, f"{', '.join(missing[:3])} is {enc.absent(missing)}", len(missing)
            )
        if len(sched) < 2:
            return
        if self.soft:
            hi = enc.model.new_int_var(0, enc.horizon, f"{self.id}.last")
            lo = enc.model.new_int_var(0, enc.horizon, f"{self.id}.first")
            for s in sched:
                enc.model.add(hi >= enc.start[s])
                enc.model.add(lo <= enc.start[s])
            spread = enc.slack(self, "spread")
            enc.model.add(spread >= hi - lo)
            return
        for s in sched[1:]:
            enc.add(enc.start[s] == enc.start[sched[0]], self)
