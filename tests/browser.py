"""A headless Chromium driven through the DevTools protocol over a pipe (no extra Python
package, no network port): load a page, collect every request it makes and every console
message and error, and evaluate a script in it.

Used by the report's browser test; `CHROMIUM` is None where no Chromium is installed
(`.ci/run` installs Debian's `chromium` when it can).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
#: A safety net against a browser that hangs, not a performance assertion.
PATIENCE = 90.0


@dataclass
class Page:
    """What loading a page showed: its requests, console messages, errors, and the value
    of the script evaluated once it had loaded."""

    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    errors: list[str] = field(default_factory=list)
    value: Any = None


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write: int, read: int) -> None:
        self.proc, self.write, self.read = proc, write, read
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def receive(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.read], [], [], PATIENCE)
            if not ready:
                raise TimeoutError("the browser did not answer")
            chunk = os.read(self.read, 1 << 16)
            if not chunk:
                raise EOFError("the browser closed its pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)  # type: ignore[no-any-return]

    def wait_for(self, method: str) -> dict[str, Any]:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self.receive()
            if event.get("method") == method:
                return event
            self.events.append(event)


def launch(prefix: str, *flags: str) -> tuple[subprocess.Popen[bytes], int, int, str]:
    """A headless Chromium speaking the DevTools protocol over a pipe, with a fresh profile
    (a temporary folder named `prefix`...): the process, the fd to write commands to, the
    fd to read events from, and the profile's folder (the caller removes it)."""
    assert CHROMIUM is not None
    commands_r, commands_w = os.pipe()
    events_r, events_w = os.pipe()
    # The child's ends above fd 9, so that moving them onto fds 3 and 4 cannot close one.
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (commands_r, events_w)]
    os.close(commands_r)
    os.close(events_w)
    commands_r, events_w = high
    profile = tempfile.mkdtemp(prefix=prefix)
    # Chromium reads the protocol on fd 3 and writes on fd 4.
    script_sh = f'exec "$0" "$@" 3<&{commands_r} 4>&{events_w} {commands_r}<&- {events_w}>&-'
    proc = subprocess.Popen(
        ["bash", "-c", script_sh, CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--remote-debugging-pipe", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", *flags,
         f"--user-data-dir={profile}", "about:blank"],
        pass_fds=(commands_r, events_w),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(commands_r)
    os.close(events_w)
    return proc, commands_w, events_r, profile


def load(url: str, script: str, width: int | None = None) -> Page:
    """Load `url` in a fresh headless Chromium (a window `width` CSS pixels wide, as a
    phone's is, when given), wait for its load event, then evaluate `script` (an
    expression whose value is JSON)."""
    proc, commands_w, events_r, profile = launch("report-browser-")
    pipe = _Pipe(proc, commands_w, events_r)
    page = Page()
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Network", "Runtime", "Log", "Page"):
            pipe.send(f"{domain}.enable", session=session)
        if width is not None:
            metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": True}
            pipe.send("Emulation.setDeviceMetricsOverride", metrics, session=session)
        pipe.events.clear()  # about:blank's own events
        pipe.send("Page.navigate", {"url": url}, session=session)
        pipe.wait_for("Page.loadEventFired")
        result = pipe.send(
            "Runtime.evaluate", {"expression": script, "returnByValue": True}, session=session
        )
        page.value = result.get("result", {}).get("value")
        for event in pipe.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                page.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled":
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params["args"]
                )
                page.console.append((params["type"], text))
            elif method == "Runtime.exceptionThrown":
                page.errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded":
                entry = params["entry"]
                page.console.append((entry["level"], entry.get("text", "")))
        with contextlib.suppress(EOFError, RuntimeError):
            pipe.send("Browser.close")
    finally:
        os.close(commands_w)
        os.close(events_r)
        try:
            proc.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return page
