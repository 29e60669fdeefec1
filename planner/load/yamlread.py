"""Strict YAML reading: located values, no duplicate keys, no anchors, bounded size.

PyYAML silently keeps the last of two duplicate keys and expands aliases on demand (an
"alias bomb" of a few hundred bytes can describe billions of nodes). We build values from
the parser's *events* ourselves, so a duplicate key or an alias is refused where it is
written, before anything walks it, and every mapping and list remembers where its items
came from for later messages.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml import events as ev

from planner.errors import InputError, Mark, Problem

#: Inputs larger than this are refused before parsing (a 10,000-step scenario is ~3 MB).
MAX_BYTES = 32 * 1024 * 1024
#: Nesting deeper than this is refused (the formats need fewer than ten levels).
MAX_DEPTH = 64

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Anchors and aliases listed one by one before the rest are only counted.
MAX_LISTED_REFS = 10
_CORE = "tag:yaml.org,2002:"
_HINTS = {
    "mapping values are not allowed in this context": " (put text containing ': ' in quotes)",
    "mapping values are not allowed here": " (put text containing ': ' in quotes)",
    "did not find expected '-' indicator": " (check the indentation)",
    "did not find expected key": " (check the indentation)",
    "expected <block end>, but found '<block mapping start>'": " (check the indentation)",
}
_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)$")


#: Where a key, value or item was written: a `Mark`, or the reader's own record of the
#: place (libyaml's 0-based mark, kept as it came: making a `Mark` for each of 300,000
#: values that are never reported costs a tenth of the reading), made a `Mark` when asked.
Where = Any


def _as_mark(file: str, where: Where) -> Mark:
    return where if type(where) is Mark else Mark(file, where.line + 1, where.column + 1)


class YMap(dict[str, Any]):
    """A mapping that remembers where it, each key and each value were written (read
    them with `at` and `key_at`)."""

    __slots__ = ("key_marks", "mark", "value_marks")

    def __init__(self, mark: Mark) -> None:
        self.mark = mark
        self.key_marks: dict[str, Where] = {}
        self.value_marks: dict[str, Where] = {}

    def at(self, key: str) -> Mark:
        """Where the value of `key` was written (the mapping itself when absent)."""
        where = self.value_marks.get(key)
        if where is None:
            return self.mark
        if type(where) is not Mark:
            where = self.value_marks[key] = _as_mark(self.mark.file, where)
        return where

    def key_at(self, key: str) -> Mark:
        where = self.key_marks.get(key)
        if where is None:
            return self.mark
        if type(where) is not Mark:
            where = self.key_marks[key] = _as_mark(self.mark.file, where)
        return where


class YList(list[Any]):
    """A list that remembers where it and each item were written (read them with `at`)."""

    __slots__ = ("item_marks", "mark")

    def __init__(self, mark: Mark) -> None:
        self.mark = mark
        self.item_marks: list[Where] = []

    def at(self, index: int) -> Mark:
        if index >= len(self.item_marks):
            return self.mark
        where = self.item_marks[index]
        if type(where) is not Mark:
            where = self.item_marks[index] = _as_mark(self.mark.file, where)
        return where


_SCALAR = ev.ScalarEvent
_MAP_END = ev.MappingEndEvent
_SEQ_END = ev.SequenceEndEvent
_SKIPPED = (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentEndEvent)


def _mark(name: str, m: Any) -> Mark:
    return Mark(name, m.line + 1, m.column + 1) if m is not None else Mark(name)


_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


#: First characters of plain scalars that PyYAML's resolver may type as something other
#: than text (bool, int, float, null, timestamp, merge, value); any other is plain text.
TYPED_STARTS = frozenset(_resolver.yaml_implicit_resolvers) | {""}


class WrittenInt(int):
    """A whole number that YAML 1.1 reads otherwise than its text says to a person:
    `0x10` is 16, `010` is 8, `1:20` is 80, `1_000` is 1000. It is that number
    everywhere; `written` keeps the text, so that a field that must be text (an id) can
    say what YAML made of it instead of silently renaming it."""

    written: str


class WrittenFloat(float):
    """A float whose text is not how Python writes it (`1.50`, `.inf`, `1.0e+3`); as
    `WrittenInt`."""

    written: str


def written_number(value: Any) -> str | None:
    """The text of a plain scalar that YAML 1.1 typed as a number (`0x10` for 16, `1.5`
    for 1.5), or None for anything else (text, a quoted value, a flag, a date)."""
    if isinstance(value, (WrittenInt, WrittenFloat)):
        return value.written
    if isinstance(value, float):
        return repr(value)
    return None


def _as_written(value: Any, text: str) -> Any:
    """`value`, marked with its text when that is not the number's own way of writing it."""
    if type(value) is int and str(value) != text:
        marked: WrittenInt | WrittenFloat = WrittenInt(value)
    elif type(value) is float and repr(value) != text:
        marked = WrittenFloat(value)
    else:
        return value
    marked.written = text
    return marked


_PLAIN: dict[str, Any] = {}
#: Mark(...) without the Python-level constructor of a named tuple (one per value read).
_new_tuple = tuple.__new__


def _scalar(event: ev.ScalarEvent, tag: str | None) -> Any:
    """The Python value of a scalar, typed as YAML 1.1 (PyYAML's safe rules) would type it."""
    if tag is None:
        if not event.implicit[0] or event.value[:1] not in TYPED_STARTS:
            return event.value  # quoted, or plain text no resolver claims: the common case
        known = _PLAIN.get(event.value, _PLAIN)
        if known is not _PLAIN:
            return known
        value = _scalar(event, _resolver.resolve(yaml.ScalarNode, event.value, event.implicit))  # type: ignore[no-untyped-call]
        value = _as_written(value, event.value)
        if len(_PLAIN) < 100_000:  # plain values repeat (keys, numbers); all are immutable
            _PLAIN[event.value] = value
        return value
    value = event.value
    if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:value"):
        return value
    if tag == "tag:yaml.org,2002:int" and _INT.match(value):
        return int(value.replace("_", ""))
    node = yaml.ScalarNode(tag, value)
    if tag == "tag:yaml.org,2002:timestamp":
        return _constructor.construct_yaml_timestamp(node)
    return _constructor.construct_object(node)


def plain_value(text: str) -> Any:
    """The value of `text` written as a plain (unquoted) scalar, typed exactly as
    `read_yaml` types it. Raises ValueError (and the like) where `read_yaml` would report
    an invalid value, such as the date 2027-02-30."""
    return _scalar(ev.ScalarEvent(None, None, (True, False), text), None)


def plain_problem(text: str, exc: Exception) -> str:
    """Why `plain_value(text)` raised `exc`, as `read_yaml` words it ("'2027-02-30' is
    not a valid date (...)", "'999...' is too long a number (5,000 characters)")."""
    return _bad_scalar(ev.ScalarEvent(None, None, (True, False), text), None, exc)


#: A JSON number that YAML 1.1 would leave as text (an exponent without a dot: 1e3).
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?[eE][-+]?[0-9]+\Z")


def read_yaml(name: str, data: bytes, json_numbers: bool = False) -> Any:
    """Parse one YAML document into plain values with marks (`YMap`, `YList`, scalars).

    Parameters
    ----------
    name:
        How the file is called in messages.
    data:
        The file's bytes.
    json_numbers:
        Read numbers as JSON writes them (a file named `.json`): `1e3` is the number
        1000.0, where YAML 1.1 reads it as text.

    Raises
    ------
    InputError
        With every duplicate key, alias, unsupported tag or over-deep nesting found, or
        the one syntax error that stopped the parser.
    """
    if len(data) > MAX_BYTES:
        raise InputError(
            [Problem(Mark(name), f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        place = Mark(name, data.count(b"\n", 0, exc.start) + 1, col)
        byte = data[exc.start]
        message = f"not UTF-8 text ({exc.reason} 0x{byte:02x}): save the file as UTF-8"
        raise InputError([Problem(place, message)]) from None
    problems: list[Problem] = []
    # The open containers, innermost last, and for each the key read and waiting for its
    # value (None when none is: the next scalar is a key). Two lists rather than a list
    # of pairs: a value read only sets `keys[-1]`, no pair is built per value.
    containers: list[Any] = []
    keys: list[Any] = []
    brackets: list[str] = []  # per open container: "[" or "{" when written in flow style
    root: Any = None
    documents = 0
    refs: list[Problem] = []  # anchors and aliases: the first few are listed, the rest counted

    def refused(problem: Problem) -> None:
        if len(refs) < MAX_LISTED_REFS:
            problems.append(problem)
        refs.append(problem)

    event: Any
    value: Any
    container: Any = None  # containers[-1], or None at the top level
    # libyaml's events through PyYAML's C parser, one call each (no generator between).
    next_event = _Loader(text).get_event
    typed_starts = TYPED_STARTS
    new_mark = _new_tuple
    plain = _PLAIN
    try:
        while (event := next_event()) is not None:
            kind = type(event)
            if (
                kind is _SCALAR
                and container is not None
                and event.anchor is None
                and event.tag is None
            ):
                # The common case, kept short: a plain or quoted value inside a container.
                start = event.start_mark  # made a Mark only if asked for (`Where`)
                value = event.value
                if event.implicit[0] and value[:1] in typed_starts:  # else text: as _scalar
                    known = plain.get(value, plain)
                    if known is not plain and not json_numbers:
                        value = known  # a number or word read before (as `_scalar` does)
                    else:
                        try:
                            value = _scalar(event, None)
                            if json_numbers and type(value) is str and _JSON_NUMBER.match(value):
                                value = float(value)
                        except Exception as exc:  # a date such as 2027-02-30, ...
                            problems.append(
                                Problem(_as_mark(name, start), _bad_scalar(event, None, exc))
                            )
                if type(container) is YList:
                    container.append(value)
                    container.item_marks.append(start)
                    continue
                key = keys[-1]
                if key is not None:
                    container[key] = value
                    container.value_marks[key] = start
                    keys[-1] = None
                elif event.value not in container.key_marks:
                    container.key_marks[event.value] = start
                    keys[-1] = event.value
                else:  # a duplicate key: the general path words the problem
                    mark = _as_mark(name, start)
                    _attach(name, containers, keys, value, mark, problems, scalar_event=event)
                continue
            if kind in _SKIPPED:
                continue
            if kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    problems.append(
                        Problem(_mark(name, event.start_mark), "only one YAML document per file")
                    )
                    break
                continue
            if kind is _MAP_END or kind is _SEQ_END:
                value = containers.pop()
                keys.pop()
                brackets.pop()
                if not containers:
                    root, container = value, None
                    continue
                container = containers[-1]
                if type(container) is YList:
                    container.append(value)
                    container.item_marks.append(value.mark)
                elif (key := keys[-1]) is not None:
                    container[key] = value
                    container.value_marks[key] = value.mark
                    keys[-1] = None
                else:  # a mapping as a key: the general path refuses it
                    _attach(name, containers, keys, value, value.mark, problems)
                continue
            start = event.start_mark
            mark = new_mark(Mark, (name, start.line + 1, start.column + 1))
            if kind is ev.AliasEvent:
                refused(
                    Problem(mark, f"aliases are not allowed (*{event.anchor}): write the value out")
                )
                value = None
            else:
                anchor = event.anchor
                if anchor is not None:
                    refused(
                        Problem(mark, f"anchors are not allowed (&{anchor}): write the value out")
                    )
                tag = event.tag
                if tag == "!":
                    tag = "tag:yaml.org,2002:str"
                elif tag is not None and tag not in _CORE_TAGS:
                    shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
                    problems.append(
                        Problem(mark, f"tags are not allowed ({shown}): write a plain value")
                    )
                    tag = None
                if kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                    if len(containers) >= MAX_DEPTH:
                        problems.append(Problem(mark, f"nested deeper than {MAX_DEPTH} levels"))
                        break
                    container = YMap(mark) if kind is ev.MappingStartEvent else YList(mark)
                    containers.append(container)
                    keys.append(None)
                    flow = bool(event.flow_style)
                    brackets.append(("{" if kind is ev.MappingStartEvent else "[") if flow else "")
                    continue
                assert kind is _SCALAR
                try:
                    value = _scalar(event, tag)
                except Exception as exc:  # a date such as 2027-02-30, `!!bool maybe`, ...
                    problems.append(Problem(mark, _bad_scalar(event, tag, exc)))
                    value = event.value
            if container is None:
                root = value
            else:
                _attach(name, containers, keys, value, mark, problems, scalar_event=event)
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        what += _HINTS.get(what, "")
        if "maximum nesting depth" in what:  # libyaml 0.2.5+ stops deep flow nesting itself
            problems.append(Problem(_mark(name, where), f"nested deeper than {MAX_DEPTH} levels"))
            raise InputError(problems) from None
        at = _mark(name, where)
        if exc.context == "while scanning a simple key" and exc.context_mark:
            # Found on the next line; the text that lacks its ':' is where the scan began.
            at, what = _mark(name, exc.context_mark), f"{what} (is this meant to be 'key: value'?)"
        elif where is not None and where.index >= len(text.rstrip()):
            # Ran off the end of the file: the place to fix is where the thing was opened.
            if exc.context == "while scanning a quoted scalar" and exc.context_mark:
                at, what = _mark(name, exc.context_mark), f"unclosed quoted text ({what})"
            elif brackets and brackets[-1]:
                at, what = containers[-1].mark, f"unclosed '{brackets[-1]}' ({what})"
        problems.append(Problem(at, f"YAML syntax error: {what}"))
    except yaml.reader.ReaderError as exc:  # a control character: the reader's own position
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problems.append(
            Problem(
                Mark(name, line, col),
                f"YAML error: unacceptable character #x{code:04x}: control characters are "
                "not allowed (remove it)",
            )
        )
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        problems.append(Problem(Mark(name), f"YAML error: {' '.join(str(exc).split())}"))
    if len(refs) > MAX_LISTED_REFS:
        more = refs[MAX_LISTED_REFS]
        problems.append(
            Problem(
                more.mark,
                f"{len(refs) - MAX_LISTED_REFS} more anchors and aliases from here on "
                "(not listed): write the values out",
            )
        )
    if problems:
        raise InputError(problems)
    return root


def _bad_scalar(event: ev.ScalarEvent, tag: str | None, exc: Exception) -> str:
    """Why a scalar that looks typed (a date, an explicit `!!int`) has no value."""
    if tag is None:
        tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    if tag == _CORE + "merge":
        return "merge keys are not allowed (<<): write the fields out"
    shown = event.value if len(event.value) <= 40 else event.value[:37] + "..."
    if tag == _CORE + "timestamp":  # the reason reads well: "month must be in 1..12"
        return f"'{shown}' is not a valid date ({exc})"
    if event.tag is None and tag == _CORE + "int":  # Python refuses ints of 4,300+ digits
        return f"'{shown}' is too long a number ({len(event.value):,} characters)"
    return f"'{shown}' is not a valid !!{tag[len(_CORE) :]}"


def _attach(
    name: str,
    containers: list[Any],
    keys: list[Any],
    value: Any,
    mark: Mark,
    problems: list[Problem],
    scalar_event: Any = None,
) -> None:
    """Put a finished value into the innermost open container (`containers[-1]`, whose
    key waiting for a value is `keys[-1]`)."""
    if not containers:
        return
    container, key = containers[-1], keys[-1]
    if isinstance(container, YList):
        container.append(value)
        container.item_marks.append(mark)
        return
    if key is None:  # this value is a key
        if isinstance(value, (YMap, YList)):
            problems.append(Problem(mark, "a mapping key must be a plain value"))
            key_text = f"<complex key at {mark}>"
        elif isinstance(scalar_event, ev.ScalarEvent):
            key_text = scalar_event.value
        else:
            key_text = str(value)
        if key_text in container.key_marks:
            first = container.key_at(key_text)
            problems.append(
                Problem(mark, f"duplicate key '{key_text}' (first written at line {first.line})")
            )
            key_text = f"{key_text}\0dup{mark}"  # keep parsing; the file is refused anyway
        container.key_marks[key_text] = mark
        keys[-1] = key_text
        return
    container[key] = value
    container.value_marks[key] = mark
    keys[-1] = None
