"""Monte Carlo over uncertain durations: how likely a roadmap finishes by a date, which
steps drive that, which rules break.

**Estimates.** A step's duration and its verification time are three-point estimates:
the written `duration` is the most likely, `estimate: {min, max}` (on the step, or on its
`verify`) the shortest and longest. A step without its own estimate takes the scenario's
defaults (`scenario.uncertainty`: for each field, the first entry whose selector names
the step and that gives the field), as factors of its times: min = ⌊factor × time⌋,
max = ⌈factor × time⌉. A verification fails with probability `fails` (its own, or the
default) and is then done again, `retry` later, for a newly drawn time, until it passes
(at most `MAX_ATTEMPTS` times). Without any estimate a time is certain.

**A run** draws every uncertain time from the triangular distribution (min, most likely,
max), rounded to the nearest whole unit, and then either

- *holds the roadmap's order* (the default): steps are placed in the roadmap's order, each
  at its planned start or, when what it waits for is late, as soon as that is done — its
  `after` items and the hard rules' waiting terms (precedence, gate, reciprocity's
  earliest free counter-step, graduated order, simultaneous groups), counting the steps
  placed before it, as a written sequence counts them. Nothing starts earlier than
  planned. Windows, `within`, capacity and balance are not pushed for: they are checked,
  and counted when broken; or
- *re-plans* (`replan=True`): plans the deal afresh with the drawn times (CP-SAT, the
  default objectives): what the best plan could do had the times been known.

Each run is checked against the rules as `check` checks a roadmap; its last time done,
its peak leverage exposure and each party's peak irreversible exposure
(`planner.exposure`) are kept, with its **critical chain**: back from the step done last,
each step's start was set by the one before it (what pushed it; a step at its planned
start ends the chain). A step's **criticality index** is the share of runs whose critical
chain holds it.

**Reproducible.** Run i draws from its own generator, seeded by child i of
`numpy.random.SeedSequence(seed)` (as `SeedSequence(seed).spawn(runs)[i]`), in a fixed
order: the same seed gives the same runs whatever the machine and however the runs are
spread over worker processes, and the results are assembled in run order.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from planner.exposure import curves, is_marked
from planner.model import AnyOf, Step, Verify
from planner.objectives import DEFAULT_OBJECTIVES
from planner.rules import preconditions
from planner.rules.base import CheckContext, Rule, Terms
from planner.scenario import Scenario

#: A verification is tried at most this often in one run (then it passes).
MAX_ATTEMPTS = 50
#: Runs per task handed to a worker process.
CHUNK = 250


# ---- estimates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Triple:
    """A three-point estimate in whole units: low <= mode <= high."""

    low: int
    mode: int
    high: int

    @property
    def uncertain(self) -> bool:
        return self.low < self.high


@dataclass(frozen=True, slots=True)
class Risk:
    """What may happen to one step: its duration, its verification time (None without a
    verification), the probability the verification fails, and the delay before a retry."""

    duration: Triple
    verify: Triple | None = None
    fails: float = 0.0
    retry: int = 0


def _spread(time: int, low: float, high: float) -> Triple:
    return Triple(math.floor(low * time + 1e-9), time, math.ceil(high * time - 1e-9))


def risks(scenario: Scenario, ids: Sequence[str]) -> dict[str, Risk]:
    """The estimates of the steps `ids`: their own, else the scenario's defaults."""
    out = {}
    for s in ids:
        step = scenario.steps[s]
        found: dict[str, Any] = {}
        for entry in scenario.uncertainty:
            if entry.steps is not None and s not in entry.steps.ids:
                continue
            for name in ("duration", "verify", "fails", "retry"):
                if name not in found and getattr(entry, name) is not None:
                    found[name] = getattr(entry, name)
        own = step.estimate
        if own is not None:
            duration = Triple(
                step.duration if own.min is None else own.min,
                step.duration,
                step.duration if own.max is None else own.max,
            )
        elif "duration" in found:
            duration = _spread(step.duration, found["duration"].min, found["duration"].max)
        else:
            duration = Triple(step.duration, step.duration, step.duration)
        verify = None
        fails, retry = 0.0, 0
        if step.verify is not None:
            v = step.verify
            if v.estimate is not None:
                e = v.estimate
                verify = Triple(
                    v.duration if e.min is None else e.min,
                    v.duration,
                    v.duration if e.max is None else e.max,
                )
            elif "verify" in found:
                verify = _spread(v.duration, found["verify"].min, found["verify"].max)
            else:
                verify = Triple(v.duration, v.duration, v.duration)
            fails = v.fails or found.get("fails", 0.0)
            retry = v.retry or found.get("retry", 0)
        out[s] = Risk(duration, verify, fails, retry)
    return out


# ---- one run ---------------------------------------------------------------------------


def generator(seed: int, run: int) -> np.random.Generator:
    """The generator of run `run`: child `run` of `SeedSequence(seed)`, the one
    `SeedSequence(seed).spawn(runs)[run]` gives, made without spawning the others."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(run,)))


def pushed(
    scenario: Scenario,
    starts: Mapping[str, int],
    times: Mapping[str, tuple[int, int]],
) -> tuple[dict[str, int], list[str]]:
    """The roadmap `starts` held in its order when steps take other times (`times`: step
    -> (duration, verification), the scenario's for the others): each step at its
    planned start or pushed later as its waiting terms require, as one run of `simulate`
    places it. Returns the starts and the run's critical chain (first step first)."""
    order = _compile(scenario, starts)
    steps = scenario.steps
    dur = [times.get(s, (steps[s].duration, 0))[0] for s in order.ids]
    ver = [times.get(s, (0, steps[s].verify_duration))[1] for s in order.ids]
    offsets = [d + v for d, v in zip(dur, ver, strict=True)]
    begin, driver = _place(order, offsets, dur)
    chain = _chain([t + o for t, o in zip(begin, offsets, strict=True)], driver)
    return dict(zip(order.ids, begin, strict=True)), [order.ids[i] for i in reversed(chain)]


class _Waits(Terms):
    """The hard rules' waiting terms, for placing steps in the roadmap's order."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.waits: list[tuple[Sequence[str], Sequence[str], int]] = []
        self.answers: list[tuple[Sequence[str], Sequence[str], int, bool]] = []
        self.ranks: list[tuple[Sequence[Sequence[str]], int]] = []
        self.groups: list[Sequence[str]] = []
        self.seats: list[tuple[Sequence[str], int]] = []

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        if not rule.soft:
            self.waits.append((firsts, waiting, lag))

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
            self.answers.append((give, get, grace, shared))

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        if not rule.soft:
            self.ranks.append((ranks, gap))

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            self.groups.append(ids)

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        if not rule.soft:
            self.seats.append((ids, limit))

    def edges(self) -> list[tuple[str, str]]:
        """(first, then): `then` waits for `first` (for the order of steps planned in the
        same week)."""
        out = [(f, w) for firsts, waiting, _ in self.waits for f in firsts for w in waiting]
        out += [(c, g) for give, get, _, _ in self.answers for c in get for g in give]
        for ranks, _ in self.ranks:
            out += [(a, b) for x, y in itertools.pairwise(ranks) for a in x for b in y]
        return [(a, b) for a, b in out if a != b]


@dataclass(slots=True)
class _Order:
    """The roadmap's order compiled once: for step i (in placement order), what it waits
    for among the steps placed before it. `fixed[i]`: (j, lag, on_done) — start >= (done
    or start of j) + lag; `anys[i]`: alternatives (j, lag), the earliest one counts;
    `gives[i]` / `counts[i]`: the answer terms it takes a counter-step from or feeds;
    `seats[i]`: the capacity terms it needs a seat of (their limits in `limits`)."""

    ids: list[str]
    planned: list[int]
    fixed: list[list[tuple[int, int, bool]]]
    anys: list[list[list[tuple[int, int]]]]
    gives: list[list[tuple[int, int, bool]]]
    counts: list[list[int]]
    num_terms: int
    group_of: list[int]
    groups: list[list[int]]
    seats: list[list[int]]
    limits: list[int]


def _compile(scenario: Scenario, starts: Mapping[str, int]) -> _Order:
    position = {s: i for i, s in enumerate(scenario.steps)}
    terms = _Waits(scenario.steps)
    for rule in scenario.rules:
        rule.terms(terms)
    depth = _depths(scenario, starts, terms)
    ids = sorted(starts, key=lambda s: (starts[s], depth[s], position[s]))
    index = {s: i for i, s in enumerate(ids)}
    n = len(ids)
    fixed: list[list[tuple[int, int, bool]]] = [[] for _ in ids]
    anys: list[list[list[tuple[int, int]]]] = [[] for _ in ids]
    for i, s in enumerate(ids):
        for cond in scenario.steps[s].after:
            if isinstance(cond, AnyOf):
                alts = [(index[r.step], r.lag) for r in cond.items if index.get(r.step, n) < i]
                if alts:
                    anys[i].append(alts)
            elif index.get(cond.step, n) < i:
                fixed[i].append((index[cond.step], cond.lag, True))
    for firsts, waiting, lag in terms.waits:
        for w in waiting:
            at = index.get(w, -1)
            for f in firsts:
                if f != w and -1 < index.get(f, n) < at:
                    fixed[at].append((index[f], lag, True))
    for ranks, gap in terms.ranks:
        before: list[int] = []
        for group in ranks:
            members = [index[s] for s in group if s in index]
            for i in members:
                fixed[i].extend((j, gap, False) for j in before if j < i)
            before += members
    for i, s in enumerate(ids):
        if scenario.steps[s].fixed is not None:  # its date is set: nothing pushes it
            fixed[i], anys[i] = [], []
    gives: list[list[tuple[int, int, bool]]] = [[] for _ in ids]
    counts: list[list[int]] = [[] for _ in ids]
    for k, (give, get, grace, shared) in enumerate(terms.answers):
        for s in give:
            if s in index:
                gives[index[s]].append((k, grace, shared))
        for s in get:
            if s in index:
                counts[index[s]].append(k)
    group_of = [-1] * n
    groups: list[list[int]] = []
    for together in terms.groups:
        placed = sorted(index[s] for s in together if s in index)
        if len(placed) > 1:
            for i in placed:
                group_of[i] = len(groups)
            groups.append(placed)
    seats: list[list[int]] = [[] for _ in ids]
    for k, (chosen, _) in enumerate(terms.seats):
        for s in chosen:
            if s in index and scenario.steps[s].duration:
                seats[index[s]].append(k)
    return _Order(ids, [starts[s] for s in ids], fixed, anys, gives, counts,
                  len(terms.answers), group_of, groups, seats,
                  [limit for _, limit in terms.seats])  # fmt: skip


def _depths(scenario: Scenario, starts: Mapping[str, int], terms: _Waits) -> dict[str, int]:
    """How many steps planned in the same week a step waits for, one after another: among
    steps planned together, the ones others wait for are placed first."""
    edges = [(a, b) for a, b in terms.edges() if a in starts and b in starts]
    for s in starts:
        edges += [(r.step, s) for r in scenario.steps[s].requirements() if r.step in starts]
    edges = [(a, b) for a, b in edges if starts[a] == starts[b]]
    depth = dict.fromkeys(starts, 0)
    for _ in range(len(starts)):  # a cycle stops growing once every depth is the count
        changed = False
        for a, b in edges:
            if depth[b] <= depth[a] and depth[a] < len(starts):
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def _place(
    order: _Order, offsets: Sequence[int], offsets_run: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Starts in the roadmap's order, pushed as the waiting terms require, and for each
    step what set its start (the index of the step it waited for, or -1: its plan).
    `offsets` are the times from start to done, `offsets_run` to the end (the durations)."""
    n = len(order.ids)
    start = [0] * n
    done = [0] * n
    driver = [-1] * n
    placed = [False] * n
    pools: list[list[tuple[int, int]]] = [[] for _ in range(order.num_terms)]

    def earliest(i: int) -> tuple[int, int]:
        t, why = order.planned[i], -1
        for j, lag, on_done in order.fixed[i]:
            if placed[j]:
                v = (done[j] if on_done else start[j]) + lag
                if v >= t:
                    t, why = v, j
        for alts in order.anys[i]:
            options = [(done[j] + lag, j) for j, lag in alts if placed[j]]
            if options:
                v, j = min(options)
                if v >= t:
                    t, why = v, j
        for k, grace, _ in order.gives[i]:
            pool = pools[k]
            free = next((p for p in pool if p[1] != i), None)
            if free is not None and free[0] - grace >= t:
                t, why = free[0] - grace, free[1]
        return t, why

    busy: list[list[tuple[int, int, int]]] = [[] for _ in order.limits]

    def seated(i: int, t: int, why: int) -> tuple[int, int]:
        """The first time >= t with a seat free in each capacity term of step i (among the
        steps placed so far); what set it: the step whose end frees the seat."""
        length = offsets_run[i]
        moved = True
        while moved:
            moved = False
            for k in order.seats[i]:
                ends = sorted((e, j) for b, e, j in busy[k] if b < t + length and e > t)
                if len(ends) >= order.limits[k]:
                    t, why = ends[len(ends) - order.limits[k]]
                    moved = True
        return t, why

    def settle(i: int, t: int, why: int) -> None:
        if order.seats[i]:
            t, why = seated(i, t, why)
        start[i], done[i], driver[i], placed[i] = t, t + offsets[i], why, True
        for k in order.seats[i]:
            busy[k].append((t, t + offsets_run[i], i))
        for k, _, shared in order.gives[i]:
            pool = pools[k]
            free = next((p for p in pool if p[1] != i), None)
            if free is not None and not shared:
                pool.remove(free)
        for k in order.counts[i]:
            bisect.insort(pools[k], (done[i], i))

    for i in range(n):
        if placed[i]:
            continue
        g = order.group_of[i]
        if g < 0:
            settle(i, *earliest(i))
            continue
        members = [m for m in order.groups[g] if not placed[m]]
        found = [earliest(m) for m in members]
        top = max(t for t, _ in found)
        lead = next(m for m, (t, _) in zip(members, found, strict=True) if t == top)
        for m, (t, why) in zip(members, found, strict=True):
            settle(m, top, why if t == top else lead)
    return start, driver


def _chain(done: Sequence[int], driver: Sequence[int]) -> list[int]:
    last = max(range(len(done)), key=lambda i: (done[i], -i)) if done else -1
    chain: list[int] = []
    seen: set[int] = set()
    while last >= 0 and last not in seen:
        chain.append(last)
        seen.add(last)
        last = driver[last]
    return chain


class _RunView:
    """A scenario with one run's times, for the rules' `check` (facts of the scenario
    alone are the scenario's own: no time changes them)."""

    def __init__(self, scenario: Scenario, steps: Mapping[str, Step]) -> None:
        self.base = scenario
        self.unit = scenario.unit
        self.steps = steps
        self.rules = scenario.rules

    def fact(self, name: str, compute: Callable[[Any], Any]) -> Any:
        return self.base.fact(name, compute)

    def memo(self, name: str, compute: Callable[[Any], Any]) -> Any:
        return self.base.memo(name, compute)


@dataclass(slots=True)
class _Engine:
    """Everything a worker needs for its runs, built once per process."""

    scenario: Scenario
    starts: dict[str, int]
    replan: bool
    order: _Order = field(init=False)
    risk: list[Risk] = field(init=False)
    uncertain: list[int] = field(init=False)
    checked: list[int] = field(init=False)
    rule_ids: list[str] = field(init=False)
    actors: list[str] = field(init=False)
    _steps: dict[tuple[str, int, int], Step] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.order = _compile(self.scenario, self.starts)
        table = risks(self.scenario, self.order.ids)
        self.risk = [table[s] for s in self.order.ids]
        self.uncertain = [i for i, r in enumerate(self.risk) if r.duration.uncertain]
        self.checked = [i for i, r in enumerate(self.risk) if r.verify is not None]
        self.rule_ids = [r.id for r in self.scenario.rules]
        marked = is_marked(self.scenario)
        self.actors = [c.actor for c in curves(self.scenario, self.starts)] if marked else []
        self._steps = {}

    def draw(self, rng: np.random.Generator) -> tuple[list[int], list[int]]:
        """Durations and verification times (retries included) of one run."""
        dur = [r.duration.mode for r in self.risk]
        ver = [r.verify.mode if r.verify is not None else 0 for r in self.risk]
        if self.uncertain:
            tri = [self.risk[i].duration for i in self.uncertain]
            got = rng.triangular([t.low for t in tri], [t.mode for t in tri], [t.high for t in tri])
            for i, x in zip(self.uncertain, np.floor(got + 0.5).astype(int).tolist(), strict=True):
                dur[i] = x
        for i in self.checked:
            r = self.risk[i]
            assert r.verify is not None
            total, tries = self._verify_time(rng, r.verify), 1
            while r.fails and tries < MAX_ATTEMPTS and rng.random() < r.fails:
                total += r.retry + self._verify_time(rng, r.verify)
                tries += 1
            ver[i] = total
        return dur, ver

    @staticmethod
    def _verify_time(rng: np.random.Generator, v: Triple) -> int:
        if not v.uncertain:
            return v.mode
        return math.floor(rng.triangular(v.low, v.mode, v.high) + 0.5)

    def step(self, s: str, duration: int, verify: int) -> Step:
        key = (s, duration, verify)
        found = self._steps.get(key)
        if found is None:
            step = self.scenario.steps[s]
            checked: Verify | None = step.verify
            if checked is not None and checked.duration != verify:
                checked = replace(checked, duration=verify)
            same = step.duration == duration and checked is step.verify
            found = step if same else replace(step, duration=duration, verify=checked)
            self._steps[key] = found
        return found

    def run(self, i: int, seed: int) -> tuple[int, int, list[int], list[int], list[str]] | None:
        """One run: (last done, peak exposure, irreversible peaks by actor, its critical
        chain, the rules it breaks), or None when a re-planned run has no roadmap."""
        rng = generator(seed, i)
        dur, ver = self.draw(rng)
        ids = self.order.ids
        steps = dict(self.scenario.steps)
        for k, s in enumerate(ids):
            steps[s] = self.step(s, dur[k], ver[k])
        offsets = [dur[k] + ver[k] for k in range(len(ids))]
        if self.replan:
            got = self._replan(steps)
            if got is None:
                return None
            start_of = got
            starts = [start_of[s] for s in ids]
            chain = _tight_chain(self.scenario, steps, start_of, self.order)
        else:
            starts, driver = _place(self.order, offsets, dur)
            start_of = dict(zip(ids, starts, strict=True))
            chain = _chain([t + o for t, o in zip(starts, offsets, strict=True)], driver)
        view = _RunView(self.scenario, steps)
        ctx = CheckContext(view, start_of)
        rules_broken = list(dict.fromkeys(v.rule for v in preconditions.check(ctx)))
        rules_broken += [rule.id for rule in self.scenario.rules if rule.check(ctx)]
        peak = max(ctx.measures.get("exposure", [0]))
        done = {s: start_of[s] + offsets[k] for k, s in enumerate(ids)}
        irreversible = []
        if self.actors:
            peaks = {c.actor: c.peak for c in curves(self.scenario, start_of, done)}
            irreversible = [peaks.get(a, 0) for a in self.actors]
        last = max(done.values(), default=0)
        return last, peak, irreversible, chain, rules_broken

    def _replan(self, steps: Mapping[str, Step]) -> dict[str, int] | None:
        from planner.solver.solve import plan

        drawn = replace(self.scenario, steps=dict(steps))
        result = plan(drawn, DEFAULT_OBJECTIVES, time_limit=10.0, seed=0)
        if result.status != "found":
            return None
        return {s: t for s, t in result.candidates[0].starts.items() if s in self.starts}


def _tight_chain(
    scenario: Scenario, steps: Mapping[str, Step], starts: Mapping[str, int], order: _Order
) -> list[int]:
    """A re-planned run's chain: back from the step done last, through the step each one
    waits for that is done exactly when it starts (its `after` items, the waiting terms)."""
    ids = order.ids
    done = [starts[s] + steps[s].done_offset for s in ids]
    begin = [starts[s] for s in ids]
    driver = [-1] * len(ids)
    for i in range(len(ids)):
        for j, lag, on_done in order.fixed[i] + [
            (j, lag, True) for alts in order.anys[i] for j, lag in alts
        ]:
            if (done[j] if on_done else begin[j]) + lag == begin[i]:
                driver[i] = j
                break
    return _chain(done, driver)


# ---- many runs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Simulation:
    """The runs of a simulation, in run order, and what they were drawn from."""

    runs: int
    seed: int
    replan: bool
    steps: tuple[str, ...]
    rules: tuple[str, ...]
    soft: frozenset[str]
    actors: tuple[str, ...]
    last_done: np.ndarray
    peak_exposure: np.ndarray
    #: Per actor (in `actors` order): each run's peak irreversible exposure.
    irreversible: np.ndarray
    #: How many runs' critical chains hold each step, and break each rule (a soft rule:
    #: cost a penalty; `after:<step>`: a step's preconditions).
    critical: dict[str, int]
    broken: dict[str, int]
    #: Re-planned runs for which no roadmap exists.
    num_failed: int
    planned_last: int
    planned_peak: int
    planned_irreversible: dict[str, int]
    num_uncertain: int
    num_verifications: int
    num_failing: int


_ENGINE: _Engine | None = None


def _init(scenario: Scenario, starts: dict[str, int], replan: bool) -> None:
    global _ENGINE
    import signal

    # Ctrl-C is the parent's to answer (one line, exit 130): workers do not print theirs.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ENGINE = _Engine(scenario, starts, replan)


def _runs_of(task: tuple[int, int, int]) -> list[Any]:
    """Runs first, ..., last - 1 of seed `seed`, in a worker process."""
    first, last, seed = task
    assert _ENGINE is not None
    return [_ENGINE.run(i, seed) for i in range(first, last)]


def simulate(
    scenario: Scenario,
    starts: Mapping[str, int],
    runs: int = 1000,
    seed: int = 0,
    workers: int = 1,
    replan: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Simulation:
    """Run the roadmap `starts` `runs` times over the scenario's uncertain durations.

    Parameters
    ----------
    workers:
        Local processes the runs are spread over (1: this process). The results do not
        depend on it.
    progress:
        Called with the number of runs done so far, now and then.
    """
    engine = _Engine(scenario, dict(starts), replan)
    chunks = [(i, min(i + CHUNK, runs)) for i in range(0, runs, CHUNK)]
    results: list[Any] = []
    if workers <= 1 or len(chunks) <= 1:
        for first, last in chunks:
            results += [engine.run(i, seed) for i in range(first, last)]
            if progress is not None:
                progress(last)
    else:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        # A Pool, not an executor: on Ctrl-C `terminate` ends the workers at once instead
        # of leaving them waiting for work that never comes. The interrupt is raised anew
        # once the pool is dropped: its traceback held the pool, and the command ends with
        # os._exit, which would leave the pool's semaphores to the resource tracker.
        pool = context.Pool(workers, _init, (scenario, dict(starts), replan))
        stopped = False
        try:
            done = 0
            tasks = [(first, last, seed) for first, last in chunks]
            for (first, last), got in zip(chunks, pool.imap(_runs_of, tasks), strict=True):
                results += got
                done += last - first
                if progress is not None:
                    progress(done)
        except KeyboardInterrupt:
            stopped = True
        except BaseException:
            pool.terminate()
            raise
        if stopped:
            pool.terminate()
            pool.join()
            del pool
            import gc

            gc.collect()  # the pool's reference cycles hold its semaphores
            raise KeyboardInterrupt
        pool.close()
        pool.join()
    return _assemble(engine, results, runs, seed, replan)


def _assemble(
    engine: _Engine, results: list[Any], runs: int, seed: int, replan: bool
) -> Simulation:
    scenario = engine.scenario
    ids = engine.order.ids
    kept = [r for r in results if r is not None]
    critical: dict[str, int] = dict.fromkeys(ids, 0)
    broken: dict[str, int] = {}
    for _, _, _, chain, rules in kept:
        for i in chain:
            critical[ids[i]] += 1
        for name in rules:
            broken[name] = broken.get(name, 0) + 1
    base_done = {s: t + scenario.steps[s].done_offset for s, t in engine.starts.items()}
    from planner.check import check

    report = check(scenario, engine.starts, partial=True)
    planned_irr = (
        {c.actor: c.peak for c in curves(scenario, engine.starts)} if engine.actors else {}
    )
    return Simulation(
        runs=runs,
        seed=seed,
        replan=replan,
        steps=tuple(ids),
        rules=tuple(engine.rule_ids),
        soft=frozenset(r.id for r in scenario.rules if r.soft),
        actors=tuple(engine.actors),
        last_done=np.array([r[0] for r in kept], dtype=np.int64),
        peak_exposure=np.array([r[1] for r in kept], dtype=np.int64),
        irreversible=np.array([r[2] for r in kept], dtype=np.int64)
        .reshape(len(kept), len(engine.actors))
        .T,
        critical=critical,
        broken=broken,
        num_failed=len(results) - len(kept),
        planned_last=max(base_done.values(), default=0),
        planned_peak=report.summary.peak_exposure or 0,
        planned_irreversible=planned_irr,
        num_uncertain=len(engine.uncertain),
        num_verifications=sum(
            1 for r in engine.risk if r.verify is not None and r.verify.uncertain
        ),
        num_failing=sum(1 for r in engine.risk if r.fails > 0),
    )


#: The quantiles reported.
QUANTILES = (10, 50, 80, 90)


def quantiles(values: np.ndarray) -> dict[int, int]:
    """P10, P50, P80, P90: the smallest value that at least that share of runs reach no
    higher than (a value some run had, never an interpolation)."""
    if not len(values):
        return dict.fromkeys(QUANTILES, 0)
    got = np.percentile(values, QUANTILES, method="inverted_cdf")
    return {q: int(v) for q, v in zip(QUANTILES, got, strict=True)}


def share_by(values: np.ndarray, time: int) -> float:
    """The share of runs done by `time`."""
    return float(np.count_nonzero(values <= time)) / len(values) if len(values) else 0.0
