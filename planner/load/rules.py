"""Reading constraints/*.yaml: each rule's fields as its kind declares them
(`planner.fields`), its selectors resolved, its numbers checked (`Rule.validate`)."""

from __future__ import annotations

from typing import Any

from planner.errors import Mark, Problems
from planner.fields import Declared, Sel, SelPair, declared, keys
from planner.load.selectors import Selectors
from planner.load.values import Reader, describe, read_declared, suggest
from planner.load.yamlread import YList, YMap
from planner.model import Selector
from planner.rules import KINDS
from planner.rules.base import Rule

#: The fields every rule has, declared on the base class.
COMMON = keys(Rule)
_KIND_FIELDS = {
    cls: tuple(d for d in declared(cls) if d.key not in COMMON) for cls in KINDS.values()
}
#: Any kind's field, allowed in a rule whose kind is unknown (so a typo of one is caught).
_ANY_KIND_FIELDS = tuple(dict.fromkeys(d.key for ds in _KIND_FIELDS.values() for d in ds))


class RulesReader:
    """Stage two for the constraint files: located values → rules, built once the steps
    are known (`build`)."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.raw: list[tuple[type[Rule], Reader, dict[str, Any]]] = []
        self.ids: dict[str, Mark] = {}

    def read(self, name: str, doc: Any) -> None:
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
            self.rule(node)

    def rule(self, node: YMap) -> None:
        kind = node.get("kind")
        cls = KINDS.get(kind) if isinstance(kind, str) else None
        fields = tuple(d.key for d in _KIND_FIELDS[cls]) if cls else _ANY_KIND_FIELDS
        r = Reader(self.problems, node, "rule", ("kind", *COMMON, *fields), "id")
        rid = r.ident("id")
        if rid:
            if rid in self.ids:
                r.fail("id", f"duplicate rule id (first at {self.ids[rid]})")
            self.ids.setdefault(rid, r.at("id"))
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
            return
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
        self.raw.append((cls, r, common))

    def build(self, selectors: Selectors) -> list[Rule]:
        """Every rule read, its selectors resolved and its numbers checked."""
        rules: list[Rule] = []
        for cls, r, common in self.raw:
            values = {d.name: self.field(d, r, selectors) for d in _KIND_FIELDS[cls]}
            for name, value in list(values.items()):
                if isinstance(value, Selector):
                    values[name] = selectors.resolve(value, r.owner, name)
                elif isinstance(value, tuple) and value and isinstance(value[0], Selector):
                    values[name] = tuple(
                        selectors.resolve(v, r.owner, f"{name}[{i}]") for i, v in enumerate(value)
                    )
            rule = cls(**common, **values)
            for name, message in rule.validate(selectors.steps):
                r.fail(name, message)
            rules.append(rule)
        return rules

    def field(self, decl: Declared, r: Reader, selectors: Selectors) -> Any:
        """One kind-specific field of a rule, as declared."""
        key = decl.key
        if isinstance(decl.spec, Sel):
            if key not in r.node:
                r.missing(key)
                return Selector((), ())
            return selectors.read(r.node[key], r.at(key), r.owner, key)
        if isinstance(decl.spec, SelPair):
            if key not in r.node:
                r.missing(key)
                return ()
            value = r.node[key]
            if not isinstance(value, YList) or len(value) != 2:
                found = f"a list of {len(value)}" if isinstance(value, YList) else describe(value)
                r.fail(key, f"'{key}' must be a list of exactly two selectors, not {found}")
                return ()
            return tuple(
                selectors.read(v, value.at(i), r.owner, f"{key}[{i}]") for i, v in enumerate(value)
            )
        return read_declared(r, decl)
