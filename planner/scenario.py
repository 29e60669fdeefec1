"""The scenario: a whole deal — who acts, which steps exist, which rules hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Annotated, Any, TypeVar

from planner.errors import Mark
from planner.fields import Choice, Custom, Ident, Text
from planner.model import (
    FAILS,
    PASSES,
    QUARTER,
    UNITS,
    Package,
    Rebuilt,
    Selector,
    Step,
    Uncertainty,
    conditions,
)
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
    #: Every time written with its unit, as read: (where, what, as written, in the
    #: scenario's unit), for `validate --explain`.
    conversions: tuple[tuple[Mark, str, str, int], ...] = ()
    #: The variant applied (`--variant`, `--set`): its name ("" for none) and each change it
    #: made, as (where it was asked for, what changed) (`planner.load.variants`).
    variant: str = ""
    changes: tuple[tuple[str, str], ...] = ()
    #: The branch this scenario is: the outcomes assumed other than the main ones, as
    #: (trigger step, outcome) pairs, sorted; () for the main roadmap (`branch`).
    assumed: tuple[tuple[str, str], ...] = ()
    #: The scenario with every step, contingent ones included, when this one is a branch
    #: that leaves some out (None: this is the whole scenario).
    whole: Scenario | None = None
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

    def everything(self) -> Scenario:
        """The scenario with every step, whatever the branch."""
        return self.whole if self.whole is not None else self

    def main_outcome(self, trigger: str) -> str:
        """The outcome the main roadmap assumes for a trigger step: a verification passes,
        an event takes its first outcome."""
        step = self.everything().steps[trigger]
        return next(iter(step.outcomes)) if step.outcomes else PASSES

    def outcome(self, trigger: str) -> str:
        """The outcome this branch assumes for a trigger step."""
        return dict(self.assumed).get(trigger) or self.main_outcome(trigger)

    def outcomes_of(self, trigger: str) -> tuple[str, ...]:
        """What a trigger step may turn out to be: its event outcomes, or a verification's
        passes and fails."""
        step = self.everything().steps[trigger]
        if step.outcomes:
            return tuple(step.outcomes)
        return (PASSES, FAILS) if step.verify is not None else ()

    def branch(self, assume: Mapping[str, str] | None = None) -> Scenario:
        """The scenario in the branch where each trigger in `assume` has its outcome (every
        other verification passes, every other event takes its first outcome): the steps
        that happen only on other outcomes are left out of the steps, the packages and
        every rule's selectors. The main roadmap is `branch()`.

        Raises
        ------
        KeyError
            For an unknown trigger step; ValueError for an outcome it cannot have.
        """
        whole = self.everything()
        for trigger, outcome in (assume or {}).items():
            if trigger not in whole.steps:
                raise KeyError(trigger)
            if outcome not in whole.outcomes_of(trigger):
                raise ValueError(f"{trigger}={outcome}")
        assumed = tuple(
            sorted((t, o) for t, o in (assume or {}).items() if o != whole.main_outcome(t))
        )
        if assumed == self.assumed and (self.whole is not None or not _contingent(whole)):
            return self
        chosen = dict(assumed)

        def happens(sid: str) -> bool:
            return all(
                (chosen.get(t) or whole.main_outcome(t)) == o
                for t, o in conditions(whole.steps, sid)
            )

        present = {sid: step for sid, step in whole.steps.items() if happens(sid)}
        if len(present) == len(whole.steps) and not assumed:
            return whole
        return replace(_only(whole, present), assumed=assumed, whole=whole)

    def without(self, ids: Collection[str]) -> Scenario:
        """The scenario with the steps `ids` left out of its steps, packages and every
        rule's selectors (as a branch leaves out steps that do not happen in it)."""
        if not ids:
            return self
        present = {sid: step for sid, step in self.steps.items() if sid not in ids}
        return replace(_only(self, present), whole=self.everything())

    def prepare(self) -> Scenario:
        """Work out every fact of the scenario alone (each rule's `prepare`), once."""
        for rule in self.rules:
            rule.prepare(self)
        return self


def _only(scenario: Scenario, present: Mapping[str, Step]) -> Scenario:
    """The scenario with only the `present` steps: in its steps, packages (a package left
    with none is left out) and every rule's selectors."""
    packages = tuple(
        replace(p, step_ids=ids)
        for p in scenario.packages
        if (ids := tuple(s for s in p.step_ids if s in present))
    )
    rules = tuple(_restricted(rule, present) for rule in scenario.rules)
    return replace(scenario, steps=dict(present), packages=packages, rules=rules)


def _contingent(scenario: Scenario) -> bool:
    return any(step.when is not None for step in scenario.steps.values())


def _restricted(rule: Rule, present: Mapping[str, Step]) -> Rule:
    """The rule with its selectors naming present steps only."""
    changes: dict[str, Any] = {}
    for f in fields(rule):
        value = getattr(rule, f.name)
        if isinstance(value, Selector):
            kept = tuple(s for s in value.ids if s in present)
            if kept != value.ids:
                changes[f.name] = replace(value, ids=kept)
        elif isinstance(value, tuple) and value and isinstance(value[0], Selector):
            pair = tuple(replace(v, ids=tuple(s for s in v.ids if s in present)) for v in value)
            if pair != value:
                changes[f.name] = pair
    return replace(rule, **changes) if changes else rule


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
