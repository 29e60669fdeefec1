"""What the rules' scheduling terms say that the memo outputs show: the gates (`opens`
terms), the two sides of each bargain (`answer` and `reservoir` terms, and the balance
rules' sides apart), the red lines (`exclude` terms), and from those each actor's main
counterpart. Read once per scenario."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from planner.rules.base import PartialTerms, Rule
from planner.scenario import Scenario


class TermsRead(PartialTerms):
    """Gates (`opens` terms), the two sides of bargains (`answer` and `reservoir` terms)
    and red lines (`exclude` terms), from every rule's terms. Partial is safe: it labels
    what the outputs show; `check`, not this, says what a roadmap breaks."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(scenario.steps)
        self.gates: list[tuple[Rule, tuple[str, ...]]] = []
        self.sides: list[tuple[Sequence[str], Sequence[str]]] = []
        self.excluded: dict[str, list[Rule]] = {}
        #: Each hard balance rule's two sides: rule id -> (ahead, behind).
        self.balances: dict[str, tuple[Sequence[str], Sequence[str]]] = {}

    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        self.gates.append((rule, tuple(when)))

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        self.sides.append((give, get))

    def reservoir(
        self, rule: Rule, ahead: Sequence[str], behind: Sequence[str], margin: int
    ) -> None:
        self.sides.append((ahead, behind))
        if not rule.soft:
            self.balances[rule.id] = (ahead, behind)

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            for s in ids:
                self.excluded.setdefault(s, []).append(rule)


def terms_read(scenario: Scenario) -> TermsRead:
    def read(s: Scenario) -> TermsRead:
        found = TermsRead(s)
        for rule in s.rules:
            rule.terms(found)
        return found

    return scenario.memo("outline-terms", read)


def main_counterparts(scenario: Scenario) -> dict[str, str]:
    """Each actor's main counterpart: the actor it is traded with most often across the
    reciprocity and balance rules (counted in pairs of steps; ties to the actor listed
    first). Actors traded with no one have none."""

    def work(s: Scenario) -> dict[str, str]:
        steps = s.steps
        pairs: dict[str, Counter[str]] = {}
        for one, other in terms_read(s).sides:
            left = Counter(steps[x].actor for x in one)
            right = Counter(steps[x].actor for x in other)
            for a, m in left.items():
                for b, n in right.items():
                    if a != b:
                        pairs.setdefault(a, Counter())[b] += m * n
                        pairs.setdefault(b, Counter())[a] += m * n
        order = {a: i for i, a in enumerate(s.actors)}
        return {
            a: min(c, key=lambda b: (-c[b], order.get(b, len(order)))) for a, c in pairs.items()
        }

    return scenario.memo("outline-counterparts", work)
