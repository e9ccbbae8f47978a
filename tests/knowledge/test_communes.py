"""The commune list: Quảng Ninh's 54 units since 01/7/2025, each with its source, found however it is typed."""

from __future__ import annotations

from collections import Counter

import pytest

from knowledge.communes import Commune, CommuneList, load_communes
from knowledge.syllables import fold


@pytest.fixture(scope="module")
def communes() -> CommuneList:
    return load_communes()


def test_the_list_has_the_54_units_of_the_resolution_each_with_its_source(communes):
    assert len(communes) == len(communes.all) == 54
    assert Counter(c.kind for c in communes.all) == {"xã": 22, "phường": 30, "đặc khu": 2}
    for commune in communes.all:
        assert "1679/NQ-UBTVQH15" in commune.source and "16/06/2025" in commune.source
        assert "https://" in commune.source
    assert {c.name for c in communes.all if c.kind == "đặc khu"} == {"Vân Đồn", "Cô Tô"}
    # The one commune the resolution left as it was.
    assert communes.by_name("Cái Chiên") == Commune("Cái Chiên", "xã", communes.by_name("Cái Chiên").source)
    assert "không thực hiện sắp xếp" in communes.by_name("Cái Chiên").source


def test_names_are_unique_even_without_diacritics(communes):
    folded = [fold(c.name) for c in communes.all]
    assert len(set(folded)) == len(folded)


@pytest.mark.parametrize(
    "typed, full_name",
    [
        ("van don", "đặc khu Vân Đồn"),
        ("Vân Đồn", "đặc khu Vân Đồn"),
        ("ĐẶC KHU VÂN ĐỒN", "đặc khu Vân Đồn"),
        ("dac khu co to", "đặc khu Cô Tô"),
        ("mong cai 1", "phường Móng Cái 1"),
        ("Móng Cái 1", "phường Móng Cái 1"),
        ("p. Móng Cái 2", "phường Móng Cái 2"),
        ("mongcai3", "phường Móng Cái 3"),
        ("phuong ha long", "phường Hạ Long"),
        ("TP Hạ Long", "phường Hạ Long"),
        ("halong", "phường Hạ Long"),
        ("tx Quảng Yên", "phường Quảng Yên"),
        ("huyện Tiên Yên", "xã Tiên Yên"),
        ("xa cai chien", "xã Cái Chiên"),
        ("  quang   hanh  ", "phường Quang Hanh"),
        ("Phường Hồng Gai, Quảng Ninh", "phường Hồng Gai"),
        ("hai hoa", "xã Hải Hòa"),
        ("Hải Hoà", "xã Hải Hòa"),  # the other tone placement
    ],
)
def test_a_name_typed_any_way_resolves(communes, typed, full_name):
    found = communes.resolve(typed)
    assert found is not None and found.full_name == full_name


def test_an_ambiguous_name_resolves_to_nothing_and_suggests_the_candidates(communes):
    assert communes.resolve("Móng Cái") is None
    assert [c.name for c in communes.suggest("mong cai")[:3]] == ["Móng Cái 1", "Móng Cái 2", "Móng Cái 3"]


@pytest.mark.parametrize("typed, expected", [("Hải Hà", "Hải Hòa"), ("van doon", "Vân Đồn"), ("cam phaa", "Cẩm Phả")])
def test_an_unknown_name_suggests_the_closest(communes, typed, expected):
    assert communes.resolve(typed) is None
    suggestions = communes.suggest(typed)
    assert 0 < len(suggestions) <= 5
    assert expected in [c.name for c in suggestions]


@pytest.mark.parametrize("typed", ["", "   ", "Quảng Ninh", "Hà Nội", "xyz", "x" * 3000])
def test_what_names_no_unit_resolves_to_nothing(communes, typed):
    assert communes.resolve(typed) is None


def test_nonsense_gets_no_suggestions(communes):
    assert communes.suggest("xyz") == []
    assert communes.suggest("") == []


def test_an_entry_without_a_source_is_refused(tmp_path):
    bad = tmp_path / "communes.yaml"
    bad.write_text("communes:\n  - {kind: xã, name: Quảng La}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="entry 1 needs a name, a kind"):
        load_communes(bad)
