"""Server-rendered pages: the Jinja environment over ``web/templates/`` and ``render``.

Every page extends ``base.html`` (navigation, who is logged in, the logout form). A form that
POSTs puts ``{{ csrf_field() }}`` inside it (the CSRF token of the session, or of the login
cookie for an anonymous visitor). Templates are autoescaped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from heatproof.web.auth import csrf_token_for, current_user

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Template ``name`` rendered for ``request`` with ``context`` (plus ``user``, the
    logged-in user or None, and ``csrf_field()``), answered with ``status_code``."""
    user = current_user(request)
    token = csrf_token_for(request)

    def csrf_field() -> Markup:
        return Markup(f'<input type="hidden" name="csrf_token" value="{escape(token)}">')

    response = templates.TemplateResponse(
        request,
        name,
        {"user": user, "csrf_field": csrf_field, "csrf_token": token, **context},
        status_code=status_code,
    )
    if user is None:
        response.set_cookie(
            "hp_csrf", token, httponly=True, samesite="strict", secure=_secure(request)
        )
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"
