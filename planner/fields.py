"""Field declarations: every field of the file formats is declared once, on its dataclass.

A field that a user writes carries an `Annotated` marker, a `Spec`:

    earliest: Annotated[int, Nat("the first time a selected step may start")] = 0

From these declarations come the loader's type checks and messages (`planner.load`), the
JSON Schemas of the three file kinds (`planner.authoring.schema`) and the field reference
(`planner.authoring.docs`). A field is required when its dataclass field has no default;
`int | None` with a default of None is optional. Fields without a marker (`mark`, a step's `package`) are never read from a file.

This module only declares; it reads nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from dataclasses import dataclass
from typing import Any

#: Identifiers: letters, digits, '-', '_', '.'; no spaces; and at the end, '@' and a number
#: (the renewals a `repeat` chain expands into: `us-licence@2`).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*(@[0-9]+)?\Z")
#: Larger durations, values and limits are typing mistakes, not deals.
MAX_NUMBER = 10**9


class Spec:
    """What a field holds, in words (`doc`) and as a JSON Schema fragment.

    `key` is the field's name in the file where it differs from the attribute's;
    `absent` says what a missing optional field means when that is not a plain default
    (a title defaults to the id). Specs are plain classes, not dataclasses: there are a
    dozen of them, and each dataclass costs half a millisecond at every start.
    """

    __slots__ = ("absent", "doc", "key")
    #: How the reference names the type.
    type_name = "value"

    def __init__(self, doc: str, *, key: str = "", absent: str = "") -> None:
        self.doc = doc
        self.key = key
        self.absent = absent

    def schema(self) -> dict[str, Any]:
        return {}


class Text(Spec):
    """Text (a number or a date written as a title is read as text)."""

    __slots__ = ()
    type_name = "text"

    def schema(self) -> dict[str, Any]:
        return {"type": ["string", "number"]}


class Ident(Spec):
    """An identifier: letters, digits, '-', '_', '.'."""

    __slots__ = ()
    type_name = "identifier"

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^" + ID_PATTERN.pattern.removesuffix(r"\Z") + "$"}


class Nat(Spec):
    """A whole number ≥ `minimum` (and ≤ MAX_NUMBER)."""

    __slots__ = ("minimum",)
    type_name = "whole number"

    def __init__(self, doc: str, minimum: int = 0, **kw: str) -> None:
        super().__init__(doc, **kw)
        self.minimum = minimum

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": MAX_NUMBER}


#: A time written with its unit: "45 days", "6 months", "2 weeks", "1 year".
TIME_PATTERN = re.compile(r"\s*(\d+)\s*(day|days|week|weeks|month|months|year|years)\s*\Z")


class Time(Nat):
    """A time or a length of time: a whole number in the scenario's unit, or a number with
    its unit ("45 days", "6 months"), converted to the scenario's unit and rounded up
    (`planner.model.convert`)."""

    __slots__ = ()
    type_name = "time"

    def schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                super().schema(),
                {
                    "type": "string",
                    "pattern": "^" + TIME_PATTERN.pattern.removesuffix(r"\Z") + "$",
                },
            ]
        }


class StepOrTime(Spec):
    """A step id (the time that step is done) or a time (a whole number, or a number with
    its unit)."""

    __slots__ = ()
    type_name = "step id or time"

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [Ident(self.doc).schema(), *Time(self.doc).schema()["anyOf"]]}


class Int(Spec):
    """A whole number, negative allowed (between -MAX_NUMBER and MAX_NUMBER)."""

    __slots__ = ()
    type_name = "whole number (may be negative)"

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}


class Flag(Spec):
    """true or false."""

    __slots__ = ()
    type_name = "true/false"

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Choice(Spec):
    """One of a few words."""

    __slots__ = ("options",)
    type_name = "one of"

    def __init__(self, doc: str, options: tuple[str, ...], **kw: str) -> None:
        super().__init__(doc, **kw)
        self.options = options

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.options)}


class Sel(Spec):
    """A selector: a list of step ids, or a mapping of steps/actor/package/kind/tags."""

    __slots__ = ()
    type_name = "selector"

    def schema(self) -> dict[str, Any]:
        return {"$ref": "#/$defs/selector"}


class SelPair(Spec):
    """Exactly two selectors."""

    __slots__ = ()
    type_name = "two selectors"

    def schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {"$ref": "#/$defs/selector"},
            "minItems": 2,
            "maxItems": 2,
        }


class Attr(Spec):
    """The name of a step attribute (`attrs`), or `duration` / `value`."""

    __slots__ = ()
    type_name = "attribute name"

    def schema(self) -> dict[str, Any]:
        return Ident(self.doc).schema()


class Custom(Spec):
    """A field with its own reader in the loader (preconditions, tags, attrs, a date ...);
    `shape` is its JSON Schema."""

    __slots__ = ("shape",)
    type_name = "see below"

    def __init__(self, doc: str, shape: tuple[tuple[str, Any], ...] = (), **kw: str) -> None:
        super().__init__(doc, **kw)
        self.shape = shape

    def schema(self) -> dict[str, Any]:
        return dict(self.shape)


@dataclass(frozen=True, slots=True)
class Declared:
    """One declared field: its name, marker, and default (`REQUIRED` when it has none)."""

    name: str
    spec: Spec
    default: Any

    @property
    def key(self) -> str:
        """The field's name in the file."""
        return self.spec.key or self.name

    @property
    def required(self) -> bool:
        return self.default is REQUIRED and not self.spec.absent


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@functools.cache
def declared(cls: type) -> tuple[Declared, ...]:
    """The fields of dataclass `cls` that a file may hold, in declaration order."""
    hints = typing.get_type_hints(cls, include_extras=True)
    out = []
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name)
        specs = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Spec)]
        if not specs:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = REQUIRED
        out.append(Declared(f.name, specs[0], default))
    return tuple(out)


@functools.cache
def keys(cls: type) -> tuple[str, ...]:
    """The names in the file of the declared fields of `cls`."""
    return tuple(d.key for d in declared(cls))
