"""Search behaviour: accents that were typed count, small talk, clarify, honest fallback."""

from knowledge.search import SearchEngine
from tests.kb_builders import entry, kb_of


def tiny_engine():
    return SearchEngine(
        kb_of(
            entry(
                "thue-dn",
                "Thuế thu nhập doanh nghiệp tính thế nào?",
                topic="thue",
                alternates=["thue thu nhap doanh nghiep", "cách tính thuế doanh nghiệp"],
            ),
            entry(
                "thue-xuong",
                "Thuê nhà xưởng ở đâu?",
                topic="thue",
                alternates=["thue nha xuong", "muốn thuê xưởng sản xuất"],
            ),
            entry("5s", "5S là gì?", alternates=["5s la gi", "phương pháp 5S"]),
            entry("kaizen", "Kaizen là gì?", alternates=["kaizen la gi", "cải tiến liên tục kaizen"]),
        )
    )


def test_typed_accent_decides_between_thue_and_thue():
    engine = tiny_engine()
    assert engine.search("thuê").best.entry.id == "thue-xuong"
    assert engine.search("thuế").best.entry.id == "thue-dn"
    assert engine.search("thuê xưởng").best.entry.id == "thue-xuong"
    assert engine.search("thuế doanh nghiệp").best.entry.id == "thue-dn"


def test_accent_mismatch_lowers_confidence():
    engine = tiny_engine()
    right = engine.search("thuế doanh nghiệp").best
    wrong = next(c for c in engine.search("thuế doanh nghiệp").candidates if c.entry.id == "thue-xuong")
    assert right.confidence > wrong.confidence


def test_answers_with_and_without_diacritics(engine):
    for question in ("5S là gì", "5s la gi", "nangw suaats laf gif", "kaizan la gi", "5S là gì vậy ad ơi 🙏"):
        result = engine.search(question)
        assert result.best is not None, question
    assert engine.search("5s la gi").best.entry.id == "5s-la-gi"
    assert engine.search("5s la gi").status == "answered"
    assert engine.search("kaizan la gi").best.entry.id == "kaizen-la-gi"


def test_small_talk_answered_from_its_own_entries(engine):
    assert engine.search("xin chào").best.entry.topic == "tro-ly"
    assert engine.search("cảm ơn nhiều nhé").best.entry.id == "cam-on"
    assert engine.search("bạn là ai").best.entry.id == "bot-la-ai"


def test_out_of_scope_and_gibberish_fall_back(engine):
    for question in ("asdfghjkl", "giá vàng hôm nay bao nhiêu", "công thức làm bánh flan", "????", ""):
        assert engine.search(question).status == "fallback", question


def test_clarify_offers_candidates_in_order(engine):
    result = engine.search("iso")
    assert result.status in ("clarify", "fallback", "answered")
    if result.status == "clarify":
        confidences = [c.confidence for c in result.candidates]
        assert confidences == sorted(confidences, reverse=True)
        assert len(result.choices(3)) == 3


def test_hostile_input_is_just_text(engine):
    for question in (
        "'; DROP TABLE entries; --",
        "<script>alert(1)</script>",
        "\x00\x01\x02",
        "a" * 10000,
        "🙂" * 500,
        "ก่อนหน้านี้ 你好",
    ):
        result = engine.search(question)
        assert result.status in ("answered", "clarify", "fallback")


def test_expired_entries_are_not_answered():
    import datetime as dt

    engine = SearchEngine(
        kb_of(entry("cu", "Hạn nộp hồ sơ năm ngoái?", valid_until=dt.date(2020, 1, 1)), entry("moi", "5S là gì?"))
    )
    assert all(c.entry.id != "cu" for c in engine.search("hạn nộp hồ sơ").candidates)


def test_place_names_typed_without_marks_get_theirs_back_for_the_embedding():
    # The base never writes "Hạ Long"; from its own text alone "ha long" read as "hà lòng".
    engine = tiny_engine()
    analysis = engine.normalizer.analyze("cty em o ha long va van don muon hoi 5s", repair=True)
    restored = engine.lexical.accents.restore(analysis.tokens)
    assert "hạ long" in restored and "vân đồn" in restored
