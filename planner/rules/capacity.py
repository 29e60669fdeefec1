"""`capacity`: negotiating bandwidth — at most `max` selected steps at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from planner.fields import Nat, Sel
from planner.model import Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation
from planner.rules.common import is_event, listing


@dataclass(frozen=True, slots=True, kw_only=True)
class Capacity(Rule):
    """At most `max` selected steps run at the same time, a step running from its start
    until its end, verification not counted (a zero-duration step never runs):

        |{s selected : start(s) <= t < end(s)}| <= max    at every time t

    Violated when more run at once; the amount is the peak overload, and the message names
    the first overloaded period and the steps running then.
    """

    kind: ClassVar[str] = "capacity"
    severity: ClassVar[int] = 5
    example: ClassVar[str] = """\
# capacity: at most `max` selected steps run at the same time (verification not counted).
rules:
  - id: one-working-group-at-a-time
    kind: capacity
    steps: {kind: dialogue}
    max: 1
    source: "One negotiating team."
"""

    steps: Annotated[Selector, Sel("the steps that share the capacity")]
    max: Annotated[int, Nat("how many of them may run at the same time", minimum=1)]

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        return []  # max >= 1 is declared

    def terms(self, t: Terms) -> None:
        t.capacity(self, self.steps.ids, self.max)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def check(self, ctx: CheckContext) -> list[Violation]:
        running = [s for s in ctx.scheduled(self.steps.ids) if ctx.step(s).duration > 0]
        # Ends before starts at the same time: a step ending in week 5 frees its seat for a
        # step starting in week 5.
        events = sorted(
            [(ctx.end(s), 0, s) for s in running] + [(ctx.start(s), 1, s) for s in running]
        )
        now: set[str] = set()
        peak = 0
        first: tuple[int, list[str]] | None = None
        first_until = 0
        i = 0
        while i < len(events):
            t = events[i][0]
            while i < len(events) and events[i][0] == t:  # all changes at time t, then measure
                _, is_start, s = events[i]
                (now.add if is_start else now.discard)(s)
                i += 1
            if len(now) > self.max:
                peak = max(peak, len(now))
                if first is None:
                    first = (t, sorted(now, key=lambda x: (ctx.start(x), x)))
                    first_until = min(ctx.end(x) for x in now)
        if first is None:
            return []
        t, who = first
        message = (
            f"in {ctx.t(t)}, {len(who)} steps run at once, over the limit of {self.max}: "
            f"{listing(who, 8)}"
        )
        if peak > len(who):
            message += f" (at the peak, {peak})"
        # The later-starting steps move; an event no party controls does not.
        movable = [x for x in who if not is_event(ctx, x)]
        movers = movable[max(0, len(movable) - (len(who) - self.max)) :]
        if movers != who[self.max :]:  # an event stays: the others wait for a seat it frees
            first_until = min(ctx.end(x) for x in who if x not in movers)
        repair = f"start {listing(movers)} in {ctx.t(first_until)} or later"
        return [ctx.violation(self, message, repair, who, peak - self.max)]

    def encode(self, enc: Encoding) -> None:
        """At most `max` selected steps run at once (start to end, verification not counted)."""
        steps = enc.scenario.steps
        running = [s for s in enc.sched(self.steps.ids) if steps[s].duration > 0]
        if len(running) <= self.max:
            return
        limit: Any = self.max
        if self.soft:
            limit = self.max + enc.slack(self, "overload", upper=len(running))
        enc.model.add_cumulative(
            [enc.interval(s, self) for s in running], [1] * len(running), limit
        )
