"""The pieces every JSON Schema of `planner.schema` is made of: a declared field's schema
(its marker's fragment, described by its `doc`), an object of declared fields, the
definitions a document refers to (found through the fields' types), and a selector.
Generated from the declarations (`planner.fields`); no I/O."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from planner.fields import REQUIRED, Attr, Declared, Ident, declared
from planner.model import SELECTOR_FIELDS, Selector, Step

#: What each selector field matches (`planner.model.SELECTOR_FIELDS`); a field added
#: there without words here is described by its name.
SELECTOR_WORDS = {
    "steps": "these step ids",
    "actor": "steps by these actors",
    "package": "steps written in these packages",
    "kind": "steps of these kinds",
    "tags": "steps with at least one of these tags",
}

#: What the loader reads in a field beyond its declared fragment (`StepsReader.conditions`
#: reads one step id as a list of one, and null as no preconditions; `StepsReader.attrs`
#: reads null as no attributes): admitted too, since a schema never refuses what the
#: loader accepts.
ALSO_READ: dict[tuple[type, str], tuple[dict[str, Any], ...]] = {
    (Step, "after"): (
        {"$ref": "#/$defs/identifier"},
        {"type": "null"},
        {"const": False},
        {"const": 0},
        {"type": "object", "maxProperties": 0},
    ),
    (Step, "attrs"): ({"type": "null"},),
}


class SchemaError(Exception):
    """A declaration the generator cannot turn into a schema (a programming error)."""


# ---- the pieces every file kind shares ----------------------------------------------------


def class_doc(cls: type, whole: bool = False) -> str:
    """A class's docstring (its first paragraph unless `whole`), on one line per paragraph."""
    text = cls.__doc__ or ""
    if text.startswith(f"{cls.__name__}("):  # the signature dataclasses write when none
        return cls.__name__
    paragraphs = inspect.cleandoc(text).split("\n\n")
    kept = paragraphs if whole else paragraphs[:1]
    return "\n\n".join(
        p if p.startswith("    ") else " ".join(p.split()) for p in kept if p.strip()
    )


def _identifier() -> dict[str, Any]:
    """An identifier as the loader reads one (`check_id`): text, or a whole number."""
    return {
        "description": "an identifier: letters, digits, '-', '_', '.' (a whole number is read as its digits)",
        "anyOf": [Ident("").schema(), {"type": "integer", "minimum": 0}],
    }


def refs_in(fragment: Any) -> Iterator[str]:
    """The names of the definitions (`#/$defs/NAME`) a schema fragment refers to."""
    if isinstance(fragment, dict):
        for key, value in fragment.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                yield value.removeprefix("#/$defs/")
            else:
                yield from refs_in(value)
    elif isinstance(fragment, list):
        for item in fragment:
            yield from refs_in(item)


def _dataclasses_in(hint: Any) -> list[type]:
    """The dataclasses with declared fields that a type hint holds (`Verify | None`,
    `tuple[Req | AnyOf, ...]`, ...), in the order written."""
    found: list[type] = []
    stack = [hint]
    while stack:
        h = stack.pop(0)
        if isinstance(h, type) and _declared_fields(h):
            found.append(h)
        stack.extend(a for a in typing.get_args(h) if a is not Ellipsis)
    return list(dict.fromkeys(found))


def _declared_fields(cls: type) -> tuple[Declared, ...]:
    """`declared(cls)` for a dataclass, () for anything else."""
    if not hasattr(cls, "__dataclass_fields__"):
        return ()
    return declared(cls)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _json_default(value: Any) -> Any:
    """A declared default as JSON, or None when it has none worth showing."""
    if value is REQUIRED or value is None:
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list, frozenset, set)) and not value:
        return []
    if isinstance(value, Mapping) and not value:
        return {}
    return None


def field_schema(d: Declared, owner: type | None = None) -> dict[str, Any]:
    """The schema of one declared field of `owner`: its marker's fragment (an identifier
    as the loader reads it), its `doc` as description, its default; null admitted when
    the field's absence is None, and what else the loader reads there (`ALSO_READ`)."""
    spec = d.spec
    fragment = {"$ref": "#/$defs/identifier"} if isinstance(spec, (Ident, Attr)) else spec.schema()
    bases = owner.__mro__ if owner is not None else ()
    also = [alt for base in bases for alt in ALSO_READ.get((base, d.name), ())]
    if d.default is None:
        also.append({"type": "null"})
    if fragment and also:
        fragment = {"anyOf": [fragment, *also]}
    out: dict[str, Any] = {"description": describe_field(d), **fragment}
    default = _json_default(d.default)
    if default is not None:
        out["default"] = default
    return out


def describe_field(d: Declared) -> str:
    """A field's description: its `doc`, and what its absence means when that is not a
    plain default."""
    text = d.spec.doc
    if d.spec.absent:
        text += f" (default: {d.spec.absent})"
    return text


def object_schema(
    cls: type, description: str, extra: Mapping[str, Any] | None = None, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A mapping of the declared fields of `cls` (but `skip`), `extra` properties first;
    unknown keys refused, as the loader refuses them."""
    fields = [d for d in declared(cls) if d.key not in skip]
    props: dict[str, Any] = dict(extra or {})
    props.update({d.key: field_schema(d, cls) for d in fields})
    out: dict[str, Any] = {
        "type": "object",
        "description": description,
        "properties": props,
        "additionalProperties": False,
    }
    required = [d.key for d in fields if d.required]
    if required:
        out["required"] = required
    return out


class Definitions:
    """The definitions of one schema: dataclasses found through the declared fields'
    types, by the names their fragments refer to them by. `roots` are named by the file
    layout (a package, a step); the fields of `walk` (the scenario section, the rule
    kinds) are searched too, without a definition of their own."""

    def __init__(self, roots: Mapping[str, type], walk: Sequence[type] = ()) -> None:
        self.classes: dict[str, type] = dict(roots)
        self.builtin: dict[str, dict[str, Any]] = {
            "identifier": _identifier(),
            "selector": selector_schema(),
        }
        queue = [*walk, *roots.values()]
        seen: set[type] = set()
        while queue:
            cls = queue.pop(0)
            if cls in seen:
                continue
            seen.add(cls)
            queue.extend(self._reached(cls))

    def _reached(self, cls: type) -> list[type]:
        """Name the dataclasses the fields of `cls` refer to; return them."""
        hints = typing.get_type_hints(cls)
        found: list[type] = []
        for d in declared(cls):
            wanted = [r for r in dict.fromkeys(refs_in(d.spec.schema()))
                      if r not in self.classes and r not in self.builtin]  # fmt: skip
            held = [c for c in _dataclasses_in(hints.get(d.name)) if c not in self.classes.values()]
            for ref in list(wanted):
                match = next((c for c in held if _snake(c.__name__) == ref), None)
                if match is not None:
                    self.classes[ref] = match
                    wanted.remove(ref)
                    held.remove(match)
            if len(wanted) == 1 and len(held) == 1:  # `requirement` for Req
                self.classes[wanted.pop()] = held.pop()
            if wanted:
                raise SchemaError(
                    f"{cls.__name__}.{d.name}: no dataclass in its type for "
                    + ", ".join(f"'#/$defs/{w}'" for w in wanted)
                    + " (name the definition after the class, in snake_case)"
                )
            found.extend(
                c for c in _dataclasses_in(hints.get(d.name)) if c in self.classes.values()
            )
        return found

    def schemas(self, used_by: Mapping[str, Any]) -> dict[str, Any]:
        """Every definition that `used_by` (the schema's body) reaches, by name."""
        out: dict[str, Any] = {}
        pending = list(refs_in(used_by))
        while pending:
            name = pending.pop(0)
            if name in out:
                continue
            if name in self.builtin:
                out[name] = self.builtin[name]
            elif name in self.classes:
                cls = self.classes[name]
                out[name] = object_schema(cls, class_doc(cls))
            else:
                raise SchemaError(f"no definition '#/$defs/{name}'")
            pending.extend(refs_in(out[name]))
        return out


def selector_schema() -> dict[str, Any]:
    """How a rule names steps (`planner.model.Selector`): one step id, a list of step ids,
    or a mapping of `SELECTOR_FIELDS`, each a value or a non-empty list of values."""
    ident = {"$ref": "#/$defs/identifier"}
    values = {"anyOf": [ident, {"type": "array", "items": ident, "minItems": 1}]}
    by_field = {
        name: {"description": f"{SELECTOR_WORDS.get(name, name)} (one value or a list)", **values}
        for name in SELECTOR_FIELDS
    }
    return {
        "description": class_doc(Selector, whole=True),
        "anyOf": [
            {"description": "one step id", **Ident("").schema()},
            {"description": "step ids", "type": "array", "items": ident, "minItems": 1},
            {
                "description": "steps matching every field given",
                "type": "object",
                "properties": by_field,
                "additionalProperties": False,
                "minProperties": 1,
            },
        ],
    }
