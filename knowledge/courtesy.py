"""Greetings and thanks around a question: found so that search answers what is asked, not the courtesy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from knowledge.normalize import Token, make_token, raw_words

COURTESY_FILE = Path(__file__).parent / "data" / "courtesy.yaml"

Phrase = tuple[Token, ...]


def _phrases(items: list[str]) -> tuple[Phrase, ...]:
    """Tokenised phrases, longest first, so "xin chào" wins over "chào"."""
    phrases = {tuple(make_token(w) for w in raw_words(p)) for p in items}
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


def _same(typed: Token, wanted: Token) -> bool:
    # As with abbreviations: unmarked words match by their plain form, marked ones must match exactly.
    return typed.acc == wanted.acc or (not typed.marked and typed.plain == wanted.plain)


@dataclass(frozen=True)
class Courtesy:
    """The greetings, question openers, thanks and filler words of data/courtesy.yaml."""

    openers: tuple[Phrase, ...]  # greetings and lead-ins: they count only before the question starts
    thanks: tuple[Phrase, ...]
    fillers: tuple[Token, ...]

    @classmethod
    def load(cls, path: Path = COURTESY_FILE) -> Courtesy:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        fillers = tuple(make_token(w) for item in data.get("fillers") or () for w in raw_words(item))
        openers = _phrases([*(data.get("greetings") or []), *(data.get("lead_ins") or [])])
        return cls(openers, _phrases(data.get("thanks") or []), fillers)

    def content(self, tokens: list[Token]) -> list[Token] | None:
        """The tokens without courtesy phrases and their fillers; None when there was no courtesy to take out."""
        out: list[Token] = []
        found = False
        i = 0
        while i < len(tokens):
            size = self._match(self._thanks_by_word, tokens, i) or (
                self._match(self._openers_by_word, tokens, i) if not out else 0
            )
            if not size:
                out.append(tokens[i])
                i += 1
                continue
            found = True
            i += size
            while i < len(tokens) and any(_same(tokens[i], f) for f in self.fillers):
                i += 1
        return out if found else None

    # Phrases by their first word's plain form (every match shares it), longest first as in the tuples: trying
    # every phrase at every word was a tenth of a long message's search.
    @cached_property
    def _openers_by_word(self) -> dict[str, tuple[Phrase, ...]]:
        return _by_first_word(self.openers)

    @cached_property
    def _thanks_by_word(self) -> dict[str, tuple[Phrase, ...]]:
        return _by_first_word(self.thanks)

    @staticmethod
    def _match(by_word: dict[str, tuple[Phrase, ...]], tokens: list[Token], start: int) -> int:
        for phrase in by_word.get(tokens[start].plain, ()):
            window = tokens[start : start + len(phrase)]
            if len(window) == len(phrase) and all(_same(t, w) for t, w in zip(window, phrase)):
                return len(phrase)
        return 0


def _by_first_word(phrases: tuple[Phrase, ...]) -> dict[str, tuple[Phrase, ...]]:
    grouped: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        grouped.setdefault(phrase[0].plain, []).append(phrase)
    return {word: tuple(group) for word, group in grouped.items()}
