"""A running console for tests: the bot's core on a real database, the aiohttp app, a client that signs in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp.test_utils import TestClient, TestServer

from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.web import build_web_app
from bot.wiring import Core, build_admin

PASSWORD = "mat-khau-thu-nghiem-1"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@dataclass
class Console:
    core: Core
    client: TestClient

    async def add_user(self, email: str, role: AdminRole = AdminRole.ADMIN) -> None:
        async with self.core.db.session() as session:
            await accounts.add_user(session, email, role, PASSWORD)

    async def sign_in(self, email: str, password: str = PASSWORD) -> int:
        page = await self.client.get("/admin/dang-nhap")
        token = csrf_of(await page.text())
        reply = await self.client.post(
            "/admin/dang-nhap",
            data={"csrf": token, "email": email, "password": password},
            allow_redirects=False,
        )
        return reply.status

    async def csrf(self, path: str = "/admin/kho-tri-thuc") -> str:
        page = await self.client.get(path)
        return csrf_of(await page.text())

    async def form_of(self, entry_id: str) -> dict[str, str | list[str]]:
        """The edit form's fields as the browser would send them back unchanged."""
        entry = self.core.search().kb.get(entry_id)
        assert entry is not None
        kb = await build_admin(self.core).editor.live()
        live = kb.get(entry_id)
        assert live is not None
        return {
            "csrf": await self.csrf(f"/admin/kho-tri-thuc/{entry_id}"),
            "version": str(kb.version),
            "topic": live.topic,
            "question": live.question,
            "label": live.label,
            "alternates": "\n".join(live.alternates),
            "answer": live.answer,
            "source": live.source,
            "reviewed": live.reviewed.isoformat() if live.reviewed else "",
            "review_by": live.review_by.isoformat() if live.review_by else "",
            "valid_until": "",
            "related": list(live.related),
            "tags": ", ".join(live.tags),
        }


async def start_console(core: Core) -> Console:
    app = build_web_app([], core.db, core.metrics, lambda: {}, build_admin(core))
    client = TestClient(TestServer(app))
    await client.start_server()
    return Console(core, client)


def pairs(form: dict[str, str | list[str]]) -> list[tuple[str, str]]:
    """Form fields as (name, value) pairs, a list field once per value (a multiple select)."""
    out: list[tuple[str, str]] = []
    for name, value in form.items():
        out += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return out
