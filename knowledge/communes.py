"""The province's commune-level units (data/communes.yaml): a name as people type it → the unit, or the closest."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from knowledge.syllables import fold

COMMUNES_FILE = Path(__file__).parent / "data" / "communes.yaml"
KINDS = ("xã", "phường", "đặc khu")
# Words people put before (or around) a name that say nothing about which unit it is: the kind, written out
# or shortened, and the levels that no longer exist ("TP Hạ Long", "tx Quảng Yên", "h. Tiên Yên").
NOISE_WORDS = {
    "xa",
    "phuong",
    "p",
    "x",
    "dac khu",
    "dk",
    "tp",
    "thanh pho",
    "tx",
    "thi xa",
    "tt",
    "thi tran",
    "huyen",
    "h",
    "quan",
}
PROVINCE_WORDS = ("tinh quang ninh", "quang ninh", "qn")
SUGGEST_CUTOFF = 60.0  # rapidfuzz WRatio (0–100): below this a name is not offered as "did you mean"


@dataclass(frozen=True)
class Commune:
    """One commune-level unit: `name` as the resolution writes it ("Vân Đồn"), `kind` xã, phường or đặc khu."""

    name: str
    kind: str
    source: str

    @property
    def full_name(self) -> str:
        """The kind and the name ("đặc khu Vân Đồn"), as a sentence reads it (capitalise at the start of one)."""
        return f"{self.kind} {self.name}"


def bare_name(full_name: str) -> str:
    """The name without its kind word ("đặc khu Vân Đồn" → "Vân Đồn"), as profiles store it."""
    for kind in KINDS:
        if full_name.startswith(kind + " "):
            return full_name[len(kind) + 1 :]
    return full_name


def _key(text: str) -> str:
    """The name as compared: folded, punctuation as spaces, a digit apart from the letters before it."""
    plain = re.sub(r"[^a-z0-9]+", " ", fold(text))
    return " ".join(re.sub(r"(?<=[a-z])(?=\d)", " ", plain).split())


def _strip_noise(key: str) -> str:
    """The key without leading kind or level words and a trailing province name; never emptied."""
    words = key.split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for size in (2, 1):
            if len(words) > size and " ".join(words[:size]) in NOISE_WORDS:
                words, changed = words[size:], True
                break
    for tail in PROVINCE_WORDS:
        size = len(tail.split())
        if len(words) > size and " ".join(words[-size:]) == tail:
            words = words[:-size]
            break
    return " ".join(words)


class CommuneList:
    """The units in the resolution's order; `resolve` finds one from what a person typed, `suggest` the closest."""

    def __init__(self, communes: list[Commune]):
        self.all: tuple[Commune, ...] = tuple(communes)
        self._by_key: dict[str, list[Commune]] = {}
        for commune in communes:
            for key in {_key(commune.name), _key(commune.name).replace(" ", "")}:
                self._by_key.setdefault(key, []).append(commune)
        self._keys = {commune: _key(commune.name) for commune in communes}

    def __len__(self) -> int:
        return len(self.all)

    def by_name(self, name: str) -> Commune | None:
        """The unit whose canonical name is exactly `name` (as stored on a profile)."""
        return next((c for c in self.all if c.name == name), None)

    def resolve(self, typed: str) -> Commune | None:
        """The one unit `typed` names: any case, with or without diacritics or the kind word ("phuong ha long",
        "TP Hạ Long", "mong cai 1"); None when it names none, or could be several ("Móng Cái")."""
        key = _key(typed)
        if not key:
            return None
        for candidate in (key, _strip_noise(key)):
            for form in (candidate, candidate.replace(" ", "")):
                found = self._by_key.get(form, [])
                if len(found) == 1:
                    return found[0]
        return None

    def suggest(self, typed: str, limit: int = 5) -> list[Commune]:
        """The units closest to `typed` (folded similarity), best first: for "did you mean" and ambiguous names."""
        key = _strip_noise(_key(typed))
        if not key:
            return []
        # Every unit whose name starts with what was typed ("mong cai" → Móng Cái 1, 2, 3) comes first.
        starting = [c for c, k in self._keys.items() if k.startswith(key + " ")]
        scored = process.extract(key, self._keys, scorer=fuzz.WRatio, limit=None, score_cutoff=SUGGEST_CUTOFF)
        ranked = starting + [commune for _k, _score, commune in scored if commune not in starting]
        return ranked[:limit]

    def names(self) -> list[str]:
        return [c.name for c in self.all]


def load_communes(path: Path = COMMUNES_FILE) -> CommuneList:
    """The list in data/communes.yaml; ValueError naming the entry if one lacks a kind, a name or a source."""
    # Shipped data, read on every audience check a caller makes without the wiring's list: the C loader
    # reads it in about a millisecond, the pure-Python one in over ten.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    communes = []
    for number, item in enumerate(data.get("communes") or [], start=1):
        name = unicodedata.normalize("NFC", str(item.get("name") or "")).strip()
        kind = unicodedata.normalize("NFC", str(item.get("kind") or "")).strip()
        source = str(item.get("source") or "").strip()
        if not name or kind not in KINDS or not source:
            raise ValueError(f"{path.name}: entry {number} needs a name, a kind ({', '.join(KINDS)}) and a source")
        communes.append(Commune(name, kind, source))
    return CommuneList(communes)
