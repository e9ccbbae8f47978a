"""What an admin still has to do, said once at start-up: contact details unset, entries due for review."""

from __future__ import annotations

import datetime as dt

from handlers.views import ContactDetails
from knowledge.model import KnowledgeBase

MAX_NAMED = 5  # entries named in the review warning; the rest are counted


def setup_warnings(contact: ContactDetails, kb: KnowledgeBase, today: dt.date) -> list[str]:
    """One line per thing to fix; empty when there is nothing."""
    found = []
    if contact.unset:
        found.append(
            f"contact details unset ({', '.join(contact.unset)}): answers say the department's details are "
            "being updated and offer «Gặp cán bộ»; set them in the environment or .env"
        )
    due = [e.id for e in kb.entries if e.due_for_review(today)]
    if due:
        named = ", ".join(due[:MAX_NAMED]) + (f" and {len(due) - MAX_NAMED} more" if len(due) > MAX_NAMED else "")
        found.append(f"{len(due)} knowledge-base entries are due for review (review_by passed): {named}")
    return found
