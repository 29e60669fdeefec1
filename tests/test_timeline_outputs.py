"""Memo-ready timelines: phases (declared, or derived from the gates), the counter-steps
each give step answers, the leverage by actor and phase, every time dated, and the CSV
and JSON exports (the JSON validated against docs/timeline.schema.json).

The tiny deal used throughout (weeks from Monday 2027-01-04):

    by-pledge   BY  start 0, 2 weeks, verified by monitors in 2 more: done 4; value 5
    us-pledge   US  start 0, 1 week: done 1; value 3
    by-terms    BY  start 1, 1 week: done 2; value 2
    us-relief   US  start 4, 1 week: done 5; value 4 (kind relief)

    gate:        us-relief waits until by-pledge is done (it opens in week 4)
    reciprocity: us-relief needs a counter-step among by-pledge (done 4 <= start 4: answered)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from planner.api import load_scenario
from planner.check import check
from planner.render.export import timeline_csv, timeline_doc, timeline_json
from planner.render.outline import outline
from planner.render.timeline import parse_columns, render_timeline
from planner.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "timeline.schema.json").read_text())

PACKAGES = """\
scenario:
  name: Tiny deal
  start: 2027-01-04
{phases}
actors: {{US: United States, BY: Belarus}}
packages:
  - id: main
    title: The bargain
    steps:
      - {{id: by-pledge, actor: BY, kind: commitment, title: "Pledge | in writing", duration: 2, value: 5,
         verify: {{by: monitors, duration: 2}}, source: "Belarus should pledge."}}
      - {{id: us-pledge, actor: US, kind: commitment, duration: 1, value: 3}}
      - {{id: by-terms, actor: BY, kind: commitment, duration: 1, value: 2}}
      - {{id: us-relief, actor: US, kind: relief, duration: 1, value: 4}}
"""
PHASES = """\
  phases:
    - {id: opening, title: Opening, until: by-pledge}
    - {id: relief, title: Relief, until: us-relief}
    - {id: later, title: Later}
"""
RULES = """\
rules:
  - {id: pledge-gate, kind: gate, when: [by-pledge], opens: [us-relief], source: Security first.}
  - {id: relief-for-pledge, kind: reciprocity, give: [us-relief], get: [by-pledge], source: Action for action.}
"""
STARTS = {"by-pledge": 0, "us-pledge": 0, "by-terms": 1, "us-relief": 4}


def tiny(tmp_path: Path, phases: str = PHASES) -> Scenario:
    (tmp_path / "packages.yaml").write_text(PACKAGES.format(phases=phases))
    (tmp_path / "constraints").mkdir(exist_ok=True)
    (tmp_path / "constraints" / "rules.yaml").write_text(RULES)
    return load_scenario(tmp_path / "packages.yaml", tmp_path / "constraints")


def test_declared_phases_end_when_their_step_is_done(tmp_path: Path) -> None:
    """opening ends when by-pledge is done (week 4), relief when us-relief is (week 5),
    later runs to the end; a step is in the phase it starts in."""
    s = tiny(tmp_path)
    o = outline(s, STARTS, check(s, STARTS))
    assert [(p.id, p.start, p.end) for p in o.phases] == [
        ("opening", 0, 4),
        ("relief", 4, 5),
        ("later", 5, None),
    ]
    assert {r.step: r.phase for r in o.rows} == {
        "by-pledge": "opening",
        "us-pledge": "opening",
        "by-terms": "opening",
        "us-relief": "relief",
    }


def test_phases_derived_from_the_gate_without_declared_ones(tmp_path: Path) -> None:
    """Without `phases`: before the gate opens (weeks 0-3), then until the last relief is
    done (us-relief, week 5), then after it."""
    s = tiny(tmp_path, phases="")
    o = outline(s, STARTS, check(s, STARTS))
    assert [(p.title, p.start, p.end) for p in o.phases] == [
        ("Before the pledge gate opens", 0, 4),
        ("The pledge gate open, until the last relief is done", 4, 5),
        ("After the last relief", 5, None),
    ]
    assert [g.opens for g in o.gates] == [4]


def test_a_phase_whose_step_is_left_out_runs_to_the_end(tmp_path: Path) -> None:
    """us-relief is not in this roadmap: 'relief' never ends, 'later' is never reached,
    and a note says so."""
    s = tiny(tmp_path)
    starts = {k: v for k, v in STARTS.items() if k != "us-relief"}
    o = outline(s, starts, check(s, starts))
    assert [(p.id, p.start, p.end) for p in o.phases] == [
        ("opening", 0, 4),
        ("relief", 4, None),
        ("later", None, None),
    ]
    assert any("us-relief is not in the roadmap" in n for n in o.notes)


def test_the_counter_step_comes_from_the_check_report(tmp_path: Path) -> None:
    """us-relief is answered by by-pledge (done week 4, relief starts week 4); moved to
    week 3 it is unanswered, and the row says under which rule."""
    s = tiny(tmp_path)
    o = outline(s, STARTS, check(s, STARTS))
    assert {r.step: r.counter for r in o.rows}["us-relief"] == ("by-pledge",)
    early = dict(STARTS, **{"us-relief": 3})
    row = next(r for r in outline(s, early, check(s, early)).rows if r.step == "us-relief")
    assert row.counter == () and row.unanswered == ("relief-for-pledge",)
    assert "none (relief-for-pledge)" in render_timeline(
        outline(s, early, check(s, early)), "time", "github", ("step", "counter")
    )


def test_leverage_by_actor_and_phase(tmp_path: Path) -> None:
    """US and BY trade (the reciprocity rule). The U.S. gives us-pledge (3, week 0) and
    us-relief (4, week 4); it receives by-terms (2, done week 2) and by-pledge (5, done
    week 4). So in 'opening' it gives 3, receives 2: exposure 1 at the end, peak 3 in
    week 0; in 'relief' it gives 4 and receives 5: even. Belarus gives 5 + 2 in
    'opening' and receives us-pledge (3, done week 1): exposure 4, peak 5 in week 0;
    us-relief is done in week 5, in 'later': even again."""
    s = tiny(tmp_path)
    o = outline(s, STARTS, check(s, STARTS))
    got = {
        (x.phase, x.actor): (x.given, x.received, x.exposure, x.peak, x.peak_at) for x in o.leverage
    }
    assert got == {
        ("opening", "US"): (3, 2, 1, 3, 0),
        ("relief", "US"): (4, 5, 0, 0, 4),
        ("later", "US"): (0, 0, 0, 0, 5),
        ("opening", "BY"): (7, 3, 4, 5, 0),
        ("relief", "BY"): (0, 0, 4, 4, 4),
        ("later", "BY"): (0, 4, 0, 0, 5),
    }


def test_every_time_column_is_dated_and_titles_stay_whole_in_markdown(tmp_path: Path) -> None:
    """Week 4 is Monday 2027-02-01; a '|' in a name is escaped so the Markdown table keeps
    its columns; the verifier and the verification end have their columns. Steps are
    named by their short names (a title at most 40 characters long is its own)."""
    s = tiny(tmp_path)
    o = outline(s, STARTS, check(s, STARTS))
    text = render_timeline(o, "phase", "github", parse_columns("default,verifier,verified"))
    assert (
        "### Phase 1: Opening (week 0 until week 4, 2027-01-04 until 2027-02-01; ends when "
        "Pledge \\| in writing is done)" in text
    )
    row = next(line for line in text.splitlines() if line.startswith("|") and "Pledge" in line)
    assert row.count(" | ") == 7  # eight cells: the escaped '|' is not a separator
    assert "Pledge \\| in writing" in row and "by-pledge" not in row
    assert "week 4 (2027-02-01)" in row and "monitors" in row
    with_ids = render_timeline(o, "time", "github", parse_columns("default"), ids=True)
    assert with_ids.splitlines()[0].split("|")[4:6] == [" step                 ", " id        "]
    assert "| Pledge \\| in writing | by-pledge |" in with_ids


def test_a_phase_runs_until_the_date_its_step_is_done(tmp_path: Path) -> None:
    """The small thing of issue 21: a step shown 'done week 4 (2027-02-01)' ended a phase
    shown '... to 2027-01-31'. A phase now runs *until* the instant its step is done, the
    same date the step's done cell shows (by-pledge: done week 4, Monday 2027-02-01)."""
    s = tiny(tmp_path)
    o = outline(s, STARTS, check(s, STARTS))
    text = render_timeline(o, "phase", "plain", parse_columns("done,step"))
    assert "Phase 1: Opening (week 0 until week 4, 2027-01-04 until 2027-02-01;" in text
    done = next(line for line in text.splitlines() if line.endswith("Pledge | in writing"))
    assert done.split()[:3] == ["week", "4", "(2027-02-01)"]
    assert "to 2027-01-31" not in text


def test_unknown_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown column 'colour'"):
        parse_columns("start,colour")
    assert parse_columns("default,source")[-1] == "source"
    assert parse_columns("all")[0] == "start"


def test_csv_columns_are_stable(tmp_path: Path) -> None:
    """One row per step, by start; each time with its date; counter-steps ';'-joined."""
    s = tiny(tmp_path)
    o = outline(s, STARTS, check(s, STARTS))
    rows = list(csv.DictReader(io.StringIO(timeline_csv(o))))
    assert list(rows[0]) == [
        "phase", "step", "actor", "package", "kind", "title", "value", "start", "start_date",
        "end", "end_date", "done", "done_date", "verifier", "verified", "verified_date",
        "counter", "source",
    ]  # fmt: skip
    relief = rows[-1]
    assert (relief["step"], relief["start"], relief["start_date"]) == (
        "us-relief",
        "4",
        "2027-02-01",
    )
    assert relief["counter"] == "by-pledge" and relief["verified"] == ""
    leverage = list(csv.DictReader(io.StringIO(timeline_csv(o, view="leverage"))))
    assert leverage[0]["phase"] == "opening" and leverage[0]["actor"] == "US"
    assert leverage[0]["peak_at_date"] == "2027-01-04"


def test_json_validates_against_its_schema(tmp_path: Path) -> None:
    s = tiny(tmp_path)
    o = outline(s, STARTS, check(s, STARTS))
    doc = json.loads(timeline_json(o))
    jsonschema.validate(doc, SCHEMA)
    assert doc == timeline_doc(o)
    assert doc["links"] == [
        {"rule": "relief-for-pledge", "give": "us-relief", "counter": "by-pledge"}
    ]
    assert [p["id"] for p in doc["phases"]] == ["opening", "relief", "later"]


def test_json_of_the_default_roadmap_validates_too() -> None:
    from planner.api import load_roadmap

    s = load_scenario()
    r = load_roadmap(ROOT / "examples" / "brief-roadmap.yaml", s)
    doc = timeline_doc(outline(s, r.starts, check(s, r.starts)))
    jsonschema.validate(doc, SCHEMA)
    # 78 steps: 7 red lines, the optional E.U. track (2 steps) and the optional Klaipėda
    # transit left out; the snapback happens only if the end-use checks fail, so it is no
    # step of the main roadmap, not even a left-out one.
    assert len(doc["steps"]) == 68 and len(doc["left_out"]) == 10
    whys = sorted(x["why"].split(":")[0] for x in doc["left_out"])
    assert whys == ["a red line"] * 7 + ["optional, not in the roadmap"] * 3


def test_an_actor_that_trades_with_no_one_is_not_drawn_as_exposure(tmp_path: Path) -> None:
    """NATO opens a dialogue worth 2 that no rule trades and that names no `for:`: NATO
    trades with no one, so it gives nobody anything and has no row in the leverage table
    and no curve (issue 21: NATO, the IFIs and the EU drawn with 3-5 'received by
    nobody'). US and BY, who trade, keep theirs."""
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "rules.yaml").write_text(
        "rules:\n  - {id: r, kind: reciprocity, give: [us-relief], get: [by-step], source: s}\n"
    )
    (tmp_path / "packages.yaml").write_text(
        "scenario: {name: t, unit: week}\n"
        "actors: {US: United States, BY: Belarus, NATO: NATO allies}\n"
        "packages:\n"
        "  - id: main\n"
        "    title: Main\n"
        "    steps:\n"
        "      - {id: by-step, actor: BY, kind: commitment, duration: 1, value: 3}\n"
        "      - {id: us-relief, actor: US, kind: relief, duration: 1, value: 3}\n"
        "      - {id: nato-dialogue, actor: NATO, kind: dialogue, duration: 2, value: 2}\n"
    )
    s = load_scenario(tmp_path / "packages.yaml", tmp_path / "constraints")
    starts = {"by-step": 0, "us-relief": 1, "nato-dialogue": 0}
    o = outline(s, starts, check(s, starts))
    assert {x.actor for x in o.leverage} == {"US", "BY"}
    assert set(o.curves) == {"US", "BY"}
