"""The `# assumption:` comments of a scenario file: the numbers the deal's author had to
guess, each with its reason. YAML drops comments, so they are read from the file's text
and placed by line: a comment belongs to the step (or package) whose mapping holds its
line, and to the field written on that line (`duration: 4  # assumption: ...`); a comment
on a line of its own belongs to the line below it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from planner.errors import Mark
from planner.scenario import Assumption

_ASSUMPTION = re.compile(r"#\s*assumption:\s*(?P<text>.*?)\s*$", re.IGNORECASE)
#: A line without this word holds no assumption: it is skipped unscanned.
_WORD = re.compile("assumption", re.IGNORECASE)
_KEY = re.compile(r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*:")


def comment_start(line: str) -> int | None:
    """Where the comment of one line of YAML starts: the first '#' at the start or after
    a space, outside quoted text (a quote opens only where a value can start)."""
    quote = ""
    prev = " "
    i = 0
    while i < len(line):
        c = line[i]
        if quote == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quote = ""
        elif quote == "'":
            if c == "'" and line[i + 1 : i + 2] == "'":
                i += 2
                continue
            if c == "'":
                quote = ""
        elif c in "\"'" and prev in " \t[{,:":
            quote = c
        elif c == "#" and prev in " \t":
            return i
        prev = c
        i += 1
    return None


def assumptions(
    name: str, data: bytes, owners: Iterable[tuple[int, str, str]]
) -> tuple[Assumption, ...]:
    """The `# assumption:` comments of file `name` (its bytes `data`).

    `owners` are (first line, kind, id) of the file's steps and packages ("step",
    "package"); a comment before the first of them belongs to the scenario section.
    """
    text = data.decode("utf-8", errors="replace")
    if "assumption" not in text.lower():
        return ()  # most files have none: no line need be looked at
    starts = sorted(owners)
    lines = text.splitlines()
    out: list[Assumption] = []
    for number, line in enumerate(lines, 1):
        if not _WORD.search(line):
            continue  # the quoting scan below is for the few lines that may hold one
        at = comment_start(line)
        match = _ASSUMPTION.match(line, at) if at is not None else None
        if match is None:
            continue
        where = number
        code = line[: match.start()]
        if not code.strip():  # a comment on its own line explains the line below it
            below = next(
                (i for i in range(number, len(lines)) if lines[i].strip()[:1] not in ("#", "")),
                None,
            )
            if below is not None:
                where, code = below + 1, lines[below]
        key = _KEY.match(code)
        kind, owner = "scenario", ""
        for first, of, ident in starts:
            if first > where:
                break
            kind, owner = of, ident
        out.append(
            Assumption(
                kind=kind,
                owner=owner,
                key=key.group("key") if key else "",
                text=match.group("text"),
                mark=Mark(name, number, match.start() + 1),
            )
        )
    return tuple(out)
