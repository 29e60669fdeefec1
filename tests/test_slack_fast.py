"""Slack with direct bounds (capacity and balance rules read as a whole, not pairwise)
equals slack as it was computed before (tests/slack_oracle.py): the same rooms, names,
messages and steps on random tiny scenarios of every rule kind and on
crowded capacity and balance scenarios; and the direct bounds on cases worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.schedule.bounds import horizon
from planner.whatif import slack as fast
from tests import slack_oracle as old
from tests.helpers import Maker, rule, step
from tests.test_solver_properties import PER_KIND, PROPERTY, per_kind, scenarios


@per_kind
@PER_KIND
@given(data=st.data())
def test_slack_equals_the_old_computation(kind: str, data: st.DataObject) -> None:
    scenario = data.draw(scenarios(max_steps=5, kind=kind))
    rnd = data.draw(st.randoms(use_true_random=False))
    partial = data.draw(st.booleans())
    ids = list(scenario.steps)
    top = horizon(scenario, ids)
    for _ in range(3):
        starts = {s: rnd.randint(0, top) for s in ids if not partial or rnd.random() < 0.7}
        new, was = fast.slack(scenario, starts, partial), old.slack(scenario, starts, partial)
        assert new.rooms == tuple(old_room_as_new(r) for r in was.rooms)
        # (the chain is planner.whatif.chain's now, tested in tests/test_chain.py)
        assert (new.last_done, new.broken) == (was.last_done, was.broken)


def old_room_as_new(room: old.Room) -> fast.Room:
    return fast.Room(*(getattr(room, f) for f in fast.Room.__slots__))


@settings(PROPERTY, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_crowded_capacity_and_balance_rules_give_the_old_slack(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    make = Maker(tmp_path_factory.mktemp("crowded"))
    # Up to 9 steps of two actors, one seat rule (limit 1-3) over most of them and a
    # balance rule (US relief ahead, BY commitments behind), values -1..3: many rooms are
    # set by the seats or the curve, which the direct bounds read.
    n = data.draw(st.integers(2, 9))
    steps = []
    for i in range(n):
        steps.append(
            step(
                f"s{i}",
                data.draw(st.integers(0, 3)),
                actor=["US", "BY"][i] if i < 2 else data.draw(st.sampled_from(["US", "BY"])),
                value=data.draw(st.integers(-1, 3)),
                verify=data.draw(st.sampled_from([None, 1])),
            )
        )
    ids = [s["id"] for s in steps]
    seats = sorted(set(data.draw(st.lists(st.sampled_from(ids), min_size=1))))
    scenario = make(
        steps,
        [
            rule("capacity", "seats", steps=seats, max=data.draw(st.integers(1, 3))),
            rule("balance", "lev", ahead={"actor": "US"}, behind={"actor": "BY"},
                 margin=data.draw(st.integers(0, 4))),
        ],
    )  # fmt: skip
    starts = {s: data.draw(st.integers(0, 12)) for s in ids}
    new, was = fast.slack(scenario, starts), old.slack(scenario, starts)
    assert new.rooms == tuple(old_room_as_new(r) for r in was.rooms)


def test_a_seat_rule_bounds_a_step_by_the_times_its_seats_are_full(make: Maker) -> None:
    # One seat (max 1). a runs 0-2, b 4-6, c 9-11. b (2 weeks) can move earlier until it
    # overlaps a: start 2 is fine (a ends at 2), start 1 overlaps -> 2 weeks earlier. Later
    # until it overlaps c: start 7 ends at 9, start 8 overlaps -> 3 weeks later. The
    # direct bound says where it first breaks: start 8 later, start 1 earlier.
    scenario = make(
        [step("a", 2), step("b", 2), step("c", 2)],
        [rule("capacity", "one", steps=["a", "b", "c"], max=1)],
    )
    starts = {"a": 0, "b": 4, "c": 9}
    judge = fast._Judge(scenario, starts, False)
    relation = next(r for r in judge.relations["b"] if r.name == "one")
    assert judge.direct_break(relation, "b", 4) == (8, 1)
    b = fast.slack(scenario, starts).room("b")
    assert (b.earlier, b.later, b.earlier_by, b.later_by) == (2, 3, ("one",), ("one",))


def test_a_balance_rule_bounds_a_concession_by_the_curve(make: Maker) -> None:
    # Margin 1. BY's commitment k (value 2) is done in week 3; US relief r (value 2) starts
    # in week 5: the curve is -2 from 3, 0 from 5. Moved earlier, r counts from its new
    # start: at 3 or 4 the level is -2 + 2 = 0 (fine), at 2 it is 2 > 1 -> it first breaks
    # at start 2 (2 weeks earlier is the room). Later it only lowers the curve: no bound.
    scenario = make(
        [step("k", 3, actor="BY", value=2), step("r", 1, actor="US", value=2)],
        [rule("balance", "lev", ahead={"actor": "US"}, behind={"actor": "BY"}, margin=1)],
    )
    starts = {"k": 0, "r": 5}
    judge = fast._Judge(scenario, starts, False)
    relation = next(x for x in judge.relations["r"] if x.name == "lev")
    assert judge.direct_break(relation, "r", 5) == (None, 2)
    r = fast.slack(scenario, starts).room("r")
    assert (r.earlier, r.later, r.earlier_by) == (2, None, ("lev",))
