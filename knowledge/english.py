"""English questions read in Vietnamese words: "How much does ISO 9001 certification cost?" is searched as
"bao nhiêu ISO 9001 chứng nhận chi phí?", which the lexical side can match and the repair steps leave alone."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from pathlib import Path

import yaml

ENGLISH_FILE = Path(__file__).parent / "data" / "english.yaml"

# Letters with Vietnamese marks (and đ): a message carrying any of them is Vietnamese, whatever else it has.
_VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_SENTENCE_ENDS = ".?!:;\n"
MIN_MARKERS = 2  # distinct marker words ("what", "is", "how") before a message counts as English
MIN_SHARE = 0.5  # or: at least half its words are English ones the glossary knows, with one marker


@dataclass(frozen=True)
class EnglishGlossary:
    """The words that mark English, their Vietnamese, and the function words that go."""

    markers: frozenset[str]
    translate: dict[tuple[str, ...], str]
    drop: frozenset[str]

    @classmethod
    def load(cls, path: Path = ENGLISH_FILE) -> EnglishGlossary:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        translate = {tuple(str(k).split()): str(v or "") for k, v in (data.get("translate") or {}).items()}
        return cls(frozenset(map(str, data["markers"])), translate, frozenset(map(str, data.get("drop") or ())))

    @cached_property
    def longest(self) -> int:
        """Words in the longest glossary phrase (asked at every word of a message: worked out once)."""
        return max((len(k) for k in self.translate), default=1)

    def is_english(self, text: str) -> bool:
        """No Vietnamese marks, and two marker words, or half the words known English ones with one marker
        or two glossary words among them."""
        text = unicodedata.normalize("NFC", text)  # "có" typed as o + a combining mark is still marked
        return self._reads_english(text, list(_WORD.finditer(text)))

    def _reads_english(self, text: str, matches: list[re.Match[str]]) -> bool:
        """`is_english` of an NFC text whose words are `matches`."""
        if _VIETNAMESE.search(text):
            return False
        words = [_fold(m.group()) for m in matches]
        markers = {w for w in words if w in self.markers}
        if len(markers) >= MIN_MARKERS:
            return True
        glossed = sum(1 for w in words if (w,) in self.translate)
        known = sum(1 for w in words if w in self.markers or w in self.drop or (w,) in self.translate)
        # Short ones without a marker ("ISO 9001 certification steps") need two glossary words.
        return (bool(markers) or glossed >= 2) and len(words) >= 2 and known / len(words) >= MIN_SHARE

    def to_vietnamese(self, text: str) -> str | None:
        """The message with its English words in Vietnamese; None when it does not read as English."""
        text = unicodedata.normalize("NFC", text)
        matches = list(_WORD.finditer(text))
        if not self._reads_english(text, matches):
            return None
        out: list[str] = []
        end = 0
        i = 0
        while i < len(matches):
            match = matches[i]
            size, words = self._phrase_at(text, matches, i)
            out.append(text[end : match.start()])
            last = matches[i + size - 1]
            if words is not None:
                out.append(words)
            elif not self._droppable(text, match):
                out.append(match.group())
            end = last.end()
            i += size
        out.append(text[end:])
        return re.sub(r"\s{2,}", " ", "".join(out)).strip()

    def _phrase_at(self, text: str, matches: list[re.Match[str]], i: int) -> tuple[int, str | None]:
        """The longest glossary phrase starting at word `i` (words separated by spaces only)."""
        for size in range(min(self.longest, len(matches) - i), 0, -1):
            window = matches[i : i + size]
            if any(text[a.end() : b.start()].strip() for a, b in pairwise(window)):
                continue  # punctuation between two words: no phrase across it
            key = tuple(_fold(m.group()) for m in window)
            if key in self.translate:
                return size, self.translate[key]
        return 1, None

    def _droppable(self, text: str, match: re.Match[str]) -> bool:
        word = match.group()
        if _fold(word) not in self.drop:
            return False
        # A capital inside a sentence is a name's ("Co To", "Ha Long"), not the word "to".
        return word == "I" or not word[0].isupper() or _starts_sentence(text, match.start())


def _fold(word: str) -> str:
    return word.lower().replace("’", "'")


def _starts_sentence(text: str, at: int) -> bool:
    """True when only spaces lie between `at` and the start of the text or a sentence end (a line break too).
    Walked back, not searched: a regex over the text before each word was quadratic in a long message."""
    j = at - 1
    while j >= 0 and text[j].isspace() and text[j] != "\n":
        j -= 1
    return j < 0 or text[j] in _SENTENCE_ENDS
