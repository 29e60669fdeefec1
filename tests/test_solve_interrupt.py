"""Ctrl-C during `plan` answers: the best roadmap so far (or the greedy one when it keeps
every rule), its bounds, and `interrupted`; nothing at all gives status "interrupted".

No real signal is sent: each test calls the SIGINT handler `plan` installs (as the
interpreter would on Ctrl-C) or sets the `stop` event, at a chosen moment.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest
from ortools.sat.python import cp_model

from planner.api import load_scenario
from planner.check import check
from planner.scenario import Scenario
from planner.solver import search as search_module
from planner.solver import solve as solve_module
from planner.solver.search import Stopper, parameters
from planner.solver.solve import plan


@pytest.fixture(scope="module")
def default() -> Scenario:
    return load_scenario()


def ctrl_c() -> None:
    """What the interpreter does on Ctrl-C: call the SIGINT handler installed now."""
    handler = signal.getsignal(signal.SIGINT)
    assert callable(handler), "plan() installs its own SIGINT handler"
    handler(signal.SIGINT, None)


def test_a_stop_before_the_search_still_gets_the_greedy_roadmap(default: Scenario) -> None:
    """The greedy schedule is made whatever happens (a second at most, at 10,000 steps):
    it keeps every rule of the default, so it is the answer."""
    stop = threading.Event()
    stop.set()
    result = plan(default, stop=stop)
    assert result.status == "found"
    assert result.interrupted
    assert result.candidates[0].origin == "greedy"
    assert check(default, result.candidates[0].starts).is_clean


def test_nothing_to_return_says_interrupted(
    default: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A greedy schedule that breaks a rule is no answer: status "interrupted"."""
    from planner.schedule.greedy import Schedule

    at_once = dict.fromkeys(default.steps, 0)
    everything_at_once = Schedule(at_once, check(default, at_once))
    monkeypatch.setattr(solve_module, "greedy_schedule", lambda *a, **k: everything_at_once)
    stop = threading.Event()
    stop.set()
    result = plan(default, stop=stop)
    assert result.status == "interrupted"
    assert result.interrupted
    assert result.candidates == ()
    assert result.notes


def test_ctrl_c_while_the_model_is_built_gives_the_greedy_roadmap(
    default: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The greedy schedule of the default keeps every rule, so it is the answer, with the
    critical-path bound (week 55) as its makespan bound, never 0."""
    original = solve_module.Encoder.build

    def build(self: Any) -> Any:
        ctrl_c()  # raises KeyboardInterrupt: building the model is abortable
        return original(self)

    monkeypatch.setattr(solve_module.Encoder, "build", build)
    result = plan(default)
    assert result.status == "found"
    assert result.interrupted
    best = result.candidates[0]
    assert best.origin == "greedy"
    assert best.report is not None and best.report.is_clean
    assert best.bounds["makespan"] == 55
    assert best.values["makespan"] >= 55
    assert any("interrupted" in note for note in result.notes)


def _interrupt_at_solve(
    monkeypatch: pytest.MonkeyPatch, number: int, how: Callable[[], None]
) -> list[int]:
    """Make the `number`-th CP-SAT solve (from 1) see Ctrl-C as it starts."""
    calls = [0]
    original = cp_model.CpSolver.solve

    def solve(self: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == number:
            how()
        return original(self, model, *args, **kwargs)

    monkeypatch.setattr(cp_model.CpSolver, "solve", solve)
    return calls


def test_ctrl_c_during_a_later_stage_keeps_what_the_earlier_ones_proved(
    default: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the second stage (exposure): the makespan stage proved week 55; the
    roadmap returned keeps every rule, and no later stage runs."""
    calls = _interrupt_at_solve(monkeypatch, 2, ctrl_c)
    result = plan(default, ("makespan", "exposure", "goodwill"))
    assert result.status == "found"
    assert result.interrupted
    best = result.candidates[0]
    assert best.values["makespan"] == best.bounds["makespan"] == 55
    assert check(default, best.starts).is_clean
    assert set(best.values) == {"makespan", "exposure", "goodwill"}
    assert calls[0] == 2  # nothing after the interrupted solve
    assert any("interrupted" in note for note in result.notes)


def test_a_stop_event_set_from_another_thread_stops_the_search(
    default: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller's event, set from a timer thread while the first solve runs."""
    stop = threading.Event()

    def set_later() -> None:
        timer = threading.Timer(0.0, stop.set)
        timer.start()
        timer.join()

    _interrupt_at_solve(monkeypatch, 1, set_later)
    result = plan(default, stop=stop)
    assert result.interrupted
    assert result.status == "found"  # the greedy schedule at least
    assert check(default, result.candidates[0].starts).is_clean


def test_the_previous_sigint_handler_is_restored(default: Scenario) -> None:
    before = signal.getsignal(signal.SIGINT)
    plan(default, ("makespan",))
    assert signal.getsignal(signal.SIGINT) is before


def test_cp_sat_leaves_sigint_to_the_planner() -> None:
    solver = cp_model.CpSolver()
    parameters(solver, seed=0, seconds=1.0, workers=8)
    assert solver.parameters.catch_sigint_signal is False


def test_a_stopped_stopper_starts_no_solve_and_aborts_abortable_work() -> None:
    stopper = Stopper()
    stopper.request()
    model = cp_model.CpModel()
    model.new_int_var(0, 1, "x")
    assert stopper.run(cp_model.CpSolver(), model) is None
    with pytest.raises(KeyboardInterrupt), stopper.abortable():
        pass


def test_a_solve_asked_after_the_stop_finds_nothing_and_raises_nothing(
    default: Scenario,
) -> None:
    """Regression: Ctrl-C during the repair, then a stage's solve: the solver that never
    ran is not asked for its bound."""
    from planner.solver.encoder import Encoder
    from planner.solver.search import Search

    enc = Encoder(default).build()
    stopper = Stopper()
    stopper.request()
    outcome = Search(enc, stopper, 0).solve(enc.makespan, 1.0, 1)
    assert outcome.status == "unknown"
    assert not outcome.found and outcome.bound is None


def test_ctrl_c_outside_abortable_work_only_requests_the_stop() -> None:
    with Stopper() as stopper:
        ctrl_c()  # no KeyboardInterrupt: nothing abortable is running
        assert stopper.stopped


def test_the_solve_runs_in_a_helper_thread_so_the_handler_can_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The main thread waits where Python runs signal handlers, not inside CP-SAT."""
    threads: list[str] = []
    original = cp_model.CpSolver.solve

    def solve(self: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(self, model, *args, **kwargs)

    monkeypatch.setattr(cp_model.CpSolver, "solve", solve)
    model = cp_model.CpModel()
    model.new_int_var(0, 1, "x")
    with search_module.Stopper() as stopper:
        assert stopper.run(cp_model.CpSolver(), model) == cp_model.OPTIMAL
    assert threads == ["cp-sat"]


class _Left(Exception):
    """What the command line's `interrupted()` would have ended the process with."""


def test_the_command_line_says_interrupted_when_nothing_was_found(
    default: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plan` with nothing to show after Ctrl-C (status "interrupted", or "unknown" once
    Ctrl-C was pressed) ends as every interrupted command does: 'interrupted', exit 130."""
    from planner import interrupt
    from planner.cli import plan as cli_plan
    from planner.cli.options import PlanFormat
    from planner.output import Outputs
    from planner.solver.results import PlanResult

    def leave() -> None:
        raise _Left

    monkeypatch.setattr(cli_plan, "interrupted", leave)
    nothing = PlanResult("interrupted", ("makespan",), interrupted=True)
    with pytest.raises(_Left):
        cli_plan.show_plan(default, nothing, PlanFormat.table, Outputs([]), None)
    monkeypatch.setattr(interrupt, "_pressed", True)
    unknown = PlanResult("unknown", ("makespan",), notes=("no roadmap found",))
    with pytest.raises(_Left):
        cli_plan.show_plan(default, unknown, PlanFormat.table, Outputs([]), None)


def test_ctrl_c_in_a_solve_is_remembered_for_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The solver's SIGINT handler stops the search instead of raising; it also notes the
    press, so a command with nothing to show says 'interrupted' rather than 'too slow'."""
    from planner import interrupt

    monkeypatch.setattr(interrupt, "_pressed", False)
    with Stopper() as stopper:
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        handler(signal.SIGINT, None)
        assert stopper.stopped
    assert interrupt.pressed()
