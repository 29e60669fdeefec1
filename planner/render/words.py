"""Words before ids: the names a person reads for steps, packages and actors.

A step's or package's **short name** is its `short:` field, else derived from its title:
the whole title when it is at most `SHORT` characters; else the title without its
parenthetical asides ("Freeze certain sectoral sanctions (no new designations)" reads
"Freeze certain sectoral sanctions"), whole when that fits; else up to its last clause break
(a comma, semicolon, colon or dash outside parentheses) that leaves at least `CLAUSE`
characters and at most `SHORT`; else cut at a word boundary, never after a small word
("of", "the", "for" …), with an ellipsis. The id when there is no title. Pure: tables,
charts, reasons and the brief all call these, so a name reads the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from planner.model import Package, Step

#: The longest a derived short name gets, in characters: a title of the default scenario
#: such as "Delist a second tranche of SDN individuals and entities" stays whole.
SHORT = 56
#: A clause shorter than this says too little to stand for the title.
CLAUSE = 20

_BREAK = re.compile(r"\s*(?:[,;:]|\s[—–-]\s)")
_ASIDE = re.compile(r"\s*\([^()]*\)")
#: Words a cut name does not end on: "Remove a first set of individuals from…" says less
#: than "Remove a first set of individuals…" and reads as a slip. ("not" is not among
#: them: "will not…" and "will…" mean opposite things.)
_SMALL = frozenset({
    "a", "an", "the", "of", "to", "in", "into", "on", "at", "by", "for", "from", "with",
    "and", "or", "as", "that", "than", "its", "their",
})  # fmt: skip


def shorten(title: str, limit: int = SHORT) -> str:
    """A title in at most `limit` characters: whole, without its asides, to a clause break,
    or cut at a word with an ellipsis."""
    text = " ".join(title.split())
    if len(text) <= limit:
        return text
    plain = _ASIDE.sub("", text).strip()
    if plain and len(plain) <= limit:
        return plain
    text = plain or text
    breaks = [m.start() for m in _BREAK.finditer(text) if CLAUSE <= m.start() <= limit]
    if breaks:
        return text[: breaks[-1]]
    head = text[: limit - 1]
    if not text[limit - 1].isspace():  # the cut falls inside a word: leave it out
        head = head.rsplit(" ", 1)[0]
    words = head.rstrip(" ,;:-—–(").split(" ")
    while len(words) > 2 and words[-1].lower() in _SMALL:
        words.pop()
    cut = " ".join(words).rstrip(" ,;:-—–(")
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


def names(steps: Mapping[str, Step], actors: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every step's short name, made unique: two steps whose names would read the same
    are told apart by their actors' names when those differ and `actors` (id → name) is
    given ("Commit to a roadmap for streamlining border crossings… (Poland)"), else by
    their ids ("Host a dialogue (us-hosts-poland)")."""
    out = {sid: step_name(step) for sid, step in steps.items()}
    seen: dict[str, list[str]] = {}
    for sid, name in out.items():
        seen.setdefault(name, []).append(sid)
    for name, ids in seen.items():
        if len(ids) > 1:
            whose = [steps[sid].actor for sid in ids]
            by_actor = actors is not None and len(set(whose)) == len(whose)
            for sid, actor in zip(ids, whose, strict=True):
                tell = actors.get(actor, actor) if actors is not None and by_actor else sid
                out[sid] = f"{name} ({tell})"
    return out


def gate_name(rule: str) -> str:
    """A gate rule in words, from its id: 'the security gate' for `security-gate`, 'the
    gate “first-tranche”' for an id that does not say it is a gate."""
    text = rule.replace("-", " ").replace("_", " ")
    return f"the {text}" if "gate" in text.lower().split() else f"the gate “{text}”"


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
