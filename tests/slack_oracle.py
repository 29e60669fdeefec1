"""Slack as it was computed before the direct bounds (planner/whatif/slack.py at 0d162d4:
every relation asked at every time another step of it starts or ends, capacity and balance
rules compared pairwise). Kept only as the oracle of tests/test_slack_fast.py."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from planner.force import Chain
from planner.model import Step
from planner.rules import coverage, fixed, preconditions
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


#: Which time of a step a comparison reads.
START_, END, DONE = "start", "end", "done"


class _Mentions(Terms):
    """For each rule and each step its scheduling terms name: which of the step's times
    the rule compares (start, end, done) with which times of which other steps (a waiting
    step's start with the done times of the steps it waits for; a give step's start with
    its counter-steps' done times; start and end with the others' for capacity; ...), and
    the rule's time constants. Complete: a comparison it missed is a position where the
    rule's verdict changes unasked, and the room it states is wrong."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        #: rule id -> step -> (its times compared, {(other step, its time compared)})
        self.compared: dict[str, dict[str, tuple[set[str], set[tuple[str, str]]]]] = {}
        self.constants: dict[str, set[int]] = {}

    def _pairs(
        self,
        rule: Rule,
        ones: Sequence[str],
        one_times: tuple[str, ...],
        others: Sequence[str],
        other_times: tuple[str, ...],
        *numbers: int | None,
    ) -> None:
        """Each of `ones` compared with each of `others`, and the reverse."""
        found = self.compared.setdefault(rule.id, {})
        for group, mine, theirs, times in (
            (ones, one_times, others, other_times),
            (others, other_times, ones, one_times),
        ):
            for a in group:
                own, against = found.setdefault(a, (set(), set()))
                own.update(mine)
                against.update((b, k) for b in theirs if b != a for k in times)
        self.constants.setdefault(rule.id, set()).update(n for n in numbers if n is not None)

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        self._pairs(rule, firsts, (DONE,), waiting, (START_,), lag, within)

    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        pass  # a gate's waiting is its `wait` term

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        self._pairs(rule, give, (START_,), get, (DONE,), grace, within)

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        self._pairs(rule, ids, (DONE if measure == "done" else START_,), (), (), earliest)

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        self._pairs(rule, ids, (DONE if measure == "done" else START_,), (), (), latest)

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        every = [s for group in ranks for s in group]
        self._pairs(rule, every, (START_,), every, (START_,), gap)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        self._pairs(rule, ids, (START_, END), ids, (START_, END))

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        self._pairs(rule, ahead, (START_,), ahead, (START_,))
        self._pairs(rule, behind, (DONE,), behind, (DONE,))
        self._pairs(rule, ahead, (START_,), behind, (DONE,))

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        self._pairs(rule, ids, (START_,), ids, (START_,))

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        self._pairs(rule, ids, (), (), ())

    def covers(self, rule: Rule, chain: Chain, since: str | int | None, until: str | int) -> None:
        # Members' (and reimposing steps') done times against each other, a term apart (a
        # gap opens where a renewal comes after the grant before it lapses); against the
        # bounds' steps, or the bounds as times (force reaching `until` from a member's
        # done time is T - its term).
        moves = list(chain.moves)
        terms = {t for m in chain.members if (t := chain.lasts(self.steps, m)) is not None}
        ends = [e for e in (since, until) if isinstance(e, str)]
        times = [e for e in (since, until) if isinstance(e, int)]
        numbers = [*terms, *times, *(e - t for e in times for t in terms)]
        self._pairs(rule, moves, (DONE,), moves, (DONE,), *numbers)
        self._pairs(rule, moves, (DONE,), ends, (DONE,), *terms)


class _Moving(CheckContext):
    """One checker context for every trial position of a step: the roadmap's starts are
    changed in place, and what a check keeps (memos, measures) is cleared between
    trials."""

    def reset(self) -> None:
        self._memo.clear()
        self.measures.clear()


class _Only(Mapping[str, int]):
    """The roadmap's starts, iterating only over the steps in `focus`: the preconditions
    of those steps alone are checked (every step's time is still read)."""

    def __init__(self, starts: dict[str, int]) -> None:
        self.starts = starts
        self.focus: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> int:
        return self.starts[key]

    def __contains__(self, key: object) -> bool:
        return key in self.starts

    def __iter__(self) -> Iterator[str]:
        return iter(self.focus)

    def __len__(self) -> int:
        return len(self.focus)


@dataclass(frozen=True, slots=True)
class _Relation:
    """What can stop a step: a hard rule that names it (`rule`), or the preconditions
    of a step (`waiting`: the step itself, or one that waits for it); which of the step's
    times it compares (`mine`) with which times of which steps (`against`), and the
    constants it shifts them by."""

    name: str
    rule: Rule | None
    waiting: str
    mine: frozenset[str]
    against: frozenset[tuple[str, str]]
    constants: frozenset[int]


class _Judge:
    """Breaches of the hard rules and preconditions that read one step's times, as the
    checker finds them, each asked only at the positions where its answer can change."""

    def __init__(self, scenario: Scenario, starts: Mapping[str, int], partial: bool) -> None:
        self.scenario = scenario
        self.starts = dict(starts)
        self.partial = partial
        mentions = _Mentions(scenario.steps)
        for rule in scenario.rules:
            if not rule.soft:
                rule.terms(mentions)
        self.relations: dict[str, list[_Relation]] = {s: [] for s in scenario.steps}
        for rule in scenario.rules:
            numbers = frozenset(mentions.constants.get(rule.id, set()) | {0})
            for s, (mine, against) in mentions.compared.get(rule.id, {}).items():
                if s in self.relations:
                    self.relations[s].append(
                        _Relation(rule.id, rule, "", frozenset(mine), frozenset(against), numbers)
                    )
        for step in scenario.steps.values():
            name = preconditions.rule_id(step.id)
            reqs = [r for r in step.requirements() if r.step in scenario.steps]
            if not reqs:
                continue
            lags = {r.lag for r in reqs} | {r.within for r in reqs if r.within is not None}
            numbers = frozenset({0} | lags)
            firsts = frozenset(r.step for r in reqs if r.step != step.id)
            waits = _Relation(
                name,
                None,
                step.id,
                frozenset({START_}),
                frozenset((f, DONE) for f in firsts),
                numbers,
            )
            self.relations[step.id].append(waits)
            for f in firsts:
                self.relations[f].append(
                    _Relation(
                        name,
                        None,
                        step.id,
                        frozenset({DONE}),
                        frozenset({(step.id, START_)}),
                        numbers,
                    )
                )
        for step in scenario.steps.values():
            if step.fixed is not None:  # held at its time: a move either way breaks it
                self.relations[step.id].append(
                    _Relation(
                        fixed.rule_id(step.id),
                        None,
                        "",
                        frozenset({START_}),
                        frozenset(),
                        frozenset({step.fixed}),
                    )
                )
        self.only = _Only(self.starts)
        self.ctx = _Moving(scenario, self.starts)
        self.focus = _Moving(scenario, self.only)
        self.baseline = frozenset(v.rule for v in self._everything())

    def _everything(self) -> list[Violation]:
        """Every hard violation of the roadmap as it is (coverage included, unless partial)."""
        ctx = CheckContext(self.scenario, self.starts)
        found = list(preconditions.check(ctx)) + fixed.check(ctx)
        for rule in self.scenario.rules:
            if not rule.soft:
                found.extend(rule.check(ctx))
        if not self.partial:
            found += coverage.check(
                ctx,
                self.scenario.required(),
                {p.id: p for p in self.scenario.packages},
                lambda s: 0,
            )
        return [v for v in found if not v.soft]

    def breaches(self, relation: _Relation, step: str, t: int) -> list[Violation]:
        """New violations of `relation` when `step` starts at `t`."""
        if relation.name in self.baseline:
            return []
        was = self.starts[step]
        self.starts[step] = t
        try:
            if relation.rule is not None:
                self.ctx.reset()
                found = relation.rule.check(self.ctx)
            elif relation.name == fixed.rule_id(step):
                self.ctx.reset()
                found = [v for v in fixed.check(self.ctx) if v.rule == relation.name]
            else:
                self.focus.reset()
                self.only.focus = (relation.waiting,) if relation.waiting in self.starts else ()
                found = preconditions.check(self.focus)
        finally:
            self.starts[step] = was
        return [v for v in found if not v.soft]

    def points(self, step: str, relation: _Relation) -> set[int]:
        """Starts of `step` at which what `relation` compares can change (see module)."""
        steps = self.scenario.steps

        def at(s: str, kind: str) -> int:
            step = steps[s]
            return 0 if kind == START_ else step.duration if kind == END else step.done_offset

        offsets = {at(step, kind) for kind in relation.mine}
        times = {0}
        for other, kind in relation.against:
            if other in self.starts:
                times.add(self.starts[other] + at(other, kind))
        shifts = {c for k in relation.constants for c in (k, -k)}
        return {x - o + c + e for x in times for o in offsets for c in shifts for e in (0, 1)}


def slack(scenario: Scenario, starts: Mapping[str, int], partial: bool = False) -> Slack:
    """The slack of every step of the roadmap `starts`, and its critical chain."""
    judge = _Judge(scenario, starts, partial)
    position = {s: i for i, s in enumerate(scenario.steps)}
    order = sorted(starts, key=lambda s: (starts[s], position[s]))
    rooms = tuple(_room(judge, s, starts[s]) for s in order)
    done = {s: t + scenario.steps[s].done_offset for s, t in starts.items()}
    last = max(done.values(), default=0)
    return Slack(rooms, _chain(rooms, done, last, position), last, judge.baseline)


def _first_break(
    judge: _Judge, step: str, trials: list[tuple[int, int]], relations: list[_Relation]
) -> tuple[int, list[Violation]] | None:
    """The first trial position (trials: (position, relation index), in the order to
    try) at which a relation asked there breaks; each relation is asked only at its own
    points, since between them its answer cannot change."""
    k = 0
    while k < len(trials):
        at = trials[k][0]
        found: list[Violation] = []
        while k < len(trials) and trials[k][0] == at:
            found += judge.breaches(relations[trials[k][1]], step, at)
            k += 1
        if found:
            found.sort(key=lambda v: (v.severity, v.rule))
            return at, found
    return None


def _room(judge: _Judge, step: str, t: int) -> Room:
    relations = [r for r in judge.relations[step] if r.name not in judge.baseline]
    later_trials: list[tuple[int, int]] = []
    earlier_trials: list[tuple[int, int]] = []
    for k, relation in enumerate(relations):
        for p in judge.points(step, relation):
            if p > t:
                later_trials.append((p, k))
            elif 0 < p <= t:
                earlier_trials.append((p - 1, k))
    later_trials.sort()
    earlier_trials.sort(key=lambda x: (-x[0], x[1]))
    up = _first_break(judge, step, sorted(set(later_trials)), relations)
    down = _first_break(
        judge, step, sorted(set(earlier_trials), key=lambda x: (-x[0], x[1])), relations
    )
    later, later_found = (None, []) if up is None else (up[0] - t - 1, up[1])
    earlier, earlier_found = (t, []) if down is None else (t - down[0] - 1, down[1])
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
