"""What the rule kinds that make one step wait for others share: the checker's wording and
arithmetic, and the CP-SAT encoding of "wait for all of these" (precedence and gate)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planner.force import Force, chains
from planner.rules.base import CheckContext, Encoding, Rule


def done_verb(ctx: CheckContext, step_id: str) -> str:
    """'is verified' for a step with a verification, else 'is done'."""
    return "is verified" if ctx.step(step_id).verify else "is done"


def done_phrase(ctx: CheckContext, step_id: str) -> str:
    """'is verified only in week 14' or 'is done only in week 14'."""
    return f"{done_verb(ctx, step_id)} only in {ctx.t(ctx.done(step_id))}"


#: The kind of step no party controls (a ceasefire, an election): a repair never tells it
#: to start earlier or later, it names what the parties can change instead.
EVENT = "event"


def is_event(ctx: CheckContext, step_id: str) -> bool:
    """The step is an event no party controls (`kind: event`)."""
    return ctx.step(step_id).kind == EVENT


def uncontrolled(step_id: str) -> str:
    """'(ukraine-ceasefire is an event no party controls)'."""
    return f"({step_id} is an event no party controls)"


class DoneExtremes:
    """The two latest- and two earliest-done scheduled steps of a set, so each waiting step
    finds the binding one (other than itself) in constant time."""

    def __init__(self, ctx: CheckContext, ids: Sequence[str]) -> None:
        sched = sorted(ctx.scheduled(ids), key=lambda s: (ctx.done(s), s))
        self.first_two = sched[:2]
        self.last_two = sched[-2:][::-1]

    def latest(self, exclude: str) -> str | None:
        return next((s for s in self.last_two if s != exclude), None)

    def earliest(self, exclude: str) -> str | None:
        return next((s for s in self.first_two if s != exclude), None)


def too_early(ctx: CheckContext, waiting: str, first: str, lag: int) -> tuple[str, str, int] | None:
    """(message, repair, shortfall) when `waiting` starts before done(first) + lag."""
    need = ctx.done(first) + lag
    gap = need - ctx.start(waiting)
    if gap <= 0:
        return None
    if lag:
        # "only" would be wrong here: `first` may be done long before and still bind.
        message = (
            f"{waiting} starts in {ctx.t(ctx.start(waiting))}, but must wait {ctx.span(lag)} "
            f"after {first} {done_verb(ctx, first)} in {ctx.t(ctx.done(first))}, until "
            f"{ctx.t(need)}: {ctx.span(gap)} too early"
        )
    else:
        message = (
            f"{waiting} starts in {ctx.t(ctx.start(waiting))}, but {first} "
            f"{done_phrase(ctx, first)}: {ctx.span(gap)} too early"
        )
    if is_event(ctx, waiting) and is_event(ctx, first):
        repair = (
            f"revisit the scenario's assumptions: {waiting} and {first} are events no party "
            "controls"
        )
    elif is_event(ctx, waiting):
        repair = (
            f"have {first} done by {ctx.t(ctx.start(waiting) - lag)}, or revisit what the "
            f"scenario assumes of {waiting} {uncontrolled(waiting)}"
        )
    elif is_event(ctx, first):
        repair = f"start {waiting} in {ctx.t(need)} or later {uncontrolled(first)}"
    else:
        repair = f"start {waiting} in {ctx.t(need)} or later, or have {first} done earlier"
    return message, repair, gap


def too_late(
    ctx: CheckContext, waiting: str, first: str, within: int
) -> tuple[str, str, int] | None:
    """(message, repair, excess) when `waiting` starts after done(first) + within."""
    limit = ctx.done(first) + within
    gap = ctx.start(waiting) - limit
    if gap <= 0:
        return None
    message = (
        f"{waiting} starts in {ctx.t(ctx.start(waiting))}, more than {ctx.span(within)} after "
        f"{first} {done_verb(ctx, first)} in {ctx.t(ctx.done(first))}: {ctx.span(gap)} too late"
    )
    if is_event(ctx, waiting) and is_event(ctx, first):
        repair = (
            f"revisit the scenario's assumptions: {waiting} and {first} are events no party "
            "controls"
        )
    elif is_event(ctx, waiting):
        repair = (
            f"have {first} done no earlier than {ctx.t(ctx.start(waiting) - within)}, or "
            f"revisit what the scenario assumes of {waiting} {uncontrolled(waiting)}"
        )
    elif is_event(ctx, first):
        repair = f"start {waiting} by {ctx.t(limit)} {uncontrolled(first)}"
    else:
        repair = f"start {waiting} by {ctx.t(limit)}, or have {first} done later"
    return message, repair, gap


def listing(ids: Sequence[str], limit: int = 5) -> str:
    """'a, b and c' or 'a, b, c, d, e and 7 more'."""
    ids = list(ids)
    if len(ids) <= 1:
        return "".join(ids)
    if len(ids) > limit:
        return ", ".join(ids[:limit]) + f" and {len(ids) - limit} more"
    return ", ".join(ids[:-1]) + " and " + ids[-1]


def wait_for_all(
    ctx: CheckContext,
    firsts: Sequence[str],
    waiting: Sequence[str],
    lag: int = 0,
    within: int | None = None,
) -> list[tuple[str, str, list[str], int]]:
    """Problems when every `waiting` step must start >= done(f) + lag (and <= done(f) + within)
    for every `firsts` step f other than itself: (message, repair, steps, amount) tuples.

    A scheduled waiting step whose firsts are left out is reported once for all of them.
    """
    out: list[tuple[str, str, list[str], int]] = []
    sched_waiting = ctx.scheduled(waiting)
    if not sched_waiting:
        return out
    missing = [f for f in firsts if not ctx.is_scheduled(f)]
    if missing:
        blocked = [w for w in sched_waiting if any(f != w for f in missing)]
        if blocked:
            out.append(
                (
                    f"{listing(blocked)} {'is' if len(blocked) == 1 else 'are'} scheduled, but "
                    f"{listing(missing)}, which must be done first, "
                    f"{'is' if len(missing) == 1 else 'are'} left out of the roadmap",
                    f"schedule {listing(missing)}, or leave out {listing(blocked)}",
                    [*missing, *blocked],
                    len(blocked),
                )
            )
    ext = DoneExtremes(ctx, firsts)
    for w in sched_waiting:
        first = ext.latest(w)
        if first is not None and (found := too_early(ctx, w, first, lag)):
            out.append((found[0], found[1], [w, first], found[2]))
        if within is not None:
            first = ext.earliest(w)
            if first is not None and (found := too_late(ctx, w, first, within)):
                out.append((found[0], found[1], [w, first], found[2]))
    return out


def encode_wait_for_all(
    enc: Encoding,
    rule: Rule,
    firsts: Sequence[str],
    waiting: Sequence[str],
    lag: int,
    within: int | None,
) -> None:
    """done(f) + lag <= start(w) [<= done(f) + within] for every f in firsts, w != f."""
    sched_waiting = enc.sched(waiting)
    if not sched_waiting:
        return
    missing = [f for f in firsts if f not in enc.is_scheduled]
    blocked = [w for w in sched_waiting if any(f != w for f in missing)]
    if blocked:
        enc.cannot_hold(
            rule,
            f"{', '.join(blocked[:3])} must wait for {', '.join(missing[:3])}, "
            + enc.absent(missing, which=True),
            len(blocked),
        )
    sched_firsts = enc.sched(firsts)
    if not sched_firsts:
        return
    overlap = set(sched_firsts) & set(sched_waiting)
    if overlap:
        for w in sched_waiting:
            late = enc.slack(rule, f"early[{w}]") if rule.soft else 0
            for f in sched_firsts:
                if f != w:
                    enc.add(enc.start[w] + late >= enc.done(f) + lag, rule)
            if within is not None:
                over = enc.slack(rule, f"late[{w}]") if rule.soft else 0
                for f in sched_firsts:
                    if f != w:
                        enc.add(enc.start[w] - over <= enc.done(f) + within, rule)
        return
    # Disjoint sets: one auxiliary "all firsts done" time instead of |F| x |W| pairs.
    last_done = enc.model.new_int_var(0, 2 * enc.horizon, f"{rule.id}.last_done")
    for f in sched_firsts:
        enc.model.add(last_done >= enc.done(f))
    first_done: Any = None
    if within is not None:
        first_done = enc.model.new_int_var(0, 2 * enc.horizon, f"{rule.id}.first_done")
        enc.model.add_min_equality(first_done, [enc.done(f) for f in sched_firsts])
    for w in sched_waiting:
        late = enc.slack(rule, f"early[{w}]") if rule.soft else 0
        enc.add(enc.start[w] + late >= last_done + lag, rule)
        if within is not None:
            over = enc.slack(rule, f"late[{w}]") if rule.soft else 0
            enc.add(enc.start[w] - over <= first_done + within, rule)


def force_of(ctx: CheckContext) -> Force:
    """When what each step of the roadmap gives is in force (`planner.force`), worked out
    once per check and shared by the rules that read it."""

    def make() -> Force:
        by_member = ctx.scenario.fact("chains", lambda s: chains(s.steps))
        return Force(
            ctx.scenario.steps,
            lambda s: ctx.starts.get(s),
            lambda s: ctx.done(s) if s in ctx.starts else None,
            by_member,
        )

    return ctx.memo("force", make)


def force_events(enc: Encoding, step: str, value: int, side: str) -> list[tuple[Any, int, Any]]:
    """The CP-SAT events (time, change, active literal or True) of a value counted while
    `step` holds (`planner.force`): `side` "counted" from its start (a concession under way
    counts), "held" from its done time. A step with no chain is one event, +value at its
    start or done time; a chain adds, for each later member that comes after a lapse, the
    lapse (-value) and the renewal (+value), the last lapse, and the cut of a reimposing
    step (events from it on inactive, -value at it when still counted)."""
    begin = enc.start[step] if side == "counted" else enc.done(step)
    chain = force_chain(enc, step)
    if chain is None:
        return [(begin, value, True)]
    members, expiry, gaps, cut = chain
    j = members.index(step)
    events: list[tuple[Any, int, Any]] = [(begin, value, True)]
    for k in range(j + 1, len(members)):
        events.append((expiry[k - 1], -value, gaps[k]))
        events.append((enc.done(members[k]), value, gaps[k]))
    if expiry[-1] is not None:
        events.append((expiry[-1], -value, True))
    if cut is None:
        return events
    model = enc.model
    kept: list[tuple[Any, int, Any]] = []
    level: list[Any] = []
    for time, change, active in events:
        before = model.new_bool_var("")
        model.add(time < cut).only_enforce_if(before)
        model.add(time >= cut).only_enforce_if(before.Not())
        on = before
        if active is not True:
            on = model.new_bool_var("")
            model.add_bool_and([before, active]).only_enforce_if(on)
            model.add_bool_or([before.Not(), active.Not()]).only_enforce_if(on.Not())
        kept.append((time, change, on))
        level.append((1 if change > 0 else -1) * on)
    still = model.new_bool_var("")
    model.add(sum(level) == 1).only_enforce_if(still)
    model.add(sum(level) != 1).only_enforce_if(still.Not())
    kept.append((cut, -value, still))
    return kept


def force_chain(enc: Encoding, step: str) -> tuple[list[str], list[Any], list[Any], Any] | None:
    """The CP-SAT view of the chain `step` belongs to, made once per model: its scheduled
    members in order, each one's prefix expiry P_k (None: never lapses), each member's gap
    literal (done(m_k) > P_{k-1}; None for the first), and the cut (None without a
    scheduled reimposing step). None for a step with no chain."""
    by_member = enc.scenario.fact("chains", lambda s: chains(s.steps))
    chain = by_member.get(step)
    if chain is None:
        return None

    def make() -> tuple[list[str], list[Any], list[Any], Any]:
        model, steps = enc.model, enc.scenario.steps
        big = 4 * enc.horizon + 1
        members = enc.sched(chain.members)
        expiry: list[Any] = []
        gaps: list[Any] = [None]
        for k, m in enumerate(members):
            lasts = chain.lasts(steps, m)
            own = None if lasts is None else enc.done(m) + lasts
            if k == 0:
                expiry.append(own)
                continue
            previous = expiry[-1]
            gap = model.new_bool_var(f"gap[{m}]")
            if previous is None:
                model.add_bool_or([gap.Not()])
            else:
                model.add(enc.done(m) > previous).only_enforce_if(gap)
                model.add(enc.done(m) <= previous).only_enforce_if(gap.Not())
            gaps.append(gap)
            if previous is None or own is None:
                expiry.append(None)
            else:
                top = model.new_int_var(0, big, f"expiry[{m}]")
                model.add_max_equality(top, [previous, own])
                expiry.append(top)
        cuts = enc.sched(chain.cuts)
        cut = None
        if cuts:
            cut = model.new_int_var(0, big, f"cut[{chain.base}]")
            model.add_min_equality(cut, [enc.done(c) for c in cuts])
        return members, expiry, gaps, cut

    return enc.memo(f"chain:{chain.base}", make)
