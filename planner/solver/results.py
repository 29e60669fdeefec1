"""What the solver answers: candidate roadmaps, plan results, conflicts. Plain data (no
ortools), so renderers and the command line can read them without loading the solver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from planner.check import Report

if TYPE_CHECKING:
    from planner.whatif.risk import Finish


@dataclass(frozen=True, slots=True)
class Culprit:
    """One member of a conflict: a rule, or a step's preconditions."""

    name: str
    kind: str
    source: str
    where: str
    detail: str


@dataclass(frozen=True, slots=True)
class Conflict:
    culprits: tuple[Culprit, ...]
    arithmetic: tuple[str, ...]
    is_minimal: bool
    seconds: float
    #: True when each culprit fails on its own, whatever the times (a broken delink, a
    #: step that needs a red-line step): then all of them are listed.
    structural: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """One roadmap the planner proposes, with its objective values and its check report.

    `bounds` holds, per objective, the best value CP-SAT proved possible at that stage;
    equal to the value when proven optimal.
    """

    starts: dict[str, int]
    values: dict[str, int]
    bounds: dict[str, int]
    #: "optimal" (every objective proven), "feasible" (a solver's roadmap, some objective
    #: unproven), "greedy" (the list schedule, which no solve improved on)
    origin: str
    #: What `check` says of the roadmap (renderers read it; they never re-check).
    report: Report | None = None
    #: The finish with its P50 and P80 (`planner.api.plan` simulates them; None when
    #: nothing is uncertain).
    finish: Finish | None = None

    def gap(self, name: str) -> float:
        value, bound = self.values[name], self.bounds.get(name, self.values[name])
        return 0.0 if value == bound else (value - bound) / max(1, abs(value))


@dataclass(frozen=True, slots=True)
class PlanResult:
    status: str  # "found" | "infeasible" | "unknown" | "interrupted" (nothing found yet)
    objectives: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()
    conflict: Conflict | None = None  # when infeasible
    notes: tuple[str, ...] = field(default=())
    #: Ctrl-C (or the caller's stop event) cut the search short: the candidates are the
    #: best found until then (status "found"), or there are none (status "interrupted").
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class Move:
    """One step the repair changes: moved (`before` → `after`), added (`before` None: the
    roadmap left it out, a required step or an optional one another needs) or dropped
    (`after` None: a red line, or an optional step no roadmap can hold)."""

    step: str
    before: int | None
    after: int | None
    #: Why: the rules the proposed roadmap broke at this step, or the condition that
    #: carried another step's move to it.
    why: tuple[str, ...] = ()
    #: Dropped because a red line excludes it (else, dropped: an optional step).
    red_line: bool = False

    @property
    def by(self) -> int:
        return 0 if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True, slots=True)
class Repair:
    """What `repair` answers.

    status: "clean" (the roadmap keeps every hard rule already), "repaired", "infeasible"
    (no roadmap keeps every rule with the held steps held: see `conflict`) or "unknown"
    (the time ran out first, or Ctrl-C came: `interrupted`).
    """

    status: str
    starts: dict[str, int] = field(default_factory=dict)
    moves: tuple[Move, ...] = ()
    #: The total displacement and the number of steps moved (added and dropped apart).
    total: int = 0
    num_moved: int = 0
    #: True when CP-SAT proved no roadmap is closer.
    proven: bool = False
    values: dict[str, int] = field(default_factory=dict)
    before: Report | None = None
    after: Report | None = None
    conflict: Conflict | None = None
    notes: tuple[str, ...] = ()
    #: Ctrl-C (or the caller's stop) cut the search short.
    interrupted: bool = False
    #: How many steps were held where the roadmap has them; whether it was partial; the
    #: time before which everything happened (`--keep-before`).
    held: int = 0
    partial: bool = False
    as_of: int | None = None
    #: When not proven: the least total displacement CP-SAT proved any repair needs.
    bound: int | None = None

    @property
    def added(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.before is None)

    @property
    def dropped(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.after is None)

    @property
    def moved(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.before is not None and m.after is not None)
