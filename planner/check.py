"""The checker: every violation of a roadmap, explained.

Each rule kind's meaning lives in its own module under `planner.rules` (`Rule.check`);
this module provides what they share — the roadmap's times, the wording of times and
spans in the scenario's unit — and assembles the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from planner.model import Rule, Scenario, Step

PRECONDITION_KIND = "precondition"
_T = TypeVar("_T")


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


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class CheckContext:
    """A roadmap's times, read through a scenario."""

    def __init__(self, scenario: Scenario, starts: Mapping[str, int]) -> None:
        self.scenario = scenario
        self.starts = starts
        self._memo: dict[str, Any] = {}
        #: Step.done_offset of every step, looked up tens of thousands of times per check.
        self._done_offset = {sid: step.done_offset for sid, step in scenario.steps.items()}

    def memo(self, name: str, compute: Callable[[Scenario], _T]) -> _T:
        """`compute(scenario)`, computed once per check (shared by rules of one kind)."""
        if name not in self._memo:
            self._memo[name] = compute(self.scenario)
        return self._memo[name]  # type: ignore[no-any-return]

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


@dataclass(frozen=True, slots=True)
class Summary:
    num_scheduled: int
    last_time: int
    peak_exposure: int | None
    left_out: tuple[str, ...]
    forbidden: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything `check` says about one roadmap."""

    violations: tuple[Violation, ...]
    penalties: tuple[Violation, ...]
    summary: Summary
    notes: tuple[str, ...] = field(default=())

    @property
    def is_clean(self) -> bool:
        return not self.violations

    @property
    def total_penalty(self) -> int:
        return sum(v.penalty for v in self.penalties)


def _group_order(violations: list[Violation]) -> list[Violation]:
    """Group by rule; most severe rule first (kind rank, then total amount), stable within."""
    by_rule: dict[str, list[Violation]] = {}
    for v in violations:
        by_rule.setdefault(v.rule, []).append(v)
    groups = sorted(
        by_rule.values(),
        key=lambda g: (g[0].severity, -sum(v.amount for v in g), g[0].rule),
    )
    return [v for g in groups for v in g]


def peak_exposure(
    scenario: Scenario, starts: Mapping[str, int], ctx: CheckContext | None = None
) -> int | None:
    """Highest level any balance rule's leverage curve reaches (None without balance rules)."""
    from planner.rules.balance import Balance

    ctx = ctx or CheckContext(scenario, starts)
    peaks = [rule.curve_peak(ctx)[0] for rule in scenario.rules if isinstance(rule, Balance)]
    return max(peaks) if peaks else None


def scenario_facts(scenario: Scenario) -> None:
    """Work out what the checker needs from the scenario alone (de-linking chains,
    red-line dependents: whatever the rules look up with `Scenario.fact`), once, into
    `scenario.facts`, which the scenario cache keeps. Checking the empty roadmap looks
    every one of them up, through the same code as any check."""
    check(scenario, {})


def check(scenario: Scenario, starts: Mapping[str, int], notes: Iterable[str] = ()) -> Report:
    """Every violation of the scenario's rules by a roadmap (a start time per scheduled step).

    Hard rules give violations, soft rules penalties. Steps not in `starts` are not
    scheduled; rules that need them report it.
    """
    from planner.rules import preconditions

    ctx = CheckContext(scenario, starts)
    found: list[Violation] = list(preconditions.check(ctx))
    for rule in scenario.rules:
        found.extend(rule.check(ctx))
    hard = [v for v in found if not v.soft]
    soft = [v for v in found if v.soft]
    forbidden = scenario.forbidden()
    left_out = tuple(s for s in scenario.steps if s not in starts and s not in forbidden)
    last = max((ctx.done(s) for s in starts), default=0)
    summary = Summary(
        num_scheduled=len(starts),
        last_time=last,
        peak_exposure=peak_exposure(scenario, starts, ctx),
        left_out=left_out,
        forbidden=tuple(s for s in scenario.steps if s in forbidden),
    )
    return Report(tuple(_group_order(hard)), tuple(_group_order(soft)), summary, tuple(notes))
