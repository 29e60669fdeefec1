"""Lower bounds no roadmap can beat, from the rules' scheduling terms (pure Python, no
ortools).

The solver narrows every start variable to [earliest start, horizon] and states the
makespan bound outright: both are implied by the hard rules, and they let CP-SAT prove
optimality on large scenarios where its own relaxation stalls. The benchmarks report the
same bound as "the best lower bound", and the why-not arithmetic (`explain`) runs the same
propagation under the rules of a conflict only, recording which step pushed which.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from planner.force import Chain
from planner.model import AnyOf, Step
from planner.rules.base import PartialTerms, Rule, Terms
from planner.scenario import Scenario

#: Why a step cannot start earlier: (the step that pushed it, the rule id or "after"), or
#: None when a window (or nothing) sets its earliest start.
Why = dict[str, tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class Deadline:
    """A `deadline` term: the steps' start (or done time) is at most `latest`; `whose`
    names it in a message ("window 'x'"), or is "" for a step held at its time."""

    whose: str
    ids: tuple[str, ...]
    latest: int
    measure: str

    def limit(self, unit: str) -> str:
        """How the deadline reads in the why-not."""
        if not self.whose:
            return f"it is held in {unit} {self.latest}"
        if self.whose == "fixed":
            return f"its time is fixed in {unit} {self.latest}"
        return f"{self.whose} allows {unit} {self.latest} at the latest"


class _Hard(PartialTerms):
    """The terms of hard rules that bound starts from below, restricted to scheduled steps.
    Partial is safe: a bound from fewer terms is weaker, and still a lower bound."""

    def __init__(self, steps: Mapping[str, Step], scheduled: Collection[str]) -> None:
        super().__init__(steps)
        self.sched = scheduled
        self.releases: list[tuple[str, int, str]] = []  # (step, earliest start, rule id)
        self.waits: list[tuple[list[str], list[str], int, str]] = []
        self.answers: list[tuple[list[str], list[str], int, str]] = []
        self.ranks: list[tuple[list[list[str]], int, str]] = []
        self.capacities: list[tuple[list[str], int]] = []
        self.deadlines: list[Deadline] = []

    def _in(self, ids: Iterable[str]) -> list[str]:
        return [s for s in ids if s in self.sched]

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        if not rule.soft:
            self.waits.append((self._in(firsts), self._in(waiting), lag, rule.id))

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        if not rule.soft:
            self.answers.append((self._in(give), self._in(get), grace, rule.id))

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        if not rule.soft:
            for s in self._in(ids):
                shift = self.steps[s].done_offset if measure == "done" else 0
                self.releases.append((s, earliest - shift, rule.id))

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        if not rule.soft:
            whose = f"{rule.kind} '{rule.id}'"
            self.deadlines.append(Deadline(whose, tuple(self._in(ids)), latest, measure))

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if not rule.soft:
            kept = [group for group in (self._in(g) for g in ranks) if group]
            self.ranks.append((kept, gap, rule.id))

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if not rule.soft:
            self.capacities.append((self._in(ids), limit))


def hard_terms(
    scenario: Scenario, scheduled: Collection[str], rules: Iterable[Rule] | None = None
) -> _Hard:
    """The terms of the hard rules among `rules` (all the scenario's by default)."""
    terms = _Hard(scenario.steps, scheduled)
    for rule in scenario.rules if rules is None else rules:
        rule.terms(terms)
    return terms


def _after(step: Step, done: Mapping[str, int]) -> tuple[int, str | None]:
    """The earliest start `step`'s `after` items allow given the done times known (as
    `preconditions.earliest_start`), and the step that sets it."""
    t, why = 0, None
    for cond in step.after:
        items = cond.items if isinstance(cond, AnyOf) else (cond,)
        options = [(done[r.step] + r.lag, r.step) for r in items if r.step in done]
        if options:
            best = min(options, key=lambda o: o[0])
            if best[0] > t:
                t, why = best
    return t, why


def earliest_starts(
    scenario: Scenario,
    scheduled: Sequence[str],
    rules: Iterable[Rule] | None = None,
    preconditions: Collection[str] | None = None,
    why: Why | None = None,
    fixed: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """The earliest start of each scheduled step in any roadmap keeping the hard rules.

    From `after` items (the earliest alternative of `any`), and the hard rules' terms:
    waits (precedence, gate, lags included), answers (the earliest counter-step other
    than the step itself, minus grace), ranks (graduated order) and releases (window
    openings), iterated to a fixed point. Capacity and reservoir terms are ignored (a
    weaker, still valid bound).

    `rules` and `preconditions` (the steps whose `after` items count) restrict the
    propagation to a conflict's own conditions; `fixed` steps start no earlier than their
    given times (steps held where a roadmap has them); `why`, when given, receives for
    each step the step and condition that set its earliest start.
    """
    steps = scenario.steps
    sched = set(scheduled)
    terms = hard_terms(scenario, sched, rules)
    off = {s: steps[s].done_offset for s in scheduled}
    est = dict.fromkeys(scheduled, 0)
    trace: Why = why if why is not None else {}
    trace.update(dict.fromkeys(scheduled))

    def push(s: str, t: int, by: tuple[str, str] | None) -> None:
        if t > est[s]:
            est[s] = t
            trace[s] = by

    for s, t, _ in terms.releases:
        push(s, t, None)
    for s in scheduled:
        if steps[s].fixed is not None:
            push(s, steps[s].fixed or 0, None)
    for s, t in (fixed or {}).items():
        if s in est:
            push(s, t, None)
    with_after = [s for s in scheduled if preconditions is None or s in preconditions]
    for _ in range(len(scheduled) + 2):  # a cycle of conditions would never settle
        previous = dict(est)
        done = {s: est[s] + off[s] for s in scheduled}
        for s in with_after:
            t, first = _after(steps[s], done)
            push(s, t, (first, "after") if first is not None else None)
            done[s] = est[s] + off[s]
        for firsts, waiting, lag, label in terms.waits:
            top = sorted(firsts, key=lambda f: est[f] + off[f])[-2:][::-1]  # latest done first
            for w in waiting:
                f = next((x for x in top if x != w), None)
                if f is not None:
                    push(w, est[f] + off[f] + lag, (f, label))
        for gives, gets, grace, label in terms.answers:
            counters = sorted((est[c] + off[c], c) for c in gets)
            for g in gives:
                counter = next(((d, c) for d, c in counters if c != g), None)
                if counter is not None:
                    push(g, counter[0] - grace, (counter[1], label))
        for ranks, gap, label in terms.ranks:
            leader: str | None = None  # the latest-starting step of the ranks so far
            for group in ranks:
                if leader is not None:
                    for s in group:
                        push(s, est[leader] + gap, (leader, label))
                best = max(group, key=lambda s: est[s])
                if leader is None or est[best] > est[leader]:
                    leader = best
        if est == previous:
            break
    return est


def critical_path(scenario: Scenario, est: dict[str, int]) -> int:
    """The makespan bound of the earliest starts: the latest earliest done time."""
    return max((t + scenario.steps[s].done_offset for s, t in est.items()), default=0)


def energy_bound(scenario: Scenario, est: dict[str, int]) -> int:
    """Per hard capacity term: no selected step starts before the earliest of their
    earliest starts, and together they need sum(durations) / limit at least."""
    best = 0
    for ids, limit in hard_terms(scenario, set(est)).capacities:
        running = [s for s in ids if scenario.steps[s].duration > 0]
        if len(running) <= limit:
            continue
        work = sum(scenario.steps[s].duration for s in running)
        best = max(best, min(est[s] for s in running) + math.ceil(work / limit))
    return best


def makespan_bound(
    scenario: Scenario, scheduled: Sequence[str], est: dict[str, int] | None = None
) -> int:
    """The best lower bound on the makespan: critical path or capacity energy (from the
    earliest starts `est` when they are already known)."""
    if est is None:
        est = earliest_starts(scenario, scheduled)
    return max(critical_path(scenario, est), energy_bound(scenario, est))


class _Spans(Terms):
    """How much later than every step one after another the rules' terms can push a
    roadmap: every lag, window opening and gap between ranks. Complete: a push it missed would make the
    horizon too short, and CP-SAT's domains would cut off roadmaps that exist."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.total = 0

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        self.total += lag

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
        pass  # a give step waits for a counter-step's done time: no lag

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        self.total += earliest

    def covers(self, rule: Rule, chain: Chain, since: str | int | None, until: str | int) -> None:
        # A renewal may have to come as late as `until` (less its term).
        for end in (since, until):
            if isinstance(end, int):
                self.total += end

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        pass  # an upper bound pushes nothing later

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        self.total += gap * max(len(ranks) - 1, 0)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        pass  # one step after another holds every limit

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        pass  # room comes from steps done, which pushes by no more than their times

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        pass  # starting at once is never later than one after another

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        pass  # fewer steps, less time


def horizon(scenario: Scenario, scheduled: Iterable[str]) -> int:
    """A time by which any sensible roadmap is done: every step one after another, with
    every lag, window opening and gap between ranks added, after the latest fixed time
    (CP-SAT needs finite domains)."""
    total = 0
    latest_fixed = 0
    for s in scheduled:
        step = scenario.steps[s]
        total += step.done_offset + max((r.lag for r in step.requirements()), default=0)
        latest_fixed = max(latest_fixed, step.fixed or 0)
    spans = _Spans(scenario.steps)
    for rule in scenario.rules:
        rule.terms(spans)
    return max(total + spans.total + latest_fixed, 1)
