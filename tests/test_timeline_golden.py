"""Golden Markdown timelines of the best roadmap of the default scenario, one per `--by`:
`planner plan -o r.yaml && planner timeline r.yaml --by VIEW --tablefmt github`.

`tests/golden/plan.yaml` is what `planner plan -o` writes today (the first test says so);
`tests/golden/timeline-by-*.md` were read line by line when written: every date is week
N of Monday 2027-01-04 (week 12 is 2027-03-29, week 55 is 2028-01-24), each phase runs
until its `until` step is done (packages.yaml) — the same date as that step's done cell
—, steps and packages are named by their short names (`planner.render.words`: the title,
or its first clause, at most 40 characters), and the leverage rows add the values of
the steps as README "Leverage and exposure" says (NATO, the IFIs and the EU trade with no
one: they have no row). When the default scenario changes, write them again
with the commands above and read them again before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli as run

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
VIEWS = ("time", "phase", "actor", "package", "leverage")


def test_the_golden_roadmap_is_what_plan_writes(tmp_path: Path) -> None:
    out = tmp_path / "r.yaml"
    assert run("plan", "-o", str(out)).returncode == 0
    assert out.read_text() == (GOLDEN / "plan.yaml").read_text()


@pytest.mark.parametrize("view", VIEWS)
def test_markdown_timeline(view: str) -> None:
    result = run("timeline", "tests/golden/plan.yaml", "--by", view, "--tablefmt", "github")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN / f"timeline-by-{view}.md").read_text()


@pytest.mark.parametrize("view", VIEWS)
def test_markdown_tables_are_whole(view: str) -> None:
    """Every table line has as many cells as its header (a '|' in a title would break
    one); headings are Markdown headings with a blank line before the table."""
    lines = (GOLDEN / f"timeline-by-{view}.md").read_text().splitlines()
    cells = None
    for i, line in enumerate(lines):
        if line.startswith("|"):
            n = line.replace("\\|", "").count("|")
            cells = cells if cells and lines[i - 1].startswith("|") else n
            assert n == cells, line
        elif line.startswith("### "):
            assert lines[i + 1] == "", line
