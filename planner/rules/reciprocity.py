"""`reciprocity`: action for action — relief only against a verified counter-step."""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from planner.fields import Choice, Sel, Time
from planner.model import Selector, Step
from planner.rules.base import (
    ANSWERS,
    Answer,
    CheckContext,
    Encoding,
    Rule,
    ScenarioView,
    Terms,
    Violation,
)
from planner.rules.common import done_phrase, is_event, uncontrolled


@dataclass(frozen=True, slots=True, kw_only=True)
class Reciprocity(Rule):
    """Each step in `give` needs its own step in `get` done no later than its start, with
    `grace` units of overlap allowed and, with `within`, done no longer than that before:

        start(g) - within <= done(c) <= start(g) + grace    for the counter-step c of g

    With `pairing: distinct` (the default) each `get` step answers one `give` step only:
    the checker looks for a matching of counter-steps to give steps (greedy by deadline,
    which finds one whenever one exists), not a count. With `pairing: shared` one verified
    step may answer several give steps. A step never answers itself.

    Violated for every scheduled give step left without a counter-step; the message names
    the nearest counter-step and by how much it is late (or early, with `within`).
    """

    kind: ClassVar[str] = "reciprocity"
    severity: ClassVar[int] = 3
    example: ClassVar[str] = """\
# reciprocity: action for action. Each `give` step needs its own `get` step done (verified)
# no later than it starts; `pairing: shared` lets one counter-step answer several.
rules:
  - id: relief-for-verified-steps
    kind: reciprocity
    give: {kind: relief}             # ... or a mapping of steps, actor, package, kind, tags
    get: {actor: T, tags: verified}  # every given field must match
    pairing: distinct
    source: "Relief follows each verified step of the other side."
"""

    give: Annotated[Selector, Sel("the steps that each need a counter-step (the concessions)")]
    get: Annotated[Selector, Sel("the counter-steps that answer them")]
    grace: Annotated[
        int, Time("how long a counter-step may still run after its give step starts")
    ] = 0
    within: Annotated[
        int | None, Time("and a counter-step may be done no longer than this before")
    ] = None
    pairing: Annotated[
        str,
        Choice(
            "distinct: each counter-step answers one give step; shared: one answers several",
            ("distinct", "shared"),
        ),
    ] = "distinct"

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        return []  # grace and within are whole numbers; any two selectors make a bargain

    def terms(self, t: Terms) -> None:
        t.answer(
            self, self.give.ids, self.get.ids, self.grace, self.within, self.pairing == "shared"
        )

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def window(self, start: int) -> tuple[float, int]:
        """The times a counter-step's `done` may fall in, for a give step starting at `start`."""
        low = float("-inf") if self.within is None else start - self.within
        return low, start + self.grace

    def match(self, ctx: CheckContext) -> tuple[dict[str, str], list[str]]:
        """(give step -> its counter-step, unanswered give steps) for a roadmap."""
        gives = ctx.scheduled(self.give.ids)
        gets = sorted((ctx.done(c), c) for c in ctx.scheduled(self.get.ids))
        matched: dict[str, str] = {}
        unanswered: list[str] = []
        if self.pairing == "shared":
            times = [d for d, _ in gets]
            for g in gives:
                low, high = self.window(ctx.start(g))
                i = bisect.bisect_left(times, low)
                while i < len(gets) and gets[i][0] <= high and gets[i][1] == g:
                    i += 1
                if i < len(gets) and gets[i][0] <= high:
                    matched[g] = gets[i][1]
                else:
                    unanswered.append(g)
            return matched, unanswered
        # Distinct: serve give steps by deadline, each taking the earliest counter-step still
        # free inside its window: the classic exchange argument shows this matches as many
        # give steps as any matching can.
        free = gets[:]
        for g in sorted(gives, key=lambda g: (self.window(ctx.start(g))[::-1], g)):
            low, high = self.window(ctx.start(g))
            i = bisect.bisect_left(free, (low, ""))
            while i < len(free) and free[i][0] <= high and free[i][1] == g:
                i += 1
            if i < len(free) and free[i][0] <= high:
                matched[g] = free.pop(i)[1]
            else:
                unanswered.append(g)
        # The exchange argument fails when a step is both a give and a get step (it may not
        # answer itself): complete the matching with augmenting paths in that case only.
        if unanswered and not set(self.give.ids).isdisjoint(self.get.ids):
            unanswered = [g for g in unanswered if not self._augment(ctx, gets, matched, g)]
        unanswered.sort(key=lambda g: (ctx.start(g), g))
        return matched, unanswered

    def _augment(
        self, ctx: CheckContext, gets: list[tuple[int, str]], matched: dict[str, str], g: str
    ) -> bool:
        """Answer `g` by re-pairing along an alternating path (Kuhn), if one exists."""
        times = [d for d, _ in gets]
        owner = {c: x for x, c in matched.items()}
        reached_from: dict[str, str] = {}  # counter-step -> give step that reached it
        queue = deque([g])
        while queue:
            x = queue.popleft()
            low, high = self.window(ctx.start(x))
            i = bisect.bisect_left(times, low)
            while i < len(gets) and gets[i][0] <= high:
                c = gets[i][1]
                i += 1
                if c == x or c in reached_from:
                    continue
                reached_from[c] = x
                if c not in owner:
                    while True:  # flip the path back to g
                        x = reached_from[c]
                        c, matched[x] = matched.get(x, ""), c
                        if x == g:
                            return True
                queue.append(owner[c])
        return False

    def check(self, ctx: CheckContext) -> list[Violation]:
        matched, unanswered = self.match(ctx)
        for g in ctx.scheduled(self.give.ids):  # for the outputs: who answers whom
            ctx.record(ANSWERS, Answer(self.id, g, matched.get(g, "")))
        if not unanswered:
            return []
        used = set(matched.values()) if self.pairing == "distinct" else set()
        counters = sorted((ctx.done(c), c) for c in ctx.scheduled(self.get.ids) if c not in used)
        out = []
        for g in unanswered:
            start = ctx.start(g)
            low, high = self.window(start)
            late = next(((d, c) for d, c in counters if d > high and c != g), None)
            early = [(d, c) for d, c in counters if d < low and c != g]
            what = f"{g} starts in {ctx.t(start)}"
            if late is not None:
                d, c = late
                gap = d - high
                message = f"{what}, but its counter-step {c} {done_phrase(ctx, c)}"
                if self.grace:
                    message += f" (even with {ctx.span(self.grace)} of grace)"
                message += f": {ctx.span(gap)} too early"
                repair = f"start {g} in {ctx.t(start + gap)} or later, or have {c} done earlier"
                if is_event(ctx, c):
                    repair = f"start {g} in {ctx.t(start + gap)} or later {uncontrolled(c)}"
                elif is_event(ctx, g):
                    repair = f"have {c} done by {ctx.t(start + self.grace)} {uncontrolled(g)}"
                steps = [g, c]
            elif early:
                d, c = early[-1]
                gap = int(low) - d
                message = (
                    f"{what}, but its nearest counter-step {c} was done in {ctx.t(d)}, more "
                    f"than {ctx.span(self.within or 0)} before: {ctx.span(gap)} too late"
                )
                repair = f"start {g} by {ctx.t(d + (self.within or 0))}, or schedule {c} later"
                if is_event(ctx, c):
                    repair = f"start {g} by {ctx.t(d + (self.within or 0))} {uncontrolled(c)}"
                elif is_event(ctx, g):
                    repair = f"schedule {c} later {uncontrolled(g)}"
                steps = [g, c]
            else:
                # Every scheduled counter-step (g itself aside) already answers another give
                # step, or none is scheduled at all.
                if any(c != g for c in ctx.scheduled(self.get.ids)):
                    message = (
                        f"{what}, but every counter-step {self.get.describe()} in the roadmap "
                        "already answers another give step (pairing: distinct, so each "
                        "counter-step answers one give step only)"
                    )
                else:
                    message = f"{what}, but no counter-step {self.get.describe()} is in the roadmap"
                repair = (
                    f"schedule another counter-step {self.get.describe()} done by "
                    f"{ctx.t(high)}, or leave out {g}"
                )
                steps = [g]
            # Soft reciprocity costs `weight` per unanswered give step, whatever the gap.
            out.append(ctx.violation(self, message, repair, steps, 1))
        return out

    def encode(self, enc: Encoding) -> None:
        """Each give step g gets a counter-step c (its own, with pairing distinct):
        start(g) - within <= done(c) <= start(g) + grace."""
        gives, gets = enc.sched(self.give.ids), enc.sched(self.get.ids)
        by_get: dict[str, list[Any]] = {}
        for g in gives:
            options = []
            for c in gets:
                if c == g:
                    continue
                x = enc.model.new_bool_var(f"{self.id}.answers[{c},{g}]")
                enc.model.add(enc.done(c) <= enc.start[g] + self.grace).only_enforce_if(x)
                if self.within is not None:
                    enc.model.add(enc.done(c) >= enc.start[g] - self.within).only_enforce_if(x)
                options.append(x)
                by_get.setdefault(c, []).append(x)
            if self.soft:
                unanswered = enc.slack(self, f"unanswered[{g}]", upper=1)
                enc.model.add(sum(options) + unanswered >= 1)
            elif not options:
                enc.cannot_hold(self, f"{g} has no counter-step that could answer it")
            else:
                enc.add(sum(options) >= 1, self)
        if self.pairing == "distinct":
            for xs in by_get.values():
                if len(xs) > 1:
                    enc.model.add_at_most_one(xs)
            if not self.soft and len(gives) > len(gets):
                enc.because(
                    self.id,
                    f"{len(gives)} give steps need their own counter-step, but only "
                    f"{len(gets)} counter-steps exist (pairing: distinct)",
                )
