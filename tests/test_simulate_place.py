"""A simulated run's placement (`planner.whatif.simulate_run.place`) gives exactly the
starts and drivers of the placement it replaced (tests/simulate_oracle.py, which re-sorted
every seat of a capacity term for each step): on random tiny scenarios of every rule kind
with random run times, and on crowded capacity terms drawn directly (many seats, small
limits, seats pushed far past later steps' planned starts)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.schedule.bounds import horizon
from planner.whatif.simulate_run import Order, compile_order, place
from tests.simulate_oracle import old_place
from tests.test_solver_properties import PER_KIND, PROPERTY, per_kind, scenarios


@per_kind
@PER_KIND
@given(data=st.data())
def test_runs_place_steps_as_the_old_placement_did(kind: str, data: st.DataObject) -> None:
    scenario = data.draw(scenarios(max_steps=5, kind=kind))
    rnd = data.draw(st.randoms(use_true_random=False))
    ids = list(scenario.steps)
    top = horizon(scenario, ids)
    for _ in range(3):
        starts = {s: rnd.randint(0, top) for s in ids if rnd.random() < 0.9}
        order = compile_order(scenario, starts)
        # A run's times: each step's duration and verification drawn anew (0-4).
        dur = [rnd.randint(0, 4) for _ in order.ids]
        offsets = [d + rnd.randint(0, 2) for d in dur]
        assert place(order, offsets, dur) == old_place(order, offsets, dur)


@st.composite
def crowded(draw: st.DrawFn) -> tuple[Order, list[int], list[int]]:
    """Up to 40 steps in placement order sharing 1-3 capacity terms of limit 1-3, some
    waiting for an earlier step: seats pile up, and late seats of early steps overlap
    the planned starts of later ones."""
    n = draw(st.integers(1, 40))
    terms = draw(st.integers(1, 3))
    limits = [draw(st.integers(1, 3)) for _ in range(terms)]
    planned = sorted(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))
    fixed: list[list[tuple[int, int, bool]]] = []
    for i in range(n):
        waits = []
        if i and draw(st.integers(0, 3)) == 0:
            waits.append(
                (draw(st.integers(0, i - 1)), draw(st.integers(0, 2)), draw(st.booleans()))
            )
        fixed.append(waits)
    seats = [sorted(set(draw(st.lists(st.integers(0, terms - 1), max_size=2)))) for _ in range(n)]
    dur = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    offsets = [d + draw(st.integers(0, 3)) for d in dur]
    order = Order(
        [f"s{i}" for i in range(n)], planned, fixed, [[] for _ in range(n)],
        [[] for _ in range(n)], [[] for _ in range(n)], 0, [-1] * n, [], seats, limits,
    )  # fmt: skip
    return order, offsets, dur


@settings(PROPERTY)
@given(case=crowded())
def test_crowded_capacity_terms_place_as_before(case: tuple[Order, list[int], list[int]]) -> None:
    order, offsets, dur = case
    assert place(order, offsets, dur) == old_place(order, offsets, dur)


def test_a_full_seat_pushes_a_step_to_the_end_that_frees_one() -> None:
    # One seat (limit 1). a runs 0-5; b, planned at 2 for 3 weeks, waits for a's end (5),
    # runs 5-8; c, planned at 3 for 1 week, finds a (ends 5) and b (ends 8) overlapping
    # [3, 4): the limit-th largest end is b's 8, so c starts at 8, set by b (index 1).
    order = Order(
        ["a", "b", "c"], [0, 2, 3], [[], [], []], [[], [], []], [[], [], []],
        [[], [], []], 0, [-1, -1, -1], [], [[0], [0], [0]], [1],
    )  # fmt: skip
    assert place(order, [5, 3, 1], [5, 3, 1]) == ([0, 5, 8], [-1, 0, 1])
