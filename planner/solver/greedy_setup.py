"""The set-up of one run of the greedy list schedule (`planner.solver.greedy`): the steps'
times and terms, the units that start together, which terms each unit takes part in, and
each step's latest start (its priority). No ortools."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from planner.model import AnyOf
from planner.rules import preconditions
from planner.scenario import Scenario
from planner.solver.bounds import earliest_starts
from planner.solver.greedy_terms import (
    NEVER,
    Answer,
    AnyTerm,
    Collect,
    Wait,
    reverse_topological,
)


class Setup:
    """The list schedule's set-up: the terms as it keeps them (units, memberships, latest
    starts); `planner.solver.greedy` runs it."""

    def __init__(
        self,
        scenario: Scenario,
        todo: list[str],
        est: Mapping[str, int] | None,
        target: int | None,
        exposure: int | None = None,
    ) -> None:
        if est is None:
            est = earliest_starts(scenario, todo)
        self.scenario = scenario
        #: The highest any balance curve may go, beyond its own margin (the exposure aimed at).
        self.exposure = NEVER if exposure is None else exposure
        steps = scenario.steps
        self.todo = todo
        self.index = {s: i for i, s in enumerate(todo)}
        self.off = {s: steps[s].done_offset for s in todo}
        self.dur = {s: steps[s].duration for s in todo}
        self.value = {s: steps[s].value for s in todo}
        self.est = {s: est.get(s, 0) for s in todo}
        terms = Collect(steps, todo)
        self._after_terms(terms)
        for rule in scenario.rules:
            rule.terms(terms)
        self.terms = terms
        self.lower = {s: max(terms.lower.get(s, 0), 0) for s in todo}
        self.latest: dict[str, float] = dict.fromkeys(todo, NEVER)
        for s in todo:  # a fixed step (an event) goes at its time: no earlier, no later
            when = steps[s].fixed
            if when is not None:
                self.lower[s] = max(self.lower[s], when)
                self.latest[s] = min(self.latest[s], when)
        for _rule, ids, latest, measure in terms.deadlines:
            for s in ids:
                shift = self.off[s] if measure == "done" else 0
                self.latest[s] = min(self.latest[s], latest - shift)
        self._units(terms)
        self._memberships(terms)
        self._priorities(target)

    # -- set-up --------------------------------------------------------------------------

    def _after_terms(self, terms: Collect) -> None:
        """Each step's `after` items as terms of their own: a plain item is a wait on one
        first step, an `{any: [...]}` an alternative."""
        steps = self.scenario.steps
        self.anys: list[AnyTerm] = []
        self.structural: set[str] = set()  # preconditions on steps that are left out
        for s in self.todo:
            name = preconditions.rule_id(s)
            for cond in steps[s].after:
                if isinstance(cond, AnyOf):
                    items = [(r.step, r.lag, r.within) for r in cond.items if r.step in terms.todo]
                    if items:
                        self.anys.append(AnyTerm(name, s, items))
                    else:
                        self.structural.add(name)
                elif cond.step in terms.todo:
                    terms.waits.append(Wait(name, [cond.step], [s], cond.lag, cond.within))
                else:
                    self.structural.add(name)

    def _units(self, terms: Collect) -> None:
        """Union the steps of `together` terms into units that are placed at once."""
        parent = {s: s for s in self.todo}

        def find(s: str) -> str:
            while parent[s] != s:
                parent[s] = parent[parent[s]]
                s = parent[s]
            return s

        for _rule, ids, _missing in terms.groups:
            for a, b in itertools.pairwise(ids):
                ra, rb = find(a), find(b)
                if ra != rb:
                    if self.index[ra] > self.index[rb]:
                        ra, rb = rb, ra
                    parent[rb] = ra
        members: dict[str, list[str]] = {}
        for s in self.todo:
            members.setdefault(find(s), []).append(s)
        self.members = list(members.values())  # in scenario order of their first step
        self.unit = {s: u for u, group in enumerate(self.members) for s in group}

    def _memberships(self, terms: Collect) -> None:
        todo = self.todo
        self.waits_in: dict[str, list[Wait]] = {s: [] for s in todo}
        self.firsts_in: dict[str, list[Wait]] = {s: [] for s in todo}
        self.anys_in: dict[str, list[AnyTerm]] = {}
        self.alt_in: dict[str, list[AnyTerm]] = {}
        self.gives_in: dict[str, list[Answer]] = {}
        self.gets_in: dict[str, list[Answer]] = {}
        #: Each step's capacity and reservoir terms, by their index.
        self.caps = terms.capacities
        self.reservoirs = terms.reservoirs
        self.cap_ids: dict[str, list[int]] = {}
        self.ahead_ids: dict[str, list[int]] = {}
        self.behind_ids: dict[str, list[int]] = {}
        #: Within limits counted from each step: (waiting step, within) for single edges,
        #: (None, within, the latest earliest start of the waiting steps) for larger terms.
        self.pulls: dict[str, list[tuple[str | None, int, int]]] = {}
        self.blocks = [0] * len(self.members)
        unit = self.unit
        for w in terms.waits:
            w.left = len(w.firsts)
            first_set = set(w.firsts)
            for f in w.firsts:
                self.firsts_in[f].append(w)
            for s in w.waiting:
                self.waits_in[s].append(w)
                group = self.members[unit[s]]
                need = (
                    sum(1 for x in group if x in first_set)
                    if len(group) > 1
                    else int(s in first_set)
                )
                if w.left > need:
                    self.blocks[unit[s]] += 1
                    w.waiters.setdefault(need, []).append(s)
            if w.within is not None and w.waiting and not w.by_start:
                if len(w.waiting) == 1 and len(w.firsts) <= 16:
                    for f in w.firsts:
                        if f != w.waiting[0]:
                            self.pulls.setdefault(f, []).append((w.waiting[0], w.within, 0))
                else:
                    top = max(self.est[s] for s in w.waiting)
                    for f in w.firsts:
                        self.pulls.setdefault(f, []).append((None, w.within, top))
        for a in self.anys:
            self.anys_in.setdefault(a.step, []).append(a)
            own = self.members[unit[a.step]]
            for p, _lag, _within in a.items:
                self.alt_in.setdefault(p, []).append(a)
            if any(p in own for p, _, _ in a.items):
                a.unblocked = True
            else:
                self.blocks[unit[a.step]] += 1
        for ans in terms.answers:
            for s in ans.gives:
                self.gives_in.setdefault(s, []).append(ans)
            for s in ans.gets:
                self.gets_in.setdefault(s, []).append(ans)
        for k, cap in enumerate(terms.capacities):
            for s in cap.ids:
                self.cap_ids.setdefault(s, []).append(k)
        for k, res in enumerate(terms.reservoirs):
            for s in res.ahead:
                self.ahead_ids.setdefault(s, []).append(k)
            for s in res.behind:
                self.behind_ids.setdefault(s, []).append(k)

    def _priorities(self, target: int | None) -> None:
        """Each step's static latest start: min(T - tail, deadlines propagated back)."""
        todo, off = self.todo, self.off
        # Successor lists over steps and one virtual node per wait term (no |F| x |W|
        # pairs): (node, weight) with tail(x) >= weight + tail(node).
        num = len(todo)
        node_of = self.index
        succ: list[list[tuple[int, int]]] = [[] for _ in range(num + len(self.terms.waits))]
        for k, w in enumerate(self.terms.waits):
            v = num + k
            for s in w.waiting:
                succ[v].append((node_of[s], w.lag))
            for f in w.firsts:
                succ[node_of[f]].append((v, 0 if w.by_start else off[f]))
        for a in self.anys:
            for p, lag, _within in a.items:
                succ[node_of[p]].append((node_of[a.step], off[p] + lag))
        order = reverse_topological(succ)
        tail = [0] * len(succ)
        late = [NEVER] * len(succ)
        for i, s in enumerate(todo):
            tail[i] = off[s]
            late[i] = self.latest[s]
        for x in order:
            for y, weight in succ[x]:
                if weight + tail[y] > tail[x]:
                    tail[x] = weight + tail[y]
                if late[y] - weight < late[x]:
                    late[x] = late[y] - weight
        horizon = target if target is not None else max(tail[:num], default=0)
        self.tail = {s: tail[i] for i, s in enumerate(todo)}
        #: Per unit: the latest start for the makespan aimed at, and the latest start hard
        #: deadlines (windows, propagated back) allow.
        self.soft: list[float] = []
        self.hard: list[float] = []
        for group in self.members:
            self.soft.append(min(horizon - tail[node_of[s]] for s in group))
            self.hard.append(min(late[node_of[s]] for s in group))
        self.static_ls = [min(a, b) for a, b in zip(self.soft, self.hard, strict=True)]

    # -- the run ---------------------------------------------------------------------------
