"""What a finished greedy schedule keeps (`planner.solver.greedy`): every hard rule's
terms checked on the final times, the answer terms matched afresh where the pairs the
schedule placed do not hold. No ortools."""

from __future__ import annotations

import bisect
from collections import deque

from planner.rules import fixed
from planner.solver.greedy_setup import Setup
from planner.solver.greedy_terms import NEVER, Answer, answerable, peak


class Verdict(Setup):
    """The rules a schedule breaks, once `starts` and `done` hold every step."""

    starts: dict[str, int]
    done: dict[str, int]

    # -- what the schedule keeps ---------------------------------------------------------

    def _answered(self, ans: Answer) -> bool:
        """Whether every give step of an answer term has its counter-step at the final
        times: the pairs placed as they are, or else a matching found afresh (a give step
        placed before its counter-step when nothing else could go, say)."""
        starts, done = self.starts, self.done
        matched = ans.matched
        pairs = [(g, matched.get(g)) for g in ans.gives]
        if all(c is not None and answerable(ans, g, c, starts, done) for g, c in pairs):
            used = [c for _g, c in pairs]
            return ans.shared or len(set(used)) == len(used)
        gets = sorted((done[c], c) for c in ans.gets)
        if ans.shared:
            return all(
                any(answerable(ans, g, c, starts, done) for _d, c in gets) for g in ans.gives
            )
        # Distinct: each give step, by the end of its window, takes the earliest free
        # counter-step inside it (optimal by the exchange argument), then augmenting paths
        # where a step may not answer itself.
        free = gets[:]
        owner: dict[str, str] = {}  # counter-step -> give step
        owned: dict[str, str] = {}  # give step -> counter-step
        unanswered = []
        for g in sorted(ans.gives, key=lambda g: (starts[g] + ans.grace, g)):
            low = -NEVER if ans.within is None else starts[g] - ans.within
            k = bisect.bisect_left(free, (low, ""))
            while k < len(free) and free[k][1] == g:
                k += 1
            if k < len(free) and free[k][0] <= starts[g] + ans.grace:
                c = free.pop(k)[1]
                owner[c], owned[g] = g, c
            else:
                unanswered.append(g)
        if not unanswered:
            return True
        if ans.gets.isdisjoint(ans.gives):
            return False
        return all(self._augment(ans, g, gets, owner, owned) for g in unanswered)

    def _augment(
        self,
        ans: Answer,
        g: str,
        gets: list[tuple[int, str]],
        owner: dict[str, str],
        owned: dict[str, str],
    ) -> bool:
        """Answer g by re-pairing along an alternating path, if one exists (Kuhn)."""
        starts, done = self.starts, self.done
        reached: dict[str, str] = {}  # counter-step -> the give step that reached it
        queue = deque([g])
        while queue:
            x = queue.popleft()
            for _d, c in gets:
                if c in reached or not answerable(ans, x, c, starts, done):
                    continue
                reached[c] = x
                if c not in owner:
                    while True:  # flip the path back to g
                        x = reached[c]
                        previous = owned.get(x)
                        owner[c], owned[x] = x, c
                        if previous is None:
                            return True
                        c = previous
                queue.append(owner[c])
        return False

    def _broken(self) -> set[str]:
        """The rules whose terms the finished schedule breaks, each term checked on the
        final times."""
        starts, done = self.starts, self.done
        terms = self.terms
        broken = set(self.structural)
        for s, t in starts.items():
            if self.scenario.steps[s].fixed not in (None, t):
                broken.add(fixed.rule_id(s))
        for w in terms.waits:
            if not w.waiting:
                continue
            if w.missing:
                broken.add(w.rule)
                continue
            if not w.firsts:
                continue
            value = starts if w.by_start else done
            ranked = sorted(w.firsts, key=value.__getitem__)
            latest2, earliest2 = ranked[-2:][::-1], ranked[:2]
            for s in w.waiting:
                f = next((x for x in latest2 if x != s), None)
                if f is not None and starts[s] < value[f] + w.lag:
                    broken.add(w.rule)
                    break
                if w.within is not None:
                    f = next((x for x in earliest2 if x != s), None)
                    if f is not None and starts[s] > done[f] + w.within:
                        broken.add(w.rule)
                        break
        for a in self.anys:
            t = starts[a.step]
            if not any(
                done[p] + lag <= t and (within is None or t <= done[p] + within)
                for p, lag, within in a.items
            ):
                broken.add(a.rule)
        for ans in terms.answers:
            if not self._answered(ans):
                broken.add(ans.rule)
        for rule, ids, earliest, measure in terms.releases:
            if any(starts[s] + (self.off[s] if measure == "done" else 0) < earliest for s in ids):
                broken.add(rule)
        for rule, ids, latest, measure in terms.deadlines:
            if any(starts[s] + (self.off[s] if measure == "done" else 0) > latest for s in ids):
                broken.add(rule)
        for cap in terms.capacities:
            changes = [(starts[s], 1) for s in cap.ids]
            changes += [(starts[s] + self.dur[s], -1) for s in cap.ids]
            if peak(changes) > cap.limit:
                broken.add(cap.rule)
        for res in terms.reservoirs:
            changes = [(starts[s], self.value[s]) for s in res.ahead]
            changes += [(done[s], -self.value[s]) for s in res.behind]
            if peak(changes) > res.margin:
                broken.add(res.rule)
        for rule, ids, missing in terms.groups:
            if ids and (missing or len({starts[s] for s in ids}) > 1):
                broken.add(rule)
        for rule, ids in terms.excluded:
            if ids:
                broken.add(rule)
        return broken
