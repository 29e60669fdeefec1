"""What every rule kind is written against: the `Rule` base class and its protocol, the
checker's context and violations, the scheduling terms and the CP-SAT encoding.

A rule kind is one module under `planner.rules` with one `Rule` subclass that declares
its fields (`planner.fields`) and implements the protocol, top to bottom:

- `validate(steps)`: numbers that cannot make sense once the steps are known, as
  (field, message) pairs the loader reports at the field;
- `terms(t)`: what the rule means for scheduling, in the shared primitives of `Terms`
  (wait, opens, answer, release, deadline, rank, capacity, reservoir, together,
  exclude). The lower bounds, the greedy schedule, slack, simulate, written sequences,
  the de-linking graph and the why-not arithmetic all read these terms, each its own
  way; its exact verdict is `check` alone;
- `prepare(scenario)`: facts of the scenario alone, worked out once before caching;
- `check(ctx)`: every violation of a roadmap, in negotiator language;
- `encode(enc)`: the CP-SAT constraints, through the shared helpers of `Encoding`.

Nothing here imports the solver or ortools.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Annotated, Any, ClassVar, Protocol, TypeVar

from planner.errors import Mark
from planner.fields import Flag, Ident, Nat, Text
from planner.force import Chain
from planner.model import Rebuilt, Step

_T = TypeVar("_T")

#: The kind of the violations of step preconditions (`after`), which are not a rule.
PRECONDITION_KIND = "precondition"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---- violations and the checker's view of a roadmap -------------------------------------


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a roadmap breaks one rule.

    `amount` measures how badly, in the unit the message names (time units, leverage
    units or a count); a soft rule's penalty is `weight * amount`.
    """

    rule: str
    kind: str
    message: str
    repair: str
    steps: tuple[str, ...] = ()
    times: tuple[tuple[str, int], ...] = ()
    amount: int = 1
    source: str = ""
    soft: bool = False
    weight: int = 1
    severity: int = 5

    @property
    def penalty(self) -> int:
        return self.weight * self.amount if self.soft else 0


#: Names of what `CheckContext.record` keeps for the outputs, and their items' shapes.
ANSWERS = "answers"
CURVES = "curves"


@dataclass(frozen=True, slots=True)
class Answer:
    """Under reciprocity rule `rule`, give step `give` is answered by counter-step
    `counter` ("" when no counter-step answers it in the roadmap)."""

    rule: str
    give: str
    counter: str


@dataclass(frozen=True, slots=True)
class Curve:
    """The leverage curve of balance rule `rule`: (time, level from then on) at every time
    it changes, against its `margin`."""

    rule: str
    margin: int
    points: tuple[tuple[int, int], ...]


class ScenarioView(Protocol):
    """What rules read of a scenario (`planner.scenario.Scenario` is one)."""

    @property
    def unit(self) -> str: ...

    @property
    def steps(self) -> Mapping[str, Step]: ...

    @property
    def rules(self) -> Sequence[Rule]: ...

    def fact(self, name: str, compute: Callable[[Any], _T]) -> _T:
        """`compute(scenario)`, once, kept with the scenario (and in the scenario cache)."""
        ...

    def memo(self, name: str, compute: Callable[[Any], _T]) -> _T:
        """`compute(scenario)`, once per process (never cached on disk)."""
        ...


class CheckContext:
    """A roadmap's times, read through a scenario."""

    def __init__(self, scenario: ScenarioView, starts: Mapping[str, int]) -> None:
        self.scenario = scenario
        self.starts = starts
        self._memo: dict[str, Any] = {}
        #: Step.done_offset of every step, looked up tens of thousands of times per check.
        self._done_offset = {sid: step.done_offset for sid, step in scenario.steps.items()}
        #: Figures rules report for the summary, by name: "exposure" (a balance curve's peak).
        self.measures: dict[str, list[int]] = {}
        #: What rules worked out about the roadmap that the outputs show, by name (`record`):
        #: "answers" (which counter-step answers which give step), "curves" (leverage curves).
        self.records: dict[str, list[Any]] = {}

    def memo(self, name: str, compute: Callable[[], _T]) -> _T:
        """`compute()`, computed once per check (shared by rules of one kind)."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]  # type: ignore[no-any-return]

    def measure(self, name: str, value: int) -> None:
        """Report a figure for the summary (the report keeps the largest of each name)."""
        self.measures.setdefault(name, []).append(value)

    def record(self, name: str, item: Any) -> None:
        """Keep something the check worked out for the outputs to show (the report holds
        each name's items in the order recorded); a renderer reads it, never re-checks."""
        self.records.setdefault(name, []).append(item)

    def is_scheduled(self, step_id: str) -> bool:
        return step_id in self.starts

    def step(self, step_id: str) -> Step:
        return self.scenario.steps[step_id]

    def start(self, step_id: str) -> int:
        return self.starts[step_id]

    def end(self, step_id: str) -> int:
        return self.starts[step_id] + self.scenario.steps[step_id].duration

    def done(self, step_id: str) -> int:
        return self.starts[step_id] + self._done_offset[step_id]

    def scheduled(self, ids: Iterable[str]) -> list[str]:
        return [s for s in ids if s in self.starts]

    def t(self, time: int) -> str:
        """A point in time in the scenario's unit: 'week 10'."""
        return f"{self.scenario.unit} {time}"

    def span(self, n: int) -> str:
        """A length of time in the scenario's unit: '4 weeks'."""
        return plural(n, self.scenario.unit)

    def violation(
        self,
        rule: Rule,
        message: str,
        repair: str,
        steps: Iterable[str] = (),
        amount: int = 1,
    ) -> Violation:
        """A violation of `rule`, with the times of the steps it involves."""
        steps = tuple(dict.fromkeys(steps))
        return Violation(
            rule=rule.id,
            kind=rule.kind,
            message=message,
            repair=repair,
            steps=steps,
            times=tuple((s, self.starts[s]) for s in steps if s in self.starts),
            amount=max(1, amount),
            source=rule.source,
            soft=rule.soft,
            weight=rule.weight,
            severity=type(rule).severity,
        )


# ---- scheduling terms ------------------------------------------------------------------


class Terms(ABC):
    """A rule's meaning for scheduling, in shared primitives, told to a reader of the terms
    (the greedy schedule, slack, the lower bounds, the de-linking graph, ...). `rule` says
    whose term it is (its id labels chains; readers of hard rules skip soft ones). Times
    are in the scenario's unit; `done(s) = start(s) + duration + verification`.

    Every primitive is abstract: a reader that must be complete (a term it ignored would
    give a wrong answer: the greedy, slack, simulate's order-keeping, ...) subclasses
    `Terms` and implements each one, so a new primitive fails at its instantiation and in
    mypy until it says what the primitive means to it. A reader for which a partial view
    is safe subclasses `PartialTerms` instead and says why in its docstring.
    """

    def __init__(self, steps: Mapping[str, Step]) -> None:
        #: The scenario's steps (a rule ranking by attribute reads them).
        self.steps = steps

    @abstractmethod
    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        """done(f) + lag <= start(w) [<= done(f) + within] for every f in firsts, w != f."""

    @abstractmethod
    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        """A milestone: once every `when` step is done, the `held` steps may start (a gate;
        the phases and charts of a roadmap mark it). Its waiting is a `wait` term too."""

    @abstractmethod
    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        """Each give step g needs a counter-step c != g with
        start(g) - within <= done(c) <= start(g) + grace; each c answers one g only unless
        `shared`."""

    @abstractmethod
    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        """start(s) (or done(s), with measure "done") >= earliest."""

    @abstractmethod
    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        """start(s) (or done(s), with measure "done") <= latest."""

    @abstractmethod
    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        """Each rank's steps start at least `gap` after every step of the ranks before it."""

    @abstractmethod
    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        """At most `limit` of the steps run at once (start to end)."""

    @abstractmethod
    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        """Value of ahead steps started minus value of behind steps done <= margin."""

    @abstractmethod
    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        """The steps start at the same time."""

    @abstractmethod
    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        """The steps are never scheduled (red lines)."""

    @abstractmethod
    def covers(self, rule: Rule, chain: Chain, since: str | int | None, until: str | int) -> None:
        """The chain's force (`planner.force`: the union of [done(m), done(m) + lasts(m))
        over its members m, cut at the earliest done time of its reimposing steps) covers
        [F, T): F = `since` (a time, or a step's done time; None: done(base)), T = `until`
        (a time, or a step's done time)."""


class PartialTerms(Terms):
    """A reader that reads some primitives and may safely ignore the rest (a new one
    included): every primitive does nothing here; a subclass overrides what it reads and
    says in its docstring why a partial view is safe."""

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        pass

    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        pass

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        pass

    def release(self, rule: Rule, ids: Sequence[str], earliest: int, measure: str) -> None:
        pass

    def deadline(self, rule: Rule, ids: Sequence[str], latest: int, measure: str) -> None:
        pass

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        pass

    def capacity(self, rule: Rule, ids: Sequence[str], limit: int) -> None:
        pass

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        pass

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        pass

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        pass

    def covers(self, rule: Rule, chain: Chain, since: str | int | None, until: str | int) -> None:
        pass


class _Excluded(PartialTerms):
    """The red lines. Partial is safe: only `exclude` takes a step out of every roadmap."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.ids: set[str] = set()

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            self.ids.update(ids)


def excluded(scenario: ScenarioView) -> set[str]:
    """The steps hard rules take out of every roadmap (red lines)."""
    found = _Excluded(scenario.steps)
    for rule in scenario.rules:
        rule.terms(found)
    return found.ids


# ---- the CP-SAT encoding -----------------------------------------------------------------


class Encoding(Protocol):
    """What a rule's `encode` uses of the solver's model builder
    (`planner.solver.encoder.Encoder`). Expressions are CP-SAT's (typed Any here, so the
    rules never import ortools)."""

    #: The CP-SAT model (`ortools.sat.python.cp_model.CpModel`).
    model: Any
    #: Steps the plan schedules, in scenario order, and as a set.
    scheduled: list[str]
    is_scheduled: set[str]
    #: A time by which any sensible roadmap is done (the domains' upper end).
    horizon: int
    #: start[s]: the start variable of scheduled step s.
    start: dict[str, Any]

    @property
    def scenario(self) -> ScenarioView:
        """The scenario being encoded."""
        ...

    def done(self, s: str) -> Any:
        """start[s] + duration + verification."""
        ...

    def end(self, s: str) -> Any:
        """start[s] + duration."""
        ...

    def sched(self, ids: Iterable[str]) -> list[str]:
        """The scheduled ones of `ids`, in their order."""
        ...

    def absent(self, ids: Iterable[str], which: bool = False) -> str:
        """Why steps are not scheduled, for a message: 'excluded by a red line' (or, when
        repairing a partial roadmap, 'left out of the roadmap'); with `which`, as a
        clause: 'which a red line excludes' ('which the roadmap leaves out')."""
        ...

    def add(self, constraint: Any, rule: Rule) -> Any:
        """A constraint of `rule` (a hard rule's holds under its literal when explaining)."""
        ...

    def lit(self, name: str) -> Any:
        """The assumption literal of a hard rule when explaining, else None."""
        ...

    def slack(self, rule: Rule, what: str, upper: int | None = None) -> Any:
        """A non-negative amount of violation of a soft rule, charged `weight` per unit."""
        ...

    def charge(self, rule: Rule, amount: int) -> None:
        """A fixed penalty: a soft rule broken by the scenario itself, whatever the times."""
        ...

    def cannot_hold(self, rule: Rule, reason: str, amount: int = 1) -> None:
        """A rule no times can satisfy: fatal when hard, a fixed penalty when soft."""
        ...

    def fail(self, name: str, reason: str) -> None:
        """The named rule (or step's preconditions) cannot hold: record why, and make the
        model say so."""
        ...

    def because(self, name: str, reason: str) -> None:
        """Record why the named rule cannot hold (its constraints already say so)."""
        ...

    def memo(self, name: str, compute: Callable[[], _T]) -> _T:
        """`compute()`, once per model (variables several rules share)."""
        ...

    def interval(self, s: str, rule: Rule) -> Any:
        """The interval of step s running from start to end, for `rule`."""
        ...

    def curve(
        self,
        rule: Rule,
        times: list[Any],
        changes: list[Any],
        low: int,
        top: int,
        actives: list[Any] | None = None,
    ) -> None:
        """A leverage curve (+change at each time, when its literal in `actives` holds) for
        the exposure objective."""
        ...


# ---- the rule base class -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule(Rebuilt, ABC):
    """A named constraint. Subclasses (one per kind, in `planner.rules`) declare their
    fields and implement the protocol described in this module's docstring.

    A hard rule must hold; a soft rule (`soft: true`) adds `weight` x its violation amount
    to the plan's objective and is reported as a penalty, not a violation.
    """

    kind: ClassVar[str] = ""
    #: Rank in the report: smaller is more severe.
    severity: ClassVar[int] = 6
    #: A rule file holding an example of the kind, with comments: what `planner init` writes
    #: as constraints/<kind>.yaml, on the steps of the starter scenario.
    example: ClassVar[str] = ""

    id: Annotated[str, Ident("the rule's id, unique across the constraint files")]
    source: Annotated[str, Text("the sentence of the brief or treaty the rule encodes")]
    soft: Annotated[
        bool, Flag("a preference, not a requirement: each unit of violation costs `weight`")
    ] = False
    weight: Annotated[int, Nat("the cost of one unit of violation (soft rules only)", 1)] = 1
    note: Annotated[str, Text("anything worth saying about the rule")] = ""
    mark: Mark = field(default=Mark(""), compare=False)

    def __reduce__(self) -> tuple[Any, ...]:
        cls, values = Rebuilt.__reduce__(self)
        return _make_rule, (cls, _init_names(cls), values)

    @abstractmethod
    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        """Problems with the rule's numbers once its steps are known: (field, message)."""

    @abstractmethod
    def terms(self, t: Terms) -> None:
        """The rule's meaning for scheduling, told to `t` in the shared primitives."""

    @abstractmethod
    def prepare(self, scenario: ScenarioView) -> None:
        """Work out (with `scenario.fact`) what `check` needs from the scenario alone."""

    @abstractmethod
    def check(self, ctx: CheckContext) -> list[Violation]:
        """Every violation of the rule by the roadmap in `ctx`."""

    @abstractmethod
    def encode(self, enc: Encoding) -> None:
        """The rule's CP-SAT constraints (and, when soft, its penalty terms)."""


#: The names of the methods every rule kind implements (the protocol).
PROTOCOL = ("validate", "terms", "prepare", "check", "encode")


def _init_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.init)


def _make_rule(cls: type[Rule], names: tuple[str, ...], values: tuple[Any, ...]) -> Rule:
    """Unpickle a rule (its fields are keyword-only)."""
    return cls(**dict(zip(names, values, strict=True)))
