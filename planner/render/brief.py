"""The one-page brief a principal reads in 30 seconds (`planner brief`, and the top of
`planner report`): the verdict; the finish with its P50 and P80; the leverage line of each
balance rule with its margin; the critical chain; the exchange ledger — each relief step
in words, dated, against the counter-step that earns it and who verifies it; the first 90
days; the red lines kept; the contingencies, one line each.

Pure: an `Outline` (the roadmap, its check report's records, the finish's risk and the
deal's branches, worked out by `planner.api.document`) in, text out — plain text,
Markdown, or HTML (a page of its own, or the section the report opens with).

**The ledger** lists every *relief step*: a step of kind `relief`, and every give step of
a reciprocity rule (what one side concedes for the other's step), renewals folded into
the step they renew. Each is dated by its start (when the relief is granted: reciprocity
counts the counter-step done by then) and set against the counter-steps the check
matched to it (`Report.records`), with who verifies each; a relief step no rule trades is
marked as given without a counter-step (a good-faith step), and one a rule leaves
unanswered says so.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.render.outline import Branch, Outline, Row
from planner.render.terms import terms_read
from planner.render.timeline import AHEAD_WORDS, sentence
from planner.render.words import gate_name, label
from planner.rules.base import plural
from planner.scenario import Scenario
from planner.whatif.chain import START

BRIEF_FORMATS = ("text", "md", "html")
#: The first days the brief lists: what is under way in the first 90 days.
FIRST_DAYS = 90
#: At most this many of a party's steps are named in the first 90 days; the rest counted.
FIRST_SHOWN = 6
#: Days in one unit (the loader's table: a month counts 30 days).
DAYS = {"day": 1, "week": 7, "month": 30}
#: Text lines are wrapped at this width.
WIDTH = 96
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(scenario: Scenario, t: int) -> str:
    """'24 May 2027' (any locale), or 'week 20' without a start date."""
    d = scenario.date_of(t)
    return f"{scenario.unit} {t}" if d is None else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def day_and_unit(scenario: Scenario, t: int) -> str:
    """'24 May 2027 (week 20)', or 'week 20' without a start date."""
    d = scenario.date_of(t)
    return day(scenario, t) + ("" if d is None else f" ({scenario.unit} {t})")


@dataclass(frozen=True, slots=True)
class Counter:
    """A counter-step as the ledger shows it."""

    step: str
    actor: str
    name: str
    verifier: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the exchange ledger: a relief step, when it is granted, and what earns
    it (`counters`; empty with `note` saying why)."""

    step: str
    date: str
    actor: str
    name: str
    counters: tuple[Counter, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Brief:
    """The brief's content as plain text pieces, one field per part of the page."""

    title: str
    roadmap: str
    verdict: str
    clean: bool | None
    finish: str
    leverage: tuple[str, ...]
    chain: str
    ledger: tuple[Entry, ...]
    first_until: str
    first: tuple[tuple[str, str], ...]
    first_marks: tuple[str, ...]
    red_lines: str
    red_lines_kept: bool
    contingencies: tuple[str, ...]


# ---- the content --------------------------------------------------------------------------


def _verdict(o: Outline, roadmap: str) -> tuple[str, bool | None]:
    report = o.report
    if report is None:
        return "Not checked.", None
    if report.is_clean:
        extra = f" (soft-rule penalties: {report.total_penalty})" if report.penalties else ""
        return f"the roadmap keeps every hard rule{extra}.", True
    n = len(report.violations)
    rules = len({v.rule for v in report.violations})
    return (
        f"{n} violation{'s' * (n != 1)} of {rules} hard rule{'s' * (rules != 1)}: "
        f"`planner check {roadmap}` lists them with their repairs.",
        False,
    )


def _finish(o: Outline) -> str:
    s = o.scenario
    head = f"Done {day_and_unit(s, o.last)}"
    if o.finish is None and o.uncertain:
        return head + "; not simulated (its P50 and P80: `--runs` more than 0)."
    if o.finish is None:
        return head + "; every duration is certain (the scenario gives no estimate)."
    f = o.finish
    return (
        f"{head}; P50 {day_and_unit(s, f.p50)}, P80 {day_and_unit(s, f.p80)}, over {f.runs} "
        "simulated runs that hold the roadmap's order."
    )


def _party(scenario: Scenario, actors: Sequence[str]) -> str:
    return " and ".join(scenario.actors.get(a, a) for a in actors) or "no one"


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _end(text: str) -> str:
    """A sentence's end: a full stop unless it ends in one (or an ellipsis) already."""
    return text if text.endswith((".", "…")) else text + "."


def _leverage(o: Outline, ids: bool) -> tuple[str, ...]:
    """One line per balance rule: how far one side's concessions ran ahead of the other's
    verified steps at the peak, against the margin (the rule's id after it with `ids`, or
    when there are several)."""
    s = o.scenario
    sides = terms_read(s).balances
    out = []
    for c in o.balance:
        ahead, behind = sides.get(c.rule, ((), ()))
        givers = list(dict.fromkeys(s.steps[x].actor for x in ahead if x in s.steps))
        takers = list(dict.fromkeys(s.steps[x].actor for x in behind if x in s.steps))
        peak, at = 0, 0
        for t, level in c.points:
            if level > peak:
                peak, at = level, t
        room = c.margin - peak
        spare = f"{room} to spare" if room >= 0 else f"{-room} over: the rule is broken"
        when = f", reached on {day_and_unit(s, at)}" if peak > 0 else ""
        out.append(
            f"{_possessive(_party(s, givers))} concessions run at most "
            f"{plural(peak, 'value unit')} "
            f"ahead of {_possessive(_party(s, takers))} verified steps, against a margin of "
            f"{c.margin} ({spare}){when}"
            + (f" [{c.rule}]" if ids or len(o.balance) > 1 else "")
            + "."
        )
    return tuple(out)


def _chain(o: Outline, ids: bool) -> str:
    if not o.chain:
        return ""
    names = [label(o.names, s, ids) for s, _ in o.chain]
    held = (
        "from the start of the deal"
        if o.chain_held == START
        else "from a fixed date"
        if o.chain_held.startswith("fixed:")
        else f"from rule {o.chain_held}"
        if o.chain_held
        else "its first step could start earlier"
    )
    return f"{' → '.join(names)} ({len(names)} step{'s' * (len(names) != 1)}, {held})"


def relief_steps(o: Outline) -> list[Row]:
    """The ledger's steps: kind `relief`, or a give step of a reciprocity rule (matched or
    not), renewals left out (folded into what they renew), in roadmap order."""
    steps = o.scenario.steps
    return [
        r
        for r in o.rows
        if steps[r.step].renews is None and (r.kind == "relief" or r.counter or r.unanswered)
    ]


def _named(o: Outline, sid: str, ids: bool) -> str:
    """A step's name where its party is written before it ("Poland: …"): two steps told
    apart by their parties ("… (Poland)", `planner.render.words.names`) need not say it
    twice."""
    actor = o.scenario.steps[sid].actor if sid in o.scenario.steps else ""
    return label(o.names, sid, ids).replace(f" ({o.scenario.actors.get(actor, actor)})", "", 1)


def _gate(rule: str, ids: bool) -> str:
    """A gate in words (`planner.render.words.gate_name`), by its id with `ids`."""
    return f"gate {rule}" if ids else gate_name(rule)


def _ledger(o: Outline, ids: bool) -> tuple[Entry, ...]:
    s = o.scenario
    by_step = {r.step: r for r in o.rows}
    renewals: dict[str, int] = {}
    for r in o.rows:
        base = s.steps[r.step].renews
        if base is not None:
            renewals[base] = renewals.get(base, 0) + 1
    out = []
    for r in relief_steps(o):
        counters = tuple(
            Counter(
                c,
                s.actors.get(s.steps[c].actor, s.steps[c].actor),
                _named(o, c, ids),
                by_step[c].verifier if c in by_step else "",
            )
            for c in r.counter
        )
        note = ""
        if r.unanswered:
            note = "no counter-step answers it (" + ", ".join(r.unanswered) + ")"
        elif not counters:
            note = "a good-faith step: nothing asked in return"
        lasts = s.steps[r.step].lasts
        if lasts is not None:
            n = renewals.get(r.step, 0)
            extra = f"in force {lasts} {s.unit}s" + (
                f", renewed {n} time{'s' * (n != 1)}" if n else ", not renewed"
            )
            note = f"{note}; {extra}" if note else extra
        out.append(
            Entry(
                r.step,
                day(s, r.start),
                s.actors.get(r.actor, r.actor),
                _named(o, r.step, ids),
                counters,
                note,
            )
        )
    return tuple(out)


def _first(o: Outline, ids: bool) -> tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]:
    """What starts in the first 90 days, by party (in the scenario's order): the steps
    that give or earn something (a relief step, a step a reciprocity rule trades or a gate
    waits for; else the
    steps of value, else the first) by name, at most `FIRST_SHOWN`, the rest counted; and the gates that open and the phases that end in them."""
    s = o.scenario
    cut = -(-FIRST_DAYS // DAYS.get(s.unit, 7))
    by_actor: dict[str, list[Row]] = {}
    for r in o.rows:
        if r.start < cut:
            by_actor.setdefault(r.actor, []).append(r)
    traded = {c for r in o.rows for c in r.counter} | {w for g in o.gates for w in g.when}
    order = {a: i for i, a in enumerate(s.actors)}
    groups = []
    for a, rows in sorted(by_actor.items(), key=lambda kv: order.get(kv[0], len(order))):
        # what is given or earned: relief, the steps a reciprocity rule trades and those a
        # gate waits for (a step of value traded for nothing is counted with the rest)
        weighty = [
            r for r in rows
            if r.kind == "relief" or r.counter or r.unanswered or r.step in traded
        ]  # fmt: skip
        shown = (weighty or [r for r in rows if r.value] or rows)[:FIRST_SHOWN]
        text = "; ".join(_named(o, r.step, ids) for r in shown)
        rest = len(rows) - len(shown)
        if rest:
            text += f"; and {rest} other step{'s' * (rest != 1)}"
        groups.append((s.actors.get(a, a), text))
    marks = [
        f"{_gate(g.rule, ids)} opens {day(s, g.opens)}"
        for g in o.gates
        if g.opens is not None and 0 < g.opens <= cut
    ]
    marks += [
        f"phase “{p.title}” ends {day(s, p.end)}"
        for p in o.phases
        if p.end is not None and p.start is not None and p.start < p.end <= cut
    ]
    return f"until {day(s, cut)}", tuple(groups), tuple(marks)


def _red_lines(o: Outline, ids: bool) -> tuple[str, bool]:
    s = o.scenario
    forbidden = list(terms_read(s).excluded)
    if not forbidden:
        return "The rules draw no red line.", True
    scheduled = {r.step for r in o.rows}
    crossed = [x for x in forbidden if x in scheduled]
    if crossed:
        names = "; ".join(label(o.names, x, ids) for x in crossed)
        n = len(crossed)
        head = f"CROSSED: {n} of the {len(forbidden)} forbidden steps {'are' if n > 1 else 'is'}"
        return _end(f"{head} scheduled: {names}"), False
    names = "; ".join(label(o.names, x, ids) for x in forbidden)
    n = len(forbidden)
    head = f"all {n} forbidden steps stay" if n > 1 else "the one forbidden step stays"
    return _end(f"kept: {head} out of the roadmap — {names}"), True


def _outcome(b: Branch, name: str) -> str:
    if b.outcome == "fails":
        return f"{name} fails its verification"
    if b.outcome == "passes":
        return f"{name} passes its verification"
    return f"{name} turns out “{b.outcome}”"


def _contingencies(o: Outline, ids: bool) -> tuple[str, ...]:
    s = o.scenario
    out = []
    for b in o.branches:
        chance = f"{b.probability:.0%} chance, " if b.probability is not None else ""
        parts = []
        if b.added:
            parts.append("then " + "; ".join(label(o.names, x, ids) for x in b.added))
        if b.reimposes:
            parts.append("takes back " + "; ".join(label(o.names, x, ids) for x in b.reimposes))
        if b.left_out:
            parts.append("leaves out " + "; ".join(label(o.names, x, ids) for x in b.left_out))
        what = ", ".join(parts) if parts else "nothing changes in the roadmap"
        head = _outcome(b, label(o.names, b.step, ids))
        out.append(_end(f"If {head} ({chance}known {day(s, b.known_at)}): {what}"))
    return tuple(out)


def brief_of(o: Outline, roadmap: str, ids: bool = False) -> Brief:
    """The brief's content (see the module); `ids` puts each step's id after its name."""
    verdict, clean = _verdict(o, roadmap)
    red, kept = _red_lines(o, ids)
    until, groups, marks = _first(o, ids)
    return Brief(
        title=o.scenario.name,
        roadmap=roadmap,
        verdict=verdict,
        clean=clean,
        finish=_finish(o),
        leverage=_leverage(o, ids),
        chain=_chain(o, ids),
        ledger=_ledger(o, ids),
        first_until=until,
        first=groups,
        first_marks=marks,
        red_lines=red,
        red_lines_kept=kept,
        contingencies=_contingencies(o, ids),
    )


# ---- text -------------------------------------------------------------------------------


def _wrap(text: str, first: str = "", rest: str = "  ") -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    ) or [first.rstrip()]


def entry_text(e: Entry) -> str:
    """'24 May 2027 — United States: License potash ← Belarus: Agree revenue sharing,
    verified by US Treasury'."""
    head = f"{e.date} — {e.actor}: {e.name}"
    if e.counters:
        earned = " + ".join(
            f"{c.actor}: {c.name}" + (f", verified by {c.verifier}" if c.verifier else "")
            for c in e.counters
        )
        head += f" ← {earned}"
    return head + (f" ({e.note})" if e.note else "")


def brief_text(o: Outline, roadmap: str, ids: bool = False) -> str:
    """The brief as plain text, lines of at most 96 characters."""
    b = brief_of(o, roadmap, ids)
    lines = [b.title, f"Brief on the roadmap {b.roadmap}", ""]
    lines += _wrap(b.verdict, "Verdict: ")
    lines += _wrap(b.finish, "Finish: ")
    for text in b.leverage:
        lines += _wrap(text, "Leverage: ")
    if b.leverage:
        lines += _wrap(f"({sentence(AHEAD_WORDS)})", "  ", "  ")
    if b.chain:
        lines += _wrap(b.chain, "Critical chain: ")
    lines += ["", "The exchange: each relief step, dated, ← the counter-steps that earn it"]
    if not b.ledger:
        lines.append("  no relief step is scheduled")
    for e in b.ledger:
        lines += _wrap(entry_text(e), "  ", "      ")
    lines += ["", f"The first 90 days ({b.first_until})"]
    for actor, items in b.first:
        lines += _wrap(items, f"  {actor}: ", "      ")
    for mark in b.first_marks:
        lines += _wrap(sentence(mark), "  ", "      ")
    lines += [""]
    lines += _wrap(b.red_lines, "Red lines: ")
    if b.contingencies:
        lines += ["", "Contingencies (`planner contingency` plans each)"]
        for c in b.contingencies:
            lines += _wrap(c, "  ", "      ")
    return "\n".join(lines)


# ---- Markdown and HTML ----------------------------------------------------------------------


def brief_context(o: Outline, roadmap: str, ids: bool = False) -> dict[str, Any]:
    """The brief's content for the templates (`_brief.html.j2`, `_brief.md.j2`)."""
    b = brief_of(o, roadmap, ids)
    return {
        "brief": b,
        "ahead_words": sentence(AHEAD_WORDS),
        "ledger": [
            {
                "date": e.date,
                "actor": e.actor,
                "name": e.name,
                "step": e.step,
                "counters": [
                    {"step": c.step, "actor": c.actor, "name": c.name, "verifier": c.verifier}
                    for c in e.counters
                ],
                "note": e.note,
            }
            for e in b.ledger
        ],
    }


def _render(template: str, fmt: str, context: Mapping[str, Any]) -> str:
    from planner.render.document import render

    return render(template, fmt, context)


def brief_markdown(o: Outline, roadmap: str, ids: bool = False) -> str:
    """The brief as Markdown."""
    return _render("brief.md.j2", "md", brief_context(o, roadmap, ids))


def brief_html(o: Outline, roadmap: str, ids: bool = False) -> str:
    """The brief as one self-contained HTML page that prints on one A4 page."""
    return _render("brief.html.j2", "html", brief_context(o, roadmap, ids))
