"""Repair Telex/VNI keyboard residue ("nangw suaats laf gif", "na8ng") into Vietnamese syllables."""

from __future__ import annotations

import re

from knowledge.syllables import VOWELS, apply_tone

TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
HORN = {"a": "ă", "o": "ơ", "u": "ư"}
_TOKEN = re.compile(r"^[a-z0-9]+$")


def _first_vowel(chars: list[str]) -> int | None:
    for i, ch in enumerate(chars):
        if ch in VOWELS:
            return i
    return None


def decode_telex(token: str) -> str | None:
    """Decode one Telex-typed token; None when it holds no Telex key."""
    if not _TOKEN.match(token) or not any(c.isalpha() for c in token):
        return None
    chars: list[str] = []
    tone = None
    changed = False
    for ch in token:
        first_vowel = _first_vowel(chars)
        prev = chars[-1] if chars else ""
        if ch in TELEX_TONES and first_vowel is not None and tone is None:
            # A tone key only counts after the vowel has started: "xa" keeps its x.
            tone = TELEX_TONES[ch]
            changed = True
        elif ch == "z" and first_vowel is not None:
            changed = True
        elif ch == "d" and prev == "d" and len(chars) == 1:
            chars[-1] = "đ"
            changed = True
        elif ch in CIRCUMFLEX and ch in chars[first_vowel or 0 :] and first_vowel is not None:
            # Doubled vowel, possibly with a final consonant between ("tieeng", "chuaanr").
            idx = len(chars) - 1 - chars[::-1].index(ch)
            chars[idx] = CIRCUMFLEX[ch]
            changed = True
        elif ch == "w":
            # "uow" → ươ, "aw" → ă, "ow" → ơ, "uw" → ư, a bare "w" → ư.
            targets = [i for i, c in enumerate(chars) if c in HORN]
            if len(targets) >= 2 and chars[targets[-2]] == "u" and chars[targets[-1]] == "o":
                chars[targets[-2]], chars[targets[-1]] = "ư", "ơ"
            elif targets:
                chars[targets[-1]] = HORN[chars[targets[-1]]]
            else:
                chars.append("ư")
            changed = True
        else:
            chars.append(ch)
    if not changed:
        return None
    return apply_tone("".join(chars), tone)


def decode_vni(token: str) -> str | None:
    """Decode one VNI-typed token (digits as marks); None when it holds no VNI key."""
    if not _TOKEN.match(token) or not token[0].isalpha():
        return None
    chars: list[str] = []
    tone = None
    changed = False
    for ch in token:
        if ch in VNI_TONES and chars:
            tone, changed = VNI_TONES[ch], True
        elif ch == "6" and chars:
            idx = max((i for i, c in enumerate(chars) if c in CIRCUMFLEX), default=None)
            if idx is None:
                return None
            chars[idx] = CIRCUMFLEX[chars[idx]]
            changed = True
        elif ch in "78" and chars:
            idx = max((i for i, c in enumerate(chars) if c in HORN), default=None)
            if idx is None:
                return None
            if ch == "7" and idx > 0 and chars[idx] == "o" and chars[idx - 1] == "u":
                chars[idx - 1] = "ư"
            chars[idx] = HORN[chars[idx]] if ch == "7" or chars[idx] == "a" else chars[idx]
            changed = True
        elif ch == "9" and chars and chars[0] == "d":
            chars[0], changed = "đ", True
        elif ch.isdigit():
            return None
        else:
            chars.append(ch)
    if not changed:
        return None
    return apply_tone("".join(chars), tone)
