"""The FastAPI application: ``create_app(workspace_path, db_url)`` and ``app_from_env`` (what
`heatproof serve` starts with uvicorn, as the import string "heatproof.web.app:app_from_env").

The contract for page modules (docs/web.md):

- State: ONE Workspace per app, opened by create_app (migrating it to this code's schema) and
  shared by every request: ``auth.workspace_of(request)`` (``app.state.workspace``); use its
  ``unit_of_work()`` to read and ``transaction(work)`` to write (a SQLAlchemy engine is safe
  across threads; sync route functions run in the thread pool).
- Routers: each page module defines ``router = APIRouter()``; ``web/routes.py`` lists them in
  ROUTERS (add one line there; included without a prefix, so a route's path is the one its
  module declares). Pages render with ``templating.render(request, "x.html",
  ...)``; templates extend ``base.html`` and put ``{{ csrf_field() }}`` in each POST form.
- Auth: ``auth.current_user`` / ``auth.require_role(*roles)`` (401/403 and CSRF for unsafe
  methods); every state change goes through ``audit.record_change`` in its unit of work.
- Errors: NotFound -> 404, InvalidInput -> 422, any other HeatproofError -> 409,
  DatabaseUnavailable -> 503, one line each; JSON ``{"detail": ...}`` under /api/ (and for
  clients asking for JSON), a small HTML page otherwise.
- ``/healthz``: a constant answer for liveness checks (no workspace access).
- Assets: ``/static/...`` from ``web/static/``; ``/static/plotly.min.js`` from the installed
  plotly package. Nothing is loaded from another site (the Content-Security-Policy says so).
- Publications (the public view): ``records.users.publish / withdraw /
  published_campaign_ids``; the publish and withdraw routes are in ``web/campaigns.py``.
- Signing keys: the role keys of ``app.state.keys_dir`` (None: $HEATPROOF_KEYS or the
  default, as the CLI), through the same evidence/factory services as the CLI.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from heatproof import __version__
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.web.auth import LoginLimiter
from heatproof.web.routes import ROUTERS
from heatproof.web.templating import templates
from heatproof.workspace import DatabaseUnavailable, Workspace

ENV_WORKSPACE = "HEATPROOF_WEB_WORKSPACE"
ENV_DB_URL = "HEATPROOF_WEB_DB_URL"
ENV_KEYS = "HEATPROOF_WEB_KEYS"
STATIC_DIR = Path(__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; "
    "form-action 'self'; base-uri 'self'"
)


def _status(exc: HeatproofError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidInput):
        return 422
    return 503 if isinstance(exc, DatabaseUnavailable) else 409


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error(request: Request, status: int, detail: str, headers: dict | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    page = templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "detail": detail, "user": None, "csrf_field": lambda: ""},
        status_code=status,
        headers=headers,
    )
    return page


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(HeatproofError)
    async def _heatproof(request: Request, exc: HeatproofError) -> Response:
        return _error(request, _status(exc), " ".join(str(exc).split()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401 and not _wants_json(request) and request.method == "GET":
            back = quote(request.url.path, safe="/")  # a header of ASCII only, no CR/LF
            return Response(status_code=303, headers={"Location": f"/login?next={back}"})
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))


def _assets(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        """A constant answer without touching the workspace (liveness; the framework's floor)."""
        return {"ok": True}

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def create_app(
    workspace_path: Path, db_url: str | None = None, keys_dir: Path | None = None
) -> FastAPI:
    """The web application serving the workspace at ``workspace_path`` (database ``db_url``,
    default its records.db), opened once here and shared by all requests; signing keys from
    ``keys_dir`` (None: as the CLI). Closes the workspace at shutdown."""
    ws = Workspace.open(workspace_path, db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        ws.close()

    app = FastAPI(
        lifespan=lifespan,
        title="heatproof",
        version=__version__,
        description="Campaigns, evidence, reliability, stands and production of a heatproof "
        "workspace. Log in with a browser session or an API token (Bearer).",
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's interactive page loads its scripts from a CDN
        redoc_url=None,
    )
    app.state.workspace = ws
    app.state.keys_dir = keys_dir
    app.state.login_limiter = LoginLimiter()
    _handlers(app)
    _assets(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """The application for uvicorn's factory mode: workspace from $HEATPROOF_WEB_WORKSPACE,
    database from $HEATPROOF_WEB_DB_URL (optional), keys from $HEATPROOF_WEB_KEYS (optional)."""
    path = os.environ.get(ENV_WORKSPACE)
    if not path:
        raise HeatproofError(f"${ENV_WORKSPACE} is not set; start the server with `heatproof serve`")
    keys = os.environ.get(ENV_KEYS)
    return create_app(Path(path), os.environ.get(ENV_DB_URL) or None, Path(keys) if keys else None)
