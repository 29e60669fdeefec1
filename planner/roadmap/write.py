"""Writing roadmap files: the text of what `plan -o` writes and `check` reads back, as YAML
(one flow mapping per line, the fast path's shape), JSON or CSV. Pure functions, no I/O."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.render.escape import csv_cell, yaml_printable
from planner.scenario import Scenario

#: Suffixes a roadmap file may have, by format.
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


def roadmap_rows(scenario: Scenario, starts: Mapping[str, int]) -> list[dict[str, Any]]:
    """One row per scheduled step, by start time (ties in scenario order), with the
    derived end and done times, actor, package, kind and title."""
    position = {s: i for i, s in enumerate(scenario.steps)}
    rows = []
    for s in sorted(starts, key=lambda s: (starts[s], position[s])):
        step = scenario.steps[s]
        rows.append(
            {
                "step": s,
                "start": starts[s],
                "end": starts[s] + step.duration,
                "done": starts[s] + step.done_offset,
                "actor": step.actor,
                "package": step.package,
                "kind": step.kind,
                "title": step.title,
            }
        )
    return rows


def roadmap_doc(
    scenario: Scenario, starts: Mapping[str, int], values: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """The roadmap file `check` reads, with derived fields for the reader."""
    doc: dict[str, Any] = {"scenario": scenario.name, "unit": scenario.unit}
    if values:
        doc["objectives"] = dict(values)
    doc["roadmap"] = {"steps": roadmap_rows(scenario, starts)}
    return doc


def _yaml_scalar(value: Any) -> str:
    """A scalar as YAML: JSON-quoted text (valid YAML; what YAML refuses even in quotes,
    a C1 control, escaped), bare numbers."""
    if isinstance(value, str):
        return yaml_printable(json.dumps(value, ensure_ascii=False))
    return str(value)


def roadmap_yaml(doc: Mapping[str, Any]) -> str:
    """YAML our strict reader accepts: flow mappings, JSON-quoted strings, no anchors."""
    lines = ["# written by `planner plan`; `planner check` reads it back"]
    for key, value in doc.items():
        if key == "roadmap":
            lines.append("roadmap:")
            lines.append("  steps:")
            for row in value["steps"]:
                inner = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in row.items())
                lines.append(f"    - {{{inner}}}")
        elif isinstance(value, dict):
            lines.append(
                f"{key}: {{" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items()) + "}"
            )
        else:
            lines.append(f"{key}: {_yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def roadmap_csv(doc: Mapping[str, Any]) -> str:
    """The roadmap as CSV; a title a spreadsheet would run as a formula (`=HYPERLINK(...)`)
    gets a `'` before it, which `check` takes off again (`planner.render.escape`)."""
    buf = io.StringIO()
    rows = doc["roadmap"]["steps"]
    writer = csv.DictWriter(
        buf, fieldnames=list(rows[0]) if rows else ["step", "start"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def roadmap_json(doc: Mapping[str, Any]) -> str:
    """JSON that the YAML reader `check` uses accepts (`escape.yaml_printable`)."""
    return yaml_printable(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def roadmap_text(doc: Mapping[str, Any], path: Path) -> str:
    """The roadmap file for `path`, in the format its suffix names (YAML otherwise)."""
    fmt = SUFFIXES.get(path.suffix.lower(), "yaml")
    if fmt == "json":
        return roadmap_json(doc)
    if fmt == "csv":
        return roadmap_csv(doc)
    return roadmap_yaml(doc)


def alternative_paths(out: Path, count: int) -> list[Path]:
    """FILE for the best roadmap, FILE-stem.alt2.suffix ... for the alternatives."""
    return [out] + [out.with_name(f"{out.stem}.alt{i}{out.suffix}") for i in range(2, count + 1)]
