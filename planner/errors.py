"""Input problems: located, collected, reported all at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

#: Control characters, the line and paragraph separators, and the bidirectional controls
#: (which reorder what a terminal shows).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def one_line(text: str) -> str:
    """`text` on one line: newlines, tabs and other control characters (bidirectional ones
    included) written as escapes (a value quoted in a message may hold any of them)."""
    if not _CONTROL.search(text):
        return text
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

    def escaped(m: re.Match[str]) -> str:
        c = m.group()
        return named.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")

    return _CONTROL.sub(escaped, text)


class Mark(NamedTuple):
    """A place in an input file (1-based line and column, as editors count).

    A named tuple rather than a dataclass: the reader makes one per value, and a tuple is
    several times cheaper to build.
    """

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, at one place."""

    mark: Mark
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.mark}: {self.message}")


#: Problems of one shape listed one by one; the rest of that shape are counted.
MAX_LISTED = 20
#: Problems collected at most: past this the input can only repeat itself.
MAX_COLLECTED = 10_000

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\d[\d,.]*")


def shape(message: str) -> str:
    """A message with its names and numbers taken out: problems of one shape differ only
    in what they name ("unknown step 'a'" and "unknown step 'b'")."""
    return _QUOTED.sub("…", message)


class InputError(Exception):
    """The input cannot be used; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem], dropped: int = 0) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.mark, p.message))
        #: Problems found but not kept (past MAX_COLLECTED).
        self.dropped = dropped
        super().__init__("\n".join(self.lines()))

    def lines(self, limit: int = MAX_LISTED) -> list[str]:
        """One line per problem, in file order; past `limit` problems of one shape, those
        are counted in one line each, at the end."""
        listed: list[str] = []
        more: dict[str, list[Problem]] = {}
        seen: dict[str, int] = {}
        for p in self.problems:
            key = shape(p.message)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= limit:
                listed.append(str(p))
            else:
                more.setdefault(key, []).append(p)
        for group in more.values():
            first = group[0]
            listed.append(
                one_line(
                    f"{first.mark}: and {len(group):,} more problems like this one from here "
                    f"on (not listed): {first.message}"
                )
            )
        if self.dropped:
            last = self.problems[-1].mark.file if self.problems else "input"
            listed.append(
                f"{last}: and {self.dropped:,} more problems past these (not kept): "
                "fix the ones above first"
            )
        return listed


class Problems:
    """Collects problems while a whole input is examined, then raises them together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.dropped = 0

    def add(self, mark: Mark, message: str) -> None:
        if len(self.items) >= MAX_COLLECTED:
            self.dropped += 1
            return
        self.items.append(Problem(mark, message))

    def extend(self, other: list[Problem]) -> None:
        room = max(0, MAX_COLLECTED - len(self.items))
        self.items.extend(other[:room])
        self.dropped += len(other) - len(other[:room])

    def absorb(self, error: InputError) -> None:
        """The problems of another error (and its count of those not kept)."""
        self.extend(error.problems)
        self.dropped += error.dropped

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items, self.dropped)
