"""`planner gantt` and `planner report`: what the chart and the report hold (one bar per
scheduled step, the verification tails, the reciprocity links, legend entries; every
section of the report, escaped text, no request leaving the file), that the same roadmap
gives the same bytes, and that bad options and outputs exit 2 in one line.

The tiny deal is the one of tests/test_timeline_outputs.py: four steps, by-pledge the
only one verified, us-relief answered by by-pledge, the gate opening in week 4.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from planner.api import load_roadmap, load_scenario
from planner.check import check
from planner.render.document import report_html, report_markdown
from planner.render.gantt import gantt_bytes, gantt_figure
from planner.render.mermaid import gantt_mermaid
from planner.render.outline import Outline, outline
from tests import browser
from tests.helpers import cli, imported_by
from tests.test_timeline_outputs import PHASES, STARTS, tiny

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "brief-roadmap.yaml"
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The command, in this process (`tests.helpers.cli`)."""
    return cli(*args)


def drawn(tmp_path: Path, starts: dict[str, int] = STARTS, phases: str = PHASES) -> Outline:
    s = tiny(tmp_path, phases)
    return outline(s, starts, check(s, starts))


def ids(svg: bytes) -> list[str]:
    return [e.get("id", "") for e in ET.fromstring(svg).iter() if e.get("id")]


def texts(svg: bytes) -> list[str]:
    return ["".join(e.itertext()) for e in ET.fromstring(svg).iter(f"{SVG}text")]


# ---- the chart ------------------------------------------------------------------------------


def test_one_bar_per_scheduled_step_and_a_tail_per_verification(tmp_path: Path) -> None:
    svg = gantt_bytes(drawn(tmp_path), "svg")
    found = ids(svg)
    assert sorted(i for i in found if i.startswith("step:")) == [
        "step:by-pledge", "step:by-terms", "step:us-pledge", "step:us-relief"
    ]  # fmt: skip
    assert [i for i in found if i.startswith("verify:")] == ["verify:by-pledge"]
    assert [i for i in found if i.startswith("link:")] == ["link:by-pledge->us-relief"]
    assert "gate:pledge-gate" in found
    # Phase boundaries where 'relief' and 'later' start (weeks 4 and 5).
    assert sorted(i for i in found if i.startswith("phase:")) == ["phase:later", "phase:relief"]


def test_labels_and_legend(tmp_path: Path) -> None:
    """Each step's short name labels its bar; the legend names every actor with a step,
    the kinds of act drawn, and the verification, link, gate, phase and milestone marks;
    the axis is dated (week 0 is 2027-01-04) and the top axis counts weeks."""
    words = texts(gantt_bytes(drawn(tmp_path), "svg"))
    for title in ("Pledge | in writing", "us-pledge", "by-terms", "us-relief"):
        assert title in words
    for entry in ("US: United States", "BY: Belarus", "verification, until done", "gate opens",
                  "phase boundary", "counter-step → what it earns", "relief: what is given up",
                  "commitment or other act", "milestone"):  # fmt: skip
        assert entry in words, entry
    assert "2027-01-04" in words and "week 0" in words
    assert "The bargain" in words  # the package's title heads its group
    assert "Tiny deal" in words
    # the chain: the pledge (verified), then the relief the gate holds for it
    assert (
        "4 steps · last done week 5 (2027-02-08) · critical chain: 2 steps · every hard rule kept"
        in words
    )


def test_without_a_start_date_the_axis_counts_units(tmp_path: Path) -> None:
    s = tiny(tmp_path)
    from dataclasses import replace

    undated = replace(s, start=None)
    words = texts(gantt_bytes(outline(undated, STARTS, check(undated, STARTS)), "svg"))
    # One axis, below, counting weeks (no second one on top saying the same).
    assert words.count("week 0") == 1 and "2027-01-04" not in words


def test_the_same_roadmap_gives_the_same_bytes(tmp_path: Path) -> None:
    o = drawn(tmp_path)
    for fmt in ("svg", "png", "pdf"):
        assert gantt_bytes(o, fmt) == gantt_bytes(o, fmt), fmt
    png, pdf = gantt_bytes(o, "png"), gantt_bytes(o, "pdf")
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF")
    assert b"CreationDate" not in pdf


def test_sixty_steps_stay_legible_on_a3_landscape(tmp_path: Path) -> None:
    """60 steps in 6 packages of 10 (66 lanes with the packages' own, more than an A4 page
    holds at 8 pt): every bar drawn, the figure A3 landscape, and each lane at least as
    tall as its 8 pt label (8.1 pt from ascent to descent) with a little room."""
    lines = ["scenario: {name: Sixty, start: 2027-01-04}", "actors: {US: us, BY: by}", "packages:"]
    for p in range(6):
        lines += [f"  - id: p{p}", "    steps:"]
        for i in range(10):
            actor = "US" if i % 2 else "BY"
            lines.append(
                f"      - {{id: s{p}-{i}, actor: {actor}, kind: k, duration: {1 + i % 4},"
                f" title: A fairly long title for step {i} of package {p} in the deal}}"
            )
    (tmp_path / "packages.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "r.yaml").write_text("rules: []\n")
    s = load_scenario(tmp_path / "packages.yaml", tmp_path / "c")
    starts = {sid: (n * 3) % 40 for n, sid in enumerate(s.steps)}
    o = outline(s, starts, check(s, starts))
    svg = gantt_bytes(o, "svg")
    assert len([i for i in ids(svg) if i.startswith("step:")]) == 60
    fig = gantt_figure(o)
    width, height = fig.get_size_inches()
    assert (round(width, 2), round(height, 2)) == (16.54, 11.69)
    axes = fig.axes[0]
    lo, hi = axes.get_ylim()  # lanes, milestones' sub-lanes included
    row_points = axes.get_position().height * height * 72 / abs(hi - lo)
    assert row_points >= 8.1 * 1.15


def test_mermaid_block(tmp_path: Path) -> None:
    """A fenced block GitHub draws: one task per step (a ':' in a title would start the
    task's fields, so it is replaced), the counter-step named in words, the verification
    as an `active` task, the gate's opening and the phases' ends as milestones; dates
    from the scenario's start."""
    text = gantt_mermaid(drawn(tmp_path))
    lines = text.splitlines()
    assert lines[:4] == ["```mermaid", "gantt", "    title Tiny deal", "    dateFormat YYYY-MM-DD"]
    assert lines[-1] == "```"
    assert "    section The bargain" in lines
    tasks = [line for line in lines if " :" in line]
    # `crit`: on the critical chain (the pledge, its verification, the relief it opens)
    assert "    Pledge | in writing (BY) :crit, 2027-01-04, 2027-01-18" in tasks
    assert "    verified by monitors :active, crit, 2027-01-18, 2027-02-01" in tasks
    assert "    License (US) ← by-pledge" not in text  # titles default to the id
    assert "    us-relief (US) ← Pledge | in writing :crit, 2027-02-01, 2027-02-08" in tasks
    assert "    Pledge gate opens :milestone, 2027-02-01, 0d" in tasks
    assert "    phase 1 ends :milestone, 2027-02-01, 0d" in tasks
    assert all(line.count(" :") == 1 for line in tasks)


# ---- the report -----------------------------------------------------------------------------


SCRIPT_TITLE = '<script>alert("x")</script> & co'


def test_a_title_with_a_script_tag_stays_text(tmp_path: Path) -> None:
    """The step title `<script>alert("x")</script> & co` shows as text in the HTML (in the
    tables and in the chart's SVG) and in the Markdown: no script element anywhere."""
    (tmp_path / "t").mkdir()
    s = tiny(tmp_path / "t")
    from dataclasses import replace

    steps = dict(s.steps)
    steps["us-pledge"] = replace(steps["us-pledge"], title=SCRIPT_TITLE)
    hostile = replace(s, steps=steps)
    o = outline(hostile, STARTS, check(hostile, STARTS))
    page = report_html(o, "r.yaml")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in page  # the tables
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; co' in page  # the SVG
    md = report_markdown(o, "r.yaml")
    assert "<script" not in md and "&lt;script&gt;" in md


def test_the_html_fetches_nothing(tmp_path: Path) -> None:
    """No script, no stylesheet or font link, no external image: only in-page references
    (`#p1a2b...` clip paths, `#check`); a Content-Security-Policy forbids any fetch."""
    page = report_html(drawn(tmp_path), "r.yaml")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", page, re.I)
    assert not re.search(r"<(script|link|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(?!#)", page)
    assert "@import" not in page
    assert "default-src 'none'" in page


def test_every_section_of_the_default_report() -> None:
    """The default roadmap's report: the verdict, the chart (one bar per each of the 68
    scheduled steps: the 71 of the best roadmap but the optional E.U. track and Klaipėda
    transit), a timeline table per phase (the 4 declared ones), the leverage curve and
    table, the 7 red-line steps left out with their rule, and the scenario's 313
    `# assumption:` notes (every one the loader reads)."""
    s = load_scenario()
    r = load_roadmap(EXAMPLE, s)
    page = report_html(outline(s, r.starts, check(s, r.starts)), "brief-roadmap.yaml")
    assert "Verdict: the roadmap keeps every hard rule." in page
    assert len(re.findall(r'<g id="step:', page)) == 68
    assert len(re.findall(r"<table class=\"timeline\">", page)) == 4
    assert "Phase 3: Graduated sectoral relief" in page
    assert '<g id="curve:US">' in page and '<table class="leverage">' in page
    assert "a red line: never scheduled (no-russian-withdrawal-demand)" in page
    assumptions = page[page.index('<table class="assumptions">') :]
    assert len(s.assumptions) == 313
    assert assumptions.count("<tr") == 1 + 313  # the header, then one row per note
    assert "a one-page written text codifying a posture Minsk already claims" in assumptions


def test_violations_with_their_sources(tmp_path: Path) -> None:
    """Everything in week 0 breaks gates, precedence and reciprocity: the report lists
    each violated rule with its kind, its source and every violation with its repair."""
    s = load_scenario()
    r = load_roadmap(ROOT / "examples" / "everything-at-week-0.yaml", s)
    report = check(s, r.starts)
    page = report_html(outline(s, r.starts, report), "everything-at-week-0.yaml")
    assert f"Verdict: {len(report.violations)} violations of" in page
    for v in report.violations:
        assert f"<code>{v.rule}</code>" in page
    assert page.count("Repair: ") == len(report.violations)
    from html import escape

    assert escape(report.violations[0].source, quote=False) in page
    md = report_markdown(outline(s, r.starts, report), "x")
    assert md.count("  - repair: ") == len(report.violations)


def test_reports_are_reproducible(tmp_path: Path) -> None:
    o = drawn(tmp_path)
    assert report_html(o, "r") == report_html(o, "r")
    assert report_markdown(o, "r") == report_markdown(o, "r")


# ---- the commands ---------------------------------------------------------------------------


def test_gantt_and_report_commands_write_their_files(tmp_path: Path) -> None:
    for name in ("g.svg", "g.png", "g.pdf"):
        result = run("gantt", str(EXAMPLE), "-o", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "g.svg").read_bytes().count(b'<g id="step:') == 68
    mermaid = run("gantt", str(EXAMPLE), "--format", "mermaid")
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("```mermaid\ngantt\n")
    for name in ("r.html", "r.md"):
        result = run("report", str(EXAMPLE), "-o", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    assert "<svg" in (tmp_path / "r.html").read_text()
    assert "```mermaid" in (tmp_path / "r.md").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_plan_writes_the_report_of_the_best_roadmap(tmp_path: Path) -> None:
    result = run("plan", "-o", str(tmp_path / "r.yaml"), "--report", str(tmp_path / "r.html"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "r.html").read_text()
    assert "Report on the roadmap <code>r.yaml</code>" in page and "keeps every hard rule" in page
    assert (tmp_path / "r.yaml").exists()
    alone = run("plan", "--report", str(tmp_path / "alone.md"))
    assert alone.returncode == 0 and "## Timeline by phase" in (tmp_path / "alone.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gantt", str(EXAMPLE), "-o", "chart.gif"], "unknown suffix '.gif'"),
        (["gantt", str(EXAMPLE), "-o", "c.svg", "--format", "png"], "the suffix says svg"),
        (["gantt", str(EXAMPLE)], "give the chart file with -o"),
        (["gantt", str(EXAMPLE), "--format", "jpeg"], "Invalid value for '--format'"),
        (["gantt", str(EXAMPLE), "-o", "/nonexistent-dir/c.svg"], "/nonexistent-dir/c.svg: cannot write"),
        (["gantt", str(EXAMPLE), "-o", str(EXAMPLE), "--format", "svg"], "is an input of this command"),
        (["report", str(EXAMPLE), "-o", "r.txt"], "unknown suffix '.txt'"),
        (["report", str(EXAMPLE)], "Missing option '--output'"),
        (["report", str(EXAMPLE), "-o", str(EXAMPLE), "--format", "md"], "is an input of this command"),
        (["report", str(EXAMPLE), "-o", "/nonexistent-dir/r.html"], "cannot write"),
        (["report", str(EXAMPLE), "-o", "r.html", "--packages", "packages.yaml"],
         "is inside the scenario's folder"),
        (["plan", "--report", "r.pdf"], "--report r.pdf: unknown suffix '.pdf'"),
        (["timeline", str(EXAMPLE), "--columns", "start,colour"], "--columns: unknown column 'colour'"),
        (["timeline", str(EXAMPLE), "--format", "xml"], "Invalid value for '--format'"),
    ],
)  # fmt: skip
def test_bad_options_and_outputs_exit_2_in_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_ortools_is_not_imported(tmp_path: Path) -> None:
    """Drawing needs no solver. (The finish's P50/P80 simulates the default's runs, and
    with them its contingency branches, which `planner contingency` plans: `--runs 0`
    leaves the risk out.)"""
    commands = [["gantt", str(EXAMPLE), "-o", str(tmp_path / "c.svg"), "--runs", "0"],
                ["report", str(EXAMPLE), "-o", str(tmp_path / "r.html"), "--runs", "0"]]  # fmt: skip
    for args, code, imported in imported_by(commands, ["ortools"]):
        assert (code, imported) == (0, []), f"{args}: exit {code}, imported {imported}"
    assert (tmp_path / "c.svg").exists() and (tmp_path / "r.html").exists()


# ---- in a browser ---------------------------------------------------------------------------


needs_chromium = pytest.mark.skipif(
    browser.CHROMIUM is None,
    reason="no Chromium here: install Debian's `chromium` (.ci/run does, as root) to load "
    "the report in a browser",
)
PROBE = """JSON.stringify({
  charts: document.querySelectorAll("figure svg").length,
  bars: document.querySelectorAll('#chart g[id^="step:"]').length,
  timeline: document.querySelectorAll("table.timeline").length,
  leverage: document.querySelectorAll("table.leverage tbody tr").length,
  verdict: (document.getElementById("verdict") || {}).textContent,
  sections: [...document.querySelectorAll("h2")].map(h => h.textContent),
  width: document.querySelector("#chart svg").getBoundingClientRect().width,
  ledger: [...document.querySelectorAll("table.ledger tr[data-step]")].map(
    r => [r.dataset.step, r.dataset.counters, r.textContent]),
  page: document.documentElement.scrollWidth,
  window: window.innerWidth,
  unwrapped: [...document.querySelectorAll("table")].filter(
    t => !t.closest(".scroll") && !t.classList.contains("ledger")).length
})"""


@needs_chromium
def test_the_browser_sees_console_errors_and_requests(tmp_path: Path) -> None:
    """The harness itself: a page that logs an error and asks for an image elsewhere
    (the loopback's discard port) is caught doing both."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">'
        "<script>console.error('boom')</script>"
    )
    page = browser.load(bad.as_uri(), "1")
    assert ("error", "boom") in page.console
    assert "http://127.0.0.1:9/x.png" in page.requests


@needs_chromium
def test_the_report_in_a_browser(tmp_path: Path) -> None:
    """Loaded in headless Chromium, the default roadmap's report makes no request but
    for itself, logs no error, and shows the brief first, the chart (68 bars), the 4
    phase tables, the leverage table and every section; the brief's ledger lists every
    relief step of the roadmap with the counter-steps the check matched to it."""
    import json

    from planner.rules.base import ANSWERS

    out = tmp_path / "report.html"
    assert run("report", str(EXAMPLE), "-o", str(out)).returncode == 0
    page = browser.load(out.as_uri(), PROBE)
    assert page.requests == [out.as_uri()]
    assert not page.errors
    assert not [c for c in page.console if c[0] in ("error", "warning", "assert")], page.console
    seen = json.loads(page.value)
    assert seen["charts"] == 2 and seen["bars"] == 68
    assert seen["timeline"] == 4 and seen["leverage"] >= 4
    assert seen["verdict"] == "Verdict: the roadmap keeps every hard rule."
    assert seen["sections"] == ["The brief", "The roadmap at a glance", "Timeline by phase",
                                "Leverage and exposure", "The check", "Steps left out",
                                "Appendix: assumptions"]  # fmt: skip
    assert seen["width"] > 600
    # The relief steps, worked out here from the check's own records: every step of kind
    # relief, and every give step of a reciprocity rule, with its matched counter-steps.
    s = load_scenario()
    r = load_roadmap(EXAMPLE, s)
    report = check(s, r.starts)
    expected: dict[str, set[str]] = {
        sid: set() for sid in r.starts if s.steps[sid].kind == "relief"
    }
    for a in report.records[ANSWERS]:
        expected.setdefault(a.give, set())
        if a.counter:
            expected[a.give].add(a.counter)
    listed = {step: set(counters.split()) for step, counters, _ in seen["ledger"]}
    assert listed == expected
    assert len(seen["ledger"]) == len(listed)  # each relief step once
    for _step, counters, text in seen["ledger"]:
        if counters:
            assert "←" in text and text.count(":") >= 2, text  # 'US: relief ← BY: counter'
        else:
            assert "good-faith" in text or "no counter-step" in text, text


@needs_chromium
def test_the_report_on_a_phone(tmp_path: Path) -> None:
    """At 400 CSS pixels wide the page itself does not scroll sideways: every table but
    the ledger (which turns into a list) sits in a box that scrolls on its own."""
    import json

    out = tmp_path / "report.html"
    assert run("report", str(EXAMPLE), "-o", str(out)).returncode == 0
    page = browser.load(out.as_uri(), PROBE, width=400)
    assert not page.errors
    seen = json.loads(page.value)
    assert seen["window"] == 400
    assert seen["page"] <= 400, seen["page"]
    assert seen["unwrapped"] == 0
