"""`serve`: the negotiation workbench in the browser (`planner.serve`)."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import app, emit, interrupted, protected, refuse, roadmap, scenario
from planner.cli.options import (
    ConstraintsOpt,
    PackagesOpt,
    SetOpt,
    VariantOpt,
    seed_option,
    time_limit_option,
)

if TYPE_CHECKING:
    from planner.scenario import Scenario

ServeRoadmapArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="[ROADMAP]",
        help="Roadmap file to start from (YAML, JSON or CSV). Default: the best plan.",
    ),
]
PortOpt = Annotated[
    int, typer.Option("--port", min=0, max=65535, help="Port to listen on. Default: a free one.")
]
HostOpt = Annotated[
    str,
    typer.Option(
        "--host",
        help="Address to listen on. Default: 127.0.0.1, this machine only; any other is "
        "reachable from elsewhere (with a warning): anyone with the URL can use the workbench.",
    ),
]
OpenOpt = Annotated[bool, typer.Option("--open", help="Open the workbench in the browser.")]
ServeTimeOpt = Annotated[
    float, time_limit_option("Seconds for each Plan and Repair (and the first plan).")
]
ServeSeedOpt = Annotated[int, seed_option("Solver seed for Plan and Repair: same answers.")]


@app.command()
def serve(
    roadmap_file: ServeRoadmapArg = None,
    packages: PackagesOpt = None,
    constraints: ConstraintsOpt = None,
    variant: VariantOpt = None,
    sets: SetOpt = None,
    port: PortOpt = 0,
    host: HostOpt = "127.0.0.1",
    open_browser: OpenOpt = False,
    time_limit: ServeTimeOpt = 10.0,
    seed: ServeSeedOpt = 0,
) -> None:
    """A negotiation workbench in the browser: drag a step, see every rule, repair live (prints its URL; Ctrl-C stops it, exit 0).

    Serves this machine only unless --host says otherwise; every request carries the
    URL's token. Nothing is written but by the page's Save (never over an input)."""
    from planner.serve.run import serve as run
    from planner.serve.session import Inputs, Session

    loaded = scenario(packages, constraints, variant, sets)
    read = roadmap(roadmap_file, loaded) if roadmap_file is not None else None
    sock = listen(host, port)  # (before the first plan: a port in use says so at once)
    starts = read.starts if read is not None else best_plan(loaded, time_limit, seed)
    inputs = [*(variant or ()), *([roadmap_file] if roadmap_file else [])]
    settings = Inputs(packages, constraints, tuple(variant or ()), tuple(sets or ()),
                      str(roadmap_file or "the best plan"), time_limit, seed,
                      protected(packages, constraints, *inputs))  # fmt: skip
    os.environ["RELIEF_PLANNER_CACHE"] = "off"  # a what-if reload writes no cache file
    session = Session(settings, loaded, starts)
    typer.echo("Open the workbench at this URL (Ctrl-C stops it):", err=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn stopped, then passed it on
        run(session, sock, host, emit, open_browser)
    unsaved = f" ({session.num_unsaved} unsaved changes dropped)" if session.num_unsaved else ""
    typer.echo(f"planner serve: stopped{unsaved}", err=True)


def listen(host: str, port: int) -> socket.socket:
    """The bound socket (a warning for a host other than loopback); exit 2 when the
    address cannot be had."""
    from planner.serve.run import LOCAL, bind

    if host not in LOCAL:
        typer.echo(f"warning: serving on {host}: other machines can reach the workbench; "
                   "anyone with its URL (token included) can use it and save files here", err=True)  # fmt: skip
    try:
        return bind(host, port)
    except OSError as exc:
        raise refuse(f"planner serve: cannot listen on {host}:{port}: {exc.strerror}") from None


def best_plan(loaded: Scenario, time_limit: float, seed: int) -> dict[str, int]:
    """The starts of the best roadmap, or none (said on stderr) when the plan finds none."""
    from planner import api, interrupt

    result = api.plan(loaded, time_limit=time_limit, seed=seed)
    if result.interrupted or interrupt.pressed():
        interrupted()  # Ctrl-C before the workbench was served
    if not result.candidates:
        typer.echo(f"note: no roadmap found ({result.status}): starting from an empty one; "
                   "`planner plan` says why", err=True)  # fmt: skip
        return {}
    return dict(result.candidates[0].starts)
