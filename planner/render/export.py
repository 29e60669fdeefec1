"""The timeline as data: CSV (one row per step, or per phase and actor for the leverage)
and JSON (everything, described by `docs/timeline.schema.json`). Pure functions of an
`Outline`. The columns are stable: new ones may be added at the end, none is renamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from planner.render.escape import csv_cell
from planner.render.outline import Outline, Row
from planner.render.phases import Span
from planner.render.timeline import COLUMNS, TIME_COLUMNS, leverage_rows

TIMELINE_SCHEMA_ID = "relief-planner/timeline/1"


def _date(o: Outline, t: int | None) -> str | None:
    if t is None:
        return None
    date = o.scenario.date_of(t)
    return None if date is None else date.isoformat()


def csv_columns(columns: Sequence[str]) -> list[str]:
    """CSV column names for the chosen timeline columns: each time column is followed by
    its calendar date (`start_date`, ...), and `counter` lists ids separated by ';'."""
    out: list[str] = []
    for c in columns:
        out.append(c)
        if c in TIME_COLUMNS:
            out.append(f"{c}_date")
    return out


#: The CSV's columns without --columns: every column, in this order.
ALL_CSV_COLUMNS = csv_columns(
    ["phase", "step", "actor", "package", "kind", "title", "value", "start", "end", "done",
     "verifier", "verified", "counter", "source"]
)  # fmt: skip
assert set(ALL_CSV_COLUMNS) >= set(COLUMNS)


def _csv_cell(o: Outline, name: str, row: Row) -> Any:
    if name.endswith("_date"):
        return _date(o, getattr(row, name.removesuffix("_date"))) or ""
    if name == "counter":
        return ";".join(row.counter)
    value = getattr(row, name)
    return "" if value is None else value


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text; a text cell that a spreadsheet would run as a formula is written with a
    `'` before it (`escape.csv_cell`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def timeline_csv(o: Outline, columns: Sequence[str] | None = None, view: str = "time") -> str:
    """One row per scheduled step (by start time) with the chosen columns (all by
    default); with `view` "leverage", one row per phase and actor."""
    if view == "leverage":
        rows = leverage_rows(o)
        header = ["phase", "phase_number", "actor", "given", "received", "given_total",
                  "received_total", "exposure", "peak", "peak_at", "peak_at_date"]  # fmt: skip
        return _csv(header, [[*r.values(), _date(o, r["peak_at"]) or ""] for r in rows])
    names = csv_columns(columns) if columns else ALL_CSV_COLUMNS
    return _csv(names, [[_csv_cell(o, n, r) for n in names] for r in o.rows])


def _phase_json(o: Outline, number: int, p: Span) -> dict[str, Any]:
    return {
        "number": number,
        "id": p.id,
        "title": p.title,
        "declared": p.declared,
        "start": p.start,
        "start_date": _date(o, p.start),
        "end": p.end,
        "end_date": _date(o, p.end),
        "ends": p.ends,
    }


def _row_json(o: Outline, r: Row) -> dict[str, Any]:
    return {
        "step": r.step,
        "actor": r.actor,
        "package": r.package,
        "kind": r.kind,
        "title": r.title,
        "value": r.value,
        "phase": r.phase,
        "start": r.start,
        "start_date": _date(o, r.start),
        "end": r.end,
        "end_date": _date(o, r.end),
        "done": r.done,
        "done_date": _date(o, r.done),
        "verifier": r.verifier or None,
        "verified": r.verified,
        "verified_date": _date(o, r.verified),
        "counter": list(r.counter),
        "unanswered": list(r.unanswered),
        "source": r.source,
    }


def timeline_doc(o: Outline) -> dict[str, Any]:
    """The whole timeline as plain data (schema `docs/timeline.schema.json`)."""
    s = o.scenario
    return {
        "schema": TIMELINE_SCHEMA_ID,
        "scenario": s.name,
        "unit": s.unit,
        "start_date": s.start.isoformat() if s.start else None,
        "phases": [_phase_json(o, i, p) for i, p in enumerate(o.phases, 1)],
        "gates": [
            {
                "rule": g.rule,
                "opens": g.opens,
                "opens_date": _date(o, g.opens),
                "when": list(g.when),
            }
            for g in o.gates
        ],
        "steps": [_row_json(o, r) for r in o.rows],
        "links": [{"rule": a.rule, "give": a.give, "counter": a.counter} for a in o.links],
        "leverage": leverage_rows(o),
        "curves": [
            {
                "actor": actor,
                "points": [{"time": t, "given": g, "received": r} for t, g, r in points],
            }
            for actor, points in o.curves.items()
        ],
        "balance": [
            {
                "rule": c.rule,
                "margin": c.margin,
                "points": [{"time": t, "level": level} for t, level in c.points],
            }
            for c in o.balance
        ],
        "left_out": [
            {"step": x.step, "title": x.title, "why": x.why, "rules": list(x.rules)}
            for x in o.left_out
        ],
        "notes": list(o.notes),
    }


def timeline_json(o: Outline) -> str:
    return json.dumps(timeline_doc(o), indent=2, ensure_ascii=False)
