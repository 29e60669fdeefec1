"""The roadmap format: a start time per scheduled step (or an ordered sequence), read from
and written to YAML, JSON and CSV (`read`, `write`, with a fast path for one entry per
line in `lines`); the times of a sequence (`sequence`); a roadmap's package order
(`packages`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import Problem
from planner.roadmap.read import RoadmapFile, load_roadmap
from planner.roadmap.sequence import SEQUENCE_NOTE, starts_from_sequence
from planner.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Roadmap:
    """A roadmap read from a file: a start time per scheduled step. A sequence's times are
    worked out (`starts_from_sequence`), and `notes` says so."""

    name: str
    starts: dict[str, int]
    notes: tuple[str, ...] = field(default=())
    sequence: tuple[str, ...] | None = None
    #: Derived fields the file gives otherwise than the scenario (recomputed), located.
    edits: tuple[Problem, ...] = field(default=())


def read_roadmap(path: Path, scenario: Scenario) -> Roadmap:
    """The roadmap in `path` (YAML, JSON or CSV), read against `scenario`.

    Raises
    ------
    planner.errors.InputError
        Unknown or repeated steps, bad times, malformed files.
    """
    written = load_roadmap(path, scenario)
    return as_roadmap(written, scenario)


def as_roadmap(written: RoadmapFile, scenario: Scenario) -> Roadmap:
    """Start times for what a roadmap file holds."""
    if written.sequence is not None:
        starts = starts_from_sequence(scenario, written.sequence)
        return Roadmap(written.name, starts, (SEQUENCE_NOTE,), written.sequence, written.edits)
    return Roadmap(written.name, dict(written.starts or {}), edits=written.edits)
