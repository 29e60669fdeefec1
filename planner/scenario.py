"""The scenario: a whole deal — who acts, which steps exist, which rules hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Annotated, Any, TypeVar

from planner.errors import Mark
from planner.fields import Choice, Custom, Ident, Text
from planner.model import QUARTER, UNITS, Package, Rebuilt, Step, Uncertainty
from planner.rules.base import Rule, excluded

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Phase(Rebuilt):
    """A named stage of the deal. It ends when `until` is reached: a step id (when that
    step is done) or a time; the next phase starts there, the first at time 0. Only the
    last phase may leave `until` out: it then runs to the end of the roadmap."""

    id: Annotated[str, Ident("the phase's id, unique among the phases")]
    title: Annotated[str, Text("the phase's name", absent="the phase's id")]
    until: Annotated[
        str | int | None,
        Custom(
            "where the phase ends: a step id (the time that step is done) or a time; "
            "only the last phase may leave it out (it then runs to the end)",
            shape=(
                (
                    "anyOf",
                    [{"$ref": "#/$defs/identifier"}, {"type": "integer", "minimum": 0}],
                ),
            ),
        ),
    ] = None
    mark: Mark = field(default=Mark(""), compare=False)


@dataclass(frozen=True, slots=True)
class Assumption(Rebuilt):
    """An `# assumption:` comment of the scenario file: what it explains (`kind` "step",
    "package" or "scenario", `owner` the step's or package's id, `key` the field on its
    line or "") and the text after `assumption:`."""

    kind: str
    owner: str
    key: str
    text: str
    mark: Mark = field(default=Mark(""), compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario(Rebuilt):
    """A whole deal. The declared fields are those of the `scenario:` section of
    packages.yaml; `actors`, `packages` and the rules come from the rest of the files."""

    name: Annotated[str, Text("the deal's name", absent="unnamed scenario")] = ""
    unit: Annotated[str, Choice("the unit every time and duration is counted in", UNITS)] = "week"
    start: Annotated[
        dt.date | None,
        Custom(
            "the calendar date of time 0, for display only (YYYY-MM-DD)",
            shape=(("type", "string"), ("format", "date")),
        ),
    ] = None
    description: Annotated[str, Text("what the deal is about, in a few sentences")] = ""
    objectives: Annotated[
        tuple[str, ...],
        Custom(
            "the deal's default objective order for `plan` (its `--objective` wins): names "
            "of penalty, makespan, exposure, goodwill, most important first",
            absent="penalty, makespan, exposure, goodwill",
            shape=(
                ("type", "array"),
                ("items", {"enum": ["penalty", "makespan", "exposure", "goodwill"]}),
                ("uniqueItems", True),
                ("minItems", 1),
            ),
        ),
    ] = ()
    phases: Annotated[
        tuple[Phase, ...],
        Custom(
            "the deal's named stages, in the order they end: [{id, title, until}]",
            shape=(("type", "array"), ("items", {"$ref": "#/$defs/phase"})),
        ),
    ] = ()
    uncertainty: Annotated[
        tuple[Uncertainty, ...],
        Custom(
            "default three-point estimates for `simulate`, per selector of steps (kind, actor, "
            "package, tags): [{steps, duration: {min, max}, verify: {min, max}, fails, retry}], "
            "durations as factors",
            shape=(("type", "array"), ("items", {"type": "object"})),
        ),
    ] = ()
    actors: Mapping[str, str] = field(default_factory=dict)
    packages: tuple[Package, ...] = ()
    steps: Mapping[str, Step] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    files: tuple[str, ...] = ()
    #: The `# assumption:` comments of the scenario file, in file order (for the report).
    assumptions: tuple[Assumption, ...] = ()
    #: The variant applied (`--variant`, `--set`): its name ("" for none) and each change it
    #: made, as (where it was asked for, what changed) (`planner.load.variants`).
    variant: str = ""
    changes: tuple[tuple[str, str], ...] = ()
    #: What follows from the scenario alone, whatever the roadmap (de-linking chains,
    #: red-line dependents): worked out once (`Rule.prepare`, through `fact`) before the
    #: scenario is cached, and kept in the cache with it. Not compared.
    facts: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    #: Worked out once per process, never cached (the link graph behind the facts).
    scratch: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        names = tuple(f.name for f in fields(self) if f.init)
        return _with_facts, (type(self), names, tuple(getattr(self, n) for n in names), self.facts)

    def fact(self, name: str, compute: Callable[[Scenario], _T]) -> _T:
        """`compute(self)`, computed once and kept with the scenario."""
        if name not in self.facts:
            self.facts[name] = compute(self)
        return self.facts[name]  # type: ignore[no-any-return]

    def memo(self, name: str, compute: Callable[[Scenario], _T]) -> _T:
        """`compute(self)`, computed once per process."""
        if name not in self.scratch:
            self.scratch[name] = compute(self)
        return self.scratch[name]  # type: ignore[no-any-return]

    @property
    def quarter(self) -> int:
        """A quarter of a year in the scenario's unit: 13 weeks, 91 days or 3 months."""
        return QUARTER[self.unit]

    def date_of(self, t: int) -> dt.date | None:
        """The calendar date of time `t` (None without a `start`, or past year 9999)."""
        if self.start is None:
            return None
        try:
            if self.unit == "day":
                return self.start + dt.timedelta(days=t)
            if self.unit == "week":
                return self.start + dt.timedelta(weeks=t)
            month = self.start.month - 1 + t
            return dt.date(self.start.year + month // 12, month % 12 + 1, min(self.start.day, 28))
        except (OverflowError, ValueError):
            return None

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def rules_of(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def required(self) -> frozenset[str]:
        """Steps every roadmap must schedule: all but red lines and optional steps (a step
        marked `optional`, or in a package marked so)."""
        return self.memo("required", _required)

    def forbidden(self) -> frozenset[str]:
        """Steps that hard rules take out of every roadmap (red lines)."""
        return self.memo("forbidden", lambda s: frozenset(excluded(s)))

    def prepare(self) -> Scenario:
        """Work out every fact of the scenario alone (each rule's `prepare`), once."""
        for rule in self.rules:
            rule.prepare(self)
        return self


def _required(scenario: Scenario) -> frozenset[str]:
    optional = {s for p in scenario.packages if p.optional for s in p.step_ids}
    forbidden = scenario.forbidden()
    return frozenset(
        s
        for s, step in scenario.steps.items()
        if not step.optional and s not in optional and s not in forbidden
    )


def _with_facts(
    cls: type[Scenario], names: tuple[str, ...], values: tuple[Any, ...], facts: dict[str, Any]
) -> Scenario:
    """Unpickle a scenario with the facts worked out before it was cached. (A scenario made
    any other way, `dataclasses.replace` included, starts with no facts.)"""
    scenario = cls(**dict(zip(names, values, strict=True)))
    scenario.facts.update(facts)
    return scenario
