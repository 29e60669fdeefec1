"""`planner.render.words`: the short names a person reads (issue 21 item 2) — a title kept
whole when it fits, its asides dropped, cut at a clause, else at a word that is not a small
one, with an ellipsis; two steps that would read the same told apart by their parties, else
by their ids; a gate named in words."""

from __future__ import annotations

import pytest

from planner.model import Step
from planner.render.words import SHORT, gate_name, names, shorten


@pytest.mark.parametrize(
    ("title", "short"),
    [
        # 55 characters: at most SHORT (56), whole.
        ("Delist a second tranche of SDN individuals and entities",) * 2,
        # The aside in parentheses says how; without it the title fits.
        (
            "Freeze certain sectoral sanctions (no new sectoral designations, no new "
            "enforcement actions)",
            "Freeze certain sectoral sanctions",
        ),
        # The comma inside the aside is not a clause break ("Cooperation in related areas
        # (maintenance joint ventures" was the old cut).
        (
            "Cooperation in related areas (maintenance joint ventures, air-navigation and "
            "safety cooperation) for the whole of the civil aviation sector",
            "Cooperation in related areas for the whole of the civil…",
        ),
        # A clause of 20 characters or more stands for the title.
        (
            "Commit in writing not to abet, facilitate or engage in aggression against any "
            "NATO state",
            "Commit in writing not to abet",
        ),
        # Cut at a word: never after "from", "the", "in" …
        (
            "Remove a first set of individuals and entities from the list kept by the Treasury",
            "Remove a first set of individuals and entities…",
        ),
        # … but "not" stays: "will…" would say the opposite of "will not…".
        (
            "Agree that U.S. aircraft and spare parts will not be resold or otherwise transferred",
            "Agree that U.S. aircraft and spare parts will not be…",
        ),
    ],
)
def test_shorten(title: str, short: str) -> None:
    assert shorten(title) == short
    assert len(short) <= SHORT


def step(sid: str, actor: str, title: str) -> Step:
    return Step(id=sid, actor=actor, package="p", kind="relief", title=title, duration=1)


def test_two_steps_that_read_the_same_are_told_apart_by_their_parties() -> None:
    """Poland's and Lithuania's crossings roadmaps have the same title (issue 21: "the
    Polish and Lithuanian rows read the same"): their parties' names tell them apart; two of
    one party's steps, their ids; a step with a name of its own keeps it."""
    steps = {
        "pl-roadmap": step("pl-roadmap", "PL", "Commit to a roadmap for crossings"),
        "lt-roadmap": step("lt-roadmap", "LT", "Commit to a roadmap for crossings"),
        "us-talks-1": step("us-talks-1", "US", "Host talks"),
        "us-talks-2": step("us-talks-2", "US", "Host talks"),
        "us-other": step("us-other", "US", "License potash"),
    }
    actors = {"PL": "Poland", "LT": "Lithuania", "US": "United States"}
    assert names(steps, actors) == {
        "pl-roadmap": "Commit to a roadmap for crossings (Poland)",
        "lt-roadmap": "Commit to a roadmap for crossings (Lithuania)",
        "us-talks-1": "Host talks (us-talks-1)",
        "us-talks-2": "Host talks (us-talks-2)",
        "us-other": "License potash",
    }
    # Without the actors' names, ids tell them apart.
    assert names(steps)["pl-roadmap"] == "Commit to a roadmap for crossings (pl-roadmap)"


def test_a_gate_in_words() -> None:
    assert gate_name("security-gate") == "the security gate"
    assert gate_name("first-tranche") == "the gate “first tranche”"
