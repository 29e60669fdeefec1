"""Loading: files → validated, immutable `Scenario`. The only module that reads files.

Two stages, as in PyVRP: `yamlread` turns bytes into located values (refusing duplicate
keys, aliases and oversized input); this module checks every field and cross-reference
and builds the scenario. Every problem is collected and raised together as `InputError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from planner import cache
from planner.errors import InputError, Mark, Problem, Problems
from planner.fields import Reader, check_id, check_nat, describe, suggest
from planner.model import (
    SELECTOR_FIELDS,
    UNITS,
    AnyOf,
    Cond,
    Package,
    Req,
    Rule,
    Scenario,
    Selector,
    Step,
    Verify,
)
from planner.roadmap_lines import (
    ENTRY_FIELDS,
    Compact,
    Row,
    expand,
    read_roadmap_steps,
)
from planner.yamlread import MAX_BYTES, YList, YMap, read_yaml

STEP_FIELDS = (
    "id", "actor", "kind", "title", "duration", "value", "verify", "after", "tags", "attrs",
    "source", "note",
)  # fmt: skip
RULE_COMMON = ("id", "kind", "source", "soft", "weight", "note")


def default_paths() -> tuple[Path, Path]:
    """The embedded default scenario: (packages.yaml, constraints/), wherever installed."""
    spec = importlib.util.find_spec("planner_default")
    roots = list(spec.submodule_search_locations or []) if spec else []
    roots.append(str(Path(__file__).resolve().parent.parent))  # a source checkout
    for root in roots:
        if (Path(root) / "packages.yaml").is_file():
            return Path(root) / "packages.yaml", Path(root) / "constraints"
    raise InputError([Problem(Mark("packages.yaml"), "the embedded default scenario is missing")])


def display_name(path: Path) -> str:
    """A path as messages show it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def read_file(path: Path, name: str | None = None) -> tuple[str, bytes]:
    """(display name, bytes), refusing missing, unreadable and oversized files."""
    name = name or display_name(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                [Problem(Mark(name), f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")]
            )
        with path.open("rb") as fh:
            return name, fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(Mark(name), "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(Mark(name), "is a directory, not a file")]) from None
    except OSError as exc:
        raise InputError([Problem(Mark(name), f"cannot read: {exc.strerror}")]) from None


def constraint_files(directory: Path) -> list[Path]:
    name = display_name(directory)
    if not directory.exists():
        raise InputError([Problem(Mark(name), "no such directory")])
    if not directory.is_dir():
        raise InputError([Problem(Mark(name), "is not a directory")])
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _gc_paused(fn: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run `fn` with the cyclic garbage collector paused (reference counting still frees
    everything). Loading allocates hundreds of thousands of small objects that all stay
    alive, and the collections they would trigger, each walking every live object, cost
    about a third of loading a 10,000-step scenario."""

    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@_gc_paused
def load_scenario(packages: Path | None = None, constraints: Path | None = None) -> Scenario:
    """Load and validate a scenario; the embedded default for whatever is not given.

    Raises
    ------
    InputError
        With every problem in every file.
    """
    if packages is None or constraints is None:
        default_packages, default_constraints = default_paths()
        packages = packages or default_packages
        constraints = constraints or default_constraints
    problems = Problems()
    files: list[tuple[str, bytes]] = []
    for path in [packages, *constraint_files(constraints)]:
        try:
            files.append(read_file(path))
        except InputError as exc:
            problems.extend(exc.problems)
    cache_key = None if problems else cache.key(files)
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    docs: list[tuple[str, Any]] = []
    for name, data in files:
        try:
            docs.append((name, read_yaml(name, data)))
        except InputError as exc:
            problems.extend(exc.problems)
    if not docs or docs[0][0] != display_name(packages):
        problems.raise_if_any()
    builder = _Builder(problems)
    builder.scenario_file(*docs[0])
    for name, doc in docs[1:]:
        builder.constraints_file(name, doc)
    scenario = builder.build()
    cache.put(cache_key, scenario)
    return scenario


class _Builder:
    """Stage two: located values → checked scenario objects."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.meta: dict[str, Any] = {"name": "", "unit": "week", "start": None, "description": ""}
        self.actors: dict[str, str] = {}
        self.packages: list[Package] = []
        self.steps: dict[str, Step] = {}
        self.raw_rules: list[tuple[type[Rule], Reader, dict[str, Any]]] = []
        self.rule_ids: dict[str, Mark] = {}
        self.files: list[str] = []
        #: False when the scenario file has no readable packages: then the rules' names
        #: of steps, kinds, tags and packages cannot be checked (and are not reported).
        self.steps_known = True
        #: Where each value of a selector was written: (selector mark, field, value) -> mark.
        self.value_marks: dict[tuple[Mark, str, str], Mark] = {}
        #: Built once the steps are known (see `_selector_index`).
        self._index: tuple[dict[str, Any], dict[str, dict[str, set[str]]], dict[str, int]] | None = None  # fmt: skip

    # ---- packages.yaml ---------------------------------------------------------------

    def scenario_file(self, name: str, doc: Any) -> None:
        self.files.append(name)
        if not isinstance(doc, YMap):
            self.problems.add(
                getattr(doc, "mark", Mark(name, 1, 1)),
                f"a scenario file must be a mapping with 'scenario', 'actors' and 'packages', "
                f"not {describe(doc)}",
            )
            self.steps_known = False
            return
        top = Reader(self.problems, doc, "scenario file", ("scenario", "actors", "packages"))
        meta = top.mapping("scenario", None)
        if meta is not None:
            r = Reader(self.problems, meta, "scenario", ("name", "unit", "start", "description"))
            self.meta["name"] = r.text("name", "")
            self.meta["unit"] = r.choice("unit", UNITS, "week")
            self.meta["description"] = r.text("description", "")
            start = r.raw("start", None)
            if start is not None and not isinstance(start, dt.date):
                r.fail("start", f"'start' must be a date such as 2027-01-04, not {describe(start)}")
            elif isinstance(start, dt.datetime):
                start = start.date()
            self.meta["start"] = start
        actors = top.mapping("actors")
        if actors is not None:
            for key, value in actors.items():
                actor = check_id(self.problems, actors.key_at(key), "actors", "id", key)
                if not isinstance(value, str):
                    self.problems.add(
                        actors.at(key), f"actor '{actor}': name must be text, not {describe(value)}"
                    )
                self.actors[actor] = value if isinstance(value, str) else actor
        packages = top.sequence("packages")
        if packages is None:
            self.steps_known = False
            return
        seen_packages: dict[str, Mark] = {}
        for i, node in enumerate(packages):
            self.package(node, packages.at(i), seen_packages)
        self._check_references()

    def package(self, node: Any, mark: Mark, seen: dict[str, Mark]) -> None:
        if not isinstance(node, YMap):
            self.problems.add(mark, f"a package must be a mapping, not {describe(node)}")
            return
        r = Reader(self.problems, node, "package", ("id", "title", "source", "note", "steps"), "id")
        pid = r.ident("id")
        if pid:
            if pid in seen:
                r.fail("id", f"duplicate package id (first at line {seen[pid].line})")
            seen[pid] = r.at("id")
        steps = r.sequence("steps")
        ids: list[str] = []
        for i, item in enumerate(steps or []):
            step = self.step(item, steps.at(i), pid)
            if step is not None:
                ids.append(step.id)
        if steps is not None and not steps:
            r.fail("steps", "a package needs at least one step")
        self.packages.append(
            Package(pid, r.text("title", pid), tuple(ids), r.text("source", ""), node.mark)
        )

    def step(self, node: Any, mark: Mark, package: str) -> Step | None:
        if not isinstance(node, YMap):
            self.problems.add(mark, f"a step must be a mapping, not {describe(node)}")
            return None
        r = Reader(self.problems, node, "step", STEP_FIELDS, "id")
        sid = r.ident("id")
        actor = r.ident("actor")
        if actor and actor not in self.actors and self.actors:
            r.fail("actor", f"unknown actor '{actor}'{suggest(actor, self.actors)}")
        verify = None
        vnode = r.mapping("verify", None)
        if vnode is not None:
            v = Reader(self.problems, vnode, f"{r.owner} verify", ("by", "duration", "what"))
            verify = Verify(v.text("by"), v.nat("duration", 0), v.text("what", ""))
        # Actors, packages, kinds and tags repeat on every step: one string object each
        # keeps a cached scenario smaller and faster to read back (`planner.cache`).
        step = Step(
            id=sid,
            actor=sys.intern(actor),
            package=sys.intern(package),
            kind=sys.intern(r.ident("kind")),
            title=r.text("title", sid),
            duration=r.nat("duration"),
            value=r.nat("value", 0),
            verify=verify,
            after=self.conditions(r),
            tags=frozenset(sys.intern(t) for t in self.tags(r)),
            attrs=self.attrs(r),
            source=r.text("source", ""),
            note=r.text("note", ""),
            mark=node.mark,
        )
        if sid in self.steps:
            r.fail("id", f"duplicate step id (first at line {self.steps[sid].mark.line})")
            return None
        if sid:
            self.steps[sid] = step
        return step

    def tags(self, r: Reader) -> list[str]:
        value = r.raw("tags", [])
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            r.fail("tags", f"'tags' must be a list of words, not {describe(value)}")
            return []
        out = []
        for i, tag in enumerate(items):
            where = items.at(i) if isinstance(items, YList) else r.at("tags")
            out.append(check_id(self.problems, where, r.owner, "tags", tag))
        return out

    def attrs(self, r: Reader) -> dict[str, float]:
        node = r.mapping("attrs", None)
        out: dict[str, float] = {}
        for key, value in (node or {}).items():
            name = check_id(self.problems, node.key_at(key), r.owner, "attrs", key)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.problems.add(
                    node.at(key),
                    f"{r.owner}: attribute '{name}' must be a number, not {describe(value)}",
                )
            else:
                out[name] = value
        return out

    def conditions(self, r: Reader) -> tuple[Cond, ...]:
        items = r.raw("after", [])
        if isinstance(items, str):
            items = YList(r.at("after"))
            items.append(r.node["after"])
            items.item_marks.append(r.at("after"))
        if not isinstance(items, YList):
            if items:
                r.fail("after", f"'after' must be a list of preconditions, not {describe(items)}")
            return ()
        out: list[Cond] = []
        for i, item in enumerate(items):
            cond = self.condition(item, items.at(i), r.owner, allow_any=True)
            if cond is not None:
                out.append(cond)
        return tuple(out)

    def condition(self, item: Any, mark: Mark, owner: str, allow_any: bool) -> Cond | None:
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            return Req(check_id(self.problems, mark, owner, "after", item), mark=mark)
        if not isinstance(item, YMap):
            self.problems.add(
                mark,
                f"{owner}: a precondition is a step id, {{step, lag, within}} or "
                f"{{any: [...]}}, not {describe(item)}",
            )
            return None
        if "any" in item:
            r = Reader(self.problems, item, owner, ("any",))
            alts = r.sequence("any")
            if not allow_any:
                r.fail("any", "'any' cannot be nested inside 'any'")
                return None
            if alts is None:
                return None
            if not alts:
                r.fail("any", "'any' needs at least one alternative")
                return None
            reqs = [
                self.condition(a, alts.at(i), owner, allow_any=False) for i, a in enumerate(alts)
            ]
            return AnyOf(tuple(q for q in reqs if isinstance(q, Req)), mark)
        r = Reader(self.problems, item, owner, ("step", "lag", "within"))
        req = Req(r.ident("step"), r.nat("lag", 0), r.nat("within", None), mark)
        if req.within is not None and req.within < req.lag:
            r.fail(
                "within",
                f"impossible precondition on '{req.step}': "
                f"within {req.within} is shorter than lag {req.lag}",
            )
        return req

    def _check_references(self) -> None:
        """Every `after` names a known step, and `after` has no cycle."""
        for step in self.steps.values():
            for req in step.requirements():
                if req.step and req.step not in self.steps:
                    self.problems.add(
                        req.mark,
                        f"step '{step.id}': unknown step '{req.step}' in 'after'"
                        + suggest(req.step, self.steps),
                    )
        for cycle in find_cycles(self.steps):
            first = self.steps[cycle[0]]
            self.problems.add(first.mark, "precondition cycle: " + " → ".join(cycle))

    # ---- constraints/*.yaml ----------------------------------------------------------

    def constraints_file(self, name: str, doc: Any) -> None:
        from planner.rules import KINDS

        self.files.append(name)
        if doc is None:
            return  # an empty file holds no rules
        if not isinstance(doc, YMap):
            self.problems.add(
                getattr(doc, "mark", Mark(name, 1, 1)),
                f"a constraints file must be a mapping with 'rules', not {describe(doc)}",
            )
            return
        top = Reader(self.problems, doc, "constraints file", ("rules",))
        rules = top.sequence("rules")
        for i, node in enumerate(rules or []):
            if not isinstance(node, YMap):
                self.problems.add(rules.at(i), f"a rule must be a mapping, not {describe(node)}")
                continue
            kind = node.get("kind")
            cls = KINDS.get(kind) if isinstance(kind, str) else None
            # Without a known kind, any kind's field is allowed (and a typo of one is caught).
            fields = cls.fields if cls else {f: 0 for k in KINDS.values() for f in k.fields}
            r = Reader(self.problems, node, "rule", RULE_COMMON + tuple(fields), "id")
            rid = r.ident("id")
            if rid:
                if rid in self.rule_ids:
                    first = self.rule_ids[rid]
                    r.fail("id", f"duplicate rule id (first at {first})")
                self.rule_ids.setdefault(rid, r.at("id"))
            if cls is None:
                if "kind" not in node:
                    r.missing("kind")
                else:
                    r.fail(
                        "kind",
                        f"unknown rule kind {describe(kind)}"
                        + (suggest(kind, KINDS) if isinstance(kind, str) else "")
                        + f"; kinds are {', '.join(KINDS)}",
                    )
                continue
            source = "" if node.get("source", "") is None else r.text("source")
            if "source" in node and isinstance(source, str) and not source.strip():
                r.fail("source", "'source' is empty: quote the sentence this rule encodes")
            soft = r.boolean("soft", False)
            common = {
                "id": rid,
                "source": source or "",
                "soft": soft,
                "weight": r.nat("weight", 1, minimum=1),
                "note": r.text("note", ""),
                "mark": node.mark,
            }
            if "weight" in node and not soft:
                r.fail("weight", "'weight' is only meaningful with 'soft: true'")
            self.raw_rules.append((cls, r, common))

    def rule_fields(self, cls: type[Rule], r: Reader) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, (ftype, default) in cls.fields.items():
            dflt = default if default is not None or ftype == "opt_nat" else MISSING_FIELD
            if ftype == "sel":
                value = r.raw(name, MISSING_FIELD)
                out[name] = (
                    self.selector(value, r.at(name), r.owner, name)
                    if value is not MISSING_FIELD
                    else Selector((), ())
                )
                if value is MISSING_FIELD:
                    r.missing(name)
            elif ftype == "sel2":
                value = r.raw(name, MISSING_FIELD)
                if value is MISSING_FIELD:
                    r.missing(name)
                    out[name] = ()
                elif not isinstance(value, YList) or len(value) != 2:
                    found = (
                        f"a list of {len(value)}" if isinstance(value, YList) else describe(value)
                    )
                    r.fail(name, f"'{name}' must be a list of exactly two selectors, not {found}")
                    out[name] = ()
                else:
                    out[name] = tuple(
                        self.selector(v, value.at(i), r.owner, f"{name}[{i}]")
                        for i, v in enumerate(value)
                    )
            elif ftype in ("nat", "pos", "opt_nat"):
                if dflt is MISSING_FIELD and name not in r.node:
                    r.missing(name)
                    out[name] = 1
                else:
                    out[name] = r.nat(name, default, minimum=1 if ftype == "pos" else 0)
            elif ftype.startswith("enum:"):
                out[name] = r.choice(name, tuple(ftype[5:].split("|")), default)
            elif ftype == "attr":
                out[name] = r.ident(name)
        return out

    def selector(self, value: Any, mark: Mark, owner: str, field: str) -> Selector:
        spec: list[tuple[str, tuple[str, ...]]] = []
        where = f"{owner}: '{field}'"
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            ids = tuple(
                check_id(
                    self.problems,
                    value.at(i) if isinstance(value, YList) else mark,
                    owner,
                    field,
                    v,
                )
                for i, v in enumerate(value)
            )
            if not ids:
                self.problems.add(mark, f"{where} selects nothing (empty list)")
            for i, v in enumerate(ids):
                if isinstance(value, YList):
                    self.value_marks[(mark, "steps", v)] = value.at(i)
            spec.append(("steps", ids))
        elif isinstance(value, YMap):
            r = Reader(self.problems, value, f"{owner}: '{field}'", SELECTOR_FIELDS)
            for key in SELECTOR_FIELDS:
                if key not in value:
                    continue
                raw = value[key]
                items = [raw] if isinstance(raw, (str, int)) and not isinstance(raw, bool) else raw
                if not isinstance(items, list) or not items:
                    r.fail(key, f"'{key}' must be a value or a non-empty list, not {describe(raw)}")
                    continue
                marks = [items.at(j) if isinstance(items, YList) else value.at(key)
                         for j in range(len(items))]  # fmt: skip
                names = tuple(
                    check_id(self.problems, m, owner, key, v)
                    for m, v in zip(marks, items, strict=True)
                )
                for m, v in zip(marks, names, strict=True):
                    self.value_marks[(mark, key, v)] = m
                spec.append((key, names))
            if not value:
                self.problems.add(mark, f"{where} is an empty selector")
        else:
            self.problems.add(
                mark,
                f"{where} must be a list of step ids or a selector mapping, not {describe(value)}",
            )
        return Selector(tuple(spec), (), mark)

    def _selector_index(
        self,
    ) -> tuple[dict[str, Any], dict[str, dict[str, set[str]]], dict[str, int]]:
        """(known names per selector field, field -> value -> ids of the steps with it,
        step id -> rank in scenario order), built once: selectors are resolved after every
        step is read."""
        if self._index is None:
            known = {"steps": self.steps, "actor": self.actors, "package": {p.id for p in self.packages},
                     "kind": {s.kind for s in self.steps.values()},
                     "tags": {t for s in self.steps.values() for t in s.tags}}  # fmt: skip
            by: dict[str, dict[str, set[str]]] = {"actor": {}, "package": {}, "kind": {}, "tags": {}}  # fmt: skip
            for s in self.steps.values():
                by["actor"].setdefault(s.actor, set()).add(s.id)
                by["package"].setdefault(s.package, set()).add(s.id)
                by["kind"].setdefault(s.kind, set()).add(s.id)
                for t in s.tags:
                    by["tags"].setdefault(t, set()).add(s.id)
            self._index = (known, by, {s: i for i, s in enumerate(self.steps)})
        return self._index

    def _matching(self, spec: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
        """The ids of the steps `Selector.matches` accepts, in scenario order (from the
        index: a selector costs the size of its smallest field's match, not a scan)."""
        _, by, order = self._selector_index()
        sets: list[set[str]] = []
        for name, values in spec:
            if name == "steps":
                sets.append({v for v in values if v in self.steps})
            elif len(values) == 1:
                sets.append(by[name].get(values[0], set()))
            else:
                sets.append(set().union(*(by[name].get(v, ()) for v in values)))
        sets.sort(key=len)
        found = sets[0]
        for other in sets[1:]:
            found = found & other
        return tuple(sorted(found, key=order.__getitem__))

    def resolve(self, sel: Selector, owner: str, field: str) -> Selector:
        """The selector with the ids of the steps it matches; unknown names are problems."""
        known = self._selector_index()[0]
        # Empty selectors and bad names ("") were reported where read; without packages, names
        # cannot be checked.
        ok = self.steps_known and bool(sel.spec) and all(vs and all(vs) for _, vs in sel.spec)
        for name, values in sel.spec if self.steps_known else ():
            for v in values:
                if v and v not in known[name]:
                    noun = {"steps": "step", "tags": "tag"}.get(name, name)
                    self.problems.add(
                        self.value_marks.get((sel.mark, name, v), sel.mark),
                        f"{owner}: '{field}' names unknown {noun} '{v}'{suggest(v, known[name])}",
                    )
                    ok = False
        if not ok:
            return sel
        if len(sel.spec) == 1 and sel.spec[0][0] == "steps":
            ids = tuple(dict.fromkeys(sel.spec[0][1]))
        else:
            ids = self._matching(sel.spec)
        if not ids:
            self.problems.add(sel.mark, f"{owner}: '{field}' {sel.describe()} matches no step")
        return Selector(sel.spec, ids, sel.mark)

    def build(self) -> Scenario:
        rules: list[Rule] = []
        for cls, r, common in self.raw_rules:
            fields = self.rule_fields(cls, r)
            for name, value in list(fields.items()):
                if isinstance(value, Selector):
                    fields[name] = self.resolve(value, r.owner, name)
                elif isinstance(value, tuple) and value and isinstance(value[0], Selector):
                    fields[name] = tuple(
                        self.resolve(v, r.owner, f"{name}[{i}]") for i, v in enumerate(value)
                    )
            rule = cls(**common, **fields)
            self.rule_semantics(rule, r)
            rules.append(rule)
        self.problems.raise_if_any()
        return Scenario(
            name=self.meta["name"] or "unnamed scenario",
            unit=self.meta["unit"],
            start=self.meta["start"],
            actors=dict(self.actors),
            packages=tuple(self.packages),
            steps=dict(self.steps),
            rules=tuple(rules),
            description=self.meta["description"],
            files=tuple(self.files),
        )

    def rule_semantics(self, rule: Rule, r: Reader) -> None:
        """Impossible numbers and attributes that only make sense once steps are known."""
        from planner.rules import Order, Precedence, Reciprocity, Window

        if isinstance(rule, Window) and rule.latest is not None and rule.latest < rule.earliest:
            r.fail(
                "latest",
                f"impossible window: latest {rule.latest} is before earliest {rule.earliest}",
            )
        if isinstance(rule, (Precedence, Reciprocity)) and rule.within is not None:
            low = rule.lag if isinstance(rule, Precedence) else 0
            if rule.within < low:
                r.fail("within", f"impossible: within {rule.within} is shorter than lag {low}")
        if isinstance(rule, Order) and rule.by:
            lacking = [s for s in rule.steps.ids if self.steps[s].attr(rule.by) is None]
            if lacking:
                shown = ", ".join(lacking[:5]) + (
                    f" and {len(lacking) - 5} more" if len(lacking) > 5 else ""
                )
                r.fail("by", f"steps without attribute '{rule.by}': {shown}")


MISSING_FIELD: Any = object()


def find_cycles(steps: dict[str, Step], limit: int = 20) -> list[list[str]]:
    """Cycles of `after` preconditions, each as a closed path [a, b, ..., a]."""
    edges = {s.id: [r.step for r in s.requirements() if r.step in steps] for s in steps.values()}
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in steps:
        if root in state:
            continue
        path: list[str] = [root]
        iters = [iter(edges[root])]
        state[root] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                # Written as "x waits for y": reverse to read in the order things happen.
                cycle = cycle[::-1]
                key = frozenset(cycle)
                if key not in seen and len(cycles) < limit:
                    seen.add(key)
                    cycles.append(cycle)
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(edges[nxt]))
    return cycles


# ---- roadmap files -----------------------------------------------------------------------

ROADMAP_TOP = ("roadmap", "scenario", "unit", "objectives", "note")


@dataclass(frozen=True, slots=True)
class RoadmapFile:
    """A roadmap as written: start times per step, or an ordered sequence of step ids."""

    name: str
    starts: dict[str, int] | None = None
    sequence: tuple[str, ...] | None = None


@_gc_paused
def load_roadmap(path: Path, scenario: Scenario) -> RoadmapFile:
    """Read a roadmap file (YAML, JSON or CSV by suffix) against a scenario.

    Raises
    ------
    InputError
        Unknown or duplicate steps, bad times, inconsistent derived fields, malformed files.
    """
    name, data = read_file(path)
    problems = Problems()
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(name, data, problems)
        result = RoadmapFile(name, starts=_starts(name, rows, scenario, problems))
    else:
        fast = read_roadmap_steps(name, data)
        if fast is not None:
            result = _roadmap_doc(name, fast[0], scenario, problems, fast[1])
        else:
            # JSON is read by the YAML reader too: the same duplicate-key refusal and marks.
            result = _roadmap_doc(name, read_yaml(name, data), scenario, problems)
    problems.raise_if_any()
    return result


def _roadmap_doc(
    name: str,
    doc: Any,
    scenario: Scenario,
    problems: Problems,
    rows: Sequence[Row | Compact] | None = None,
) -> RoadmapFile:
    """The roadmap in `doc`; `rows` are its `steps` entries when the fast path
    (`planner.roadmap_lines`) read them, leaving `doc`'s list empty."""
    if not isinstance(doc, YMap):
        problems.add(
            getattr(doc, "mark", Mark(name, 1, 1)),
            f"a roadmap file must be a mapping with 'roadmap', not {describe(doc)}",
        )
        return RoadmapFile(name)
    top = Reader(problems, doc, "roadmap file", ROADMAP_TOP)
    unit = top.raw("unit", None)
    if unit is not None and unit != scenario.unit:
        top.fail("unit", f"roadmap counts in {unit}s, but the scenario counts in {scenario.unit}s")
    body = top.mapping("roadmap")
    if body is None:
        return RoadmapFile(name)
    r = Reader(problems, body, "roadmap", ("steps", "sequence"))
    if ("steps" in body) == ("sequence" in body):
        problems.add(body.mark, "roadmap: give either 'steps' (with start times) or 'sequence'")
        return RoadmapFile(name)
    if "sequence" in body:
        items = r.sequence("sequence")
        seen: dict[str, int] = {}
        for i, sid in enumerate(items or []):
            where = items.at(i)
            sid = check_id(problems, where, "roadmap", "sequence", sid)
            if _known_step(sid, where, scenario, problems) and _first_time(
                sid, where, seen, problems
            ):
                seen[sid] = where.line
        return RoadmapFile(name, sequence=tuple(seen))
    items = r.sequence("steps")
    if rows is not None:
        return RoadmapFile(name, starts=_starts(name, rows, scenario, problems))
    read: list[Row | Compact] = []
    for i, item in enumerate(items or []):
        if not isinstance(item, YMap):
            problems.add(items.at(i), f"a roadmap entry is {{step, start}}, not {describe(item)}")
            continue
        Reader(problems, item, "roadmap entry", ENTRY_FIELDS, "step")
        read.append((item.mark, {k: (v, item.at(k)) for k, v in item.items()}))
    return RoadmapFile(name, starts=_starts(name, read, scenario, problems))


#: The derived fields checked against the scenario (a title may say anything).
CHECKED_FIELDS = ("end", "done", "actor", "package", "kind")


def _derived(step: Step, start: int) -> tuple[int, int, str, str, str]:
    """What the CHECKED_FIELDS of `step` are when it starts at `start`."""
    return start + step.duration, start + step.done_offset, step.actor, step.package, step.kind


def _known_step(sid: str, where: Mark, scenario: Scenario, problems: Problems) -> bool:
    if sid in scenario.steps:
        return True
    if sid:
        problems.add(where, f"roadmap: unknown step '{sid}'{suggest(sid, scenario.steps)}")
    return False


def _first_time(sid: str, where: Mark, seen: dict[str, int], problems: Problems) -> bool:
    """False, with a problem, when `sid` was listed before (`seen`: step -> line)."""
    if sid in seen:
        problems.add(where, f"roadmap: step '{sid}' is listed twice (first at line {seen[sid]})")
        return False
    return True


def _starts(
    name: str, rows: Sequence[Row | Compact], scenario: Scenario, problems: Problems
) -> dict[str, int]:
    """Start times from the entries of roadmap file `name`, with their derived fields
    checked against the scenario."""
    starts: dict[str, int] = {}
    seen: dict[str, int] = {}  # step -> the line it was first listed on
    steps = scenario.steps
    for entry in rows:
        if len(entry) == 5:  # a compact entry: its id and start are well formed
            sid, start, line, _, derived = entry
            if (
                sid in steps
                and sid not in seen
                and (not derived or derived == _derived(steps[sid], start))
            ):
                seen[sid] = line
                starts[sid] = start
                continue
            entry = expand(name, entry)  # something to report: read it in full
        mark, row = entry
        if "step" not in row:
            problems.add(mark, "roadmap entry: missing field 'step'")
            continue
        if "start" not in row:
            problems.add(mark, "roadmap entry: missing field 'start'")
            continue
        sid = check_id(problems, row["step"][1], "roadmap", "step", row["step"][0])
        where = row["step"][1]
        start = check_nat(problems, row["start"][1], f"step '{sid}': 'start'", row["start"][0])
        if not (
            _known_step(sid, where, scenario, problems) and _first_time(sid, where, seen, problems)
        ):
            continue
        seen[sid] = where.line
        starts[sid] = start
        if len(row) == 2:
            continue  # just step and start: nothing derived to check
        expect = zip(CHECKED_FIELDS, _derived(scenario.steps[sid], start), strict=True)
        for key, want in expect:
            if key in row and row[key][0] != want and str(row[key][0]) != str(want):
                problems.add(
                    row[key][1],
                    f"step '{sid}': '{key}' is {describe(row[key][0])}, but the scenario gives "
                    f"{describe(want)} (derived fields are checked, never trusted)",
                )
    return starts


def _csv_rows(name: str, data: bytes, problems: Problems) -> list[Row]:
    """CSV rows with a `step,start` header, values typed (integers where they look so)."""
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(Mark(name), f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.add(Mark(name, 1, 1), f"CSV error: {exc}")
        return []
    if header is None:
        problems.add(Mark(name, 1, 1), "empty CSV file: expected a 'step,start' header")
        return []
    header = [h.strip() for h in header]
    for i, h in enumerate(header):
        if h not in ENTRY_FIELDS:
            problems.add(
                Mark(name, 1, 1 + sum(len(x) + 1 for x in header[:i])),
                f"unknown CSV column '{h}'{suggest(h, ENTRY_FIELDS)}",
            )
    if "step" not in header or "start" not in header:
        problems.add(Mark(name, 1, 1), "CSV header must name the columns 'step' and 'start'")
        return []
    rows: list[Row] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.add(
                    Mark(name, line, 1), f"row has {len(record)} cells, the header {len(header)}"
                )
                continue
            row: dict[str, tuple[Any, Mark]] = {}
            col = 1
            for h, cell in zip(header, record, strict=True):
                value: Any = cell.strip()
                if h in ("start", "end", "done"):
                    with contextlib.suppress(ValueError):
                        value = float(value) if "." in value else int(value)
                row[h] = (value, Mark(name, line, col))
                col += len(cell) + 1
            rows.append((Mark(name, line, 1), row))
    except csv.Error as exc:
        problems.add(Mark(name, reader.line_num, 1), f"CSV error: {exc}")
    return rows
