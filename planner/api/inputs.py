"""Reading a scenario and a roadmap, and asking what the scenario says (`validate
--explain`, `graph`)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import planner.load.cache as cache
from planner.load import build_scenario, read_inputs, read_overlay
from planner.load.files import gc_paused
from planner.roadmap import Roadmap, read_roadmap
from planner.scenario import Scenario

if TYPE_CHECKING:
    from planner.explore.graph import Graph

#: A roadmap as the calls take it: read already, or the path of its file.
#: A roadmap as the calls take it: read, a file's path, or a start time per step (a
#: notebook's dict; its steps are not checked against the scenario here).
RoadmapLike = Roadmap | str | os.PathLike[str] | Mapping[str, int]


@gc_paused
def load_scenario(
    packages: Path | None = None,
    constraints: Path | None = None,
    variants: Sequence[Path] = (),
    sets: Sequence[str] = (),
) -> Scenario:
    """Load and validate a scenario; the embedded default for whatever is not given.

    `variants` (variant files) and `sets` (`--set` expressions) change it before it is
    validated (`planner.load.variants`); the scenario says which changes they made
    (`Scenario.variant`, `Scenario.changes`).

    A large scenario is kept in the scenario cache (`planner.load.cache`) with the facts of the
    scenario alone (`Scenario.prepare`) worked out, and read back from it while its files
    (and its variant) are unchanged.

    Raises
    ------
    planner.errors.InputError
        With every problem in every file, each located (bad variants and `--set`
        expressions among them).
    """
    inputs = read_inputs(packages, constraints)
    overlay, problems = read_overlay(variants, sets)
    if problems:
        inputs = replace(inputs, problems=inputs.problems + tuple(problems))
    key = None if inputs.problems else cache.key([*inputs.files, *overlay.key_parts()])
    cached = cache.get(key)
    if cached is not None:
        return cached
    scenario = build_scenario(inputs, overlay).prepare()
    cache.put(key, scenario)
    return scenario


def assume(scenario: Scenario, assumptions: Sequence[str]) -> Scenario:
    """The branch of the scenario where each `ID=OUTCOME` holds (`check --assume`): a
    verification's `fails` or `passes`, an event's outcome; every other verification
    passes and every other event takes its first outcome.

    Raises
    ------
    planner.errors.InputError
        One line per bad assumption, `--assume: ...`: not `ID=OUTCOME`, an unknown step, a
        step with no outcomes, an outcome it cannot have, a step assumed twice.
    """
    from planner.errors import InputError, Mark, Problem
    from planner.load.values import suggest

    whole = scenario.everything()
    problems: list[Problem] = []
    chosen: dict[str, str] = {}
    for i, item in enumerate(assumptions, 1):
        where = Mark("--assume", 0, i)
        trigger, sep, outcome = item.partition("=")
        trigger, outcome = trigger.strip(), outcome.strip()
        options = whole.outcomes_of(trigger) if trigger in whole.steps else ()
        if not sep or not trigger or not outcome:
            message = f"'{item}': write ID=OUTCOME (e.g. by-pledge=fails)"
        elif trigger not in whole.steps:
            message = f"unknown step '{trigger}'{suggest(trigger, whole.steps)}"
        elif not options:
            message = f"'{trigger}' has no outcomes: it is no event, and has no verification"
        elif outcome not in options:
            message = (
                f"'{trigger}' cannot turn out '{outcome}'{suggest(outcome, options)}; "
                f"its outcomes are {', '.join(options)}"
            )
        elif trigger in chosen:
            message = f"'{trigger}' is assumed twice"
        else:
            chosen[trigger] = outcome
            continue
        problems.append(Problem(where, message))
    if problems:
        raise InputError(problems)
    return scenario.branch({**dict(scenario.assumed), **chosen}) if chosen else scenario


def load_roadmap(path: str | os.PathLike[str], scenario: Scenario) -> Roadmap:
    """The roadmap in a file (YAML or JSON with start times or a sequence, or CSV).

    Raises
    ------
    planner.errors.InputError
        Unknown or repeated steps, bad times, malformed files.
    """
    return read_roadmap(Path(path), scenario)


def roadmap_of(scenario: Scenario, roadmap: RoadmapLike) -> tuple[Roadmap, str]:
    """`roadmap` read (when it is a path) against `scenario`, and how to name it: the
    path as given, or the name it was read under."""
    if isinstance(roadmap, Roadmap):
        return roadmap, roadmap.name
    if isinstance(roadmap, Mapping):
        from planner.errors import InputError, Mark, Problem
        from planner.load.values import suggest

        known = scenario.everything().steps
        wrong = [
            Problem(Mark("roadmap", 0, 0), f"unknown step '{s}'{suggest(str(s), known)}")
            for s in roadmap
            if s not in known
        ]
        if wrong:
            raise InputError(wrong)
        return Roadmap("the roadmap", dict(roadmap)), "the roadmap"
    return load_roadmap(roadmap, scenario), os.fspath(roadmap)


def describe(scenario: Scenario, item_id: str) -> str:
    """What the loader made of one step or rule (`planner validate --explain ID`):
    selectors resolved, preconditions, the rules that mention it, its earliest start and
    why.

    Raises
    ------
    planner.explore.lookup.UnknownId
        No step and no rule has that id.
    """
    from planner.explore.lookup import explain_id

    return explain_id(scenario, item_id)


def graph(scenario: Scenario, center: str | None = None, depth: int = 1) -> Graph:
    """The precondition and rule graph (`planner graph`), or its part within `depth`
    links of the step `center`.

    Raises
    ------
    planner.explore.lookup.UnknownId
        `center` names no step.
    """
    from planner.explore.graph import around, build_graph
    from planner.explore.lookup import UnknownId
    from planner.load.values import suggest

    found = build_graph(scenario)
    if center is None:
        return found
    if center not in scenario.steps:
        raise UnknownId(f"unknown step '{center}'{suggest(center, scenario.steps)}")
    return around(found, center, depth)
