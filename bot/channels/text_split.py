"""Splitting a long text into messages a platform accepts, at paragraph, line or word boundaries."""

from __future__ import annotations


def split_paragraphs(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at blank lines, then lines, then spaces."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0)
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return [c for c in chunks if c]
