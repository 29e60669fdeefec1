"""Variants: a scenario changed without copying its files (`--variant FILE`, `--set EXPR`).

A variant file overrides, adds and removes steps, packages and rules:

    variant: {name: hawkish, description: Washington asks for longer verification}
    remove:                               # applied first
      steps: [by-pfp-consultation]
      rules: [dialogues-in-parallel]
      packages: [ukraine-track]           # the package and its steps
    add:                                  # then these (an id removed above may come back)
      steps:
        - {id: us-extra-briefing, package: security, actor: US, kind: dialogue, duration: 2}
      rules:
        - {id: extra-window, kind: window, steps: [us-extra-briefing], latest: 10, source: ...}
      packages:
        - {id: energy, title: Energy, steps: [...]}
    override:                             # then these: fields merged into what is written
      scenario: {name: Hawkish variant}
      steps:
        by-nonaggression-pledge: {verify: {duration: 13}}   # `by` and `what` stay
      rules:
        us-by-leverage-balance: {margin: 4}
      packages:
        humanitarian: {optional: true}
    set:                                  # last: --set expressions (planner.load.assign)
      - "*:verify.duration*=2"

In an override a mapping is merged field by field, anything else (a list, a number)
replaces what is written, and `null` removes the field. Every edit is made on the parsed
files before the loader reads them (`planner.load.edits`), so what the result gets wrong is
reported by the loader's own checks, located where the variant wrote it; what the variant
file itself gets wrong (an unknown step to override, a misspelt section) is reported at
its place in the variant file, all problems at once. Variant files apply in the order
given, then the `--set` expressions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.errors import InputError, Mark, Problem, Problems
from planner.load.assign import assign
from planner.load.edits import Found, Tree
from planner.load.files import read_file
from planner.load.values import Reader, describe, id_problem, suggest
from planner.load.yamlread import YList, YMap, read_yaml
from planner.rules.base import plural

TOP = ("variant", "remove", "add", "override", "set")
SECTIONS = ("steps", "rules", "packages")
OVERRIDE_SECTIONS = ("scenario", *SECTIONS)


@dataclass(frozen=True, slots=True)
class Overlay:
    """What a command was asked to change: variant files, each (display name, bytes), and
    `--set` expressions, in the order they apply."""

    files: tuple[tuple[str, bytes], ...] = ()
    sets: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.files or self.sets)

    def key_parts(self) -> list[tuple[str, bytes]]:
        """What the scenario cache's key covers of the overlay (`planner.load.cache.key`)."""
        parts = [(f"\0variant\0{name}", data) for name, data in self.files]
        return parts + [("\0set", expr.encode("utf-8", "surrogatepass")) for expr in self.sets]


def read_overlay(
    variants: Sequence[Path] = (), sets: Sequence[str] = ()
) -> tuple[Overlay, list[Problem]]:
    """The variant files read (missing, unreadable ones as problems) and the expressions."""
    files: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for path in variants:
        try:
            files.append(read_file(path))
        except InputError as exc:
            problems.extend(exc.problems)
    return Overlay(tuple(files), tuple(sets)), problems


#: A `--set` expression is quoted whole in messages up to this many characters.
SHOWN_EXPR = 120


def set_mark(expr: str) -> Mark:
    """Where a `--set` expression's problems and changes are said to come from (a long
    one shortened: a message is one readable line)."""
    if len(expr) > SHOWN_EXPR:
        expr = f"{expr[: SHOWN_EXPR - 20]}...{expr[-17:]}"
    return Mark(f"--set '{expr}'")


#: `--set` expressions taken at most, from the command line and variant files together:
#: each one visits every step or rule it selects, so their number bounds the work.
MAX_SETS = 1000
#: Sources named in the variant's name at most ("a.yaml + --set '...' + 3 more").
NAMED_SOURCES = 4


def _set(tree: Tree, expr: str, mark: Mark, problems: Problems) -> bool:
    """Apply one `--set` expression, unless MAX_SETS were applied already (then the one
    problem is reported and False returned: the rest are not read)."""
    if tree.num_sets >= MAX_SETS:
        _too_many(problems, mark)
        return False
    tree.num_sets += 1
    assign(tree, expr, mark, problems)
    return True


def _too_many(problems: Problems, mark: Mark) -> None:
    problems.add(
        mark,
        f"more than {MAX_SETS:,} --set expressions (here and in variant files): "
        "write a repeated change once ('*:duration+=10' for ten '+=1')",
    )


def apply_overlay(
    problems: Problems, docs: list[tuple[str, Any]], overlay: Overlay
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Apply `overlay` to the parsed scenario files `docs` (packages.yaml first; rules a
    variant adds come as one more file). Returns the variant's name and its changes, each
    (where it was asked for, what changed)."""
    tree = Tree(docs)
    names = []
    for name, data in overlay.files:
        try:
            doc = read_yaml(name, data)
        except InputError as exc:
            problems.absorb(exc)
            names.append(Path(name).stem)
            continue
        names.append(_variant_file(tree, name, doc, problems))
    sets = overlay.sets
    if len(sets) > MAX_SETS:  # refused before any is applied: none would be used
        _too_many(problems, set_mark(sets[MAX_SETS]))
        sets = ()
    for expr in sets:
        if not _set(tree, expr, set_mark(expr), problems):
            break
        names.append(set_mark(expr).file)
    if len(names) > NAMED_SOURCES:
        names[NAMED_SOURCES - 1 :] = [f"{len(names) - NAMED_SOURCES + 1:,} more"]
    return " + ".join(names), tuple(tree.changes)


def _variant_file(tree: Tree, name: str, doc: Any, problems: Problems) -> str:
    """Apply one variant file; its name."""
    if not isinstance(doc, YMap):
        problems.add(
            getattr(doc, "mark", Mark(name, 1, 1)),
            "a variant file must be a mapping with 'variant', 'remove', 'add', 'override' "
            f"or 'set', not {describe(doc)}",
        )
        return Path(name).stem
    top = Reader(problems, doc, "variant file", TOP)
    label = _name(problems, doc, Path(name).stem)
    remove = top.mapping("remove", None)
    if remove is not None:
        _remove(tree, Reader(problems, remove, "remove", SECTIONS), problems)
    add = top.mapping("add", None)
    if add is not None:
        _add(tree, name, Reader(problems, add, "add", SECTIONS), problems)
    override = top.mapping("override", None)
    if override is not None:
        _override(tree, Reader(problems, override, "override", OVERRIDE_SECTIONS), problems)
    sets = top.sequence("set", None)
    if sets and len(sets) > MAX_SETS:
        _too_many(problems, sets.at(MAX_SETS))
        sets = None
    for i, expr in enumerate(sets or []):
        if isinstance(expr, str):
            if not _set(tree, expr, sets.at(i), problems):
                break
        else:
            problems.add(sets.at(i), f"set: an expression is text, not {describe(expr)}")
    return label


def _name(problems: Problems, doc: YMap, default: str) -> str:
    value = doc.get("variant")
    if value is None:
        return default
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, YMap):
        r = Reader(problems, value, "variant", ("name", "description", "note"))
        text = r.text("name", default)
        r.text("description", "")
        r.text("note", "")
        return str(text) or default
    problems.add(doc.at("variant"), f"'variant' must be a name or a mapping, not {describe(value)}")
    return default


def _ids(r: Reader, key: str) -> list[tuple[str, Mark]]:
    """The ids listed under `key` (one id, or a list), each with where it is written."""
    value = r.raw(key, None)
    if value is None:
        return []
    if not isinstance(value, YList):
        problem = None if isinstance(value, YMap) else id_problem(key, value)
        if isinstance(value, YMap):
            r.fail(key, f"'{key}' must be a list of ids, not {describe(value)}")
        elif problem is not None:
            r.fail(key, problem)
        else:
            return [(str(value), r.at(key))]
        return []
    out = []
    for i, item in enumerate(value):
        problem = id_problem(key, item)
        if problem is None:
            out.append((str(item), value.at(i)))
        elif isinstance(item, (YMap, YList)) or item is None:
            r.problems.add(value.at(i), f"{r.owner}: '{key}' lists ids, not {describe(item)}")
        else:
            r.problems.add(value.at(i), f"{r.owner}: {problem}")
    return out


def _known(
    problems: Problems, index: dict[str, Found], name: str, mark: Mark, noun: str, section: str
) -> Found | None:
    found = index.get(name)
    if found is None:
        problems.add(mark, f"{section}: unknown {noun} '{name}'{suggest(name, index)}")
    return found


def _remove(tree: Tree, r: Reader, problems: Problems) -> None:
    gone: list[tuple[str, Mark]] = []
    for key, noun in (("rules", "rule"), ("steps", "step"), ("packages", "package")):
        for name, mark in _ids(r, key):
            index = {"rules": tree.rules, "steps": tree.steps, "packages": tree.packages}[key]
            found = _known(problems, index, name, mark, noun, "remove")
            if found is None:
                continue
            tree.drop(found)
            if key == "packages":
                steps = found.node.get("steps")
                listed = steps if isinstance(steps, list) else []
                tree.note(mark, f"removed package '{name}' and its {plural(len(listed), 'step')}")
                gone += [(str(s.get("id")), mark) for s in listed if isinstance(s, YMap)]
            else:
                tree.note(mark, f"removed {noun} '{name}'")
                if key == "steps":
                    gone.append((name, mark))
    for name, mark in gone:
        users = _named_by(tree, name)
        if users:
            problems.add(
                mark,
                f"remove: step '{name}' is still named by {', '.join(users)}: "
                "remove or override those too",
            )


def _named_by(tree: Tree, step: str) -> list[str]:
    """The steps (through `after`) and rules (through a selector's ids) that name `step`."""

    def names(value: Any, key: str = "") -> bool:
        if isinstance(value, YMap):
            return any(names(v, k) for k, v in value.items())
        if isinstance(value, YList):
            return any(names(v, key) for v in value)
        return key in ("", "steps", "step", "after", "any") and value == step

    users = [f"step '{sid}'" for sid, f in tree.steps.items() if names(f.node.get("after"))]
    for rid, f in tree.rules.items():
        fields = [v for k, v in f.node.items() if k not in ("id", "kind", "source", "note")]
        if any(isinstance(v, (YMap, YList)) and names(v) for v in fields):
            users.append(f"rule '{rid}'")
    return users


def _add(tree: Tree, name: str, r: Reader, problems: Problems) -> None:
    packages = r.sequence("packages", None)
    holder = tree.packages_list()
    for i, item in enumerate(packages or []):
        mark = packages.at(i)
        if not isinstance(item, YMap):
            problems.add(mark, f"add: a package must be a mapping, not {describe(item)}")
        elif holder is None:
            problems.add(mark, "add: the scenario file has no 'packages' list to add to")
        else:
            tree.append(holder, item, mark)
            steps = item.get("steps")
            count = len(steps) if isinstance(steps, list) else 0
            tree.note(mark, f"added package '{item.get('id')}' with {plural(count, 'step')}")
    steps = r.sequence("steps", None)
    for i, item in enumerate(steps or []):
        mark = steps.at(i)
        if not isinstance(item, YMap):
            problems.add(mark, f"add: a step must be a mapping, not {describe(item)}")
            continue
        package = item.get("package")
        if package is None:
            problems.add(mark, "add: a step needs 'package': the package it is written in")
            continue
        where = _known(problems, tree.packages, str(package), item.at("package"), "package", "add")
        if where is None:
            continue
        listed = where.node.get("steps")
        if not isinstance(listed, YList):
            problems.add(item.at("package"), f"add: package '{package}' has no list of steps")
            continue
        step = YMap(item.mark)
        for key, value in item.items():
            if key != "package":
                tree.put(step, key, value, item.at(key), item.key_at(key))
        tree.append(listed, step, mark)
        tree.note(mark, f"added step '{item.get('id')}' to package '{package}'")
    rules = r.sequence("rules", None)
    if rules:
        tree.add_rules_doc(name, rules)
        for i, item in enumerate(rules):
            if isinstance(item, YMap):
                tree.note(rules.at(i), f"added rule '{item.get('id')}' ({item.get('kind')})")


def _override(tree: Tree, r: Reader, problems: Problems) -> None:
    section = r.mapping("scenario", None)
    if section is not None and tree.scenario_doc is not None:
        current = tree.scenario_doc.get("scenario")
        if not isinstance(current, YMap):
            current = YMap(section.mark)
            tree.put(tree.scenario_doc, "scenario", current, section.mark)
        _merge(tree, current, section, "scenario", (), problems)
    for key, noun in (("steps", "step"), ("rules", "rule"), ("packages", "package")):
        patches = r.mapping(key, None)
        index = {"rules": tree.rules, "steps": tree.steps, "packages": tree.packages}[key]
        for name, patch in (patches or {}).items():
            found = _known(problems, index, name, patches.key_at(name), noun, "override")
            if found is None:
                continue
            if not isinstance(patch, YMap):
                problems.add(
                    patches.at(name),
                    f"override: {noun} '{name}' takes a mapping of fields, not {describe(patch)}",
                )
                continue
            if key == "packages" and "steps" in patch:
                problems.add(
                    patch.key_at("steps"),
                    f"override: package '{name}': its steps are changed under 'add' and "
                    "'remove', or one by one under 'steps'",
                )
                continue
            _merge(tree, found.node, patch, f"{noun} '{name}'", (), problems)


def _merge(
    tree: Tree,
    node: YMap,
    patch: YMap,
    label: str,
    path: tuple[str, ...],
    problems: Problems,
) -> None:
    for key, value in patch.items():
        where = (*path, key)
        mark = patch.at(key)
        if key == "id" and not path:
            problems.add(patch.key_at(key), f"override: {label}: an override cannot change the id")
            continue
        current = node.get(key)
        if isinstance(value, YMap) and isinstance(current, YMap):
            _merge(tree, current, value, label, where, problems)
            continue
        if (value is None and key not in node) or (
            type(current) is type(value) and current == value
        ):
            continue
        tree.put(node, key, value, mark, patch.key_at(key))
        tree.changed(node, label, ".".join(where), current, value, mark)
