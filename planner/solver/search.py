"""Running CP-SAT for the planner: its parameters, a search that Ctrl-C (or the caller)
can stop, hints, and neighbourhoods (a model with every start fixed but a chosen few).

- `Stopper` owns SIGINT while `plan` runs: CP-SAT's own handler is off
  (`catch_sigint_signal=False`), each solve runs in a helper thread while the main thread
  waits where Python can run signal handlers, and Ctrl-C (or the caller's `stop` event)
  calls `stop_search()` on the solver running then. Outside a solve, Ctrl-C interrupts
  only work marked abortable (building the model, a second greedy schedule); elsewhere it is
  noted and acted on at the next solve. The previous handler is restored on exit.
- `Search.solve` minimizes one expression within a wall-clock limit (and, where asked, a
  deterministic work limit), from a hint: the starts of the roadmap so far, or every
  variable's value from the previous solve (a complete hint CP-SAT takes at once).
"""

from __future__ import annotations

import math
import queue
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, ClassVar

from ortools.sat.python import cp_model

from planner import interrupt
from planner.solver.encoder import Encoder

#: How often (seconds) the waiting main thread looks at the caller's stop event.
POLL = 0.05

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
}


class Stopper:
    """Stops the search on Ctrl-C or when `event` is set (from any thread)."""

    def __init__(self, event: threading.Event | None = None) -> None:
        self.event = event if event is not None else threading.Event()
        self._solver: cp_model.CpSolver | None = None
        self._lock = threading.Lock()
        self._abortable = False
        self._previous: Any = None
        self._installed = False
        self._worker = _Worker.take()

    def __enter__(self) -> Stopper:
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._on_sigint)
                self._installed = True
            except (ValueError, OSError):  # an embedding that owns signals
                self._installed = False
        return self

    def __exit__(self, *exc: object) -> None:
        self._worker.give_back()
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        interrupt.note()
        self.request()
        if self._abortable:
            raise KeyboardInterrupt

    def request(self) -> None:
        """Stop: the running solve ends with its best solution, no further one starts."""
        self.event.set()
        with self._lock:
            if self._solver is not None:
                self._solver.stop_search()

    @property
    def stopped(self) -> bool:
        return self.event.is_set()

    @contextmanager
    def abortable(self) -> Iterator[None]:
        """Work that Ctrl-C may cut short (raising KeyboardInterrupt): nothing of it is
        kept. A stop already requested cuts it before it starts."""
        if self.stopped:
            raise KeyboardInterrupt
        self._abortable = True
        try:
            yield
        finally:
            self._abortable = False

    def run(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None = None,
        give_up: Callable[[], bool] | None = None,
    ) -> Any:
        """solver.solve(model), stoppable; None (no solve) when a stop was requested.
        `give_up()`, asked as often as the stop event, ends the solve early too."""
        if self.stopped:
            return None
        with self._lock:
            self._solver = solver
        job = self._worker.submit(lambda: solver.solve(model, callback))
        try:
            while not job.done.wait(POLL):  # signal handlers run here, in the main thread
                if self.event.is_set() or (give_up is not None and give_up()):
                    solver.stop_search()
        except BaseException:
            solver.stop_search()  # a KeyboardInterrupt we do not own: end the solve too
            job.done.wait()
            raise
        finally:
            with self._lock:
                self._solver = None
        if job.error is not None:
            raise job.error
        return job.result


class _Job:
    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # re-raised in the caller's thread
            self.error = exc
        finally:
            self.done.set()


class _Worker:
    """The helper thread the solves of one `Stopper` run in. Starting a thread costs
    about 0.3 ms, a fifth of a small plan's solving: a stopper takes an idle worker,
    and gives it back when done (the thread stays, a daemon)."""

    _idle: ClassVar[list[_Worker]] = []
    _idle_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    @classmethod
    def take(cls) -> _Worker:
        with cls._idle_lock:
            return cls._idle.pop() if cls._idle else cls()

    def give_back(self) -> None:
        with self._idle_lock:
            self._idle.append(self)

    def submit(self, fn: Callable[[], Any]) -> _Job:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="cp-sat", daemon=True)
            self._thread.start()
        job = _Job(fn)
        self._jobs.put(job)
        return job

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            job.run()


def parameters(
    solver: cp_model.CpSolver,
    seed: int,
    seconds: float,
    workers: int,
    large: bool = False,
    lns: bool = False,
) -> None:
    """The planner's CP-SAT parameters: deterministic for a seed (one worker, or an
    interleaved portfolio), reservoirs kept whole, Ctrl-C left to `Stopper`; with `lns`,
    the portfolio runs CP-SAT's neighbourhood searches only (they improve a roadmap, and
    prove nothing)."""
    params = solver.parameters
    params.random_seed = seed
    params.max_time_in_seconds = max(0.05, seconds)
    params.num_workers = workers
    params.interleave_search = workers > 1  # deterministic: same seed, same roadmap
    # Small batches: with many workers on few cores, the default batches wait for their
    # slowest task (measured: 1,000 steps proven optimal in 2.3 s instead of 13.5 s).
    params.interleave_batch_size = 4
    params.expand_reservoir_constraints = False
    params.symmetry_level = 1
    params.catch_sigint_signal = False
    if workers == 1 and not large:
        # Small models: presolve costs more than it saves (the default scenario plans in
        # 17 ms instead of 63 ms over its five stages).
        params.cp_model_presolve = False
    if lns:
        params.use_lns_only = True
    if large:
        # Probing the balance curves' reservoirs takes seconds of wall time at 3,000+
        # steps for almost no deterministic work, and finds little (measured).
        params.cp_model_probing_level = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one solve found."""

    status: str  # "optimal", "feasible", "infeasible" or "unknown"
    value: int | None  # the objective's value in the solution found
    bound: int | None  # the best bound CP-SAT proved (None when it proved none)
    starts: dict[str, int] | None
    full: list[int] | None  # every variable's value: a complete hint for the next solve
    seconds: float
    #: The solve was ended because it found no better roadmap for `patience` seconds.
    stalled: bool = False

    @property
    def found(self) -> bool:
        return self.starts is not None


class Search:
    """Solves of one model (an `Encoder`), stoppable by `stopper`."""

    def __init__(self, enc: Encoder, stopper: Stopper, seed: int) -> None:
        self.enc = enc
        self.stopper = stopper
        self.seed = seed
        self.proto = enc.model.proto
        self.index = {s: var.index for s, var in enc.start.items()}
        self._domains: dict[str, list[int]] = {}

    def solve(
        self,
        expr: Any,
        seconds: float,
        workers: int,
        hint: Mapping[str, int] | None = None,
        full: list[int] | None = None,
        free: Collection[str] | None = None,
        work: float | None = None,
        large: bool = False,
        patience: float | None = None,
        lns: bool = False,
    ) -> Outcome:
        """Minimize `expr` (None: any solution) for at most `seconds` (and `work`
        deterministic units). `full` hints every variable, `hint` the starts; with `free`,
        every other start is fixed at its value in `hint`. With `patience`, the solve ends
        once it has found no better roadmap for that many seconds (`Outcome.stalled`);
        `lns`: CP-SAT's neighbourhood searches only (`parameters`)."""
        model, proto = self.enc.model, self.proto
        t0 = time.monotonic()
        if expr is None or isinstance(expr, int):
            model.clear_objective()  # type: ignore[no-untyped-call]
        else:
            model.minimize(expr)
        model.clear_hints()  # type: ignore[no-untyped-call]
        if full is not None:
            proto.solution_hint.vars.extend(range(len(full)))
            proto.solution_hint.values.extend(full)
        elif hint is not None:
            pairs = [(i, hint[s]) for s, i in self.index.items() if s in hint]
            proto.solution_hint.vars.extend(i for i, _ in pairs)
            proto.solution_hint.values.extend(t for _, t in pairs)
        fixed: list[str] = []
        if free is not None:
            assert hint is not None
            for s, i in self.index.items():
                if s not in free:
                    domain = proto.variables[i].domain
                    self._domains.setdefault(s, list(domain))
                    domain.clear()
                    domain.extend((hint[s], hint[s]))
                    fixed.append(s)
        solver = cp_model.CpSolver()
        parameters(solver, self.seed, seconds, workers, large, lns)
        if work is not None:
            solver.parameters.max_deterministic_time = work
        watch = _Improvements() if patience is not None else None
        give_up = None
        if watch is not None and patience is not None:
            solver.best_bound_callback = watch.on_bound
            give_up = lambda: watch.since() > patience  # noqa: E731
        try:
            status = self.stopper.run(solver, model, watch, give_up)
        finally:
            for s in fixed:
                domain = proto.variables[self.index[s]].domain
                domain.clear()
                domain.extend(self._domains[s])
        took = time.monotonic() - t0
        if status is None:  # stopped before it started: the solver has nothing to say
            return Outcome("unknown", None, None, None, None, took)
        name = _STATUS.get(status, "unknown")
        has_objective = not (expr is None or isinstance(expr, int))
        bound = None
        if has_objective and name != "infeasible":
            raw = solver.best_objective_bound
            if math.isfinite(raw) and abs(raw) < 1e18:  # else: nothing proved
                bound = math.ceil(raw - 1e-6)
        if name not in ("optimal", "feasible"):
            return Outcome(name, None, bound, None, None, took)
        solution = list(solver.response_proto.solution)
        starts = {s: solution[i] for s, i in self.index.items()}
        value = round(solver.objective_value) if has_objective else None
        stalled = give_up is not None and name == "feasible" and give_up()
        return Outcome(name, value, bound, starts, solution, took, stalled)


class _Improvements(cp_model.CpSolverSolutionCallback):
    """When the solve last made progress: found a better roadmap, or proved a better
    bound (a search that proves steadily has not stalled)."""

    def __init__(self) -> None:
        super().__init__()
        #: None until the first roadmap: loading the model and presolve are no stall.
        self.last: float | None = None

    def since(self) -> float:
        """Seconds since the last progress (0 before the first roadmap)."""
        return 0.0 if self.last is None else time.monotonic() - self.last

    def on_solution_callback(self) -> None:
        self.last = time.monotonic()

    def on_bound(self, bound: float) -> None:
        if self.last is not None:
            self.last = time.monotonic()
