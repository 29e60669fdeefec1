"""Time in force: when what a step gives holds, lapses, is renewed or is taken back.

One definition, read by the checker's rules (`balance`, `continuity`), irreversible
exposure, the leverage curves and the simulation:

- a step's **chain** is the step itself and its renewals (`renews: ID`, written or expanded
  from `repeat`), in scenario order; a renewal belongs to the chain of the step it renews;
- each scheduled member m of a chain is in force over [done(m), done(m) + lasts(m)) — its
  own `lasts`, else the base step's; a member without `lasts` (a step that does not lapse)
  holds from its done time to the end;
- the chain is in force over the union of its members' spans, up to the **cut**: the
  earliest done time of the scheduled steps that reimpose it (`reimposes: ID`, snapback).
  After the cut nothing of the chain is in force, a later renewal included;
- a step's value **counts** (for the side that gave it) from its start while it is under
  way or its chain is in force: over [start(s), done(s)) and over the chain's force after
  done(s). A step without `lasts` that nothing reimposes counts from its start to the end,
  as every step did before time in force existed.

Times are in the scenario's unit; spans are half-open [from, until), `until` None for "to
the end". Pure: no I/O, no ortools.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from planner.model import Step

Span = tuple[int, int | None]


@dataclass(frozen=True, slots=True)
class Chain:
    """A step that others renew or reimpose, and those others: `members` is the base step
    then its renewals in scenario order; `cuts` the steps that reimpose it."""

    base: str
    members: tuple[str, ...]
    cuts: tuple[str, ...]

    def lasts(self, steps: Mapping[str, Step], member: str) -> int | None:
        """How long member's grant holds: its own `lasts`, else the base step's."""
        own = steps[member].lasts
        return own if own is not None else steps[self.base].lasts

    @property
    def moves(self) -> tuple[str, ...]:
        """Every step whose times move the chain's force."""
        return (*self.members, *self.cuts)


def chains(steps: Mapping[str, Step]) -> dict[str, Chain]:
    """The chain of every step that lapses, is renewed or can be reimposed, by the id of
    each of its members (a renewal maps to its base's chain). Steps with none of that are
    left out: their force is [done, end)."""
    renewals: dict[str, list[str]] = {}
    cuts: dict[str, list[str]] = {}
    for sid, step in steps.items():
        if step.renews is not None and step.renews in steps:
            renewals.setdefault(step.renews, []).append(sid)
        if step.reimposes is not None and step.reimposes in steps:
            cuts.setdefault(step.reimposes, []).append(sid)
    out: dict[str, Chain] = {}
    for sid, step in steps.items():
        if step.renews is not None and step.renews in steps:
            continue
        if step.lasts is None and sid not in cuts and sid not in renewals:
            continue
        chain = Chain(sid, (sid, *renewals.get(sid, ())), tuple(cuts.get(sid, ())))
        for member in chain.members:
            out[member] = chain
    return out


def force_spans(
    steps: Mapping[str, Step],
    chain: Chain,
    done: Callable[[str], int | None],
) -> list[Span]:
    """The spans over which the chain is in force, given each step's done time (None for a
    step not scheduled), merged and sorted."""
    spans: list[tuple[int, int | None]] = []
    for m in chain.members:
        d = done(m)
        if d is None:
            continue
        lasts = chain.lasts(steps, m)
        spans.append((d, None if lasts is None else d + lasts))
    cut = min((c for c in (done(x) for x in chain.cuts) if c is not None), default=None)
    return clip(merge(spans), cut)


def merge(spans: Sequence[Span]) -> list[Span]:
    """The union of spans, as disjoint sorted spans (touching spans join)."""
    out: list[Span] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if out:
            last_start, last_end = out[-1]
            if last_end is None or start <= last_end:
                if last_end is not None and (end is None or end > last_end):
                    out[-1] = (last_start, end)
                continue
        out.append((start, end))
    return out


def clip(spans: Sequence[Span], cut: int | None) -> list[Span]:
    """The spans before `cut` (all of them when None)."""
    if cut is None:
        return list(spans)
    out: list[Span] = []
    for start, end in spans:
        if start >= cut:
            break
        out.append((start, cut if end is None or end > cut else end))
    return out


class Force:
    """The force of a roadmap's steps: what holds when, read through the scenario's chains.

    `start(s)` and `done(s)` give a scheduled step's times (None when it is not
    scheduled)."""

    def __init__(
        self,
        steps: Mapping[str, Step],
        start: Callable[[str], int | None],
        done: Callable[[str], int | None],
        by_member: Mapping[str, Chain] | None = None,
    ) -> None:
        self.steps = steps
        self.start = start
        self.done = done
        self.by_member = chains(steps) if by_member is None else by_member
        self._spans: dict[str, list[Span]] = {}

    def chain_spans(self, sid: str) -> list[Span]:
        """When the chain of scheduled step `sid` is in force ([done, end) for a step with
        no chain)."""
        chain = self.by_member.get(sid)
        if chain is None:
            d = self.done(sid)
            return [] if d is None else [(d, None)]
        if chain.base not in self._spans:
            self._spans[chain.base] = force_spans(self.steps, chain, self.done)
        return self._spans[chain.base]

    def counted(self, sid: str) -> list[Span]:
        """When the value of scheduled step `sid` counts for the side that gave it: from its
        start while it is under way or its chain is in force (see the module docstring)."""
        start, done = self.start(sid), self.done(sid)
        if start is None or done is None:
            return []
        if sid not in self.by_member:
            return [(start, None)]
        chain = self.by_member[sid]
        cut = min((c for c in (self.done(x) for x in chain.cuts) if c is not None), default=None)
        later = [(max(a, done), b) for a, b in self.chain_spans(sid) if b is None or b > done]
        return clip(merge([(start, done), *later]) if start < done else merge(later), cut)

    def held(self, sid: str) -> list[Span]:
        """When scheduled step `sid` holds: its chain's force from its own done time on."""
        done = self.done(sid)
        if done is None:
            return []
        return [(max(a, done), b) for a, b in self.chain_spans(sid) if b is None or b > done]

    def changes(self, sid: str, value: int, spans: Sequence[Span]) -> list[tuple[int, int]]:
        """(time, change) pairs of a value counted over `spans`."""
        out: list[tuple[int, int]] = []
        for a, b in spans:
            out.append((a, value))
            if b is not None:
                out.append((b, -value))
        return out


def in_force_at(spans: Sequence[Span], t: int) -> bool:
    return any(a <= t and (b is None or t < b) for a, b in spans)
