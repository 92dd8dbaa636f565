"""The registry of the web application's routers: ``web/app.py`` includes every router of
ROUTERS, in order. A new page module defines ``router = APIRouter()`` and adds one line here
(import it and append its ``router``); nothing else needs to change. A module listed here
imports ``auth``, ``audit``, ``templating`` and services, never ``app`` nor this module.
"""

from __future__ import annotations

from fastapi import APIRouter

from heatproof.web import (
    account,
    campaigns,
    evidence,
    metrics,
    overview,
    plants,
    production,
    public,
    reliability,
    stands,
)

ROUTERS: list[APIRouter] = [
    account.router,
    overview.router,
    campaigns.router,
    evidence.router,
    reliability.router,
    stands.router,
    public.router,
    metrics.router,
    plants.router,
    production.router,
]
