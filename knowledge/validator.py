"""Check a knowledge base against the entry rules of DESIGN.md; every problem names its file and entry."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from knowledge.loader import Problem
from knowledge.model import Entry, KnowledgeBase
from knowledge.normalize import Normalizer

MAX_ANSWER_CHARS = 4000
MIN_ALTERNATES = 4
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# Placeholders the renderer fills from settings; anything else in braces is a typo.
PLACEHOLDERS = {"contact"}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def validate(kb: KnowledgeBase, normalizer: Normalizer | None = None, today: dt.date | None = None) -> list[Problem]:
    """All problems of `kb`: errors make it unusable for release, warnings deserve a look."""
    normalizer = normalizer or Normalizer()
    today = today or dt.date.today()
    problems: list[Problem] = []
    topic_ids = {t.id for t in kb.topics}
    counts = Counter(e.id for e in kb.entries)
    questions: dict[str, str] = {}
    for entry in kb.entries:
        questions.setdefault(normalizer.analyze(entry.question, repair=False).plain, entry.id)

    for entry in kb.entries:

        def report(message: str, level: str = "error", entry: Entry = entry) -> None:
            problems.append(Problem(entry.origin, entry.id, message, level))

        if counts[entry.id] > 1:
            report(f"duplicate id (appears {counts[entry.id]} times)")
        if not ID_PATTERN.match(entry.id):
            report("id must be lower-case letters, digits and hyphens")
        if not entry.topic:
            report("missing topic")
        elif entry.topic not in topic_ids:
            report(f"unknown topic '{entry.topic}'")
        if not entry.question:
            report("empty question")
        if not entry.answer:
            report("empty answer")
        elif len(entry.answer) > MAX_ANSWER_CHARS:
            report(f"answer is {len(entry.answer)} characters, over {MAX_ANSWER_CHARS}")
        if not entry.source:
            report("missing source")
        if entry.reviewed is None:
            report("missing reviewed date", "warning")
        if entry.valid_until is not None and entry.valid_until < today:
            report(f"expired: valid_until {entry.valid_until.isoformat()}", "warning")
        for name in _PLACEHOLDER.findall(entry.answer):
            if name not in PLACEHOLDERS:
                report(f"unknown placeholder {{{name}}} in answer")
        for target in entry.related:
            if target == entry.id:
                report("related points to itself")
            elif target not in counts:
                report(f"related '{target}' points nowhere")
        if len(entry.alternates) < MIN_ALTERNATES:
            report(f"only {len(entry.alternates)} alternates (want at least {MIN_ALTERNATES})", "warning")
        for phrasing in (entry.question, *entry.alternates):
            if phrasing and (phrasing.startswith(FORMULA_STARTS) or not any(ch.isalpha() for ch in phrasing)):
                # "=1+2" is no question, and in a spreadsheet it is a formula.
                report(f"phrasing {phrasing[:40]!r} must be words, not starting with = + - @")
        for alternate in entry.alternates:
            owner = questions.get(normalizer.analyze(alternate, repair=False).plain)
            if owner is not None and owner != entry.id:
                report(f"alternate {alternate!r} is identical to the question of '{owner}'")
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]
