"""The marks of a roadmap chart, in one place: each actor's colour and what the other marks
(verification, links, gates, phases, violations, pins) look like and are called.

Pure data and one function: the workbench (`planner serve`) draws its chart in the browser
from `marks_doc`, and a chart drawn in Python can read the same colours and words, so a
roadmap looks the same wherever it is drawn. No I/O, no matplotlib.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Colour-blind-safe qualitative colours (Okabe–Ito), then the darker of Paul Tol's that
#: no Okabe–Ito colour is close to (a scenario's ninth actor must not look like its first).
#: The same list, in the same order, as the Gantt chart's (`planner.render.gantt`).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000", "#882255", "#332288", "#999933", "#117733", "#AA4499", "#661100")  # fmt: skip
#: An actor the scenario does not list (cannot happen after loading; a safe default).
UNKNOWN_ACTOR = "#777777"

#: Every other mark: its colour (and opacity where it has one) and its name in a legend.
MARKS: dict[str, dict[str, Any]] = {
    "verification": {"opacity": 0.3, "label": "verification"},
    "link": {"colour": "#555555", "label": "counter-step → the step it answers"},
    "gate": {"colour": "#B00020", "label": "gate opens"},
    "phase": {"colour": "#444444", "label": "phase boundary"},
    "band": {"colour": "#f2f2f2", "label": ""},
    "violation": {"colour": "#B00020", "label": "in a violation"},
    "pinned": {"colour": "#222222", "label": "pinned: it already happened"},
    "selected": {"colour": "#FFB000", "label": "in the violation you chose"},
    "margin": {"colour": "#B00020", "label": "a balance rule's margin"},
}


def actor_colours(actors: Iterable[str]) -> dict[str, str]:
    """Each actor's colour, in the order the scenario lists its actors (the palette
    repeats after its fourteenth colour)."""
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(actors)}


def marks_doc(actors: Iterable[str]) -> dict[str, Any]:
    """The colours and words of every mark, as plain data (JSON for the workbench)."""
    return {
        "actors": actor_colours(actors),
        "unknown_actor": UNKNOWN_ACTOR,
        **{name: dict(spec) for name, spec in MARKS.items()},
    }
