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
  earliest free counter-step, graduated order, simultaneous groups, a free capacity
  seat), counting the steps placed before it, as a written sequence counts them. Nothing
  starts earlier than planned. Windows, `within` and balance are not pushed for: they
  are checked, and counted when broken; or
- *re-plans* (`replan=True`): plans the deal afresh with the drawn times (CP-SAT, the
  scenario's objectives): what the best plan could do had the times been known.

Each run is checked against the rules as `check` checks a roadmap; its last time done,
its peak concessions ahead and each party's peak irreversible exposure
(`planner.whatif.exposure`) are kept, with its **critical chain** at the run's times
(`planner.whatif.chain`, the chain `check --slack` and the outputs name: back from the
step done last, each step waiting for the one before it with no time to spare). A step's
**criticality index** is the share of runs whose critical chain holds it.

**Reproducible.** Run i draws from its own generator, seeded by child i of
`numpy.random.SeedSequence(seed)` (as `SeedSequence(seed).spawn(runs)[i]`), in a fixed
order: the same seed gives the same runs whatever the machine and however the runs are
spread over worker processes, and the results are assembled in run order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from planner.force import chains
from planner.model import Step, Verify
from planner.objectives import objective_order
from planner.rules import preconditions
from planner.rules.base import CheckContext
from planner.scenario import Scenario
from planner.whatif import simulate_branches as branching
from planner.whatif.chain import Links, critical, links
from planner.whatif.exposure import curves, is_marked
from planner.whatif.simulate_run import Order, compile_order, place

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
    #: Each branch's roadmap (`simulate_branches.plan_branches`), planned before the runs.
    plans: dict[tuple[str, str], dict[str, int] | None] = field(default_factory=dict)
    order: Order = field(init=False)
    links: Links = field(init=False)
    risk: list[Risk] = field(init=False)
    uncertain: list[int] = field(init=False)
    checked: list[int] = field(init=False)
    rule_ids: list[str] = field(init=False)
    actors: list[str] = field(init=False)
    _steps: dict[tuple[str, int, int], Step] = field(init=False, default_factory=dict)
    draws: list[branching.Draw] = field(init=False, default_factory=list)
    trigger_checks: set[str] = field(init=False, default_factory=set)
    chains: bool = field(init=False, default=False)
    _branches: dict[tuple[tuple[str, str], ...], Any] = field(init=False, default_factory=dict)
    _branch_links: dict[tuple[tuple[str, str], ...], Links] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self.order = compile_order(self.scenario, self.starts)
        self.links = links(self.scenario, self.order.ids)
        table = risks(self.scenario, self.order.ids)
        self.risk = [table[s] for s in self.order.ids]
        self.uncertain = [i for i, r in enumerate(self.risk) if r.duration.uncertain]
        self.checked = [i for i, r in enumerate(self.risk) if r.verify is not None]
        self.rule_ids = [r.id for r in self.scenario.rules]
        marked = is_marked(self.scenario)
        self.actors = [c.actor for c in curves(self.scenario, self.starts)] if marked else []
        self._steps = {}
        self.draws = branching.draws(self.scenario, self.starts) if not self.replan else []
        self.chains = bool(chains(self.scenario.everything().steps))
        self.trigger_checks = {d.step for d in self.draws if d.verification}

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
            # A failure some step depends on is a branch (drawn with the outcomes), not a retry.
            retries = self.order.ids[i] not in self.trigger_checks
            while retries and r.fails and tries < MAX_ATTEMPTS and rng.random() < r.fails:
                total += r.retry + self._verify_time(rng, r.verify)
                tries += 1
            ver[i] = total
        return dur, ver

    @staticmethod
    def _verify_time(rng: np.random.Generator, v: Triple) -> int:
        if not v.uncertain:
            return v.mode
        return math.floor(rng.triangular(v.low, v.mode, v.high) + 0.5)

    def step(self, s: str, duration: int, verify: int, scenario: Scenario | None = None) -> Step:
        key = (s, duration, verify)
        found = self._steps.get(key)
        if found is None:
            step = (scenario or self.scenario).steps[s]
            checked: Verify | None = step.verify
            if checked is not None and checked.duration != verify:
                checked = replace(checked, duration=verify)
            same = step.duration == duration and checked is step.verify
            found = step if same else replace(step, duration=duration, verify=checked)
            self._steps[key] = found
        return found

    def run(self, i: int, seed: int) -> tuple[Any, ...] | None:
        """One run: (last done, peak exposure, irreversible peaks by actor, its critical
        chain (step ids), the rules it breaks, the outcomes other than the main ones it
        drew, its snapbacks, the relief that lapses in it), or None when a re-planned
        run, or the branch it lands in, has no roadmap."""
        rng = generator(seed, i)
        dur, ver = self.draw(rng)
        taken: list[tuple[str, str]] = []
        for d in self.draws:  # after the times: scenarios without triggers draw as before
            u, total = rng.random(), 0.0
            pick = d.outcomes[-1]
            for outcome, chance in zip(d.outcomes, d.chances, strict=True):
                total += chance
                if u < total:
                    pick = outcome
                    break
            if pick != self.scenario.outcome(d.step):
                taken.append((d.step, pick))
        scenario, order = self.scenario, self.order
        if taken:
            found = self._branch(tuple(taken))
            if found is None:
                return None
            scenario, order, risk = found
            by_id = {s: k for k, s in enumerate(self.order.ids)}
            dur = [dur[by_id[s]] if s in by_id else self._one(rng, risk[s])[0] for s in order.ids]
            ver = [ver[by_id[s]] if s in by_id else self._one(rng, risk[s])[1] for s in order.ids]
        ids = order.ids
        steps = dict(scenario.steps)
        for k, s in enumerate(ids):
            steps[s] = self.step(s, dur[k], ver[k], scenario)
        offsets = [dur[k] + ver[k] for k in range(len(ids))]
        if self.replan:
            got = self._replan(steps)
            if got is None:
                return None
            start_of = got
            starts = [start_of[s] for s in ids]
        else:
            starts, _ = place(order, offsets, dur)
            start_of = dict(zip(ids, starts, strict=True))
        ends = [t + d for t, d in zip(starts, dur, strict=True)]
        dones = [t + o for t, o in zip(starts, offsets, strict=True)]
        # The main roadmap's ties, or the branch's own (its steps differ).
        lk = self.links if scenario is self.scenario else self._links(tuple(taken), scenario, ids)
        chain = [i for i, _ in critical(lk, starts, ends, dones)[0]]
        view = _RunView(scenario, steps)
        ctx = CheckContext(view, start_of)
        rules_broken = list(dict.fromkeys(v.rule for v in preconditions.check(ctx)))
        rules_broken += [rule.id for rule in scenario.rules if rule.check(ctx)]
        peak = max(ctx.measures.get("exposure", [0]))
        done = {s: start_of[s] + offsets[k] for k, s in enumerate(ids)}
        irreversible = []
        if self.actors:
            peaks = {c.actor: c.peak for c in curves(scenario, start_of, done)}
            irreversible = [peaks.get(a, 0) for a in self.actors]
        last = max(done.values(), default=0)
        snaps = branching.snapbacks(scenario, start_of) if self.draws else []
        laps = (
            branching.lapses(scenario, steps, start_of, last) if self.draws or self.chains else []
        )
        names = [ids[k] for k in chain]
        return last, peak, irreversible, names, rules_broken, taken, snaps, laps

    def _branch(self, taken: tuple[tuple[str, str], ...]) -> tuple[Scenario, Order, Any] | None:
        """The scenario, compiled order and estimates of the branch `taken` (kept)."""
        if taken not in self._branches:
            found = branching.combined(self.scenario, self.starts, self.plans, taken)
            if found is None:
                self._branches[taken] = None
            else:
                scenario, starts = found
                order = compile_order(scenario, starts)
                self._branches[taken] = (scenario, order, risks(scenario, order.ids))
        got: tuple[Scenario, Order, Any] | None = self._branches[taken]
        return got

    def _links(
        self, taken: tuple[tuple[str, str], ...], scenario: Scenario, ids: list[str]
    ) -> Links:
        """The waiting terms of the branch `taken` (kept, as its order is)."""
        found = self._branch_links.get(taken)
        if found is None:
            found = self._branch_links[taken] = links(scenario, ids)
        return found

    def _one(self, rng: np.random.Generator, r: Risk) -> tuple[int, int]:
        """The duration and verification time of a step only a branch has."""
        d = r.duration.mode
        if r.duration.uncertain:
            d = math.floor(rng.triangular(r.duration.low, r.duration.mode, r.duration.high) + 0.5)
        v = 0 if r.verify is None else self._verify_time(rng, r.verify)
        return d, v

    def _replan(self, steps: Mapping[str, Step]) -> dict[str, int] | None:
        from planner.solver.solve import plan

        drawn = replace(self.scenario, steps=dict(steps))
        result = plan(drawn, objective_order(drawn), time_limit=10.0, seed=0)
        if result.interrupted:
            # Ctrl-C stopped this run's search: it stops the simulation, not just the run.
            raise KeyboardInterrupt
        if result.status != "found":
            return None
        return {s: t for s, t in result.candidates[0].starts.items() if s in self.starts}


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
    #: Per trigger step drawn (`simulate_branches`): runs per outcome, the main one first.
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Runs in which each step reimposing relief is scheduled (a snapback happens).
    snapbacks: dict[str, int] = field(default_factory=dict)
    #: Runs in which each relief (its chain's base step) lapses before the run ends.
    lapses: dict[str, int] = field(default_factory=dict)
    #: Whether any relief can lapse or be reimposed (the lapses are then reported).
    has_force: bool = False


_ENGINE: _Engine | None = None


def _init(
    scenario: Scenario,
    starts: dict[str, int],
    replan: bool,
    plans: dict[tuple[str, str], dict[str, int] | None],
) -> None:
    global _ENGINE
    import signal

    # Ctrl-C is the parent's to answer (one line, exit 130): workers do not print theirs.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ENGINE = _Engine(scenario, starts, replan, plans)


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
    if engine.draws:  # each branch planned once, as `planner contingency` plans it
        engine.plans = branching.plan_branches(
            scenario, starts, engine.draws, objective_order(scenario), seed
        )
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
        pool = context.Pool(workers, _init, (scenario, dict(starts), replan, engine.plans))
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
    outcomes = {
        d.step: dict.fromkeys(
            [scenario.outcome(d.step), *(o for o in d.outcomes if o != scenario.outcome(d.step))],
            0,
        )
        for d in engine.draws
    }
    snapbacks: dict[str, int] = {}
    lapses: dict[str, int] = {}
    for _, _, _, chain, rules, taken, snaps, laps in kept:
        for s in chain:
            critical[s] = critical.get(s, 0) + 1
        for name in rules:
            broken[name] = broken.get(name, 0) + 1
        other = dict(taken)
        for trigger, counts in outcomes.items():
            pick = other.get(trigger, scenario.outcome(trigger))
            counts[pick] += 1
        for s in snaps:
            snapbacks[s] = snapbacks.get(s, 0) + 1
        for s in laps:
            lapses[s] = lapses.get(s, 0) + 1
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
        steps=tuple(critical),
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
        outcomes=outcomes,
        snapbacks=dict(sorted(snapbacks.items())),
        lapses=dict(sorted(lapses.items())),
        has_force=engine.chains,
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
