"""`delink`: two tracks that no chain of conditions may tie together."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, ClassVar

from planner.fields import SelPair
from planner.force import Chain
from planner.model import AnyOf, Selector, Step
from planner.rules.base import CheckContext, Encoding, Rule, ScenarioView, Terms, Violation

Links = dict[str, list[tuple[str, str]]]


class _RuleLinks(Terms):
    """The links rules create, as (rule, from steps, to steps): `to` waits on `from`.
    Every term that makes a step wait for another is a link: `wait` (first → waiting)
    and `answer` (counter-step → give step), soft rules included. Complete: a delink
    rule's `check` reads these links, so a link ignored here is a chain it never sees."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.found: list[tuple[Rule, Sequence[str], Sequence[str]]] = []

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        self.found.append((rule, firsts, waiting))

    def opens(self, rule: Rule, when: Sequence[str], held: Sequence[str]) -> None:
        pass  # a gate's waiting is its `wait` term

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        self.found.append((rule, get, give))

    # Not a step waiting for another (the links are `after` preconditions, precedence,
    # reciprocity and gate): bounds on a step's own time, a ranking by the steps' own
    # attributes, shared seats and budgets, starting together, red lines.

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
        # Relief kept in force until (or from) a step's done time is tied to that step:
        # its renewals are timed by it, a link as a wait is.
        ends = [e for e in (since, until) if isinstance(e, str)]
        if ends:
            self.found.append((rule, ends, chain.members))


def link_graph(scenario: ScenarioView) -> Links:
    """Every link of the scenario, as node -> [(next node, label)]: `after` preconditions
    (prerequisite → step, 'after') and the links rules create through their terms:
    precedence before → after, reciprocity get → give, gate when → opens (through a hub
    node per term, so a rule with n sources and m targets costs n + m edges, labelled
    with the rule id)."""
    out_edges: Links = {}
    for step in scenario.steps.values():
        if step.after:
            edge = (step.id, "after")
            for cond in step.after:
                for req in cond.items if isinstance(cond, AnyOf) else (cond,):
                    if req.step in out_edges:
                        out_edges[req.step].append(edge)
                    else:
                        out_edges[req.step] = [edge]
    links = _RuleLinks(scenario.steps)
    for rule in scenario.rules:
        rule.terms(links)
    for rule, froms, tos in links.found:
        hub = f"\0{rule.id}"
        for f in froms:
            out_edges.setdefault(f, []).append((hub, rule.id))
        out_edges[hub] = [(t, rule.id) for t in tos]
    return out_edges


def find_chain(out_edges: Links, sources: set[str], targets: set[str]) -> list[str] | None:
    """A shortest directed chain of links (`link_graph`) from a step in `sources` to one
    in `targets`, as alternating step ids and link labels ('after' or a rule id), or None.
    """
    parent: dict[str, tuple[str, str] | None] = {s: None for s in sorted(sources)}
    queue = deque(parent)
    while queue:
        node = queue.popleft()
        if node in targets and node not in sources:
            path: list[tuple[str, str]] = []  # (node, label of the link into it)
            cur = node
            while (link := parent[cur]) is not None:
                path.append((cur, link[1]))
                cur = link[0]
            chain = [cur]
            for step_id, label in reversed(path):
                if not step_id.startswith("\0"):
                    chain += [f"[{label}]", step_id]
            return chain
        for nxt, label in out_edges.get(node, ()):
            if nxt not in parent:
                parent[nxt] = (node, label)
                queue.append(nxt)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Delink(Rule):
    """No chain of conditions may connect the two selectors, in either direction: no step
    of one side may wait, directly or through any chain of `after` preconditions and
    `precedence`, `reciprocity` and `gate` rules, on a step of the other side:

        no path a → ... → b of links, for a in one side and b in the other


    A common ancestor is not a link: both tracks may wait for the security gate. This is a
    property of the scenario, not of a roadmap's times: `check` reports it for any roadmap
    and `plan` refuses to plan while it is broken. The message prints the chain.
    """

    kind: ClassVar[str] = "delink"
    severity: ClassVar[int] = 1
    example: ClassVar[str] = """\
# delink: no chain of conditions (after, precedence, reciprocity, gate) may join the two
# sides, in either direction.
rules:
  - id: humanitarian-apart
    kind: delink
    between: [{package: humanitarian}, {package: relief}]
    source: "Humanitarian access is not a bargaining chip."
"""

    between: Annotated[
        tuple[Selector, ...], SelPair("the two tracks that no chain of conditions may join")
    ]

    def validate(self, steps: Mapping[str, Step]) -> list[tuple[str, str]]:
        return []  # two selectors are declared

    def terms(self, t: Terms) -> None:
        pass  # a property of the scenario, not of times: nothing to schedule

    def prepare(self, scenario: ScenarioView) -> None:
        self.chains(scenario)

    def chains(self, scenario: ScenarioView) -> list[list[str]]:
        """The chains that break this rule (a step on both sides is a chain of one): a fact
        of the scenario, computed once (the link graph, once for all delink rules)."""
        return scenario.fact(f"delink:{self.id}", self._chains)

    def _chains(self, scenario: ScenarioView) -> list[list[str]]:
        links = scenario.memo("links", link_graph)
        left, right = set(self.between[0].ids), set(self.between[1].ids)
        out = []
        both = sorted(left & right)
        if both:
            out.append([both[0]])
        for a, b in ((left, right), (right, left)):
            chain = find_chain(links, a - b, b - a)
            if chain:
                out.append(chain)
        return out

    def check(self, ctx: CheckContext) -> list[Violation]:
        out = []
        for chain in self.chains(ctx.scenario):
            if len(chain) == 1:
                message = f"{chain[0]} is on both sides of the de-linking"
                repair = f"narrow one side so that it leaves out {chain[0]}"
            else:
                message = f"{chain[-1]} is linked to {chain[0]}: " + " → ".join(chain)
                repair = f"remove the link {chain[1]} between {chain[0]} and {chain[2]}"
            out.append(ctx.violation(self, message, repair, [c for c in chain if c[0] != "["]))
        return out

    def encode(self, enc: Encoding) -> None:
        """A chain of conditions between the two sides breaks the rule whatever the times."""
        chains = self.chains(enc.scenario)
        if chains:
            enc.cannot_hold(self, "the two sides are linked: " + " → ".join(chains[0]), len(chains))
