"""Input problems: located, collected, reported all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


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
        return f"{self.mark}: {self.message}"


class InputError(Exception):
    """The input cannot be used; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.mark, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems while a whole input is examined, then raises them together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, mark: Mark, message: str) -> None:
        self.items.append(Problem(mark, message))

    def extend(self, other: list[Problem]) -> None:
        self.items.extend(other)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)
