"""The workbench in a real browser (headless Chromium over the DevTools protocol): load the
page from `planner serve`, drag a bar with synthetic mouse events, see the violation in
the panel, press Repair, see it gone, save, and `planner check` the saved file clean; no
console error, no request leaving the server; a request without the token, or from
another origin, is refused and changes nothing.

Skipped where no Chromium is installed (`.ci/run` installs Debian's as root).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import browser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "brief-roadmap.yaml"
#: The step dragged: in the example it starts in week 37, after its preconditions; dragged
#: to week 0 it starts before the security gate opens, before the review it follows and
#: before its counter-step is verified (three violations), and the closest repair moves it
#: back to week 37 alone.
DRAGGED = "us-by-investment-fund"
#: A safety net for a server that does not start, not a performance assertion.
PATIENCE = 90.0

needs_chromium = pytest.mark.skipif(
    browser.CHROMIUM is None,
    reason="no Chromium here: install Debian's `chromium` (.ci/run does, as root) to use "
    "the workbench in a browser",
)


@dataclass
class Served:
    """A running `planner serve`: its URL; once stopped, its exit code and stderr."""

    url: str
    proc: subprocess.Popen[str]
    stderr: str = ""


@contextlib.contextmanager
def served(cwd: Path, *args: str) -> Iterator[Served]:
    """`planner serve ARGS --port 0` in `cwd`; Ctrl-C on the way out."""
    env = {**os.environ, "RELIEF_PLANNER_CACHE": "off"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", *args, "--port", "0"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        server = Served(url, proc)
        assert url.startswith("http://127.0.0.1:"), url
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            _, server.stderr = proc.communicate(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def state_of(url: str) -> dict[str, object]:
    """The server's state, asked with the token (as the page does)."""
    base, _, token = url.partition("/?token=")
    request = urllib.request.Request(
        f"{base}/api/state", headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=PATIENCE) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


BAR = """(() => {
  const bar = document.querySelector('rect.bar[data-step="%s"]');
  bar.scrollIntoView({block: "center"});
  const r = bar.getBoundingClientRect();
  return {x: r.left, y: r.top + r.height / 2, w: r.width, ...window.__workbench.geometry()};
})()"""

CENTRE = """(() => {
  const r = document.querySelector('%s').getBoundingClientRect();
  return {x: r.left + r.width / 2, y: r.top + r.height / 2};
})()"""

VERDICT = "document.getElementById('verdict').textContent"
IDLE = "window.__workbench.ready && window.__workbench.pending() === 0"


@needs_chromium
def test_drag_a_bar_see_the_violation_repair_and_save(tmp_path: Path) -> None:
    from tests.cdp import chromium

    roadmap = tmp_path / "proposal.yaml"
    shutil.copyfile(EXAMPLE, roadmap)
    with served(tmp_path, "proposal.yaml") as server, chromium() as tab:
        url = server.url
        origin = url.split("/?")[0]
        tab.size(1400, 900)
        tab.open(url)
        tab.wait(IDLE)
        assert tab.evaluate(VERDICT) == "No hard rule is violated."
        bar = tab.evaluate(BAR % DRAGGED)
        start = state_of(url)["starts"][DRAGGED]  # type: ignore[index]
        assert start == 37
        # Grab the bar a little inside its left end and drag it left by 37 weeks.
        x0, y = bar["x"] + 2, bar["y"]
        moved = IDLE + " && document.querySelectorAll('#violation-list li').length > 0"
        tab.drag(x0, y, x0 - start * bar["px"], y)
        try:
            tab.wait(moved, patience=30)
        except TimeoutError:
            # On a loaded machine the browser has been seen to drop a synthetic drag
            # whole (nothing moved, nothing sent): drag again, once, if nothing moved.
            assert state_of(url)["starts"][DRAGGED] == start  # type: ignore[index]
            tab.drag(x0, y, x0 - start * bar["px"], y)
            tab.wait(moved)
        assert tab.evaluate(VERDICT) == "4 violations of 3 hard rules"
        assert state_of(url)["starts"][DRAGGED] == 0  # type: ignore[index]
        listed = tab.evaluate("document.getElementById('violation-list').textContent")
        assert "U.S.–Belarus investment fund" in listed  # the step's short name
        assert "security-gate" in listed
        # The dragged bar is marked as in a violation.
        assert tab.evaluate(
            f"document.querySelector('g.row[data-step=\"{DRAGGED}\"]').classList.contains('violated')"
        )
        # Clicking a violation highlights its steps and shows its repair.
        first = tab.evaluate(CENTRE % "#violation-list li")
        tab.click(first["x"], first["y"])
        tab.wait("document.querySelector('#violation-list li.chosen .fix')")
        assert tab.evaluate(
            f"document.querySelector('g.row[data-step=\"{DRAGGED}\"]').classList.contains('selected')"
        )
        # Repair: the closest roadmap, every move listed.
        button = tab.evaluate(CENTRE % "#repair")
        tab.click(button["x"], button["y"])
        tab.wait(IDLE + " && document.getElementById('moves')")
        assert tab.evaluate(VERDICT) == "No hard rule is violated."
        moves = tab.evaluate("document.getElementById('moves').textContent")
        assert "U.S.–Belarus investment fund" in moves and "week 37" in moves
        # Save, then `planner check` reads the file clean.
        tab.evaluate("document.getElementById('save-path').value = 'repaired.yaml'")
        button = tab.evaluate(CENTRE % "#save")
        tab.click(button["x"], button["y"])
        tab.wait(IDLE + " && document.getElementById('status').textContent.includes('saved')")
        checked = subprocess.run(
            [sys.executable, "-m", "planner", "check", str(tmp_path / "repaired.yaml")],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert roadmap.read_bytes() == EXAMPLE.read_bytes()  # the input is untouched
        assert tab.errors == []
        assert [c for c in tab.console if c[0] in ("error", "warning", "assert")] == []
        assert tab.requests and all(r.startswith(origin + "/") for r in tab.requests)

        # Refused: a request without the token ...
        status = tab.evaluate("fetch('/api/state').then(r => r.status)")
        assert status == 403
        # ... and a request from another origin (the same server under another name is
        # another site to the browser): the preflight is refused, nothing changes.
        before = state_of(url)
        other = url.replace("127.0.0.1", "localhost")
        tab.open(other)
        tab.wait(IDLE)
        token = url.partition("?token=")[2]
        outcome = tab.evaluate(
            f"""fetch('{origin}/api/move', {{method: 'POST',
                 headers: {{'Authorization': 'token {token}', 'Content-Type': 'application/json'}},
                 body: JSON.stringify({{step: '{DRAGGED}', start: 3}})}})
               .then(r => 'answered ' + r.status, e => 'refused')"""
        )
        assert outcome == "refused"
        simple = tab.evaluate(
            f"""fetch('{origin}/api/undo?token={token}', {{method: 'POST', mode: 'no-cors',
                 body: '{{}}'}}).then(r => r.type, e => 'refused')"""
        )
        assert simple in ("opaque", "refused")
        after = state_of(url)
        assert after["starts"] == before["starts"] and after["history"] == before["history"]
    assert server.proc.returncode == 0
    assert server.stderr.endswith("planner serve: stopped\n")  # saved: nothing dropped


CAESAR = ROOT / "examples" / "caesar-waiver"


@needs_chromium
def test_switch_a_contingency_branch_and_repair_in_it(tmp_path: Path) -> None:
    """examples/caesar-waiver, from its best plan (the main branch: the review certifies,
    Congress repeals). Picking 'not-certified' for the review checks the roadmap in that
    branch (`check --assume`): the repeal is a step of another branch and the snapback is
    missing, two violations, and the repeal's label is greyed out as not in this branch.
    Repair in the branch drops the repeal and adds the snapback; saved, `planner check
    --assume review=not-certified` reads it clean."""
    from tests.cdp import chromium

    deal = (
        "--packages",
        str(CAESAR / "packages.yaml"),
        "--constraints",
        str(CAESAR / "constraints"),
    )
    with served(tmp_path, *deal) as server, chromium() as tab:
        origin = server.url.split("/?")[0]
        tab.size(1400, 900)
        tab.open(server.url)
        tab.wait(IDLE)
        assert tab.evaluate(VERDICT) == "No hard rule is violated."
        tab.evaluate(
            """(() => {
              const s = document.querySelector('select[data-trigger="review"]');
              s.value = 'not-certified';
              s.dispatchEvent(new Event('change'));
            })()"""
        )
        tab.wait(IDLE + " && window.__workbench.state().assume.length === 1")
        assert state_of(server.url)["assume"] == ["review=not-certified"]
        assert tab.evaluate(VERDICT) == "2 violations of 2 hard rules"
        kinds = tab.evaluate(
            "[...document.querySelectorAll('#violation-list li')].map(li => li.dataset.kind)"
        )
        assert sorted(kinds) == ["branch", "coverage"]
        assert tab.evaluate(
            "document.querySelector('g.row[data-step=\"congress-repeal\"] .label')"
            ".classList.contains('absent')"
        )
        button = tab.evaluate(CENTRE % "#repair")
        tab.click(button["x"], button["y"])
        tab.wait(IDLE + " && document.getElementById('moves')")
        assert tab.evaluate(VERDICT) == "No hard rule is violated."
        starts = state_of(server.url)["starts"]
        assert "us-snapback" in starts and "congress-repeal" not in starts  # type: ignore[operator]
        tab.evaluate("document.getElementById('save-path').value = 'branch.yaml'")
        button = tab.evaluate(CENTRE % "#save")
        tab.click(button["x"], button["y"])
        tab.wait(IDLE + " && document.getElementById('status').textContent.includes('saved')")
        assert "--assume review=not-certified" in tab.evaluate(
            "document.getElementById('status').textContent"
        )
        assert tab.errors == []
        assert [c for c in tab.console if c[0] in ("error", "warning", "assert")] == []
        assert tab.requests and all(r.startswith(origin + "/") for r in tab.requests)
    checked = subprocess.run(
        [sys.executable, "-m", "planner", "check", "branch.yaml", *deal,
         "--assume", "review=not-certified"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert server.proc.returncode == 0
