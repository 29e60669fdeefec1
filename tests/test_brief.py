"""`planner brief ROADMAP`: the one-page brief (issue 21 item 1) — the verdict, the finish
with its P50 and P80, the leverage line, the critical chain, the exchange ledger, the first
90 days, the red lines and the contingencies; in text, Markdown and HTML; and the same
brief at the top of `planner report`.

The tiny deal (tests/data/brief/, weeks from Monday 2027-01-04):

    by-pledge   BY  weeks 0-2, verified by NATO allies in 2 more: done 4; value 4;
                    its verification fails one time in five (then us-freeze-lifted
                    takes the freeze back)
    us-freeze   US  week 0-1: relief given for nothing (a good-faith step); value 1
    by-revenue  BY  weeks 4-7, verified by Treasury in 1 more: done 8; value 3
    us-potash   US  week 8-9: relief, answered by by-revenue (potash-for-revenue);
                    value 3; takes 1 to 3 weeks (most likely 1)
    by-eject    a red line (no-ejection-demand): never scheduled

    security-gate: nothing of the potash package before by-pledge is done (week 4)
    leverage (balance): US relief started minus BY steps done <= 4: +1 in week 0 (the
    freeze), -3 from week 4 (the pledge), -3 from week 8 (potash +3, revenue -3):
    peak 1, in week 0, 3 to spare.

The goldens `tests/golden/brief.txt` and `brief.md` are the default scenario's brief of
`tests/golden/plan.yaml`; `tests/golden/regenerate.sh` writes them again when the
default changes (read them before committing).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from planner.api import brief, load_roadmap, load_scenario
from planner.render.brief import brief_of, brief_text, relief_steps
from planner.render.results import brief_output
from tests import browser
from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "brief"
GOLDEN = ROOT / "tests" / "golden"
SCENARIO = ["--packages", str(DATA / "packages.yaml"), "--constraints", str(DATA / "constraints")]
ROADMAP = DATA / "roadmap.yaml"


def tiny() -> object:
    return load_scenario(DATA / "packages.yaml", DATA / "constraints")


def brief_lines(starts: dict[str, int] | None = None, runs: int | None = None) -> list[str]:
    s = tiny()
    result = brief(s, starts if starts is not None else ROADMAP, runs=runs)  # type: ignore[arg-type]
    return brief_output(result, "text").splitlines()


def joined(lines: list[str]) -> str:
    """The text with its wrapped lines joined back (a line's continuation is indented)."""
    return re.sub(r"\n {2,}", " ", "\n".join(lines))


# ---- the content --------------------------------------------------------------------------


def test_the_ledger_sets_each_relief_step_against_what_earns_it() -> None:
    """Dated by its start (week 8 is Monday 1 March 2027), the potash licence is earned by
    Belarus' revenue sharing, verified by Treasury; the freeze was given for nothing. The
    pledge is not relief (it is what earns the gate), so it has no line of its own."""
    text = joined(brief_lines(runs=0))
    assert (
        "4 Jan 2027 — United States: U.S. freezes sectoral sanctions (a good-faith step: "
        "nothing asked in return)" in text
    )
    assert (
        "1 Mar 2027 — United States: U.S. licenses potash investment ← Belarus: Belarus "
        "signs revenue sharing, verified by Treasury" in text
    )
    assert "— Belarus: Belarus pledges" not in text


def test_a_relief_step_no_counter_step_answers_says_so() -> None:
    # Potash licensed in week 6, before the revenue sharing is done (week 8): the check
    # matches no counter-step to it, and the ledger names the rule left unanswered.
    starts = {"by-pledge": 0, "us-freeze": 0, "by-revenue": 4, "us-potash": 6}
    text = joined(brief_lines(starts, runs=0))
    assert (
        "15 Feb 2027 — United States: U.S. licenses potash investment (no counter-step "
        "answers it (potash-for-revenue))" in text
    )
    assert "Verdict: 1 violation of 1 hard rule" in text


def test_the_headline_finish_leverage_chain_red_lines_and_contingency() -> None:
    """The finish is week 9 (8 March 2027); the leverage peaks at 1 against a margin of 4
    (see the module); the chain runs from the pledge through the revenue sharing (the
    gate) to the licence (its counter-step); the red line is kept; if the pledge fails
    its verification (20%, known when it would be verified, week 4 = 1 February), the
    freeze is lifted."""
    text = joined(brief_lines(runs=0))
    assert "Finish: Done 8 Mar 2027 (week 9); not simulated" in text  # (--runs 0)
    assert "Finish: Done 8 Mar 2027 (week 9)" in text
    assert (
        "Leverage: United States' concessions run at most 1 value unit ahead of Belarus' "
        "verified steps, against a margin of 4 (3 to spare), reached on 4 Jan 2027 (week 0)."
        in text
    )
    assert (
        "Critical chain: Belarus pledges non-aggression → Belarus signs revenue sharing → "
        "U.S. licenses potash investment (3 steps, from the start of the deal)" in text
    )
    assert (
        "Red lines: kept: the one forbidden step stays out of the roadmap — Eject Russian "
        "forces." in text
    )
    # The first 90 days (13 weeks): by party, what is given or earned (relief, traded steps,
    # the pledge the gate waits for); the gate opening and the phases ending in them.
    assert "United States: U.S. freezes sectoral sanctions; U.S. licenses potash investment" in text
    assert "Belarus: Belarus pledges non-aggression; Belarus signs revenue sharing" in text
    assert "The security gate opens 1 Feb 2027." in text
    assert (
        "If Belarus pledges non-aggression fails its verification (20% chance, known 1 Feb "
        "2027): then U.S. lifts the freeze, takes back U.S. freezes sectoral sanctions." in text
    )


def test_the_finish_carries_its_p50_and_p80() -> None:
    """The licence may take 3 weeks instead of 1 and the pledge's verification may fail
    (then redone 2 weeks later): the runs finish at week 9 or later, P50 <= P80."""
    result = brief(tiny(), ROADMAP)  # type: ignore[arg-type]
    f = result.outline.finish
    assert f is not None and f.runs == 500 and f.planned == 9
    assert 9 <= f.p50 <= f.p80
    text = brief_output(result, "text")
    assert f"P50 {brief_day(f.p50)} (week {f.p50}), P80" in joined(text.splitlines())


def brief_day(week: int) -> str:
    import datetime as dt

    d = dt.date(2027, 1, 4) + dt.timedelta(weeks=week)
    return f"{d.day} {d:%b} {d.year}"


def test_a_red_line_crossed_is_said_first_of_all() -> None:
    starts = {"by-pledge": 0, "us-freeze": 0, "by-revenue": 4, "us-potash": 8, "by-eject": 0}
    text = joined(brief_lines(starts, runs=0))
    assert (
        "Red lines: CROSSED: 1 of the 1 forbidden steps is scheduled: Eject Russian forces." in text
    )


def test_ids_follow_the_names_with_ids() -> None:
    s = tiny()
    o = brief(s, ROADMAP, runs=0).outline  # type: ignore[arg-type]
    """Names first; `--ids` puts each step's id after its name and the balance rule's after
    the leverage line (one rule: the line needs no id to be told apart)."""
    with_ids = brief_text(o, "r.yaml", ids=True)
    assert "U.S. licenses potash investment [us-potash]" in with_ids
    assert "(week 0) [leverage]." in with_ids
    plain = brief_text(o, "r.yaml")
    assert "[us-potash]" not in plain and "[leverage]" not in plain
    # The gate by its words, its id with --ids (it opens when the pledge is done, week 4).
    assert "The security gate opens 1 Feb 2027." in plain
    assert "Gate security-gate opens 1 Feb 2027." in with_ids


def test_the_ledger_lists_every_relief_step_once() -> None:
    """On the default: every step of kind relief and every give step of a reciprocity
    rule, renewals aside."""
    s = load_scenario()
    r = load_roadmap(ROOT / "examples" / "brief-roadmap.yaml", s)
    o = brief(s, r, runs=0).outline
    rows = relief_steps(o)
    assert len({r.step for r in rows}) == len(rows)
    kinds = {s.steps[r.step].kind for r in rows}
    assert "relief" in kinds
    entries = brief_of(o, "x").ledger
    assert [e.step for e in entries] == [r.step for r in rows]


# ---- goldens: the default ------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "name"), [("text", "brief.txt"), ("md", "brief.md")])
def test_the_default_brief_golden(fmt: str, name: str) -> None:
    args = ["brief", str(GOLDEN / "plan.yaml")] + (["--format", fmt] if fmt != "text" else [])
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN / name).read_text()


# ---- the command ---------------------------------------------------------------------------


def test_the_command_prints_and_writes(tmp_path: Path) -> None:
    printed = run("brief", str(ROADMAP), *SCENARIO, "--runs", "0")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("Tiny potash deal\nBrief on the roadmap roadmap.yaml\n")
    for name, head in (("b.md", "# Tiny potash deal"), ("b.html", "<!DOCTYPE html>"),
                       ("b.txt", "Tiny potash deal")):  # fmt: skip
        out = tmp_path / name
        result = run("brief", str(ROADMAP), *SCENARIO, "--runs", "0", "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_text().startswith(head) and out.read_text().endswith("\n")
    html = run("brief", str(ROADMAP), *SCENARIO, "--runs", "0", "--format", "html").stdout
    assert 'data-step="us-potash" data-counters="by-revenue"' in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "b.pdf"], "unknown suffix '.pdf'"),
        (["-o", "b.md", "--format", "html"], "the suffix says md, --format says html"),
        (["--runs", "-1"], "Invalid value for '--runs'"),
    ],
)
def test_bad_options_exit_2_in_one_line(args: list[str], message: str) -> None:
    result = run("brief", str(ROADMAP), *SCENARIO, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_report_opens_with_the_brief(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    assert run("report", str(ROADMAP), *SCENARIO, "--runs", "0", "-o", str(out)).returncode == 0
    text = out.read_text()
    assert text.index("## The brief") < text.index("## The roadmap at a glance")
    assert "| 1 Mar 2027 | **United States**: U.S. licenses potash investment |" in text


# ---- printed -----------------------------------------------------------------------------------


needs_print = pytest.mark.skipif(
    browser.CHROMIUM is None
    or subprocess.run(["which", "pdftotext"], capture_output=True).returncode,
    reason="printing needs Chromium and pdftotext (poppler-utils)",
)


def printed_pages(html: Path, pdf: Path) -> list[str]:
    """The text of each page of `html` printed to A4 by headless Chromium."""
    assert browser.CHROMIUM is not None
    subprocess.run(
        [browser.CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", html.as_uri()],
        capture_output=True, timeout=browser.PATIENCE, check=True,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@needs_print
def test_the_default_brief_prints_on_one_page_and_the_report_before_its_appendix_on_8(
    tmp_path: Path,
) -> None:
    page = tmp_path / "b.html"
    assert run("brief", str(GOLDEN / "plan.yaml"), "-o", str(page)).returncode == 0
    assert len(printed_pages(page, tmp_path / "b.pdf")) == 1
    report = tmp_path / "r.html"
    assert run("report", str(GOLDEN / "plan.yaml"), "-o", str(report)).returncode == 0
    pages = printed_pages(report, tmp_path / "r.pdf")
    appendix = next(i for i, p in enumerate(pages) if "Appendix: assumptions" in p)
    assert appendix <= 8, f"{appendix} pages before the appendix"
    assert "The exchange" in pages[0] and "The first 90 days" in pages[0]  # the brief, whole
    chart = [i for i, p in enumerate(pages) if "The roadmap at a glance" in p]
    assert chart == [1]  # the chart's page, after the brief's
