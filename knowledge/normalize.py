"""Vietnamese text normalisation: NFC, tone placement, accent-free copy, abbreviations and typo repair."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.syllables import canonical_syllable, is_syllable_shape, strip_accents
from knowledge.telex import decode_telex, decode_vni

ABBREVIATIONS_FILE = Path(__file__).parent / "data" / "abbreviations.yaml"

_STAR_RATING = re.compile(r"(\d)\s*\*+")
_AMP_IN_WORD = re.compile(r"(?<=\w)&(?=\w)")
_WORD = re.compile(r"[^\W_]+")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
# Runs of one letter ("chàooo"); digits repeat for real ("ISO 22000", "năm 2000").
_RUN3 = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLE = re.compile(r"(.)\1")
_LETTERS_DIGITS = re.compile(r"^(\D{2,})(\d+)$|^(\d+)(\D{2,})$")
# Invisible characters: zero-width/bidi controls, BOM, soft hyphen (Cf), combining marks that composed
# with nothing after NFC (Mn), surrogates and private use. A regex is ~20× faster than per-char category().
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200c-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\ud800-\udfff\ue000-\uf8ff]"
)


@dataclass(frozen=True)
class Token:
    """One syllable: canonical accented form and accent-free form."""

    acc: str
    plain: str

    @property
    def marked(self) -> bool:
        """True when the user typed diacritics on it (đ alone does not count as a tone choice)."""
        return self.acc.replace("đ", "d") != self.plain


@dataclass
class Analysis:
    """A normalised text: the meaningful tokens and what the repair steps saw."""

    tokens: list[Token]
    unknown: set[str] = field(default_factory=set)
    repaired: dict[str, str] = field(default_factory=dict)

    @property
    def plain(self) -> str:
        return " ".join(t.plain for t in self.tokens)

    @property
    def accented(self) -> str:
        return " ".join(t.acc for t in self.tokens)

    @property
    def typed_marks(self) -> bool:
        return any(t.marked for t in self.tokens)


@dataclass
class Abbreviations:
    """Shorthand expansions and droppable particles, loaded from data."""

    expand: dict[tuple[str, ...], str]
    drop: frozenset[str]
    drop_plain: frozenset[str]

    @classmethod
    def load(cls, path: Path = ABBREVIATIONS_FILE) -> Abbreviations:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        expand = {tuple(str(k).split()): str(v) for k, v in (data.get("expand") or {}).items()}
        return cls(expand, frozenset(data.get("drop") or ()), frozenset(data.get("drop_plain") or ()))

    @property
    def longest_key(self) -> int:
        return max((len(k) for k in self.expand), default=1)

    @property
    def first_words(self) -> frozenset[str]:
        return frozenset(k[0] for k in self.expand)


def clean_text(text: str) -> str:
    """NFC, Ð→Đ, zero-width and stray marks removed, lower case, star ratings spelt out."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("Ð", "Đ").replace("ð", "đ")
    # A zero-width space marks a word break; the other zero-width characters sit inside words.
    text = _HTML_TAG.sub(" ", text.replace("\u200b", " "))
    text = _INVISIBLE.sub("", text)
    text = text.lower()
    text = _STAR_RATING.sub(r"\1 sao ", text)
    text = _AMP_IN_WORD.sub("", text)
    return text.replace("&", " và ")


def raw_words(text: str) -> list[str]:
    """Split cleaned text into words: letters and digits only, emoji and punctuation dropped."""
    words: list[str] = []
    for word in _WORD.findall(clean_text(text)):
        word = _RUN3.sub(r"\1", word)  # "chàooo" → "chào"
        split = _LETTERS_DIGITS.match(word)
        if split:
            words.extend(part for part in split.groups() if part)
        else:
            words.append(word)
    # Leading zeros go ("09001" is 9001); "①", "²" and "10⁶" pass isdigit() but are no numbers int() reads.
    return [str(int(w)) if w.isascii() and w.isdigit() and len(w) < 10 else w for w in words]


@lru_cache(maxsize=200_000)
def make_token(word: str) -> Token:
    acc = canonical_syllable(word)
    return Token(acc, strip_accents(acc))


class Normalizer:
    """Turns text into tokens; repairs only words the knowledge base's vocabulary does not know."""

    def __init__(self, abbreviations: Abbreviations | None = None, vocabulary: Iterable[str] = ()):
        self.abbreviations = abbreviations or Abbreviations.load()
        self._first_words = self.abbreviations.first_words
        self._longest = self.abbreviations.longest_key
        self.vocabulary: set[str] = set()
        self._vocab_list: list[str] = []
        self.set_vocabulary(vocabulary)

    def set_vocabulary(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = set(vocabulary)
        for expansion in self.abbreviations.expand.values():
            self.vocabulary.update(t.plain for t in map(make_token, raw_words(expansion)))
        self._vocab_list = sorted(w for w in self.vocabulary if len(w) >= 3 and w.isalpha())

    def analyze(self, text: str, repair: bool = True) -> Analysis:
        """Normalise `text`; `repair` (for user input) fixes Telex residue and typos against the vocabulary."""
        tokens = [make_token(w) for w in raw_words(text)]
        analysis = Analysis([])
        tokens = self._expand(tokens)
        # Particles go before repair, so "ad"/"ơi" are never "corrected" into real words.
        tokens = [t for t in tokens if not self._droppable(t)] or tokens
        if repair and self.vocabulary:
            tokens = [self._repair(t, analysis) for t in tokens]
        analysis.tokens = tokens
        return analysis

    def _droppable(self, token: Token) -> bool:
        if token.acc in self.abbreviations.drop:
            return True
        return not token.marked and token.plain in self.abbreviations.drop_plain

    def _expand(self, tokens: list[Token]) -> list[Token]:
        out: list[Token] = []
        i = 0
        longest = self._longest
        while i < len(tokens):
            if tokens[i].plain not in self._first_words:
                out.append(tokens[i])
                i += 1
                continue
            for size in range(min(longest, len(tokens) - i), 0, -1):
                window = tokens[i : i + size]
                key = tuple(t.plain for t in window)
                # Only expand shorthand typed without tone marks: "hồng" is a word, "hong" may mean "không".
                if key in self.abbreviations.expand and not any(t.marked for t in window):
                    out.extend(make_token(w) for w in raw_words(self.abbreviations.expand[key]))
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _repair(self, token: Token, analysis: Analysis) -> Token:
        if token.plain in self.vocabulary or token.plain.isdigit():
            return token
        for decoder in (decode_telex, decode_vni):
            decoded = decoder(token.plain) if not token.marked else None
            if decoded:
                fixed = make_token(decoded)
                if fixed.plain in self.vocabulary:
                    analysis.repaired[token.plain] = fixed.acc
                    return fixed
        collapsed = _DOUBLE.sub(r"\1", token.plain)
        if collapsed != token.plain and collapsed in self.vocabulary:
            analysis.repaired[token.plain] = collapsed
            return Token(collapsed, collapsed)
        # Only a word that cannot be Vietnamese is forced onto a known one; a real syllable the
        # knowledge base lacks ("đường") must stay itself, or out-of-scope questions turn in-scope.
        if len(token.plain) >= 4 and token.plain.isalpha() and not is_syllable_shape(token.plain):
            best = process.extractOne(token.plain, self._vocab_list, scorer=Levenshtein.distance, score_cutoff=1)
            if best is not None:
                analysis.repaired[token.plain] = best[0]
                return Token(best[0], best[0])
        analysis.unknown.add(token.plain)
        return token
