"""`simultaneous`: steps that start together (escrowed relief effective on one day)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from planner.check import CheckContext, Violation
from planner.model import Rule, Selector
from planner.rules.common import listing

if TYPE_CHECKING:
    from planner.solver.encoder import Encoder

EMPTY = Selector((), ())


@dataclass(frozen=True, slots=True)
class Simultaneous(Rule):
    """All selected steps start at the same time:

        start(a) == start(b)    for all selected a, b

    Violated when scheduled steps start at different times (amount: the spread, latest
    start minus earliest), or when some are scheduled and others left out (amount: the
    number left out).
    """

    kind: ClassVar[str] = "simultaneous"
    fields: ClassVar[dict[str, tuple[str, Any]]] = {"steps": ("sel", None)}
    severity: ClassVar[int] = 4

    steps: Selector = EMPTY

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

    def encode(self, enc: Encoder) -> None:
        enc.simultaneous(self)
