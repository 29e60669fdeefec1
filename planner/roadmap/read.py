"""Reading roadmap files: YAML or JSON (start times per step, or an ordered sequence) and
CSV, checked against a scenario. Derived fields are checked, never trusted."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from planner.errors import InputError, Mark, Problem, Problems
from planner.limits import MAX_TIME
from planner.load.files import display_name, gc_paused, read_file
from planner.load.values import Reader, check_id, check_nat, describe, suggest
from planner.load.yamlread import YMap, read_yaml
from planner.model import Step
from planner.render.escape import csv_text
from planner.roadmap.lines import ENTRY_FIELDS, Compact, Row, expand, read_roadmap_steps
from planner.scenario import Scenario

ROADMAP_TOP = ("roadmap", "scenario", "unit", "objectives", "note")


@dataclass(frozen=True, slots=True)
class RoadmapFile:
    """A roadmap as written: start times per step, or an ordered sequence of step ids;
    `edits` notes each derived field the file gives otherwise than the scenario (the
    person edited `start`: the field is recomputed, not an error)."""

    name: str
    starts: dict[str, int] | None = None
    sequence: tuple[str, ...] | None = None
    edits: tuple[Problem, ...] = ()


#: A roadmap file is refused unread past this many bytes, plus PER_STEP_BYTES for each step
#: of the scenario (`plan -o` writes 200 to 300 bytes a step, with its title): a larger
#: one can only list steps the scenario does not have, or list them again.
BASE_BYTES = 1024 * 1024
PER_STEP_BYTES = 1024


#: Unknown steps of one roadmap looked up for "did you mean" at most (each lookup costs
#: up to a millisecond; the first MAX_LISTED of them are listed).
MAX_SUGGESTED = 1000


def size_limit(scenario: Scenario) -> int:
    """The largest roadmap file read against `scenario`, in bytes."""
    return BASE_BYTES + PER_STEP_BYTES * len(scenario.steps)


@gc_paused
def load_roadmap(path: Path, scenario: Scenario) -> RoadmapFile:
    """Read a roadmap file (YAML, JSON or CSV by suffix) against a scenario.

    Raises
    ------
    InputError
        Unknown or duplicate steps, bad times, inconsistent derived fields, malformed files,
        a file too large for any roadmap of the scenario (`size_limit`).
    """
    _refuse_oversized(path, scenario)
    name, data = read_file(path)
    problems = Problems()
    edits: list[Problem] = []
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(name, data, problems)
        result = RoadmapFile(name, starts=_starts(name, rows, scenario, problems, edits))
    else:
        fast = read_roadmap_steps(name, data)
        if fast is not None:
            result = _roadmap_doc(name, fast[0], scenario, problems, edits, fast[1])
        else:
            # JSON is read by the YAML reader too: the same duplicate-key refusal and marks.
            doc = read_yaml(name, data, json_numbers=path.suffix.lower() == ".json")
            result = _roadmap_doc(name, doc, scenario, problems, edits)
    problems.raise_if_any()
    return replace(result, edits=tuple(sorted(edits, key=lambda p: p.mark)))


def _refuse_oversized(path: Path, scenario: Scenario) -> None:
    """Refuse, before reading it, a file larger than any roadmap of `scenario` can be."""
    try:
        size = path.stat().st_size if path.is_file() else 0
    except OSError:
        return  # read_file says what is wrong
    limit = size_limit(scenario)
    if size > limit:
        n = len(scenario.steps)
        raise InputError(
            [
                Problem(
                    Mark(display_name(path)),
                    f"file is {size:,} bytes; a roadmap of this scenario's {n:,} "
                    f"step{'s' * (n != 1)} is at most {limit:,}",
                )
            ]
        )


def _roadmap_doc(
    name: str,
    doc: Any,
    scenario: Scenario,
    problems: Problems,
    edits: list[Problem],
    rows: Sequence[Row | Compact] | None = None,
) -> RoadmapFile:
    """The roadmap in `doc`; `rows` are its `steps` entries when the fast path
    (`planner.roadmap_lines`) read them, leaving `doc`'s list empty."""
    if not isinstance(doc, YMap):
        problems.add(
            getattr(doc, "mark", Mark(name, 1, 1)),
            f"a roadmap file must be a mapping with 'roadmap', not {describe(doc)}",
        )
        return RoadmapFile(name)
    top = Reader(problems, doc, "roadmap file", ROADMAP_TOP)
    unit = top.raw("unit", None)
    if unit is not None and unit != scenario.unit:
        top.fail("unit", f"roadmap counts in {unit}s, but the scenario counts in {scenario.unit}s")
    body = top.mapping("roadmap")
    if body is None:
        return RoadmapFile(name)
    r = Reader(problems, body, "roadmap", ("steps", "sequence"))
    if ("steps" in body) == ("sequence" in body):
        problems.add(body.mark, "roadmap: give either 'steps' (with start times) or 'sequence'")
        return RoadmapFile(name)
    if "sequence" in body:
        items = r.sequence("sequence")
        seen: dict[str, int] = {}
        unknown: list[str] = []
        for i, sid in enumerate(items or []):
            where = items.at(i)
            sid = check_id(problems, where, "roadmap", "sequence", sid)
            if _known_step(sid, where, scenario, problems, unknown) and _first_time(
                sid, where, seen, problems
            ):
                seen[sid] = where.line
        return RoadmapFile(name, sequence=tuple(seen))
    items = r.sequence("steps")
    if rows is not None:
        return RoadmapFile(name, starts=_starts(name, rows, scenario, problems, edits))
    read: list[Row | Compact] = []
    for i, item in enumerate(items or []):
        if not isinstance(item, YMap):
            problems.add(items.at(i), f"a roadmap entry is {{step, start}}, not {describe(item)}")
            continue
        Reader(problems, item, "roadmap entry", ENTRY_FIELDS, "step")
        read.append((item.mark, {k: (v, item.at(k)) for k, v in item.items()}))
    return RoadmapFile(name, starts=_starts(name, read, scenario, problems, edits))


#: The derived fields compared with the scenario, in the order `_derived` gives them.
CHECKED_FIELDS = ("end", "done", "actor", "package", "kind", "title")


def _derived(step: Step, start: int) -> tuple[int, int, str, str, str, str]:
    """What the CHECKED_FIELDS of `step` are when it starts at `start`."""
    return (
        start + step.duration,
        start + step.done_offset,
        step.actor,
        step.package,
        step.kind,
        step.title,
    )


def _known_step(
    sid: str, where: Mark, scenario: Scenario, problems: Problems, unknown: list[str]
) -> bool:
    """Whether `sid` is a step of the scenario; else a problem, with "did you mean" for
    the first MAX_SUGGESTED unknown steps (`unknown` lists those met): 800,000 unknown
    steps must not cost 800,000 searches, of which 20 are listed."""
    if sid in scenario.steps:
        return True
    if sid:
        hint = suggest(sid, scenario.steps) if len(unknown) < MAX_SUGGESTED else ""
        unknown.append(sid)
        problems.add(where, f"roadmap: unknown step '{sid}'{hint}")
    return False


def _first_time(sid: str, where: Mark, seen: dict[str, int], problems: Problems) -> bool:
    """False, with a problem, when `sid` was listed before (`seen`: step -> line)."""
    if sid in seen:
        problems.add(where, f"roadmap: step '{sid}' is listed twice (first at line {seen[sid]})")
        return False
    return True


def _starts(
    name: str,
    rows: Iterable[Row | Compact],
    scenario: Scenario,
    problems: Problems,
    edits: list[Problem],
) -> dict[str, int]:
    """Start times from the entries of roadmap file `name`; each derived field that says
    otherwise than the scenario is noted in `edits`."""
    starts: dict[str, int] = {}
    seen: dict[str, int] = {}  # step -> the line it was first listed on
    unknown: list[str] = []
    steps = scenario.steps
    for entry in rows:
        if len(entry) == 5:  # a compact entry: its id and start are well formed
            sid, start, line, _, derived = entry
            if (
                sid in steps
                and sid not in seen
                and (not derived or derived == _derived(steps[sid], start))
            ):
                seen[sid] = line
                starts[sid] = start
                continue
            entry = expand(name, entry)  # something to report: read it in full
        mark, row = entry
        if "step" not in row:
            problems.add(mark, "roadmap entry: missing field 'step'")
            continue
        if "start" not in row:
            problems.add(mark, "roadmap entry: missing field 'start'")
            continue
        sid = check_id(problems, row["step"][1], "roadmap", "step", row["step"][0])
        where = row["step"][1]
        start = check_nat(
            problems, row["start"][1], f"step '{sid}': 'start'", row["start"][0], 0, MAX_TIME
        )
        if not (
            _known_step(sid, where, scenario, problems, unknown)
            and _first_time(sid, where, seen, problems)
        ):
            continue
        seen[sid] = where.line
        starts[sid] = start
        if len(row) == 2:
            continue  # just step and start: nothing derived to check
        expect = zip(CHECKED_FIELDS, _derived(scenario.steps[sid], start), strict=True)
        for key, want in expect:
            if key in row and row[key][0] != want and str(row[key][0]) != str(want):
                edits.append(
                    Problem(
                        row[key][1],
                        f"note: step '{sid}': '{key}' is {describe(row[key][0])}, but the "
                        f"scenario gives {describe(want)}: recomputed",
                    )
                )
    return starts


_CSV_INT = re.compile(r"-?[0-9]+\Z")
_CSV_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]*\Z")


#: A CSV time of more digits than this is refused as such (times go up to 2**53, 16
#: digits; Python itself refuses to read integers of 4,300 digits and more).
MAX_DIGITS = 30


def _csv_number(cell: str) -> Any:
    """A CSV time cell's value: an integer written with the digits 0-9 (spaces around it
    are dropped, as in the header), a decimal number (refused later as not whole), or
    the text itself (refused later as not a number): '٣' and '1_000' are not numbers.
    Raises ValueError for an integer too long to be a time."""
    if _CSV_INT.match(cell):
        if len(cell.lstrip("-")) > MAX_DIGITS:
            shown = cell if len(cell) <= 40 else cell[:37] + "..."
            raise ValueError(f"'{shown}' is too long a number ({len(cell):,} characters)")
        return int(cell)
    if _CSV_DECIMAL.match(cell):
        return float(cell)
    return cell


def _csv_rows(name: str, data: bytes, problems: Problems) -> Iterable[Row]:
    """CSV rows with a `step,start` header, values typed (integers where they look so).
    The header is read at once; the rows as they are used, so that a file of many bad
    rows is never held whole (its problems past MAX_COLLECTED are only counted)."""
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(Mark(name), f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.add(Mark(name, 1, 1), f"CSV error: {exc}")
        return []
    if header is None:
        problems.add(Mark(name, 1, 1), "empty CSV file: expected a 'step,start' header")
        return []
    raw, header = header, [h.strip() for h in header]
    first_at: dict[str, int] = {}
    for i, h in enumerate(header):
        col = 1 + sum(len(x) + 1 for x in raw[:i])
        if h not in ENTRY_FIELDS:
            problems.add(Mark(name, 1, col), f"unknown CSV column '{h}'{suggest(h, ENTRY_FIELDS)}")
        elif h in first_at:
            problems.add(
                Mark(name, 1, col), f"CSV column '{h}' is repeated (first at column {first_at[h]})"
            )
        first_at.setdefault(h, col)
    if len(first_at) < len(header):
        return []
    if "step" not in header or "start" not in header:
        problems.add(Mark(name, 1, 1), "CSV header must name the columns 'step' and 'start'")
        return []
    return _csv_records(name, reader, header, problems)


def _csv_records(name: str, reader: Any, header: list[str], problems: Problems) -> Iterator[Row]:
    import csv

    mark = functools.partial(tuple.__new__, Mark)  # without NamedTuple's Python-level __new__
    try:
        for record in reader:
            line = reader.line_num
            if not "".join(record).strip():
                continue
            if len(record) != len(header):
                problems.add(
                    Mark(name, line, 1), f"row has {len(record)} cells, the header {len(header)}"
                )
                continue
            row: dict[str, tuple[Any, Mark]] = {}
            col = 1
            whole = True
            for h, cell in zip(header, record, strict=True):
                value: Any = cell.strip()
                if h in ("actor", "package", "kind", "title"):
                    value = csv_text(value)  # a formula's guard, as `plan -o` writes it
                elif h in ("start", "end", "done"):
                    try:
                        value = _csv_number(value)
                    except ValueError as exc:
                        problems.add(Mark(name, line, col), f"'{h}': {exc}")
                        whole = False
                row[h] = (value, mark((name, line, col)))
                col += len(cell) + 1
            if whole:
                yield mark((name, line, 1)), row
    except csv.Error as exc:
        problems.add(Mark(name, reader.line_num, 1), f"CSV error: {exc}")
