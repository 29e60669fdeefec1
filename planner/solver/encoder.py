"""The CP-SAT model of a scenario: one variable family per idea, one method per rule kind.

Each rule kind's meaning is written once, in its module under `planner.rules`: its `check`
finds violations and its `encode` calls the method of the same name here. The methods
below encode exactly the inequalities those docstrings state, and a soft rule adds
`weight x amount` to the penalty with `amount` measured as its `check` measures it.

With `explain=True`, every hard rule (and every step's `after` list) is enforced only under
its own assumption literal, so an infeasible model yields the rules that collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ortools.sat.python import cp_model

from planner.model import AnyOf, Rule, Scenario, Step
from planner.rules import preconditions
from planner.rules.forbid import dependents
from planner.solver.bounds import critical_path, earliest_starts, energy_bound

GOODWILL_TAGS = frozenset({"good-faith", "goodwill"})


def is_goodwill(step: Step) -> bool:
    """A good-faith step, for the `goodwill` objective: kind `goodwill`, or tagged
    `good-faith` / `goodwill`."""
    return step.kind == "goodwill" or not step.tags.isdisjoint(GOODWILL_TAGS)


def horizon(scenario: Scenario, scheduled: Iterable[str]) -> int:
    """A time by which any sensible roadmap is done: every step one after another, with
    every lag and window opening added (CP-SAT needs finite domains)."""
    total = 0
    for s in scheduled:
        step = scenario.steps[s]
        total += step.done_offset + max((r.lag for r in step.requirements()), default=0)
    for rule in scenario.rules:
        total += getattr(rule, "lag", 0) or 0
        total += getattr(rule, "earliest", 0) or 0
    return max(total, 1)


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

    def __init__(self, scenario: Scenario, explain: bool = False) -> None:
        self.scenario = scenario
        self.explain = explain
        self.model = cp_model.CpModel()
        forbidden = scenario.forbidden()
        #: Steps the plan schedules: every step no hard forbid rule excludes.
        self.scheduled = [s for s in scenario.steps if s not in forbidden]
        self.is_scheduled = set(self.scheduled)
        self.horizon = horizon(scenario, self.scheduled)
        # Outside explain mode, starts begin at their earliest possible time (implied by
        # the hard rules; it lets CP-SAT prove optimality on large scenarios). In explain
        # mode every rule must stay behind its literal, so no bound is taken from them.
        est = {} if explain else earliest_starts(scenario, self.scheduled)
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
        if not explain:
            self.model.add(
                self.makespan >= max(critical_path(scenario, est), energy_bound(scenario, est))
            )
        #: Balance curves (rule id, event times, level changes, lowest level, highest level),
        #: for the exposure objective.
        self.curves: list[tuple[str, list[Any], list[Any], int, int]] = []
        self.penalty_terms: list[Any] = []
        self.lits: dict[str, Any] = {}
        #: Rules that no times can satisfy, with the reason (an infeasible plan's why-not).
        self.impossible: dict[str, str] = {}
        self._intervals: dict[str, Any] = {}

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

    def sched(self, ids: Iterable[str]) -> list[str]:
        return [s for s in ids if s in self.is_scheduled]

    # ---- the table of contents ---------------------------------------------------------

    def build(self) -> Encoder:
        """Every family of constraints, in order."""
        preconditions.encode(self)
        for rule in self.scenario.rules:
            rule.encode(self)
        return self

    # ---- step preconditions (`after`) --------------------------------------------------

    def preconditions(self) -> None:
        """start(s) >= done(p) + lag, <= done(p) + within; `any`: one alternative holds."""
        for s in self.scheduled:
            name = preconditions.rule_id(s)
            lit = self.lit(name)
            for cond in self.scenario.steps[s].after:
                if isinstance(cond, AnyOf):
                    options = []
                    for req in cond.items:
                        if req.step in self.is_scheduled:  # a forbidden alternative is closed
                            via = self.model.new_bool_var(f"{name}.via[{req.step}]")
                            for ct in self._require(s, req):
                                ct.only_enforce_if(via)
                            options.append(via)
                    if not options:
                        self.fail(
                            name, f"every alternative {s} waits for is excluded by a red line"
                        )
                        continue
                    ct = self.model.add_bool_or(options)
                    if lit is not None:
                        ct.only_enforce_if(lit)
                elif cond.step not in self.is_scheduled:
                    self.fail(name, f"{s} needs {cond.step}, which a red line excludes")
                else:
                    for ct in self._require(s, cond):
                        if lit is not None:
                            ct.only_enforce_if(lit)

    def _require(self, s: str, req: Any) -> list[Any]:
        cts = [self.model.add(self.start[s] >= self.done(req.step) + req.lag)]
        if req.within is not None:
            cts.append(self.model.add(self.start[s] <= self.done(req.step) + req.within))
        return cts

    # ---- precedence and gate -----------------------------------------------------------

    def wait_for_all(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int,
        within: int | None,
    ) -> None:
        """done(f) + lag <= start(w) [<= done(f) + within] for every f in firsts, w != f."""
        sched_waiting = self.sched(waiting)
        if not sched_waiting:
            return
        missing = [f for f in firsts if f not in self.is_scheduled]
        blocked = [w for w in sched_waiting if any(f != w for f in missing)]
        if blocked:
            self.cannot_hold(
                rule,
                f"{', '.join(blocked[:3])} must wait for {', '.join(missing[:3])}, "
                "which a red line excludes",
                len(blocked),
            )
        sched_firsts = self.sched(firsts)
        if not sched_firsts:
            return
        overlap = set(sched_firsts) & set(sched_waiting)
        if overlap:
            for w in sched_waiting:
                late = self.slack(rule, f"early[{w}]") if rule.soft else 0
                for f in sched_firsts:
                    if f != w:
                        self.add(self.start[w] + late >= self.done(f) + lag, rule)
                if within is not None:
                    over = self.slack(rule, f"late[{w}]") if rule.soft else 0
                    for f in sched_firsts:
                        if f != w:
                            self.add(self.start[w] - over <= self.done(f) + within, rule)
            return
        # Disjoint sets: one auxiliary "all firsts done" time instead of |F| x |W| pairs.
        last_done = self.model.new_int_var(0, 2 * self.horizon, f"{rule.id}.last_done")
        for f in sched_firsts:
            self.model.add(last_done >= self.done(f))
        if within is not None:
            first_done = self.model.new_int_var(0, 2 * self.horizon, f"{rule.id}.first_done")
            self.model.add_min_equality(first_done, [self.done(f) for f in sched_firsts])
        for w in sched_waiting:
            late = self.slack(rule, f"early[{w}]") if rule.soft else 0
            self.add(self.start[w] + late >= last_done + lag, rule)
            if within is not None:
                over = self.slack(rule, f"late[{w}]") if rule.soft else 0
                self.add(self.start[w] - over <= first_done + within, rule)

    # ---- reciprocity -------------------------------------------------------------------

    def reciprocity(self, rule: Any) -> None:
        """Each give step g gets a counter-step c (its own, with pairing distinct):
        start(g) - within <= done(c) <= start(g) + grace."""
        gives, gets = self.sched(rule.give.ids), self.sched(rule.get.ids)
        by_get: dict[str, list[Any]] = {}
        for g in gives:
            options = []
            for c in gets:
                if c == g:
                    continue
                x = self.model.new_bool_var(f"{rule.id}.answers[{c},{g}]")
                self.model.add(self.done(c) <= self.start[g] + rule.grace).only_enforce_if(x)
                if rule.within is not None:
                    self.model.add(self.done(c) >= self.start[g] - rule.within).only_enforce_if(x)
                options.append(x)
                by_get.setdefault(c, []).append(x)
            if rule.soft:
                unanswered = self.slack(rule, f"unanswered[{g}]", upper=1)
                self.model.add(sum(options) + unanswered >= 1)
            elif not options:
                self.cannot_hold(rule, f"{g} has no counter-step that could answer it")
            else:
                self.add(sum(options) >= 1, rule)
        if rule.pairing == "distinct":
            for xs in by_get.values():
                if len(xs) > 1:
                    self.model.add_at_most_one(xs)
            if not rule.soft and len(gives) > len(gets):
                self.impossible.setdefault(
                    rule.id,
                    f"{len(gives)} give steps need their own counter-step, but only "
                    f"{len(gets)} counter-steps exist (pairing: distinct)",
                )

    # ---- balance ------------------------------------------------------------------------

    def balance(self, rule: Any) -> None:
        """value of ahead steps started - value of behind steps done <= margin, at all times.

        A reservoir: +value at start(a), -value at done(b). A soft rule adds an event at
        time 0 taking `excess` off the level (charged per unit); the exposure objective is
        the same curve's peak.
        """
        times: list[Any] = []
        changes: list[Any] = []
        for a in self.sched(rule.ahead.ids):
            if self.scenario.steps[a].value:
                times.append(self.start[a])
                changes.append(self.scenario.steps[a].value)
        for b in self.sched(rule.behind.ids):
            if self.scenario.steps[b].value:
                times.append(self.done(b))
                changes.append(-self.scenario.steps[b].value)
        if not times:
            return
        total_ahead = sum(c for c in changes if c > 0)
        total_behind = -sum(c for c in changes if c < 0)
        low = -(total_ahead + total_behind) - 1
        if total_ahead > rule.margin:
            ev_times, ev_changes = list(times), list(changes)
            if rule.soft:
                excess = self.slack(rule, "excess", upper=total_ahead)
                ev_times.append(0)
                ev_changes.append(-excess)
            lit = None if rule.soft else self.lit(rule.id)
            if lit is None:
                self.model.add_reservoir_constraint(ev_times, ev_changes, low, rule.margin)
            else:
                self.model.add_reservoir_constraint_with_active(
                    ev_times, ev_changes, [lit] * len(ev_times), low, rule.margin
                )
        self.curves.append((rule.id, times, changes, low - total_ahead, total_ahead))

    # ---- window, capacity, order, simultaneous -----------------------------------------

    def window(self, rule: Any) -> None:
        """earliest <= start(s) (+ done offset with measure: done) <= latest."""
        for s in self.sched(rule.steps.ids):
            t = self.start[s] + (
                self.scenario.steps[s].done_offset if rule.measure == "done" else 0
            )
            early = self.slack(rule, f"early[{s}]") if rule.soft else 0
            self.add(t + early >= rule.earliest, rule)
            if rule.latest is not None:
                late = self.slack(rule, f"late[{s}]") if rule.soft else 0
                self.add(t - late <= rule.latest, rule)

    def interval(self, s: str, rule: Rule) -> Any:
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

    def capacity(self, rule: Any) -> None:
        """At most `max` selected steps run at once (start to end, verification not counted)."""
        running = [s for s in self.sched(rule.steps.ids) if self.scenario.steps[s].duration > 0]
        if len(running) <= rule.max:
            return
        limit: Any = rule.max
        if rule.soft:
            limit = rule.max + self.slack(rule, "overload", upper=len(running))
        self.model.add_cumulative(
            [self.interval(s, rule) for s in running], [1] * len(running), limit
        )

    def order(self, rule: Any) -> None:
        """Rank by rank: every step starts no earlier than the latest start of earlier ranks."""
        sched = self.sched(rule.steps.ids)
        ranks = rule.ranks(sched, self.scenario.steps)
        leader = None  # latest start among the ranks so far
        for k, group in enumerate(ranks):
            if leader is not None:
                for s in group:
                    early = self.slack(rule, f"early[{s}]") if rule.soft else 0
                    self.add(self.start[s] + early >= leader, rule)
            if k == len(ranks) - 1:
                break
            nxt = self.model.new_int_var(0, self.horizon, f"{rule.id}.leader[{k}]")
            for s in group:
                self.model.add(nxt >= self.start[s])
            if leader is not None:
                self.model.add(nxt >= leader)
            leader = nxt

    def simultaneous(self, rule: Any) -> None:
        """All selected steps start at the same time (soft: charged by the spread)."""
        sched = self.sched(rule.steps.ids)
        missing = [s for s in rule.steps.ids if s not in self.is_scheduled]
        if missing and sched:
            self.cannot_hold(
                rule, f"{', '.join(missing[:3])} is excluded by a red line", len(missing)
            )
        if len(sched) < 2:
            return
        if rule.soft:
            hi = self.model.new_int_var(0, self.horizon, f"{rule.id}.last")
            lo = self.model.new_int_var(0, self.horizon, f"{rule.id}.first")
            for s in sched:
                self.model.add(hi >= self.start[s])
                self.model.add(lo <= self.start[s])
            spread = self.slack(rule, "spread")
            self.model.add(spread >= hi - lo)
            return
        for s in sched[1:]:
            self.add(self.start[s] == self.start[sched[0]], rule)

    # ---- structural rules: delink and forbid ---------------------------------------------

    def delink(self, rule: Any) -> None:
        """A chain of conditions between the two sides breaks the rule whatever the times."""
        chains = rule.chains(self.scenario)
        if chains:
            chain = chains[0]
            self.cannot_hold(
                rule,
                "the two sides are linked: " + " → ".join(chain),
                len(chains),
            )

    def forbid(self, rule: Any) -> None:
        """Forbidden steps are left out (see `scheduled`); a step that needs one cannot be
        scheduled, so the plan is impossible (soft: a fixed penalty per step)."""
        if rule.soft:
            self.charge(rule, len(rule.steps.ids) + len(rule.dependents(self.scenario)))
            return
        for s, chain in dependents(self.scenario, set(rule.steps.ids)).items():
            if s in self.is_scheduled:
                self.cannot_hold(
                    rule, f"{s} depends on the red line {chain[-1]}: " + " → ".join(chain[::-1])
                )
                break

    # ---- objectives ----------------------------------------------------------------------

    def objective_expr(self, name: str) -> Any:
        """The expression an objective name minimizes."""
        if name == "makespan":
            return self.makespan
        if name == "exposure":
            if not self.curves:
                return 0
            top = max(c[4] for c in self.curves)
            exposure = self.model.new_int_var(0, top, "exposure")
            for _rule, times, changes, low, _top in self.curves:
                # The curve minus `exposure` from time 0 on never rises above 0.
                self.model.add_reservoir_constraint([*times, 0], [*changes, -exposure], low, 0)
            return exposure
        if name == "goodwill":
            good = [s for s in self.scheduled if is_goodwill(self.scenario.steps[s])]
            return sum(self.start[s] for s in good) if good else 0
        if name == "penalty":
            return sum(self.penalty_terms) if self.penalty_terms else 0
        if name == "starts":
            return sum(self.start.values())
        raise ValueError(name)
