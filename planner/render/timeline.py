"""Timelines: who does what when, as tables in any `tabulate` format. Pure functions: they
read an `Outline` (a roadmap with what its check report recorded) and never check.

Words before ids: a table names each step by its short name (`planner.render.words`) in
the `step` column, packages and counter-steps likewise; `ids=True` (the command line's
`--ids`) adds an `id` column after it. Machine outputs (CSV, JSON) keep the ids.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from planner.check import Report
from planner.render.escape import md_text
from planner.render.outline import Outline, Row, outline
from planner.render.phases import Span
from planner.scenario import Scenario
from planner.whatif.risk import Finish

TIMELINE_VIEWS = ("time", "phase", "actor", "package", "leverage")

#: Every column a timeline table can show: its name (for --columns) and its heading. In a
#: table `step`, `package` and `counter` show names; in CSV and JSON, ids.
COLUMNS: dict[str, str] = {
    "start": "start",
    "end": "end",
    "done": "done",
    "step": "step",
    "actor": "actor",
    "package": "package",
    "kind": "kind",
    "title": "title",
    "value": "value",
    "verifier": "verified by",
    "verified": "verification ends",
    "counter": "in return for",
    "source": "source",
    "phase": "phase",
}
DEFAULT_COLUMNS = ("start", "end", "done", "step", "actor", "package")
#: The column `ids=True` adds after `step` (the step's id).
ID_COLUMN = "id"
TIME_COLUMNS = frozenset({"start", "end", "done", "verified"})
#: Columns of free text, cut (the longest first) to fit a narrow terminal.
TEXT_COLUMNS = ("source", "title", "verifier", "counter", "step", "package")
#: Text is never cut below this many characters.
MIN_CUT = 12

#: The leverage table's columns (--by leverage), with their headings.
LEVERAGE_COLUMNS: dict[str, str] = {
    "phase": "phase",
    "actor": "actor",
    "given": "given",
    "received": "received",
    "given_total": "given so far",
    "received_total": "received so far",
    "exposure": "net exposure at end",
    "peak": "peak net exposure",
    "peak_at": "peak reached",
}

#: What the two measures of leverage mean, in one sentence each (every output that shows
#: one says it).
NET_EXPOSURE_WORDS = (
    "net exposure: what a party has given (its steps that benefit another party, counted "
    "from their start while in force) minus what it has received (the other parties' steps "
    "done for it), in value units: what it has put on the table and not yet been paid "
    "back for"
)
AHEAD_WORDS = (
    "concessions ahead: as a balance rule measures it, the value of one side's concessions "
    "started minus the value of the other side's verified steps done; the rule's margin "
    "caps it, and the `exposure` objective makes its peak small"
)

#: Formats read in a terminal, where long text is cut to fit the terminal's width;
#: documents (github, html, latex, ...) keep it whole.
TERMINAL_FORMATS = frozenset(
    {"simple", "plain", "grid", "simple_grid", "rounded_grid", "heavy_grid", "mixed_grid",
     "double_grid", "fancy_grid", "outline", "simple_outline", "rounded_outline",
     "heavy_outline", "mixed_outline", "double_outline", "fancy_outline", "psql", "presto",
     "orgtbl", "pretty"}
)  # fmt: skip
MARKDOWN_FORMATS = frozenset({"github", "pipe"})
HTML_FORMATS = frozenset({"html", "unsafehtml"})

#: How far `plan` cuts free text in its table when it prints to a terminal.
TITLE_WIDTH = 64


def parse_columns(text: str) -> tuple[str, ...]:
    """Column names from `--columns`: a comma-separated list of names, where `default`
    and `all` stand for those sets.

    Raises
    ------
    ValueError
        An unknown name, or no column at all.
    """
    out: list[str] = []
    for name in (n.strip() for n in text.split(",")):
        if not name:
            continue
        if name == "default":
            out += DEFAULT_COLUMNS
        elif name == "all":
            out += COLUMNS
        elif name in COLUMNS:
            out.append(name)
        else:
            raise ValueError(
                f"unknown column '{name}'; choose from {', '.join(COLUMNS)}, default, all"
            )
    if not out:
        raise ValueError("no column given")
    return tuple(dict.fromkeys(out))


# ---- cells ------------------------------------------------------------------------------


def when(scenario: Scenario, t: int) -> str:
    """'week 10', with the calendar date when the scenario has a start date."""
    text = f"{scenario.unit} {t}"
    date = scenario.date_of(t)
    return text if date is None else f"{text} ({date.isoformat()})"


def risk_words(scenario: Scenario, finish: Finish) -> str:
    """'P50 week 56, P80 week 63 over 500 simulated runs': the finish's risk, beside the
    finish date (`planner.whatif.risk`)."""
    unit = scenario.unit
    return f"P50 {unit} {finish.p50}, P80 {unit} {finish.p80} over {finish.runs} simulated runs"


def finish_doc(finish: Finish) -> dict[str, int]:
    """The finish and its risk as plain data (JSON)."""
    return {"planned": finish.planned, "p50": finish.p50, "p80": finish.p80,
            "runs": finish.runs, "seed": finish.seed}  # fmt: skip


def sentence(text: str) -> str:
    """A clause as a sentence: its first letter capital, a full stop at the end."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def span_text(scenario: Scenario, span: Span) -> str:
    """A phase's time, from its start *until* its end (the instant the step that ends it
    is done, the date a done time shows): 'week 2 until week 12, 2027-01-18 until
    2027-03-29', 'from week 25 (...)'."""
    unit = scenario.unit
    if span.start is None:
        return "not reached in this roadmap"
    if span.end is None:
        return f"from {when(scenario, span.start)}"
    if span.end <= span.start:
        return f"no time of its own in this roadmap, at {unit} {span.start}"
    text = f"{unit} {span.start} until {unit} {span.end}"
    first, after = scenario.date_of(span.start), scenario.date_of(span.end)
    if first is not None and after is not None:
        text += f", {first.isoformat()} until {after.isoformat()}"
    return text


def phase_heading(scenario: Scenario, number: int, span: Span) -> str:
    """'Phase 2: Good-faith opening (week 2 until week 12, ...; ends when X is done)';
    fixed periods, named by their times: 'Phase 1: week 0 until week 13 (2027-01-04 until
    2027-04-05)'."""
    detail = span_text(scenario, span)
    if span.declared and span.ends and span.start is not None:
        detail += f"; ends {span.ends}"
    head, _, dates = detail.partition(", ")
    if span.title == head:
        return f"Phase {number}: {head}" + (f" ({dates})" if dates else "")
    return f"Phase {number}: {span.title} ({detail})"


def counter_text(row: Row, names: Mapping[str, str] | None = None) -> str:
    """The counter-steps a give step is traded against (by `names`, else ids); 'none
    (rule)' where none is."""
    named = [names.get(c, c) for c in row.counter] if names is not None else list(row.counter)
    return ", ".join(named + [f"none ({rule})" for rule in row.unanswered])


def cell(o: Outline, column: str, row: Row) -> str:
    """The text of one cell of a step's row, as a person reads it: names before ids."""
    if column in TIME_COLUMNS:
        value = getattr(row, column)
        return "" if value is None else when(o.scenario, value)
    if column == "counter":
        return counter_text(row, o.names)
    if column == "step":
        return o.names.get(row.step, row.step)
    if column == ID_COLUMN:
        return row.step
    if column == "package":
        return o.package_names.get(row.package, row.package)
    return str(getattr(row, column))


def _escape(text: str, tablefmt: str) -> str:
    """Cell text that keeps the table whole and inert: in Markdown on one line (a newline
    would end the row), with no link, HTML or '|' of its own (`escape.md_text`)."""
    if tablefmt in MARKDOWN_FORMATS:
        return md_text(text)
    return text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def heading(text: str, tablefmt: str) -> str:
    """A group's title as the format writes titles (a Markdown heading, an HTML h3...)."""
    if tablefmt in MARKDOWN_FORMATS:
        return f"### {md_text(text)}\n"
    if tablefmt in HTML_FORMATS:
        return f"<h3>{html.escape(text)}</h3>"
    if tablefmt.startswith("latex"):
        escaped = "".join("\\" + c if c in "&%$#_{}" else c for c in text)
        return f"\\subsection*{{{escaped}}}"
    return text


def text_block(text: str, tablefmt: str) -> str:
    """Lines of plain text (a chain, the irreversible exposure) as the format keeps them
    whole: fenced in Markdown, preformatted in HTML, as they are elsewhere."""
    if tablefmt in MARKDOWN_FORMATS:
        return f"```\n{text}\n```"
    if tablefmt in HTML_FORMATS:
        return f"<pre>{html.escape(text)}</pre>"
    return text


def _note(text: str, tablefmt: str) -> str:
    if tablefmt in MARKDOWN_FORMATS:
        return f"_{md_text(text)}_"
    if tablefmt in HTML_FORMATS:
        return f"<p>{html.escape(text)}</p>"
    return text


# ---- tables -----------------------------------------------------------------------------


def _table(
    headers: Sequence[str],
    body: list[list[str]],
    tablefmt: str,
    text_columns: Sequence[int],
    width: int | None,
    cut: int | None,
    align: Sequence[str] | None = None,
) -> str:
    """A tabulate table; in a terminal format, free-text columns are cut to `cut`
    characters, then further, longest first, until the table fits in `width`."""
    from tabulate import tabulate  # imported where used: `check` never needs it

    terminal = tablefmt in TERMINAL_FORMATS
    if terminal and cut:
        body = [[_cut(v, cut) if i in text_columns else v for i, v in enumerate(r)] for r in body]
    body = [[_escape(v, tablefmt) for v in r] for r in body]

    def render(rows: list[list[str]]) -> str:
        return tabulate(
            rows, headers=list(headers), tablefmt=tablefmt, disable_numparse=True, colalign=align
        )

    text = render(body)
    if not (terminal and width and text_columns):
        return text
    for _ in range(2 * len(text_columns) + 2):
        excess = max(len(line) for line in text.splitlines()) - width
        if excess <= 0:
            break
        longest = {i: max((len(r[i]) for r in body), default=0) for i in text_columns}
        i = max(longest, key=lambda k: longest[k])
        if longest[i] <= MIN_CUT:
            break
        limit = max(MIN_CUT, longest[i] - excess)
        body = [[_cut(v, limit) if j == i else v for j, v in enumerate(r)] for r in body]
        text = render(body)
    return text


def _rows_table(
    o: Outline,
    rows: Sequence[Row],
    columns: Sequence[str],
    tablefmt: str,
    width: int | None,
    cut: int | None,
    extra: Mapping[str, Mapping[str, str]],
) -> str:
    body = [[extra[c].get(r.step, "") if c in extra else cell(o, c, r) for c in columns]
            for r in rows]  # fmt: skip
    text_columns = [i for i, c in enumerate(columns) if c in TEXT_COLUMNS]
    headers = [c if c in extra or c == ID_COLUMN else COLUMNS[c] for c in columns]
    return _table(headers, body, tablefmt, text_columns, width, cut)


def _with_extra(
    columns: Sequence[str], extra: Mapping[str, Mapping[str, str]], ids: bool = False
) -> list[str]:
    """The columns with the id after the step (`ids`) and the `extra` ones before the
    title (at the end without a title)."""
    shown = [c for c in columns if c not in extra and c != ID_COLUMN]
    if ids:
        at = shown.index("step") + 1 if "step" in shown else 0
        shown = [*shown[:at], ID_COLUMN, *shown[at:]]
    at = shown.index("title") if "title" in shown else len(shown)
    return shown[:at] + list(extra) + shown[at:]


def leverage_rows(o: Outline) -> list[dict[str, Any]]:
    """The leverage table, one row per phase and actor (from the first phase in which the
    actor gives or receives anything), as plain values."""
    number = {p.id: i for i, p in enumerate(o.phases, 1)}
    actors = {a: i for i, a in enumerate(o.scenario.actors)}
    out = []
    for lev in sorted(o.leverage, key=lambda x: (number[x.phase], actors.get(x.actor, 0))):
        if not (lev.given_total or lev.received_total):
            continue
        out.append(
            {
                "phase": lev.phase,
                "phase_number": number[lev.phase],
                "actor": lev.actor,
                "given": lev.given,
                "received": lev.received,
                "given_total": lev.given_total,
                "received_total": lev.received_total,
                "exposure": lev.exposure,
                "peak": lev.peak,
                "peak_at": lev.peak_at,
            }
        )
    return out


def leverage_table(o: Outline, tablefmt: str, width: int | None = None) -> str:
    """Per actor and phase: value given and received in it, so far, the net exposure at
    its end and its peak (README: Leverage and exposure)."""
    titles = {p.id: f"{i}. {p.title}" for i, p in enumerate(o.phases, 1)}
    body = []
    for row in leverage_rows(o):
        body.append(
            [
                titles[row["phase"]],
                row["actor"],
                str(row["given"]),
                str(row["received"]),
                str(row["given_total"]),
                str(row["received_total"]),
                str(row["exposure"]),
                str(row["peak"]),
                when(o.scenario, row["peak_at"]),
            ]
        )
    align = ("left", "left", *["right"] * 6, "left")
    return _table(list(LEVERAGE_COLUMNS.values()), body, tablefmt, [0], width, None, align)


def render_timeline(
    o: Outline,
    view: str = "time",
    tablefmt: str = "simple",
    columns: Sequence[str] = DEFAULT_COLUMNS,
    width: int | None = None,
    cut: int | None = None,
    extra: Mapping[str, Mapping[str, str]] | None = None,
    ids: bool = False,
) -> str:
    """Who does what when: one table by time, or one table per phase / actor / package,
    or the leverage table. In terminal formats long text is cut to `cut` characters and
    to fit in `width`; document formats keep it whole. `extra` adds columns (name ->
    step -> cell) before the title, such as the slack; `ids` the step ids."""
    scenario = o.scenario
    added = dict(extra or {})
    columns = _with_extra(columns, added, ids)
    notes = [_note(f"Note: {n}", tablefmt) for n in o.notes]
    if view == "leverage":
        words = _note(sentence(NET_EXPOSURE_WORDS), tablefmt)
        return "\n\n".join([leverage_table(o, tablefmt, width), words, *notes])
    if view == "time":
        return "\n\n".join([_rows_table(o, o.rows, columns, tablefmt, width, cut, added), *notes])
    groups: list[tuple[str, list[Row]]] = []
    if view == "phase":
        for i, span in enumerate(o.phases, 1):
            groups.append(
                (phase_heading(scenario, i, span), [r for r in o.rows if r.phase == span.id])
            )
        shown = list(columns)
    else:
        keys: Mapping[str, str] = (
            scenario.actors if view == "actor" else {p.id: p.title for p in scenario.packages}
        )  # (a group's heading: its full name after its id)
        for key, name in keys.items():
            items = [r for r in o.rows if getattr(r, view) == key]
            if items:
                groups.append((f"{key}: {name}", items))
        shown = [c for c in columns if c != view] or list(columns)
    parts = []
    for title, items in groups:
        if items:
            body = _rows_table(o, items, shown, tablefmt, width, cut, added)
        else:
            body = _note("No step starts in this phase.", tablefmt)
        parts.append(f"{heading(title, tablefmt)}\n{body}")
    return "\n\n".join(parts + notes)


def timeline(
    scenario: Scenario,
    starts: Mapping[str, int],
    view: str = "time",
    tablefmt: str = "simple",
    phase: int | None = None,
    report: Report | None = None,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    width: int | None = None,
    cut: int | None = None,
    ids: bool = False,
) -> str:
    """Who does what when (`render_timeline` of the roadmap's outline). Give the
    roadmap's check `report` for the counter-steps each give step is traded against."""
    return render_timeline(
        outline(scenario, starts, report, phase), view, tablefmt, columns, width, cut, ids=ids
    )
