"""The workbench's HTTP API (`planner serve`), in-process (Starlette's TestClient): every
action, and every bad request refused with a JSON error that changes nothing.

The deal of most tests (`DEAL`), in weeks:

- `by-pledge` (Belarus, 2 weeks, verified in 1 more: done 3 weeks after it starts, worth 3);
- `us-relief` (U.S. relief, 1 week, worth 3), only once `by-pledge` is done;
- `vote`, an event fixed in week 6: `yes` (the main roadmap's outcome) or `no`;
- `us-snapback`, which happens only if the vote is `no`;
- the balance rule `leverage`: U.S. relief started may run ahead of Belarusian verified
  steps done by at most `margin` 0.

So `by-pledge` 0, `us-relief` 3, `vote` 6 is clean; `us-relief` in week 1 is two weeks
before the pledge is done (a precondition) and 3 units ahead (the balance rule): two
violations, and the closest repair moves `us-relief` back to week 3 alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from starlette.routing import Route
from starlette.testclient import TestClient

from planner import api
from planner.cli.app import protected
from planner.serve.app import MAX_BODY, create_app, loopback_hosts
from planner.serve.session import Inputs, Session

TOKEN = "test-token"
HOST = "testserver"
AUTH = {"Authorization": f"token {TOKEN}"}

PACKAGES = """\
scenario: {name: Test deal, unit: week, start: 2027-01-04}
actors: {US: United States, BY: Belarus, world: Events}
packages:
  - id: main
    title: Main track
    steps:
      - {id: by-pledge, actor: BY, kind: commitment, title: Belarus pledges, duration: 2,
         value: 3, verify: {by: monitors, duration: 1}, tags: [verified]}
      - {id: us-relief, actor: US, kind: relief, title: The U.S. lifts a sanction, duration: 1,
         value: 3, after: [by-pledge]}
      - {id: vote, actor: world, kind: event, title: The vote, duration: 0, fixed: 6,
         outcomes: {"yes": 0.7, "no": 0.3}}
      - {id: us-snapback, actor: US, kind: relief, title: The U.S. reimposes the sanction,
         duration: 1, after: [vote], if: {step: vote, outcome: "no"}}
"""
RULES = """\
rules:
  - id: leverage
    kind: balance
    ahead: {actor: US, kind: relief}
    behind: {actor: BY, tags: verified}
    margin: 0
    source: "Relief never runs ahead of verified steps."
"""
CLEAN = {"by-pledge": 0, "us-relief": 3, "vote": 6}

DOCS = Path(__file__).resolve().parent.parent / "docs"
OPENAPI = json.loads((DOCS / "serve.openapi.json").read_text(encoding="utf-8"))


def _registry() -> Registry:
    resources = [
        (
            "urn:serve",
            Resource.from_contents(
                {**OPENAPI, "$schema": "https://json-schema.org/draft/2020-12/schema"}
            ),
        )
    ]
    for name in ("check-report", "repair-report"):
        text = (DOCS / f"{name}.schema.json").read_text(encoding="utf-8")
        resources.append((f"{name}.schema.json", Resource.from_contents(json.loads(text))))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def conforms(doc: Any, schema: str) -> None:
    """`doc` is what docs/serve.openapi.json says a `schema` is."""
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"urn:serve#/components/schemas/{schema}"}, registry=REGISTRY
    )
    validator.validate(doc)


@pytest.fixture
def deal(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "deal" / "constraints").mkdir(parents=True)
    packages = tmp_path / "deal" / "packages.yaml"
    packages.write_text(PACKAGES, encoding="utf-8")
    (tmp_path / "deal" / "constraints" / "rules.yaml").write_text(RULES, encoding="utf-8")
    return packages, tmp_path / "deal" / "constraints"


def client_for(
    packages: Path | None, constraints: Path | None, starts: dict[str, int], *inputs: Path
) -> TestClient:
    scenario = api.load_scenario(packages, constraints)
    guard = protected(packages, constraints, *inputs)
    settings = Inputs(packages, constraints, source="test", time_limit=10.0, protected=guard)
    session = Session(settings, scenario, starts)
    return TestClient(create_app(session, TOKEN, {HOST}), base_url=f"http://{HOST}")


@pytest.fixture
def client(deal: tuple[Path, Path]) -> Iterator[TestClient]:
    with client_for(*deal, dict(CLEAN)) as c:
        yield c


def post(client: TestClient, path: str, body: Any = None, headers: Any = None) -> Any:
    answer = client.post(path, json=body if body is not None else {}, headers=headers or AUTH)
    conforms(answer.json(), "State" if answer.status_code == 200 else "Error")
    return answer


def state(client: TestClient) -> dict[str, Any]:
    answer = client.get("/api/state", headers=AUTH)
    assert answer.status_code == 200
    conforms(answer.json(), "State")
    return answer.json()  # type: ignore[no-any-return]


def refused(answer: Any, status: int, words: str) -> dict[str, Any]:
    """The answer is the JSON error `status`, its message holding `words`."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    conforms(answer.json(), "Error")
    error = answer.json()["error"]
    assert error["status"] == status
    assert words in error["message"] + " ".join(error["problems"]), error
    return error  # type: ignore[no-any-return]


# ---- reading -----------------------------------------------------------------------------


def test_the_page_and_its_files_carry_the_token(client: TestClient) -> None:
    page = client.get(f"/?token={TOKEN}")
    assert page.status_code == 200
    assert f"/static/workbench.js?token={TOKEN}" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for name, kind in (("workbench.js", "text/javascript"), ("workbench.css", "text/css")):
        answer = client.get(f"/static/{name}?token={TOKEN}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(kind)
    refused(client.get(f"/static/index.html?token={TOKEN}"), 404, "no such file")
    refused(client.get(f"/static/../session.py?token={TOKEN}"), 404, "")


def test_the_scenario_as_the_page_draws_it(client: TestClient) -> None:
    doc = client.get("/api/scenario", headers=AUTH).json()
    conforms(doc, "Scenario")
    assert doc["schema"] == "relief-planner/serve-scenario/1"
    assert doc["unit"] == "week" and doc["start"] == "2027-01-04"
    # Every step of every branch, with its short name; the snapback only if the vote is no.
    assert list(doc["steps"]) == ["by-pledge", "us-relief", "vote", "us-snapback"]
    assert doc["steps"]["us-snapback"]["contingent"] == "vote=no"
    assert doc["steps"]["by-pledge"] | {"source": ""} == {
        "name": "Belarus pledges", "title": "Belarus pledges", "actor": "BY", "package": "main",
        "kind": "commitment", "duration": 2, "verify": 1, "verifier": "monitors", "value": 3,
        "fixed": None, "optional": False, "forbidden": False, "contingent": None, "source": "",
    }  # fmt: skip
    assert doc["triggers"] == [{"step": "vote", "name": "The vote", "outcomes": ["yes", "no"]}]
    assert doc["rules"] == [
        {"id": "leverage", "kind": "balance", "soft": False,
         "source": "Relief never runs ahead of verified steps.", "numbers": {"margin": 0}}
    ]  # fmt: skip
    # The chart's colours: the actors' in scenario order, from planner.render.marks.
    assert doc["marks"]["actors"] == {"US": "#0072B2", "BY": "#D55E00", "world": "#009E73"}


def test_the_state_holds_the_check_report_as_check_json_prints_it(
    client: TestClient, deal: tuple[Path, Path], tmp_path: Path
) -> None:
    post(client, "/api/move", {"step": "us-relief", "start": 1})
    doc = state(client)
    assert doc["schema"] == "relief-planner/serve-state/1"
    roadmap = tmp_path / "r.json"
    roadmap.write_text(json.dumps({"roadmap": {"steps": [
        {"step": s, "start": t} for s, t in doc["starts"].items()]}}), encoding="utf-8")  # fmt: skip
    from tests.helpers import cli

    printed = cli("check", str(roadmap), "--packages", str(deal[0]), "--constraints",
                  str(deal[1]), "--format", "json")  # fmt: skip
    expected = json.loads(printed.stdout)
    # The same document, but for the summary's repair: the page's check does not size it
    # (no search on a drag); the Repair button does.
    assert expected["overview"]["repair"] is not None
    expected["overview"]["repair"] = None
    assert doc["check"] == expected
    assert [v["rule"] for v in doc["check"]["violations"]] == ["after:us-relief", "leverage"]
    # In words: the steps' short names, not their ids.
    assert doc["words"][0]["message"] == (
        "The U.S. lifts a sanction starts in week 1, but Belarus pledges is verified only in "
        "week 3: 2 weeks too early"
    )
    assert doc["involved"] == ["by-pledge", "us-relief"]
    assert doc["chart"]["leverage"]["balance"] == [
        {"rule": "leverage", "margin": 0, "points": [[1, 3], [3, 0]]}
    ]


def test_the_ledger_lists_what_answers_what(tmp_path: Path) -> None:
    """The ledger (until the brief's exists: the reciprocity answers of the check)."""
    (tmp_path / "c").mkdir()
    (tmp_path / "p.yaml").write_text(PACKAGES, encoding="utf-8")
    (tmp_path / "c" / "r.yaml").write_text(
        "rules:\n  - {id: trade, kind: reciprocity, give: [us-relief], get: [by-pledge],"
        " source: Action for action.}\n",
        encoding="utf-8",
    )
    with client_for(tmp_path / "p.yaml", tmp_path / "c", dict(CLEAN)) as c:
        rows = state(c)["ledger"]["rows"]
    assert rows == [{
        "rule": "trade", "give": "us-relief", "give_name": "The U.S. lifts a sanction",
        "give_actor": "US", "give_start": 3, "counter": "by-pledge",
        "counter_name": "Belarus pledges", "counter_actor": "BY", "counter_done": 3,
        "verifier": "monitors",
    }]  # fmt: skip


# ---- actions -----------------------------------------------------------------------------


def test_move_then_undo_and_redo(client: TestClient) -> None:
    moved = post(client, "/api/move", {"step": "us-relief", "start": 1}).json()
    assert moved["starts"]["us-relief"] == 1
    assert moved["check"]["summary"]["num_violations"] == 2
    assert moved["history"] == {"undo": 1, "redo": 0}
    assert moved["last_action"] == {"kind": "move", "step": "us-relief", "before": 3, "after": 1}
    back = post(client, "/api/undo").json()
    assert back["starts"] == CLEAN and back["check"]["clean"]
    assert back["history"] == {"undo": 0, "redo": 1}
    again = post(client, "/api/redo").json()
    assert again["starts"]["us-relief"] == 1
    # A move to where the step already is changes nothing (no history step).
    same = post(client, "/api/move", {"step": "us-relief", "start": 1}).json()
    assert same["history"] == {"undo": 1, "redo": 0}


def test_a_start_as_a_date_or_text(client: TestClient) -> None:
    # Week 2 runs from 2027-01-18 to 2027-01-24: any day of it is week 2.
    assert (
        post(client, "/api/move", {"step": "us-relief", "start": "2027-01-20"}).json()["starts"][
            "us-relief"
        ]
        == 2
    )
    assert (
        post(client, "/api/move", {"step": "us-relief", "start": "5"}).json()["starts"]["us-relief"]
        == 5
    )


def test_leave_out_and_add_back(client: TestClient) -> None:
    out = post(client, "/api/move", {"step": "us-relief", "start": None}).json()
    assert "us-relief" not in out["starts"]
    assert [v["kind"] for v in out["check"]["violations"]] == ["coverage"]
    back = post(client, "/api/move", {"step": "us-relief", "start": 3}).json()
    assert back["check"]["clean"]


def test_repair_takes_the_closest_roadmap_and_lists_every_move(client: TestClient) -> None:
    post(client, "/api/move", {"step": "us-relief", "start": 1})
    doc = post(client, "/api/repair").json()
    assert doc["check"]["clean"] and doc["starts"] == CLEAN
    action = doc["last_action"]
    assert action["kind"] == "repair" and action["status"] == "repaired"
    assert [(m["step"], m["before"], m["after"]) for m in action["moves"]] == [("us-relief", 1, 3)]
    assert action["moves"][0]["name"] == "The U.S. lifts a sanction"
    assert action["repair"]["schema"] == "relief-planner/repair-report/1"  # as repair --format json
    # One undo step takes the repair back.
    assert post(client, "/api/undo").json()["starts"]["us-relief"] == 1


def test_repair_holds_pinned_steps(client: TestClient) -> None:
    """Pinned in week 1 (it already happened), the relief stays; the repair can only move
    the pledge, and no start of the pledge is done by week 1 (it takes 3 weeks): none."""
    post(client, "/api/move", {"step": "us-relief", "start": 1})
    pinned = post(client, "/api/pin", {"step": "us-relief", "pinned": True}).json()
    assert pinned["pinned"] == ["us-relief"]
    doc = post(client, "/api/repair").json()
    assert doc["last_action"]["status"] == "infeasible"
    assert doc["starts"]["us-relief"] == 1 and doc["last_action"]["moves"] == []
    assert doc["history"]["undo"] == 2  # the move and the pin; the failed repair is none


def test_a_pinned_step_does_not_move(client: TestClient) -> None:
    post(client, "/api/pin", {"step": "by-pledge"})
    refused(post(client, "/api/move", {"step": "by-pledge", "start": 4}), 409, "pinned")
    unpinned = post(client, "/api/pin", {"step": "by-pledge", "pinned": False}).json()
    assert unpinned["pinned"] == []


def test_plan_from_here_holds_the_pinned_steps(client: TestClient) -> None:
    """Pinned in week 2, the pledge is done in week 5; planned as of week 3 (just after the
    last pinned start), the relief starts in week 5, once the pledge is done."""
    post(client, "/api/move", {"step": "by-pledge", "start": 2})
    post(client, "/api/pin", {"step": "by-pledge"})
    doc = post(client, "/api/plan").json()
    action = doc["last_action"]
    assert action["kind"] == "plan" and action["as_of"] == 3
    assert doc["starts"]["by-pledge"] == 2 and doc["starts"]["us-relief"] == 5
    assert doc["check"]["clean"]
    assert ("us-relief", 3, 5) in [(m["step"], m["before"], m["after"]) for m in action["moves"]]


def test_plan_as_of_a_time_before_a_pinned_start_is_refused(client: TestClient) -> None:
    """Pinned in week 2, the pledge has not started as of week 2: planning the rest from
    then would leave it out of the held past. Refused, nothing changed."""
    post(client, "/api/move", {"step": "by-pledge", "start": 2})
    before = post(client, "/api/pin", {"step": "by-pledge"}).json()
    for as_of in (1, 2):
        refused(post(client, "/api/plan", {"as_of": as_of}), 409, "plan as of 3 or later")
    after = state(client)
    assert after["starts"] == before["starts"] and after["history"] == before["history"]


def test_plan_without_pins_is_the_best_plan(client: TestClient) -> None:
    post(client, "/api/move", {"step": "us-relief", "start": 9})
    doc = post(client, "/api/plan").json()
    assert doc["starts"] == CLEAN and doc["last_action"]["as_of"] is None


def test_whatif_changes_a_duration_and_a_margin_in_place(client: TestClient) -> None:
    # The pledge's verification takes 3 weeks instead of 1: done in week 5, so the relief
    # in week 3 is 2 weeks early (and 3 units ahead of the balance).
    doc = post(client, "/api/whatif", {"sets": ["by-pledge.verify.duration=3"]}).json()
    assert doc["sets"] == ["by-pledge.verify.duration=3"]
    assert [v["rule"] for v in doc["check"]["violations"]] == ["after:us-relief", "leverage"]
    assert doc["version"] == 2
    scenario = client.get("/api/scenario", headers=AUTH).json()
    assert scenario["version"] == 2 and scenario["steps"]["by-pledge"]["verify"] == 3
    assert scenario["changes"] == [
        {
            "where": "--set 'by-pledge.verify.duration=3'",
            "what": "step 'by-pledge': verify.duration 1 → 3",
        }
    ]
    # A margin of 3 lets the relief run ahead: the balance rule holds again.
    doc = post(
        client, "/api/whatif", {"sets": ["by-pledge.verify.duration=3", "leverage.margin=3"]}
    ).json()
    assert [v["rule"] for v in doc["check"]["violations"]] == ["after:us-relief"]
    # Undo goes back through the what-if changes too.
    assert post(client, "/api/undo").json()["sets"] == ["by-pledge.verify.duration=3"]
    assert post(client, "/api/undo").json()["version"] == 1


def test_assume_switches_the_contingency_branch(client: TestClient) -> None:
    # If the vote is no, the snapback is required: left out, it is a coverage violation.
    doc = post(client, "/api/assume", {"assume": ["vote=no"]}).json()
    assert doc["assume"] == ["vote=no"]
    assert [(v["kind"], v["steps"]) for v in doc["check"]["violations"]] == [
        ("coverage", ["us-snapback"])
    ]
    doc = post(client, "/api/move", {"step": "us-snapback", "start": 6}).json()
    assert doc["check"]["clean"]
    # Back in the main branch, the snapback is a step of another branch.
    doc = post(client, "/api/assume", {"assume": []}).json()
    assert [v["kind"] for v in doc["check"]["violations"]] == ["branch"]


def test_save_writes_a_roadmap_check_reads(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    post(client, "/api/move", {"step": "us-relief", "start": 4})
    doc = post(client, "/api/save", {"path": "mine.yaml"}).json()
    assert doc["saved"]["saved"] == "mine.yaml"
    assert doc["unsaved"] == 0 and doc["saved_as"] == "mine.yaml"
    assert "planner check mine.yaml --packages" in doc["saved"]["command"]
    roadmap = api.load_roadmap(tmp_path / "mine.yaml", api.load_scenario(*_deal(tmp_path)))
    assert roadmap.starts == {"by-pledge": 0, "us-relief": 4, "vote": 6}
    # An existing file is replaced only when asked.
    refused(post(client, "/api/save", {"path": "mine.yaml"}), 409, "the file exists")
    post(client, "/api/move", {"step": "us-relief", "start": 5})
    post(client, "/api/save", {"path": "mine.yaml", "overwrite": True})
    assert 'us-relief", start: 5' in (tmp_path / "mine.yaml").read_text(encoding="utf-8")
    for suffix in ("json", "csv"):
        post(client, "/api/save", {"path": f"mine.{suffix}"})
        again = api.load_roadmap(tmp_path / f"mine.{suffix}", api.load_scenario(*_deal(tmp_path)))
        assert again.starts["us-relief"] == 5


def _deal(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "deal" / "packages.yaml", tmp_path / "deal" / "constraints"


def test_report_is_the_html_report_of_the_screen(client: TestClient) -> None:
    post(client, "/api/move", {"step": "us-relief", "start": 1})
    answer = client.get("/api/report", headers=AUTH)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "sandbox" in answer.headers["content-security-policy"]
    assert "the workbench roadmap" in answer.text and "after:us-relief" in answer.text


def test_the_default_scenario_with_the_example(tmp_path: Path) -> None:
    """Without --packages: the embedded default and the brief's example, clean; a
    what-if selector over every step works there too."""
    from tests.helpers import ROOT

    scenario = api.load_scenario()
    starts = api.load_roadmap(ROOT / "examples" / "brief-roadmap.yaml", scenario).starts
    with client_for(None, None, dict(starts)) as c:
        doc = state(c)
        assert doc["check"]["clean"] and doc["ledger"]["rows"]
        doc = post(c, "/api/whatif", {"sets": ["*:verify.duration*=2"]}).json()
        assert not doc["check"]["clean"]


# ---- refused: nothing changes -------------------------------------------------------------


BAD_BODIES = [
    (
        "/api/move",
        {"step": "us-relif", "start": 1},
        400,
        "unknown step 'us-relif' (did you mean 'us-relief'?)",
    ),
    ("/api/move", {"step": 7, "start": 1}, 400, "'step' must be a step id"),
    ("/api/move", {"step": "us-relief", "start": "next week"}, 400, "not 'next week'"),
    ("/api/move", {"step": "us-relief", "start": "2027-02-30"}, 400, "(YYYY-MM-DD)"),
    ("/api/move", {"step": "us-relief", "start": "2026-12-01"}, 400, "before the scenario starts"),
    ("/api/move", {"step": "us-relief", "start": -1}, 400, "between 0 and"),
    ("/api/move", {"step": "us-relief", "start": 10**12}, 400, "between 0 and"),
    ("/api/move", {"step": "us-relief", "start": 1.5}, 400, "whole number"),
    ("/api/move", {"step": "us-relief", "start": True}, 400, "whole number"),
    ("/api/move", {"step": "us-relief"}, 400, "missing field 'start'"),
    ("/api/move", {"step": "us-relief", "start": 1, "force": True}, 400, "unknown field 'force'"),
    ("/api/move", {"step": "us-snapback", "start": None}, 409, "not in the roadmap"),
    ("/api/pin", {"step": "us-snapback"}, 409, "cannot be pinned"),
    ("/api/pin", {"step": "us-relief", "pinned": "yes"}, 400, "true or false"),
    ("/api/undo", {}, 409, "nothing to undo"),
    ("/api/redo", {}, 409, "nothing to redo"),
    ("/api/whatif", {"sets": "x"}, 400, "a list"),
    ("/api/whatif", {"sets": ["by-pledge.duration=abc"]}, 400, "--set 'by-pledge.duration=abc'"),
    ("/api/whatif", {"sets": ["no-such.duration=3"]}, 400, "no-such"),
    ("/api/assume", {"assume": ["vote=maybe"]}, 400, "cannot turn out 'maybe'"),
    ("/api/assume", {"assume": ["us-relief=fails"]}, 400, "has no outcomes"),
    ("/api/assume", {"assume": "vote=no"}, 400, "a list"),
    ("/api/plan", {"as_of": "soon"}, 400, "'as_of' must be a whole number"),
    ("/api/plan", {"as_of": -2}, 400, "'as_of' must be between 0 and"),
    ("/api/plan", {"as_of": 1, "keep": ["vote"]}, 400, "unknown field 'keep'"),
    ("/api/repair", {"keep": ["by-pledge"]}, 400, "unknown field 'keep' (this action takes: none)"),
    ("/api/undo", {"steps": 2}, 400, "unknown field 'steps'"),
    ("/api/pin", {}, 400, "missing field 'step'"),
    ("/api/pin", {"step": "nowhere"}, 400, "unknown step 'nowhere'"),
    ("/api/whatif", {}, 400, "missing field 'sets'"),
    ("/api/assume", {}, 400, "missing field 'assume'"),
    ("/api/assume", {"assume": ["nothing=yes"]}, 400, "unknown step 'nothing'"),
    ("/api/assume", {"assume": ["vote"]}, 400, "write ID=OUTCOME"),
    ("/api/save", {}, 400, "missing field 'path'"),
    ("/api/save", {"path": "roadmap.txt"}, 400, "ends in .yaml"),
    ("/api/save", {"path": ""}, 400, "a file name"),
    ("/api/save", {"path": "x.yaml", "overwrite": "please"}, 400, "true or false"),
    ("/api/save", {"path": "no-such-folder/x.yaml"}, 409, "cannot write"),
]


@pytest.mark.parametrize(("path", "body", "status", "words"), BAD_BODIES)
def test_bad_requests_are_refused_and_change_nothing(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    path: str, body: dict[str, Any], status: int, words: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    before = state(client)
    refused(post(client, path, body), status, words)
    after = state(client)
    assert {k: v for k, v in after.items() if k != "server_ms"} == {
        k: v for k, v in before.items() if k != "server_ms"
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal"]  # nothing written


def test_save_never_writes_over_an_input(deal: tuple[Path, Path], tmp_path: Path) -> None:
    roadmap = tmp_path / "proposal.yaml"
    roadmap.write_text("roadmap: {steps: [{step: by-pledge, start: 0}]}\n", encoding="utf-8")
    with client_for(*deal, dict(CLEAN), roadmap) as c:
        for target, words in (
            (roadmap, "is an input"),
            (deal[0], "is an input"),
            (deal[1] / "new.yaml", "constraints folder"),
            (deal[0].parent / "elsewhere.yaml", "inside the scenario's folder"),
        ):
            refused(post(c, "/api/save", {"path": str(target), "overwrite": True}), 409, words)
    assert roadmap.read_text(encoding="utf-8").startswith("roadmap: {steps: [{step: by-pledge")
    assert deal[0].read_text(encoding="utf-8") == PACKAGES


def test_malformed_and_huge_bodies(client: TestClient) -> None:
    send = {"headers": {**AUTH, "Content-Type": "application/json"}}
    refused(client.post("/api/move", content=b"{not json", **send), 400, "not JSON")
    refused(client.post("/api/move", content=b"[1, 2]", **send), 400, "a JSON object")
    refused(client.post("/api/move", content=b"\xff\xfe", **send), 400, "not JSON")
    refused(client.post("/api/move", content=b"step=x", headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"}), 415, "JSON")  # fmt: skip
    huge = b'{"sets": ["' + b"x" * MAX_BODY + b'"]}'
    refused(client.post("/api/whatif", content=huge, **send), 413, "at most")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY // 1024 + 2):
            yield b" " * 1024

    refused(client.post("/api/whatif", content=chunks(), **send), 413, "at most")
    assert state(client)["history"] == {"undo": 0, "redo": 0}


def test_every_request_needs_the_token(client: TestClient) -> None:
    for method, path in (("GET", "/"), ("GET", "/api/state"), ("GET", "/api/scenario"),
                         ("GET", "/static/workbench.js"), ("GET", "/api/report"),
                         ("POST", "/api/move"), ("POST", "/api/save"), ("GET", "/nowhere")):  # fmt: skip
        refused(client.request(method, path), 403, "token")
        refused(client.request(method, path + "?token=wrong"), 403, "token")
        refused(
            client.request(method, path, headers={"Authorization": "token wrong"}), 403, "token"
        )
    assert client.get(f"/api/state?token={TOKEN}").status_code == 200


def test_host_and_origin_are_checked(client: TestClient) -> None:
    # DNS rebinding: a name that resolves to this machine but is not one it answers as.
    refused(
        client.get("/api/state", headers={**AUTH, "Host": "evil.example:80"}),
        403,
        "host 'evil.example:80'",
    )
    # Another site's page, even with the token.
    refused(
        post(client, "/api/undo", headers={**AUTH, "Origin": "http://evil.example"}),
        403,
        "another site",
    )
    refused(
        client.get("/api/state", headers={**AUTH, "Sec-Fetch-Site": "cross-site"}),
        403,
        "another site",
    )
    # The page's own origin is welcome.
    ok = client.get(
        "/api/state", headers={**AUTH, "Origin": f"http://{HOST}", "Sec-Fetch-Site": "same-origin"}
    )
    assert ok.status_code == 200
    assert (
        ok.headers["referrer-policy"] == "no-referrer" and ok.headers["cache-control"] == "no-store"
    )


def test_unknown_routes_and_methods_are_json_errors(client: TestClient) -> None:
    refused(client.get("/api/nothing", headers=AUTH), 404, "Not Found")
    refused(client.get("/api/move", headers=AUTH), 405, "Method Not Allowed")


def test_the_hosts_a_server_answers_as() -> None:
    assert loopback_hosts(8000, "127.0.0.1") == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert "[::1]:8000" in (loopback_hosts(8000, "::1") or set())
    assert "192.0.2.7:8000" in (loopback_hosts(8000, "192.0.2.7") or set())
    assert loopback_hosts(8000, "0.0.0.0") is None  # any name: token and Origin still hold


def test_the_openapi_document_names_every_route(client: TestClient) -> None:
    """docs/serve.openapi.json describes the routes the server has, with their methods."""
    app: Any = client.app
    while not hasattr(app, "routes"):
        app = app.app
    served = {
        r.path: sorted(m.lower() for m in (r.methods or ()) if m != "HEAD")
        for r in app.routes
        if isinstance(r, Route)
    }
    described = {path: sorted(ops) for path, ops in OPENAPI["paths"].items()}
    assert described == served
