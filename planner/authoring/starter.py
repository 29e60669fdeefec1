"""The files `planner init DIR` writes: a starter scenario (packages.yaml and a README stub,
package data under `planner/authoring/templates/starter`, and one rule file per rule kind:
the kind's `example`, from the registry) or a copy of the embedded default, each with the
JSON Schemas its first lines point editors at (`schemas/`). Pure but for reading the
package's own files; `planner.cli.authoring` writes them (through
`planner.output.write_outputs`)."""

from __future__ import annotations

import contextlib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from planner.authoring.schema import (
    KINDS_OF_FILES,
    schema_file_name,
    schema_text,
    yaml_language_server_line,
)
from planner.errors import InputError
from planner.load.files import constraint_files, default_paths, read_file
from planner.rules import KINDS

#: Where `init` writes the schemas, relative to the scenario folder.
SCHEMA_FOLDER = "schemas"
SOURCES = ("starter", "belarus")
_README = {
    "starter": (
        "Starter deal",
        "A small, commented scenario written by `planner init`: one rule of every kind, "
        "to edit into your own deal.",
    ),
    "belarus": (
        "U.S.–Belarus normalization roadmap",
        "A copy of relief-planner's embedded default scenario, written by `planner init "
        "--from belarus`: the Quincy Institute brief *Desecuritizing the Belarusian "
        "Balcony*, every step and rule quoting the brief in `source`.",
    ),
}


def _template() -> Traversable:
    return resources.files("planner.authoring").joinpath("templates", "starter")


def _starter_files() -> dict[str, bytes]:
    """The starter's packages.yaml, and one rule file per kind: the kind's `example`."""
    out = {"packages.yaml": _template().joinpath("packages.yaml").read_bytes()}
    for name, cls in KINDS.items():
        out[f"constraints/{name}.yaml"] = cls.example.encode("utf-8")
    return out


def _default_files() -> dict[str, bytes]:
    """The embedded default scenario's files, read as the loader reads them."""
    packages, constraints = default_paths()
    out = {"packages.yaml": read_file(packages)[1]}
    for path in constraint_files(constraints):
        out[f"constraints/{path.name}"] = read_file(path)[1]
    return out


def point_at_schemas(name: str, data: bytes) -> bytes:
    """A YAML file of the scenario with its first line pointing at `schemas/` beside it
    (the line replaced when the file has one, added when not)."""
    kind = "packages" if name == "packages.yaml" else "constraints"
    up = "../" * name.count("/")
    line = yaml_language_server_line(kind, f"{up}{SCHEMA_FOLDER}").encode()
    first, sep, rest = data.partition(b"\n")
    if first.startswith(b"# yaml-language-server:"):
        return line + sep + rest
    return line + b"\n" + data


def scenario_files(source: str) -> dict[str, bytes]:
    """Every file `init` writes for `source` ("starter" or "belarus"), by path relative
    to the scenario folder.

    Raises
    ------
    InputError
        When the embedded default cannot be read (an installation without it).
    """
    files = _starter_files() if source == "starter" else _default_files()
    out = {
        name: point_at_schemas(name, data) if name.endswith(".yaml") else data
        for name, data in files.items()
    }
    title, origin = _README[source]
    readme = Template(_template().joinpath("README.md").read_text(encoding="utf-8"))
    out["README.md"] = readme.substitute(title=title, origin=origin).encode()
    for kind in KINDS_OF_FILES:
        out[f"{SCHEMA_FOLDER}/{schema_file_name(kind)}"] = schema_text(kind).encode()
    return dict(sorted(out.items()))


def extra_rule_files(directory: Path, files: dict[str, bytes]) -> list[Path]:
    """Rule files already in the scenario's constraints folder that `init` did not write
    (they are read as rules with the new ones)."""
    with contextlib.suppress(InputError):
        return [
            p
            for p in constraint_files(directory / "constraints")
            if f"constraints/{p.name}" not in files
        ]
    return []
