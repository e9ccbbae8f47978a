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
            found.append(f"đường dẫn «{url[:60]}» có ký tự không mở được (ngoặc kép cong, dấu cách hoặc chữ có dấu)")
        elif _AFTER_SPACE.match(text[match.end() :].removeprefix(" ")) and text[match.end() : match.end() + 1] == " ":
            found.append(f"đường dẫn «{url[:60]}» có vẻ bị một dấu cách cắt đôi")
    return found


def answer_problems(answer: str) -> list[str]:
    """The KB 2.0 answer form: a short first paragraph that answers alone, {contact} only as the last block."""
    found: list[str] = []
    parts = split_answer(answer)
    if not parts.short:
        return found
    if len(parts.short) > SHORT_MAX_CHARS:
        found.append(
            f"đoạn đầu (câu trả lời ngắn) dài {len(parts.short)} ký tự, quá {SHORT_MAX_CHARS}: "
            "viết một hai câu trả lời thẳng vào câu hỏi, phần chi tiết để sau một dòng trống"
        )
    if _LIST_START.match(parts.short):
        found.append("câu trả lời phải mở đầu bằng một câu trả lời thẳng, không phải một danh sách")
    if CONTACT in answer and (answer.count(CONTACT) > 1 or paragraphs(answer)[-1] != CONTACT):
        found.append("{contact} chỉ được đứng riêng ở đoạn cuối, một lần")
    elif parts.contact and (parts.detail or parts.short).rstrip().endswith(":"):
        # The block shows right under the short answer, so a sentence leading into it would dangle.
        found.append(
            "đoạn trước {contact} không được kết thúc bằng dấu hai chấm: khối liên hệ hiện ngay dưới câu trả lời ngắn"
        )
    return found


def validate(kb: KnowledgeBase, normalizer: Normalizer | None = None, today: dt.date | None = None) -> list[Problem]:
    """All problems of `kb`: errors make it unusable for release, warnings deserve a look."""
    normalizer = normalizer or Normalizer()
    today = today or dt.date.today()
    problems: list[Problem] = []
    topic_ids = {t.id for t in kb.topics}
    counts = Counter(e.id for e in kb.entries)
    questions: dict[str, str] = {}
    phrasings: dict[str, list[str]] = {}  # every phrasing, to the entries that have it
    # Each alternate analysed once, read again below (analysis is most of a validation's time).
    plains = [[normalizer.analyze(text, repair=False).plain for text in e.alternates] for e in kb.entries]
    for entry, entry_plains in zip(kb.entries, plains):
        questions.setdefault(normalizer.analyze(entry.question, repair=False).plain, entry.id)
        for plain in entry_plains:
            owners = phrasings.setdefault(plain, [])
            if entry.id not in owners:
                owners.append(entry.id)

    for entry, entry_plains in zip(kb.entries, plains):

        def report(message: str, field: str, level: str = "error", entry: Entry = entry) -> None:
            problems.append(Problem(entry.origin, entry.id, message, level, field))

        if counts[entry.id] > 1:
            report(f"mã bị trùng (xuất hiện {counts[entry.id]} lần)", "id")
        if not ID_PATTERN.match(entry.id):
            report("mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (2–63 ký tự)", "id")
        if not entry.topic:
            report("chưa chọn chủ đề", "topic")
        elif entry.topic not in topic_ids:
            report(f"không có chủ đề «{entry.topic}»", "topic")
        if not entry.question:
            report("chưa có câu hỏi", "question")
        if not entry.answer:
            report("chưa có câu trả lời", "answer")
        elif len(entry.answer) > MAX_ANSWER_CHARS:
            report(f"câu trả lời dài {len(entry.answer)} ký tự, quá {MAX_ANSWER_CHARS}", "answer")
        else:
            for message in answer_problems(entry.answer):
                report(message, "answer")
        if not entry.source:
            report("chưa ghi nguồn", "source")
        for message in url_problems(entry.source):
            report(message, "source")
        for message in url_problems(entry.answer):
            report(message, "answer")
        if len(entry.button_label) > MAX_LABEL_CHARS:
            if entry.label:
                report(f"nhãn nút dài {len(entry.button_label)} ký tự, quá {MAX_LABEL_CHARS}", "label")
            else:
                report(
                    f"câu hỏi dài {len(entry.button_label)} ký tự, quá {MAX_LABEL_CHARS} để làm nút: đặt một nhãn ngắn",
                    "label",
                )
        if entry.review_by is not None and entry.due_for_review(today):
            report(f"đã đến hạn xem lại (từ {entry.review_by:%d/%m/%Y})", "review_by", "warning")
        if entry.reviewed is None:
            report("chưa có ngày xem xét", "reviewed", "warning")
        if entry.valid_until is not None and entry.valid_until < today:
            report(f"đã hết hiệu lực từ {entry.valid_until:%d/%m/%Y}: không còn được trả lời", "valid_until", "warning")
        for name in _PLACEHOLDER.findall(entry.answer):
            if name not in PLACEHOLDERS:
                report(f"chỗ điền {{{name}}} không có (chỉ dùng {{contact}})", "answer")
        for target in entry.related:
            if target == entry.id:
                report("câu liên quan trỏ vào chính nó", "related")
            elif target not in counts:
                report(f"câu liên quan «{target}» không có trong kho", "related")
        if len(entry.alternates) < MIN_ALTERNATES:
            report(
                f"chỉ có {len(entry.alternates)} cách hỏi khác (nên có ít nhất {MIN_ALTERNATES})",
                "alternates",
                "warning",
            )
        for phrasing in (entry.question, *entry.alternates):
            if phrasing and (phrasing.startswith(FORMULA_STARTS) or not any(ch.isalpha() for ch in phrasing)):
                # "=1+2" is no question, and in a spreadsheet it is a formula.
                field = "question" if phrasing == entry.question else "alternates"
                report(f"«{phrasing[:40]}» phải là chữ, không bắt đầu bằng = + - @", field)
        for alternate, plain in zip(entry.alternates, entry_plains):
            owner = questions.get(plain)
            if owner is not None and owner != entry.id:
                report(f"cách hỏi «{alternate}» trùng với câu hỏi của «{owner}»", "alternates")
            elif others := [owner for owner in phrasings.get(plain, []) if owner != entry.id]:
                # The same words under two entries: the bot could only ask back between them. Both are told,
                # so the one being changed (an import, a console edit) is refused whichever came first.
                report(f"cách hỏi «{alternate}» trùng với một cách hỏi của «{others[0]}»", "alternates")
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]
