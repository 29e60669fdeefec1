"""The precondition and rule graph of a scenario: which step waits for which, and by which
rule; printed as Graphviz DOT or Mermaid.

The graph is read from the steps' `after` preconditions and from the rules' scheduling
terms (`Rule.terms`, as the de-linking graph of `planner.rules.delink` is): no rule kind
is named here, so a new kind appears in the graph through the terms it states.

- `wait(firsts, waiting)`: the waiting steps start once the first ones are done;
- `answer(give, get)`: each give step needs a counter-step (an arrow from get to give);
- `rank(ranks)`: each rank starts no earlier than the ranks before it (rank to rank);
- `together(ids)`: the steps start at the same time (an undirected link);
- `exclude(ids)`: red lines (drawn as such).

Terms that bound times or share resources (windows, capacity, balance) draw no arrow;
`planner validate --explain ID` lists every rule that mentions a step. The renderers are
pure: text out, no I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.model import AnyOf, Step
from planner.render.escape import mermaid_label
from planner.rules.base import PartialTerms, Rule
from planner.scenario import Scenario

#: How each kind of link is read, in words (the legend).
LINK_WORDS = {
    "after": "starts once the other is done (`after`)",
    "wait": "starts once the rule's first steps are done",
    "answer": "needs a counter-step (arrow from the counter-step)",
    "rank": "starts no earlier than the rank before it",
    "together": "start at the same time",
}


@dataclass(frozen=True, slots=True)
class Link:
    """One link: the `tos` wait on the `froms` (for `together`, `froms` start at once and
    `tos` is empty). `rule` is the id of the rule behind it ("" for `after`)."""

    kind: str
    rule: str
    rule_kind: str
    froms: tuple[str, ...]
    tos: tuple[str, ...]
    label: str = ""
    soft: bool = False

    def members(self) -> tuple[str, ...]:
        return self.froms + self.tos


@dataclass(frozen=True, slots=True)
class Graph:
    """Steps (in scenario order), the links between them, and the red lines."""

    name: str
    steps: tuple[str, ...]
    links: tuple[Link, ...]
    red_lines: frozenset[str]
    #: step id -> (actor, kind, package)
    info: Mapping[str, tuple[str, str, str]]
    #: package id -> title, in scenario order
    packages: Mapping[str, str]


class _Links(PartialTerms):
    """The terms that order steps, as links. Partial is safe: a picture of the links;
    `validate --explain` lists every rule that mentions a step, and `check` judges."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.links: list[Link] = []
        self.red: set[str] = set()

    def _add(
        self, kind: str, rule: Rule, froms: Sequence[str], tos: Sequence[str], label: str = ""
    ) -> None:
        if froms and (tos or kind == "together"):
            self.links.append(
                Link(kind, rule.id, rule.kind, tuple(froms), tuple(tos), label, rule.soft)
            )

    def wait(
        self,
        rule: Rule,
        firsts: Sequence[str],
        waiting: Sequence[str],
        lag: int = 0,
        within: int | None = None,
    ) -> None:
        self._add("wait", rule, firsts, waiting, _lag_words(lag, within))

    def answer(
        self,
        rule: Rule,
        give: Sequence[str],
        get: Sequence[str],
        grace: int,
        within: int | None,
        shared: bool,
    ) -> None:
        self._add("answer", rule, get, give, "shared" if shared else "")

    def rank(self, rule: Rule, ranks: Sequence[Sequence[str]], gap: int = 0) -> None:
        for before, after in itertools.pairwise(ranks):
            self._add("rank", rule, before, after)

    def together(self, rule: Rule, ids: Sequence[str]) -> None:
        if len(ids) > 1:
            self._add("together", rule, ids, ())

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        if not rule.soft:
            self.red.update(ids)


def _lag_words(lag: int, within: int | None) -> str:
    parts = [f"lag {lag}"] if lag else []
    if within is not None:
        parts.append(f"within {within}")
    return ", ".join(parts)


def build_graph(scenario: Scenario) -> Graph:
    """The whole graph of a scenario: `after` items, then each rule's terms in file order."""
    links: list[Link] = []
    for step in scenario.steps.values():
        for cond in step.after:
            alternatives = cond.items if isinstance(cond, AnyOf) else (cond,)
            for req in alternatives:
                words = _lag_words(req.lag, req.within)
                if isinstance(cond, AnyOf):
                    words = ", ".join(w for w in ("any of", words) if w)
                links.append(Link("after", "", "after", (req.step,), (step.id,), words))
    found = _Links(scenario.steps)
    for rule in scenario.rules:
        rule.terms(found)
    links.extend(found.links)
    return Graph(
        name=scenario.name,
        steps=tuple(scenario.steps),
        links=tuple(links),
        red_lines=frozenset(found.red),
        info={s.id: (s.actor, s.kind, s.package) for s in scenario.steps.values()},
        packages={p.id: p.title for p in scenario.packages},
    )


def around(graph: Graph, step_id: str, depth: int) -> Graph:
    """The part of `graph` within `depth` links of `step_id`, each link cut down to the
    steps kept. Through a link, a step reaches the steps on its other side: a gate's
    held step reaches the gate's steps, not the other steps the gate holds."""
    # A step's neighbours through a link are on its other side (the steps waited for, or
    # the waiting ones); through `together`, the others that start with it.
    out_of: dict[str, list[int]] = {}
    into: dict[str, list[int]] = {}
    for i, link in enumerate(graph.links):
        for s in link.froms:
            out_of.setdefault(s, []).append(i)
        for s in link.tos:
            into.setdefault(s, []).append(i)
    seen = {step_id}
    frontier = [step_id]
    # At most one round per step: past that, and once a round reaches nothing new,
    # a deeper --depth adds nothing (`--depth 1000000000` ends at once).
    for _ in range(min(depth, len(graph.steps))):
        if not frontier:
            break
        nxt: list[str] = []
        for s in frontier:
            for i in out_of.get(s, ()):
                link = graph.links[i]
                nxt += link.froms if link.kind == "together" else link.tos
            for i in into.get(s, ()):
                nxt += graph.links[i].froms
        frontier = [t for t in dict.fromkeys(nxt) if t not in seen]
        seen.update(frontier)
    kept = seen
    links = []
    for link in graph.links:
        froms = tuple(s for s in link.froms if s in kept)
        tos = tuple(s for s in link.tos if s in kept)
        if (link.kind == "together" and len(froms) > 1) or (froms and tos):
            links.append(
                Link(link.kind, link.rule, link.rule_kind, froms, tos, link.label, link.soft)
            )
    return Graph(
        name=f"{graph.name}: around {step_id}, depth {depth}",
        steps=tuple(s for s in graph.steps if s in kept),
        links=tuple(links),
        red_lines=graph.red_lines & kept,
        info=graph.info,
        packages=graph.packages,
    )


def _hub(link: Link) -> bool:
    """Whether a rule's link is drawn through a node of its own: when joining each first
    step to each waiting one would take more lines than going through the rule."""
    n, m = len(link.froms), len(link.tos)
    return bool(link.rule) and link.kind != "together" and n * m > n + m


def _node_words(graph: Graph, step_id: str) -> str:
    actor, kind, _ = graph.info[step_id]
    red = "\nred line" if step_id in graph.red_lines else ""
    return f"{step_id}\n{actor} · {kind}{red}"


def _rule_words(link: Link) -> str:
    return f"{link.rule}\n{link.rule_kind}" + (" (soft)" if link.soft else "")


# ---- Graphviz DOT -------------------------------------------------------------------------


def _dot_id(text: str) -> str:
    """A quoted DOT id or label (a newline as DOT's line break)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_DOT_STYLE = {
    "after": "",
    "wait": "",
    "answer": "style=dashed",
    "rank": "style=dotted",
    "together": "dir=none, style=bold",
}


def to_dot(graph: Graph) -> str:
    """The graph as Graphviz DOT (`dot -Tsvg`): steps clustered by package, red lines
    filled, rules as labels or, when they join many steps, as nodes of their own."""
    out = [
        f"digraph {_dot_id(graph.name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    by_package: dict[str, list[str]] = {}
    for s in graph.steps:
        by_package.setdefault(graph.info[s][2], []).append(s)
    for i, (package, title) in enumerate(graph.packages.items()):
        members = by_package.get(package)
        if not members:
            continue
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f"    label={_dot_id(f'{title} ({package})' if title != package else package)};")
        for s in members:
            attrs = f"label={_dot_id(_node_words(graph, s))}"
            if s in graph.red_lines:
                attrs += ', style="rounded,filled", fillcolor="#f8d0d0", color="#c00000"'
            out.append(f"    {_dot_id(s)} [{attrs}];")
        out.append("  }")
    for j, link in enumerate(graph.links):
        style = [_DOT_STYLE[link.kind]] if _DOT_STYLE[link.kind] else []
        if link.soft:
            style.append('color="#888888"')
        text = " ".join(w for w in (link.rule, link.label) if w) or (
            "after" if link.kind == "after" else ""
        )
        if _hub(link):
            hub = _dot_id(f"rule:{link.rule}:{j}")
            out.append(f"  {hub} [shape=diamond, style=solid, label={_dot_id(_rule_words(link))}];")
            extra = ", ".join(style)
            for f in link.froms:
                out.append(f"  {_dot_id(f)} -> {hub}{f' [{extra}]' if extra else ''};")
            for t in link.tos:
                out.append(f"  {hub} -> {_dot_id(t)}{f' [{extra}]' if extra else ''};")
            continue
        attrs = ", ".join([f"label={_dot_id(text)}", *style])
        if link.kind == "together":
            for a, b in itertools.pairwise(link.froms):
                out.append(f"  {_dot_id(a)} -> {_dot_id(b)} [{attrs}];")
            continue
        for f in link.froms:
            for t in link.tos:
                out.append(f"  {_dot_id(f)} -> {_dot_id(t)} [{attrs}];")
    out.append("}")
    return "\n".join(out) + "\n"


# ---- Mermaid --------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label (no HTML or `%%{init}%%` of the user's)."""
    return mermaid_label(text)


_MERMAID_ARROW = {"after": "-->", "wait": "-->", "answer": "-.->", "rank": "==>", "together": "---"}


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart (renders in GitHub and GitLab markdown): steps
    as nodes grouped by package, rules as edge labels or as hexagon nodes."""
    node = {s: f"s{i}" for i, s in enumerate(graph.steps)}
    out = ["flowchart LR"]
    by_package: dict[str, list[str]] = {}
    for s in graph.steps:
        by_package.setdefault(graph.info[s][2], []).append(s)
    for i, (package, title) in enumerate(graph.packages.items()):
        members = by_package.get(package)
        if not members:
            continue
        out.append(f'  subgraph p{i}["{_mermaid_text(title)}"]')
        for s in members:
            out.append(f'    {node[s]}["{_mermaid_text(_node_words(graph, s))}"]')
        out.append("  end")
    for j, link in enumerate(graph.links):
        arrow = _MERMAID_ARROW[link.kind]
        text = " ".join(w for w in (link.rule, link.label) if w)
        if _hub(link):
            hub = f"r{j}"
            out.append(f'  {hub}{{{{"{_mermaid_text(_rule_words(link))}"}}}}')
            for f in link.froms:
                out.append(f"  {node[f]} {arrow} {hub}")
            for t in link.tos:
                out.append(f"  {hub} {arrow} {node[t]}")
            continue
        label = f'|"{_mermaid_text(text)}"|' if text else ""
        pairs = (
            list(itertools.pairwise(link.froms))
            if link.kind == "together"
            else [(f, t) for f in link.froms for t in link.tos]
        )
        for f, t in pairs:
            out.append(f"  {node[f]} {arrow}{label} {node[t]}")
    red = [node[s] for s in graph.steps if s in graph.red_lines]
    if red:
        out.append("  classDef redline fill:#f8d0d0,stroke:#c00000")
        out.append(f"  class {','.join(red)} redline")
    return "\n".join(out) + "\n"


#: The formats `planner graph --format` offers, by name.
RENDERERS = {"dot": to_dot, "mermaid": to_mermaid}
