"""Hardening, round two (issue 19): what a red team found in the newer commands, one test
(or a few) per case, named after the case's number in the issue. Each failed before the
fix it names.

Commands run in-process through typer's CliRunner where the exit code, stdout and stderr
are the point (the process-level behaviour is in tests/test_hardening.py); a few run the
real command.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.load import cache
from planner.load.files import default_paths, display_name
from tests.helpers import cli

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    """`planner ARGS` in-process: (exit code, stdout, stderr); an escaped exception fails."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    """A copy of the default scenario in its own folder: deal/packages.yaml, deal/constraints."""
    packages, constraints = default_paths()
    d = tmp_path / "deal"
    d.mkdir()
    shutil.copy(packages, d / "packages.yaml")
    shutil.copytree(constraints, d / "constraints")
    return d


def scenario_args(d: Path) -> list[str]:
    return ["--packages", str(d / "packages.yaml"), "--constraints", str(d / "constraints")]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- 4 and 5. the cache touches only its own files, where the user meant -------------------


def test_item_04_trimming_the_cache_keeps_files_that_are_not_entries(
    tmp_path: Path, deal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder given as the cache may hold the user's own `*.scenario` files: trimming to
    MAX_ENTRIES removes only the cache's own entries (named by their key, starting with
    the cache's format line), least recently used first."""
    where = tmp_path / "mine"
    where.mkdir(mode=0o700)
    theirs = {where / f"deal{i}.scenario": f"the user's own file {i}\n" for i in range(10)}
    for path, text in theirs.items():
        path.write_text(text)
    # Named like an entry, but not one: it does not start with the cache's format line.
    lookalike = where / ("0" * 64 + cache.SUFFIX)
    lookalike.write_text("not a cache entry\n")
    monkeypatch.setenv(cache.ENV, str(where))
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for margin in range(4):  # four scenarios, four entries: two are trimmed
        code, _, _ = run(
            "validate", *scenario_args(deal), "--set", f"us-by-leverage-balance.margin={margin + 5}"
        )
        assert code == 0
    assert all(path.read_text() == text for path, text in theirs.items())
    assert lookalike.read_text() == "not a cache entry\n"
    own = [p for p in where.iterdir() if p not in theirs and p != lookalike]
    assert len(own) == 2 and all(p.read_bytes().startswith(cache.FORMAT) for p in own)


def test_item_05_a_tilde_in_the_cache_path_is_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`RELIEF_PLANNER_CACHE='~/x'` (quoted, so the shell left the `~`) is x in the home
    directory, not a folder named `~` in the working directory; `~nosuchuser/x` turns the
    cache off rather than create `./~nosuchuser`."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    monkeypatch.setenv(cache.ENV, "~/x")
    assert cache.directory() == home / "x"
    monkeypatch.setenv(cache.ENV, "~no-such-user-of-this-machine/x")
    assert cache.directory() is None
    # XDG_CACHE_HOME must be absolute (the XDG specification): a relative one is ignored.
    monkeypatch.delenv(cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.directory() == home / ".cache" / "relief-planner"
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    monkeypatch.setenv(cache.ENV, "~/x")
    assert run("validate")[0] == 0
    assert list(work.iterdir()) == []
    assert [p.suffix for p in (home / "x").iterdir()] == [cache.SUFFIX]


# ---- 6. a `$` in any chart text is drawn as written ----------------------------------------

MONEY = r"Sales worth $1bn via EU\US banks, then $2bn"


@pytest.fixture
def money_deal(deal: Path) -> Path:
    """The default scenario with a dollar amount (and a backslash, which inside `$...$`
    is a TeX command) in every kind of text a chart draws: the scenario's name (titles),
    an actor's name (legends), a package's title (the package column), a phase's title
    and a step's title (tick labels)."""
    text = (deal / "packages.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("name: U.S.–Belarus normalization roadmap", f'name: "{MONEY}"'.replace("\\", "\\\\")),
        ("US: United States", "US: United $tates \\US$"),
        ("title: Security cooperation", "title: Security $ cooperation $"),
        ('title: "Security first: the pledges exchanged"', 'title: "Security $first$"'),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    (deal / "packages.yaml").write_text(text, encoding="utf-8")
    return deal


def test_item_06_dollars_in_chart_text_are_drawn_literally(
    money_deal: Path, tmp_path: Path
) -> None:
    """matplotlib reads `$...$` as TeX math: "$1bn via EU\\US banks, then $2bn" was a
    ParseFatalException (and without the backslash, italic math without its dollars).
    Every chart now draws the text as written: the SVG holds it verbatim."""
    args = scenario_args(money_deal)
    roadmap = tmp_path / "r.yaml"
    assert run("plan", *args, "-o", str(roadmap))[0] == 0
    out = tmp_path / "out"
    out.mkdir()
    for name in ("g.png", "g.pdf", "g.svg"):
        code, _, err = run("gantt", str(roadmap), *args, "-o", str(out / name))
        assert code == 0, err
    svg = (out / "g.svg").read_text(encoding="utf-8")
    for literal in (MONEY, "United $tates \\US$", "Security $ cooperation $", "Security $first$"):
        assert literal in svg, literal
    code, _, err = run("report", str(roadmap), *args, "-o", str(out / "r.html"))
    assert code == 0, err
    assert MONEY in (out / "r.html").read_text(encoding="utf-8")
    code, _, err = run("plan", *args, "-o", str(out / "p.yaml"), "--report", str(out / "p.html"))
    assert code == 0, err
    variant = ROOT / "examples" / "variants" / "uncertain.yaml"
    code, _, err = run(
        "simulate", str(roadmap), *args, "--variant", str(variant), "--runs", "50",
        "-o", str(out / "s.png"),
    )  # fmt: skip
    assert code == 0, err
    assert (out / "s.png").read_bytes().startswith(b"\x89PNG")


# ---- 7 and 8. numbers at the extremes are located problems, never a traceback --------------

BIG = "9" * 5000


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("by-nonaggression-pledge.duration*=.inf", "'*=' needs a number: '.inf' is not a finite number"),
        ("by-nonaggression-pledge.duration+=.nan", "'+=' needs a number: '.nan' is not a finite number"),
        ("by-nonaggression-pledge.duration-=-.inf", "'-=' needs a number: '-.inf' is not a finite number"),
        # 4 weeks times 1e308 is past every float: an overflow, not a duration.
        ("by-nonaggression-pledge.duration*=1.0e+308", "step 'by-nonaggression-pledge': 'duration' 4 *= 1e+308 is too large a number"),
        ("us-by-leverage-balance.margin*=.inf", "'*=' needs a number: '.inf' is not a finite number"),
        # A finite product that rounds up to a 300-digit whole number.
        ("us-by-leverage-balance.margin*=1.0e+300", "rule 'us-by-leverage-balance': 'margin' 6 *= 1e+300 is too large a number"),
        ("by-nonaggression-pledge.verify.retry+=.nan", "'+=' needs a number: '.nan' is not a finite number"),
        ("*:verify.duration*=.inf", "'*=' needs a number: '.inf' is not a finite number"),
        ("by-nonaggression-pledge.attrs.risk=.inf", "attribute 'risk' must be a finite number, not inf"),
        ("by-nonaggression-pledge.duration=.inf", "'duration' must be a whole number, not inf"),
        (f"by-nonaggression-pledge.duration={BIG}", "is too long a number (5,000 characters)"),
        (f"by-nonaggression-pledge.duration={BIG[:4000]}", "'duration' must be ≤ 1000000000, not a number of 4,000 digits"),
        (f"by-nonaggression-pledge.duration*={BIG[:4000]}", "is too large a number"),
    ],
)  # fmt: skip
def test_item_07_set_arithmetic_at_the_extremes_is_a_located_problem(
    expr: str, message: str, tmp_path: Path
) -> None:
    """`--set` with inf, nan or a number past every field was an OverflowError or a
    ValueError; now one located line, exit 2, and the same under `set:` in a variant
    file, located at the variant file's line."""
    code, out, err = run("validate", "--set", expr)
    assert code == 2 and out == ""
    [line] = err.splitlines()
    assert line.startswith("--set '") and message in line, line
    assert len(line) < 400  # a 5,000-digit expression is shortened where it is quoted
    variant = tmp_path / "v.yaml"
    variant.write_text(f"variant: extremes\nset:\n  - '{expr}'\n", encoding="utf-8")
    code, out, err = run("validate", "--variant", str(variant))
    assert code == 2 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"{variant}:3:5: ") and message in line, line


def test_item_08_a_csv_time_of_5000_digits_is_too_long_a_number(tmp_path: Path) -> None:
    """Python refuses to read integers of 4,300 digits and more (a ValueError escaped);
    a CSV time now gets the message a YAML or JSON roadmap gives, at its cell."""
    for column in ("start", "end"):
        roadmap = tmp_path / f"{column}.csv"
        cells = {"start": "1", "end": "5"} | {column: BIG}
        roadmap.write_text(
            f"step,start,end\nby-nonaggression-pledge,{cells['start']},{cells['end']}\n"
        )
        code, _, err = run("check", str(roadmap))
        col = 25 if column == "start" else 27
        assert code == 2
        assert err.splitlines() == [
            f"{roadmap}:2:{col}: '{column}': '{BIG[:37]}...' is too long a number (5,000 characters)"
        ]
    yaml_roadmap = tmp_path / "r.yaml"
    yaml_roadmap.write_text(
        f"roadmap:\n  steps:\n    - {{step: by-nonaggression-pledge, start: {BIG}}}\n"
    )
    code, _, err = run("check", str(yaml_roadmap))
    assert code == 2 and "is too long a number (5,000 characters)" in err


# ---- 15. diff refuses sides in different units ---------------------------------------------


def test_item_15_diff_of_sides_in_different_units_is_refused(tmp_path: Path) -> None:
    """B's scenario counted in days, A's in weeks: diff said "Both finish in day 45" of
    a roadmap that finishes in week 45. Times in two units are not comparable (and a unit
    changed without its durations is another deal): refused before anything is planned."""
    roadmap = tmp_path / "r.csv"
    roadmap.write_text("step,start\nby-nonaggression-pledge,0\n")
    for a, b in ((str(roadmap), str(roadmap)), ("plan", "plan")):
        code, out, err = run("diff", a, b, "--b-set", "scenario.unit=day")
        assert code == 2 and out == ""
        assert err.splitlines()[-1] == (
            "planner diff: A counts weeks and B counts days: diff compares two roadmaps in "
            "one unit (B's --b-set or --b-variant changed the scenario's unit)"
        )
    # The same unit on both sides is compared as before.
    code, out, _ = run("diff", str(roadmap), str(roadmap), "--b-set", "scenario.name=B")
    # (the pledge: 4 weeks, then 8 weeks of verification)
    assert code == 0 and "Both finish in week 12." in out


# ---- 16. ids that YAML 1.1 reads as numbers --------------------------------------------------


def test_item_16_ids_yaml_reads_as_numbers_are_refused_with_the_text_to_quote(
    tmp_path: Path,
) -> None:
    """YAML 1.1 reads `0x10` as 16, `010` as 8 and `1:20` as 80: the steps were silently
    renamed, and a CSV roadmap naming them as written was refused. Such an id is now
    refused where it is written, saying what to quote; a plain `12` (which reads back as
    written) stays an id, and quoted ids are kept as written, so a CSV naming them works.
    Text fields keep what was written (`title: 0x10` is the title "0x10")."""
    d = tmp_path / "ids"
    (d / "constraints").mkdir(parents=True)
    (d / "packages.yaml").write_text(
        "scenario: {name: ids}\nactors: {US: us}\npackages:\n  - id: p\n    steps:\n"
        "      - {id: 0x10, actor: US, kind: k, duration: 1, title: 0x10}\n"
        "      - {id: 010, actor: US, kind: k, duration: 1}\n"
        "      - {id: 1:20, actor: US, kind: k, duration: 1, after: [0x10]}  # ':' is no id's\n"
        "      - {id: 12, actor: US, kind: k, duration: 1}\n"
        "      - {id: 1.50, actor: US, kind: k, duration: 1}\n"
    )
    (d / "constraints/r.yaml").write_text(
        "rules:\n  - {id: g, kind: gate, when: [010], opens: [12], source: s}\n"
    )
    code, _, err = run("validate", *scenario_args(d))
    assert code == 2
    quote = "write it in quotes ('{0}') to keep it as written"
    assert err.splitlines() == [
        f"{d / 'constraints/r.yaml'}:2:32: rule 'g': 'when' 010 is read by YAML as the number 8: "
        + quote.format("010"),
        f"{d / 'packages.yaml'}:6:14: step '0x10': 'id' 0x10 is read by YAML as the number 16: "
        + quote.format("0x10"),
        f"{d / 'packages.yaml'}:7:14: step '010': 'id' 010 is read by YAML as the number 8: "
        + quote.format("010"),
        f"{d / 'packages.yaml'}:8:14: step '1:20': 'id' 1:20 is not an identifier (letters, "
        "digits, '-', '_', '.'; YAML reads it as the number 80)",
        f"{d / 'packages.yaml'}:8:61: step '1:20': 'after' 0x10 is read by YAML as the number "
        "16: " + quote.format("0x10"),
        f"{d / 'packages.yaml'}:10:14: step '1.50': 'id' 1.50 is read by YAML as the number "
        "1.5: " + quote.format("1.50"),
    ]
    # Quoted, they are the ids written; a CSV roadmap names them so.
    text = (d / "packages.yaml").read_text()
    text = text.replace("id: 1:20,", "id: one-20,")
    for plain in ("0x10", "010", "1.50"):
        text = text.replace(f"id: {plain},", f"id: '{plain}',").replace(
            f"after: [{plain}]", f"after: ['{plain}']"
        )
    (d / "packages.yaml").write_text(text)
    (d / "constraints/r.yaml").write_text(
        "rules:\n  - {id: g, kind: gate, when: ['010'], opens: [12], source: s}\n"
    )
    roadmap = tmp_path / "r.csv"
    roadmap.write_text("step,start\n0x10,0\n010,0\none-20,1\n12,1\n1.50,0\n")
    code, out, err = run("timeline", str(roadmap), *scenario_args(d), "--columns", "step,title")
    assert code == 0, err
    assert "0x10    0x10" in out  # the title as written, not 16
    # In a YAML roadmap, an unquoted number-like step is refused the same way.
    (tmp_path / "r.yaml").write_text("roadmap:\n  steps:\n    - {step: 010, start: 0}\n")
    code, _, err = run("check", str(tmp_path / "r.yaml"), *scenario_args(d), "--partial")
    assert code == 2
    assert err.splitlines() == [
        f"{tmp_path / 'r.yaml'}:3:14: roadmap: 'step' 010 is read by YAML as the number 8: "
        + quote.format("010")
    ]


# ---- 17. CSV formula injection -------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)", "'=already"]


@pytest.mark.parametrize("title", FORMULAS)
def test_item_17_csv_cells_are_never_formulas(title: str, tmp_path: Path) -> None:
    """A title starting `=`, `+`, `-` or `@` was written as is by `timeline --format csv`
    and `plan -o r.csv`: a spreadsheet runs it. It gets a `'` before it (OWASP), in every
    CSV the planner writes; `check` reads the roadmap CSV back to the title as written
    (no "title differs" note), and numbers stay numbers."""
    args = ["--set", "us-aviation-leasing-license.title=" + _yaml_quoted(title)]
    roadmap = tmp_path / "r.csv"
    code, _, err = run("plan", *args, "-o", str(roadmap))
    assert code == 0, err
    rows = {r["step"]: r for r in csv.DictReader(roadmap.read_text(encoding="utf-8").splitlines())}
    assert rows["us-aviation-leasing-license"]["title"] == "'" + title
    assert all(not r["title"].startswith(("=", "+", "-", "@")) for r in rows.values())
    code, out, err = run("check", str(roadmap), *args)
    assert code == 0 and "note:" not in err, err
    code, out, _ = run("timeline", str(roadmap), *args, "--format", "csv")
    assert code == 0
    cells = {r["step"]: r for r in csv.DictReader(out.splitlines())}
    assert cells["us-aviation-leasing-license"]["title"] == "'" + title
    assert cells["us-aviation-leasing-license"]["value"] == "5"  # a number, as written


def test_item_17_every_text_column_of_the_timeline_csv_is_guarded() -> None:
    """Not only titles: the verifier, the source and the phase's title are free text."""
    args = [
        "--set", "us-aviation-leasing-license.verify.by='@verifier'",
        "--set", "us-aviation-leasing-license.source='-source'",
        "--set", "us-aviation-leasing-license.title='+title'",
    ]  # fmt: skip
    roadmap = ROOT / "examples" / "brief-roadmap.yaml"
    code, out, _ = run("timeline", str(roadmap), *args, "--format", "csv")
    assert code == 0
    [row] = [
        r for r in csv.DictReader(out.splitlines()) if r["step"] == "us-aviation-leasing-license"
    ]
    assert (row["verifier"], row["source"], row["title"]) == ("'@verifier", "'-source", "'+title")


def _yaml_quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar (a `--set` value): JSON's escapes are YAML's."""
    return json.dumps(text)


# ---- 18. terminal escapes and bidi controls -------------------------------------------------

HOSTILE = "\x1b[2J\x1b]8;;http://example.invalid\x1b\\link\x1b]8;;\x1b\\ \u202eevil\u2066x\x9b"


def test_item_18_text_printed_holds_no_escape_sequence_or_bidi_control(tmp_path: Path) -> None:
    """A title holding `ESC [2J` (clear the screen), an OSC 8 link, U+202E (right-to-left
    override) or a C1 control was printed raw by `plan`. Everything the planner prints
    has them as visible `\\uXXXX` escapes (in JSON that is the same string), and the
    messages on stderr as escapes too; files keep the text as written."""
    title = _yaml_quoted(HOSTILE)
    # title and short name both: tables and messages print the short name
    args = ["--set", f"us-aviation-leasing-license.title={title}"]
    args += ["--set", f"us-aviation-leasing-license.short={title}"]
    roadmap = tmp_path / "r.yaml"
    outputs = []
    code, out, err = run("plan", *args, "-o", str(roadmap))
    assert code == 0
    outputs += [out, err]
    assert "\\u001b[2J\\u001b]8;;http://example.invalid\\u001b\\link" in out
    assert "\\u202eevil\\u2066x\\u009b" in out
    for command in (
        ["timeline", str(roadmap)],
        ["timeline", str(roadmap), "--format", "csv"],
        ["check", str(roadmap), "--format", "json"],
        ["check", str(roadmap), "--slack"],
        ["plan", "--format", "json"],
        ["gantt", str(roadmap), "--format", "mermaid"],
        ["graph"],
    ):
        code, out, err = run(*command, *args)
        assert code in (0, 1), (command, err)
        outputs += [out, err]
    for text in outputs:
        assert not set(text) & set("\x1b\x9b\u202e\u2066"), text
    # JSON on stdout is still the same data: the title reads back as written.
    code, out, _ = run("timeline", str(roadmap), "--format", "json", *args)
    titles = {s["step"]: s["title"] for s in json.loads(out)["steps"]}
    assert titles["us-aviation-leasing-license"] == HOSTILE
    # The roadmap file keeps the title as written (JSON-quoted in YAML: an escape there).
    assert "\\u001b[2J" in roadmap.read_text(encoding="utf-8")


# ---- 19. Markdown and Mermaid keep the user's text inert -------------------------------------


def test_item_19_the_markdown_report_has_no_link_or_html_of_the_users(tmp_path: Path) -> None:
    """The `.md` report wrote the roadmap's file name raw, and `[x](javascript:...)` in a
    title survived the cell filter: both are now inert text (a code span, escaped
    brackets)."""
    name = "r[x](javascript:alert(1))`<b>.yaml"
    roadmap = tmp_path / name
    link = "[click](javascript:alert(document.domain))"
    args = ["--set", f"us-aviation-leasing-license.title={_yaml_quoted(link)}"]
    args += ["--set", f"us-aviation-leasing-license.short={_yaml_quoted(link)}"]
    assert run("plan", *args, "-o", str(roadmap))[0] == 0
    report = tmp_path / "rep.md"
    code, _, err = run("report", str(roadmap), *args, "-o", str(report))
    assert code == 0, err
    text = report.read_text(encoding="utf-8")
    # The file name is a code span (one backtick inside: a fence of two), where nothing
    # is a link; elsewhere no link is left.
    assert f"Report on the roadmap ``{name}``:" in text
    rest = text.replace(f"``{name}``", "").replace("\\](javascript:", "")
    assert "](javascript:" not in rest
    assert "\\[click\\](javascript:alert(document.domain))" in text


def test_item_19_mermaid_graph_keeps_no_html_or_directive(tmp_path: Path) -> None:
    """`graph --format mermaid` kept raw HTML and `%%{init: ...}%%` in package titles
    (Mermaid reads the directive anywhere); the Gantt chart's Mermaid block likewise."""
    hostile = "<img src=x onerror=alert(1)> %%{init: {'theme': 'dark'}}%% &amp; #quot;"
    variant = tmp_path / "v.yaml"
    variant.write_text(
        f"override:\n  packages:\n    aviation: {{title: {_yaml_quoted(hostile)}}}\n"
        f"  steps:\n    us-aviation-leasing-license: {{title: {_yaml_quoted(hostile)}}}\n"
    )
    code, out, err = run("graph", "--format", "mermaid", "--variant", str(variant))
    assert code == 0, err
    assert "#lt;img src=x onerror=alert(1)#gt; #37;#37;{init" in out
    for raw in ("<img", "%%", "&amp;", "#quot; #"):
        assert raw not in out, raw
    roadmap = tmp_path / "r.yaml"
    assert run("plan", "--variant", str(variant), "-o", str(roadmap))[0] == 0
    code, out, _ = run("gantt", str(roadmap), "--variant", str(variant), "--format", "mermaid")
    assert code == 0 and "<img" not in out and "%%{" not in out


def test_item_19_a_multi_line_title_keeps_a_github_table_whole(tmp_path: Path) -> None:
    """`timeline --tablefmt github` split a title with newlines into extra rows; a `|`
    or a link in it would split a cell or make a link. One row per step, inert text."""
    title = "first line\nsecond | line [x](javascript:alert(1))"
    args = ["--set", f"us-aviation-leasing-license.title={_yaml_quoted(title)}"]
    args += ["--set", f"us-aviation-leasing-license.short={_yaml_quoted(title)}"]
    roadmap = tmp_path / "r.yaml"
    assert run("plan", *args, "-o", str(roadmap))[0] == 0
    code, out, _ = run("timeline", str(roadmap), *args, "--tablefmt", "github")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("|")]
    steps = roadmap.read_text().count("- {step: ")
    assert len(rows) == steps + 2  # the header and its rule
    [row] = [r for r in rows if "first line" in r]  # (named by its title: words before ids)
    assert "first line second \\| line \\[x\\](javascript:alert(1))" in row


# ---- 22. graph --depth is bounded by the graph -------------------------------------------------


def test_item_22_graph_around_with_a_huge_depth_ends_with_the_whole_neighbourhood() -> None:
    """`graph --around X --depth 1000000000` looped on after nothing new was reached (a
    billion rounds). The rounds now stop once a round reaches nothing new (and never
    exceed the number of steps): any depth past that gives the same graph. (The
    subprocess's timeout only keeps the old behaviour from stalling the suite.)"""
    center = "by-nonaggression-pledge"
    huge = cli("graph", "--around", center, "--depth", str(10**15))
    assert huge.returncode == 0, huge.stderr
    code, deep, _ = run("graph", "--around", center, "--depth", "200")
    assert code == 0
    assert huge.stdout.replace(f"depth {10**15}", "depth 200") == deep
    code, shallow, _ = run("graph", "--around", center, "--depth", "1")
    assert len(shallow) < len(deep)  # the depth still matters below the bound


# ---- 24. many --set expressions: bounded work, one change line per field -----------------


def test_item_24_ten_thousand_sets_are_refused_at_once_and_a_thousand_log_one_line_a_field(
    tmp_path: Path,
) -> None:
    """`--set '*:duration+=1'` given 10,000 times took 16 s and printed 690,001 lines of
    change log. At most 1,000 expressions are taken (each visits every step it selects):
    more is one located line, before any is applied; and a field changed many times is
    one line, from its first value to its last, counting the changes."""
    code, out, err = run("validate", *["--set", "*:duration+=1"] * 10_000)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "--set '*:duration+=1': more than 1,000 --set expressions (here and in variant "
        "files): write a repeated change once ('*:duration+=10' for ten '+=1')"
    ]
    # (values, not durations: a renewal every 24 weeks cannot take 1,000 weeks)
    code, _, err = run("validate", *["--set", "*:value+=1"] * 1000)
    assert code == 0
    lines = err.splitlines()
    # The default scenario writes 71 steps: one line each, and the variant's name.
    assert len(lines) == 1 + 71
    assert lines[0] == (
        "variant --set '*:value+=1' + --set '*:value+=1' + --set '*:value+=1' "
        "+ 997 more: 71 changes"
    )
    assert (
        "  step 'by-nonaggression-pledge': value 8 → 1008  [--set '*:value+=1' (1,000 changes)]"
    ) in lines
    # A variant file's `set:` counts too, located at the expression past the limit.
    variant = tmp_path / "v.yaml"
    variant.write_text("set:\n" + "  - '*:value+=1'\n" * 1001)
    code, _, err = run("validate", "--variant", str(variant))
    assert code == 2
    assert err.splitlines() == [
        f"{variant}:1002:5: more than 1,000 --set expressions (here and in variant files): "
        "write a repeated change once ('*:duration+=10' for ten '+=1')"
    ]


def test_changes_of_one_field_from_several_places_are_one_line(tmp_path: Path) -> None:
    """A variant file sets a verification, then `--set` changes it again: one line, from
    the value written in the scenario to the last, naming both places."""
    variant = ROOT / "examples" / "variants" / "slow-verification.yaml"
    code, _, err = run(
        "validate", "--variant", str(variant), "--set", "by-nonaggression-pledge.verify.duration=3"
    )
    assert code == 0
    lines = err.splitlines()
    assert lines[0].endswith(": 13 changes")
    assert lines[1] == (
        f"  step 'by-nonaggression-pledge': verify.duration 8 → 3  [{display_name(variant)}:4:5; "
        "--set 'by-nonaggression-pledge.verify.duration=3' (2 changes)]"
    )


# ---- 20. a huge roadmap of unknown steps is refused without the work --------------------------


def test_item_20_a_roadmap_larger_than_any_of_the_scenario_is_refused_unread(
    tmp_path: Path,
) -> None:
    """A 24 MB CSV of 800,000 unknown steps took 205 s and 776 MB before its refusal. A
    roadmap lists each step once, in a few hundred bytes: a file over 1 MiB plus 1 KiB a
    step is refused before it is read (here a sparse file: its bytes are never looked
    at), in any format."""
    from planner.roadmap.read import size_limit

    limit = 1024 * 1024 + 1024 * 79  # the default scenario's 79 steps (its renewals included)
    for suffix in (".csv", ".yaml", ".json"):
        roadmap = tmp_path / f"huge{suffix}"
        with roadmap.open("wb") as fh:
            fh.truncate(24_720_011)
        code, out, err = run("check", str(roadmap))
        assert code == 2 and out == ""
        assert err.splitlines() == [
            f"{roadmap}: file is 24,720,011 bytes; a roadmap of this scenario's 79 steps is "
            f"at most {limit:,}"
        ]
    # A roadmap as `plan -o` writes it is far below the limit, for any scenario.
    out = tmp_path / "r.json"
    assert run("plan", "-o", str(out))[0] == 0
    from planner.api import load_scenario

    assert out.stat().st_size * 4 < size_limit(load_scenario())


def test_item_20_did_you_mean_is_looked_up_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Did you mean" was looked up for every unknown step (800,000 searches) though only
    MAX_LISTED problems of a shape are listed: it is looked up for the first
    MAX_SUGGESTED (1,000; 30 here) unknown steps of a roadmap, the rest are counted
    plainly."""
    import planner.roadmap.read as read
    from planner.errors import MAX_LISTED

    calls: list[str] = []
    real = read.suggest
    monkeypatch.setattr(read, "suggest", lambda w, c: calls.append(w) or real(w, c))
    monkeypatch.setattr(read, "MAX_SUGGESTED", 30)
    rows = "".join(f"by-nonaggression-pledge-{i},0\n" for i in range(300))
    (tmp_path / "r.csv").write_text("step,start\n" + rows)
    code, _, err = run("check", str(tmp_path / "r.csv"))
    assert code == 2
    assert len(calls) == 30
    lines = err.splitlines()
    assert lines[0].endswith(
        "unknown step 'by-nonaggression-pledge-0' (did you mean 'by-nonaggression-pledge'?)"
    )
    # MAX_LISTED with "did you mean", MAX_LISTED plain ones, then each shape counted.
    assert lines[MAX_LISTED].endswith("unknown step 'by-nonaggression-pledge-30'")
    assert len(lines) == 2 * MAX_LISTED + 2
    assert lines[-2].endswith(
        f"and {30 - MAX_LISTED} more problems like this one from here on (not listed): "
        f"roadmap: unknown step 'by-nonaggression-pledge-{MAX_LISTED}' (did you mean "
        "'by-nonaggression-pledge'?)"
    )
    assert lines[-1].endswith(
        f"and {300 - 30 - MAX_LISTED} more problems like this one from here on (not listed): roadmap: unknown step 'by-nonaggression-pledge-{30 + MAX_LISTED}'"
    )
