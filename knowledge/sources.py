"""How sources read to a user: the citations entries share, each with a short form (title, issuer, year) and a link.

Entries keep the full citation in `source` (what admins review); `data/sources.yaml` gives the display form
of the citations many entries share. A citation it does not know is shown as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.safe_yaml import load_yaml

SOURCES_FILE = Path(__file__).parent / "data" / "sources.yaml"
SEPARATOR = "; "


@dataclass(frozen=True)
class SourceNote:
    """One known citation and how a user sees it."""

    cite: str
    title: str
    issuer: str = ""
    year: str = ""
    url: str = ""

    def display(self) -> str:
        named = ", ".join(part for part in (self.title, self.issuer, self.year) if part)
        return f"{named} – {self.url}" if self.url else named


class SourceBook:
    """Known citations by their full text."""

    def __init__(self, notes: list[SourceNote]):
        self.notes = {note.cite: note for note in notes}

    @classmethod
    def load(cls, path: Path = SOURCES_FILE) -> SourceBook:
        raw = load_yaml(path.read_text(encoding="utf-8")) or []
        return cls([SourceNote(**{k: str(v) for k, v in item.items()}) for item in raw])

    def display(self, source: str) -> str:
        """`source` with every known citation in its short form; the rest as written."""
        parts = [part.strip() for part in source.split(SEPARATOR) if part.strip()]
        shown: list[str] = []
        for part in parts:
            note = self.notes.get(part)
            text = note.display() if note is not None else part
            if text not in shown:
                shown.append(text)
        return SEPARATOR.join(shown)
