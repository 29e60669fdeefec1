"""A diff of two roadmaps as sentences a person can read aloud, a table, and JSON. Pure
functions of a computed `Diff`. Sentences and the table name steps by their short names
(`planner.render.words`); the JSON keeps ids (and carries the sentences as written)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from planner.render.words import names as step_names
from planner.rules.base import plural
from planner.rules.common import listing
from planner.whatif.diff import Diff, Side

DIFF_SCHEMA_ID = "relief-planner/diff/1"
#: Moves named one by one in the sentences; the table has them all.
NAMED_MOVES = 5


def _names(d: Diff) -> dict[str, str]:
    """Every step's short name, B's over A's."""
    return {**step_names(d.a.scenario.everything().steps, d.a.scenario.actors),
            **step_names(d.b.scenario.everything().steps, d.b.scenario.actors)}  # fmt: skip


def _rule(name: str, named: Mapping[str, str] | None = None) -> str:
    """A rule as a sentence names it: `after:x` is x's preconditions."""
    if name.startswith("after:"):
        step = name[6:]
        return f"the preconditions of {(named or {}).get(step, step)}"
    return name


def _rules(
    names: tuple[str, ...] | list[str], limit: int = 6, named: Mapping[str, str] | None = None
) -> str:
    return listing([_rule(n, named) for n in names], limit)


def sentences(d: Diff) -> list[str]:
    """What changed, from A to B, in sentences."""
    unit = d.b.scenario.unit
    named = _names(d)

    def span(n: int) -> str:
        return plural(n, unit)

    out: list[str] = []
    last_a, last_b = d.a.report.summary.last_time, d.b.report.summary.last_time
    if last_b == last_a:
        out.append(f"Both finish in {unit} {last_b}.")
    else:
        how = "later" if last_b > last_a else "earlier"
        out.append(
            f"B finishes in {unit} {last_b}, {span(abs(last_b - last_a))} {how} than A "
            f"({unit} {last_a})."
        )
    peak_a, peak_b = d.a.report.summary.peak_exposure, d.b.report.summary.peak_exposure
    if peak_a is not None or peak_b is not None:
        pa, pb = peak_a or 0, peak_b or 0
        if pa == pb:
            out.append(f"Peak concessions ahead stay at {pb}.")
        else:
            out.append(f"Peak concessions ahead {'rise' if pb > pa else 'fall'} from {pa} to {pb}.")
    for actor in dict.fromkeys([*d.a.irreversible, *d.b.irreversible]):
        ia, ib = d.a.irreversible.get(actor, 0), d.b.irreversible.get(actor, 0)
        if ia != ib:
            out.append(f"{actor}'s irreversible exposure peaks at {ib} instead of {ia}.")
    pen_a, pen_b = d.a.report.total_penalty, d.b.report.total_penalty
    if pen_a != pen_b:
        costs_a = {v.rule for v in d.a.report.penalties}
        costs_b = {v.rule for v in d.b.report.penalties}
        new = sorted(costs_b - costs_a)
        why = f": B pays for {_rules(new)}, which A keeps" if new else ""
        out.append(
            f"The soft-rule penalty {'rises' if pen_b > pen_a else 'falls'} from {pen_a} to "
            f"{pen_b}{why}."
        )
    for longer, word in ((True, "longer"), (False, "less")):
        group = [r for r in d.retimed if (r[2] > r[1]) == longer]
        if group:
            shown = [f"{named.get(s, s)} {span(b)} instead of {a}" for s, a, b in group[:4]]
            more = f", and {len(group) - 4} more" if len(group) > 4 else ""
            out.append(
                f"In B, {plural(len(group), 'step')} take{'s' * (len(group) == 1)} {word} "
                f"from start to done: {'; '.join(shown)}{more}."
            )
    out += _move_sentences(d, unit, named)
    if d.flipped:
        pairs = [f"{q} now opens before {p}" for p, q in d.flipped[:4]]
        more = f", and {len(d.flipped) - 4} more pairs change places" if len(d.flipped) > 4 else ""
        out.append("The relief packages open in another order: " + listing(pairs) + more + ".")
        out.append("B's order: " + ", ".join(d.b.package_order) + ".")
    elif d.a.package_order and d.a.package_order == d.b.package_order:
        out.append("The relief packages open in the same order.")
    if d.added:
        out.append(
            f"B schedules {listing([named.get(s, s) for s in d.added])}, which A leaves out."
        )
    if d.left_out:
        out.append(
            f"B leaves out {listing([named.get(s, s) for s in d.left_out])}, which A schedules."
        )
    if d.newly_broken:
        out.append(
            f"B breaks {plural(len(d.newly_broken), 'hard rule')} that A keeps: "
            f"{_rules(d.newly_broken, named=named)}."
        )
    if d.fixed:
        out.append(
            f"B keeps {plural(len(d.fixed), 'hard rule')} that A breaks: "
            f"{_rules(d.fixed, named=named)}."
        )
    if not d.a.broken and not d.b.broken:
        out.append("Both keep every hard rule.")
    if d.became_tight:
        one = len(d.became_tight) == 1
        out.append(
            f"In B, {'this rule leaves' if one else 'these rules leave'} no room to move "
            f"some step, earlier or later, where A had room: "
            f"{_rules(d.became_tight, named=named)}."
        )
    if d.loosened:
        one = len(d.loosened) == 1
        out.append(
            f"In B, {'this rule leaves' if one else 'these rules leave'} room where A had "
            f"none: {_rules(d.loosened, named=named)}."
        )
    return out


def _move_sentences(d: Diff, unit: str, named: Mapping[str, str]) -> list[str]:
    if not d.moved:
        both = sum(1 for s in d.a.starts if s in d.b.starts)
        return [f"No step moves: the {both} steps in both start at the same times."]
    later = [m for m in d.moved if m.by > 0]
    earlier = [m for m in d.moved if m.by < 0]
    parts = []
    for group, word in ((later, "later"), (earlier, "earlier")):
        if not group:
            continue
        low, high = min(abs(m.by) for m in group), max(abs(m.by) for m in group)
        by = plural(high, unit) if low == high else f"{low} to {plural(high, unit)}"
        parts.append(f"{len(group)} {word}, by {by}")
    total = sum(1 for s in d.a.starts if s in d.b.starts)
    out = [f"{len(d.moved)} of the {total} steps in both move: {', and '.join(parts)}."]
    moves = [
        f"{named.get(m.step, m.step)} starts in {unit} {m.b} instead of {unit} {m.a} "
        f"({plural(abs(m.by), unit)} {'later' if m.by > 0 else 'earlier'})"
        for m in d.moved[:NAMED_MOVES]
    ]
    head = "The largest move" if len(moves) == 1 else "The largest moves"
    out.append(f"{head}: " + "; ".join(moves) + ".")
    return out


def diff_table(d: Diff, tablefmt: str = "simple") -> str:
    """Every step that moved, was added or left out, by its start in B (then A)."""
    from tabulate import tabulate

    unit = d.b.scenario.unit
    named = _names(d)
    rows: list[tuple[int, int, list[str]]] = []
    order = {s: i for i, s in enumerate(d.b.scenario.steps)}
    for m in d.moved:
        sign = "+" if m.by > 0 else "−"
        cells = [named.get(m.step, m.step), f"{unit} {m.a}", f"{unit} {m.b}", f"{sign}{abs(m.by)}"]
        rows.append((m.b, order.get(m.step, 0), cells))
    for s in d.added:
        cells = [named.get(s, s), "—", f"{unit} {d.b.starts[s]}", "added"]
        rows.append((d.b.starts[s], order.get(s, 0), cells))
    for s in d.left_out:
        cells = [named.get(s, s), f"{unit} {d.a.starts[s]}", "—", "left out"]
        rows.append((d.a.starts[s], len(order), cells))
    rows.sort(key=lambda r: (r[0], r[1]))
    if not rows:
        return "(no step moved, was added or left out)"
    return tabulate(
        [r[2] for r in rows],
        headers=["step", "A", "B", "moved"],
        tablefmt=tablefmt,
        disable_numparse=True,
    )


def _who(s: Side) -> str:
    variant = s.scenario.variant
    return f"{s.name} ({'variant ' + variant if variant else 'the scenario as written'})"


def diff_text(d: Diff, tablefmt: str = "simple") -> str:
    """The sentences, then the table."""
    lines = [f"A: {_who(d.a)}", f"B: {_who(d.b)}", ""]
    lines += sentences(d)
    lines += ["", diff_table(d, tablefmt)]
    return "\n".join(lines)


def _side_doc(s: Side) -> dict[str, Any]:
    summary = s.report.summary
    return {
        "name": s.name,
        "variant": s.scenario.variant,
        "last_done": summary.last_time,
        "peak_exposure": summary.peak_exposure,
        "total_penalty": s.report.total_penalty,
        "irreversible_peaks": dict(s.irreversible),
        "package_order": list(s.package_order),
        "broken": sorted(s.broken),
        "tight": sorted(s.tight),
    }


def diff_json(d: Diff) -> str:
    doc = {
        "schema": DIFF_SCHEMA_ID,
        "unit": d.b.scenario.unit,
        "a": _side_doc(d.a),
        "b": _side_doc(d.b),
        "moved": [{"step": m.step, "a": m.a, "b": m.b, "by": m.by} for m in d.moved],
        "added": list(d.added),
        "left_out": list(d.left_out),
        "packages_flipped": [list(p) for p in d.flipped],
        "newly_broken": list(d.newly_broken),
        "fixed": list(d.fixed),
        "became_tight": list(d.became_tight),
        "loosened": list(d.loosened),
        "sentences": sentences(d),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
