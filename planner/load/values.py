"""Typed reading of located YAML values: every wrong field becomes one located problem."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any, ClassVar

from planner.errors import Mark, Problems
from planner.fields import (
    ID_PATTERN,
    MAX_NUMBER,
    REQUIRED,
    TIME_PATTERN,
    Attr,
    Choice,
    Custom,
    Declared,
    Flag,
    Ident,
    Int,
    Nat,
    Sel,
    SelPair,
    StepOrTime,
    Text,
    Time,
    declared,
)
from planner.load.yamlread import YList, YMap, written_number
from planner.model import convert

MISSING: Any = object()

#: The scenario's unit while its files are read: times written with a unit ("45 days")
#: are converted to it (`read_time`).
_UNIT: ContextVar[str | None] = ContextVar("unit", default=None)
#: Every time written with a unit, as read: (where, what, as written, in the unit).
_CONVERSIONS: ContextVar[list[tuple[Mark, str, str, int]] | None] = ContextVar(
    "conversions", default=None
)


@contextlib.contextmanager
def time_unit(unit: str) -> Iterator[list[tuple[Mark, str, str, int]]]:
    """Read times written with a unit in `unit`; yields the conversions made meanwhile."""
    made: list[tuple[Mark, str, str, int]] = []
    tokens = _UNIT.set(unit), _CONVERSIONS.set(made)
    try:
        yield made
    finally:
        _UNIT.reset(tokens[0])
        _CONVERSIONS.reset(tokens[1])


def as_time(value: str) -> int | None:
    """A time written with its unit ("44 days") in the unit being read (`time_unit`), or
    None when `value` is not one."""
    found = TIME_PATTERN.match(value)
    if found is None or len(found.group(1)) > 12:
        return None
    return convert(int(found.group(1)), found.group(2), _UNIT.get() or "week")


def read_time(problems: Problems, mark: Mark, what: str, value: Any, minimum: int = 0) -> int:
    """A time: a whole number in the scenario's unit, or a number with its unit ("45 days",
    "6 months", "2 weeks", "1 year"), converted to the scenario's unit and rounded up."""
    if isinstance(value, str):
        found = TIME_PATTERN.match(value)
        unit = _UNIT.get() or "week"
        if found is None:
            problems.add(
                mark,
                f"{what} must be a time (a whole number of {unit}s, or a number with its "
                f"unit: '45 days', '6 months'), not {describe(value)}",
            )
            return minimum
        amount = int(found.group(1)) if len(found.group(1)) <= 12 else MAX_NUMBER + 1
        converted = convert(amount, found.group(2), unit)
        result = check_nat(problems, mark, what, converted, minimum)
        made = _CONVERSIONS.get()
        if made is not None and result == converted:
            made.append((mark, what, value.strip(), converted))
        return result
    return check_nat(problems, mark, what, value, minimum)


def check_int(problems: Problems, mark: Mark, what: str, value: Any) -> int:
    """A whole number, negative allowed, within ±MAX_NUMBER."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return -check_nat(problems, mark, what, -value, 1)
    return check_nat(problems, mark, what, value)


#: Above this many choices, "did you mean" looks only at names that share pieces with the
#: word (an index of three-letter pieces) instead of comparing it with every name.
INDEX_ABOVE = 500
#: How many of the names sharing the most pieces are compared in full.
CANDIDATES = 40


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word`, when one is close enough to be a likely typo."""
    names = choices if isinstance(choices, (dict, set, frozenset, list, tuple)) else list(choices)
    small = len(names) <= INDEX_ABOVE
    pool = sorted(set(names)) if small else _Pieces.of(names).candidates(word)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return close[0] if close else None


class _Pieces:
    """The names of a large collection by their three-letter pieces (the word padded at
    both ends), built once per collection: a few hundred unknown names against 10,000
    steps cost milliseconds, not half a minute."""

    _cache: ClassVar[dict[int, tuple[object, int, _Pieces]]] = {}

    def __init__(self, names: Iterable[str]) -> None:
        self.by_piece: dict[str, list[str]] = {}
        count = 0
        for name in sorted(set(names)):
            count += 1
            for piece in self.pieces(name):
                self.by_piece.setdefault(piece, []).append(name)
        #: A piece most names share ("p00" in generated ids) says little and costs much.
        self.common = max(200, count // 20)

    @staticmethod
    def pieces(word: str) -> set[str]:
        padded = f"\0{word}\0"
        return {padded[i : i + 3] for i in range(len(padded) - 2)}

    @classmethod
    def of(cls, names: Any) -> _Pieces:
        held = cls._cache.get(id(names))
        if held is not None and held[1] == len(names) and held[0] is names:
            return held[2]
        index = cls(names)
        if len(cls._cache) > 8:
            cls._cache.clear()
        cls._cache[id(names)] = (names, len(names), index)
        return index

    def candidates(self, word: str) -> list[str]:
        lists = [self.by_piece.get(p, []) for p in self.pieces(word)]
        rare = [names for names in lists if len(names) <= self.common]
        shared: dict[str, int] = {}
        for names in rare or lists:
            for name in names:
                shared[name] = shared.get(name, 0) + 1
        best = sorted(shared, key=lambda n: (-shared[n], n))[:CANDIDATES]
        return sorted(best)


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    close = closest(word, choices)
    return f" (did you mean '{close}'?)" if close else ""


def number(value: float) -> str:
    """A number as written: integers in full (a very long one shortened), floats short."""
    if not isinstance(value, int):
        return f"{value:g}"
    if value.bit_length() < 80:
        return str(value)
    digits = len(str(abs(value))) if value.bit_length() < 14_000 else None
    return "a number of " + (f"{digits:,} digits" if digits else "more than 4,000 digits")


def describe(value: Any) -> str:
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YList):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"'{value[:37]}...'"
    if isinstance(value, int):
        return number(value)
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return repr(value)


class Reader:
    """Reads the fields of one mapping, reporting problems with the owner's name."""

    def __init__(
        self,
        problems: Problems,
        node: YMap,
        owner: str,
        allowed: Iterable[str],
        id_key: str | None = None,
    ) -> None:
        self.problems = problems
        self.node = node
        name = node.get(id_key) if id_key else None
        if type(name) is str:
            self.owner = f"{owner} '{name}'" if name else owner
        else:
            name = written_number(name) or name
            known = isinstance(name, (str, int)) and not isinstance(name, bool) and name != ""
            self.owner = f"{owner} '{name}'" if known else owner
        allowed = tuple(allowed)
        #: Fields that an unknown field was probably meant to be (not reported missing).
        self.typos: set[str] = set()
        for key in node:
            if key not in allowed:
                close = closest(key, allowed)
                hint = f" (did you mean '{close}'?)" if close else ""
                if close and close not in node:
                    self.typos.add(close)
                problems.add(
                    node.key_at(key), f"{self.owner}: unknown field '{key.split(chr(0))[0]}'{hint}"
                )

    def missing(self, key: str) -> None:
        """Report a required field as missing, unless a misspelling of it was reported."""
        if key not in self.typos:
            self.problems.add(self.node.mark, f"{self.owner}: missing field '{key}'")

    def fail(self, key: str, message: str) -> None:
        self.problems.add(self.node.at(key), f"{self.owner}: {message}")

    def at(self, key: str) -> Mark:
        return self.node.at(key)

    def raw(self, key: str, default: Any = MISSING) -> Any:
        if key in self.node:
            return self.node[key]
        if default is MISSING:
            self.missing(key)
        return default

    def text(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default:
            return "" if value is MISSING else value
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            # A title such as `2027` is still a title, and `0x10` stays `0x10`.
            return written_number(value) or str(value)
        if not isinstance(value, str):
            self.fail(key, f"'{key}' must be text, not {describe(value)}")
            return default if default is not MISSING else ""
        return value

    def ident(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default:
            return "" if value is MISSING else value
        return check_id(self.problems, self.at(key), self.owner, key, value)

    def nat(self, key: str, default: Any = MISSING, minimum: int = 0) -> Any:
        value = self.raw(key, default)
        if value is MISSING:
            return minimum
        if value is default or (value is None and default is None):
            return value
        return check_nat(self.problems, self.at(key), f"{self.owner}: '{key}'", value, minimum)

    def time(self, key: str, default: Any = MISSING, minimum: int = 0) -> Any:
        """A time field: a whole number, or a number with its unit (`read_time`)."""
        value = self.raw(key, default)
        if value is MISSING:
            return minimum
        if value is default or (value is None and default is None):
            return value
        return read_time(self.problems, self.at(key), f"{self.owner}: '{key}'", value, minimum)

    def step_or_time(self, key: str, default: Any = MISSING) -> Any:
        """A field that names a step (its id, checked against the steps by the caller) or a
        time (a whole number, or a number with its unit)."""
        value = self.raw(key, default)
        if value is MISSING or value is default:
            return None if value is MISSING else value
        if isinstance(value, str) and TIME_PATTERN.match(value):
            return read_time(self.problems, self.at(key), f"{self.owner}: '{key}'", value)
        if isinstance(value, str):
            return check_id(self.problems, self.at(key), self.owner, key, value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return check_nat(self.problems, self.at(key), f"{self.owner}: '{key}'", value)
        self.fail(key, f"'{key}' must be a step id or a time, not {describe(value)}")
        return None

    def integer(self, key: str, default: Any = MISSING) -> Any:
        """A whole number that may be negative."""
        value = self.raw(key, default)
        if value is MISSING:
            return 0
        if value is default:
            return value
        return check_int(self.problems, self.at(key), f"{self.owner}: '{key}'", value)

    def choice(self, key: str, options: tuple[str, ...], default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default:
            return options[0] if value is MISSING else value
        if value not in options:
            self.fail(
                key,
                f"'{key}' must be one of {', '.join(options)}, not {describe(value)}"
                + (suggest(value, options) if isinstance(value, str) else ""),
            )
            return options[0]
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false, not {describe(value)}")
            return default
        return value

    def mapping(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default:
            return None if value is MISSING else value
        if not isinstance(value, YMap):
            self.fail(key, f"'{key}' must be a mapping, not {describe(value)}")
            return default if default is not MISSING else None
        return value

    def sequence(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default:
            return None if value is MISSING else value
        if not isinstance(value, YList):
            self.fail(key, f"'{key}' must be a list, not {describe(value)}")
            return default if default is not MISSING else None
        return value


def id_problem(key: str, value: Any) -> str | None:
    """Why `value` cannot be an id, or None: what YAML 1.1 read as a number other than
    its text (`0x10` is 16, `010` is 8, `1:20` is 80) or as a float, date or flag is
    refused with the text to quote, never silently renamed."""
    written = written_number(value)
    if written is not None:
        read = "a number" if number(value) == written else f"the number {number(value)}"
        if not ID_PATTERN.match(written):
            return (
                f"'{key}' {written} is not an identifier (letters, digits, '-', '_', '.'; "
                f"YAML reads it as {read})"
            )
        return (
            f"'{key}' {written} is read by YAML as {read}: write it in quotes "
            f"('{written}') to keep it as written"
        )
    if isinstance(value, (bool, dt.date)):
        return f"'{key}' must be an identifier, not {describe(value)} (write it in quotes)"
    if not isinstance(value, (str, int)):
        return f"'{key}' must be an identifier, not {describe(value)}"
    return None


def check_id(problems: Problems, mark: Mark, owner: str, key: str, value: Any) -> str:
    if type(value) is not str:
        problem = id_problem(key, value)
        if problem is not None:
            problems.add(mark, f"{owner}: {problem}")
            return ""
    text = str(value)
    if not ID_PATTERN.match(text):
        problems.add(
            mark,
            f"{owner}: '{key}' {describe(text)} is not an identifier "
            "(letters, digits, '-', '_', '.'; no spaces)",
        )
    return text


def check_nat(
    problems: Problems,
    mark: Mark,
    what: str,
    value: Any,
    minimum: int = 0,
    maximum: int = MAX_NUMBER,
) -> int:
    """An integer in [minimum, maximum], or a problem (minimum returned so checking can go
    on)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(mark, f"{what} must be a whole number ≥ {minimum}, not {describe(value)}")
        return minimum
    if isinstance(value, float) and not value.is_integer():
        problems.add(mark, f"{what} must be a whole number, not {number(value)}")
        return minimum
    if value < minimum:
        problems.add(mark, f"{what} must be ≥ {minimum}, not {number(value)}")
        return minimum
    if value > maximum:
        problems.add(mark, f"{what} must be ≤ {maximum}, not {number(value)}")
        return minimum
    return int(value)


_UNSET: Any = object()


def read_declared(r: Reader, decl: Declared, default: Any = _UNSET) -> Any:
    """The value of a declared field of a plain type (text, identifier, whole number,
    flag, choice), read by `r` with the declaration's default (or `default`, for a field
    whose absence means something else, such as a title that defaults to the id)."""
    value = decl.default if default is _UNSET else default
    if value is REQUIRED:
        value = MISSING
    spec, key = decl.spec, decl.key
    if isinstance(spec, Text):
        return r.text(key, value)
    if isinstance(spec, (Ident, Attr)):
        return r.ident(key, value)
    if isinstance(spec, Time):
        return r.time(key, value, minimum=spec.minimum)
    if isinstance(spec, Nat):
        return r.nat(key, value, minimum=spec.minimum)
    if isinstance(spec, Int):
        return r.integer(key, value)
    if isinstance(spec, StepOrTime):
        return r.step_or_time(key, value)
    if isinstance(spec, Flag):
        return r.boolean(key, value)
    if isinstance(spec, Choice):
        return r.choice(key, spec.options, value)
    raise TypeError(f"field '{key}': no plain reader for {type(spec).__name__}")


def read_plain(r: Reader, cls: type, skip: tuple[str, ...] = (), **defaults: Any) -> dict[str, Any]:
    """Every declared field of `cls` that has a plain type (but those in `skip`), by
    attribute name; `defaults` override declared ones."""
    node = r.node
    out: dict[str, Any] = {}
    # Ten thousand steps of a dozen fields are read without a call for each field that is
    # absent (its default, as every reader gives it: a required one is reported missing by
    # the reader, a flag's default is a flag) or plainly valid (what the reader would
    # return unchanged); anything else goes through the reader, which words the problem.
    for d, key, how, limit in _plain_fields(cls, skip):
        default = defaults.get(d.name, _UNSET)
        if key not in node:
            value = d.default if default is _UNSET else default
            if value is not REQUIRED and (type(value) is bool or how != _FLAG):
                out[d.name] = value
                continue
        else:
            value = node[key]
            kind = type(value)
            if (
                (how == _TEXT and kind is str)
                or (how == _IDENT and kind is str and ID_PATTERN.match(value))
                or (how == _NAT and kind is int and limit <= value <= MAX_NUMBER)
                or (how == _FLAG and kind is bool)
                or (how == _CHOICE and kind is str and value in limit)
                or (how == _INT and kind is int and -MAX_NUMBER <= value <= MAX_NUMBER)
            ):
                out[d.name] = value
                continue
        out[d.name] = read_declared(r, d, default)
    return out


_TEXT, _IDENT, _NAT, _FLAG, _CHOICE, _INT, _OTHER = range(7)


@functools.cache
def _plain_fields(cls: type, skip: tuple[str, ...]) -> tuple[tuple[Declared, str, int, Any], ...]:
    """The declared fields of `cls` of a plain type, but those in `skip`, each with its
    key in the file, its kind (`_TEXT`...) and its limit (a whole number's minimum, a
    choice's options)."""
    out: list[tuple[Declared, str, int, Any]] = []
    for d in declared(cls):
        spec = d.spec
        if d.name in skip or isinstance(spec, (Custom, Sel, SelPair)):
            continue
        if isinstance(spec, Text):
            out.append((d, d.key, _TEXT, None))
        elif isinstance(spec, (Ident, Attr)):
            out.append((d, d.key, _IDENT, None))
        elif isinstance(spec, Nat):
            out.append((d, d.key, _NAT, spec.minimum))
        elif isinstance(spec, Flag):
            out.append((d, d.key, _FLAG, None))
        elif isinstance(spec, Choice):
            out.append((d, d.key, _CHOICE, spec.options))
        elif isinstance(spec, Int):
            out.append((d, d.key, _INT, None))
        elif isinstance(spec, StepOrTime):
            out.append((d, d.key, _OTHER, None))  # always through its reader
        else:
            raise TypeError(f"field '{d.key}': no plain reader for {type(spec).__name__}")
    return tuple(out)
