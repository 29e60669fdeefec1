"""Generated parts of hand-written files: a marked block of a Markdown file (the manual's
rule table, docs/rules.md) and one value of a JSON document (the check report schema's
kinds), replaced and the rest kept byte for byte. Pure text in, text out; `planner.authoring.docs` reads and
writes the files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


class RegionError(ValueError):
    """A hand-written file lacks the place a generated part goes (or holds it twice)."""


def begin_marker(name: str) -> str:
    return f"<!-- BEGIN generated: {name} (python -m planner.authoring.docs; do not edit) -->"


def end_marker(name: str) -> str:
    return f"<!-- END generated: {name} -->"


def replace_block(text: str, name: str, body: str) -> str:
    """`text` with the lines between the markers of block `name` replaced by `body`
    (the marker lines themselves kept).

    Raises
    ------
    RegionError
        When either marker is missing, written twice, or they are out of order.
    """
    begin, end = begin_marker(name), end_marker(name)
    if text.count(begin) != 1 or text.count(end) != 1:
        raise RegionError(f"needs one line {begin!r} and, after it, one line {end!r}")
    head, rest = text.split(begin, 1)
    if end not in rest:
        raise RegionError(f"{end!r} comes before {begin!r}")
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body.rstrip(chr(10))}\n{end}{tail}"


def set_json_value(text: str, path: Sequence[str], value: Any) -> str:
    """`text`, a JSON document, with the value at `path` (object keys from the top)
    replaced by `value`, every other byte kept. The new value is written in the style of
    the old one: on one line, or (when the old one spanned lines) one item a line,
    indented from the line it starts on.

    Raises
    ------
    RegionError
        When the text is not JSON, or has no value at `path`.
    """
    try:
        expected = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegionError(f"not JSON: {exc}") from None
    decoder = json.JSONDecoder()
    pos = 0
    for key in path:  # each key is looked for after the previous one; checked below
        found = text.find(json.dumps(key) + ":", pos)
        if found < 0:
            raise RegionError(f"no {'/'.join(path)} in the document")
        pos = found + len(json.dumps(key)) + 1
    while text[pos] in " \t\r\n":
        pos += 1
    old, end = decoder.raw_decode(text, pos)
    if "\n" in text[pos:end]:
        indent = text[text.rfind("\n", 0, pos) + 1 :]
        indent = indent[: len(indent) - len(indent.lstrip(" "))]
        new = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
    else:
        new = json.dumps(value, ensure_ascii=False)
    out = text[:pos] + new + text[end:]
    holder = expected
    for key in path[:-1]:
        holder = holder.get(key) if isinstance(holder, dict) else None
    if not isinstance(holder, dict) or holder.get(path[-1], object()) != old:
        raise RegionError(f"no {'/'.join(path)} in the document")
    holder[path[-1]] = value
    if json.loads(out) != expected:  # the text search found a key elsewhere
        raise RegionError(f"{'/'.join(path)}: could not be replaced in place")
    return out
