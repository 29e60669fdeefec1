"""The authoring commands: `init` (a starter scenario), `schema` (the JSON Schemas of the
file kinds) and `graph` (the precondition and rule graph). None of them imports ortools."""

from __future__ import annotations

import contextlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.app import (
    ConstraintsOpt,
    PackagesOpt,
    SetOpt,
    VariantOpt,
    answers,
    app,
    emit,
    protected,
    refuse,
    scenario,
)


class Source(StrEnum):
    starter = "starter"
    belarus = "belarus"


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the scenario into (created if missing).")
    ],
    source: Annotated[
        Source,
        typer.Option(
            "--from",
            help="starter: a small commented scenario with one rule of every kind; "
            "belarus: a copy of the embedded U.S.–Belarus default.",
        ),
    ] = Source.starter,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files that already exist.")
    ] = False,
) -> None:
    """Write a new scenario to edit: packages.yaml, constraints/, the JSON Schemas editors read, a README (exit 0, or 2 when a file exists without --force)."""
    from planner.authoring.starter import extra_rule_files, scenario_files
    from planner.output import OutputError, write_outputs

    if directory.exists() and not directory.is_dir():
        raise refuse(f"{directory}: is not a directory")
    with answers():
        files = scenario_files(source.value)
    outputs = [(directory / name, data) for name, data in files.items()]
    existing = [path for path, _ in outputs if path.exists() or path.is_symlink()]
    if existing and not force:
        for path in existing:
            typer.echo(f"{path}: exists; add --force to replace it", err=True)
        raise typer.Exit(code=2)
    created: list[Path] = []
    for folder in sorted({path.parent for path, _ in outputs}, key=lambda p: len(p.parts)):
        for part in [*reversed(folder.parents), folder]:
            if not part.exists() and part not in created:
                try:
                    part.mkdir()
                except OSError as exc:
                    _remove(created)
                    raise refuse(f"{part}: cannot create: {exc.strerror}") from None
                created.append(part)
    try:
        write_outputs(outputs, protected(None, None), force)
    except OutputError as exc:
        _remove(created)
        raise refuse(str(exc)) from None
    for path in extra_rule_files(directory, files):
        typer.echo(
            f"note: {path} is not part of the {source.value} scenario and will be read as rules",
            err=True,
        )
    emit(
        f"wrote {len(outputs)} files into {directory}\n"
        f"next: planner validate --packages {directory / 'packages.yaml'} "
        f"--constraints {directory / 'constraints'}"
    )


def _remove(folders: list[Path]) -> None:
    """Remove the folders `init` created, innermost first, when nothing was written."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


class FileKind(StrEnum):
    packages = "packages"
    constraints = "constraints"
    roadmap = "roadmap"


@app.command()
def schema(
    kind: Annotated[
        FileKind, typer.Argument(help="Which file kind: packages, constraints or roadmap.")
    ],
) -> None:
    """Print the JSON Schema (draft 2020-12) of a file kind, generated from the field declarations (exit 0)."""
    from planner.authoring.schema import schema_text

    emit(schema_text(kind.value))


class GraphFormat(StrEnum):
    dot = "dot"
    mermaid = "mermaid"


@app.command()
def graph(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    fmt: Annotated[
        GraphFormat, typer.Option("--format", help="dot (Graphviz) or mermaid.")
    ] = GraphFormat.dot,
    center: Annotated[
        str | None, typer.Option("--around", metavar="ID", help="Only the steps near this step.")
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", min=0, help="With --around: how many links away.")
    ] = 1,
) -> None:
    """Print the precondition and rule graph: which step waits for which, by which rule (exit 0, or 2 on bad input)."""
    from planner.explore.graph import RENDERERS, around, build_graph
    from planner.load.values import suggest

    loaded = scenario(packages, constraints)
    found = build_graph(loaded)
    if center is not None:
        if center not in loaded.steps:
            raise refuse(
                f"planner graph: --around: unknown step '{center}'{suggest(center, loaded.steps)}"
            )
        found = around(found, center, depth)
    emit(RENDERERS[fmt.value](found))
