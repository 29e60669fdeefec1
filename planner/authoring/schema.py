"""JSON Schemas (draft 2020-12) of the three file kinds, generated from the field
declarations, so that editors complete and check scenarios while people type.

Nothing here lists a field. The schemas are walked out of what the loader reads:

- `packages.yaml`: the three sections the scenario file has (`SECTIONS`); the `scenario:`
  section is `declared(Scenario)`; a package is `declared(Package)`, a step
  `declared(Step)`; and every dataclass a declared field holds (`Verify`, `Req`, `AnyOf`,
  and whatever a new field holds) becomes a definition of its own, found through the
  field's type and named as the field's schema fragment refers to it (`#/$defs/verify`);
- `constraints/*.yaml`: `declared(Rule)` (the fields every rule has) and `declared(cls)`
  for every kind in `planner.rules.KINDS`, one definition per kind, chosen by `kind`;
- roadmap files: the top-level keys and entry fields of `planner.roadmap.read` and
  `planner.roadmap.lines` (`ROADMAP_TOP`, `ENTRY_FIELDS`).

Each field's schema is its marker's own fragment (`Spec.schema()`), described by its
`doc`. A field added tomorrow appears in the schemas and the reference with no change here.

The loader stays the authority (it checks cross references, cycles, numbers against each
other); a schema never refuses a file the loader accepts, so where the loader reads more
than a marker's fragment says, the schema admits it too: identifiers may be written as
whole numbers (the loader reads `2027` as the id "2027"), and an optional field whose
absence is None may be written as null. No ortools here, and no I/O.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from planner.fields import REQUIRED, Attr, Declared, Ident, declared
from planner.limits import MAX_TIME
from planner.model import SELECTOR_FIELDS, UNITS, Package, Selector, Step
from planner.roadmap.lines import DERIVED_FIELDS, ENTRY_FIELDS
from planner.roadmap.read import CHECKED_FIELDS, ROADMAP_TOP
from planner.rules import KINDS
from planner.rules.base import Rule
from planner.scenario import Scenario

# ---- the pieces every schema is made of ---------------------------------------------------

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


# ---- the schemas of the file kinds -------------------------------------------------------

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: The file kinds, as `planner schema KIND` names them.
KINDS_OF_FILES = ("packages", "constraints", "roadmap")

#: The sections of packages.yaml (`planner.load.steps.StepsReader.read`), and whether the
#: loader requires each.
SECTIONS: dict[str, tuple[str, bool]] = {
    "scenario": ("the deal as a whole: its name, time unit and calendar start", False),
    "actors": ("who acts: actor id → name (e.g. `US: United States`)", True),
    "packages": ("the packages (clusters) of the deal, each with its steps", True),
}
#: The roadmap file's top-level keys (`ROADMAP_TOP`) other than `roadmap`.
TOP_WORDS = {
    "scenario": "the scenario's name, as `plan -o` writes it (not read)",
    "unit": "the unit the times count in; when given, it must be the scenario's",
    "objectives": "the objective values `plan -o` found (not read)",
    "note": "anything worth saying about the roadmap (not read)",
}
#: Entry fields that are not derived (`ENTRY_FIELDS` minus `DERIVED_FIELDS`).
ENTRY_WORDS = {
    "step": "the step's id",
    "start": "when the step starts, in the scenario's unit from time 0",
}


def _document(
    kind: str, title: str, description: str, body: dict[str, Any], defs: Definitions
) -> dict[str, Any]:
    out = {
        "$schema": DRAFT,
        "$id": f"urn:relief-planner:{kind}",
        "title": title,
        "description": description,
        **body,
    }
    found = defs.schemas(body)
    if found:
        out["$defs"] = found
    return out


# ---- the three file kinds -------------------------------------------------------------


def packages_definitions() -> Definitions:
    """The definitions of packages.yaml: a package, a step, and what their fields (and
    the `scenario:` section's) hold."""
    return Definitions({"package": Package, "step": Step}, walk=(Scenario,))


def constraints_definitions() -> Definitions:
    """The definitions of a rule file: what the fields of every rule kind hold."""
    return Definitions({}, walk=(Rule, *KINDS.values()))


def packages_schema() -> dict[str, Any]:
    """The schema of a scenario file (packages.yaml)."""
    defs = packages_definitions()
    scenario = object_schema(Scenario, SECTIONS["scenario"][0])
    props: dict[str, Any] = {
        # The loader reads `scenario:` with nothing under it as no section.
        "scenario": {"anyOf": [scenario, {"type": "null"}], "description": SECTIONS["scenario"][0]},
        "actors": {
            "description": SECTIONS["actors"][0],
            "type": "object",
            "propertyNames": Ident("").schema(),
            "additionalProperties": {"description": "the actor's name", "type": "string"},
        },
        "packages": {
            "description": SECTIONS["packages"][0],
            "type": "array",
            "items": {"$ref": "#/$defs/package"},
        },
    }
    body = {
        "type": "object",
        "properties": props,
        "required": [name for name, (_, needed) in SECTIONS.items() if needed],
        "additionalProperties": False,
    }
    return _document(
        "packages",
        "relief-planner scenario (packages.yaml)",
        "Who acts, and the packages of steps of one deal. The loader (`planner validate`) "
        "also checks what a schema cannot: unknown actors and steps, `after` cycles, "
        "duplicate ids.",
        body,
        defs,
    )


def rule_kind_schema(cls: type[Rule]) -> dict[str, Any]:
    """One rule kind: the fields every rule has and the kind's own, its docstring."""
    kind = {"description": "the rule kind", "const": cls.kind}
    out = object_schema(cls, class_doc(cls, whole=True), extra={"kind": kind})
    out["required"] = ["kind", *(d.key for d in declared(cls) if d.required)]
    return out


def constraints_schema() -> dict[str, Any]:
    """The schema of a rule file (constraints/*.yaml): `rules`, each of a kind in KINDS."""
    defs = constraints_definitions()
    kinds = {f"rule-{name}": rule_kind_schema(cls) for name, cls in KINDS.items()}
    defs.builtin.update(kinds)
    rule = {
        "description": "a named constraint: `kind` says which fields it has",
        "type": "object",
        "properties": {
            "kind": {
                "description": "the rule kind: " + ", ".join(KINDS),
                "enum": list(KINDS),
            }
        },
        "required": ["kind"],
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/rule-{name}"},
            }
            for name in KINDS
        ],
    }
    defs.builtin["rule"] = rule
    body = {
        # An empty rule file holds no rules.
        "type": ["object", "null"],
        "properties": {
            "rules": {
                "description": "the rules of this file (ids unique across the folder)",
                "type": "array",
                "items": {"$ref": "#/$defs/rule"},
            }
        },
        "required": ["rules"],
        "additionalProperties": False,
    }
    return _document(
        "constraints",
        "relief-planner rules (constraints/*.yaml)",
        "The rules of one file of the constraints folder. The loader (`planner validate`) "
        "also checks what a schema cannot: that selectors match steps, unique ids across "
        "files, numbers against each other.",
        body,
        defs,
    )


def entry_schema() -> dict[str, Any]:
    """A roadmap entry: a step and its start; the derived fields `plan -o` writes."""
    props: dict[str, Any] = {}
    for name in ENTRY_FIELDS:
        if name == "step":
            props[name] = {"description": ENTRY_WORDS[name], "$ref": "#/$defs/identifier"}
        elif name == "start":
            props[name] = {
                "description": ENTRY_WORDS[name],
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_TIME,
            }
        elif name in CHECKED_FIELDS:
            props[name] = {
                "description": f"derived (`{name}`), as `plan -o` writes it: checked "
                "against the scenario, never trusted"
            }
        elif name in DERIVED_FIELDS:
            props[name] = {"description": f"derived (`{name}`), for the reader (not read)"}
        else:
            props[name] = {"description": ENTRY_WORDS.get(name, name)}
    return {
        "type": "object",
        "description": "one scheduled step",
        "properties": props,
        "required": ["step", "start"],
        "additionalProperties": False,
    }


def roadmap_schema() -> dict[str, Any]:
    """The schema of a roadmap file (YAML or JSON) that `check` and `timeline` read."""
    defs = Definitions({})
    defs.builtin["entry"] = entry_schema()
    body_schema = {
        "description": "start times per step (`steps`), or an ordered `sequence`",
        "type": "object",
        "properties": {
            "steps": {
                "description": "a start time for every scheduled step",
                "type": "array",
                "items": {"$ref": "#/$defs/entry"},
            },
            "sequence": {
                "description": "step ids in order; each starts as early as its conditions "
                "allow, never before the one listed before it",
                "type": "array",
                "items": {"$ref": "#/$defs/identifier"},
            },
        },
        "additionalProperties": False,
        "oneOf": [{"required": ["steps"]}, {"required": ["sequence"]}],
    }
    props: dict[str, Any] = {}
    for name in ROADMAP_TOP:
        if name == "roadmap":
            props[name] = body_schema
        elif name == "unit":
            props[name] = {"description": TOP_WORDS[name], "enum": [*UNITS, None]}
        else:
            props[name] = {"description": TOP_WORDS.get(name, f"{name} (not read)")}
    body = {
        "type": "object",
        "properties": props,
        "required": ["roadmap"],
        "additionalProperties": False,
    }
    return _document(
        "roadmap",
        "relief-planner roadmap",
        "What `planner plan -o` writes and `planner check` reads (CSV with a `step,start` "
        "header is read too). The loader also checks the steps against the scenario.",
        body,
        defs,
    )


_BUILDERS = {
    "packages": packages_schema,
    "constraints": constraints_schema,
    "roadmap": roadmap_schema,
}


@functools.cache
def schema_text(kind: str) -> str:
    """The schema of one file kind as JSON text: keys sorted, two-space indent, a final
    newline (byte-identical from run to run)."""
    return json.dumps(_BUILDERS[kind](), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def schema_file_name(kind: str) -> str:
    """Where the schema of `kind` lives beside the files, e.g. 'packages.schema.json'."""
    return f"{kind}.schema.json"


def yaml_language_server_line(kind: str, folder: str) -> str:
    """The first line that points editors (yaml-language-server) at the schema of `kind`
    in `folder` (a path relative to the file)."""
    return f"# yaml-language-server: $schema={folder.rstrip('/')}/{schema_file_name(kind)}"


def as_json_data(value: Any) -> Any:
    """A value read by `planner.load.yamlread` as the JSON-like data a schema validates: located
    mappings and lists as plain ones, dates and times as ISO text (as an editor shows
    them)."""
    if isinstance(value, dict):
        return {str(k): as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_data(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


__all__ = [
    "ALSO_READ",
    "KINDS_OF_FILES",
    "SELECTOR_WORDS",
    "Definitions",
    "SchemaError",
    "as_json_data",
    "class_doc",
    "constraints_definitions",
    "constraints_schema",
    "entry_schema",
    "field_schema",
    "object_schema",
    "packages_definitions",
    "packages_schema",
    "refs_in",
    "roadmap_schema",
    "rule_kind_schema",
    "schema_file_name",
    "schema_text",
    "selector_schema",
    "yaml_language_server_line",
]
