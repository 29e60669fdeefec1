"""`--set`: one change to a scenario, written on the command line or in a variant's `set:`.

    EXPR      := TARGET "." PATH OP VALUE               one step, one rule, or `scenario`
               | SELECTOR ":" PATH OP VALUE             every step the selector matches
               | "rules:" SELECTOR ":" PATH OP VALUE    every rule it matches
    TARGET    := a step id | a rule id | "scenario"     (the longest id that fits)
    SELECTOR  := "*" | COND ("," COND)*                 all conditions must hold
    COND      := FIELD "=" NAME ("|" NAME)*             steps: id, actor, package, kind, tag;
                                                        rules: id, kind
    PATH      := FIELD ("." FIELD)*                     duration, verify.duration, margin, ...
    OP        := "=" | "+=" | "-=" | "*="
    VALUE     := a YAML value: 13, true, text, [a, b], {by: IAEA, duration: 4};
                 null removes the field

Examples: `by-nonaggression-pledge.verify.duration=13`, `us-by-leverage-balance.margin+=2`,
`'*:verify.duration*=2'` (every verification twice as long), `kind=relief,actor=US:value-=1`,
`'rules:kind=window:latest+=4'`.

A selector changes only the items that have what the path reaches (`*:verify.duration`
skips steps without a verification); `+=`, `-=` and `*=` start from the field's declared
default when it is absent (`value` is 0). `*=` on a whole number rounds up (a duration
1.5 times 3 weeks is 5 weeks), and the change line says so. The loader then reads the
result, so a value that does not fit (a negative duration) is reported at the
expression, as every other problem of it is.
"""

from __future__ import annotations

import math
import re
import typing
from dataclasses import is_dataclass
from typing import Any

from planner.errors import InputError, Mark, Problems
from planner.fields import declared
from planner.load.edits import Found, Tree, remark, shown
from planner.load.values import as_time, describe, suggest
from planner.load.yamlread import YMap, plain_problem, plain_value, read_yaml
from planner.model import Step
from planner.rules import KINDS
from planner.rules.base import Rule
from planner.scenario import Scenario

GRAMMAR = "TARGET.FIELD=VALUE, SELECTOR:FIELD=VALUE or rules:SELECTOR:FIELD=VALUE"
_OP = re.compile(r"(?P<path>[^=+*]*?)(?P<op>\+=|-=|\*=|=)(?P<value>.*)\Z", re.DOTALL)
#: Selector fields, by what they select, and the names they may be written as.
STEP_FIELDS = {"id": "id", "steps": "id", "actor": "actor", "package": "package", "kind": "kind",
               "tag": "tag", "tags": "tag"}  # fmt: skip
RULE_FIELDS = {"id": "id", "kind": "kind"}
_PATH_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")


def assign(tree: Tree, text: str, mark: Mark, problems: Problems) -> None:
    """Apply one `--set` expression to `tree`; what is wrong with it goes to `problems`."""
    bad = _Bad(problems, mark, text)
    scope, conds, rest = _split(text)
    match = _OP.match(rest)
    if match is None or not match["path"]:
        bad(f"expected {GRAMMAR} (or +=, -=, *=)")
        return
    op, written = match["op"], match["value"]
    value = _value(written, mark, bad)
    if value is _BAD:
        return
    if op != "=" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        bad(f"'{op}' needs a number, not {describe(value)}")
        return
    if op != "=" and not _finite(value):
        what = "is too large a number" if isinstance(value, int) else "is not a finite number"
        bad(f"'{op}' needs a number: {describe(written.strip())} {what}")
        return
    if scope == "one":
        found = _one(tree, match["path"], bad)
        if found is None:
            return
        label, node, cls, path = found
        items: list[tuple[str, YMap, type | None]] = [(label, node, cls)]
    else:
        path = match["path"]
        selected = (_steps if scope == "steps" else _rules)(tree, conds, bad)
        if selected is None:
            return
        items = selected
    parts = tuple(path.split("."))
    if not all(_PATH_PART.match(p) for p in parts):
        bad(f"'{path}' is not a field path such as duration or verify.duration")
        return
    if parts[0] == "id":
        bad(
            "an id cannot be changed by --set; remove the step or rule and add another in a variant"
        )
        return
    changed = 0
    for label, node, cls in items:
        outcome = _apply(tree, node, cls, parts, op, value, mark, label, create=scope == "one")
        if isinstance(outcome, str):
            bad(f"{label}: {outcome}")
            return
        changed += outcome
    if scope != "one" and changed == 0 and not any(_reaches(node, parts) for _, node, _ in items):
        bad(f"none of the {len(items)} {scope} it selects has {path}")


class _Bad:
    """Reports a problem of one expression at its mark."""

    def __init__(self, problems: Problems, mark: Mark, text: str) -> None:
        self.problems, self.mark, self.text = problems, mark, text

    def __call__(self, message: str) -> None:
        self.problems.add(self.mark, message)


_BAD: Any = object()


def _split(text: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...], str]:
    """(scope, selector conditions, the rest): scope "one" for TARGET.PATH, "steps" or
    "rules" for a selector."""
    if text.startswith("rules:"):
        sel, _, rest = text[len("rules:") :].partition(":")
        return "rules", _conditions(sel), rest
    head, colon, rest = text.partition(":")
    word = head.partition("=")[0]
    if colon and (head == "*" or ("=" in head and re.fullmatch(r"[a-z_]+", word))):
        return "steps", _conditions(head), rest
    return "one", (), text


def _conditions(sel: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if sel.strip() == "*":
        return ()
    out = []
    for cond in sel.split(","):
        name, _, values = cond.partition("=")
        out.append((name.strip(), tuple(v.strip() for v in values.split("|"))))
    return tuple(out)


def _value(written: str, mark: Mark, bad: _Bad) -> Any:
    """The value as YAML reads it: flow collections and quoted text through the strict
    reader, anything else as a plain scalar (so `Note: x` is text)."""
    stripped = written.strip()
    if not stripped:
        bad("no value after the '=' (write null to remove a field)")
        return _BAD
    if stripped[0] in "[{\"'":
        try:
            return remark(read_yaml(mark.file, stripped.encode("utf-8")), mark)
        except InputError as exc:
            first = exc.problems[0].message if exc.problems else "invalid YAML"
            bad(f"the value {describe(stripped)} is not valid YAML: {first}")
            return _BAD
    try:
        return plain_value(stripped)
    except Exception as exc:  # an impossible date and the like, as read_yaml reports them
        bad(f"the value {plain_problem(stripped, exc)}")
        return _BAD


def _one(tree: Tree, head: str, bad: _Bad) -> tuple[str, YMap, type | None, str] | None:
    """The step, rule or scenario section `head` starts with, and the path after it."""
    found: tuple[str, YMap, type | None, str] | None = None
    for i, ch in enumerate(head):
        if ch != ".":
            continue
        name, path = head[:i], head[i + 1 :]
        step, rule = tree.steps.get(name), tree.rules.get(name)
        if step is not None and rule is not None:
            bad(
                f"'{name}' is both a step and a rule: write id={name}:{path}=... for the "
                f"step or rules:id={name}:{path}=... for the rule"
            )
            return None
        if step is not None:
            found = (f"step '{name}'", step.node, Step, path)
        elif rule is not None:
            found = (f"rule '{name}'", rule.node, _kind_of(rule.node), path)
        elif name == "scenario" and tree.scenario_doc is not None:
            section = tree.scenario_doc.get("scenario")
            if not isinstance(section, YMap):
                section = YMap(tree.scenario_doc.mark)
                tree.put(tree.scenario_doc, "scenario", section, tree.scenario_doc.mark)
            found = ("scenario", section, Scenario, path)
    if found is None:
        name = head.split(".")[0]
        if "." not in head:
            bad(f"expected {GRAMMAR}: '{head}' names no field (write {head}.FIELD)")
        else:
            bad(f"no step or rule '{name}'" + suggest(name, [*tree.steps, *tree.rules]))
    return found


def _kind_of(node: YMap) -> type | None:
    kind = node.get("kind")
    return KINDS.get(kind) if isinstance(kind, str) else None


def _steps(
    tree: Tree, conds: tuple[tuple[str, tuple[str, ...]], ...], bad: _Bad
) -> list[tuple[str, YMap, type | None]] | None:
    by_step, known = tree.step_selection()
    wanted = _checked(conds, STEP_FIELDS, known, "step", bad)
    if wanted is None:
        return None
    out: list[tuple[str, YMap, type | None]] = []
    for sid, found in tree.steps.items():
        fields = by_step[sid]
        if all(not set(vs).isdisjoint(fields.get(f, ())) for f, vs in wanted):
            out.append((f"step '{sid}'", found.node, Step))
    if not out:
        bad("the selector matches no step")
        return None
    return out


def _rules(
    tree: Tree, conds: tuple[tuple[str, tuple[str, ...]], ...], bad: _Bad
) -> list[tuple[str, YMap, type | None]] | None:
    def fields(found: Found) -> dict[str, tuple[str, ...]]:
        return {"id": (str(found.node.get("id")),), "kind": (str(found.node.get("kind")),)}

    known: dict[str, set[str]] = {}
    for found in tree.rules.values():
        for field, values in fields(found).items():
            known.setdefault(field, set()).update(values)
    wanted = _checked(conds, RULE_FIELDS, known, "rule", bad)
    if wanted is None:
        return None
    out: list[tuple[str, YMap, type | None]] = []
    for rid, found in tree.rules.items():
        have = fields(found)
        if all(not set(vs).isdisjoint(have[f]) for f, vs in wanted):
            out.append((f"rule '{rid}'", found.node, _kind_of(found.node)))
    if not out:
        bad("the selector matches no rule")
        return None
    return out


def _checked(
    conds: tuple[tuple[str, tuple[str, ...]], ...],
    names: dict[str, str],
    known: dict[str, set[str]],
    noun: str,
    bad: _Bad,
) -> list[tuple[str, tuple[str, ...]]] | None:
    """The conditions with their field names made canonical, or None (reported)."""
    out = []
    ok = True
    for name, values in conds:
        field = names.get(name)
        if field is None:
            bad(
                f"unknown selector field '{name}'{suggest(name, names)}; "
                f"{noun}s are selected by {', '.join(dict.fromkeys(names.values()))}"
            )
            ok = False
            continue
        for v in values:
            if v not in known.get(field, set()):
                bad(f"no {noun} has {field} '{v}'{suggest(v, known.get(field, set()))}")
                ok = False
        out.append((field, values))
    return out if ok else None


def _reaches(node: YMap, parts: tuple[str, ...]) -> bool:
    for p in parts[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, YMap):
            return False
        node = nxt
    return True


def _apply(
    tree: Tree,
    node: YMap,
    cls: type | None,
    parts: tuple[str, ...],
    op: str,
    value: Any,
    mark: Mark,
    label: str,
    create: bool,
) -> int | str:
    """Change one item: 1 changed, 0 unchanged or skipped, or what is wrong (text)."""
    for p in parts[:-1]:
        nxt = node.get(p)
        if nxt is None:
            if not create:
                return 0  # a selector changes only what has the field's parent
            nxt = YMap(mark)
            tree.put(node, p, nxt, mark)
        if not isinstance(nxt, YMap):
            return f"'{p}' is {describe(nxt)}, not a mapping with fields"
        node = nxt
        cls = _field_class(cls, p)
    leaf = parts[-1]
    before = node.get(leaf)
    after = value
    note = ""
    if op != "=":
        current = before if leaf in node else _default(cls, leaf)
        if current is None:
            if not create:
                return 0
            return f"has no '{'.'.join(parts)}' to change with '{op}': use '='"
        if isinstance(current, str) and (in_unit := as_time(current)) is not None:
            current = in_unit  # "44 days" in a scenario of weeks is 7: arithmetic in weeks
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            return f"'{'.'.join(parts)}' is {describe(current)}, not a number"
        after = (
            current + value if op == "+=" else current - value if op == "-=" else current * value
        )
        if not _finite(after):
            return (
                f"'{'.'.join(parts)}' {shown(current)} {op} {shown(value)} is "
                f"{'too large a number' if isinstance(after, int) or after == after else 'not a number'}"
            )
        if isinstance(current, int) and isinstance(after, float):
            whole = math.ceil(after - 1e-9)
            if not math.isclose(whole, after):
                note = f" (rounded up from {after:g})"
            after = whole
            if not _finite(after):
                return f"'{'.'.join(parts)}' {shown(current)} {op} {shown(value)} is too large a number"
        before = current
    if after is None and leaf not in node:
        return 0
    if leaf in node and _same(node[leaf], after):
        return 0
    tree.put(node, leaf, after, mark)
    tree.changed(node, label, ".".join(parts), before, after, mark, note)
    return 1


#: Whole numbers past this many bits are past every field's limit (times go up to 2**53):
#: `--set` refuses to make them, rather than carry thousands of digits to the loader.
MAX_BITS = 64


def _finite(value: float) -> bool:
    """A float that is neither infinite nor NaN, or a whole number of at most MAX_BITS."""
    if isinstance(value, int):
        return value.bit_length() <= MAX_BITS
    return math.isfinite(value)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _field_class(cls: type | None, key: str) -> type | None:
    """The dataclass a nested field is read into (`verify` → Verify), if any."""
    if cls is None:
        return None
    hints = typing.get_type_hints(cls, include_extras=True)
    for d in declared(cls):
        if d.key != key:
            continue
        hint = hints[d.name]
        inner = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
        for option in (inner, *typing.get_args(inner)):
            if isinstance(option, type) and is_dataclass(option):
                return option
    return None


def _default(cls: type | None, key: str) -> Any:
    """The declared default of a numeric field (None when it has none)."""
    if cls is None:
        return None
    for d in (*declared(cls), *(declared(Rule) if issubclass(cls, Rule) else ())):
        if d.key == key and isinstance(d.default, (int, float)) and not isinstance(d.default, bool):
            return d.default
    return None
