"""Vietnamese syllable primitives: tone marks, canonical tone placement, accent stripping."""

from __future__ import annotations

import re
import unicodedata

# Combining tone marks (NFD): huyền, sắc, hỏi, ngã, nặng.
TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
VOWELS = set("aăâeêioôơuưy")
# Vowels whose quality mark (breve, circumflex, horn) attracts the tone.
MARKED_VOWELS = set("ăâêôơư")
# "kỹ/kĩ", "lý/lí", "quy/qui": the lone y after these initials is written either way.
Y_I_INITIALS = ("k", "l", "m", "t", "s", "h", "qu", "v", "ph", "n")
# The shape of an accent-free Vietnamese syllable: initial consonant, 1–3 vowels, final consonant.
_SYLLABLE_SHAPE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$"
)


def is_syllable_shape(plain: str) -> bool:
    """True when an accent-free word could be a Vietnamese syllable ("duong" yes, "doah"/"kaizan" no)."""
    return bool(_SYLLABLE_SHAPE.match(plain))


def strip_accents(text: str) -> str:
    """Remove every diacritic (tone and vowel quality) and map đ to d."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: how a label, header or search typed in a hurry is compared."""
    return " ".join(strip_accents(text).lower().split())


def split_tone(syllable: str) -> tuple[str, str | None]:
    """Return the syllable without its tone mark (NFC) and the tone mark, if any."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = None
    kept = []
    for ch in decomposed:
        if ch in TONE_MARKS:
            tone = tone or ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(bare: str) -> int | None:
    """Index of the vowel that carries the tone in a tone-less syllable (one fixed convention)."""
    positions = [i for i, ch in enumerate(bare) if ch in VOWELS]
    if not positions:
        return None
    # "qu" and "gi" (before another vowel) are initials, not part of the vowel cluster.
    if bare.startswith("qu") and 1 in positions and len(positions) > 1:
        positions.remove(1)
    if bare.startswith("gi") and 1 in positions and len(positions) > 1:
        positions.remove(1)
    # Only the first contiguous run of vowels is the nucleus.
    cluster = [positions[0]]
    for pos in positions[1:]:
        if pos == cluster[-1] + 1:
            cluster.append(pos)
        else:
            break
    marked = [p for p in cluster if bare[p] in MARKED_VOWELS]
    if marked:
        return marked[-1]  # ươ → ơ, iê → ê, ưu → ư
    if len(cluster) >= 3:
        return cluster[1]
    if len(cluster) == 2:
        has_final = cluster[-1] + 1 < len(bare)
        # hòa/thủy (no final consonant) vs hoàng/huỳnh (final consonant).
        return cluster[1] if has_final else cluster[0]
    return cluster[0]


def _y_to_i(bare: str) -> str:
    for initial in Y_I_INITIALS:
        if bare == initial + "y":
            return initial + "i"
    return bare


def canonical_syllable(token: str) -> str:
    """Put the tone of a lower-case syllable on one fixed vowel so hoà/hòa and thuỷ/thủy compare equal."""
    bare, tone = split_tone(token)
    bare = _y_to_i(bare)
    if tone is None:
        return bare
    pos = _tone_position(bare)
    if pos is None:
        return bare
    toned = unicodedata.normalize("NFC", bare[pos] + tone)
    return bare[:pos] + toned + bare[pos + 1 :]


def apply_tone(bare: str, tone: str | None) -> str:
    """Place a combining tone mark on a tone-less syllable using the canonical convention."""
    if tone is None:
        return _y_to_i(bare)
    return canonical_syllable(unicodedata.normalize("NFC", bare + tone))
