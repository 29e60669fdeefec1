"""`delink`: two tracks that no chain of conditions may tie together."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from planner.check import CheckContext, Violation
from planner.model import AnyOf, Rule, Scenario, Selector

if TYPE_CHECKING:
    from planner.solver.encoder import Encoder

EMPTY = Selector((), ())


Links = dict[str, list[tuple[str, str]]]


def link_graph(scenario: Scenario) -> Links:
    """Every link of the scenario, as node -> [(next node, label)]: `after` preconditions
    (prerequisite → step, 'after') and the `links()` of every rule: precedence before →
    after, reciprocity get → give, gate when → opens (through a hub node per rule, so a
    rule with n sources and m targets costs n + m edges, labelled with the rule id)."""
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
    for rule in scenario.rules:
        for froms, tos in rule.links():
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


@dataclass(frozen=True, slots=True)
class Delink(Rule):
    """No chain of conditions may connect the two selectors, in either direction: no step
    of one side may wait, directly or through any chain of `after` preconditions and
    `precedence`, `reciprocity` and `gate` rules, on a step of the other side.

    A common ancestor is not a link: both tracks may wait for the security gate. This is a
    property of the scenario, not of a roadmap's times: `check` reports it for any roadmap
    and `plan` refuses to plan while it is broken. The message prints the chain.
    """

    kind: ClassVar[str] = "delink"
    fields: ClassVar[dict[str, tuple[str, Any]]] = {"between": ("sel2", None)}
    severity: ClassVar[int] = 1

    between: tuple[Selector, ...] = ()

    def chains(
        self, scenario: Scenario, graph: Callable[[], Links] | None = None
    ) -> list[list[str]]:
        """The chains that break this rule (a step on both sides is a chain of one): a fact
        of the scenario, computed once. `graph` gives the link graph when it is shared."""
        return scenario.fact(f"delink:{self.id}", lambda s: self._chains(s, graph))

    def _chains(self, scenario: Scenario, graph: Callable[[], Links] | None) -> list[list[str]]:
        links = graph() if graph is not None else link_graph(scenario)
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
        for chain in self.chains(ctx.scenario, lambda: ctx.memo("links", link_graph)):
            if len(chain) == 1:
                message = f"{chain[0]} is on both sides of the de-linking"
                repair = f"narrow one side so that it leaves out {chain[0]}"
            else:
                message = f"{chain[-1]} is linked to {chain[0]}: " + " → ".join(chain)
                repair = f"remove the link {chain[1]} between {chain[0]} and {chain[2]}"
            out.append(ctx.violation(self, message, repair, [c for c in chain if c[0] != "["]))
        return out

    def encode(self, enc: Encoder) -> None:
        enc.delink(self)
