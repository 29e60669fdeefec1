"""Issue 21 item 7: the small things a briefing reader met, each with a test.

- `plan` cut titles at 64 characters even into a file: piped, a name stays whole; only a
  terminal's width cuts it.
- `gantt -o x.mmd` wrote a Markdown fence into the file (mermaid-cli cannot read it): the
  file holds the bare chart; printed, the chart is a fenced block to paste into Markdown.
- The `reversible` rows of the report's assumptions table had an empty value column.
- (Tested elsewhere: a phase runs "until" the next one's first week, so "done week 2" is
  not after the phase it closes — tests/test_cli.py::test_fixed_phases_on_request and
  tests/test_timeline_outputs.py; `check --slack` and `simulate` name one critical chain —
  tests/test_chain.py; at 400 px the report's tables scroll in their own boxes —
  tests/test_gantt_report.py::test_the_report_on_a_phone.)
"""

from __future__ import annotations

from pathlib import Path

from planner.api import load_scenario
from tests.helpers import cli as run

LONG = (
    "Restore the cooperation format on anti-terrorism, human trafficking, drug threats and "
    "international crime"
)  # 105 characters, a `short:` of its own: never shortened by the words' rule


def scenario(where: Path) -> list[str]:
    """A two-step deal: the U.S. relief (reversible, with an `# assumption:` note) after a
    Belarusian step whose `short:` is 105 characters long; its files in `where`/s (outputs
    go beside that folder: never into a scenario's own)."""
    tmp_path = where / "s"
    tmp_path.mkdir()
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "rules.yaml").write_text("rules: []\n")
    (tmp_path / "packages.yaml").write_text(
        "scenario: {name: Small things, unit: week, start: 2027-01-04}\n"
        "actors: {US: United States, BY: Belarus}\n"
        "packages:\n"
        "  - id: main\n"
        "    title: Main\n"
        "    steps:\n"
        "      - id: by-cooperate\n"
        "        actor: BY\n"
        "        kind: commitment\n"
        f"        short: {LONG}\n"
        "        duration: 2\n"
        "        value: 2\n"
        "      - id: us-license\n"
        "        actor: US\n"
        "        kind: relief\n"
        "        title: License potash\n"
        "        duration: 1\n"
        "        value: 2\n"
        "        reversible: true  # assumption: a licence can lapse\n"
        "        after: [by-cooperate]\n"
    )
    return ["--packages", str(tmp_path / "packages.yaml"),
            "--constraints", str(tmp_path / "constraints")]  # fmt: skip


def test_plan_keeps_a_long_name_whole_when_piped(tmp_path: Path) -> None:
    args = scenario(tmp_path)
    printed = run("plan", *args)
    assert printed.returncode == 0, printed.stderr
    assert LONG in printed.stdout  # not cut at 64 characters
    # The plan's own text, given a terminal of 100 columns, cuts it to fit.
    from planner.api import plan
    from planner.render.plan import plan_text

    s = load_scenario(tmp_path / "s" / "packages.yaml", tmp_path / "s" / "constraints")
    narrow = plan_text(s, plan(s), width=100)
    assert LONG not in narrow and "Restore the coop…" in narrow
    assert max(len(line) for line in narrow.splitlines()[4:]) <= 100  # the table's lines


def test_a_mmd_file_holds_the_bare_chart(tmp_path: Path) -> None:
    args = scenario(tmp_path)
    road = tmp_path / "r.yaml"
    assert run("plan", *args, "-o", str(road)).returncode == 0
    out = tmp_path / "x.mmd"
    result = run("gantt", str(road), *args, "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "```" not in text and text.lstrip().startswith("gantt"), text[:80]
    printed = run("gantt", str(road), *args, "--format", "mermaid").stdout
    assert printed.startswith("```mermaid\n") and printed.rstrip().endswith("```")


def test_the_reversible_rows_of_the_assumptions_show_their_value(tmp_path: Path) -> None:
    args = scenario(tmp_path)
    road = tmp_path / "r.yaml"
    assert run("plan", *args, "-o", str(road)).returncode == 0
    out = tmp_path / "r.md"
    assert run("report", str(road), *args, "--runs", "0", "-o", str(out)).returncode == 0
    rows = [line for line in out.read_text().splitlines() if "a licence can lapse" in line]
    assert len(rows) == 1, rows
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[0] == "License potash" and "reversible" in cells[1:3], cells
    assert all(cells), cells  # no empty cell: the value is shown
