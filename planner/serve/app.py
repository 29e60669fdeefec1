"""The workbench's HTTP face: a Starlette application over one `Session`.

Every request must carry the token (`?token=` or `Authorization: token ...`) and come
for a host the server answers as (`Host`, against DNS rebinding) from its own page
(`Origin`, `Sec-Fetch-Site`, against cross-site requests); bodies are JSON of at most
`MAX_BODY` bytes. A refused or bad request gets a JSON error and changes nothing. The
API is described in docs/serve.openapi.json.
"""

from __future__ import annotations

import hmac
import json
import sys
import traceback
from collections.abc import Awaitable, Callable, Collection
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planner.serve.session import Refused, Session

#: The largest request body taken, in bytes (a thousand what-if expressions fit).
MAX_BODY = 256 * 1024
#: The page's own files, served from the package (nothing from elsewhere).
STATIC = {"workbench.js": "text/javascript", "workbench.css": "text/css"}
#: What the page may load and where it may connect: its own server only.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
#: The report is a page of its own (inline style, charts as inline SVG), run in a sandbox.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
#: Names of the loopback interface a browser may use in `Host`.
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def error(status: int, message: str, problems: Collection[str] = ()) -> JSONResponse:
    """The JSON every refused or failed request gets."""
    body = {"error": {"status": status, "message": message, "problems": list(problems)}}
    return JSONResponse(body, status_code=status)


class Guard:
    """ASGI middleware: the token, `Host`, `Origin`, `Sec-Fetch-Site` and the body's
    announced size are checked before anything runs; every answer gets the security
    headers (no referrer, no sniffing, not in a frame, no caching of the session)."""

    def __init__(self, app: ASGIApp, token: str, hosts: Collection[str] | None) -> None:
        self.app = app
        self.token = token
        #: Allowed `Host` values (name:port); None: any (a wildcard `--host`).
        self.hosts = None if hosts is None else {h.lower() for h in hosts}

    def refusal(self, scope: Scope) -> JSONResponse | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "").lower()
        if not host or (self.hosts is not None and host not in self.hosts):
            return error(403, f"refused: this server does not answer as host '{host}'")
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host}":
            return error(403, f"refused: a request from another site ({origin})")
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return error(403, "refused: a request from another site")
        given = QueryParams(scope.get("query_string", b"")).get("token")
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if given is None and scheme.lower() == "token":
            given = value.strip()
        if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
            return error(
                403, "refused: the token is missing or wrong (use the URL the server printed)"
            )
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return error(413, f"refused: a request body is at most {MAX_BODY} bytes")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store"),
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        refused = self.refusal(scope)
        if refused is not None:
            await refused(scope, receive, guarded)
            return
        await self.app(scope, receive, guarded)


async def body_json(request: Request) -> dict[str, Any]:
    """The request's JSON object (an empty body: {}), read up to `MAX_BODY` bytes.

    Raises
    ------
    Refused
        415 not JSON, 413 too large, 400 malformed or not an object.
    """
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if kind.lower() != "application/json":
        raise Refused(415, "a request body is JSON (Content-Type: application/json)")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise Refused(413, f"refused: a request body is at most {MAX_BODY} bytes")
    if not data.strip():
        return {}
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refused(400, f"the body is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise Refused(400, "the body must be a JSON object")
    return doc


def _fields(doc: dict[str, Any], allowed: Collection[str], required: Collection[str] = ()) -> None:
    unknown = sorted(set(doc) - set(allowed))
    if unknown:
        raise Refused(
            400, f"unknown field '{unknown[0]}' (this action takes: {', '.join(allowed) or 'none'})"
        )
    missing = [f for f in required if f not in doc]
    if missing:
        raise Refused(400, f"missing field '{missing[0]}'")


def page(token: str) -> str:
    """The workbench's page, its files named with the token (every request carries it)."""
    text = resources.files("planner.serve").joinpath("static/index.html").read_text("utf-8")
    return text.replace("{{token}}", token)


def create_app(session: Session, token: str, hosts: Collection[str] | None) -> Starlette:
    """The application: `token` every request must carry; `hosts` the `Host` values it
    answers to (None: any)."""

    def act(
        action: Callable[[dict[str, Any]], Any],
        allowed: Collection[str] = (),
        required: Collection[str] = (),
    ) -> Callable[[Request], Awaitable[Response]]:
        """An endpoint that reads the body, runs `action` alone, and answers the state."""

        def run(doc: dict[str, Any]) -> dict[str, Any]:
            with session.lock:
                extra = action(doc)
                state = session.state()
            if extra:
                state.update(extra)
            return state

        async def endpoint(request: Request) -> Response:
            try:
                doc = await body_json(request)
                _fields(doc, allowed, required)
                return JSONResponse(await run_in_threadpool(run, doc))
            except Refused as exc:
                return error(exc.status, exc.message, exc.problems)

        return endpoint

    async def index(request: Request) -> Response:
        return HTMLResponse(page(token), headers={"content-security-policy": PAGE_POLICY})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return error(404, f"no such file: {name}")
        data = resources.files("planner.serve").joinpath(f"static/{name}").read_bytes()
        return Response(data, media_type=STATIC[name])

    def read(view: Callable[[], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            def run() -> Any:
                with session.lock:
                    return view()

            try:
                return JSONResponse(await run_in_threadpool(run))
            except Refused as exc:
                return error(exc.status, exc.message, exc.problems)

        return endpoint

    async def report(request: Request) -> Response:
        def run() -> str:
            with session.lock:
                return session.report()

        try:
            html = await run_in_threadpool(run)
        except Refused as exc:
            return error(exc.status, exc.message, exc.problems)
        return HTMLResponse(html, headers={"content-security-policy": REPORT_POLICY})

    routes = [
        Route("/", index),
        Route("/static/{name}", static),
        Route("/api/scenario", read(session.scenario_doc)),
        Route("/api/state", read(session.state)),
        Route("/api/report", report),
        Route(
            "/api/move",
            act(
                lambda d: session.move(d["step"], d["start"]), ("step", "start"), ("step", "start")
            ),
            methods=["POST"],
        ),
        Route(
            "/api/pin",
            act(
                lambda d: session.pin(d["step"], d.get("pinned", True)),
                ("step", "pinned"),
                ("step",),
            ),
            methods=["POST"],
        ),
        Route("/api/undo", act(lambda d: session.undo()), methods=["POST"]),
        Route("/api/redo", act(lambda d: session.redo()), methods=["POST"]),
        Route("/api/repair", act(lambda d: session.repair()), methods=["POST"]),
        Route(
            "/api/plan", act(lambda d: session.plan(d.get("as_of")), ("as_of",)), methods=["POST"]
        ),
        Route(
            "/api/whatif",
            act(lambda d: session.whatif(d["sets"]), ("sets",), ("sets",)),
            methods=["POST"],
        ),
        Route(
            "/api/assume",
            act(lambda d: session.assume_outcomes(d["assume"]), ("assume",), ("assume",)),
            methods=["POST"],
        ),
        Route(
            "/api/save",
            act(
                lambda d: {"saved": session.save(d["path"], d.get("overwrite", False))},
                ("path", "overwrite"),
                ("path",),
            ),
            methods=["POST"],
        ),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error(exc.status_code, str(exc.detail))

    async def crash(request: Request, exc: Exception) -> Response:
        traceback.print_exception(exc, file=sys.stderr)
        return error(
            500, f"internal error: {type(exc).__name__} (the server's terminal has the details)"
        )

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: crash})
    app.add_middleware(Guard, token=token, hosts=hosts)
    return app


def loopback_hosts(port: int, host: str) -> set[str] | None:
    """The `Host` values a browser sends to this server: the loopback names (and `host`
    when it is another name or address) with the port; None for a wildcard address (any
    name may reach it: the token and `Origin` still guard it)."""
    if host in ("0.0.0.0", "::", ""):
        return None
    names = {*LOOPBACK, f"[{host}]" if ":" in host else host}
    return {f"{n}:{port}" for n in names}
