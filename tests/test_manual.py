"""The manual (docs/, built by MkDocs) and the README are kept true.

- Every command has its page, docs/commands/NAME.md, naming `planner NAME` and every option.
- Every shell example of the manual and the README (a ```console block whose first line is `$ planner ...`)
  is run, in this process (`helpers.cli`), and what it prints on stdout is compared with the
  output written under it, abridged: a line `...` stands for any run of lines (none
  included), and `...` inside a line for any run of characters. The commands of one page
  run in order in one scratch folder (with `examples/` in it), so a page may write a roadmap
  with `plan -o r.yaml` and read it back further down.
- Every page is in the nav (`mkdocs build --strict` in .ci/run says so too, with the links).
- The README stays a five-minute read, with the two Quick start commands .ci/run runs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, cli

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

#: The README's Quick start, word for word: .ci/run runs exactly these.
QUICK_START = 'pip install -e ".[test]" && planner plan\npytest\n'


# ---- abridged output ---------------------------------------------------------------------


def abridged_pattern(expected: str) -> re.Pattern[str]:
    """The regular expression an output must match in full to agree with `expected`: a line
    `...` is any run of whole lines (none included), `...` inside a line any run of
    characters on that line; everything else is literal. Trailing spaces are not compared."""
    parts = []
    for line in expected.rstrip("\n").split("\n"):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            literal = [re.escape(piece) for piece in line.rstrip().split("...")]
            parts.append("[^\n]*?".join(literal) + r"\n")
    return re.compile("".join(parts))


def agrees(expected: str, output: str) -> bool:
    """Whether `output` is what `expected` shows, abridged (see `abridged_pattern`)."""
    text = "".join(line.rstrip() + "\n" for line in output.rstrip("\n").split("\n"))
    return abridged_pattern(expected).fullmatch(text) is not None


def test_an_ellipsis_line_stands_for_any_run_of_lines() -> None:
    assert agrees("a\n...\nd\n", "a\nb\nc\nd\n")
    assert agrees("a\n...\nd\n", "a\nd\n"), "no line at all is a run too"
    assert agrees("a\n...\n", "a\nb\n")
    assert not agrees("a\n...\nd\n", "a\nb\nc\n"), "the line after it must still come"
    assert not agrees("a\nd\n", "a\nb\nd\n"), "without it, every line is shown"


def test_an_ellipsis_in_a_line_stands_for_the_rest_of_that_line_only() -> None:
    assert agrees("week 0 ... done\n", "week 0 (2027-01-04) us-x done\n")
    assert not agrees("week 0 ... done\n", "week 0\nus-x done\n"), "not across lines"
    assert agrees("Roadmap 1 ...\n", "Roadmap 1 — best   \n"), "trailing spaces are ignored"
    assert not agrees("a.b\n", "axb\n"), "the rest is literal"


# ---- the console examples ----------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One `$ planner ...` command of a page and the output written under it."""

    page: Path
    line: int  # 1-based, in the page
    args: tuple[str, ...]
    expected: str


#: A console line that sets a shell variable for the page's later commands: `$ P="..."`.
ASSIGNMENT = re.compile(r"\$ ([A-Z_]+)=(.*)")


def console_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """The ```console blocks of a Markdown text whose first line is `$ planner ...` (or sets
    a variable, `$ P="..."`), each with the number of its first line (1-based) and its
    lines."""
    lines = text.split("\n")
    at = 0
    while at < len(lines):
        if lines[at].strip() == "```console":
            end = next(j for j in range(at + 1, len(lines)) if lines[j].strip() == "```")
            block = lines[at + 1 : end]
            if block and (block[0].startswith("$ planner ") or ASSIGNMENT.fullmatch(block[0])):
                yield at + 2, block
            at = end
        at += 1


def examples(page: Path) -> list[Example]:
    """The commands of `page`'s console blocks, in order, with the page's variables
    (`$ P="..."`) put in where a command names them (`$P`), as the shell would."""
    out: list[Example] = []
    variables: dict[str, str] = {}
    for first, block in console_blocks(page.read_text(encoding="utf-8")):
        commands = [i for i, line in enumerate(block) if line.startswith("$ ")]
        for k, i in enumerate(commands):
            end = commands[k + 1] if k + 1 < len(commands) else len(block)
            if assignment := ASSIGNMENT.fullmatch(block[i]):
                variables[assignment[1]] = " ".join(shlex.split(assignment[2]))
                continue
            line = block[i][2:]
            for name in sorted(variables, key=len, reverse=True):
                line = line.replace(f"${name}", variables[name])
            words = shlex.split(line)
            where = f"{page.relative_to(ROOT)}:{first + i}"
            assert words[0] == "planner", f"{where}: a console block runs `planner` only"
            assert not {"|", ">", "<", "&&", ";", "2>&1"} & set(words), (
                f"{where}: no shell here (the example runs in-process): use a ```sh block"
            )
            expected = "\n".join(block[i + 1 : end])
            out.append(Example(page, first + i, tuple(words[1:]), expected))
    return out


#: The README's tour is run too.
PAGES_WITH_EXAMPLES = [page for page in [ROOT / "README.md", *PAGES] if examples(page)]


def test_the_manual_has_examples_to_run() -> None:
    """A guard for the test below: the command pages show their commands running."""
    names = {p.relative_to(ROOT).as_posix() for p in PAGES_WITH_EXAMPLES}
    assert {"README.md", "docs/commands/plan.md", "docs/deal/tutorial.md"} <= names


@pytest.mark.parametrize(
    "page", PAGES_WITH_EXAMPLES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES_WITH_EXAMPLES]
)
def test_every_console_example_prints_what_the_manual_shows(page: Path, tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    for example in examples(page):
        result = cli(*example.args, cwd=tmp_path)
        where = (
            f"{example.page.relative_to(ROOT)}:{example.line}: planner {shlex.join(example.args)}"
        )
        assert result.returncode in (0, 1), f"{where}: exit {result.returncode}\n{result.stderr}"
        assert agrees(example.expected, result.stdout), (
            f"{where}: the output differs from the manual's\n--- the manual\n"
            f"{example.expected}\n--- the command\n{result.stdout}"
        )


# ---- every command documented ------------------------------------------------------------


def commands() -> dict[str, list[str]]:
    """Every command of the CLI and its long options (--help aside)."""
    import typer.main

    from planner.cli import app

    group = typer.main.get_command(app)
    return {
        name: [
            opt
            for param in command.params
            for opt in param.opts
            if opt.startswith("--") and opt != "--help"
        ]
        for name, command in group.commands.items()  # type: ignore[attr-defined]
    }


@pytest.mark.parametrize("name", list(commands()))
def test_every_command_has_its_page_with_every_option(name: str) -> None:
    page = DOCS / "commands" / f"{name}.md"
    assert page.exists(), f"{name}: no page docs/commands/{name}.md"
    text = page.read_text(encoding="utf-8")
    assert f"planner {name}" in text, name
    for opt in commands()[name]:
        assert opt in text, f"{name} {opt}: not on its page"
    assert f"commands/{name}.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"({name}.md)" in (DOCS / "commands" / "index.md").read_text(encoding="utf-8"), (
        f"{name}: not in the commands table"
    )


# ---- the site's shape --------------------------------------------------------------------


def nav_pages(nav: object) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from nav_pages(item)
    elif isinstance(nav, dict):
        for item in nav.values():
            yield from nav_pages(item)


def test_every_page_is_in_the_nav_and_every_nav_entry_is_a_page() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = list(nav_pages(config["nav"]))
    assert sorted(listed) == sorted(p.relative_to(DOCS).as_posix() for p in PAGES)
    assert len(set(listed)) == len(listed)


def test_the_readme_is_a_five_minute_read_with_the_quick_start_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert f"## Quick start\n\n```sh\n{QUICK_START}```\n" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, tests = QUICK_START.splitlines()
    assert f"\n{install}\n" in ci and f"\n{tests}\n" in ci, ".ci/run runs them as written"
    assert ci.index(install) < ci.index(f"\n{tests}\n") < ci.index("mkdocs build --strict")
    picture = re.search(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert picture and (ROOT / picture.group(1)).is_file(), "the README's picture"


# ---- the tutorial's excerpts -------------------------------------------------------------


def excerpts(text: str) -> Iterator[tuple[str, str]]:
    """The ```yaml blocks of a page whose first line names a file (`# examples/...`), each
    as (the file, the block's other lines)."""
    for match in re.finditer(r"```yaml\n# (examples/\S+)\n(.*?)```", text, flags=re.S):
        yield match[1], match[2]


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_every_excerpt_is_the_file_it_names_word_for_word(page: Path) -> None:
    """The tutorial builds its deal in excerpts of the finished files: each is in its file
    as written, so the files and the page cannot drift apart."""
    for name, block in excerpts(page.read_text(encoding="utf-8")):
        assert block in (ROOT / name).read_text(encoding="utf-8"), f"{page.name}: {name}"


def test_the_tutorial_shows_excerpts() -> None:
    assert len(list(excerpts((DOCS / "deal" / "tutorial.md").read_text(encoding="utf-8")))) >= 5
