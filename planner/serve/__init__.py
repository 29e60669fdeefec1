"""`planner serve`: the negotiation workbench, a local web application.

The roadmap as an interactive Gantt chart in the browser: drag a step and every rule is
checked at once; Repair, Plan, Undo/redo, Pin, Save and Report; what-if changes (`--set`)
and contingency branches (`check --assume`) in place.

- `session`: one user's state on the server (the roadmap, pins, what-if, history) and its
  actions, each a call into `planner.api`;
- `views`: what the page is sent (JSON), pure;
- `app`: the HTTP face (Starlette): the token, `Host` and `Origin` checks, JSON errors;
- `run`: binding the port, printing the URL, serving (uvicorn) until Ctrl-C;
- `static/`: the page (plain HTML, CSS and JavaScript; nothing fetched from elsewhere).

The HTTP API is described in docs/serve.openapi.json.
"""
