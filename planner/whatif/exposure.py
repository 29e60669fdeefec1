"""Irreversible exposure: what a party has given that it cannot take back, beyond what the
other side has verified — the exposure that matters when a deal collapses.

A step marked `reversible: false` gives something that cannot be taken back (a delisting,
an investment made); a step marked `reversible: true`, or not marked, can be (a licence
lapses, sanctions snap back), so it never counts here. For a party A at time t:

    given(A, t)    = sum of value(s) over A's irreversible steps s with start(s) <= t
    verified(A, t) = sum of value(c) over the other parties' steps c that carry a
                     verification and are done (verified) by t: done(c) <= t
    exposure(A, t) = max(0, given(A, t) - verified(A, t))

As in a `balance` rule, a concession counts from its start and a counter-step once
verified; a concession and a verified counter-step in the same week net out. The other
side is every other actor, or the one a step names with `for:`. With time in force
(`planner.force`), a counter-step counts while it holds: one that lapses or is snapped back
stops counting from that moment. A step with a negative value (pressure added) lowers
what its actor has given. Only scheduled steps count. No ortools here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.force import Force, chains
from planner.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Curve:
    """One party's irreversible exposure over time.

    `points` are (time, level from then on) at every time it changes, from the first
    irreversible step on; `peak` is the highest level, first reached at `peak_at` and held
    until `peak_until` (None: to the end); `steps` are the party's irreversible steps.
    """

    actor: str
    points: tuple[tuple[int, int], ...]
    peak: int
    peak_at: int
    peak_until: int | None
    steps: tuple[str, ...]


def is_marked(scenario: Scenario) -> bool:
    """True when some step of the scenario is marked `reversible: false`."""
    return any(not s.reversible for s in scenario.steps.values())


def curves(
    scenario: Scenario, starts: Mapping[str, int], done: Mapping[str, int] | None = None
) -> tuple[Curve, ...]:
    """The irreversible exposure of every party with an irreversible step scheduled, in
    the order of `actors`. `done` gives done times where they differ from the scenario's
    durations (a simulated run)."""
    steps = scenario.steps
    finished = (
        done if done is not None else {s: t + steps[s].done_offset for s, t in starts.items()}
    )
    force = Force(
        steps,
        starts.get,
        finished.get,
        scenario.fact("chains", lambda s: chains(s.steps)),
    )
    given: dict[str, list[tuple[int, str]]] = {}
    for s, t in starts.items():
        step = steps[s]
        if not step.reversible and step.value:
            given.setdefault(step.actor, []).append((t, s))
    verified = [
        (force.changes(s, steps[s].value, force.held(s)), steps[s].actor, steps[s].beneficiary)
        for s in starts
        if steps[s].verify is not None and steps[s].value
    ]
    out = []
    for actor in [a for a in scenario.actors if a in given] + sorted(
        set(given) - set(scenario.actors)
    ):
        deltas: dict[int, int] = {}
        for _t, s in given[actor]:
            for at, change in force.changes(s, steps[s].value, force.counted(s)):
                deltas[at] = deltas.get(at, 0) + change
        for changes, who, receiver in verified:
            if who != actor and receiver in (None, actor):
                for t, change in changes:
                    deltas[t] = deltas.get(t, 0) - change
        out.append(_curve(actor, deltas, tuple(s for _, s in sorted(given[actor]))))
    return tuple(out)


def _curve(actor: str, deltas: Mapping[int, int], steps: tuple[str, ...]) -> Curve:
    first = min(t for t, d in deltas.items() if d > 0) if any(d > 0 for d in deltas.values()) else 0
    total = 0
    points: list[tuple[int, int]] = []
    for t in sorted(deltas):
        total += deltas[t]
        level = max(0, total)
        if t >= first and (not points or points[-1][1] != level):
            points.append((t, level))
    peak, peak_at, peak_until = 0, first, None
    for i, (t, level) in enumerate(points):
        if level > peak:
            peak, peak_at = level, t
            peak_until = next((u for u, lv in points[i + 1 :] if lv < level), None)
    return Curve(actor, tuple(points), peak, peak_at, peak_until, steps)
