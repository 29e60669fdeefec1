"""Words before ids: the names a person reads for steps, packages and actors.

A step's or package's **short name** is its `short:` field, else derived from its title:
the whole title when it is at most `SHORT` characters; else the title up to its last
clause break (a comma, semicolon, colon, dash or parenthesis) that leaves at least
`CLAUSE` characters and at most `SHORT`; else cut at a word boundary, with an ellipsis.
The id when there is no title. Pure: tables, charts, reasons and the brief all call these, so a name reads
the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from planner.model import Package, Step

#: The longest a derived short name gets, in characters.
SHORT = 40
#: A clause shorter than this says too little to stand for the title.
CLAUSE = 20

_BREAK = re.compile(r"\s*(?:[,;:(]|\s[—–-]\s)")


def shorten(title: str, limit: int = SHORT) -> str:
    """A title in at most `limit` characters: whole, to a clause break, or cut at a word
    with an ellipsis."""
    text = " ".join(title.split())
    if len(text) <= limit:
        return text
    breaks = [m.start() for m in _BREAK.finditer(text) if CLAUSE <= m.start() <= limit]
    if breaks:
        return text[: breaks[-1]]
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-—–")
    return (cut or text[: limit - 1]) + "…"


def step_name(step: Step) -> str:
    """A step's short name: `short:`, else its title's first clause (the id for none)."""
    if step.short:
        return step.short
    if step.title and step.title != step.id:
        return shorten(step.title)
    return step.id


def package_name(package: Package) -> str:
    """A package's short name: `short:`, else its title's first clause."""
    if package.short:
        return package.short
    if package.title and package.title != package.id:
        return shorten(package.title)
    return package.id


def names(steps: Mapping[str, Step]) -> dict[str, str]:
    """Every step's short name, made unique: two steps whose names would read the same
    are told apart by their ids ("Host a dialogue (us-hosts-poland)")."""
    out = {sid: step_name(step) for sid, step in steps.items()}
    seen: dict[str, list[str]] = {}
    for sid, name in out.items():
        seen.setdefault(name, []).append(sid)
    for name, ids in seen.items():
        if len(ids) > 1:
            for sid in ids:
                out[sid] = f"{name} ({sid})"
    return out


def label(names: Mapping[str, str], sid: str, ids: bool = False) -> str:
    """A step as a sentence names it: its short name, with its id after it when `ids`
    (the command line's `--ids`) and the name is not the id already."""
    name = names.get(sid, sid)
    return f"{name} [{sid}]" if ids and name != sid else name


def reason(names: Mapping[str, str], name: str, step: str = "") -> str:
    """What a rule name stands for in a sentence: a rule's id as it is, a step's
    preconditions (`after:ID`) as 'its preconditions' (those of `step`) or 'the
    preconditions of NAME', a `fixed:ID` time as 'its fixed time'."""
    kind, _, sid = name.partition(":")
    if kind == "after" and sid:
        return "its preconditions" if sid == step else f"the preconditions of {names.get(sid, sid)}"
    if kind == "fixed" and sid:
        return "its fixed time" if sid == step else f"the fixed time of {names.get(sid, sid)}"
    return name
