"""The repair's first roadmap: the proposed one with every start that can stay kept, and
the rest pushed to the earliest time the others allow (pure Python, no ortools).

The greedy list schedule (`planner.schedule.greedy`) with three changes:

- every proposed step is *released* at its proposed start: it never starts earlier than
  the roadmap has it (unless a hard deadline, a window's `latest` propagated back, makes it
  start earlier: then it is released at that deadline); a step the roadmap leaves out is
  released at its earliest start;
- at each time, the steps that start *on time* (at their proposed start) are tried first,
  in the order of the proposal, then the *late* ones (deadlines close at hand first, as in
  the list schedule);
- the seats and the balance room that the on-time steps still to come hold at their
  proposed times are *booked*: a late step starts only where it takes neither, so a step
  pushed later never pushes on a step that could stay.

So the steps that break a rule in the proposal, and those whose conditions they carry,
move to the earliest time that fits around the others: the minimal shift of the violating
steps. `planner.solver.repair` never returns a roadmap farther from the proposal than this
one when it keeps every hard rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from planner.scenario import Scenario
from planner.schedule.greedy import NEVER, URGENT_FIRST, Schedule, _ListSchedule

#: Added to the priority of a late unit: every on-time unit goes first.
LATE = 1e8
#: How long a late unit waits for a booked seat or balance room to stay free before it
#: takes one anyway.
PATIENCE = 1


class _Shift(_ListSchedule):
    """One run of the list schedule, released at and ordered by the proposed starts,
    with the on-time steps' seats and balance room booked."""

    def __init__(
        self,
        scenario: Scenario,
        todo: list[str],
        est: Mapping[str, int] | None,
        proposed: Mapping[str, int],
        held: Collection[str],
        not_before: int,
        movers: Collection[str],
        patience: int | None,
    ) -> None:
        super().__init__(scenario, todo, est, None)
        self.patience = patience
        self.proposed = {s: t for s, t in proposed.items() if s in self.unit}
        #: Units that must move (a step of theirs breaks a rule where it is): late from
        #: the start, they book nothing.
        self.moving = {self.unit[s] for s in movers if s in self.unit}
        for s in todo:
            t = proposed.get(s)
            if t is None:  # a step the roadmap leaves out: as early as it can go
                self.lower[s] = max(self.lower[s], not_before)
                continue
            if s in held:
                self.lower[s] = t
                continue
            latest = self.latest[s]
            release = t if latest == NEVER else min(t, int(latest))
            self.lower[s] = max(self.lower[s], release, not_before)
        #: Each unit's proposed start (the earliest of its members'; none: left out).
        self.when: list[float] = []
        for u, group in enumerate(self.members):
            when = min((proposed[s] for s in group if s in proposed), default=NEVER)
            self.when.append(when)
            mine = when if when < NEVER else min(self.est[s] for s in group)
            self.soft[u] = mine
            self.static_ls[u] = min(mine, self.hard[u])
        #: When each late unit was first refused a booked seat or room.
        self.waiting: dict[int, int] = {}
        self._book()

    # -- bookings --------------------------------------------------------------------

    def _book(self) -> None:
        """The seats and curve changes of every proposed step, at its proposed times."""
        top = max((t + self.off[s] for s, t in self.proposed.items()), default=0) + 2
        self.top = top
        self.seats = [[0] * top for _ in self.caps]
        #: The seats of the steps placed so far, at their times.
        self.used = [[0] * top for _ in self.caps]
        self.curve = [[0] * top for _ in self.reservoirs]
        self.pending = [[0] * top for _ in self.reservoirs]
        self.booked: set[str] = {s for s in self.proposed if self.unit[s] not in self.moving}
        #: The booked steps by proposed start: a step not placed by then is late, and
        #: holds nothing any more.
        self.expiry = sorted((t, s) for s, t in self.proposed.items())
        self.next_expiry = 0
        for s in self.booked:
            self._mark(s, 1)

    def _expire(self) -> None:
        """Unbook the steps whose proposed start has passed (they are late)."""
        while self.next_expiry < len(self.expiry):
            t, s = self.expiry[self.next_expiry]
            if t >= self.now:
                break
            self.next_expiry += 1
            if s in self.booked:
                self.booked.discard(s)
                self._mark(s, -1)

    def _mark(self, s: str, sign: int) -> None:
        t = self.proposed[s]
        if self.dur[s]:
            for k in self.cap_ids.get(s, ()):
                row = self.seats[k]
                for x in range(t, t + self.dur[s]):
                    row[x] += sign
        for k in self.ahead_ids.get(s, ()):
            self.curve[k][t] += sign * self.value[s]
        for k in self.behind_ids.get(s, ()):
            self.curve[k][t + self.off[s]] -= sign * self.value[s]

    def _late(self, u: int) -> bool:
        return u in self.moving or self.now > self.when[u] or self.when[u] == NEVER

    def _key(self, u: int) -> float:
        key = super()._key(u)
        if key > -URGENT_FIRST / 2 and self._late(u):
            return key + LATE
        return key

    def _refusal(self, u: int) -> tuple[int, int, int | None] | None:
        refused = super()._refusal(u)
        if refused is not None or self.patience is None or not self._late(u):
            return refused
        # A late unit takes no seat and no balance room an on-time step has booked, for
        # a while: waiting longer would push it farther than it pushes the others.
        self._expire()
        now, group = self.now, self.members[u]
        since = self.waiting.setdefault(u, now)
        if now - since >= self.patience:
            return None
        own = [s for s in group if s in self.booked]
        for s in own:
            self._mark(s, -1)
        try:
            for s in group:
                if self.dur[s]:
                    for k in self.cap_ids.get(s, ()):
                        limit, row, used = self.caps[k].limit, self.seats[k], self.used[k]
                        end = min(now + self.dur[s], self.top)
                        if any(row[x] + used[x] + 1 > limit for x in range(now, end)):
                            return 0, k, now + 1
                for k in self.ahead_ids.get(s, ()):
                    res = self.reservoirs[k]
                    room = min(res.margin, self.exposure) - res.level - self._rise(u, res)
                    if self._peak_ahead(k, now) > room:
                        return 1, k, now + 1
        finally:
            for s in own:
                self._mark(s, 1)
        return None

    def _peak_ahead(self, k: int, now: int) -> int:
        """How far the curve of balance k rises after `now`, with the changes placed
        steps still bring (verifications to come) and the on-time steps' booked ones."""
        curve, pending = self.curve[k], self.pending[k]
        level, peak = 0, 0
        for x in range(now + 1, self.top):
            level += curve[x] + pending[x]
            if level > peak:
                peak = level
        return peak

    def _place(self, u: int, force: bool) -> None:
        super()._place(u, force)
        t = self.now
        for s in self.members[u]:
            if s in self.booked:
                self.booked.discard(s)
                self._mark(s, -1)
            if self.dur[s]:
                end = min(t + self.dur[s], self.top)
                for k in self.cap_ids.get(s, ()):
                    used = self.used[k]
                    for x in range(t, end):
                        used[x] += 1
            d = self.done[s]
            for k in self.behind_ids.get(s, ()):
                if t < d < self.top:
                    self.pending[k][d] -= self.value[s]


def shift_schedule(
    scenario: Scenario,
    scheduled: Sequence[str],
    proposed: Mapping[str, int],
    est: Mapping[str, int] | None = None,
    held: Collection[str] = (),
    not_before: int = 0,
    movers: Collection[str] = (),
    patience: int | None = PATIENCE,
) -> Schedule:
    """A start for every step of `scheduled`: its proposed start when it can stay, else
    the earliest time that the steps placed before it and the seats and balance room of
    the steps still to come allow; a `held` step is released at its proposed start, every
    other one at `not_before` or later. The `movers` (the steps that break a rule where
    the proposal has them) yield to every step that can stay. With `patience` None, late
    steps book nothing (a seat they find free is theirs); else a late step waits up to
    `patience` for the seats and balance room booked by the on-time ones.

    Returns the schedule and the hard rules it still breaks (a deadline the shift could
    not meet, a cycle of conditions), as the list schedule does."""
    return _Shift(
        scenario, list(scheduled), est, proposed, held, not_before, movers, patience
    ).run()
