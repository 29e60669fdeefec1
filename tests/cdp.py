"""A live headless Chromium session over the DevTools protocol (a pipe: no extra package,
no debugging port), for pages that are used, not just loaded: the workbench's browser
test and its benchmark drag bars with synthetic mouse events, evaluate scripts, read the
requests and console, and take screenshots.

Built on `tests.browser` (the report's one-shot loader): its pipe and its `CHROMIUM`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

from tests.browser import PATIENCE, _Pipe, launch


class Browser:
    """One tab of a headless Chromium: `open(url)`, `evaluate(js)`, `drag(...)`,
    `screenshot(...)`; `requests`, `console` and `errors` collect what the page did."""

    def __init__(self, pipe: _Pipe, session: str) -> None:
        self.pipe = pipe
        self.session = session
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        result = self.pipe.send(method, params, session=self.session)
        self._collect()
        return result

    def _collect(self) -> None:
        for event in self.pipe.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled":
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params["args"]
                )
                self.console.append((params["type"], text))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                exc = details.get("exception", {}).get("description", "")
                self.errors.append(f"{details.get('text', 'exception')} {exc}".strip())
            elif method == "Log.entryAdded":
                entry = params["entry"]
                self.console.append((entry["level"], entry.get("text", "")))
        self.pipe.events = [e for e in self.pipe.events if e.get("method") == "Page.loadEventFired"]

    def size(self, width: int, height: int) -> None:
        """The viewport, in CSS pixels."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.pipe.events.clear()
        self.send("Page.navigate", {"url": url})
        self.pipe.wait_for("Page.loadEventFired")
        self._collect()

    def evaluate(self, expression: str, wait: bool = True) -> Any:
        """The JSON value of `expression` (awaited when it is a promise)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": wait},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def wait(self, expression: str, patience: float = PATIENCE) -> Any:
        """Poll `expression` until it is truthy (in JavaScript). A safety net, not a timing."""
        end = time.monotonic() + patience
        while True:
            value = self.evaluate(f"!!({expression})")
            if value:
                return value
            if time.monotonic() > end:
                status = self.evaluate("(document.getElementById('status') || {}).textContent")
                raise TimeoutError(
                    f"never true: {expression}; status {status!r}; errors {self.errors}; "
                    f"console {self.console}"
                )
            time.sleep(0.02)

    def mouse(self, kind: str, x: float, y: float, buttons: int = 0) -> None:
        self.send(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1},
        )

    def drag(self, x0: float, y0: float, x1: float, y1: float, steps: int = 8) -> None:
        """Press the left button at (x0, y0), move to (x1, y1) in `steps`, release."""
        self.mouse("mouseMoved", x0, y0)
        self.mouse("mousePressed", x0, y0, 1)
        for i in range(1, steps + 1):
            self.mouse("mouseMoved", x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps, 1)
        self.mouse("mouseReleased", x1, y1)

    def click(self, x: float, y: float) -> None:
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y, 1)
        self.mouse("mouseReleased", x, y)

    def screenshot(self, path: str, full: bool = False) -> None:
        """A PNG of the viewport (or the whole page)."""
        params: dict[str, Any] = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A fresh headless Chromium with one tab, closed on the way out."""
    proc, commands_w, events_r, profile = launch(
        "workbench-browser-", "--hide-scrollbars", "--font-render-hinting=none"
    )
    pipe = _Pipe(proc, commands_w, events_r)
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        tab = Browser(pipe, session)
        for domain in ("Network", "Runtime", "Log", "Page"):
            tab.send(f"{domain}.enable")
        pipe.events.clear()
        tab.requests.clear()
        yield tab
        with contextlib.suppress(EOFError, RuntimeError, TimeoutError):
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


def as_json(value: Any) -> str:
    return json.dumps(value)
