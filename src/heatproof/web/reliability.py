"""The reliability pages of the web application (docs/web.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
