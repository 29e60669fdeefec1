"""Serving the workbench: bind the port (a free one by default), print the URL with its
token, open the browser when asked, serve until Ctrl-C (uvicorn)."""

from __future__ import annotations

import secrets
import socket
import threading
import time
import webbrowser
from collections.abc import Callable

from planner.serve.app import create_app, loopback_hosts
from planner.serve.session import Session

#: Hosts that keep the server to this machine; any other `--host` gets a warning.
LOCAL = ("127.0.0.1", "localhost", "::1")
#: Seconds a request still running at Ctrl-C (a search) is given before it is dropped.
GRACE = 1


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0: a free port the system picks).

    Raises
    ------
    OSError
        The address cannot be had (in use, not an address of this machine).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(host: str, port: int, token: str) -> str:
    """The URL to open: the loopback name for a wildcard host."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/?token={token}"


def serve(
    session: Session,
    sock: socket.socket,
    host: str,
    say: Callable[[str], None],
    open_browser: bool = False,
    token: str | None = None,
) -> None:
    """Serve `session` on the bound socket until Ctrl-C (then return, or raise
    KeyboardInterrupt as the signal is passed on). `say` prints the URL."""
    import uvicorn

    token = token or secrets.token_urlsafe(32)
    port = sock.getsockname()[1]
    app = create_app(session, token, loopback_hosts(port, host))
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # the URLs carry the token
        lifespan="off",
        timeout_graceful_shutdown=GRACE,
        server_header=False,
    )
    server = uvicorn.Server(config)
    url = url_of(host, port, token)
    say(url)
    if open_browser:

        def opener() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=opener, daemon=True).start()
    server.run(sockets=[sock])
