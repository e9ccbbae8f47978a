"""Yêu cầu gặp cán bộ: requests to staff, their transcripts, replies from the web, take and close."""

from __future__ import annotations

from aiohttp import web


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin)."""
    return []
