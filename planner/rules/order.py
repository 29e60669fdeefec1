"""`order`: graduated relief — the smaller attribute goes first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from planner.check import CheckContext, Violation
from planner.model import Rule, Selector, Step

if TYPE_CHECKING:
    from planner.solver.encoder import Encoder

EMPTY = Selector((), ())


@dataclass(frozen=True, slots=True)
class Order(Rule):
    """Of two selected steps, the one with the smaller attribute `by` (a name in `attrs`,
    or `duration` / `value`) starts no later than the other; `direction: descending`
    reverses it; ties are free:

        by(a) < by(b)  =>  start(a) <= start(b)        (ascending)

    Checked rank by rank: every step must start no earlier than the latest start among the
    steps ranked before it. Violated by each step that starts earlier than that (amount:
    by how much).
    """

    kind: ClassVar[str] = "order"
    fields: ClassVar[dict[str, tuple[str, Any]]] = {
        "steps": ("sel", None),
        "by": ("attr", None),
        "direction": ("enum:ascending|descending", "ascending"),
    }
    severity: ClassVar[int] = 4

    steps: Selector = EMPTY
    by: str = "value"
    direction: str = "ascending"

    def ranks(self, ids: Iterable[str], steps: Mapping[str, Step]) -> list[list[str]]:
        """The steps grouped by the value of `by`, first rank first."""
        groups: dict[float, list[str]] = {}
        for s in ids:
            value = steps[s].attr(self.by)
            groups.setdefault(0.0 if value is None else value, []).append(s)
        keys = sorted(groups, reverse=self.direction == "descending")
        return [groups[k] for k in keys]

    def check(self, ctx: CheckContext) -> list[Violation]:
        sched = ctx.scheduled(self.steps.ids)
        out = []
        leader: str | None = None  # latest-starting step of the ranks seen so far
        for group in self.ranks(sched, ctx.scenario.steps):
            if leader is not None:
                for s in group:
                    gap = ctx.start(leader) - ctx.start(s)
                    if gap > 0:
                        a, b = ctx.step(leader).attr(self.by), ctx.step(s).attr(self.by)
                        message = (
                            f"{s} ({self.by} {b:g}) starts in {ctx.t(ctx.start(s))}, before "
                            f"{leader} ({self.by} {a:g}) in {ctx.t(ctx.start(leader))}: "
                            f"graduated order wants {'lower' if self.direction == 'ascending' else 'higher'} "
                            f"{self.by} first, {ctx.span(gap)} too early"
                        )
                        repair = (
                            f"start {s} in {ctx.t(ctx.start(leader))} or later, or {leader} earlier"
                        )
                        out.append(ctx.violation(self, message, repair, [s, leader], gap))
            best = max(group, key=lambda s: (ctx.start(s), s))
            if leader is None or ctx.start(best) > ctx.start(leader):
                leader = best
        return out

    def encode(self, enc: Encoder) -> None:
        enc.order(self)
