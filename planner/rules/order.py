"""`order`: graduated relief — the smaller attribute goes first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from planner.fields import Attr, Choice, Sel, Time
from planner.model import Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation
from planner.rules.common import is_event, uncontrolled


@dataclass(frozen=True, slots=True, kw_only=True)
class Order(Rule):
    """Of two selected steps, the one with the smaller attribute `by` (a name in `attrs`,
    or `duration` / `value`) starts no later than the other — and with `gap`, at least
    `gap` later; `direction: descending` reverses it; ties are free:

        by(a) < by(b)  =>  start(a) + gap <= start(b)        (ascending)

    Checked rank by rank: every step must start no earlier than `gap` after the latest
    start among the steps ranked before it. Violated by each step that starts earlier than
    that (amount: by how much).
    """

    kind: ClassVar[str] = "order"
    severity: ClassVar[int] = 5
    example: ClassVar[str] = """\
# order: graduated relief. Of two selected steps, the one with the smaller `by` (a name in
# `attrs`, or duration / value) starts no later; `direction: descending` reverses it.
rules:
  - id: low-risk-first
    kind: order
    steps: {tags: sectoral}
    by: risk
    source: "The least sensitive sectors first."
"""

    steps: Annotated[Selector, Sel("the steps ranked")]
    by: Annotated[
        str, Attr("the attribute that ranks them: a name in `attrs`, or duration / value")
    ]
    direction: Annotated[
        str,
        Choice("ascending: smaller first; descending: larger first", ("ascending", "descending")),
    ] = "ascending"
    gap: Annotated[
        int,
        Time(
            "of two steps of different ranks, the later starts at least this long after the earlier"
        ),
    ] = 0

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        lacking = [s for s in self.steps.ids if steps[s].attr(self.by) is None]
        if not self.by or not lacking:
            return []
        shown = ", ".join(lacking[:5]) + (
            f" and {len(lacking) - 5} more" if len(lacking) > 5 else ""
        )
        return [("by", f"steps without attribute '{self.by}': {shown}")]

    def terms(self, t: Terms) -> None:
        t.rank(self, self.ranks(self.steps.ids, t.steps), self.gap)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

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
                    need = ctx.start(leader) + self.gap
                    short = need - ctx.start(s)
                    if short > 0:
                        out.append(self._early(ctx, s, leader, need, short))
            best = max(group, key=lambda s: (ctx.start(s), s))
            if leader is None or ctx.start(best) > ctx.start(leader):
                leader = best
        return out

    def _early(self, ctx: CheckContext, s: str, leader: str, need: int, short: int) -> Violation:
        a, b = ctx.step(leader).attr(self.by), ctx.step(s).attr(self.by)
        first = "lower" if self.direction == "ascending" else "higher"
        when = f"{s} ({self.by} {b:g}) starts in {ctx.t(ctx.start(s))}"
        other = f"{leader} ({self.by} {a:g}) in {ctx.t(ctx.start(leader))}"
        if self.gap and ctx.start(s) >= ctx.start(leader):
            apart = ctx.start(s) - ctx.start(leader)
            after = f"only {ctx.span(apart)} after" if apart else "in the same week as"
            if apart == 0 and ctx.scenario.unit != "week":
                after = f"in the same {ctx.scenario.unit} as"
            message = (
                f"{when}, {after} {other}: graduated order wants {first} {self.by} first and "
                f"{ctx.span(self.gap)} between ranks, {ctx.span(short)} too early"
            )
        else:
            message = (
                f"{when}, before {other}: graduated order wants {first} {self.by} first, "
                f"{ctx.span(short)} too early"
            )
        repair = f"start {s} in {ctx.t(need)} or later, or {leader} earlier"
        if is_event(ctx, leader):
            repair = f"start {s} in {ctx.t(need)} or later {uncontrolled(leader)}"
        elif is_event(ctx, s):
            repair = f"start {leader} earlier {uncontrolled(s)}"
        return ctx.violation(self, message, repair, [s, leader], short)

    def encode(self, enc: Encoding) -> None:
        """Rank by rank: every step starts no earlier than the latest start of earlier ranks."""
        ranks = self.ranks(enc.sched(self.steps.ids), enc.scenario.steps)
        leader = None  # latest start among the ranks so far
        for k, group in enumerate(ranks):
            if leader is not None:
                for s in group:
                    early = enc.slack(self, f"early[{s}]") if self.soft else 0
                    enc.add(enc.start[s] + early >= leader + self.gap, self)
            if k == len(ranks) - 1:
                break
            nxt = enc.model.new_int_var(0, enc.horizon, f"{self.id}.leader[{k}]")
            for s in group:
                enc.model.add(nxt >= enc.start[s])
            if leader is not None:
                enc.model.add(nxt >= leader)
            leader = nxt
