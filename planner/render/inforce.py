"""Time in force as the outputs show it: for each scheduled step that lapses, is renewed or
can be reimposed, when it holds, when it is renewed, when it lapses and when (and by which
step) it is reimposed. Read through `planner.force`, the one definition; pure.

The chart draws it (`planner.render.gantt`, `planner.render.mermaid`; a bar's tooltip says
it in words, `force_words`); `force_lines` says it a line per step, for a timeline or a
report: "in force until week 36, then lapses; renewed in week 24", "in force until week
30: reimposed by Aviation snapback".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.force import Force, Span, chains
from planner.scenario import Scenario


@dataclass(frozen=True, slots=True)
class InForce:
    """One chain in one roadmap: its base step, the spans over which it is in force
    (merged, sorted; the last `until` None when it holds to the end), its scheduled
    renewals with their done times, the times it lapses (a span that ends with no
    reimposition), and the reimposition that ends it (time, step), if one does."""

    step: str
    spans: tuple[Span, ...]
    renewals: tuple[tuple[str, int], ...]
    lapses: tuple[int, ...]
    reimposed: tuple[int, str] | None

    @property
    def until(self) -> int | None:
        """When the force finally ends (None: it holds to the end)."""
        return self.spans[-1][1] if self.spans else None


def in_force(scenario: Scenario, starts: Mapping[str, int]) -> dict[str, InForce]:
    """The force of every scheduled step that heads a chain (`planner.force.chains`), by
    its id; a chain whose base step is not scheduled is left out."""
    steps = scenario.steps
    by_member = scenario.fact("chains", lambda sc: chains(sc.steps))

    def done(s: str) -> int | None:
        return starts[s] + steps[s].done_offset if s in starts and s in steps else None

    force = Force(steps, lambda s: starts.get(s), done, by_member)
    out: dict[str, InForce] = {}
    for chain in {c.base: c for c in by_member.values()}.values():
        if chain.base not in starts:
            continue
        spans = tuple(force.chain_spans(chain.base))
        renewals = tuple((m, d) for m in chain.members[1:] if (d := done(m)) is not None)
        cuts = sorted((d, c) for c in chain.cuts if (d := done(c)) is not None)
        cut = cuts[0] if cuts else None
        ends = [b for _, b in spans if b is not None]
        reimposed = cut if cut is not None and ends and ends[-1] == cut[0] else None
        lapses = tuple(b for b in ends if reimposed is None or b != reimposed[0])
        out[chain.base] = InForce(chain.base, spans, renewals, lapses, reimposed)
    return out


def force_lines(
    scenario: Scenario, starts: Mapping[str, int], names: Mapping[str, str]
) -> list[str]:
    """One line per scheduled step that lapses, is renewed or reimposed, in roadmap order:
    'Freeze certain sectoral sanctions: in force until week 74 (2028-06-12), then lapses;
    renewed in weeks 25 and 49'."""
    found = in_force(scenario, starts)
    order = sorted(found, key=lambda s: (starts[s], list(scenario.steps).index(s)))
    return [f"{names.get(s, s)}: {force_words(scenario, found[s], names)}" for s in order]


def force_words(scenario: Scenario, f: InForce, names: Mapping[str, str]) -> str:
    """'in force until week 36 (2027-09-13), then lapses; renewed in weeks 10 and 20',
    'in force until week 30 (...): reimposed by Aviation snapback', with each gap: 'lapses
    in week 30, back in force in week 32'."""
    unit = scenario.unit
    parts: list[str] = []
    until = f.until
    if not f.spans:
        parts.append("never in force (reimposed before it was done)")
    elif until is None:
        parts.append("in force to the end")
    elif f.reimposed is not None:
        by = names.get(f.reimposed[1], f.reimposed[1])
        parts.append(f"in force until {_when(scenario, until)}: reimposed by {by}")
    else:
        parts.append(f"in force until {_when(scenario, until)}, then lapses")
    for (_, end), (nxt, _) in zip(f.spans, f.spans[1:], strict=False):
        parts.append(f"lapses in {unit} {end}, back in force in {unit} {nxt}")
    if f.renewals:
        times = [str(d) for _, d in f.renewals]
        listed = times[0] if len(times) == 1 else ", ".join(times[:-1]) + " and " + times[-1]
        parts.append(f"renewed in {unit}{'s' if len(times) > 1 else ''} {listed}")
    return "; ".join(parts)


def _when(scenario: Scenario, t: int) -> str:
    date = scenario.date_of(t)
    return f"{scenario.unit} {t}" + (f" ({date.isoformat()})" if date else "")
