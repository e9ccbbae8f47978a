"""Who may do what in the console: admins everything, staff their own pages (campaigns, requests)."""

from __future__ import annotations

from enum import StrEnum


class AdminRole(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {"admin": "Quản trị viên", "staff": "Cán bộ"}[self.value]
