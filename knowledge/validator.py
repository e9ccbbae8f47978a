"""Check a knowledge base against the entry rules of DESIGN.md; every problem names its file and entry."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from knowledge.answer_parts import CONTACT, SHORT_MAX_CHARS, paragraphs, split_answer
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
MAX_LABEL_CHARS = 40  # a button label longer than this is cut off on a phone
_LIST_START = re.compile(r"^(?:[-*•]|\d+[.)])\s")
_URL = re.compile(r"https?://\S+")
# What a well-formed URL may hold (RFC 3986); curly quotes or unencoded letters mean it will not open.
_URL_CHARS = re.compile(r"^https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+$")
# A URL cut by a space goes on with a path-like word: "https://x.vn/tin tuc-moi.html".
_AFTER_SPACE = re.compile(r"^\S*(?:/|\.html?\b|\.aspx?\b|\.php\b)")


def url_problems(text: str) -> list[str]:
    """Why the URLs in `text` would not open: typographic quotes, letters to encode, a space inside."""
    found: list[str] = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:)")
        if not _URL_CHARS.match(url):
            found.append(f"URL {url[:60]!r} holds characters a link cannot (quotes, spaces or unencoded letters)")
        elif _AFTER_SPACE.match(text[match.end() :].removeprefix(" ")) and text[match.end() : match.end() + 1] == " ":
            found.append(f"URL {url[:60]!r} seems cut by a space")
    return found


def answer_problems(answer: str) -> list[str]:
    """The KB 2.0 answer form: a short first paragraph that answers alone, {contact} only as the last block."""
    found: list[str] = []
    parts = split_answer(answer)
    if not parts.short:
        return found
    if len(parts.short) > SHORT_MAX_CHARS:
        found.append(f"short answer (first paragraph) is {len(parts.short)} characters, over {SHORT_MAX_CHARS}")
    if _LIST_START.match(parts.short):
        found.append("the answer must open with a sentence that answers, not a list")
    if CONTACT in answer and (answer.count(CONTACT) > 1 or paragraphs(answer)[-1] != CONTACT):
        found.append("{contact} must stand alone as the last paragraph, once")
    elif parts.contact and (parts.detail or parts.short).rstrip().endswith(":"):
        # The block shows right under the short answer, so a sentence leading into it would dangle.
        found.append("the text before {contact} must not end with ':' (the contact block shows under the short answer)")
    return found


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
        else:
            for message in answer_problems(entry.answer):
                report(message)
        if not entry.source:
            report("missing source")
        for message in url_problems(entry.source) + url_problems(entry.answer):
            report(message)
        if len(entry.button_label) > MAX_LABEL_CHARS:
            which = "label" if entry.label else "question (no label set)"
            report(f"{which} is {len(entry.button_label)} characters, over {MAX_LABEL_CHARS} for a button")
        if entry.due_for_review(today):
            report(f"due for review since {entry.review_by}", "warning")
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
