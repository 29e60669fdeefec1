"""Steps and packages: the scenario's data, immutable once loaded. It knows no rule kind.

Fields a user writes are declared here once (`planner.fields`), with their meaning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Annotated, Any

from planner.errors import Mark
from planner.fields import MAX_NUMBER, Custom, Flag, Ident, Int, Text, Time

UNITS = ("day", "week", "month")
#: A quarter of a year in each unit (the default distance between alternatives).
QUARTER = {"day": 91, "week": 13, "month": 3}
#: The kind of a step no party controls (a ceasefire, an election).
EVENT = "event"
#: The kind of the steps a `repeat` chain expands into.
RENEWAL = "renewal"
#: The outcomes of a verification, as `if:` names them: the main one first.
PASSES, FAILS = "passes", "fails"

#: How many of one unit make another (`convert`): a day is a day, a week 7 days, a month
#: 30 days (six months are the 180 days statutes count), a year 365 days, 52 weeks or 12
#: months.
_DAYS = {"day": Fraction(1), "week": Fraction(7), "month": Fraction(30), "year": Fraction(365)}
_EXACT = {("year", "week"): Fraction(52), ("year", "month"): Fraction(12)}


def convert(amount: int, written: str, unit: str) -> int:
    """`amount` of the unit `written` ("day", "weeks", ...) in the scenario's `unit`,
    rounded up: "45 days" in weeks is 7, "6 months" 26 weeks or 180 days."""
    src, dst = written.removesuffix("s"), unit.removesuffix("s")
    factor = _EXACT.get((src, dst)) or _DAYS[src] / _DAYS[dst]
    return math.ceil(amount * factor)


class Rebuilt:
    """Pickles as a constructor call. A frozen slots dataclass otherwise unpickles through
    a Python `__setstate__` that sets one attribute at a time: 0.19 s instead of 0.03 s for
    10,000 steps, which is most of what the scenario cache (`planner.load.cache`) saves."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls) if f.init)  # type: ignore[arg-type]
        return cls, tuple(getattr(self, name) for name in names)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


_ESTIMATE_SHAPE = (
    ("type", "object"),
    (
        "properties",
        {
            "min": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_NUMBER,
                "description": "the shortest it may take (default: the duration)",
            },
            "max": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_NUMBER,
                "description": "the longest it may take (default: the duration)",
            },
        },
    ),
    ("additionalProperties", False),
)


@dataclass(frozen=True, slots=True)
class Estimate(Rebuilt):
    """A three-point estimate for `simulate`: the shortest and longest a time may take,
    around the written duration as the most likely (min <= duration <= max)."""

    min: Annotated[int | None, Time("the shortest it may take", absent="the duration")] = None
    max: Annotated[int | None, Time("the longest it may take", absent="the duration")] = None


@dataclass(frozen=True, slots=True)
class Verify(Rebuilt):
    """Who verifies a step, and how long verification takes after the step ends."""

    by: Annotated[str, Text("who verifies the step")]
    duration: Annotated[int, Time("how long verification takes after the step ends")] = 0
    what: Annotated[str, Text("what is verified")] = ""
    estimate: Annotated[
        Estimate | None,
        Custom(
            "three-point estimate of the verification time for `simulate`: {min, max} "
            "around `duration` (the most likely)",
            shape=_ESTIMATE_SHAPE,
        ),
    ] = None
    fails: Annotated[
        float,
        Custom(
            "the probability that a verification fails and must be done again (0 <= P < 1), "
            "for `simulate`",
            shape=(("type", "number"), ("minimum", 0), ("exclusiveMaximum", 1)),
        ),
    ] = 0.0
    retry: Annotated[
        int, Time("after a failed verification, how long until it is tried again (`simulate`)")
    ] = 0


@dataclass(frozen=True, slots=True)
class Req(Rebuilt):
    """A precondition: start >= done(step) + lag and, with `within`, <= done(step) + within."""

    step: Annotated[str, Ident("the step waited for")]
    lag: Annotated[int, Time("time after that step is done before this one may start")] = 0
    within: Annotated[
        int | None, Time("and no longer than this after that step is done (≥ lag)")
    ] = None
    mark: Mark = field(default=Mark(""), compare=False)


@dataclass(frozen=True, slots=True)
class AnyOf(Rebuilt):
    """A precondition met when the first of its alternatives is met."""

    items: Annotated[
        tuple[Req, ...],
        Custom("alternatives: the step may start once one of them holds", key="any"),
    ]
    mark: Mark = field(default=Mark(""), compare=False)


Cond = Req | AnyOf


@dataclass(frozen=True, slots=True)
class Repeat(Rebuilt):
    """A chain of renewals: one every `every`, until the step `until` is done or the time
    `until`; the loader expands it into steps `ID@2`, `ID@3`, ... that renew the step."""

    every: Annotated[
        int,
        Time("the time between two renewals (each done this long after the one before)", minimum=1),
    ]
    until: Annotated[
        str | int,
        Custom(
            "renew until this step is done, or until this time",
            shape=(("anyOf", [{"$ref": "#/$defs/identifier"}, *Time("").schema()["anyOf"]]),),
        ),
    ]
    mark: Mark = field(default=Mark(""), compare=False)


@dataclass(frozen=True, slots=True)
class Trigger(Rebuilt):
    """The condition of a contingent step (`if:`): it happens only when step `step` has
    `outcome` — `fails` or `passes` (its verification), or a name of its `outcomes` (an
    event)."""

    step: Annotated[str, Ident("the step whose outcome decides")]
    outcome: Annotated[
        str,
        Ident("`fails` or `passes` (the step's verification), or one of the event's `outcomes`"),
    ]
    mark: Mark = field(default=Mark(""), compare=False)


_AFTER_SHAPE = (
    ("type", "array"),
    (
        "items",
        {
            "anyOf": [
                {"$ref": "#/$defs/identifier"},
                {"$ref": "#/$defs/requirement"},
                {"$ref": "#/$defs/any_of"},
            ]
        },
    ),
)


@dataclass(frozen=True, slots=True)
class Step(Rebuilt):
    """One action by one actor. done = start + duration + verify.duration."""

    id: Annotated[str, Ident("the step's id, unique in the scenario")]
    actor: Annotated[str, Ident("who acts: a key of `actors`")]
    #: The package the step is written in (not a field of the file).
    package: str
    kind: Annotated[
        str, Ident("what sort of step: commitment, relief, goodwill, dialogue, verification, ...")
    ]
    title: Annotated[str, Text("what the step does, in a few words", absent="the step's id")]
    duration: Annotated[int, Time("how long the step takes, in the scenario's unit")]
    value: Annotated[
        int,
        Int(
            "leverage units: what the step gives away or is worth; negative for pressure "
            "added during easing (a new designation), which lowers what its actor has given"
        ),
    ] = 0
    verify: Annotated[
        Verify | None,
        Custom(
            "who verifies the step and for how long; the step is done once verified",
            shape=(("$ref", "#/$defs/verify"),),
        ),
    ] = None
    after: Annotated[
        tuple[Cond, ...],
        Custom("preconditions: step ids, {step, lag, within} or {any: [...]}", shape=_AFTER_SHAPE),
    ] = ()
    tags: Annotated[
        frozenset[str],
        Custom(
            "words that selectors match",
            shape=(("type", ["array", "string"]), ("items", {"$ref": "#/$defs/identifier"})),
        ),
    ] = frozenset()
    attrs: Annotated[
        Mapping[str, float],
        Custom(
            "named numbers, for `order` rules",
            shape=(("type", "object"), ("additionalProperties", {"type": "number"})),
        ),
    ] = field(default_factory=dict)
    source: Annotated[str, Text("the sentence of the brief or treaty the step encodes")] = ""
    note: Annotated[str, Text("anything worth saying about the step")] = ""
    mark: Mark = field(default=Mark(""), compare=False)
    optional: Annotated[
        bool,
        Flag(
            "may be left out of a roadmap; a step that is not optional (nor a red line) is required"
        ),
    ] = False
    fixed: Annotated[
        int | None,
        Time(
            "the step starts at this time in every roadmap: it happened then, or its date is "
            "assumed (an election, a summit)"
        ),
    ] = None
    estimate: Annotated[
        Estimate | None,
        Custom(
            "three-point estimate of the duration for `simulate`: {min, max} around "
            "`duration` (the most likely)",
            shape=_ESTIMATE_SHAPE,
        ),
    ] = None
    reversible: Annotated[
        bool,
        Flag(
            "whether what the step gives can be taken back (a licence can lapse, sanctions "
            "snap back) or not (a delisting, an investment made); only steps marked false "
            "count in irreversible exposure"
        ),
    ] = True
    lasts: Annotated[
        int | None,
        Time(
            "what the step gives is in force from its done time for this long, then lapses "
            "unless renewed (a 180-day waiver, a six-month general licence)",
            minimum=1,
            absent="in force to the end",
        ),
    ] = None
    renews: Annotated[
        str | None,
        Ident(
            "this step is a renewal of that one (which `lasts`): its force runs on from this "
            "step's done time for this step's `lasts` (else that step's); done after the "
            "lapse, it leaves a gap"
        ),
    ] = None
    repeat: Annotated[
        Repeat | None,
        Custom(
            "a chain of renewals {every, until}: one every `every`, until a step is done or a "
            "time; expanded into steps ID@2, ID@3, ... that renew this one",
            shape=(("$ref", "#/$defs/repeat"),),
        ),
    ] = None
    when: Annotated[
        Trigger | None,
        Custom(
            "a contingent step {step, outcome}: it happens only on that outcome of that step "
            "(`fails`, `passes`, or an event's outcome); absent from the main roadmap unless "
            "the outcome is the main one",
            key="if",
            shape=(("$ref", "#/$defs/trigger"),),
        ),
    ] = None
    outcomes: Annotated[
        Mapping[str, float],
        Custom(
            "an event's possible outcomes and their probabilities, summing to 1; the first is "
            "the main roadmap's",
            shape=(("type", "object"), ("additionalProperties", {"type": "number"})),
        ),
    ] = field(default_factory=dict)
    reimposes: Annotated[
        str | None,
        Ident(
            "snapback: this step takes back what that step gave, from this step's done time "
            "(its duration is the wind-down); not allowed on a `reversible: false` step"
        ),
    ] = None
    beneficiary: Annotated[
        str | None,
        Ident(
            "who receives what the step gives (an actor)",
            key="for",
            absent="the other side of the bargain",
        ),
    ] = None
    short: Annotated[
        str,
        Text("the step's name in tables, charts and the brief", absent="derived from the title"),
    ] = ""

    @property
    def verify_duration(self) -> int:
        return self.verify.duration if self.verify else 0

    @property
    def done_offset(self) -> int:
        """Time from start until the step is done (ended and verified)."""
        return self.duration + self.verify_duration

    def attr(self, name: str) -> float | None:
        """An `order` attribute: a name in `attrs`, or `duration` / `value`."""
        if name in self.attrs:
            return self.attrs[name]
        if name == "duration":
            return self.duration
        if name == "value":
            return self.value
        return None

    @property
    def is_event(self) -> bool:
        """Something no party controls (`kind: event`): `plan` holds it at its fixed time,
        or at the earliest time its conditions allow (never later by choice)."""
        return self.kind == EVENT

    def requirements(self) -> list[Req]:
        """Every step this one can be conditioned on through `after`, alternatives included."""
        out: list[Req] = []
        for cond in self.after:
            out.extend(cond.items if isinstance(cond, AnyOf) else (cond,))
        return out


@dataclass(frozen=True, slots=True)
class Package(Rebuilt):
    """A group of related steps (a cluster of the deal)."""

    id: Annotated[str, Ident("the package's id, unique in the scenario")]
    title: Annotated[str, Text("the package's name", absent="the package's id")]
    step_ids: Annotated[
        tuple[str, ...],
        Custom(
            "the package's steps (at least one)",
            key="steps",
            shape=(("type", "array"), ("items", {"$ref": "#/$defs/step"}), ("minItems", 1)),
        ),
    ]
    source: Annotated[str, Text("the sentence of the brief the package encodes")] = ""
    mark: Mark = field(default=Mark(""), compare=False)
    note: Annotated[str, Text("anything worth saying about the package")] = ""
    optional: Annotated[bool, Flag("every step of the package may be left out of a roadmap")] = (
        False
    )
    short: Annotated[
        str,
        Text("the package's name in tables, charts and the brief", absent="derived from the title"),
    ] = ""


SELECTOR_FIELDS = ("steps", "actor", "package", "kind", "tags")


@dataclass(frozen=True, slots=True)
class Selector(Rebuilt):
    """How a rule names steps, and the steps it names (in scenario order).

    A list of ids, or a mapping of any of `steps`, `actor`, `package`, `kind`, `tags`; a
    step matches when every given field matches one of its values.
    """

    spec: tuple[tuple[str, tuple[str, ...]], ...]
    ids: tuple[str, ...]
    mark: Mark = field(default=Mark(""), compare=False)

    def describe(self) -> str:
        parts = []
        for name, values in self.spec:
            shown = values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"
            parts.append(f"{name}: {shown}")
        return "{" + ", ".join(parts) + "}"

    @staticmethod
    def matches(spec: tuple[tuple[str, tuple[str, ...]], ...], step: Step) -> bool:
        for name, values in spec:
            if name == "steps":
                ok = step.id in values
            elif name == "tags":
                ok = not step.tags.isdisjoint(values)
            else:
                ok = getattr(step, name) in values
            if not ok:
                return False
        return True

    @staticmethod
    def of(ids: tuple[str, ...] | list[str]) -> Selector:
        """A selector naming steps by id (for scenarios made in code)."""
        ids = tuple(ids)
        return Selector((("steps", ids),), ids)


_SPREAD_SHAPE = (
    ("type", "object"),
    (
        "properties",
        {"min": {"type": "number", "minimum": 0}, "max": {"type": "number", "minimum": 0}},
    ),
    ("additionalProperties", False),
)


@dataclass(frozen=True, slots=True)
class Spread(Rebuilt):
    """A default three-point estimate as factors of a time: min x duration, the duration
    itself (the most likely), max x duration (min <= 1 <= max)."""

    min: Annotated[float, Custom("the shortest, as a factor of the time (<= 1)")] = 1.0
    max: Annotated[float, Custom("the longest, as a factor of the time (>= 1)")] = 1.0


@dataclass(frozen=True, slots=True)
class Uncertainty(Rebuilt):
    """Default estimates for the steps a selector names (an entry of `scenario.uncertainty`);
    a step's own `estimate`, `fails` and `retry` win over them, and for each field the first
    entry that names the step and gives the field applies."""

    steps: Annotated[
        Selector | None,
        Custom(
            "the steps these defaults apply to: a selector, as in rules (every step when absent)",
            shape=(("$ref", "#/$defs/selector"),),
        ),
    ] = None
    duration: Annotated[
        Spread | None,
        Custom("the step's duration: {min, max} as factors of it", shape=_SPREAD_SHAPE),
    ] = None
    verify: Annotated[
        Spread | None,
        Custom("the verification time: {min, max} as factors of it", shape=_SPREAD_SHAPE),
    ] = None
    fails: Annotated[
        float | None,
        Custom(
            "the probability that a verification fails and is done again (0 <= P < 1)",
            shape=(("type", "number"), ("minimum", 0), ("exclusiveMaximum", 1)),
        ),
    ] = None
    retry: Annotated[
        int | None, Time("after a failed verification, the delay before it is tried again")
    ] = None
    mark: Mark = field(default=Mark(""), compare=False)


def conditions(steps: Mapping[str, Step], step_id: str) -> frozenset[tuple[str, str]]:
    """What must happen for a step to happen: its `if` (trigger, outcome) and, the trigger
    being a step too, the trigger's own conditions, recursively (a cycle of triggers stops
    where it closes)."""
    out: set[tuple[str, str]] = set()
    seen = {step_id}
    step = steps.get(step_id)
    while step is not None and step.when is not None:
        out.add((step.when.step, step.when.outcome))
        if step.when.step in seen:
            break
        seen.add(step.when.step)
        step = steps.get(step.when.step)
    return frozenset(out)
