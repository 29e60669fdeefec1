"""The CP-SAT model of a scenario: variables, the shared helpers rules encode themselves
with, and the objectives.

Each rule kind's constraints are written in its own module (`Rule.encode`, against the
`planner.rules.base.Encoding` protocol this class implements); a soft rule adds
`weight x amount` to the penalty with `amount` measured as its `check` measures it. This
module knows no rule kind.

With `explain=True`, every hard rule (and every step's `after` list) is enforced only under
its own assumption literal, so an infeasible model yields the rules that collide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ortools.sat.python import cp_model

from planner.objectives import is_goodwill
from planner.rules import fixed, preconditions
from planner.rules.base import Rule
from planner.scenario import Scenario
from planner.schedule.bounds import critical_path, earliest_starts, energy_bound, horizon

_T = TypeVar("_T")


class Encoder:
    """Builds the model. Variables, by family:

    - ``start[s]``: start time of scheduled step s, in [0, horizon];
    - ``done(s)``: the affine expression start[s] + duration + verification;
    - ``makespan``: the time the last step is done;
    - ``exposure``: the highest level any balance curve reaches (0 without balance rules);
    - ``penalty``: the sum of weight x amount over soft rules;
    - ``lits[name]``: with explain=True, the assumption literal of each hard rule and of
      each step's `after` list (named `after:<step>`).
    """

    def __init__(
        self,
        scenario: Scenario,
        explain: bool = False,
        scheduled: Iterable[str] | None = None,
        after: int = 0,
        est: dict[str, int] | None = None,
        bound: int | None = None,
    ) -> None:
        """`est` and `bound`, the earliest starts and the makespan bound of the steps
        scheduled, are worked out here unless the caller already knows them."""
        self.scenario = scenario
        self.explain = explain
        self.model = cp_model.CpModel()
        forbidden = scenario.forbidden()
        #: Steps the plan schedules: every step no hard forbid rule excludes (or those
        #: given, when repairing a roadmap of part of the deal).
        if scheduled is None:
            self.scheduled = [s for s in scenario.steps if s not in forbidden]
        else:
            chosen = set(scheduled) - forbidden
            self.scheduled = [s for s in scenario.steps if s in chosen]
        self.is_scheduled = set(self.scheduled)
        #: `after`: room for a roadmap whose steps start as late as that (a repair's
        #: proposal may lie beyond any sensible plan's end).
        self.horizon = horizon(scenario, self.scheduled) + after
        # Outside explain mode, starts begin at their earliest possible time (implied by
        # the hard rules; it lets CP-SAT prove optimality on large scenarios). In explain
        # mode every rule must stay behind its literal, so no bound is taken from them.
        if est is None:
            est = earliest_starts(scenario, self.scheduled)
        #: The earliest start of each step under the hard rules (events are held there).
        self.earliest = est
        if explain:
            est = {}
        self.start = {
            s: self.model.new_int_var(min(est.get(s, 0), self.horizon), self.horizon, f"start[{s}]")
            for s in self.scheduled
        }
        latest_done = self.horizon + max(
            (scenario.steps[s].done_offset for s in self.scheduled), default=0
        )
        self.makespan = self.model.new_int_var(0, latest_done, "makespan")
        for s in self.scheduled:
            self.model.add(self.makespan >= self.done(s))
        #: The makespan's lower bound (critical path, capacity energy); 0 when explaining.
        self.makespan_bound = 0
        if not explain:
            if bound is None:
                bound = max(critical_path(scenario, est), energy_bound(scenario, est))
            self.makespan_bound = bound
            self.model.add(self.makespan >= self.makespan_bound)
        #: Balance curves (rule id, event times, level changes, lowest level, highest level),
        #: for the exposure objective.
        self.curves: list[tuple[str, list[Any], list[Any], int, int, list[Any] | None]] = []
        self.penalty_terms: list[Any] = []
        self.lits: dict[str, Any] = {}
        self._memo: dict[str, Any] = {}
        #: Rules that no times can satisfy, with the reason (an infeasible plan's why-not).
        self.impossible: dict[str, str] = {}
        self._intervals: dict[str, Any] = {}
        #: Objectives of a caller's own (name -> expression), such as a repair's distance.
        self.custom: dict[str, Any] = {}
        #: Steps held at given times (a repair's `--keep`), for the why-not.
        self.held: dict[str, int] = {}

    # ---- shared pieces ---------------------------------------------------------------

    def done(self, s: str) -> Any:
        return self.start[s] + self.scenario.steps[s].done_offset

    def end(self, s: str) -> Any:
        return self.start[s] + self.scenario.steps[s].duration

    def lit(self, name: str) -> Any:
        """The assumption literal of a hard rule (None outside explain mode)."""
        if not self.explain:
            return None
        if name not in self.lits:
            self.lits[name] = self.model.new_bool_var(f"holds[{name}]")
        return self.lits[name]

    def memo(self, name: str, compute: Callable[[], _T]) -> _T:
        """`compute()`, once per model (variables several rules share)."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]  # type: ignore[no-any-return]

    def add(self, constraint: Any, rule: Rule) -> Any:
        """A constraint of `rule`; a hard rule's is enforced under its literal in explain mode."""
        ct = self.model.add(constraint)
        if not rule.soft and (lit := self.lit(rule.id)) is not None:
            ct.only_enforce_if(lit)
        return ct

    def slack(self, rule: Rule, what: str, upper: int | None = None) -> Any:
        """A non-negative amount of violation of a soft rule, charged `weight` per unit."""
        var = self.model.new_int_var(
            0, upper if upper is not None else 4 * self.horizon, f"{rule.id}.{what}"
        )
        self.penalty_terms.append(rule.weight * var)
        return var

    def charge(self, rule: Rule, amount: int) -> None:
        """A fixed penalty: a soft rule broken by the scenario itself, whatever the times."""
        self.penalty_terms.append(rule.weight * amount)

    def cannot_hold(self, rule: Rule, reason: str, amount: int = 1) -> None:
        """A rule no times can satisfy: fatal when hard, a fixed penalty when soft."""
        if rule.soft:
            self.charge(rule, amount)
        else:
            self.fail(rule.id, reason)

    def fail(self, name: str, reason: str) -> None:
        """Record that the named rule cannot hold, and make the model say so."""
        self.impossible.setdefault(name, reason)
        lit = self.lit(name)
        ct = self.model.add_bool_or([False])
        if lit is not None:
            ct.only_enforce_if(lit)

    def because(self, name: str, reason: str) -> None:
        """Record why the named rule cannot hold (its constraints already say so)."""
        self.impossible.setdefault(name, reason)

    def sched(self, ids: Iterable[str]) -> list[str]:
        return [s for s in ids if s in self.is_scheduled]

    def absent(self, ids: Iterable[str], which: bool = False) -> str:
        """Why steps are not scheduled: red lines, or left out of the roadmap repaired."""
        red = any(s in self.scenario.forbidden() for s in ids)
        if which:
            return "which a red line excludes" if red else "which the roadmap leaves out"
        return "excluded by a red line" if red else "left out of the roadmap"

    def interval(self, s: str, rule: Rule) -> Any:
        """The interval of step s running from start to end: one per step, shared by the
        rules that use it; when explaining, one per hard rule, present under its literal."""
        lit = None if rule.soft else self.lit(rule.id)
        size = self.scenario.steps[s].duration
        if lit is not None:
            return self.model.new_optional_fixed_size_interval_var(
                self.start[s], size, lit, f"run[{s}]@{rule.id}"
            )
        if s not in self._intervals:
            self._intervals[s] = self.model.new_fixed_size_interval_var(
                self.start[s], size, f"run[{s}]"
            )
        return self._intervals[s]

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
        self.curves.append((rule.id, times, changes, low, top, actives))

    # ---- the table of contents ---------------------------------------------------------

    def build(self) -> Encoder:
        """Every family of constraints, in order."""
        preconditions.encode(self)
        fixed.encode(self, self.earliest)
        for rule in self.scenario.rules:
            rule.encode(self)
        return self

    # ---- objectives ----------------------------------------------------------------------

    def objective_expr(self, name: str) -> Any:
        """The expression an objective name minimizes."""
        if name in self.custom:
            return self.custom[name]
        if name == "makespan":
            return self.makespan
        if name == "exposure":
            if not self.curves:
                return 0
            top = max(c[4] for c in self.curves)
            exposure = self.model.new_int_var(0, top, "exposure")
            for _rule, times, changes, low, _top, actives in self.curves:
                # The curve minus `exposure` from time 0 on never rises above 0. Taking
                # `exposure` off lowers the curve by up to `top`: the floor must allow it
                # (another curve may need an exposure above this one's own peak).
                if actives is None or all(a is True for a in actives):
                    self.model.add_reservoir_constraint(
                        [*times, 0], [*changes, -exposure], low - top, 0
                    )
                else:
                    self.model.add_reservoir_constraint_with_active(
                        [*times, 0], [*changes, -exposure], [*actives, True], low - top, 0
                    )
            return exposure
        if name == "goodwill":
            good = [s for s in self.scheduled if is_goodwill(self.scenario.steps[s])]
            return sum(self.start[s] for s in good) if good else 0
        if name == "penalty":
            return sum(self.penalty_terms) if self.penalty_terms else 0
        if name == "starts":
            return sum(self.start.values())
        raise ValueError(name)
