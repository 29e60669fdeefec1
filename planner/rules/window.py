"""`window`: steps start (or are done) within a range of time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from planner.fields import Choice, Sel, Time
from planner.model import Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation
from planner.rules.common import is_event, uncontrolled


@dataclass(frozen=True, slots=True, kw_only=True)
class Window(Rule):
    """Every scheduled selected step's start (or, with `measure: done`, its done time) lies
    in `[earliest, latest]`:

        earliest <= start(s) <= latest        (measure: start)
        earliest <= done(s)  <= latest        (measure: done)

    Steps left out are not constrained. Violated by each step outside the window, by the
    number of time units it is outside.
    """

    kind: ClassVar[str] = "window"
    severity: ClassVar[int] = 4
    example: ClassVar[str] = """\
# window: selected steps start (or, with `measure: done`, are done) between `earliest`
# and `latest`.
rules:
  - id: goodwill-early
    kind: window
    steps: {tags: good-faith}
    latest: 4
    source: "A first gesture within a month."
  - id: relief-within-half-a-year
    kind: window
    steps: {kind: relief}
    measure: done
    latest: 26
    soft: true                       # a preference: each week late costs `weight`
    weight: 2
    source: "Relief in force within six months, if it can be."
"""

    steps: Annotated[Selector, Sel("the steps whose times are bounded")]
    earliest: Annotated[int, Time("the window opens: nothing measured before this time")] = 0
    latest: Annotated[int | None, Time("the window closes: nothing measured after this time")] = (
        None
    )
    measure: Annotated[
        str, Choice("what is measured: the start, or the done time", ("start", "done"))
    ] = "start"

    def offset(self, step: Step) -> int:
        """What is measured, relative to the step's start."""
        return step.done_offset if self.measure == "done" else 0

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        if self.latest is not None and self.latest < self.earliest:
            return [
                (
                    "latest",
                    f"impossible window: latest {self.latest} is before earliest {self.earliest}",
                )
            ]
        return []

    def terms(self, t: Terms) -> None:
        t.release(self, self.steps.ids, self.earliest, self.measure)
        if self.latest is not None:
            t.deadline(self, self.steps.ids, self.latest, self.measure)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def check(self, ctx: CheckContext) -> list[Violation]:
        out = []
        verb = "starts" if self.measure == "start" else "is done"
        for s in ctx.scheduled(self.steps.ids):
            t = ctx.start(s) + self.offset(ctx.step(s))
            if t < self.earliest:
                gap = self.earliest - t
                message = (
                    f"{s} {verb} in {ctx.t(t)}, before the window opens in "
                    f"{ctx.t(self.earliest)}: {ctx.span(gap)} too early"
                )
                repair = f"start {s} in {ctx.t(ctx.start(s) + gap)} or later"
            elif self.latest is not None and t > self.latest:
                gap = t - self.latest
                message = (
                    f"{s} {verb} in {ctx.t(t)}, after the window closes in "
                    f"{ctx.t(self.latest)}: {ctx.span(gap)} too late"
                )
                repair = f"start {s} by {ctx.t(ctx.start(s) - gap)}"
                if ctx.start(s) - gap < 0:
                    repair = (
                        f"shorten {s} or its verification, or widen the window: even starting "
                        f"in {ctx.t(0)} it is done only in {ctx.t(t - ctx.start(s))}"
                    )
            else:
                continue
            if is_event(ctx, s):
                repair = (
                    f"widen the window, or revisit what the scenario assumes of {s} "
                    f"{uncontrolled(s)}"
                )
            out.append(ctx.violation(self, message, repair, [s], gap))
        return out

    def encode(self, enc: Encoding) -> None:
        """earliest <= start(s) (+ done offset with measure: done) <= latest."""
        for s in enc.sched(self.steps.ids):
            t = enc.start[s] + self.offset(enc.scenario.steps[s])
            early = enc.slack(self, f"early[{s}]") if self.soft else 0
            enc.add(t + early >= self.earliest, self)
            if self.latest is not None:
                late = enc.slack(self, f"late[{s}]") if self.soft else 0
                enc.add(t - late <= self.latest, self)
