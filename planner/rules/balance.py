"""`balance`: leverage never runs ahead of verified counter-steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from planner.fields import Nat, Sel
from planner.model import Selector, Step
from planner.rules.base import (
    CURVES,
    CheckContext,
    Curve,
    Encoding,
    Rule,
    ScenarioView,
    Terms,
    Violation,
)
from planner.rules.common import force_events, force_of, is_event, listing


@dataclass(frozen=True, slots=True, kw_only=True)
class Balance(Rule):
    """At every time t, the value of `ahead` steps started minus the value of `behind`
    steps done stays within `margin`:

        sum(value(a) for a in ahead if start(a) <= t) - sum(value(b) for b in behind if done(b) <= t) <= margin

    A concession and a counter-step done in the same week net out. With time in force
    (`lasts`, renewals, `reimposes`: `planner.force`), a concession counts from its start
    while it is under way or in force, and a counter-step while it holds: relief that lapses
    or is snapped back stops counting as given from that moment. Violated when the curve
    rises above the margin; the amount is the peak excess, and the message gives the
    period, the peak and the steps that pushed it there.
    """

    kind: ClassVar[str] = "balance"
    severity: ClassVar[int] = 4
    example: ClassVar[str] = """\
# balance: at every time, the value of `ahead` steps started minus the value of `behind`
# steps done stays within `margin` (leverage never runs ahead).
rules:
  - id: leverage-balance
    kind: balance
    ahead: {actor: S}
    behind: {actor: T, tags: verified}
    margin: 5                        # room for the opening pledge and gesture (3 + 2)
    source: "Concessions never run far ahead of verified steps."
"""

    ahead: Annotated[Selector, Sel("the concessions, counted from the time they start")]
    behind: Annotated[Selector, Sel("the counter-steps, counted from the time they are done")]
    margin: Annotated[int, Nat("how far the concessions may run ahead, in leverage units")]

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        return []  # any margin is a whole number of leverage units

    def terms(self, t: Terms) -> None:
        t.reservoir(self, self.ahead.ids, self.behind.ids, self.margin)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def curve(self, ctx: CheckContext) -> list[tuple[int, int]]:
        """The leverage curve: (time, level from then on), at every time it changes
        (computed once per check)."""
        return ctx.memo(f"curve:{self.id}", lambda: self._curve(ctx))

    def _curve(self, ctx: CheckContext) -> list[tuple[int, int]]:
        force = force_of(ctx)
        deltas: dict[int, int] = {}
        for a in ctx.scheduled(self.ahead.ids):
            for t, change in force.changes(a, ctx.step(a).value, force.counted(a)):
                deltas[t] = deltas.get(t, 0) + change
        for b in ctx.scheduled(self.behind.ids):
            for t, change in force.changes(b, -ctx.step(b).value, force.held(b)):
                deltas[t] = deltas.get(t, 0) + change
        level = 0
        out = []
        for t in sorted(deltas):
            level += deltas[t]
            out.append((t, level))
        return out

    def curve_peak(self, ctx: CheckContext) -> tuple[int, int]:
        """(highest level, first time reached); (0, 0) for a curve that never rises."""
        peak, when = 0, 0
        for t, level in self.curve(ctx):
            if level > peak:
                peak, when = level, t
        return peak, when

    def check(self, ctx: CheckContext) -> list[Violation]:
        ctx.measure("exposure", self.curve_peak(ctx)[0])
        curve = self.curve(ctx)
        ctx.record(CURVES, Curve(self.id, self.margin, tuple(curve)))
        periods: list[tuple[int, int | None]] = []  # [from, until)
        for i, (t, level) in enumerate(curve):
            if level > self.margin and (not periods or periods[-1][1] is not None):
                periods.append((t, None))
            elif level <= self.margin and periods and periods[-1][1] is None:
                periods[-1] = (periods[-1][0], t)
            del i
        if not periods:
            return []
        peak, when = self.curve_peak(ctx)
        excess = peak - self.margin
        pushed = [a for a in ctx.scheduled(self.ahead.ids) if ctx.start(a) == when]
        first, until = periods[0]
        span = f"from {ctx.t(first)}" + (
            f" until {ctx.t(until)}" if until is not None else " to the end of the roadmap"
        )
        message = (
            f"{span}, the value of steps {self.ahead.describe()} started runs ahead of the "
            f"value of steps {self.behind.describe()} done by more than the margin of "
            f"{self.margin}: the gap peaks at {peak} in {ctx.t(when)}, {excess} over the margin"
        )
        if len(periods) > 1:
            message += f" ({len(periods)} periods above the margin in all)"
        pending = sorted(
            (ctx.done(b), b)
            for b in ctx.scheduled(self.behind.ids)
            if ctx.done(b) > when and ctx.step(b).value > 0
        )
        repair = f"delay {listing([s for s in pushed if not is_event(ctx, s)] or pushed)}"
        if pending:
            repair += f" until {pending[0][1]} is done in {ctx.t(pending[0][0])}"
        repair += f", or have more of {self.behind.describe()} done by {ctx.t(when)}"
        return [ctx.violation(self, message, repair, pushed, excess)]

    def encode(self, enc: Encoding) -> None:
        """value of ahead steps started - value of behind steps done <= margin, at all times.

        A reservoir: +value at start(a), -value at done(b). A soft rule adds an event at
        time 0 taking `excess` off the level (charged per unit); the exposure objective is
        the same curve's peak.
        """
        steps = enc.scenario.steps
        events: list[tuple[Any, Any, Any]] = []
        for a in enc.sched(self.ahead.ids):
            if steps[a].value:
                events += force_events(enc, a, steps[a].value, "counted")
        for b in enc.sched(self.behind.ids):
            if steps[b].value:
                events += force_events(enc, b, -steps[b].value, "held")
        if not events:
            return
        times = [e[0] for e in events]
        changes = [e[1] for e in events]
        actives = [e[2] for e in events]
        total_ahead = sum(c for c in changes if c > 0)
        total_behind = -sum(c for c in changes if c < 0)
        low = -(total_ahead + total_behind) - 1
        if total_ahead > self.margin:
            ev_times, ev_changes, ev_actives = list(times), list(changes), list(actives)
            if self.soft:
                excess = enc.slack(self, "excess", upper=total_ahead)
                ev_times.append(0)
                ev_changes.append(-excess)
                ev_actives.append(True)
            lit = None if self.soft else enc.lit(self.id)
            if lit is not None:
                ev_actives = [lit if a is True else _both(enc, a, lit) for a in ev_actives]
            if all(a is True for a in ev_actives):
                enc.model.add_reservoir_constraint(ev_times, ev_changes, low, self.margin)
            else:
                enc.model.add_reservoir_constraint_with_active(
                    ev_times, ev_changes, ev_actives, low, self.margin
                )
        enc.curve(self, times, changes, low - total_ahead, total_ahead, actives)


def _both(enc: Encoding, a: Any, b: Any) -> Any:
    """A literal true exactly when literals a and b both are."""
    both = enc.model.new_bool_var("")
    enc.model.add_bool_and([a, b]).only_enforce_if(both)
    enc.model.add_bool_or([a.Not(), b.Not()]).only_enforce_if(both.Not())
    return both
