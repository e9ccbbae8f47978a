"""The contact block: the department's details as one block of lines, or a plain "being updated" note."""

from __future__ import annotations

from typing import Protocol

from handlers import texts
from handlers.views import ContactDetails


class ContactSource(Protocol):
    """Where the department's contact details come from now (settings, or what an admin saved)."""

    def current(self) -> ContactDetails: ...


class FixedContacts:
    """Contact details that do not change while the process runs (the CLI, tests)."""

    def __init__(self, details: ContactDetails):
        self.details = details

    def current(self) -> ContactDetails:
        return self.details


def contact_block(details: ContactDetails, offer_staff: bool = True) -> str:
    """The lines that are set; with neither phone nor email, a note that they are being updated.

    `offer_staff` adds "press «Gặp cán bộ»" to that note; a reply that already opened a request leaves it out.
    """
    if not details.reachable:
        wording = texts.CONTACT_UPDATING if offer_staff else texts.CONTACT_UPDATING_PLAIN
        return wording.format(org=details.org)
    lines = [texts.CONTACT_HEADING, texts.CONTACT_ORG.format(value=details.org)]
    for wording, value in (
        (texts.CONTACT_PHONE, details.phone),
        (texts.CONTACT_EMAIL, details.email),
        (texts.CONTACT_ADDRESS, details.address),
    ):
        if value.strip():
            lines.append(wording.format(value=value.strip()))
    return "\n".join(lines)
