"""Loading: files → validated, immutable `Scenario`.

Two stages, as in PyVRP: `planner.load.yamlread` turns bytes into located values (refusing
duplicate keys, aliases and oversized input); `steps` and `rules` check every field and
cross-reference, as the dataclasses declare them, and build the scenario. Every problem is
collected and raised together as `InputError`. `files` is the only module that opens input
files. Caching and the scenario's facts are the caller's business (`planner.api`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from planner.errors import InputError, Problem, Problems
from planner.load.files import (
    constraint_files,
    default_paths,
    display_name,
    gc_paused,
    read_file,
)
from planner.load.notes import assumptions
from planner.load.rules import RulesReader
from planner.load.selectors import Selectors
from planner.load.steps import StepsReader
from planner.load.values import time_unit
from planner.load.variants import Overlay, apply_overlay, read_overlay
from planner.load.yamlread import YMap, read_yaml
from planner.model import UNITS
from planner.scenario import Scenario

__all__ = [
    "Inputs",
    "Overlay",
    "build_scenario",
    "default_paths",
    "display_name",
    "read_file",
    "read_inputs",
    "read_overlay",
]


@dataclass(frozen=True, slots=True)
class Inputs:
    """The files of one scenario, read: packages.yaml first, then the rule files, each as
    (display name, bytes); and the problems met reading them."""

    files: tuple[tuple[str, bytes], ...]
    packages_name: str
    problems: tuple[Problem, ...] = field(default=())


def read_inputs(packages: Path | None = None, constraints: Path | None = None) -> Inputs:
    """Read the scenario's files; the embedded default for whatever is not given.

    Raises
    ------
    InputError
        When the constraints folder itself cannot be listed.
    """
    if packages is None or constraints is None:
        default_packages, default_constraints = default_paths()
        packages = packages or default_packages
        constraints = constraints or default_constraints
    problems: list[Problem] = []
    files: list[tuple[str, bytes]] = []
    for path in [packages, *constraint_files(constraints)]:
        try:
            files.append(read_file(path))
        except InputError as exc:
            problems.extend(exc.problems)
    return Inputs(tuple(files), display_name(packages), tuple(problems))


@gc_paused
def build_scenario(inputs: Inputs, overlay: Overlay | None = None) -> Scenario:
    """Parse and validate the scenario in `inputs`, changed by `overlay` (variant files and
    `--set` expressions, `planner.load.variants`) before it is validated.

    Raises
    ------
    InputError
        With every problem in every file (those met reading them included), the variant's
        among them.
    """
    problems = Problems()
    problems.extend(list(inputs.problems))
    docs: list[tuple[str, Any]] = []
    for name, data in inputs.files:
        try:
            docs.append((name, read_yaml(name, data)))
        except InputError as exc:
            problems.absorb(exc)
    if not docs or docs[0][0] != inputs.packages_name:
        problems.raise_if_any()
    with time_unit(_unit(docs[0][1])):  # a time written with its unit changes in the unit
        variant, changes = apply_overlay(problems, docs, overlay) if overlay else ("", ())
    whole = replace(_build(problems, docs, inputs.files[0][1]), variant=variant, changes=changes)
    # The main roadmap's scenario: the steps that happen only on other outcomes (a failed
    # verification, an event's other outcomes) are left out; `Scenario.branch` gives others.
    return whole.branch()


def _unit(doc: Any) -> str:
    """The unit the scenario file declares (a week when it declares none, or a wrong one:
    that is reported where the scenario section is read)."""
    meta = doc.get("scenario") if isinstance(doc, YMap) else None
    unit = meta.get("unit") if isinstance(meta, YMap) else None
    return unit if unit in UNITS else "week"


def _build(problems: Problems, docs: Sequence[tuple[str, Any]], text: bytes) -> Scenario:
    with time_unit(_unit(docs[0][1])) as conversions:
        steps = StepsReader(problems)
        steps.read(*docs[0])
        rules = RulesReader(problems)
        for name, doc in docs[1:]:
            rules.read(name, doc)
        selectors = Selectors(
            problems, steps.steps, steps.actors, steps.packages, steps_known=steps.steps_known
        )
        built = rules.build(selectors)
        uncertainty = steps.uncertainty(selectors)
    problems.raise_if_any()
    meta = steps.meta
    owners = [(p.mark.line, "package", p.id) for p in steps.packages]
    owners += [(s.mark.line, "step", s.id) for s in steps.steps.values()]
    return Scenario(
        name=meta["name"] or "unnamed scenario",
        unit=meta["unit"],
        start=meta["start"],
        description=meta["description"],
        objectives=meta["objectives"],
        phases=meta["phases"],
        uncertainty=uncertainty,
        actors=dict(steps.actors),
        packages=tuple(steps.packages),
        steps=dict(steps.steps),
        rules=tuple(built),
        files=tuple(name for name, _ in docs),
        assumptions=assumptions(docs[0][0], text, owners),
        conversions=tuple(conversions),
    )
