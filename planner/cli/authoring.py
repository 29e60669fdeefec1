"""The authoring commands: `init` (a starter scenario), `schema` (the JSON Schemas of the
file kinds) and `graph` (the precondition and rule graph). None of them imports ortools."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.app import answers, app, emit, protected, refuse, scenario
from planner.cli.options import ConstraintsOpt, PackagesOpt, SetOpt, VariantOpt


class Source(StrEnum):
    starter = "starter"
    belarus = "belarus"


DirectoryArg = Annotated[
    Path, typer.Argument(help="Folder to write the scenario into (created if missing).")
]
SourceOpt = Annotated[
    Source,
    typer.Option(
        "--from",
        help="starter: a small commented scenario with one rule of every kind; "
        "belarus: a copy of the embedded U.S.–Belarus default.",
    ),
]
ReplaceOpt = Annotated[bool, typer.Option("--force", help="Replace files that already exist.")]


@app.command()
def init(
    directory: DirectoryArg, source: SourceOpt = Source.starter, force: ReplaceOpt = False
) -> None:
    """Write a new scenario to edit: packages.yaml, constraints/, the JSON Schemas editors read, a README (exit 0, or 2 when a file exists without --force)."""
    from planner.authoring.starter import extra_rule_files, scenario_files
    from planner.output import write_tree

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
    with answers():
        write_tree(outputs, protected(None, None), force)
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


GraphFormatOpt = Annotated[GraphFormat, typer.Option("--format", help="dot (Graphviz) or mermaid.")]
AroundOpt = Annotated[
    str | None, typer.Option("--around", metavar="ID", help="Only the steps near this step.")
]
DepthOpt = Annotated[
    int, typer.Option("--depth", min=0, help="With --around: how many links away.")
]


@app.command()
def graph(
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    fmt: GraphFormatOpt = GraphFormat.dot,
    center: AroundOpt = None,
    depth: DepthOpt = 1,
) -> None:
    """Print the precondition and rule graph: which step waits for which, by which rule (exit 0, or 2 on bad input)."""
    from planner import api
    from planner.explore.graph import RENDERERS
    from planner.explore.lookup import UnknownId

    loaded = scenario(packages, constraints, variant, sets)
    try:
        found = api.graph(loaded, center, depth)
    except UnknownId as exc:
        raise refuse(f"planner graph: --around: {exc}") from None
    emit(RENDERERS[fmt.value](found))
