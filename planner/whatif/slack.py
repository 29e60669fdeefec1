"""Slack: how far each step of a roadmap can move, every other step staying where it is.

For a step s starting at t, its slack **later** is the largest D such that starting s at
any of t+1, ..., t+D breaks no hard rule the roadmap keeps, and its slack **earlier** the
largest D <= t such that starting it at any of t-1, ..., t-D does not either (time 0 is
the deal's start). A move "breaks" a rule when `check` reports the rule (a rule id, or a
step's preconditions `after:<step>`) broken after the move and not before it: rules the
roadmap already breaks are left out of the measure, so slack also reads on a roadmap
with violations. What stops a step is the rule (or rules) the first move too far breaks,
with the checker's own message. Soft rules never stop a step (they cost a penalty). A
step with a `fixed` time has no slack: a move either way breaks `fixed:<step>`.

The verdict is the checker's: each hard rule's own `check`, and the preconditions of
the steps involved. It is asked only where it can change. A rule compares the times of
the step (its start, end or done time, as the rule's scheduling terms say) with times of
other steps, shifted by the rule's constants (lags, `within`, grace, window bounds);
between two positions where one of those comparisons flips, nothing the rule reads
changes. So each rule (or step's preconditions) is asked at its own such positions, in
order, and the first one where it breaks is the first move too far. The property test
(`tests/test_slack.py`) checks this against moving each step one time unit at a time.

The **critical chain** is `planner.whatif.chain`'s, the one `simulate` and the outputs
name: back from the step done last, each step waiting for the one before it with no time
to spare.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.force import Chain, chains
from planner.model import Step
from planner.rules import coverage, fixed, preconditions
from planner.rules.base import CheckContext, Rule, Terms, Violation
from planner.scenario import Scenario
from planner.whatif.chain import critical_chain

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
    to the step done last; the first step's tie is "" and `held` says what holds it
    (`planner.whatif.chain`). `broken` are the rules the roadmap already breaks (left out
    of the measure).
    """

    rooms: tuple[Room, ...]
    chain: tuple[tuple[str, str], ...]
    last_done: int
    broken: frozenset[str]
    held: str = ""

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
        #: rule id -> the groups its members are compared with as a whole (each member
        #: with every other one of `ids` at `times`), kept once instead of pairwise: a
        #: capacity or balance rule over N steps would otherwise hold N^2 pairs.
        self.groups: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        #: rule id -> its terms that have a direct bound (see `_Judge.first_break`), or
        #: None once it has any other term.
        self.direct: dict[str, list[tuple[Any, ...]] | None] = {}

    def _note(self, rule: Rule, term: tuple[Any, ...] | None) -> None:
        """A term of the rule with a direct bound; None: one without (the rule has none)."""
        found = self.direct.get(rule.id, [])
        self.direct[rule.id] = None if term is None or found is None else [*found, term]

    def _group(
        self,
        rule: Rule,
        members: Sequence[tuple[Sequence[str], tuple[str, ...]]],
        against: Sequence[tuple[Sequence[str], tuple[str, ...]]],
    ) -> None:
        """Each of `members` (ids, its times compared) compared with every other step of
        each `against` group (ids, their times)."""
        found = self.compared.setdefault(rule.id, {})
        for ids, mine in members:
            for a in ids:
                found.setdefault(a, (set(), set()))[0].update(mine)
        groups = self.groups.setdefault(rule.id, [])
        for ids, times in against:
            if (tuple(ids), times) not in groups:
                groups.append((tuple(ids), times))
        self.constants.setdefault(rule.id, set())

    def _pairs(
        self,
        rule: Rule,
        ones: Sequence[str],
        one_times: tuple[str, ...],
        others: Sequence[str],
        other_times: tuple[str, ...],
        *numbers: int | None,
        direct: tuple[Any, ...] | None = None,
    ) -> None:
        """Each of `ones` compared with each of `others`, and the reverse; `direct`: the
        term, when it has a direct bound."""
        self._note(rule, direct)
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
        term = ("wait", tuple(firsts), tuple(waiting), lag, within)
        self._pairs(rule, firsts, (DONE,), waiting, (START_,), lag, within, direct=term)

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
        term = ("release", frozenset(ids), earliest, measure == "done")
        self._pairs(rule, ids, (DONE if measure == "done" else START_,), (), (), earliest,
                    direct=term)  # fmt: skip

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        term = ("deadline", frozenset(ids), latest, measure == "done")
        self._pairs(rule, ids, (DONE if measure == "done" else START_,), (), (), latest,
                    direct=term)  # fmt: skip

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        every = [s for group in ranks for s in group]
        self._pairs(rule, every, (START_,), every, (START_,), gap)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        self._group(rule, [(ids, (START_, END))], [(ids, (START_, END))])
        self._note(rule, ("capacity", tuple(ids), limit))

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        self._group(
            rule, [(ahead, (START_,)), (behind, (DONE,))], [(ahead, (START_,)), (behind, (DONE,))]
        )
        self._note(rule, ("reservoir", tuple(ahead), tuple(behind), margin))

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
    #: Groups compared as a whole: every other step of `ids`, at `times`.
    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    #: The rule's terms, when each has a direct bound (`_Judge.direct_break`).
    direct: tuple[tuple[Any, ...], ...] | None = None


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
            groups = tuple(mentions.groups.get(rule.id, ()))
            terms = mentions.direct.get(rule.id)
            direct = tuple(terms) if terms else None
            for s, (mine, against) in mentions.compared.get(rule.id, {}).items():
                if s in self.relations:
                    self.relations[s].append(
                        _Relation(
                            rule.id,
                            rule,
                            "",
                            frozenset(mine),
                            frozenset(against),
                            numbers,
                            groups,
                            direct,
                        )
                    )
        self._levels: dict[str, Any] = {}
        self.trivial_force = not chains(scenario.steps)
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
        self.partners = _Moving(scenario, {})
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
        # Who to check among is worked out from the roadmap as it is (before the move).
        among = self._partners(relation, step, t) if relation.rule is not None else None
        was = self.starts[step]
        self.starts[step] = t
        try:
            if relation.rule is not None and among is not None:
                self.partners.reset()
                self.partners.starts = {s: self.starts[s] for s in among if s in self.starts}
                found = relation.rule.check(self.partners)
            elif relation.rule is not None:
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

    def _partners(self, relation: _Relation, step: str, t: int) -> frozenset[str] | None:
        """The steps a move of `step` to `t` is checked among for `relation`, when its
        terms compare the step with some steps only: the step and, for a wait it is in,
        the firsts (and the waiting too when it is a first); for a capacity rule, the
        steps running during its new span (the roadmap keeps the rule, so any breach is
        there, and there the count is the same). None: check the whole roadmap."""
        if relation.direct is None or any(term[0] == "reservoir" for term in relation.direct):
            return None
        key = f"partners:{relation.name}:{step}"
        if key not in self._levels:
            fixed_among = {step}
            for term in relation.direct:
                if term[0] == "wait" and (step in term[1] or step in term[2]):
                    fixed_among.update(term[1])
                    if step in term[1]:
                        fixed_among.update(term[2])
            self._levels[key] = frozenset(fixed_among)
        among: frozenset[str] = self._levels[key]
        for term in relation.direct:
            if term[0] == "capacity":
                spans, longest = self._kept(
                    f"spans:{id(term)}", functools.partial(self._spans, term)
                )
                stop = t + self.scenario.steps[step].duration
                first = bisect.bisect_left(spans, (t - longest + 1,))
                last = bisect.bisect_left(spans, (stop,), first)
                among = among | {r for _, end, r in spans[first:last] if end > t}
        return among

    def _spans(self, term: tuple[Any, ...]) -> tuple[list[tuple[int, int, str]], int]:
        """A capacity rule's running steps as (start, end, id), by start, and the longest."""
        steps = self.scenario.steps
        spans = sorted(
            (self.starts[s], self.starts[s] + steps[s].duration, s)
            for s in term[1]
            if s in self.starts and steps[s].duration > 0
        )
        return spans, max((e - b for b, e, _ in spans), default=0)

    def direct_break(
        self, relation: _Relation, step: str, t: int
    ) -> tuple[int | None, int | None] | None:
        """Where `relation` first breaks when `step` (at `t`) moves later and earlier
        (None: never): the first break of any of its terms (`_term_break`); None when a
        term has no direct bound."""
        if relation.direct is None or relation.rule is None:
            return None
        later: int | None = None
        earlier: int | None = None
        for term in relation.direct:
            found = self._term_break(term, relation.name, step, t)
            if found is None:
                return None
            if found[0] is not None and (later is None or found[0] < later):
                later = found[0]
            if found[1] is not None and (earlier is None or found[1] > earlier):
                earlier = found[1]
        return later, earlier

    def _term_break(
        self, term: tuple[Any, ...], name: str, step: str, t: int
    ) -> tuple[int | None, int | None] | None:
        """Where `relation` first breaks when `step` (at `t`) moves later and earlier (None:
        never), worked out from the rule's one term over the roadmap as a whole, or None
        when it has no such term. A capacity rule: the times its seats are all taken by
        other steps; a balance rule (without time in force): the leverage curve's levels,
        searched in a range-maximum table. Each is one pass over the rule's steps, kept
        for every step of the rule: slack stays near-linear in steps however big the rule
        (asking its `check` at every time another step starts or ends was quadratic). The
        checker still gives the verdict and the message at the position found."""
        steps = self.scenario.steps
        if term[0] == "capacity":
            length = steps[step].duration
            if length <= 0:
                return (None, None)  # not running: it never takes a seat
            full_from, full_until = self._kept(f"{name}:{id(term)}", lambda: self._full(term))
            # The first time at or after t + length all seats are taken by others: a step
            # overlapping it breaks the rule (inside its own span the step holds a seat).
            k = bisect.bisect_right(full_until, t + length)
            later = max(full_from[k], t + length) - length + 1 if k < len(full_until) else None
            k = bisect.bisect_right(full_from, t - 1) - 1
            earlier = min(full_until[k] - 1, t - 1) if k >= 0 else None
            return later, earlier if earlier is not None and earlier >= 0 else None
        if term[0] == "reservoir" and self.trivial_force:
            _, ahead, behind, margin = term
            given, taken = step in set(ahead), step in set(behind)
            if given and taken:
                return None
            value = steps[step].value
            if value == 0:
                return (None, None)
            curve = self._kept(f"{name}:{id(term)}", lambda: self._curve(term))
            if given and value > 0:  # earlier: its value counts sooner
                found = curve.last_above(t - 1, margin - value)
                return None, found if found is not None and found >= 0 else None
            if given:  # later: its (negative) value counts later
                found = curve.first_above(t, margin + value)
                return (None if found is None else found + 1), None
            off = steps[step].done_offset
            if value > 0:  # later: its value stops holding the level down until later
                found = curve.first_above(t + off, margin - value)
                return (None if found is None else found - off + 1), None
            found = curve.last_above(t + off - 1, margin + value)
            return None, (found - off if found is not None and found - off >= 0 else None)
        if term[0] == "wait":
            return self._wait_break(term, f"{name}:{id(term)}", step, t)
        if term[0] in ("release", "deadline"):
            _, ids, bound, on_done = term
            if step not in ids:
                return (None, None)
            off = steps[step].done_offset if on_done else 0
            if term[0] == "release":  # start (or done) >= bound
                return None, (bound - off - 1 if bound - off - 1 >= 0 else None)
            return bound - off + 1, None  # start (or done) <= bound
        return None

    def _wait_break(
        self, term: tuple[Any, ...], key: str, step: str, t: int
    ) -> tuple[int | None, int | None]:
        """done(f) + lag <= start(w) [<= done(f) + within] for each scheduled f of firsts
        and w of waiting, w != f: against the latest and earliest done first (other than
        the step) when it waits, the earliest and latest waiting start when it is waited
        for."""
        _, firsts, waiting, lag, within = term
        steps = self.scenario.steps

        def make() -> tuple[list[tuple[int, str]], list[tuple[int, str]], set[str], set[str]]:
            done = sorted(
                (self.starts[f] + steps[f].done_offset, f) for f in firsts if f in self.starts
            )
            begin = sorted((self.starts[w], w) for w in waiting if w in self.starts)
            return done[:2] + done[-2:], begin[:2] + begin[-2:], set(firsts), set(waiting)

        done, begin, first_set, waiting_set = self._kept(key, make)
        later: int | None = None
        earlier: int | None = None
        if step in waiting_set:
            others = [d for d, f in done if f != step]
            if others:
                need = max(others) + lag
                earlier = need - 1 if need - 1 >= 0 else None
                if within is not None:
                    later = min(others) + within + 1
        if step in first_set:
            off = steps[step].done_offset
            others = [b for b, w in begin if w != step]
            if others:
                late = min(others) - lag - off + 1
                later = late if later is None else min(later, late)
                if within is not None:
                    early = max(others) - within - off - 1
                    if early >= 0:
                        earlier = early if earlier is None else max(earlier, early)
        return later, earlier

    def _kept(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self._levels:
            self._levels[name] = make()
        return self._levels[name]

    def _full(self, term: tuple[Any, ...]) -> tuple[list[int], list[int]]:
        """The times all seats of a capacity rule are taken, as [from, until) spans (the
        rule's own count: ends before starts at the same time)."""
        _, ids, limit = term
        steps = self.scenario.steps
        running = [s for s in ids if s in self.starts and steps[s].duration > 0]
        changes: dict[int, int] = {}
        for s in running:
            a = self.starts[s]
            changes[a] = changes.get(a, 0) + 1
            changes[a + steps[s].duration] = changes.get(a + steps[s].duration, 0) - 1
        full_from: list[int] = []
        full_until: list[int] = []
        now = 0
        for time in sorted(changes):
            was = now >= limit
            now += changes[time]
            if now >= limit and not was:
                full_from.append(time)
            elif was and now < limit:
                full_until.append(time)
        return full_from, full_until

    def _curve(self, term: tuple[Any, ...]) -> _Levels:
        """The leverage curve of a balance rule without time in force: the value of the
        `ahead` steps started minus that of the `behind` steps done, from each time on."""
        _, ahead, behind, _ = term
        steps = self.scenario.steps
        changes: dict[int, int] = {}
        for s in ahead:
            if s in self.starts:
                changes[self.starts[s]] = changes.get(self.starts[s], 0) + steps[s].value
        for s in behind:
            if s in self.starts:
                d = self.starts[s] + steps[s].done_offset
                changes[d] = changes.get(d, 0) - steps[s].value
        return _Levels(changes)

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
        for ids, kinds in relation.groups:
            for other in ids:
                if other != step and other in self.starts:
                    times.update(self.starts[other] + at(other, kind) for kind in kinds)
        shifts = {c for k in relation.constants for c in (k, -k)}
        return {x - o + c + e for x in times for o in offsets for c in shifts for e in (0, 1)}


class _Levels:
    """A step function (the level from each time of `changes` on, 0 before the first),
    with a range-maximum table to find the first and last time it is above a value."""

    def __init__(self, changes: Mapping[int, int]) -> None:
        self.times = [-(10**18), *sorted(changes)]
        level = 0
        self.levels = [0]
        for time in self.times[1:]:
            level += changes[time]
            self.levels.append(level)
        self.table = [self.levels]
        width = 1
        while 2 * width <= len(self.levels):
            below = self.table[-1]
            self.table.append([max(below[i], below[i + width]) for i in range(len(below) - width)])
            width *= 2

    def _max(self, lo: int, hi: int) -> int:
        """The highest level of segments lo..hi (inclusive)."""
        k = (hi - lo + 1).bit_length() - 1
        return max(self.table[k][lo], self.table[k][hi - (1 << k) + 1])

    def last_above(self, at: int, value: int) -> int | None:
        """The last time <= `at` at which the level is above `value`."""
        hi = bisect.bisect_right(self.times, at) - 1
        if hi < 0 or self._max(0, hi) <= value:
            return None
        lo = 0
        while lo < hi:  # the last segment in lo..hi above value
            mid = (lo + hi + 1) // 2
            if self._max(mid, hi) > value:
                lo = mid
            else:
                hi = mid - 1
        end = self.times[lo + 1] - 1 if lo + 1 < len(self.times) else at
        return min(end, at)

    def first_above(self, at: int, value: int) -> int | None:
        """The first time >= `at` at which the level is above `value`."""
        lo = max(bisect.bisect_right(self.times, at) - 1, 0)
        last = len(self.levels) - 1
        if self._max(lo, last) <= value:
            return None
        hi = last
        while lo < hi:  # the first segment in lo..hi above value
            mid = (lo + hi) // 2
            if self._max(lo, mid) > value:
                hi = mid
            else:
                lo = mid + 1
        return max(self.times[lo], at)


def slack(scenario: Scenario, starts: Mapping[str, int], partial: bool = False) -> Slack:
    """The slack of every step of the roadmap `starts`, and its critical chain."""
    judge = _Judge(scenario, starts, partial)
    position = {s: i for i, s in enumerate(scenario.steps)}
    order = sorted(starts, key=lambda s: (starts[s], position[s]))
    rooms = tuple(_room(judge, s, starts[s]) for s in order)
    last = max((t + scenario.steps[s].done_offset for s, t in starts.items()), default=0)
    chain = critical_chain(scenario, starts)
    return Slack(rooms, chain.steps, last, judge.baseline, chain.held)


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


def _room(judge: _Judge, step: str, t: int, direct: bool = True) -> Room:
    relations = [r for r in judge.relations[step] if r.name not in judge.baseline]
    later_trials: list[tuple[int, int]] = []
    earlier_trials: list[tuple[int, int]] = []
    bounded: dict[int, tuple[int | None, int | None]] = {}
    for k, relation in enumerate(relations):
        bound = judge.direct_break(relation, step, t) if direct else None
        if bound is not None:
            # Only where it first breaks: before that it cannot (`_Judge.direct_break`).
            bounded[k] = bound
            if bound[0] is not None:
                later_trials.append((bound[0], k))
            if bound[1] is not None:
                earlier_trials.append((bound[1], k))
            continue
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
    for k, (late, early) in bounded.items():
        # The search reached a bound (no break before it) that the checker did not confirm
        # there: measure the step as before, every relation at its own points.
        for at, got, sign in ((late, up, 1), (early, down, -1)):
            if at is None:
                continue
            reached = got is None or sign * (got[0] - at) > 0
            if reached or (
                got is not None
                and got[0] == at
                and not any(v.rule == relations[k].name for v in got[1])
            ):
                return _room(judge, step, t, direct=False)
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
