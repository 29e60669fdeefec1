"""The fast path for one-entry-per-line roadmaps never changes an answer.

Every roadmap here is read twice: as `load_roadmap` reads it (the fast path where it
applies) and with the fast path switched off (libyaml's events). The starts, or every
problem line, must be identical, marks included. The fast path must also actually take
the shapes it is meant for, or it saves nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.roadmap import read as roadmap_read
from planner.roadmap.lines import read_roadmap_steps
from planner.roadmap.read import load_roadmap
from planner.scenario import Scenario
from tests.helpers import Maker, step

IDS = ["a", "b-1", "c.2", "yes", "no-go", "on"]


TITLES = {"a": "Ä title, with } and # inside", "c.2": ""}


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return Maker(tmp_path / "deal")(
        steps=[
            step(
                i,
                2,
                verify=1,
                kind="relief" if i != "c.2" else "commitment",
                title=TITLES.get(i, i),
            )
            for i in IDS
        ]
    )


def outcome(path: Path, scenario: Scenario) -> object:
    """What a user sees: the starts and the notes on recomputed derived fields, or every
    problem line."""
    try:
        read = load_roadmap(path, scenario)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return {"starts": read.starts, "notes": [str(p) for p in read.edits]}


def both(path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = outcome(path, scenario)
    with monkeypatch.context() as m:
        m.setattr(roadmap_read, "read_roadmap_steps", lambda name, data: None)
        slow = outcome(path, scenario)
    return fast, slow


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roadmap.yaml"
    path.write_bytes(text.encode("utf-8"))
    return path


TAKEN = {
    "plain": "roadmap:\n  steps:\n    - {step: a, start: 0}\n    - {step: b-1, start: 4}\n",
    "as plan writes it": (
        "# written by `planner plan`; `planner check` reads it back\n"
        'scenario: "Test deal"\nunit: "week"\nroadmap:\n  steps:\n'
        '    - {step: "a", start: 0, end: 2, done: 3, actor: "US", package: "main", '
        'kind: "relief", title: "Ä title, with } and # inside"}\n'
        '    - {step: "c.2", start: 3, end: 5, done: 6, actor: "US", package: "main", '
        'kind: "commitment", title: ""}\n'
    ),
    "planned, some derived fields wrong": (
        "roadmap:\n  steps:\n"
        '    - {step: "a", start: 0, end: 2, done: 3, actor: "US", package: "main", '
        'kind: "relief", title: "first"}\n'
        '    - {step: "b-1", start: 1, end: 3, done: 4, actor: "US", package: "main", '
        'kind: "relief", title: "say \\"no\\" \\\\ twice"}\n'
        '    - {step: "c.2", start: 1, end: 3, done: 9, actor: "BY", package: "main", '
        'kind: "relief", title: ""}\n'
        '    - {step: "zz", start: 1, end: 3, done: 4, actor: "US", package: "main", '
        'kind: "relief", title: ""}\n'
        '    - {step: "a", start: 5, end: 7, done: 8, actor: "US", package: "main", '
        'kind: "relief", title: ""}\n'
    ),
    "comments and blanks": (
        "roadmap:   # the deal\n  steps:  # by week\n\n  - {step: a, start: 1}  # first\n"
        "  # a note\n\n  - { step: yes , start: 2 }\n# the end\n"
    ),
    # Each of these is wrong, and must be wrong in exactly the same words and places.
    "unknown and twice": "roadmap:\n  steps:\n    - {step: zz, start: 0}\n"
    "    - {step: a, start: 1}\n    - {step: a, start: 2}\n",
    "typed values": "roadmap:\n  steps:\n    - {step: a, start: 010}\n    - {step: b-1, start: -3}\n"
    "    - {step: c.2, start: 1.5}\n    - {step: on, start: 2}\n    - {step: no-go, start: null}\n",
    "derived fields wrong": "roadmap:\n  steps:\n"
    '    - {step: a, start: 0, end: 9, done: 1, actor: "BY", kind: relief, package: x}\n',
    # Nine digits are a compact entry; more go through the full check, up to the largest
    # time allowed (2**53: a chain of lags of up to 10**9 each adds up past 10**9).
    "huge starts": "roadmap:\n  steps:\n    - {step: a, start: 999999999}\n"
    "    - {step: b-1, start: 9007199254740992}\n    - {step: c.2, start: 9007199254740993}\n",
    "missing start": "roadmap:\n  steps:\n    - {step: a}\n    - {start: 3}\n",
    "unit and sequence too": "unit: day\nroadmap:\n  sequence: [a]\n  steps:\n"
    "    - {step: a, start: 0}\n",
}

LEFT_TO_LIBYAML = {
    "other key": "roadmap:\n  steps:\n    - {step: a, start: 0, when: 3}\n",
    "duplicate key": "roadmap:\n  steps:\n    - {step: a, start: 0, start: 1}\n",
    "single quotes": "roadmap:\n  steps:\n    - {step: 'a', start: 0}\n",
    "escape": 'roadmap:\n  steps:\n    - {step: a, start: 0, title: "x\\ty"}\n',
    "tab": "roadmap:\n  steps:\n    - {step: a,\tstart: 0}\n",
    "CRLF": "roadmap:\r\n  steps:\r\n    - {step: a, start: 0}\r\n",
    "block entry": "roadmap:\n  steps:\n    - step: a\n      start: 0\n",
    "ragged indent": "roadmap:\n  steps:\n    - {step: a, start: 0}\n   - {step: b-1, start: 0}\n",
    "under-indented": "roadmap:\n    steps:\n  - {step: a, start: 0}\n",
    "key after": "roadmap:\n  steps:\n    - {step: a, start: 0}\nnote: later\n",
    "trailing comma": "roadmap:\n  steps:\n    - {step: a, start: 0, }\n",
    "bad date": "roadmap:\n  steps:\n    - {step: a, start: 2027-02-30}\n",
    "no entries": "roadmap:\n  steps:\n# none yet\n",
    "empty entry": "roadmap:\n  steps:\n    - {}\n",
    "anchor": "roadmap:\n  steps:\n    - {step: &x a, start: 0}\n",
    "spaced plain": "roadmap:\n  steps:\n    - {step: a b, start: 0}\n",
    "steps in a block scalar": "note: |\n  steps:\n    - {step: a, start: 0}\n",
    "broken header": "roadmap: [\n  steps:\n    - {step: a, start: 0}\n",
    "no space after colon": "roadmap:\n  steps:\n    - {step:a, start: 0}\n",
    "comment without space": "roadmap:\n  steps:\n    - {step: a, start: 0}# x\n",
}


@pytest.mark.parametrize("text", TAKEN.values(), ids=TAKEN.keys())
def test_the_fast_path_takes_these_and_agrees(
    text: str, tmp_path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_roadmap_steps("roadmap.yaml", text.encode()) is not None
    fast, slow = both(write(tmp_path, text), scenario, monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("text", LEFT_TO_LIBYAML.values(), ids=LEFT_TO_LIBYAML.keys())
def test_the_fast_path_leaves_these_to_libyaml(
    text: str, tmp_path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_roadmap_steps("roadmap.yaml", text.encode()) is None
    fast, slow = both(write(tmp_path, text), scenario, monkeypatch)
    assert fast == slow


def test_the_common_entries_are_compact() -> None:
    """Past the first entry (which sets the indentation), `{step, start}` lines and the
    lines `plan -o` writes carry no marks until something about them must be reported."""
    for key in ("plain", "as plan writes it", "planned, some derived fields wrong"):
        read = read_roadmap_steps("roadmap.yaml", TAKEN[key].encode())
        assert read is not None
        assert all(len(entry) == 5 for entry in read[1][1:]), key
    read = read_roadmap_steps("roadmap.yaml", TAKEN["planned, some derived fields wrong"].encode())
    assert read is not None
    assert read[1][1][4] == (3, 4, "US", "main", "relief", 'say "no" \\ twice')


def test_plan_output_is_read_by_the_fast_path(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from planner.cli import app

    out = tmp_path / "plan.yaml"
    assert CliRunner().invoke(app, ["plan", "-o", str(out)]).exit_code == 0
    read = read_roadmap_steps("plan.yaml", out.read_bytes())
    assert read is not None
    assert sum(len(entry) == 5 for entry in read[1]) == len(read[1]) - 1


def test_the_expected_problems_are_found(
    tmp_path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spot checks that the agreeing answers are the right ones, marks included."""
    fast, _ = both(write(tmp_path, TAKEN["typed values"]), scenario, monkeypatch)
    assert isinstance(fast, list)
    text = "\n".join(fast)
    assert "roadmap.yaml:4:26: step 'b-1': 'start'" in text  # -3, at its first character
    assert "roadmap.yaml:5:26: step 'c.2': 'start'" in text  # 1.5
    assert "step 'a'" not in text  # 010 is the YAML 1.1 octal 8: a fine start
    fast, _ = both(write(tmp_path, TAKEN["huge starts"]), scenario, monkeypatch)
    assert isinstance(fast, list) and len(fast) == 1
    assert fast[0].endswith(
        "roadmap.yaml:5:26: step 'c.2': 'start' must be ≤ 9007199254740992, not 9007199254740993"
    )
    fast, _ = both(
        write(tmp_path, TAKEN["planned, some derived fields wrong"]), scenario, monkeypatch
    )
    # Unknown and repeated steps are errors; derived fields that disagree are notes (the
    # file is refused for the errors, so the notes are not shown then).
    assert isinstance(fast, list)
    text = "\n".join(fast)
    assert "roadmap.yaml:6:14: roadmap: unknown step 'zz'" in text
    assert "roadmap.yaml:7:14: roadmap: step 'a' is listed twice (first at line 3)" in text
    assert "'done' is 9" not in text and "b-1" not in text
    fixed = TAKEN["planned, some derived fields wrong"].split("\n")[:5]
    fast, _ = both(write(tmp_path, "\n".join(fixed) + "\n"), scenario, monkeypatch)
    assert isinstance(fast, dict)
    notes = "\n".join(fast["notes"])
    assert "roadmap.yaml:5:45: note: step 'c.2': 'done' is 9, but the scenario gives 4" in notes
    assert (
        "roadmap.yaml:5:55: note: step 'c.2': 'actor' is 'BY', but the scenario gives 'US'" in notes
    )
    assert "roadmap.yaml:5:84: note: step 'c.2': 'kind'" in notes
    # Titles are derived too: "first" and the quoted one are not the scenario's titles.
    assert (
        "roadmap.yaml:3:99: note: step 'a': 'title' is 'first', but the scenario gives "
        "'Ä title, with } and # inside'"
    ) in notes
    assert len(fast["notes"]) == 5  # and b-1's title; c.2's title is right
    fast, _ = both(write(tmp_path, TAKEN["as plan writes it"]), scenario, monkeypatch)
    assert fast == {"starts": {"a": 0, "c.2": 3}, "notes": []}


PIECES = st.sampled_from(
    ["a", "b-1", "c.2", "yes", "zz", "0", "4", "-1", "010", "1.5", "null", "~", '"a"', '"c.2"',
     '"Ä, }"', '"q#"', "2027-02-30", "1_0", "0x1F", "US", "relief", '"relief"', "+2"]
)  # fmt: skip
KEYS = st.sampled_from(["step", "start", "end", "done", "actor", "kind", "title", "when"])


@st.composite
def roadmap_texts(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(["", "  ", "    "]))
    lines = ["roadmap:", "  steps:" + draw(st.sampled_from(["", "  # c"]))]
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):  # the line `plan -o` writes, its derived fields right or not
            sid = draw(st.sampled_from([*IDS, "zz"]))
            start = draw(st.integers(0, 3))
            end, done = (
                start + draw(st.sampled_from([2, 2, 5])),
                start + draw(st.sampled_from([3, 3, 0])),
            )
            actor, kind = (
                draw(st.sampled_from(["US", "BY"])),
                draw(st.sampled_from(["relief", "commitment"])),
            )
            title = draw(st.sampled_from(["", "t", 'a \\"b\\"', "c \\\\ d", "e\\nf", "Ä }"]))
            lines.append(
                f'{indent if len(indent) >= 2 else "  "}- {{step: "{sid}", start: {start}, '
                f'end: {end}, done: {done}, actor: "{actor}", package: "main", kind: "{kind}", '
                f'title: "{title}"}}'
            )
            continue
        keys = draw(st.lists(KEYS, min_size=1, max_size=4))
        pairs = [f"{k}: {draw(PIECES)}" for k in keys]
        sep = draw(st.sampled_from([", ", " , ", ","]))
        pad = draw(st.sampled_from(["", " "]))
        tail = draw(st.sampled_from(["", "  # note", "  "]))
        entry_indent = indent if len(indent) >= 2 else "  "
        lines.append(f"{entry_indent}- {{{pad}{sep.join(pairs)}{pad}}}{tail}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "  # between", "#x"])))
    return "\n".join(lines) + "\n"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=roadmap_texts())
def test_fast_and_full_readings_agree(
    text: str, tmp_path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = both(write(tmp_path, text), scenario, monkeypatch)
    assert fast == slow, text
