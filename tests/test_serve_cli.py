"""`planner serve` as a command: its URL (with a token) on stdout, a free port by default,
the best plan without ROADMAP, a warning for a host other than loopback, `--open`, Ctrl-C
stopping it with exit 0, and bad input refused with exit 2 before anything is served.

The servers here listen on loopback only, and the tests talk to nothing else.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli

#: A safety net for a server that does not start or stop, not a performance assertion.
PATIENCE = 90.0

PACKAGES = """\
scenario: {name: Serve test, unit: week}
actors: {US: United States, BY: Belarus}
packages:
  - id: main
    title: Main
    steps:
      - {id: by-pledge, actor: BY, kind: commitment, duration: 2}
      - {id: us-relief, actor: US, kind: relief, duration: 1, after: [by-pledge]}
"""


@pytest.fixture
def deal(tmp_path: Path) -> list[str]:
    """A two-step deal: the relief after the pledge, so the best plan is pledge 0, relief 2."""
    (tmp_path / "deal" / "constraints").mkdir(parents=True)
    (tmp_path / "deal" / "packages.yaml").write_text(PACKAGES, encoding="utf-8")
    (tmp_path / "deal" / "constraints" / "rules.yaml").write_text("rules: []\n", encoding="utf-8")
    return ["--packages", "deal/packages.yaml", "--constraints", "deal/constraints"]


def start(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "RELIEF_PLANNER_CACHE": "off", **(env or {})},
    )


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C; the exit code and all of stderr."""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=PATIENCE)
    return proc.returncode, err


def get(url: str, path: str) -> dict[str, object]:
    base, _, token = url.partition("/?token=")
    request = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=PATIENCE) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def test_serve_prints_its_url_starts_from_the_best_plan_and_stops_on_ctrl_c(
    tmp_path: Path, deal: list[str]
) -> None:
    proc = start(tmp_path, *deal)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        # A free port on loopback, and a long random token (as Jupyter prints).
        base, _, token = url.partition("/?token=")
        assert base.startswith("http://127.0.0.1:") and int(base.rsplit(":", 1)[1]) > 0
        assert len(token) >= 40
        doc = get(url, "/api/state")
        assert doc["starts"] == {"by-pledge": 0, "us-relief": 2}
        assert doc["source"] == "the best plan" and doc["check"]["clean"]  # type: ignore[index]
        # Without the token: refused.
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/api/state", timeout=PATIENCE)
        assert refused.value.code == 403
        refused.value.close()
    finally:
        code, err = stop(proc)
    assert code == 0
    assert err == "Open the workbench at this URL (Ctrl-C stops it):\nplanner serve: stopped\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal"]  # nothing written


def test_ctrl_c_says_what_was_not_saved(tmp_path: Path, deal: list[str]) -> None:
    proc = start(tmp_path, *deal)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        base, _, token = url.partition("/?token=")
        request = urllib.request.Request(
            base + "/api/move",
            data=b'{"step": "us-relief", "start": 5}',
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=PATIENCE) as answer:
            assert json.loads(answer.read())["starts"]["us-relief"] == 5
    finally:
        code, err = stop(proc)
    assert code == 0
    assert err.endswith("planner serve: stopped (1 unsaved changes dropped)\n")


def test_a_roadmap_to_start_from(tmp_path: Path, deal: list[str]) -> None:
    (tmp_path / "r.yaml").write_text(
        "roadmap: {steps: [{step: by-pledge, start: 1}, {step: us-relief, start: 1}]}\n",
        encoding="utf-8",
    )
    proc = start(tmp_path, "r.yaml", *deal)
    try:
        assert proc.stdout is not None
        doc = get(proc.stdout.readline().strip(), "/api/state")
        assert doc["source"] == "r.yaml"
        assert [v["rule"] for v in doc["check"]["violations"]] == ["after:us-relief"]  # type: ignore[index]
    finally:
        assert stop(proc)[0] == 0


def test_another_host_is_served_with_a_warning(tmp_path: Path, deal: list[str]) -> None:
    # 127.0.0.2 is loopback too, but not the default: the warning is about the option.
    proc = start(tmp_path, *deal, "--host", "127.0.0.2")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.2:")
        assert get(url, "/api/state")["check"]["clean"]  # type: ignore[index]
    finally:
        code, err = stop(proc)
    assert code == 0
    assert err.startswith("warning: serving on 127.0.0.2: other machines can reach the workbench")


def test_open_opens_the_browser_at_the_url(tmp_path: Path, deal: list[str]) -> None:
    """`--open` asks the system's browser (here `$BROWSER`, a script that notes the URL)."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    proc = start(tmp_path, *deal, "--open", env={"BROWSER": str(script)})
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        get(url, "/api/state")  # served by now; the browser is opened once it is
        for _ in range(int(PATIENCE * 10)):
            if opened.exists() and opened.read_text(encoding="utf-8").strip():
                break
            import time

            time.sleep(0.1)
        assert opened.read_text(encoding="utf-8").strip() == url
    finally:
        assert stop(proc)[0] == 0


def test_a_port_in_use_is_refused(tmp_path: Path, deal: list[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli("serve", *deal, "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        f"planner serve: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "missing.yaml"),
        (["--port", "70000"], "70000"),
        (["--set", "us-relief.duration=abc"], "--set 'us-relief.duration=abc'"),
    ],
)
def test_bad_input_exits_2_before_serving(
    tmp_path: Path, deal: list[str], args: list[str], message: str
) -> None:
    result = cli("serve", *args, *deal, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr


def test_serve_is_documented() -> None:
    result = cli("serve", "--help")
    assert result.returncode == 0
    for option in (
        "--port",
        "--host",
        "--open",
        "--packages",
        "--set",
        "--variant",
        "--time-limit",
    ):
        assert option in result.stdout
    page = (ROOT / "docs" / "commands" / "serve.md").read_text(encoding="utf-8")
    assert "# `planner serve [ROADMAP]`" in page
    assert (ROOT / "docs" / "serve.openapi.json").exists()
