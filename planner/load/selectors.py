"""Selectors: how a rule names steps (a list of ids, or a mapping of steps, actor,
package, kind and tags), read where written and resolved to the steps they match."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from planner.errors import Mark, Problems
from planner.load.values import Reader, check_id, describe, suggest
from planner.load.yamlread import YList, YMap
from planner.model import SELECTOR_FIELDS, Package, Selector, Step


class Selectors:
    """Reads selectors and resolves them against the steps of one scenario."""

    def __init__(
        self,
        problems: Problems,
        steps: Mapping[str, Step],
        actors: Collection[str],
        packages: Sequence[Package],
        steps_known: bool,
    ) -> None:
        self.problems = problems
        self.steps = steps
        self.actors = actors
        self.packages = packages
        #: False when the scenario file had no readable packages: names cannot be checked.
        self.steps_known = steps_known
        #: Where each value of a selector was written: (selector mark, field, value) -> mark.
        self.value_marks: dict[tuple[Mark, str, str], Mark] = {}
        #: Built once the steps are known (see `_selector_index`).
        self._index: tuple[dict[str, Any], dict[str, dict[str, set[str]]], dict[str, int]] | None = None  # fmt: skip

    def read(self, value: Any, mark: Mark, owner: str, field: str) -> Selector:
        """The selector written as `value` (its ids are resolved later)."""
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
