"""`heatproof serve`: the web application on uvicorn (docs/web.md). The app is started by its
import string in factory mode, the workspace passed in environment variables, so that the
command line never imports the web package (two independent interfaces)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.options import DEFAULT_WORKSPACE, DbUrl, WorkspaceDir, open_workspace

HostOpt = Annotated[
    str, typer.Option("--host", help="Address to bind; 127.0.0.1 serves this machine only.")
]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")]
ProxyOpt = Annotated[
    str | None,
    typer.Option(
        "--proxy",
        help="Address of the reverse proxy in front (e.g. 127.0.0.1): only its X-Forwarded-For "
        "and X-Forwarded-Proto are believed. Without it no forwarded header is.",
    ),
]
KeysOpt = Annotated[
    Path | None,
    typer.Option("--keys", help="Signing key folder; default $HEATPROOF_KEYS or the user's."),
]


def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysOpt = None,
    proxy: ProxyOpt = None,
) -> None:
    """Serve the web application (dashboard, REST API at /api, OpenAPI at /openapi.json) for
    a workspace until interrupted; host, port, workspace, db_url and keys as their options say.
    Forwarded headers are believed only from proxy (the client address limits logins and the
    scheme marks cookies Secure, so a header anyone can send must not set them).
    Example: heatproof serve --workspace lab --port 8000"""
    import uvicorn

    open_workspace(workspace, db_url).close()  # a bad workspace or URL is one line, here
    os.environ["HEATPROOF_WEB_WORKSPACE"] = str(Path(workspace).expanduser().resolve())
    os.environ.pop("HEATPROOF_WEB_DB_URL", None)
    if db_url:
        os.environ["HEATPROOF_WEB_DB_URL"] = db_url
    os.environ.pop("HEATPROOF_WEB_KEYS", None)  # an inherited one would sign with other keys
    if keys is not None:
        os.environ["HEATPROOF_WEB_KEYS"] = str(keys.expanduser().resolve())
    typer.echo(f"heatproof web on http://{host}:{port} (workspace {workspace}); Ctrl-C stops it")
    uvicorn.run(
        "heatproof.web.app:app_from_env", factory=True, host=host, port=port,
        proxy_headers=proxy is not None, forwarded_allow_ips=proxy,
    )
