"""The scenario: actors, packages, steps and rules, immutable once loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from planner.errors import Mark

if TYPE_CHECKING:
    from planner.check import CheckContext, Violation
    from planner.solver.encoder import Encoder

UNITS = ("day", "week", "month")
_T = TypeVar("_T")


class _Rebuilt:
    """Pickles as a constructor call. A frozen slots dataclass otherwise unpickles through
    a Python `__setstate__` that sets one attribute at a time: 0.19 s instead of 0.03 s for
    10,000 steps, which is most of what the scenario cache (`planner.cache`) saves."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls) if f.init)  # type: ignore[arg-type]
        return cls, tuple(getattr(self, name) for name in names)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True)
class Verify(_Rebuilt):
    """Who verifies a step, and how long verification takes after the step ends."""

    by: str
    duration: int = 0
    what: str = ""


@dataclass(frozen=True, slots=True)
class Req(_Rebuilt):
    """A precondition: start >= done(step) + lag and, with `within`, <= done(step) + within."""

    step: str
    lag: int = 0
    within: int | None = None
    mark: Mark = field(default=Mark(""), compare=False)


@dataclass(frozen=True, slots=True)
class AnyOf(_Rebuilt):
    """A precondition met when the first of its alternatives is met."""

    items: tuple[Req, ...]
    mark: Mark = field(default=Mark(""), compare=False)


Cond = Req | AnyOf


@dataclass(frozen=True, slots=True)
class Step(_Rebuilt):
    """One action by one actor. done = start + duration + verify.duration."""

    id: str
    actor: str
    package: str
    kind: str
    title: str
    duration: int
    value: int
    verify: Verify | None = None
    after: tuple[Cond, ...] = ()
    tags: frozenset[str] = frozenset()
    attrs: Mapping[str, float] = field(default_factory=dict)
    source: str = ""
    note: str = ""
    mark: Mark = field(default=Mark(""), compare=False)

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

    def requirements(self) -> list[Req]:
        """Every step this one can be conditioned on through `after`, alternatives included."""
        out: list[Req] = []
        for cond in self.after:
            out.extend(cond.items if isinstance(cond, AnyOf) else (cond,))
        return out


@dataclass(frozen=True, slots=True)
class Package(_Rebuilt):
    id: str
    title: str
    step_ids: tuple[str, ...]
    source: str = ""
    mark: Mark = field(default=Mark(""), compare=False)


SELECTOR_FIELDS = ("steps", "actor", "package", "kind", "tags")


@dataclass(frozen=True, slots=True)
class Selector(_Rebuilt):
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


@dataclass(frozen=True, slots=True)
class Rule(_Rebuilt):
    """A named constraint. Subclasses (one per kind, in `planner.rules`) add their fields.

    A hard rule must hold; a soft rule (`soft: true`) adds `weight` x its violation amount
    to the plan's objective and is reported as a penalty, not a violation.
    """

    kind: ClassVar[str] = ""
    #: Field name -> (type, default). Types: sel, sel2, nat, pos, opt_nat, attr, enum:a|b.
    fields: ClassVar[dict[str, tuple[str, Any]]] = {}
    #: Rank in the report: smaller is more severe.
    severity: ClassVar[int] = 5

    id: str
    source: str
    soft: bool = False
    weight: int = 1
    note: str = ""
    mark: Mark = field(default=Mark(""), compare=False)

    def links(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Conditions this rule creates, as (from steps, to steps): `to` waits on `from`.

        Used by `delink`. Rules that condition nothing return [].
        """
        return []

    def check(self, ctx: CheckContext) -> list[Violation]:  # pragma: no cover - abstract
        raise NotImplementedError

    def encode(self, enc: Encoder) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Scenario(_Rebuilt):
    """A whole deal: who acts, which steps exist, which rules hold."""

    name: str
    unit: str
    start: dt.date | None
    actors: Mapping[str, str]
    packages: tuple[Package, ...]
    steps: Mapping[str, Step]
    rules: tuple[Rule, ...]
    description: str = ""
    files: tuple[str, ...] = ()
    #: What follows from the scenario alone, whatever the roadmap (de-linking chains,
    #: red-line dependents): computed once by `fact`, kept with the scenario and so in the
    #: scenario cache (`check.scenario_facts` fills it before caching). Not compared.
    facts: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        return _with_facts, (*_Rebuilt.__reduce__(self), self.facts)

    def fact(self, name: str, compute: Callable[[Scenario], _T]) -> _T:
        """`compute(self)`, computed once."""
        if name not in self.facts:
            self.facts[name] = compute(self)
        return self.facts[name]  # type: ignore[no-any-return]

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def rules_of(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def forbidden(self) -> set[str]:
        """Steps excluded by hard `forbid` rules."""
        out: set[str] = set()
        for rule in self.rules_of("forbid"):
            if not rule.soft:
                out.update(rule.steps.ids)  # type: ignore[attr-defined]
        return out


def _with_facts(cls: type[Scenario], args: tuple[Any, ...], facts: dict[str, Any]) -> Scenario:
    """Unpickle a scenario with the facts worked out before it was cached. (A scenario made
    any other way, `dataclasses.replace` included, starts with no facts.)"""
    scenario = cls(*args)
    scenario.facts.update(facts)
    return scenario
