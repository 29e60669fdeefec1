"""A fast path for the shape nearly every YAML roadmap has: one flow mapping per line.

    roadmap:
      steps:
        - {step: by-migrant-halt, start: 4}
        - {step: us-aviation-relief, start: 14, end: 16, title: "Aviation relief"}

`planner plan -o` writes exactly this, and so do most people. Going through libyaml's
events costs about 25 microseconds per entry; one regular expression per line costs about
2. The fast path must never change an answer, so it takes only lines it can read exactly
as `planner.load.yamlread` would, with the same values and the same line:col marks, and gives
up (returns None, and the caller reads the file in full) on anything else: other keys,
single quotes, escapes, tabs, unusual characters, flow mappings spread over lines, a
different indentation, anything after the entries but comments and blank lines. Plain
values are typed by the reader's own function (`yamlread.plain_value`), so `start: 010`
is the same YAML 1.1 number on both paths. The part of the file before the entries is
small and goes through the full reader.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from planner.errors import InputError, Mark
from planner.load.yamlread import TYPED_STARTS, YList, YMap, plain_value, read_yaml

#: Mark(name, line, column) without the Python-level NamedTuple constructor.
_mark = functools.partial(tuple.__new__, Mark)
#: An entry as the loader's roadmap reader receives it: where the entry was written, and
#: each field's value and where that was written.
Row = tuple[Mark, dict[str, tuple[Any, Mark]]]
#: The two most common entries, `{step: id, start: n}` and the line `plan -o` writes, as
#: (id, start, line number, line, derived fields). Ten thousand rows of three to nine
#: marks each take 30-100 ms to build, so marks are made (`expand`) only for an entry that
#: must be reported. Both patterns admit only a valid start (below 10**9). The derived
#: fields are (end, done, actor, package, kind, title), in the order of
#: `planner.roadmap.read.CHECKED_FIELDS`, or () when the line has none.
Compact = tuple[str, int, int, str, tuple[Any, ...]]

#: Fields `plan -o` writes beside `step` and `start`: recomputed from the scenario, and a
#: note where the file says otherwise (the person moved `start`).
DERIVED_FIELDS = ("end", "done", "actor", "package", "kind", "title")
ENTRY_FIELDS = ("step", "start", *DERIVED_FIELDS)

_STEPS_LINE = re.compile(r"( *)steps:[ ]*(?:[ ]#[^\n]*)?\n")
#: Double-quoted text without escapes but \" and \\ (JSON writes those two for a quote and
#: a backslash, and they mean the same in YAML).
_PLAIN_CHARS = r'[^"\\\x00-\x1f\x7f-\x9f]*'
_QUOTED = '"(' + _PLAIN_CHARS + r'(?:\\["\\]' + _PLAIN_CHARS + ')*)"'  # runs, not char by char
_NAT = r"(0|[1-9][0-9]{0,8})"
#: `{step: id, start: n}` (a renewal's id ends in @N); an id that YAML 1.1 might type (yes,
#: no, on...) is left to _PAIR.
_SIMPLE = re.compile(
    r"( *)- \{step: ([A-Za-z_][A-Za-z0-9_.-]*(?:@[0-9]+)?), start: " + _NAT + r"\}$"
).match
#: The line `plan -o` writes (`planner.roadmap.write.roadmap_yaml`).
_PLANNED = re.compile(
    r'( *)- \{step: "([A-Za-z0-9][A-Za-z0-9_.-]*(?:@[0-9]+)?)", start: ' + _NAT + ", end: " + _NAT
    + ", done: " + _NAT + ", actor: " + _QUOTED + ", package: " + _QUOTED + ", kind: "
    + _QUOTED + ", title: " + _QUOTED + r"\}$"
).match  # fmt: skip
#: Any other one-line flow mapping (a '}' in a trailing comment sends it to libyaml).
_ENTRY = re.compile(r"( *)- \{ *(.*) *\}(?:[ ]+#[^\n]*)?[ ]*$")
_PAIR = re.compile(
    "(" + "|".join(ENTRY_FIELDS) + "): +"
    r"(?:" + _QUOTED + r"|([-+]?[A-Za-z0-9_][A-Za-z0-9_.+-]*))"
    r" *(,|$) *"
).match
_ESCAPE = re.compile(r"\\([\"\\])")
_BLANK_OR_COMMENT = re.compile(r"[ ]*(?:#[^\n]*)?$")
#: Characters the fast path leaves to libyaml: controls other than newline (tabs, CR,
#: NEL, C1), surrogates, a byte-order mark past the start, and the non-characters
#: U+FFFE and U+FFFF.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")


def read_roadmap_steps(name: str, data: bytes) -> tuple[Any, list[Row | Compact]] | None:
    """(the document without its entries, the entries), or None to read in full.

    The document is what `read_yaml` would give, except that `roadmap.steps` is an empty
    list: the entries stand for its items, each a row or, for `{step: id, start: n}` and
    the lines `plan -o` writes (past the first entry, which sets the indentation), a
    compact entry (`expand` makes it a row).
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
    head = head_lines + 1  # the line number of lines[0]
    lines = text[found.end() :].split("\n")
    rows: list[Row | Compact] = []
    indent: str | None = None
    for offset, line in enumerate(lines):
        if indent is not None and line.startswith(indent + "- {"):  # so group(1) is indent
            simple = _SIMPLE(line)
            if simple and simple.group(2)[0] not in TYPED_STARTS:
                rows.append((simple.group(2), int(simple.group(3)), head + offset, line, ()))
                continue
            planned = _PLANNED(line)
            if planned:
                _, sid, start, end, done, actor, package, kind, title = planned.groups()
                if "\\" in line:
                    actor, package, kind = _text(actor), _text(package), _text(kind)
                    title = _text(title)
                derived = (int(end), int(done), actor, package, kind, title)
                rows.append((sid, int(start), head + offset, line, derived))
                continue
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
        row = _row(name, head + offset, entry)
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


def expand(name: str, entry: Compact) -> Row:
    """A compact entry as the row the full reader would give, marks included."""
    _, _, line, text, _ = entry
    matched = _ENTRY.match(text)
    row = _row(name, line, matched) if matched else None
    assert row is not None, f"a compact entry is a row too: {text!r}"
    return row


def _text(quoted: str) -> str:
    r"""The value of double-quoted text as _QUOTED admits it (escapes: \" and \\ only)."""
    return _ESCAPE.sub(r"\1", quoted) if "\\" in quoted else quoted


def _row(name: str, line: int, entry: re.Match[str]) -> Row | None:
    """The entry on `line` as {key: (value, mark)}, or None if it is not plain enough."""
    inner, start = entry.group(2), entry.start(2)
    pos, end = 0, len(inner)
    fields: dict[str, tuple[Any, Mark]] = {}
    while True:
        pair = _PAIR(inner, pos)
        if pair is None:
            return None
        key, quoted, plain, sep = pair.groups()
        if key in fields:
            return None  # the full reader words the duplicate
        if quoted is not None:
            # The mark is at the opening quote: 1-based, one before the text's 0-based start.
            fields[key] = (_text(quoted), _mark((name, line, start + pair.start(2))))
        else:
            if plain[:1] in TYPED_STARTS:
                try:
                    plain = plain_value(plain)
                except Exception:  # an invalid date and the like: the full reader reports it
                    return None
            fields[key] = (plain, _mark((name, line, start + pair.start(3) + 1)))
        pos = pair.end()
        if not sep:
            break
        if pos >= end:
            return None  # a trailing comma
    return _mark((name, line, len(entry.group(1)) + 3)), fields
