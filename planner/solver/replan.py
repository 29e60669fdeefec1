"""Re-planning mid-deal: what already happened stays where it happened; the rest is planned.

`planner plan --keep ROADMAP --as-of T`:

- every step ROADMAP starts before T is **held** at its time there (it happened);
- every other step, the ones ROADMAP starts later or leaves out, starts at T or later (it
  has not happened yet): an `as-of` window over those steps, opening at T;
- the scenario's objectives then choose the rest, as `plan` does.

When what already happened makes the rules impossible (a held relief step whose
counter-step now takes longer to verify, a deadline that passed), the why-not is the
minimal conflict `plan` prints, with the held steps (`[held] keep:<step>`) and the as-of
window among its members, and the arithmetic.

Built like `planner.solver.repair`: an `Encoder`, the held steps stated on its model, and
`planner.solver.stages.solve_lexicographic`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence

from planner.check import check
from planner.errors import Mark
from planner.model import Selector
from planner.objectives import DEFAULT_OBJECTIVES, measure
from planner.roadmap.sequence import serial_starts
from planner.rules.window import Window
from planner.scenario import Scenario
from planner.solver.encoder import Encoder
from planner.solver.results import Candidate, Conflict, Culprit, PlanResult


def replan(
    scenario: Scenario,
    roadmap: Mapping[str, int],
    as_of: int,
    objectives: Sequence[str] = DEFAULT_OBJECTIVES,
    time_limit: float = 10.0,
    seed: int = 0,
    name: str = "the roadmap",
) -> PlanResult:
    """The best roadmap that keeps every step `roadmap` starts before `as_of` where it is
    and starts every other step at `as_of` or later.

    Returns
    -------
    PlanResult
        "found" with one candidate (and a note saying what was held); "infeasible" with
        the minimal conflict; "unknown" when the time ran out first.
    """
    from planner.solver.explain import explain
    from planner.solver.stages import solve_lexicographic

    t0 = time.monotonic()
    unit = scenario.unit
    held = {s: t for s, t in roadmap.items() if t < as_of}
    forbidden = scenario.forbidden()
    crossed = [s for s in held if s in forbidden]
    if crossed:
        return PlanResult(
            "infeasible", tuple(objectives), conflict=_red_lines(scenario, held, crossed)
        )
    rest = [s for s in scenario.steps if s not in held and s not in forbidden]
    window = as_of_window(scenario, rest, as_of)
    widened = dataclasses.replace(scenario, rules=(*scenario.rules, window)) if window else scenario
    enc = Encoder(widened, after=as_of).build()
    for s, t in held.items():
        enc.model.add(enc.start[s] == t)
    enc.held = dict(held)

    def impossible() -> PlanResult:
        remaining = max(1.0, t0 + time_limit - time.monotonic())
        conflict = explain(widened, remaining, seed, held=held, after=as_of)
        return PlanResult(
            "infeasible", tuple(objectives), conflict=readable(conflict, window, len(rest), unit)
        )

    if enc.impossible:
        return impossible()
    position = {s: i for i, s in enumerate(scenario.steps)}
    release = {s: max(roadmap.get(s, as_of), as_of) for s in rest} | held
    order = sorted(enc.scheduled, key=lambda s: (release[s], position[s]))
    hint = serial_starts(widened, order, release=release, monotone=False)
    status, best, _ = solve_lexicographic(enc, objectives, t0 + time_limit, seed, hint, None)
    if status == "infeasible":
        return impossible()
    if best is None:
        return PlanResult(
            "unknown",
            tuple(objectives),
            notes=(
                f"no roadmap found within {time_limit:g} s, and none proven impossible: raise --time-limit",
            ),
        )
    report = check(scenario, best.starts)
    values = dict(best.values)
    if any(v < 0 for v in values.values()):
        measured = measure(scenario, best.starts, report, objectives)
        values = {n: (v if v >= 0 else measured[n]) for n, v in values.items()}
    cand = Candidate(best.starts, values, dict(best.bounds), best.origin, report)
    note = (
        f"re-planned as of {unit} {as_of}: {len(held)} step{'s' * (len(held) != 1)} held where "
        f"{name} has {'them' if len(held) != 1 else 'it'} (started before {unit} {as_of}), "
        f"{len(rest)} planned from {unit} {as_of} on"
    )
    return PlanResult("found", tuple(objectives), (cand,), notes=(note,))


def as_of_window(
    scenario: Scenario, rest: Sequence[str], as_of: int, option: str = "--as-of"
) -> Window | None:
    """The steps that had not started by `as_of` start then or later (shared with
    `repair --keep-before`: `option` names the option that asked for it)."""
    if not rest or as_of <= 0:
        return None
    taken = {r.id for r in scenario.rules}
    rule_id = next(
        name for name in (f"as-of-{as_of}", *(f"as-of-{as_of}-{i}" for i in range(2, 10**6)))
        if name not in taken
    )  # fmt: skip
    return Window(
        id=rule_id,
        source=(
            f"{option} {as_of}: what had not started by {scenario.unit} {as_of} starts then or later"
        ),
        steps=Selector.of(list(rest)),
        earliest=as_of,
        mark=Mark(option),
    )


def readable(
    conflict: Conflict | None, window: Window | None, num_rest: int, unit: str
) -> Conflict | None:
    """The conflict with the as-of window described in a sentence, not by its step ids
    (shared with `repair --keep-before`)."""
    if conflict is None or window is None:
        return conflict
    which = "step" if num_rest == 1 else "steps"
    verb = "starts" if num_rest == 1 else "start"
    detail = (
        f"the {num_rest} {which} the roadmap had not started by {unit} {window.earliest} "
        f"{verb} in {unit} {window.earliest} or later"
    )
    culprits = tuple(
        dataclasses.replace(c, detail=detail) if c.name == window.id else c
        for c in conflict.culprits
    )
    return dataclasses.replace(conflict, culprits=culprits)


def _red_lines(scenario: Scenario, held: Mapping[str, int], crossed: Sequence[str]) -> Conflict:
    """What already happened crossed a red line: no roadmap can undo it."""
    culprits = tuple(
        Culprit(
            f"keep:{s}",
            "held",
            scenario.steps[s].source,
            "--keep",
            f"{s} is a red line, and it already happened ({scenario.unit} {held[s]})",
        )
        for s in crossed
    )
    return Conflict(culprits, (), True, 0.0, structural=True)
