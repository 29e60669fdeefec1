"""Times for a written sequence: each step as early as the conditions on it allow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from planner.rules.conditions import conditions
from planner.rules.preconditions import earliest_start
from planner.scenario import Scenario

SEQUENCE_NOTE = (
    "times come from the sequence: each step starts as early as its preconditions (after, "
    "precedence, gate, and a free counter-step for reciprocity, all among the steps listed "
    "before it) allow, and never before the step listed before it"
)


def starts_from_sequence(scenario: Scenario, sequence: Sequence[str]) -> dict[str, int]:
    """Start times for an ordered list of step ids (see `serial_starts`, with each step
    no earlier than the one listed before it)."""
    return serial_starts(scenario, sequence)


def serial_starts(
    scenario: Scenario,
    sequence: Sequence[str],
    release: Mapping[str, int] | None = None,
    monotone: bool = True,
) -> dict[str, int]:
    """Start times for an ordered list of step ids.

    Each step starts at the earliest time that (a) is no earlier than the previous step's
    start, (b) meets its `after` items whose steps are already placed (for `{any: [...]}`,
    the earliest placed alternative), (c) meets the hard `wait` terms (precedence, gate)
    whose earlier steps are already placed, and (d) for hard `answer` terms
    (reciprocity), follows the earliest-done counter-step placed before it and not yet used
    (unless shared). Conditions on steps placed later or left out are not waited for:
    `check` reports them.
    """
    cond = conditions(scenario)
    done_by_wait: dict[int, int] = {}
    pools: dict[str, list[int]] = {}  # answer term -> done times of free counter-steps
    starts: dict[str, int] = {}
    done: dict[str, int] = {}
    previous = 0
    for sid in sequence:
        step = scenario.steps[sid]
        t = max(previous if monotone else 0, earliest_start(step, done))
        if release is not None:
            t = max(t, release.get(sid, 0))
        if step.fixed is not None:
            t = max(t, step.fixed)
        for i, lag in cond.waits.get(sid, ()):
            if i in done_by_wait:
                t = max(t, done_by_wait[i] + lag)
        for term, grace, shared in cond.gives.get(sid, ()):
            pool = pools.get(term)
            if pool:
                t = max(t, pool[0] - grace)
                if not shared:
                    pool.pop(0)
        starts[sid] = t
        done[sid] = t + step.done_offset
        previous = t
        for i in cond.firsts.get(sid, ()):
            done_by_wait[i] = max(done_by_wait.get(i, 0), done[sid])
        for term in cond.answers.get(sid, ()):
            pool = pools.setdefault(term, [])
            pool.append(done[sid])
            pool.sort()
    return starts
