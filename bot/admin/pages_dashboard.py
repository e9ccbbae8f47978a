"""Tổng quan: the dashboard's page (questions, answers, subscribers, requests, campaigns over a period)."""

from __future__ import annotations

from aiohttp import web


def routes(prefix: str) -> list[web.RouteDef]:
    """This page's routes under `prefix` (/admin)."""
    return []
