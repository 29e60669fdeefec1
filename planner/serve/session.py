"""One user's workbench, kept on the server: the roadmap on screen, the pinned steps, the
what-if changes and the branch of the deal, with their history (undo, redo).

Every action calls the library (`planner.api`) and answers what the page shows next
(`planner.serve.views`); a bad request raises `Refused` and changes nothing. Nothing is
written to disk but by `save`, through `planner.output` (all or none, never over an
input). One lock: an action runs alone (a search holds the session until it answers).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from planner import api
from planner.api.inputs import assume
from planner.errors import InputError
from planner.fields import MAX_NUMBER
from planner.load.values import suggest
from planner.output import NOTHING_PROTECTED, OutputError, Protected, write_outputs
from planner.render.outline import outline
from planner.roadmap.write import SUFFIXES, roadmap_doc, roadmap_text
from planner.scenario import Scenario
from planner.serve import views

#: Undo steps kept (older ones are forgotten).
MAX_HISTORY = 200
#: What-if scenarios kept loaded (going back and forth between them costs no reload).
MAX_SCENARIOS = 8


class Refused(Exception):
    """A request the session will not carry out: an HTTP status, one line, and the
    located problems when the library gave some. Nothing was changed."""

    def __init__(self, status: int, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What undo and redo move between: the roadmap, the pins, the what-if `--set`
    expressions and the assumed outcomes (`check --assume`)."""

    starts: Mapping[str, int]
    pinned: frozenset[str] = frozenset()
    sets: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the server was started with: the scenario's files and changes (`--packages`,
    `--constraints`, `--variant`, `--set`), the roadmap's name, the search's limits, and
    the files Save may never write (the inputs)."""

    packages: Path | None = None
    constraints: Path | None = None
    variants: tuple[Path, ...] = ()
    sets: tuple[str, ...] = ()
    source: str = "the best plan"
    time_limit: float = 10.0
    seed: int = 0
    protected: Protected = field(default=NOTHING_PROTECTED)


class Session:
    """The workbench of one user."""

    def __init__(self, inputs: Inputs, scenario: Scenario, starts: Mapping[str, int]) -> None:
        self.inputs = inputs
        self.lock = threading.RLock()
        self._scenarios: dict[tuple[str, ...], Scenario] = {(): scenario}
        self._versions: dict[tuple[str, ...], int] = {(): 1}
        self.now = Snapshot(dict(starts))
        self.undone: list[Snapshot] = []
        self.redone: list[Snapshot] = []
        self.last_action: dict[str, Any] | None = None
        #: Changes since the server started or the roadmap was last saved.
        self.num_unsaved = 0
        self.saved_as: str | None = None

    # ---- the scenario ------------------------------------------------------------------

    def scenario(self, sets: tuple[str, ...] | None = None) -> Scenario:
        """The scenario with the what-if expressions `sets` (default: the current ones).

        Raises
        ------
        Refused
            400 with every located problem of the expressions.
        """
        sets = self.now.sets if sets is None else sets
        found = self._scenarios.get(sets)
        if found is None:
            try:
                found = api.load_scenario(
                    self.inputs.packages,
                    self.inputs.constraints,
                    self.inputs.variants,
                    (*self.inputs.sets, *sets),
                )
            except InputError as exc:
                raise Refused(400, "the what-if change cannot be made", exc.lines()) from None
            if len(self._scenarios) >= MAX_SCENARIOS:
                oldest = next(k for k in self._scenarios if k and k != self.now.sets)
                del self._scenarios[oldest]
            self._scenarios[sets] = found
            self._versions.setdefault(sets, max(self._versions.values()) + 1)
        return found

    @property
    def version(self) -> int:
        """Which scenario the page must draw: it changes with the what-if expressions."""
        self.scenario()
        return self._versions[self.now.sets]

    def branch(self) -> Scenario:
        """The current scenario in the branch the assumed outcomes pick."""
        try:
            return assume(self.scenario(), self.now.assumed)
        except InputError as exc:  # (checked when assumed; a what-if can change outcomes)
            raise Refused(400, "the assumed outcomes do not hold", exc.lines()) from None

    def scenario_doc(self) -> dict[str, Any]:
        return views.scenario_doc(self.scenario(), self.version)

    # ---- what the page shows -----------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """The roadmap on screen, checked, with the session's part (pins, what-if
        expressions, assumed outcomes, history, the last action)."""
        t0 = time.perf_counter()
        result = api.check_roadmap(
            self.scenario(), dict(self.now.starts), assumptions=self.now.assumed, size_repair=False
        )
        branch = result.scenario
        starts = {s: t for s, t in self.now.starts.items() if s in branch.steps}
        drawn = outline(branch, starts, result.report)
        extra = {
            "version": self.version,
            "source": self.inputs.source,
            "pinned": sorted(self.now.pinned),
            "sets": list(self.now.sets),
            "assume": list(self.now.assumed),
            "history": {"undo": len(self.undone), "redo": len(self.redone)},
            "unsaved": self.num_unsaved,
            "saved_as": self.saved_as,
            "last_action": self.last_action,
        }
        doc = views.roadmap_doc(branch, self.now.starts, result, drawn, extra)
        doc["server_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return doc

    # ---- history -----------------------------------------------------------------------

    def _go(self, after: Snapshot, action: dict[str, Any] | None) -> None:
        """Make `after` the present, the present undoable."""
        self.undone.append(self.now)
        del self.undone[:-MAX_HISTORY]
        self.redone.clear()
        self.now = after
        self.last_action = action
        self.num_unsaved += 1

    def undo(self) -> None:
        if not self.undone:
            raise Refused(409, "nothing to undo")
        self.redone.append(self.now)
        self.now = self.undone.pop()
        self.last_action = {"kind": "undo"}
        self.num_unsaved += 1

    def redo(self) -> None:
        if not self.redone:
            raise Refused(409, "nothing to redo")
        self.undone.append(self.now)
        self.now = self.redone.pop()
        self.last_action = {"kind": "redo"}
        self.num_unsaved += 1

    # ---- the roadmap -------------------------------------------------------------------

    def _step(self, step: Any) -> str:
        """`step` if it names a step of the deal (any branch)."""
        known = self.scenario().everything().steps
        if not isinstance(step, str) or not step:
            raise Refused(400, "'step' must be a step id (text)")
        if step not in known:
            raise Refused(400, f"unknown step '{step}'{suggest(step, known)}")
        return step

    def time_of(self, value: Any, name: str = "start") -> int:
        """A time as the page sends it (the field `name`): a whole number in the
        scenario's unit, or a calendar date (YYYY-MM-DD, when the scenario has a start
        date: the period it falls in)."""
        scenario = self.scenario()
        unit = scenario.unit
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise Refused(
                400, f"'{name}' must be a whole number of {unit}s or a date, not {value!r}"
            )
        if isinstance(value, str):
            text = value.strip()
            if text.isascii() and text.isdigit() and len(text) <= 10:
                t = int(text)
            else:
                t = self._date_time(text, scenario, name)
        else:
            t = value
        if not 0 <= t <= MAX_NUMBER:
            raise Refused(400, f"'{name}' must be between 0 and {MAX_NUMBER}, not {t}")
        return t

    @staticmethod
    def _date_time(text: str, scenario: Scenario, name: str) -> int:
        unit = scenario.unit
        try:
            date = dt.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            date = None
        if date is None:
            raise Refused(
                400,
                f"'{name}' must be a whole number of {unit}s or a date (YYYY-MM-DD), not {text!r}",
            )
        if scenario.start is None:
            raise Refused(400, f"the scenario has no start date: give '{name}' in {unit}s")
        if unit == "month":
            t = (date.year - scenario.start.year) * 12 + date.month - scenario.start.month
        else:
            t = (date - scenario.start).days // (7 if unit == "week" else 1)
        if t < 0:
            raise Refused(400, f"{text} is before the scenario starts ({scenario.start})")
        return t

    def move(self, step: Any, start: Any) -> None:
        """Start `step` at `start` (None: leave it out of the roadmap)."""
        sid = self._step(step)
        if sid in self.now.pinned:
            raise Refused(409, f"'{sid}' is pinned (it already happened): unpin it to move it")
        starts = dict(self.now.starts)
        if start is None:
            if sid not in starts:
                raise Refused(409, f"'{sid}' is not in the roadmap")
            del starts[sid]
        else:
            t = self.time_of(start)
            if starts.get(sid) == t:
                return  # nothing moved: no history step
            starts[sid] = t
        before = self.now.starts.get(sid)
        self._go(
            replace(self.now, starts=starts),
            {"kind": "move", "step": sid, "before": before, "after": starts.get(sid)},
        )

    def pin(self, step: Any, pinned: Any) -> None:
        """Pin a step where it is (it already happened: `repair --keep`), or unpin it."""
        sid = self._step(step)
        if not isinstance(pinned, bool):
            raise Refused(400, "'pinned' must be true or false")
        if pinned and sid not in self.now.starts:
            raise Refused(409, f"'{sid}' is not in the roadmap, so it cannot be pinned")
        now = self.now.pinned | {sid} if pinned else self.now.pinned - {sid}
        if now != self.now.pinned:
            self._go(replace(self.now, pinned=now), {"kind": "pin", "step": sid, "pinned": pinned})

    # ---- what-if -----------------------------------------------------------------------

    def whatif(self, sets: Any) -> None:
        """Make the what-if `--set` expressions `sets` (replacing the ones before): the
        scenario is loaded with them, the roadmap keeps the steps that still exist."""
        if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
            raise Refused(400, "'sets' must be a list of --set expressions (text)")
        chosen = tuple(sets)
        if chosen == self.now.sets:
            return
        scenario = self.scenario(chosen)  # (refuses bad expressions)
        known = scenario.everything().steps
        starts = {s: t for s, t in self.now.starts.items() if s in known}
        pinned = frozenset(s for s in self.now.pinned if s in known)
        self._go(
            replace(self.now, starts=starts, pinned=pinned, sets=chosen),
            {"kind": "whatif", "sets": list(chosen)},
        )

    def assume_outcomes(self, assumed: Any) -> None:
        """Check the roadmap in a branch of the deal: `ID=OUTCOME` each (`check --assume`)."""
        if not isinstance(assumed, list) or not all(isinstance(s, str) for s in assumed):
            raise Refused(400, "'assume' must be a list of ID=OUTCOME (text)")
        chosen = tuple(assumed)
        try:
            assume(self.scenario(), chosen)
        except InputError as exc:
            raise Refused(400, "the assumed outcomes cannot be taken", exc.lines()) from None
        if chosen != self.now.assumed:
            self._go(replace(self.now, assumed=chosen), {"kind": "assume", "assume": list(chosen)})

    # ---- searches ----------------------------------------------------------------------

    def _adopt(self, kind: str, starts: Mapping[str, int], action: dict[str, Any]) -> None:
        """Take a searched roadmap (every move listed), one undo step; pins stay."""
        scenario = self.branch()
        why: dict[str, Sequence[str]] = action.pop("why", {})
        moves = views.moves_doc(scenario, self.now.starts, starts, why)
        action = {"kind": kind, **action, "moves": moves}
        if dict(starts) == dict(self.now.starts):
            self.last_action = action
            return
        self._go(replace(self.now, starts=dict(starts)), action)

    def repair(self) -> None:
        """The closest roadmap that keeps every hard rule, pinned steps held (`planner
        repair --keep`): taken at once, every move listed; Undo takes it back."""
        from planner.render.plan import conflict_text
        from planner.render.repair import repair_doc

        scenario = self.branch()
        starts = {s: t for s, t in self.now.starts.items() if s in scenario.steps}
        held = sorted(self.now.pinned & set(starts))
        try:
            result = api.repair(
                scenario,
                starts,
                keep=held,
                time_limit=self.inputs.time_limit,
                seed=self.inputs.seed,
            )
        except InputError as exc:
            raise Refused(400, "the roadmap cannot be repaired", exc.lines()) from None
        found = result.repair
        doc = repair_doc(scenario, found, "the roadmap on screen")
        if found.status in ("clean", "repaired"):
            why = {m.step: list(m.why) for m in found.moves}
            self._adopt(
                "repair",
                found.starts,
                {"status": found.status, "proven": found.proven, "repair": doc, "why": why},
            )
            return
        text = conflict_text(scenario, found.conflict) if found.conflict else ""
        self.last_action = {
            "kind": "repair",
            "status": found.status,
            "text": text,
            "notes": list(found.notes),
            "moves": [],
            "repair": doc,
        }

    def plan(self, as_of: Any = None) -> None:
        """The best roadmap from here: with pinned steps, `planner plan --keep --as-of`
        (the pinned steps held where they are; every other step from `as_of` on, by
        default just after the last pinned start); without, `planner plan`."""
        from planner.render.plan import conflict_text, plan_doc

        scenario = self.branch()
        starts = {s: t for s, t in self.now.starts.items() if s in scenario.steps}
        held = {s: starts[s] for s in self.now.pinned if s in starts}
        limit, seed = self.inputs.time_limit, self.inputs.seed
        if as_of is not None:
            as_of = self.time_of(as_of, "as_of")
            if held and as_of <= max(held.values()):
                raise Refused(
                    409,
                    f"as of {scenario.unit} {as_of} a pinned step has not started yet: "
                    f"plan as of {max(held.values()) + 1} or later",
                )
        if held:
            when = as_of if as_of is not None else max(held.values()) + 1
            result = api.replan(scenario, held, when, time_limit=limit, seed=seed, name="the pins")
        else:
            when = None
            result = api.plan(scenario, time_limit=limit, seed=seed)
        if result.candidates:
            best = result.candidates[0]
            self._adopt(
                "plan",
                best.starts,
                {
                    "status": result.status,
                    "as_of": when,
                    "notes": list(result.notes),
                    "values": dict(best.values),
                    "origin": best.origin,
                    "plan": plan_doc(scenario, result),
                },
            )
            return
        self.last_action = {
            "kind": "plan",
            "status": result.status,
            "as_of": when,
            "text": conflict_text(scenario, result.conflict) if result.conflict else "",
            "notes": list(result.notes),
            "moves": [],
        }

    # ---- outputs -----------------------------------------------------------------------

    def save(self, path: Any, overwrite: Any = False) -> dict[str, Any]:
        """Write the roadmap on screen as a file `check` reads (.yaml, .json or .csv):
        never over an input, all or none; an existing file only with `overwrite`."""
        if not isinstance(path, str) or not path.strip() or "\0" in path:
            raise Refused(400, "'path' must be a file name (text)")
        if not isinstance(overwrite, bool):
            raise Refused(400, "'overwrite' must be true or false")
        target = Path(path.strip()).expanduser()
        if target.suffix.lower() not in SUFFIXES:
            raise Refused(400, f"{path}: a roadmap file ends in .yaml, .yml, .json or .csv")
        if target.exists() and not overwrite:
            raise Refused(409, f"{path}: the file exists (save again to replace it)")
        starts = dict(self.now.starts)
        text = roadmap_text(roadmap_doc(self.scenario().everything(), starts), target)
        try:
            write_outputs([(target, text)], self.inputs.protected)
        except OutputError as exc:
            raise Refused(409, str(exc)) from None
        self.num_unsaved = 0
        self.saved_as = str(target)
        return {"saved": str(target), "command": self.check_command(str(target))}

    def check_command(self, path: str) -> str:
        """The command line that checks the saved roadmap as the page does."""
        import shlex

        words = ["planner", "check", path]
        inputs = self.inputs
        if inputs.packages is not None:
            words += ["--packages", str(inputs.packages)]
        if inputs.constraints is not None:
            words += ["--constraints", str(inputs.constraints)]
        for v in inputs.variants:
            words += ["--variant", str(v)]
        for s in (*inputs.sets, *self.now.sets):
            words += ["--set", s]
        for a in self.now.assumed:
            words += ["--assume", a]
        return " ".join(shlex.quote(w) for w in words)

    def report(self) -> str:
        """The HTML report (`planner report`) of the roadmap on screen."""
        from planner.render.results import report_output

        scenario = self.branch()
        starts = {s: t for s, t in self.now.starts.items() if s in scenario.steps}
        return report_output(api.document(scenario, starts, name="the workbench roadmap"), "html")
