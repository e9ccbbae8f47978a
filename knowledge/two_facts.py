"""Two questions in one message: "Quảng Ninh có bao nhiêu sản phẩm chủ lực và bao nhiêu sản phẩm truy xuất
nguồn gốc?" is split at its conjunction and each side searched as written, so both facts can be answered."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from knowledge.answer_parts import split_answer
from knowledge.confidence import AskStatus
from knowledge.extract import asks
from knowledge.model import Entry
from knowledge.search import SAME_CHOICE, Candidate, SearchEngine, SearchResult
from knowledge.syllables import strip_accents

SMALL_TALK = "small-talk"  # greetings and thanks are no fact to answer beside another
MIN_SIDE_WORDS = 3  # "Năng suất và chất lượng là gì?": a side of one or two words is a noun phrase, not a question
# How far down the whole message's candidates both entries may be. On dev the right pairs sat within the
# first four; an elliptic side answered alone ("…, thủ tục sao") landed further down.
LEADERS = 4
# Where one question ends and the next begins, longest first so ", còn" is not read as "," then "còn". A bare
# comma counts too ("lean là gì, six sigma là gì"): each side must still ask, and both answers must hold.
_JOINS = (";", ", còn", ", con", "và cả", "va ca", "và", "va", "với", "voi", "còn", "con", "and", ",")
_JOIN = re.compile(
    "|".join(re.escape(j) if j[0] in ",;" else rf"(?<!\w){re.escape(j)}(?!\w)" for j in _JOINS), re.IGNORECASE
)
# English asks without the Vietnamese question words extract.asks knows ("what is ISO 9001 and how much").
_ENGLISH_ASKS = {"what", "how", "which", "who", "where", "when", "why", "does", "do", "is", "are", "can"}


def _side_asks(side: str) -> bool:
    if asks(side):
        return True
    words = strip_accents(side.lower()).split()
    return bool(words) and words[0] in _ENGLISH_ASKS


def split_two(text: str) -> tuple[str, str] | None:
    """The two asking parts of `text`, or None when no conjunction has an asking side of ≥ 3 words on each
    side. With several such conjunctions, the one that leaves the sides most even wins."""
    best: tuple[int, str, str] | None = None
    for join in _JOIN.finditer(text):
        left, right = text[: join.start()].strip(" ,;"), text[join.end() :].strip(" ,;")
        sizes = len(left.split()), len(right.split())
        if min(sizes) < MIN_SIDE_WORDS or not (_side_asks(left) and _side_asks(right)):
            continue
        balance = abs(sizes[0] - sizes[1])
        if best is None or balance < best[0]:
            best = (balance, left, right)
    return (best[1], best[2]) if best is not None else None


def same_fact(a: Entry, b: Entry) -> bool:
    """Two entries that say one thing (a duplicate kept under two ids): answering both would repeat it."""
    if a.id == b.id:
        return True
    short_a, short_b = split_answer(a.answer).short, split_answer(b.answer).short
    return fuzz.ratio(short_a.lower(), short_b.lower()) >= SAME_CHOICE


def two_answers(engine: SearchEngine, text: str, whole: SearchResult) -> tuple[Candidate, Candidate] | None:
    """The two entries that answer the two questions in `text`, in the order asked, or None.

    Each side is searched as written (a side that needs the other's subject, "… và chi phí bao nhiêu?", is
    answered only if it stands on its own) and must be found with confidence (`SearchEngine.confident`: on dev
    the answer model alone found 5 pairs, 4 right; with the two bars for sides 8, 7 right), by two entries
    that are not one fact. The whole message must point the same way: when it is answered, it is by one of
    the two (an entry answering the whole message alone is answer enough), and both entries are among its
    leading candidates, so neither side's answer is about something else. The whole message is often only
    clarified or even falls back: two entries sharing it is what asking two things looks like, and an
    off-topic side is not answered.
    """
    best = whole.best
    if best is None:
        return None
    sides = split_two(text)
    if sides is None:
        return None
    found: list[Candidate] = []
    for side in sides:
        result = engine.search(side)
        if result.best is None or not engine.confident(result):
            return None
        found.append(result.best)
    first, second = found
    if any(SMALL_TALK in c.entry.tags for c in found) or same_fact(first.entry, second.entry):
        return None
    pair = {first.entry.id, second.entry.id}
    if whole.status is AskStatus.ANSWERED and best.entry.id not in pair:
        return None  # one entry answers the whole message: "ISO 9001 là gì và chi phí bao nhiêu?" is its cost
    return (first, second) if pair <= {c.entry.id for c in whole.candidates[:LEADERS]} else None
