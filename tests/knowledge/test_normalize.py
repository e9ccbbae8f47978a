"""Each normalisation rule, on its own."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.normalize import Normalizer, raw_words
from knowledge.syllables import canonical_syllable, strip_accents
from knowledge.telex import decode_telex, decode_vni


@pytest.fixture(scope="module")
def norm():
    vocabulary = [
        "nang",
        "suat",
        "la",
        "gi",
        "tieu",
        "chuan",
        "co",
        "so",
        "kaizen",
        "chao",
        "nguoi",
        "khong",
        "doanh",
        "nghiep",
        "duoc",
        "ho",
        "tro",
        "thue",
    ]
    return Normalizer(vocabulary=vocabulary)


def accented(norm, text):
    return norm.analyze(text).accented


def plain(norm, text):
    return norm.analyze(text).plain


def test_nfc_decomposed_input_equals_composed(norm):
    decomposed = unicodedata.normalize("NFD", "năng suất")
    assert accented(norm, decomposed) == accented(norm, "năng suất") == "năng suất"


@pytest.mark.parametrize("old,new", [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoá", "hóa")])
def test_old_and_new_tone_placement_agree(old, new):
    assert canonical_syllable(old.lower()) == canonical_syllable(new)


def test_tone_with_final_consonant_stays_on_second_vowel():
    assert canonical_syllable("hoàng") == "hoàng"
    assert canonical_syllable("toán") == "toán"


def test_icelandic_eth_is_read_as_d_stroke(norm):
    assert accented(norm, "Ðà Nẵng") == accented(norm, "Đà Nẵng") == "đà nẵng"


def test_lower_case(norm):
    assert accented(norm, "TIÊU CHUẨN Cơ Sở") == "tiêu chuẩn cơ sở"


def test_accent_free_copy_maps_d_stroke():
    assert strip_accents("đổi mới sáng tạo Đông") == "doi moi sang tao Dong"
    assert plain(Normalizer(), "Đường") == "duong"


def test_zero_width_characters_removed(norm):
    assert accented(norm, "năng\u200d suất\ufeff") == "năng suất"
    assert raw_words("xin\u200bchào") == ["xin", "chào"]


def test_emoji_and_punctuation_stripped(norm):
    assert accented(norm, "🙏 5S là gì??? 👍!!") == "5s là gì"
    assert norm.analyze("👍👍👍").tokens == []


def test_html_tags_are_not_words(norm):
    assert accented(norm, "<b>5S</b> & Kaizen") == "5s và kaizen"


def test_repeated_letters_collapsed(norm):
    assert accented(norm, "chàooo") == "chào"


@pytest.mark.parametrize(
    "short,expanded",
    [
        ("dn", "doanh nghiệp"),
        ("dnnvv", "doanh nghiệp nhỏ và vừa"),
        ("htx", "hợp tác xã"),
        ("ubnd", "ủy ban nhân dân"),
        ("khcn", "khoa học và công nghệ"),
        ("sở khcn", "sở khoa học và công nghệ"),
        ("so khcn", "sở khoa học và công nghệ"),
        ("tccs", "tiêu chuẩn cơ sở"),
        ("nscl", "năng suất chất lượng"),
        ("cđs", "chuyển đổi số"),
        ("cds", "chuyển đổi số"),
        ("k", "không"),
        ("ko", "không"),
        ("hok", "không"),
        ("dc", "được"),
        ("đc", "được"),
        ("j", "gì"),
        ("ntn", "như thế nào"),
        ("bn", "bao nhiêu"),
        ("iso9001", "iso 9001"),
        ("KH&CN", "khoa học và công nghệ"),
    ],
)
def test_abbreviations(norm, short, expanded):
    assert accented(norm, short) == expanded


def test_ocop_and_iso_kept(norm):
    assert accented(norm, "ocop iso") == "ocop iso"


def test_particles_dropped_but_never_everything(norm):
    assert accented(norm, "ad ơi e hỏi 5s ạ") == "hỏi 5s"
    assert accented(norm, "em") == "em"  # a message of only particles keeps them


def test_star_rating(norm):
    assert accented(norm, "ocop 3*") == "ocop 3 sao"


def test_leading_zeros(norm):
    assert accented(norm, "06 mô hình") == "6 mô hình"


def test_marked_word_is_not_expanded(norm):
    assert accented(norm, "hồng") == "hồng"


@pytest.mark.parametrize(
    "typed,meant",
    [
        ("laf", "là"),
        ("gif", "gì"),
        ("nangw", "năng"),
        ("suaats", "suất"),
        ("tieeu", "tiêu"),
        ("chuaanr", "chuẩn"),
        ("nguowif", "người"),
        ("ddc", None),
    ],
)
def test_telex_decoder(typed, meant):
    decoded = decode_telex(typed)
    if meant is None:
        assert decoded is None or decoded != "được"
    else:
        assert decoded == canonical_syllable(meant)


def test_vni_decoder():
    assert decode_vni("na8ng") == "năng"
    assert decode_vni("sua61t") == "suất"
    assert decode_vni("la2") == "là"


def test_telex_repaired_only_for_unknown_words(norm):
    assert accented(norm, "nangw suaats laf gif") == "năng suất là gì"
    # "co" and "so" are known words; they are not read as Telex.
    assert accented(norm, "tieu chuan co so") == "tieu chuan co so"


def test_typo_repair_against_vocabulary(norm):
    analysis = norm.analyze("kaizan")
    assert analysis.accented == "kaizen"
    assert analysis.repaired == {"kaizan": "kaizen"}


def test_unknown_words_reported(norm):
    assert norm.analyze("asdfgh").unknown == {"asdfgh"}


def test_no_repair_for_knowledge_base_text(norm):
    assert norm.analyze("laf", repair=False).accented == "laf"


FUZZED = Normalizer()


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_the_normaliser_never_raises(text):
    analysis = FUZZED.analyze(text)
    assert all(t.plain for t in analysis.tokens)
