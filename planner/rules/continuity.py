"""`continuity`: relief stays in force, renewals included, over a stretch of the deal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from planner.fields import Sel, StepOrTime
from planner.force import Chain, Span, chains
from planner.model import Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation
from planner.rules.common import force_of, listing


@dataclass(frozen=True, slots=True, kw_only=True)
class Continuity(Rule):
    """Each selected step's force, its renewals included, covers `[from, until)` without a
    gap: from its done time (or `from`: a time, or the done time of a step) until `until`
    (a time, or the done time of a step).

        [F, T) ⊆ force(s),  F = from or done(s),  T = until

    where force(s) is the union over the step and its renewals m of
    [done(m), done(m) + lasts(m)), cut at the earliest done time of a step that reimposes
    it (`planner.force`). A selected renewal stands for its whole chain. Violated by each
    stretch of [F, T) the force leaves uncovered — the step not yet done at `from`, a lapse
    before the renewal comes, a lapse with no renewal, a reimposition — by its length.
    Steps left out are not constrained (coverage reports them), nor a step whose `until`
    or `from` step is left out.
    """

    kind: ClassVar[str] = "continuity"
    severity: ClassVar[int] = 3
    example: ClassVar[str] = """\
# continuity: selected relief stays in force, renewals included, from its done time (or
# `from`) until `until` (a time, or a step's done time), without a gap.
rules:
  - id: finance-license-holds
    kind: continuity
    steps: [s-finance-license]
    until: 1 year
    source: "Licensed finance stays licensed through the first year."
"""

    steps: Annotated[Selector, Sel("the relief that must stay in force")]
    until: Annotated[
        str | int, StepOrTime("until this time, or until this step is done (exclusive)")
    ]
    since: Annotated[
        str | int | None,
        StepOrTime(
            "from this time, or from when this step is done (default: each step's own done time)",
            key="from",
        ),
    ] = None

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        out = []
        for name, key, value in (("until", "until", self.until), ("since", "from", self.since)):
            if isinstance(value, str) and value not in steps:
                out.append((key, f"unknown step '{value}' in '{key}'"))
            del name
        return out

    def chains(self, by_member: Mapping[str, Chain]) -> list[Chain]:
        """The chains of the selected steps, each once, in the order selected (a step
        without renewals or reimpositions is a chain of one)."""
        seen: dict[str, Chain] = {}
        for s in self.steps.ids:
            chain = by_member.get(s) or Chain(s, (s,), ())
            seen.setdefault(chain.base, chain)
        return list(seen.values())

    def terms(self, t: Terms) -> None:
        for chain in self.chains(chains(t.steps)):
            t.covers(self, chain, self.since, self.until)

    def prepare(self, scenario: ScenarioView) -> None:
        pass  # nothing to work out ahead of a check

    def window(self, ctx: CheckContext, chain: Chain) -> tuple[int, int] | None:
        """[F, T) for a chain whose base is scheduled, or None when it cannot be told (the
        base, or a step `from`/`until` names, left out)."""
        if not ctx.is_scheduled(chain.base):
            return None
        ends = []
        for value in (self.since, self.until):
            if value is None:
                ends.append(ctx.done(chain.base))
            elif isinstance(value, str):
                if not ctx.is_scheduled(value):
                    return None
                ends.append(ctx.done(value))
            else:
                ends.append(value)
        return ends[0], ends[1]

    def check(self, ctx: CheckContext) -> list[Violation]:
        out = []
        force = force_of(ctx)
        for chain in self.chains(force.by_member):
            window = self.window(ctx, chain)
            if window is None or window[1] <= window[0]:
                continue
            spans = force.chain_spans(chain.base)
            for a, b in uncovered(spans, *window):
                out.append(self._gap(ctx, chain, spans, window, a, b))
        return out

    def _gap(
        self,
        ctx: CheckContext,
        chain: Chain,
        spans: list[Span],
        window: tuple[int, int],
        a: int,
        b: int,
    ) -> Violation:
        """The violation for the stretch [a, b) of the window left uncovered."""
        base = chain.base
        steps = ctx.scenario.steps
        length = b - a
        until = f"until {ctx.t(window[1])}" + (
            f" (when {self.until} is done)" if isinstance(self.until, str) else ""
        )
        done = ctx.done(base)
        members = [m for m in chain.members if ctx.is_scheduled(m)]
        cut = min(((ctx.done(c), c) for c in chain.cuts if ctx.is_scheduled(c)), default=None)
        renewal = next((m for m in members if ctx.done(m) == b), None)
        involved = [base]
        if a == window[0] and a < done:
            message = (
                f"{base} must be in force from {ctx.t(window[0])}, but it is done only in "
                f"{ctx.t(done)}: {ctx.span(length)} uncovered"
            )
            repair = f"have {base} done by {ctx.t(window[0])}"
        elif cut is not None and a == cut[0]:
            message = (
                f"{base} is reimposed by {cut[1]} in {ctx.t(a)}, while it must stay in force "
                f"{until}: {ctx.span(length)} without it"
            )
            repair = f"have {cut[1]} done no earlier than {ctx.t(window[1])}, or leave it out"
            involved.append(cut[1])
        else:
            lapsing = max(
                (
                    m
                    for m in members
                    if (lasts := chain.lasts(steps, m)) is not None and ctx.done(m) + lasts == a
                ),
                key=ctx.done,
                default=base,
            )
            lasts = chain.lasts(steps, lapsing) or 0
            granted = f"its {ctx.span(lasts)} from {ctx.t(ctx.done(lapsing))} run out"
            if lapsing != base:
                granted = f"the {ctx.span(lasts)} of renewal {lapsing} from {ctx.t(ctx.done(lapsing))} run out"
            involved.append(lapsing)
            if renewal is not None:
                message = (
                    f"{base} lapses in {ctx.t(a)} ({granted}) and is renewed only when "
                    f"{renewal} is done in {ctx.t(b)}: a gap of {ctx.span(length)}, while it "
                    f"must stay in force {until}"
                )
                repair = f"have {renewal} done by {ctx.t(a)}"
                involved.append(renewal)
            else:
                message = (
                    f"{base} lapses in {ctx.t(a)} ({granted}) and is not renewed {until}: "
                    f"{ctx.span(length)} without it"
                )
                later = [m for m in chain.members if m not in members]
                repair = (
                    f"schedule {listing(later)} to renew it by {ctx.t(a)}"
                    if later
                    else f"renew {base} by {ctx.t(a)} (a step with 'renews: {base}')"
                )
        return ctx.violation(self, message, repair, involved, length)

    def encode(self, enc: Encoding) -> None:
        """For each chain (members m_0..m_n in order, expiry e_k = done(m_k) + lasts(m_k),
        prefix maxima P_k, cut c): the uncovered length of [F, T)

            max(0, min(d_0, T) - F)                                  (not yet done at F)
          + sum_k max(0, min(d_k, T, c) - max(P_{k-1}, F))          (gaps before renewals)
          + max(0, T - max(min(P_n, c), F))                          (lapse, or the cut)

        is 0 (hard) or charged per unit (soft). Members and cuts left out do not count; a
        chain whose base, `from` or `until` step is left out is not constrained.
        """
        for chain in self.chains(chains(enc.scenario.steps)):
            self._encode_chain(enc, chain)

    def _encode_chain(self, enc: Encoding, chain: Chain) -> None:
        model, steps = enc.model, enc.scenario.steps
        if chain.base not in enc.is_scheduled:
            return
        ends: list[Any] = []
        for value in (self.since, self.until):
            if value is None:
                ends.append(enc.done(chain.base))
            elif isinstance(value, str):
                if value not in enc.is_scheduled:
                    return
                ends.append(enc.done(value))
            else:
                ends.append(value)
        since, until = ends
        big = 4 * enc.horizon + 1
        members = enc.sched(chain.members)
        cuts = enc.sched(chain.cuts)

        def var(name: str, low: int = -big) -> Any:
            return model.new_int_var(low, big, f"{self.id}.{chain.base}.{name}")

        def maximum(name: str, *xs: Any) -> Any:
            v = var(name)
            model.add_max_equality(v, list(xs))
            return v

        def minimum(name: str, *xs: Any) -> Any:
            v = var(name)
            model.add_min_equality(v, list(xs))
            return v

        def positive(name: str, x: Any) -> Any:
            v = var(name, 0)
            model.add_max_equality(v, [x, 0])
            return v

        cut: Any = big
        if cuts:
            cut = minimum("cut", *(enc.done(c) for c in cuts))
        parts: list[Any] = []
        d0 = enc.done(members[0])
        if self.since is not None:
            parts.append(positive("late", minimum("d0T", d0, until) - since))
        expiry: Any = None
        for k, m in enumerate(members):
            lasts = chain.lasts(steps, m)
            e_k = big if lasts is None else enc.done(m) + lasts
            if k == 0:
                expiry = e_k if lasts is None else maximum("P0", e_k)
                continue
            start = minimum(f"gs{k}", enc.done(m), until, cut)
            parts.append(positive(f"gap{k}", start - maximum(f"ge{k}", expiry, since)))
            expiry = maximum(f"P{k}", expiry, e_k)
        end = minimum("end", expiry, cut)
        parts.append(positive("tail", until - maximum("te", end, since)))
        uncovered = sum(parts)
        if self.soft:
            model.add(enc.slack(self, f"uncovered[{chain.base}]", upper=big) >= uncovered)
        else:
            enc.add(uncovered == 0, self)


def uncovered(spans: list[Span], since: int, until: int) -> list[tuple[int, int]]:
    """The stretches of [since, until) that no span covers."""
    out = []
    t = since
    for a, b in spans:
        if b is not None and b <= t:
            continue
        if a > t:
            out.append((t, min(a, until)))
        if b is None or b >= until:
            t = until
            break
        t = max(t, b)
        if t >= until:
            break
    if t < until:
        out.append((t, until))
    return [(a, b) for a, b in out if a < b]
