"""Chiến dịch: campaigns listed with live progress, created, test-sent, cancelled and reported from the web."""

from __future__ import annotations

from aiohttp import web


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin)."""
    return []
