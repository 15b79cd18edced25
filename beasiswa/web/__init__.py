"""The officers' web application (issue 13): the second front door, on the same services as the command line.
The web adds no business rule of its own: who a request is comes from `beasiswa.auth` (a server-side session
whose secret the browser holds in a cookie), what they may see and do from the route table (`access`) and,
for every change, the workflow's own checks.

- `app`: `create_app`, the FastAPI application with its pages, static files, headers and error pages;
  `serve`: the application as uvicorn's workers build it from the environment (`beasiswa web`).
- `site`: what every request needs (engine, `Auth`, workflow, clock, keys, templates), one per application.
- `access`: the route table (who may use each route) and the guard that checks it on every request: the
  session, a must-change-password session confined, the role, and the CSRF token of every change (`csrf`).
- `cookies`, `headers` (the security headers on every response), `render` (Jinja2 in Indonesian),
  `errors` (refusals as pages); `pages/`: one module a screen.
HTMX is a static file of the package (static/htmx.min.js, from the npm package htmx.org, its licence beside it).
"""

from beasiswa.web.app import create_app

__all__ = ["create_app"]
