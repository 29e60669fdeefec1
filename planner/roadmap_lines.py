"""A fast path for the shape nearly every YAML roadmap has: one flow mapping per line.

    roadmap:
      steps:
        - {step: by-migrant-halt, start: 4}
        - {step: us-aviation-relief, start: 14, end: 16, title: "Aviation relief"}

`planner plan -o` writes exactly this, and so do most people. Going through libyaml's
events costs about 25 microseconds per entry; one regular expression per line costs about
2. The fast path must never change an answer, so it takes only lines it can read exactly
as `planner.yamlread` would, with the same values and the same line:col marks, and gives
up (returns None, and the caller reads the file in full) on anything else: other keys,
single quotes, escapes, tabs, unusual characters, flow mappings spread over lines, a
different indentation, anything after the entries but comments and blank lines. Plain
values are typed by the reader's own function (`yamlread.plain_value`), so `start: 010`
is the same YAML 1.1 number on both paths. The part of the file before the entries is
small and goes through the full reader.
"""

from __future__ import annotations

import re
from typing import Any

from planner.errors import InputError, Mark
from planner.yamlread import YList, YMap, plain_value, read_yaml

#: A value as the loader's roadmap reader receives it, and where it was written.
Row = tuple[Mark, dict[str, tuple[Any, Mark]]]

_STEPS_LINE = re.compile(r"( *)steps:[ ]*(?:[ ]#[^\n]*)?\n")
_ENTRY = re.compile(r"( *)- \{ *(.*?) *\}(?:[ ]+#[^\n]*)?[ ]*$")
_PAIR = re.compile(
    r"(step|start|end|done|actor|package|kind|title): +"
    r'(?:"([^"\\\x00-\x1f\x7f-\x9f]*)"|([-+]?[A-Za-z0-9_][A-Za-z0-9_.+-]*))'
    r" *(?:,|$) *"
)
_BLANK_OR_COMMENT = re.compile(r"[ ]*(?:#[^\n]*)?$")
#: Characters the fast path leaves to libyaml: controls other than newline (tabs, CR,
#: NEL), a byte-order mark past the start, non-characters, and C1 controls.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def read_roadmap_steps(name: str, data: bytes) -> tuple[Any, list[Row]] | None:
    """(the document without its entries, the entries as rows), or None to read in full.

    The document is what `read_yaml` would give, except that `roadmap.steps` is an empty
    list: the rows stand for its items.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    found = _STEPS_LINE.search(text)
    if found is None or (found.start() and text[found.start() - 1] != "\n"):
        return None
    if _UNUSUAL.search(text):
        return None
    head_lines = text.count("\n", 0, found.end())
    lines = text[found.end() :].split("\n")
    rows: list[Row] = []
    indent: str | None = None
    for offset, line in enumerate(lines):
        entry = _ENTRY.match(line)
        if entry is None:
            if _BLANK_OR_COMMENT.match(line):
                continue
            return None
        if indent is None:
            indent = entry.group(1)
            if len(indent) < len(found.group(1)):
                return None
        elif entry.group(1) != indent:
            return None
        row = _row(name, head_lines + offset + 1, entry)
        if row is None:
            return None
        rows.append(row)
    if not rows:
        return None
    placeholder = " " * (len(found.group(1)) + 2) + "[]\n"
    try:
        doc = read_yaml(name, (text[: found.end()] + placeholder).encode("utf-8"))
    except InputError:
        return None
    body = doc.get("roadmap") if isinstance(doc, YMap) else None
    steps = body.get("steps") if isinstance(body, YMap) else None
    if not (isinstance(steps, YList) and not steps and steps.mark.line == head_lines + 1):
        return None
    return doc, rows


def _row(name: str, line: int, entry: re.Match[str]) -> Row | None:
    """The entry on `line` as {key: (value, mark)}, or None if it is not plain enough."""
    inner, start = entry.group(2), entry.start(2)
    pos = 0
    fields: dict[str, tuple[Any, Mark]] = {}
    while pos < len(inner):
        pair = _PAIR.match(inner, pos)
        if pair is None:
            return None
        key = pair.group(1)
        if key in fields:
            return None  # the full reader words the duplicate
        if pair.group(2) is not None:
            value: Any = pair.group(2)
            column = start + pair.start(2) - 1  # the opening quote, 0-based
        else:
            try:
                value = plain_value(pair.group(3))
            except Exception:  # an invalid date and the like: the full reader reports it
                return None
            column = start + pair.start(3)
        fields[key] = (value, Mark(name, line, column + 1))
        pos = pair.end()
        if pair.group(0).rstrip().endswith(",") and pos >= len(inner):
            return None  # a trailing comma
    if not fields:
        return None
    return Mark(name, line, len(entry.group(1)) + 3), fields
