"""Slack: how far each step of a roadmap can move, every other step staying where it is.

For a step s starting at t, its slack **later** is the largest D such that starting s at
any of t+1, ..., t+D breaks no hard rule the roadmap keeps, and its slack **earlier** the
largest D <= t such that starting it at any of t-1, ..., t-D does not either (time 0 is
the deal's start). A move "breaks" a rule when `check` reports the rule (a rule id, or a
step's preconditions `after:<step>`) broken after the move and not before it: rules the
roadmap already breaks are left out of the measure, so slack also reads on a roadmap
with violations. What stops a step is the rule (or rules) the first move too far breaks,
with the checker's own message. Soft rules never stop a step (they cost a penalty).

The verdict is the checker's. It is asked only where it can change: `check` compares the
times of s (start, end, done) with those of the steps it shares a rule or precondition
with, shifted by the rules' constants (lags, `within`, grace, window bounds, as their
scheduling terms state them); between two such points nothing it compares changes, so
the first point where a move breaks a rule is the first time it breaks. The property test
(`tests/test_slack.py`) checks this against moving each step one time unit at a time.

The **critical chain** ends at the step done last: each step of it cannot move earlier
because of the one before it (the other step in the violation that stops it), back to a
step that is held by a window, by time 0, or by nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.model import Step
from planner.rules import coverage, preconditions
from planner.rules.base import CheckContext, Rule, Terms, Violation
from planner.scenario import Scenario

#: What stops a step moving earlier when no rule does: the deal's start.
START = "start of the deal"


@dataclass(frozen=True, slots=True)
class Room:
    """How far one step can move with every other step where it is.

    `later` is None when no rule ever stops it. `earlier_by` / `later_by` name what the
    first move too far breaks (rule ids, `after:<step>`, or `START`), and `*_why` is the
    checker's message of that breach; `*_steps` the steps that breach involves.
    """

    step: str
    start: int
    earlier: int
    later: int | None
    earlier_by: tuple[str, ...] = ()
    later_by: tuple[str, ...] = ()
    earlier_why: str = ""
    later_why: str = ""
    earlier_steps: tuple[str, ...] = ()
    later_steps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Slack:
    """The slack of every scheduled step (in roadmap order) and the critical chain.

    `chain` lists (step, what ties it to the step before it) from the chain's first step
    to the step done last; the first step's tie is "" (held by a window, time 0 or
    nothing). `broken` are the rules the roadmap already breaks (left out of the measure).
    """

    rooms: tuple[Room, ...]
    chain: tuple[tuple[str, str], ...]
    last_done: int
    broken: frozenset[str]

    def room(self, step: str) -> Room:
        return next(r for r in self.rooms if r.step == step)


class _Mentions(Terms):
    """Which steps each rule's scheduling terms name, and its time constants."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.ids: dict[str, set[str]] = {}
        self.constants: dict[str, set[int]] = {}

    def _note(self, rule: Rule, ids: Sequence[str], *numbers: int | None) -> None:
        self.ids.setdefault(rule.id, set()).update(ids)
        self.constants.setdefault(rule.id, set()).update(n for n in numbers if n is not None)

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        self._note(rule, [*firsts, *waiting], lag, within)

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        self._note(rule, [*give, *get], grace, within)

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        self._note(rule, ids, earliest)

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        self._note(rule, ids, latest)

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]]) -> None:
        self._note(rule, [s for group in ranks for s in group])

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        self._note(rule, ids)

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        self._note(rule, [*ahead, *behind])

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        self._note(rule, ids)

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        self._note(rule, ids)


class _Judge:
    """Breaches of the hard rules that read one step's times, as the checker finds them."""

    def __init__(self, scenario: Scenario, starts: Mapping[str, int], partial: bool) -> None:
        self.scenario = scenario
        self.starts = dict(starts)
        self.partial = partial
        mentions = _Mentions(scenario.steps)
        for rule in scenario.rules:
            if not rule.soft:
                rule.terms(mentions)
        self.rules_of: dict[str, list[Rule]] = {}
        self.partners: dict[str, set[str]] = {s: set() for s in scenario.steps}
        self.constants: dict[str, set[int]] = {s: {0} for s in scenario.steps}
        for rule in scenario.rules:
            ids = mentions.ids.get(rule.id, set())
            numbers = mentions.constants.get(rule.id, set())
            for s in ids:
                self.rules_of.setdefault(s, []).append(rule)
                self.partners[s] |= ids
                self.constants[s] |= numbers
        for step in scenario.steps.values():
            for req in step.requirements():
                if req.step not in scenario.steps:
                    continue
                numbers = {req.lag} | ({req.within} if req.within is not None else set())
                for a, b in ((step.id, req.step), (req.step, step.id)):
                    self.partners[a].add(b)
                    self.constants[a] |= numbers
        self.baseline = frozenset(v.rule for v in self._violations(None))

    def _violations(self, step: str | None) -> list[Violation]:
        """Hard violations of the rules that read `step` (all rules when None), with the
        preconditions of every step."""
        ctx = CheckContext(self.scenario, self.starts)
        found = list(preconditions.check(ctx))
        rules = self.scenario.rules if step is None else self.rules_of.get(step, [])
        for rule in rules:
            if not rule.soft:
                found.extend(rule.check(ctx))
        if step is None and not self.partial:
            found += coverage.check(
                ctx,
                self.scenario.required(),
                {p.id: p for p in self.scenario.packages},
                lambda s: 0,
            )
        return [v for v in found if not v.soft]

    def breaches(self, step: str, t: int) -> list[Violation]:
        """New violations when `step` starts at `t` (every other step where it is)."""
        was = self.starts[step]
        self.starts[step] = t
        try:
            found = [v for v in self._violations(step) if v.rule not in self.baseline]
        finally:
            self.starts[step] = was
        found.sort(key=lambda v: (v.severity, v.rule))
        return found

    def points(self, step: str) -> list[int]:
        """Starts of `step` at which what the checker compares can change (see module)."""
        steps = self.scenario.steps
        own = steps[step]
        offsets = {0, own.duration, own.done_offset}
        times = {0}
        for other in self.partners[step]:
            if other == step or other not in self.starts:
                continue
            t = self.starts[other]
            times |= {t, t + steps[other].duration, t + steps[other].done_offset}
        shifts = {c for k in self.constants[step] for c in (k, -k)}
        return sorted(
            {x - o + c + e for x in times for o in offsets for c in shifts for e in (0, 1)}
        )


def slack(scenario: Scenario, starts: Mapping[str, int], partial: bool = False) -> Slack:
    """The slack of every step of the roadmap `starts`, and its critical chain."""
    judge = _Judge(scenario, starts, partial)
    position = {s: i for i, s in enumerate(scenario.steps)}
    order = sorted(starts, key=lambda s: (starts[s], position[s]))
    rooms = tuple(_room(judge, s, starts[s]) for s in order)
    done = {s: t + scenario.steps[s].done_offset for s, t in starts.items()}
    last = max(done.values(), default=0)
    return Slack(rooms, _chain(rooms, done, last, position), last, judge.baseline)


def _room(judge: _Judge, step: str, t: int) -> Room:
    points = judge.points(step)
    later: int | None = None
    later_found: list[Violation] = []
    for p in points:
        if p <= t:
            continue
        found = judge.breaches(step, p)
        if found:
            later, later_found = p - t - 1, found
            break
    earlier = t
    earlier_found: list[Violation] = []
    for q in sorted({p - 1 for p in points if 0 < p <= t}, reverse=True):
        found = judge.breaches(step, q)
        if found:
            earlier, earlier_found = t - q - 1, found
            break
    return Room(
        step,
        t,
        earlier,
        later,
        _names(earlier_found) if earlier_found else (START,),
        _names(later_found),
        earlier_found[0].message if earlier_found else "",
        later_found[0].message if later_found else "",
        _involved(earlier_found, step),
        _involved(later_found, step),
    )


def _names(found: list[Violation]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.rule for v in found))


def _involved(found: list[Violation], step: str) -> tuple[str, ...]:
    """The other steps of the breaches, the first breach's first."""
    return tuple(dict.fromkeys(s for v in found for s in v.steps if s != step))


def _chain(
    rooms: Sequence[Room], done: Mapping[str, int], last: int, position: Mapping[str, int]
) -> tuple[tuple[str, str], ...]:
    by_step = {r.step: r for r in rooms}
    ends = sorted((s for s, d in done.items() if d == last), key=lambda s: position[s])
    held = [s for s in ends if by_step[s].earlier == 0]
    if not held:
        return ()
    chain: list[tuple[str, str]] = []
    seen: set[str] = set()
    current: str | None = held[0]
    while current is not None and current not in seen:
        seen.add(current)
        room = by_step[current]
        before = next((s for s in room.earlier_steps if s in by_step), None)
        tie = room.earlier_by[0] if room.earlier == 0 and before is not None else ""
        chain.append((current, tie))
        current = before if tie else None
    chain.reverse()
    chain[0] = (chain[0][0], "")
    return tuple(chain)
