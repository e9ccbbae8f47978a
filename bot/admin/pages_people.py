"""Người đăng ký: subscribers searched, exported, imported, one person's page and their erasure."""

from __future__ import annotations

from aiohttp import web


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin)."""
    return []
