"""What the Gantt chart shows of a roadmap, worked out once for its two drawings (the
matplotlib chart, `planner.render.gantt`, and the Mermaid one, `planner.render.mermaid`):
its lanes, each step's mark, time in force, milestones and what is highlighted. Pure: an
`Outline` in, plain data out; no matplotlib here.

- **Detail**: a lane per package (its name, and a summary bar from its first start to
  its last done time), then a lane per step. A renewal (`renews:`, `repeat:`) is drawn on
  the lane of the step it renews, as a tick, not on a lane of its own.
- **Summary** (a large roadmap, README: gantt): a lane per package, or per run of
  consecutive packages when even those are too many, with its relief, the counter-steps
  that earn it, the critical chain and the violations on it.

A step's **style** says what kind of act it is, whoever acts (the colour says who):
`relief` (what is given up: kinds `relief` and `renewal`), `talks` (dialogue: kinds in
`TALKS_KINDS`), `assumed` (an event no party controls, or an optional step: not a
commitment), `act` (every other kind: commitments, pledges, verified steps...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from planner.model import Step
from planner.render.inforce import InForce, force_words, in_force
from planner.render.outline import Outline, Row
from planner.render.words import names, package_name
from planner.rules.base import PartialTerms, Rule, Terms

RELIEF_KINDS = frozenset({"relief", "renewal"})
TALKS_KINDS = frozenset({"dialogue", "consultation", "talks", "negotiation", "working"})
STYLES = ("relief", "act", "talks", "assumed")
#: Above this many scheduled steps a roadmap is large: Mermaid draws a task per package
#: and the report lists the packages, each step's detail folded under its package (the
#: matplotlib chart summarises when its lanes do not fit the page at 8 pt).
SUMMARY_STEPS = 150
#: What `--links` can add: counter-steps (reciprocity), preconditions (`after`), gates.
LINKS = ("counter", "after", "gate")
#: Force that runs on past the roadmap's last done time widens the chart by at most this
#: share of the roadmap's length; a lapse later than that is drawn at the edge.
FORCE_REACH = 0.5


@dataclass(frozen=True, slots=True)
class ChartOptions:
    """How to draw the chart: `paper` (`auto`, `a4`, `a3`), every bar even on a large
    roadmap (`detail`), which `links` to draw, a `baseline` roadmap's starts (and its
    name) drawn under the bars; `finish` the simulated P50 and P80 of the last done
    time, said beside the planned one in the title (None: no risk data given; the
    renderer never simulates)."""

    paper: str = "auto"
    detail: bool = False
    links: frozenset[str] = frozenset({"counter"})
    baseline: Mapping[str, int] | None = None
    baseline_name: str = ""
    finish: tuple[int, int] | None = None


#: The options when none are given: the page chosen, counter links, no baseline.
DEFAULT_OPTIONS = ChartOptions()


@dataclass(frozen=True, slots=True)
class Bar:
    """One scheduled step as drawn: its times, style, and whether it is on the critical
    chain or in a violation; `baseline` its (start, done) in the baseline roadmap."""

    step: str
    name: str
    title: str
    actor: str
    style: str
    start: int
    end: int
    done: int
    critical: bool
    violated: bool
    baseline: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Lane:
    """One row of the chart: a package's header (`kind` "package"), a step ("step"), or
    in a summary a package or a run of packages ("group"). `bars` are the steps drawn on
    it (a step lane: the step; a summary lane: every step it stands for), `renewals` the
    renewals a step lane folds in, `force` the step's time in force."""

    kind: str
    label: str
    package: str
    bars: tuple[Bar, ...]
    renewals: tuple[Bar, ...] = ()
    force: InForce | None = None
    extent: tuple[int, int] = (0, 0)
    baseline: tuple[int, int] | None = None
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class Milestone:
    """A moment named on the chart's top lane: a gate opening, an exchange (steps that
    start together under a `simultaneous` rule), a phase ending."""

    at: int
    label: str
    kind: str
    gid: str


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything a drawing of the chart needs."""

    outline: Outline
    detail: bool
    lanes: tuple[Lane, ...]
    milestones: tuple[Milestone, ...]
    #: The critical chain's steps, in order (None: not worked out for this roadmap).
    chain: tuple[str, ...] | None
    #: The x range's end: the last done time, or a later lapse within `FORCE_REACH`.
    last: int
    bars: Mapping[str, Bar]
    force: Mapping[str, InForce]
    options: ChartOptions
    notes: tuple[str, ...] = field(default=())

    @property
    def violated(self) -> int:
        return sum(1 for b in self.bars.values() if b.violated)


def style_of(step: Step, optional: bool) -> str:
    """The style a step is drawn in (see the module docstring)."""
    if step.is_event or optional:
        return "assumed"
    if step.kind in RELIEF_KINDS or step.renews is not None:
        return "relief"
    if step.kind in TALKS_KINDS:
        return "talks"
    return "act"


def words(rule_id: str) -> str:
    """A rule's id read as words: 'security-gate' -> 'Security gate'."""
    text = rule_id.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def num_detail_lanes(o: Outline) -> int:
    """How many lanes the detailed chart has: a header per package with steps, and a lane
    per step but the renewals folded into the step they renew."""
    steps = o.scenario.steps
    scheduled = {r.step for r in o.rows}
    folded = sum(1 for r in o.rows if steps[r.step].renews in scheduled)
    return len(o.rows) - folded + len({r.package for r in o.rows})


def chart(
    o: Outline,
    options: ChartOptions = DEFAULT_OPTIONS,
    detail: bool = True,
    max_lanes: int | None = None,
) -> Chart:
    """The chart of an outline: detailed, or a summary of at most `max_lanes` lanes."""
    scenario = o.scenario
    steps = scenario.steps
    starts = {r.step: r.start for r in o.rows}
    # Renewals are drawn on the lane of what they renew, never named on a lane of their
    # own: the names that must be told apart are the others'.
    label = names({s: st for s, st in steps.items() if st.renews not in starts})
    every = names(steps) if len(label) < len(steps) else label
    label.update({s: every[s] for s in steps if s not in label})
    required = scenario.required()
    forbidden = scenario.forbidden()
    report = o.report
    violated = {s for v in report.violations for s in v.steps if s in starts} if report else set()
    chain = tuple(s for s, _ in o.chain)  # `planner.whatif.chain`'s, linear in the steps
    on_chain = set(chain)
    base = options.baseline
    bars: dict[str, Bar] = {}
    for r in o.rows:
        step = steps[r.step]
        optional = r.step not in required and r.step not in forbidden
        was = None
        if base is not None and r.step in base and r.step in steps:
            was = (base[r.step], base[r.step] + step.done_offset)
        bars[r.step] = Bar(
            r.step, label[r.step], r.title, r.actor, style_of(step, optional), r.start, r.end,
            r.done, r.step in on_chain, r.step in violated, was,
        )  # fmt: skip
    force = in_force(scenario, starts)
    last = max(o.last, 1)
    ends = [f.until for f in force.values() if f.until is not None]
    reach = last + math.ceil(last * FORCE_REACH)
    last = max([last, *(e for e in ends if e <= reach)])
    notes: list[str] = []
    if base is not None:
        missing = [s for s in base if s in steps and s not in starts]
        if missing:
            notes.append(
                f"{len(missing)} step{'s' * (len(missing) != 1)} of the baseline "
                "not in this roadmap"
            )
    if detail:
        lanes = _detail_lanes(o, bars, force, label)
    else:
        lanes = _summary_lanes(o, bars, force, max_lanes or len(scenario.packages))
    return Chart(
        o, detail, tuple(lanes), tuple(_milestones(o)), chain, last, bars, force, options,
        tuple(notes),
    )  # fmt: skip


def regroup(drawn: Chart, max_lanes: int) -> Chart:
    """A summary `drawn` again in at most `max_lanes` lanes (its bars and force kept)."""
    lanes = _summary_lanes(drawn.outline, drawn.bars, drawn.force, max_lanes)
    return replace(drawn, detail=False, lanes=tuple(lanes))


def _extent(bars: Sequence[Bar]) -> tuple[int, int]:
    return (min(b.start for b in bars), max(b.done for b in bars))


def _baseline_extent(bars: Sequence[Bar]) -> tuple[int, int] | None:
    was = [b.baseline for b in bars if b.baseline is not None]
    return (min(a for a, _ in was), max(b for _, b in was)) if was else None


def _packages(o: Outline) -> list[tuple[str, str, list[Row]]]:
    """(package id, its short name, its scheduled steps by start), in scenario order."""
    by_package: dict[str, list[Row]] = {}
    for r in o.rows:
        by_package.setdefault(r.package, []).append(r)
    return [
        (p.id, package_name(p), by_package[p.id]) for p in o.scenario.packages if p.id in by_package
    ]


def _detail_lanes(
    o: Outline, bars: Mapping[str, Bar], force: Mapping[str, InForce], label: Mapping[str, str]
) -> list[Lane]:
    steps = o.scenario.steps
    titles = {p.id: p.title for p in o.scenario.packages}
    lanes: list[Lane] = []
    for pid, name, rows in _packages(o):
        mine = [bars[r.step] for r in rows]
        title = titles[pid]
        lanes.append(
            Lane("package", name, pid, tuple(mine), extent=_extent(mine),
                 baseline=_baseline_extent(mine), tooltip=title)
        )  # fmt: skip
        for r in rows:
            if steps[r.step].renews in bars:
                continue  # drawn on the lane of the step it renews
            f = force.get(r.step)
            renewals = tuple(bars[m] for m, _ in f.renewals) if f else ()
            tip = _tooltip(o, bars[r.step], f, label)
            lanes.append(
                Lane("step", bars[r.step].name, pid, (bars[r.step],), renewals, f,
                     (r.start, r.done), bars[r.step].baseline, tip)
            )  # fmt: skip
    return lanes


def _summary_lanes(
    o: Outline, bars: Mapping[str, Bar], force: Mapping[str, InForce], max_lanes: int
) -> list[Lane]:
    packages = _packages(o)
    titles = {p.id: p.title for p in o.scenario.packages}
    size = max(1, math.ceil(len(packages) / max(1, max_lanes)))
    lanes: list[Lane] = []
    for i in range(0, len(packages), size):
        group = packages[i : i + size]
        mine = [bars[r.step] for _, _, rows in group for r in rows]
        chains = [force[b.step] for b in mine if b.step in force]
        if len(group) == 1:
            pid, name, _ = group[0]
            kind, tip = "package", titles[pid]
        else:
            pid, kind = "", "group"
            name = f"{group[0][1]} … {group[-1][1]} ({len(group)} packages)"
            tip = ", ".join(n for _, n, _ in group)
        lanes.append(
            Lane(kind, name, pid, tuple(mine), (), chains[0] if len(chains) == 1 else None,
                 _extent(mine), _baseline_extent(mine), tip)
        )  # fmt: skip
    return lanes


def _tooltip(o: Outline, bar: Bar, f: InForce | None, label: Mapping[str, str]) -> str:
    """A step's tooltip: its full title, actor, times, force and violations."""
    s = o.scenario
    unit = s.unit
    text = f"{bar.title} ({bar.actor}, {bar.step}): {unit}s {bar.start}–{bar.done}"
    if bar.done > bar.end:
        text += f", verified from {unit} {bar.end}"
    if f is not None:
        text += "; " + force_words(s, f, label)
    if bar.critical:
        text += "; on the critical chain"
    if bar.violated and o.report is not None:
        rules = sorted({v.rule for v in o.report.violations if bar.step in v.steps})
        text += "; breaks " + ", ".join(rules)
    if bar.baseline is not None:
        text += f"; baseline {unit}s {bar.baseline[0]}–{bar.baseline[1]}"
    return text


class _Together(PartialTerms):
    """The steps each `simultaneous` rule starts together (its `together` terms).
    Partial is safe: it groups bars, and a term it skips groups none."""

    def __init__(self, o: Outline) -> None:
        super().__init__(o.scenario.steps)
        self.found: list[tuple[Rule, tuple[str, ...]]] = []

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        self.found.append((rule, tuple(ids)))


class _Held(PartialTerms):
    """The steps each gate holds (its `opens` terms). Partial is safe: a drawing's marks;
    a term it skips draws no milestone, never a wrong one."""

    def __init__(self, o: Outline) -> None:
        super().__init__(o.scenario.steps)
        self.found: dict[str, tuple[str, ...]] = {}

    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        self.found[rule.id] = tuple(held)


def _read(o: Outline, reader: Terms) -> None:
    for rule in o.scenario.rules:
        if not rule.soft:
            rule.terms(reader)


def gate_holds(o: Outline) -> dict[str, tuple[str, ...]]:
    """The steps each gate rule holds, by the rule's id."""
    held = _Held(o)
    _read(o, held)
    return held.found


def _milestones(o: Outline) -> list[Milestone]:
    """Gate openings, exchanges and phase ends, by time (a gate and a phase ending at the
    same time are two milestones: the drawings stack their labels)."""
    starts = {r.step: r.start for r in o.rows}
    found: list[Milestone] = []
    for g in o.gates:
        if g.opens is not None:
            found.append(
                Milestone(g.opens, f"{words(g.rule)} opens", "gate", f"milestone:gate:{g.rule}")
            )
    together = _Together(o)
    _read(o, together)
    for rule, ids in together.found:
        times = [starts[s] for s in ids if s in starts]
        if len(times) > 1:
            found.append(
                Milestone(min(times), words(rule.id), "exchange", f"milestone:exchange:{rule.id}")
            )
    last = o.last
    for i, p in enumerate(o.phases, 1):
        if p.end is not None and p.start is not None and p.start < p.end <= last:
            found.append(Milestone(p.end, f"phase {i} ends", "phase", f"milestone:phase:{p.id}"))
    return sorted(found, key=lambda m: (m.at, ("exchange", "gate", "phase").index(m.kind)))
