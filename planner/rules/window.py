"""`window`: steps start (or are done) within a range of time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from planner.check import CheckContext, Violation
from planner.model import Rule, Selector

if TYPE_CHECKING:
    from planner.solver.encoder import Encoder

EMPTY = Selector((), ())


@dataclass(frozen=True, slots=True)
class Window(Rule):
    """Every scheduled selected step's start (or, with `measure: done`, its done time) lies
    in `[earliest, latest]`:

        earliest <= start(s) <= latest        (measure: start)
        earliest <= done(s)  <= latest        (measure: done)

    Steps left out are not constrained. Violated by each step outside the window, by the
    number of time units it is outside.
    """

    kind: ClassVar[str] = "window"
    fields: ClassVar[dict[str, tuple[str, Any]]] = {
        "steps": ("sel", None),
        "earliest": ("nat", 0),
        "latest": ("opt_nat", None),
        "measure": ("enum:start|done", "start"),
    }
    severity: ClassVar[int] = 3

    steps: Selector = EMPTY
    earliest: int = 0
    latest: int | None = None
    measure: str = "start"

    def offset(self, ctx: CheckContext, step_id: str) -> int:
        """What is measured, relative to the step's start."""
        return ctx.step(step_id).done_offset if self.measure == "done" else 0

    def check(self, ctx: CheckContext) -> list[Violation]:
        out = []
        verb = "starts" if self.measure == "start" else "is done"
        for s in ctx.scheduled(self.steps.ids):
            t = ctx.start(s) + self.offset(ctx, s)
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
            out.append(ctx.violation(self, message, repair, [s], gap))
        return out

    def encode(self, enc: Encoder) -> None:
        enc.window(self)
