"""What the memo outputs (timeline tables, the Gantt chart, the report) show, worked out
once from a roadmap and its check report: one row per scheduled step, the deal's phases,
the gates, who answers whom, and the leverage each actor has given and received.

Pure and rule-kind free: what only a rule knows (which counter-step answers which give
step, a balance rule's curve) comes from the check report (`Report.records`); what the
rules mean for scheduling (gates, the two sides of a bargain, red lines) from their
scheduling terms (`Rule.terms`). Nothing here checks or solves.

Definitions (the README's "Phases" and "Leverage" say the same):

- A phase is [start, end): a step is *in* the phase in which it starts. Declared phases
  (`scenario.phases`) end when their `until` step is done, or at their `until` time; each
  starts where the one before ended. Without declared phases they are derived from the
  gates: before the first gate opens, between gates, then until the last `relief` step
  is done, then after it. `phase_length` gives fixed periods instead.
- given(A, t): the value of A's steps started by t that benefit another actor (a step
  counts from its start, as a concession does in `balance`), while in force
  (`planner.force`: relief that lapses or is snapped back stops counting from then). A
  step that benefits no one (its actor trades with no one and it names no `for:`) exposes
  nothing: an actor that trades with no one has no curve.
- received(A, t): the value of other actors' steps done by t (done: ended and verified)
  that benefit A, while in force. A step that names `for: X` benefits X. A step benefits the actors of the steps it is traded against in the
  roadmap (a counter-step, the actors of the give steps it answers; a give step, the
  actors of its counter-steps); a step traded against none benefits its actor's main
  counterpart: the actor it is traded with most often in the reciprocity and balance
  rules (counted in pairs of steps), if any.
- net exposure(A, t) = given(A, t) − received(A, t): what A has put on the table and
  not yet been paid back for (`exposure` in the data, "net exposure" in what a person
  reads). Not to be confused with the balance rules' **concessions ahead** (`balance`),
  how far one side's concessions run ahead of the other side's verified steps, which the
  `exposure` objective minimizes (`Report.summary.peak_exposure`).

The critical chain is `planner.whatif.chain`'s (the one `check --slack` and `simulate`
name); the finish's P50 and P80 (`finish`) and the branches of the deal (`branches`) are
given by the caller (`planner.api.document`), which runs what they need.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from planner.check import Report
from planner.force import Force, chains
from planner.render.phases import (
    GateOpen,
    Span,
    declared_phases,
    derived_phases,
    fixed_phases,
    gate_openings,
    phase_of,
)
from planner.render.terms import main_counterparts, terms_read
from planner.render.words import names, package_name
from planner.rules.base import ANSWERS, CURVES, Answer, Curve
from planner.scenario import Scenario
from planner.whatif.chain import critical_chain
from planner.whatif.risk import Finish


@dataclass(frozen=True, slots=True)
class Row:
    """One scheduled step, as the outputs show it."""

    step: str
    actor: str
    package: str
    kind: str
    title: str
    value: int
    start: int
    end: int
    done: int
    #: Who verifies the step and when the verification ends (None without one).
    verifier: str
    verified: int | None
    #: The counter-steps that answer it as a give step of reciprocity rules, and the
    #: reciprocity rules under which no counter-step answers it.
    counter: tuple[str, ...]
    unanswered: tuple[str, ...]
    source: str
    phase: str


@dataclass(frozen=True, slots=True)
class Leverage:
    """One actor in one phase: value given and received in it, totals by its end, the
    exposure at its end and its highest point in the phase (and when first reached)."""

    phase: str
    actor: str
    given: int
    received: int
    given_total: int
    received_total: int
    exposure: int
    peak: int
    peak_at: int


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A step not in the roadmap, and why when known."""

    step: str
    title: str
    why: str
    rules: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Branch:
    """A branch of the deal in one line (`planner contingency` plans it): `step` turns
    out `outcome` with `probability` (None: not given), known at `known_at`; the steps
    that happen only then (`added`), those of the roadmap it leaves out (`left_out`), and
    the steps whose relief its added steps take back (`reimposes`)."""

    step: str
    outcome: str
    probability: float | None
    known_at: int
    added: tuple[str, ...]
    left_out: tuple[str, ...]
    reimposes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outline:
    """Everything the memo outputs show about one roadmap."""

    scenario: Scenario
    report: Report | None
    rows: tuple[Row, ...]
    phases: tuple[Span, ...]
    gates: tuple[GateOpen, ...]
    #: Matched reciprocity pairs (a counter-step answering a give step), in rule order.
    links: tuple[Answer, ...]
    leverage: tuple[Leverage, ...]
    #: Per actor: (time, given, received) at every time either changes, from time 0.
    curves: Mapping[str, tuple[tuple[int, int, int], ...]]
    #: The balance rules' own curves, as the checker measured them.
    balance: tuple[Curve, ...]
    left_out: tuple[LeftOut, ...]
    notes: tuple[str, ...] = field(default=())
    #: The critical chain (`planner.whatif.chain`): (step, what ties it to the one before)
    #: from first to last, and what holds its first step.
    chain: tuple[tuple[str, str], ...] = ()
    chain_held: str = ""
    #: Every step's and package's short name (`planner.render.words`), ids for keys.
    names: Mapping[str, str] = field(default_factory=dict)
    package_names: Mapping[str, str] = field(default_factory=dict)
    #: The finish with its P50 and P80 (None: nothing is uncertain, or not simulated),
    #: and whether some time of the roadmap is uncertain (`planner.whatif.risk`).
    finish: Finish | None = None
    uncertain: bool = False
    #: The branches of the deal (contingencies), one line each.
    branches: tuple[Branch, ...] = ()

    @property
    def last(self) -> int:
        """The time the last step is done (0 for an empty roadmap)."""
        return max((r.done for r in self.rows), default=0)


# ---- leverage --------------------------------------------------------------------------


def _beneficiaries(
    scenario: Scenario, starts: Mapping[str, int], links: Sequence[Answer]
) -> dict[str, set[str]]:
    """Who each scheduled step benefits: the actors of the steps it is traded against in
    the roadmap, else its actor's main counterpart (if any)."""
    steps = scenario.steps
    out: dict[str, set[str]] = {}
    for a in links:
        out.setdefault(a.counter, set()).add(steps[a.give].actor)
        out.setdefault(a.give, set()).add(steps[a.counter].actor)
    main = main_counterparts(scenario)
    for s in starts:
        receiver = steps[s].beneficiary
        if receiver is not None:  # `for:` names who receives it
            out[s] = {receiver}
            continue
        actor = steps[s].actor
        found = out.get(s, set()) - {actor}
        if not found and actor in main:
            found = {main[actor]}
        out[s] = found
    return out


def _leverage(
    scenario: Scenario,
    starts: Mapping[str, int],
    phases: Sequence[Span],
    links: Sequence[Answer],
) -> tuple[list[Leverage], dict[str, tuple[tuple[int, int, int], ...]]]:
    steps = scenario.steps
    benefits = _beneficiaries(scenario, starts, links)
    force = Force(
        steps,
        starts.get,
        lambda s: starts[s] + steps[s].done_offset if s in starts else None,
        scenario.fact("chains", lambda sc: chains(sc.steps)),
    )
    given: dict[str, dict[int, int]] = {}
    received: dict[str, dict[int, int]] = {}
    for s in starts:
        step = steps[s]
        if not step.value:
            continue
        if not benefits[s]:
            continue  # given to no one: no one owes anything back for it
        mine = given.setdefault(step.actor, {})
        # Relief counts as given from its start, as received once done, while in force.
        for t, change in force.changes(s, step.value, force.counted(s)):
            mine[t] = mine.get(t, 0) + change
        for other in benefits[s]:
            theirs = received.setdefault(other, {})
            for t, change in force.changes(s, step.value, force.held(s)):
                theirs[t] = theirs.get(t, 0) + change
    rows: list[Leverage] = []
    curves: dict[str, tuple[tuple[int, int, int], ...]] = {}
    for actor in scenario.actors:
        g, r = given.get(actor, {}), received.get(actor, {})
        if not g and not r:
            continue
        cum_g, cum_r = 0, 0
        points: list[tuple[int, int, int]] = []
        for t in sorted({0, *g, *r}):
            cum_g += g.get(t, 0)
            cum_r += r.get(t, 0)
            points.append((t, cum_g, cum_r))
        curves[actor] = tuple(points)
        rows += _by_phase(actor, points, phases)
    return rows, curves


def _by_phase(
    actor: str, points: Sequence[tuple[int, int, int]], phases: Sequence[Span]
) -> list[Leverage]:
    """An actor's leverage in each phase, from its curve (cumulative, at every change)."""
    at = [p[0] for p in points]

    def level(t: int) -> tuple[int, int]:
        """(given, received) by time t (what starts or is done at t included)."""
        i = bisect.bisect_right(at, t) - 1
        return (points[i][1], points[i][2]) if i >= 0 else (0, 0)

    out = []
    for p in phases:
        if p.start is None:
            continue
        g0, r0 = level(p.start - 1)
        inside = [q for q in points if q[0] >= p.start and (p.end is None or q[0] < p.end)]
        g1, r1 = (inside[-1][1], inside[-1][2]) if inside else (g0, r0)
        first = (p.start, *level(p.start))
        peak, minus_when = max((q[1] - q[2], -q[0]) for q in [first, *inside])
        out.append(Leverage(p.id, actor, g1 - g0, r1 - r0, g1, r1, g1 - r1, peak, -minus_when))
    return out


# ---- the outline -------------------------------------------------------------------------


def outline(
    scenario: Scenario,
    starts: Mapping[str, int],
    report: Report | None = None,
    phase_length: int | None = None,
    finish: Finish | None = None,
    branches: Sequence[Branch] = (),
    uncertain: bool | None = None,
) -> Outline:
    """What the outputs show about the roadmap `starts`, with what its check `report`
    recorded (without a report, no step shows its counter-steps), the finish's risk and
    the deal's branches when the caller worked them out (`uncertain`: whether some time
    is uncertain, default: whether a finish is given)."""
    steps = scenario.steps
    notes: list[str] = []
    gates = gate_openings(scenario, starts)
    times = [t for s, t in starts.items()] + [t + steps[s].done_offset for s, t in starts.items()]
    if phase_length:
        phases = fixed_phases(scenario.unit, phase_length, times)
    elif scenario.phases:
        phases = declared_phases(scenario, starts, times, notes)
    else:
        phases = derived_phases(scenario, starts, gates)
    answers: tuple[Answer, ...] = tuple(report.records.get(ANSWERS, ())) if report else ()
    counter: dict[str, list[str]] = {}
    unanswered: dict[str, list[str]] = {}
    for a in answers:
        if a.counter:
            counter.setdefault(a.give, [])
            if a.counter not in counter[a.give]:
                counter[a.give].append(a.counter)
        else:
            unanswered.setdefault(a.give, []).append(a.rule)
    position = {s: i for i, s in enumerate(steps)}
    rows = []
    for s in sorted(starts, key=lambda s: (starts[s], position[s])):
        step = steps[s]
        t = starts[s]
        rows.append(
            Row(
                step=s,
                actor=step.actor,
                package=step.package,
                kind=step.kind,
                title=step.title,
                value=step.value,
                start=t,
                end=t + step.duration,
                done=t + step.done_offset,
                verifier=step.verify.by if step.verify else "",
                verified=t + step.done_offset if step.verify else None,
                counter=tuple(counter.get(s, ())),
                unanswered=tuple(unanswered.get(s, ())),
                source=step.source,
                phase=phase_of(phases, t),
            )
        )
    links = tuple(a for a in answers if a.counter)
    leverage, curves = _leverage(scenario, starts, phases, links)
    chain = critical_chain(scenario, starts)
    return Outline(
        scenario=scenario,
        report=report,
        rows=tuple(rows),
        phases=tuple(phases),
        gates=tuple(gates),
        links=links,
        leverage=tuple(leverage),
        curves=curves,
        balance=tuple(report.records.get(CURVES, ())) if report else (),
        left_out=_left_out(scenario, starts, report),
        notes=tuple(notes),
        chain=chain.steps,
        chain_held=chain.held,
        names=names(scenario.everything().steps, scenario.actors),
        package_names={p.id: package_name(p) for p in scenario.packages},
        finish=finish,
        uncertain=finish is not None if uncertain is None else uncertain,
        branches=tuple(branches),
    )


def _left_out(
    scenario: Scenario, starts: Mapping[str, int], report: Report | None
) -> tuple[LeftOut, ...]:
    excluded = terms_read(scenario).excluded
    required = scenario.required()
    out = []
    for s, step in scenario.steps.items():
        if s in starts:
            continue
        rules = excluded.get(s, [])
        if rules:
            why = "a red line: never scheduled (" + ", ".join(r.id for r in rules) + ")"
            source = rules[0].source
            ids = tuple(r.id for r in rules)
        else:
            needing = (
                sorted({v.rule for v in (*report.violations, *report.penalties) if s in v.steps})
                if report
                else []
            )
            why = ("optional, " if s not in required else "") + "not in the roadmap"
            why += f"; rules that need it: {', '.join(needing)}" if needing else ""
            source, ids = "", tuple(needing)
        out.append(LeftOut(s, step.title, why, ids, source))
    return tuple(out)
