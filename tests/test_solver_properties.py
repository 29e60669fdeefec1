"""The solver and the checker keep each other honest (property tests over tiny scenarios).

- every roadmap `plan` returns passes `check`, and its penalty is the checker's;
- `plan` says infeasible exactly when a brute-force search over every start time agrees;
- every roadmap `check` accepts is feasible for the solver with its starts fixed, and the
  solver's smallest penalty for it equals the checker's (the soft encodings measure what
  the checker measures); and the same at the edges of the room `slack` states, where an
  encoding off by one time unit shows.

Each property runs once per rule kind (`per_kind`): every kind, a new one included, gets
its own scenarios at the default settings, whose first rule is of that kind.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planner.check import check
from planner.errors import Problems
from planner.fields import Attr, Choice, Declared, Nat, Sel, SelPair, StepOrTime, declared
from planner.load.chains import settle
from planner.model import Req, Selector, Step
from planner.rules import KINDS
from planner.scenario import Scenario
from planner.schedule.bounds import horizon
from planner.solver.encoder import Encoder
from planner.solver.solve import plan
from planner.whatif.slack import slack

ACTORS = ("US", "BY")


def sel(ids: list[str]) -> Selector:
    return Selector((("steps", tuple(ids)),), tuple(ids))


def value_of(decl: Declared, ids: list[str]) -> st.SearchStrategy[Any]:
    """Values of a declared rule field, drawn from its marker: any kind, present or
    future, is drawn from its declaration alone."""
    spec = decl.spec
    subset = st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)
    if isinstance(spec, Sel):
        return subset.map(sel)
    if isinstance(spec, SelPair):
        return st.tuples(subset.map(sel), subset.map(sel))
    if isinstance(spec, Nat):
        number = st.integers(spec.minimum, spec.minimum + 3)
        return st.one_of(st.none(), number) if decl.default is None else number
    if isinstance(spec, StepOrTime):
        either = st.one_of(st.sampled_from(ids), st.integers(0, 6))
        return st.one_of(st.none(), either) if decl.default is None else either
    if isinstance(spec, Choice):
        return st.sampled_from(spec.options)
    if isinstance(spec, Attr):
        return st.sampled_from(("risk", "value", "duration"))
    raise AssertionError(f"no strategy for {type(spec).__name__} ({decl.name})")


@st.composite
def scenarios(draw: st.DrawFn, max_steps: int = 3, kind: str | None = None) -> Scenario:
    """Tiny random scenarios: 2 to `max_steps` steps, 1 to 3 rules of any kind (the first
    of kind `kind` when given), each drawn from its declarations."""
    n = draw(st.integers(2, max_steps))
    ids = [f"s{i}" for i in range(n)]
    steps = {}
    for i, sid in enumerate(ids):
        after = []
        for j in range(i):  # only earlier steps: acyclic, as the loader demands
            if draw(st.integers(0, 3)) == 0:
                within = draw(st.one_of(st.none(), st.integers(0, 3)))
                lag = draw(st.integers(0, 1 if within is None else min(1, within)))
                after.append(Req(ids[j], lag, within))
        verify_duration = draw(st.integers(0, 1))
        from planner.model import Verify

        # Time in force: a step may lapse, renew an earlier one that lapses, or take an
        # earlier one back (the loader then adds the links those imply, `settle`).
        lasting = [x for x in ids[:i] if steps[x].lasts is not None and steps[x].renews is None]
        link = draw(st.sampled_from(["", "", "renews", "reimposes"]))
        renews = draw(st.sampled_from(lasting)) if link == "renews" and lasting else None
        reimposes = draw(st.sampled_from(ids[:i])) if link == "reimposes" and i else None
        steps[sid] = Step(
            id=sid,
            actor=draw(st.sampled_from(ACTORS)),
            package="p",
            kind=draw(st.sampled_from(("relief", "commitment"))),
            title=sid,
            duration=draw(st.integers(0, 2)),
            value=draw(st.integers(-1, 3)),
            verify=Verify("x", verify_duration) if verify_duration else None,
            after=tuple(after),
            attrs={"risk": draw(st.integers(0, 2))},
            fixed=draw(st.sampled_from([None, None, None, 0, 2])),
            lasts=draw(st.sampled_from([None, None, 1, 3])) if renews is None else None,
            renews=renews,
            reimposes=reimposes,
        )
    problems = Problems()
    steps, _ = settle(problems, steps, [])
    assume(not problems.items)
    rules = []
    for k in range(draw(st.integers(1, 3))):
        this = kind if k == 0 and kind is not None else draw(st.sampled_from(sorted(KINDS)))
        cls = KINDS[this]
        # Structural kinds (fixed by the scenario, not the times) stay hard.
        soft = draw(st.booleans()) and this not in ("delink", "forbid")
        common = {"id": f"r{k}", "source": "test", "soft": soft, "weight": draw(st.integers(1, 3))}
        own = [d for d in declared(cls) if d.name not in common and d.name != "note"]
        fields = {d.name: draw(value_of(d, ids)) for d in own}
        rule = cls(**common, **fields)
        assume(not rule.validate(steps))  # numbers the loader would refuse
        rules.append(rule)
    return Scenario(
        name="random", actors=dict.fromkeys(ACTORS, "x"), steps=steps, rules=tuple(rules)
    )


def brute_force(scenario: Scenario) -> tuple[dict[str, int] | None, int]:
    """The clean roadmap with the smallest penalty over every start in [0, horizon]."""
    forbidden = scenario.forbidden()
    ids = [s for s in scenario.steps if s not in forbidden]
    top = horizon(scenario, ids)
    best: tuple[dict[str, int] | None, int] = (None, 0)
    for times in itertools.product(range(top + 1), repeat=len(ids)):
        starts = dict(zip(ids, times, strict=True))
        report = check(scenario, starts)
        if report.is_clean and (best[0] is None or report.total_penalty < best[1]):
            best = (starts, report.total_penalty)
            if best[1] == 0:
                break
    return best


def solver_penalty_for(scenario: Scenario, starts: dict[str, int]) -> int | None:
    """The solver's smallest penalty with every start fixed (None: infeasible for it)."""
    from ortools.sat.python import cp_model

    enc = Encoder(scenario).build()
    if enc.impossible:
        return None
    for s, t in starts.items():
        enc.model.add(enc.start[s] == t)
    penalty = enc.objective_expr("penalty")
    if not isinstance(penalty, int):
        enc.model.minimize(penalty)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    status = solver.solve(enc.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    assert status == cp_model.OPTIMAL
    return penalty if isinstance(penalty, int) else round(solver.objective_value)


#: Examples per property: 60 in the suite; PROPERTY_EXAMPLES=500 for a longer search.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
#: A property run once per rule kind (`per_kind`) draws this many scenarios for each
#: kind (12 in the suite, a fifth of PROPERTY_EXAMPLES).
PER_KIND = settings(PROPERTY, max_examples=max(1, EXAMPLES // 5))
#: Run a test once per rule kind: `kind` is its parameter (use with `PER_KIND`).
per_kind = pytest.mark.parametrize("kind", sorted(KINDS))


@per_kind
@PER_KIND
@given(data=st.data())
def test_plan_agrees_with_check_and_brute_force(kind: str, data: st.DataObject) -> None:
    scenario = data.draw(scenarios(kind=kind))
    result = plan(scenario, ("penalty", "makespan"), time_limit=10)
    found, best_penalty = brute_force(scenario)
    if result.status == "found":
        best = result.candidates[0]
        report = check(scenario, best.starts)
        assert report.is_clean, [v.message for v in report.violations]
        assert report.total_penalty == best.values["penalty"]
        assert found is not None, "plan found a roadmap that brute force missed"
        assert best.values["penalty"] == best_penalty
    else:
        assert result.status == "infeasible"
        assert found is None, f"brute force found {found}"
        assert result.conflict is not None and result.conflict.culprits


def assert_solver_agrees(scenario: Scenario, starts: dict[str, int]) -> None:
    """The solver, with these starts fixed, finds them feasible exactly when `check` finds
    them clean, with the checker's penalty."""
    report = check(scenario, starts)
    penalty = solver_penalty_for(scenario, starts)
    if report.is_clean:
        assert penalty == report.total_penalty, starts
    else:
        assert penalty is None, (starts, [v.message for v in report.violations])


@per_kind
@PER_KIND
@given(data=st.data())
def test_checker_accepted_roadmaps_are_feasible_for_the_solver(
    kind: str, data: st.DataObject
) -> None:
    scenario = data.draw(scenarios(kind=kind))
    rnd = data.draw(st.randoms(use_true_random=False))
    forbidden = scenario.forbidden()
    ids = [s for s in scenario.steps if s not in forbidden]
    top = horizon(scenario, ids)
    for _ in range(20):
        assert_solver_agrees(scenario, {s: rnd.randint(0, top) for s in ids})


@per_kind
@PER_KIND
@given(data=st.data())
def test_solver_and_checker_agree_at_the_edges_of_slack(kind: str, data: st.DataObject) -> None:
    """A step moved to the edge of the room `slack` states, and one unit past it: the
    roadmaps where a rule's verdict flips, so where an encoding off by one shows."""
    scenario = data.draw(scenarios(kind=kind))
    forbidden = scenario.forbidden()
    ids = [s for s in scenario.steps if s not in forbidden]
    assume(ids)
    top = horizon(scenario, ids)
    starts = {s: data.draw(st.integers(0, top), label=s) for s in ids}
    room = slack(scenario, starts).room(data.draw(st.sampled_from(ids), label="moved"))
    edges = [room.start - room.earlier, room.start - room.earlier - 1]
    if room.later is not None:
        edges += [room.start + room.later, room.start + room.later + 1]
    for t in edges:
        if 0 <= t <= top:  # CP-SAT's domains end at the horizon
            assert_solver_agrees(scenario, {**starts, room.step: t})
