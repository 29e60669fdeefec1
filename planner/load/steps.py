"""Reading packages.yaml: the scenario's name and unit, its actors, packages and steps,
each field as declared on its dataclass (`planner.model`, `planner.scenario`)."""

from __future__ import annotations

import datetime as dt
import math
import sys
from typing import Any

from planner.errors import Mark, Problems
from planner.fields import ID_PATTERN, TIME_PATTERN, keys
from planner.load.chains import settle
from planner.load.selectors import Selectors
from planner.load.values import (
    Reader,
    check_id,
    check_nat,
    describe,
    read_plain,
    read_time,
    suggest,
)
from planner.load.yamlread import YList, YMap
from planner.model import (
    FAILS,
    PASSES,
    AnyOf,
    Cond,
    Estimate,
    Package,
    Repeat,
    Req,
    Spread,
    Step,
    Trigger,
    Uncertainty,
    Verify,
)
from planner.scenario import Phase, Scenario


class StepsReader:
    """Stage two for packages.yaml: located values → checked steps and packages."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.meta: dict[str, Any] = {
            "name": "",
            "unit": "week",
            "start": None,
            "description": "",
            "phases": (),
            "objectives": (),
        }
        #: Where each phase's `until` is written (for messages once the steps are known).
        self.until_marks: dict[int, Mark] = {}
        self.actors: dict[str, str] = {}
        self.packages: list[Package] = []
        self.steps: dict[str, Step] = {}
        #: False when the scenario file has no readable packages: then the rules' names
        #: of steps, kinds, tags and packages cannot be checked (and are not reported).
        self.steps_known = True
        #: The entries of `scenario.uncertainty`, read once the steps are known
        #: (`uncertainty`): their selectors name steps.
        self.uncertainty_nodes: list[tuple[YMap, Mark]] = []

    def read(self, name: str, doc: Any) -> None:
        if not isinstance(doc, YMap):
            self.problems.add(
                getattr(doc, "mark", Mark(name, 1, 1)),
                f"a scenario file must be a mapping with 'scenario', 'actors' and 'packages', "
                f"not {describe(doc)}",
            )
            self.steps_known = False
            return
        top = Reader(self.problems, doc, "scenario file", ("scenario", "actors", "packages"))
        meta = top.mapping("scenario", None)
        if meta is not None:
            r = Reader(self.problems, meta, "scenario", keys(Scenario))
            self.meta.update(read_plain(r, Scenario))
            start = r.raw("start", None)
            if start is not None and not isinstance(start, dt.date):
                r.fail("start", f"'start' must be a date such as 2027-01-04, not {describe(start)}")
            elif isinstance(start, dt.datetime):
                start = start.date()
            self.meta["start"] = start
            self.meta["objectives"] = self.objectives(r)
            self.meta["phases"] = self.phases(r)
            entries = r.sequence("uncertainty", None)
            for i, node in enumerate(entries or []):
                if isinstance(node, YMap):
                    self.uncertainty_nodes.append((node, entries.at(i)))
                else:
                    self.problems.add(
                        entries.at(i),
                        f"scenario: an 'uncertainty' entry must be a mapping, not {describe(node)}",
                    )
        actors = top.mapping("actors")
        if actors is not None:
            for key, value in actors.items():
                actor = check_id(self.problems, actors.key_at(key), "actors", "id", key)
                if not isinstance(value, str):
                    self.problems.add(
                        actors.at(key), f"actor '{actor}': name must be text, not {describe(value)}"
                    )
                self.actors[actor] = value if isinstance(value, str) else actor
        packages = top.sequence("packages")
        if packages is None:
            self.steps_known = False
            return
        seen_packages: dict[str, Mark] = {}
        for i, node in enumerate(packages):
            self.package(node, packages.at(i), seen_packages)
        self.steps, self.packages = settle(
            self.problems, self.steps, self.packages, self.meta["unit"]
        )
        self._check_references()
        self._check_phases()

    def phases(self, r: Reader) -> tuple[Phase, ...]:
        """The `phases` of the scenario section: each an id, a title and where it ends."""
        items = r.sequence("phases", None)
        if not items:
            return ()
        seen: dict[str, Mark] = {}
        out: list[Phase] = []
        for i, node in enumerate(items):
            if not isinstance(node, YMap):
                self.problems.add(
                    items.at(i),
                    f"a phase must be a mapping {{id, title, until}}, not {describe(node)}",
                )
                continue
            p = Reader(self.problems, node, "phase", keys(Phase), "id")
            pid = p.ident("id")
            if pid in seen:
                p.fail("id", f"duplicate phase id (first at line {seen[pid].line})")
            elif pid:
                seen[pid] = p.at("id")
            plain = read_plain(p, Phase, skip=("id",), title=pid)
            until = self.until(p, last=i == len(items) - 1)
            if until is not None:
                self.until_marks[len(out)] = p.at("until")
            out.append(Phase(id=pid, until=until, mark=node.mark, **plain))
        return tuple(out)

    def until(self, p: Reader, last: bool) -> str | int | None:
        """A phase's end: a time (a whole number) or a step id (text)."""
        if "until" not in p.node:
            if not last:
                p.problems.add(
                    p.node.mark,
                    f"{p.owner}: missing field 'until' (only the last phase may leave it out)",
                )
            return None
        value = p.node["until"]
        if isinstance(value, str) and TIME_PATTERN.match(value):
            return read_time(self.problems, p.at("until"), f"{p.owner}: 'until'", value)
        if isinstance(value, str):
            return check_id(self.problems, p.at("until"), p.owner, "until", value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return check_nat(self.problems, p.at("until"), f"{p.owner}: 'until'", value)
        p.fail("until", f"'until' must be a step id or a time, not {describe(value)}")
        return None

    def _check_phases(self) -> None:
        """Every `until` step exists, and the phases are listed in the order they end:
        times increase, and no phase ends with a step that the step ending an earlier
        phase waits for (through `after`: it is always done first)."""
        unit = self.meta["unit"]
        ends: list[tuple[int, Phase]] = []  # (index, phase) of the phases with an end
        for i, phase in enumerate(self.meta["phases"]):
            if phase.until is None or phase.until == "":
                continue
            mark = self.until_marks.get(i, phase.mark)
            if isinstance(phase.until, str) and phase.until not in self.steps:
                self.problems.add(
                    mark,
                    f"phase '{phase.id}': unknown step '{phase.until}' in 'until'"
                    + suggest(phase.until, self.steps),
                )
                continue
            for _, earlier in ends:
                why = self._ends_before(phase, earlier, unit)
                if why:
                    self.problems.add(mark, f"{why}: list the phases in the order they end")
                    break
            ends.append((i, phase))

    def _ends_before(self, phase: Phase, earlier: Phase, unit: str) -> str:
        """Why `phase` cannot end after the `earlier` one ("" when it can, or when only a
        roadmap can tell)."""
        until, before = phase.until, earlier.until
        head = f"phase '{phase.id}' ends"
        if isinstance(until, int) and isinstance(before, int) and until <= before:
            return f"{head} in {unit} {until}, not after the earlier phase '{earlier.id}' ({unit} {before})"
        if isinstance(until, str) and isinstance(before, str) and before in self.steps:
            if until == before:
                return f"{head} when {until} is done, as the earlier phase '{earlier.id}' does"
            if until in _waited_for(self.steps, before):
                return (
                    f"{head} when {until} is done, always before the earlier phase "
                    f"'{earlier.id}' ends ({before} waits for {until})"
                )
        return ""

    def objectives(self, r: Reader) -> tuple[str, ...]:
        """The scenario's default objective order: known names, each once."""
        from planner.objectives import OBJECTIVES

        value = r.raw("objectives", None)
        if value is None:
            return ()
        if not isinstance(value, YList) or not value:
            r.fail(
                "objectives",
                f"'objectives' must be a list of objective names, not {describe(value)}",
            )
            return ()
        names: list[str] = []
        for i, name in enumerate(value):
            where = value.at(i)
            if name not in OBJECTIVES:
                hint = suggest(name, OBJECTIVES) if isinstance(name, str) else ""
                self.problems.add(
                    where,
                    f"scenario: unknown objective {describe(name)}{hint}; "
                    f"objectives are {', '.join(OBJECTIVES)}",
                )
            elif name in names:
                self.problems.add(where, f"scenario: objective '{name}' is listed twice")
            else:
                names.append(name)
        return tuple(names)

    def package(self, node: Any, mark: Mark, seen: dict[str, Mark]) -> None:
        if not isinstance(node, YMap):
            self.problems.add(mark, f"a package must be a mapping, not {describe(node)}")
            return
        r = Reader(self.problems, node, "package", keys(Package), "id")
        pid = r.ident("id")
        if pid:
            if pid in seen:
                r.fail("id", f"duplicate package id (first at line {seen[pid].line})")
            seen[pid] = r.at("id")
        steps = r.sequence("steps")
        ids: list[str] = []
        for i, item in enumerate(steps or []):
            step = self.step(item, steps.at(i), pid)
            if step is not None:
                ids.append(step.id)
        if steps is not None and not steps:
            r.fail("steps", "a package needs at least one step")
        plain = read_plain(r, Package, skip=("id",), title=pid)
        self.packages.append(Package(id=pid, step_ids=tuple(ids), mark=node.mark, **plain))

    def step(self, node: Any, mark: Mark, package: str) -> Step | None:
        if not isinstance(node, YMap):
            self.problems.add(mark, f"a step must be a mapping, not {describe(node)}")
            return None
        r = Reader(self.problems, node, "step", keys(Step), "id")
        sid = r.ident("id")
        plain = read_plain(r, Step, skip=("id",), title=sid)
        actor = plain["actor"]
        if actor and actor not in self.actors and self.actors:
            r.fail("actor", f"unknown actor '{actor}'{suggest(actor, self.actors)}")
        receiver = plain["beneficiary"]
        if receiver and receiver not in self.actors and self.actors:
            r.fail("for", f"unknown actor '{receiver}'{suggest(receiver, self.actors)}")
        verify = None
        vnode = r.mapping("verify", None)
        if vnode is not None:
            v = Reader(self.problems, vnode, f"{r.owner} verify", keys(Verify))
            plain_verify = read_plain(v, Verify)
            verify = Verify(
                estimate=self.estimate(v, plain_verify["duration"]),
                fails=probability(v, "fails", None) or 0.0,
                **plain_verify,
            )
        # Actors, packages, kinds and tags repeat on every step: one string object each
        # keeps a cached scenario smaller and faster to read back (`planner.load.cache`).
        plain.update(actor=sys.intern(actor), kind=sys.intern(plain["kind"]))
        step = Step(
            id=sid,
            package=sys.intern(package),
            verify=verify,
            after=self.conditions(r),
            tags=frozenset(sys.intern(t) for t in self.tags(r)),
            attrs=self.attrs(r),
            mark=node.mark,
            estimate=self.estimate(r, plain["duration"]),
            repeat=self.repeat(r),
            when=self.trigger(r),
            outcomes=self.outcomes(r),
            **plain,
        )
        if sid in self.steps:
            r.fail("id", f"duplicate step id (first at line {self.steps[sid].mark.line})")
            return None
        if sid:
            self.steps[sid] = step
        return step

    def repeat(self, r: Reader) -> Repeat | None:
        """`repeat: {every, until}`: a chain of renewals (expanded once every step is read,
        `planner.load.chains`)."""
        node = r.mapping("repeat", None)
        if node is None:
            return None
        e = Reader(self.problems, node, f"{r.owner} repeat", keys(Repeat))
        every = e.time("every", minimum=1)
        if "until" not in node:
            e.missing("until")
            return None
        until = e.step_or_time("until")
        if until is None:
            return None
        return Repeat(every=every, until=until, mark=node.mark)

    def trigger(self, r: Reader) -> Trigger | None:
        """`if: {step, outcome}`: the condition of a contingent step (checked against the
        trigger step once every step is read)."""
        node = r.mapping("if", None)
        if node is None:
            return None
        t = Reader(self.problems, node, f"{r.owner} if", keys(Trigger))
        plain = read_plain(t, Trigger)
        if not plain["step"] or not plain["outcome"]:
            return None
        return Trigger(mark=node.mark, **plain)

    def outcomes(self, r: Reader) -> dict[str, float]:
        """An event's `outcomes: {name: probability}`, summing to 1."""
        node = r.mapping("outcomes", None)
        if node is None:
            return {}
        out: dict[str, float] = {}
        for key, value in node.items():
            name = check_id(self.problems, node.key_at(key), r.owner, "outcomes", key)
            if name in (PASSES, FAILS):
                self.problems.add(
                    node.key_at(key),
                    f"{r.owner}: '{name}' names a verification's outcome, not an event's",
                )
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (math.isfinite(value) and 0 <= value <= 1)
            ):
                self.problems.add(
                    node.at(key),
                    f"{r.owner}: the probability of outcome '{name}' must be a number from 0 "
                    f"to 1, not {describe(value)}",
                )
                continue
            out[name] = float(value)
        if not node:
            r.fail("outcomes", "'outcomes' needs at least one outcome")
        elif len(out) == len(node) and abs(sum(out.values()) - 1) > 1e-9:
            r.fail(
                "outcomes",
                f"the outcomes' probabilities must sum to 1, not {sum(out.values()):g}",
            )
        return out

    def estimate(self, r: Reader, duration: int) -> Estimate | None:
        """A three-point estimate around `duration` (its missing ends are the duration)."""
        node = r.mapping("estimate", None)
        if node is None:
            return None
        e = Reader(self.problems, node, f"{r.owner} estimate", keys(Estimate))
        before = len(self.problems.items)
        plain = read_plain(e, Estimate)
        if len(self.problems.items) > before:
            return None  # a bad number is reported once, not compared as well
        low = duration if plain["min"] is None else plain["min"]
        high = duration if plain["max"] is None else plain["max"]
        if low > duration:
            e.fail("min", f"'min' {low} is longer than the duration {duration} (the most likely)")
        if high < duration:
            e.fail("max", f"'max' {high} is shorter than the duration {duration} (the most likely)")
        return Estimate(low, high)

    def uncertainty(self, selectors: Selectors) -> tuple[Uncertainty, ...]:
        """The entries of `scenario.uncertainty`, their selectors resolved."""
        out = []
        for node, mark in self.uncertainty_nodes:
            owner = "scenario uncertainty"
            r = Reader(self.problems, node, owner, keys(Uncertainty))
            chosen = None
            if "steps" in node:
                read = selectors.read(node["steps"], node.at("steps"), owner, "steps")
                chosen = selectors.resolve(read, owner, "steps")
            entry = Uncertainty(
                steps=chosen,
                duration=spread(r, "duration"),
                verify=spread(r, "verify"),
                fails=probability(r, "fails", None),
                retry=r.nat("retry", None),
                mark=mark,
            )
            if entry.duration is None and entry.verify is None and entry.fails is None:
                self.problems.add(
                    mark,
                    f"{owner}: give 'duration', 'verify' or 'fails' (an entry that sets nothing)",
                )
            out.append(entry)
        return tuple(out)

    def tags(self, r: Reader) -> list[str]:
        value = r.raw("tags", [])
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            r.fail("tags", f"'tags' must be a list of words, not {describe(value)}")
            return []
        out = []
        for i, tag in enumerate(items):
            if type(tag) is str and ID_PATTERN.match(tag):
                out.append(tag)  # valid: its place is not needed
                continue
            where = items.at(i) if isinstance(items, YList) else r.at("tags")
            out.append(check_id(self.problems, where, r.owner, "tags", tag))
        return out

    def attrs(self, r: Reader) -> dict[str, float]:
        node = r.mapping("attrs", None)
        out: dict[str, float] = {}
        for key, value in (node or {}).items():
            name = check_id(self.problems, node.key_at(key), r.owner, "attrs", key)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.problems.add(
                    node.at(key),
                    f"{r.owner}: attribute '{name}' must be a number, not {describe(value)}",
                )
            elif not math.isfinite(value):
                self.problems.add(
                    node.at(key),
                    f"{r.owner}: attribute '{name}' must be a finite number, not {describe(value)}",
                )
            else:
                out[name] = value
        return out

    def conditions(self, r: Reader) -> tuple[Cond, ...]:
        items = r.raw("after", [])
        if isinstance(items, str):
            items = YList(r.at("after"))
            items.append(r.node["after"])
            items.item_marks.append(r.at("after"))
        if not isinstance(items, YList):
            if items:
                r.fail("after", f"'after' must be a list of preconditions, not {describe(items)}")
            return ()
        out: list[Cond] = []
        for i, item in enumerate(items):
            cond = self.condition(item, items.at(i), r.owner, allow_any=True)
            if cond is not None:
                out.append(cond)
        return tuple(out)

    def condition(self, item: Any, mark: Mark, owner: str, allow_any: bool) -> Cond | None:
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            return Req(check_id(self.problems, mark, owner, "after", item), mark=mark)
        if not isinstance(item, YMap):
            self.problems.add(
                mark,
                f"{owner}: a precondition is a step id, {{step, lag, within}} or "
                f"{{any: [...]}}, not {describe(item)}",
            )
            return None
        if "any" in item:
            r = Reader(self.problems, item, owner, keys(AnyOf))
            alts = r.sequence("any")
            if not allow_any:
                r.fail("any", "'any' cannot be nested inside 'any'")
                return None
            if alts is None:
                return None
            if not alts:
                r.fail("any", "'any' needs at least one alternative")
                return None
            reqs = [
                self.condition(a, alts.at(i), owner, allow_any=False) for i, a in enumerate(alts)
            ]
            return AnyOf(tuple(q for q in reqs if isinstance(q, Req)), mark)
        r = Reader(self.problems, item, owner, keys(Req))
        req = Req(mark=mark, **read_plain(r, Req))
        if req.within is not None and req.within < req.lag:
            r.fail(
                "within",
                f"impossible precondition on '{req.step}': "
                f"within {req.within} is shorter than lag {req.lag}",
            )
        return req

    def _check_references(self) -> None:
        """Every `after` names a known step, and `after` has no cycle."""
        for step in self.steps.values():
            for req in step.requirements():
                if req.step and req.step not in self.steps:
                    self.problems.add(
                        req.mark,
                        f"step '{step.id}': unknown step '{req.step}' in 'after'"
                        + suggest(req.step, self.steps),
                    )
        for cycle in find_cycles(self.steps):
            first = self.steps[cycle[0]]
            self.problems.add(first.mark, "precondition cycle: " + " → ".join(cycle))


def _waited_for(steps: dict[str, Step], sid: str) -> set[str]:
    """The steps `sid` always waits for through `after` (alternatives of `any` aside)."""
    seen: set[str] = set()
    todo = [sid]
    while todo:
        for cond in steps[todo.pop()].after:
            if isinstance(cond, Req) and cond.step in steps and cond.step not in seen:
                seen.add(cond.step)
                todo.append(cond.step)
    return seen


def probability(r: Reader, key: str, default: float | None) -> float | None:
    """A probability in [0, 1): a verification that always failed would never be done."""
    value = r.raw(key, None)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        r.fail(
            key,
            f"'{key}' must be a probability (a number from 0 to below 1), not {describe(value)}",
        )
        return default
    if not 0 <= value < 1:
        r.fail(key, f"'{key}' must be at least 0 and below 1, not {value:g}")
        return default
    return float(value)


def spread(r: Reader, key: str) -> Spread | None:
    """{min, max}: factors of a time, min <= 1 <= max."""
    node = r.mapping(key, None)
    if node is None:
        return None
    s = Reader(r.problems, node, f"{r.owner} {key}", ("min", "max"))
    found = {}
    for end in ("min", "max"):
        value = node.get(end, 1.0)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
        ):
            s.fail(end, f"'{end}' must be a factor (a number ≥ 0), not {describe(value)}")
            value = 1.0
        elif (end == "min" and value > 1) or (end == "max" and value < 1):
            side = "at most 1" if end == "min" else "at least 1"
            s.fail(end, f"'{end}' must be {side} (a factor of the time written), not {value:g}")
            value = 1.0
        found[end] = float(value)
    return Spread(found["min"], found["max"])


def find_cycles(steps: dict[str, Step], limit: int = 20) -> list[list[str]]:
    """Cycles of `after` preconditions, each as a closed path [a, b, ..., a]."""
    edges = {s.id: [r.step for r in s.requirements() if r.step in steps] for s in steps.values()}
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in steps:
        if root in state:
            continue
        path: list[str] = [root]
        iters = [iter(edges[root])]
        state[root] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                # Written as "x waits for y": reverse to read in the order things happen.
                cycle = cycle[::-1]
                key = frozenset(cycle)
                if key not in seen and len(cycles) < limit:
                    seen.add(key)
                    cycles.append(cycle)
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(edges[nxt]))
    return cycles
