"""Greetings and thanks around a question: the question is answered, courtesy alone still gets small talk."""

import pytest

from knowledge.courtesy import Courtesy
from knowledge.normalize import Normalizer
from knowledge.search import SearchEngine


@pytest.mark.parametrize(
    "text, entry_id",
    [
        ("5s là gì, cảm ơn ad", "5s-la-gi"),
        ("xin chào, cho hỏi kaizen là gì", "kaizen-la-gi"),
        ("cho em hỏi lean là gì ạ, em cảm ơn nhiều", "lean-la-gi"),
        ("chao ad, iso 9001 la gi vay, thanks", "iso9001-la-gi"),
        ("chào ad, cho em hỏi dn ocop 3* dc ho tro gi, em cảm ơn", "ocop-3-sao-ho-tro"),
        ("cho mình hỏi với, chương trình quốc gia về năng suất có những nội dung gì", "ctqg-noi-dung"),
        # Courtesy alone, or with nothing the knowledge base knows, is still small talk.
        ("cảm ơn bạn nhiều lắm", "cam-on"),
        ("chào buổi sáng ad", "chao-hoi"),
        ("ok tks", "cam-on"),
    ],
)
def test_question_inside_courtesy_is_answered(engine, text, entry_id):
    result = engine.search(text)
    assert (result.status, result.best.entry.id) == ("answered", entry_id)


def plain_content(text: str):
    tokens = Normalizer().analyze(text, repair=False).tokens
    content = Courtesy.load().content(tokens)
    return None if content is None else " ".join(t.plain for t in content)


def test_what_counts_as_courtesy():
    assert plain_content("Chào anh chị, HACCP là gì? Em cảm ơn nhiều ạ") == "haccp la gi"
    assert plain_content("5S là gì") is None
    assert plain_content("Xin chào, cho mình hỏi chút: TPM là gì") == "tpm la gi"
    # An opener counts only before the question: "cho hỏi" later in a sentence stays.
    assert plain_content("kaizen là gì, cho hỏi thêm") is None
    # Marked words must match exactly: "cháo" is porridge, not a greeting.
    assert plain_content("cháo gà có làm OCOP được không") is None
    # A greeting counts only at the start: inside a question "chào hàng" is business.
    assert plain_content("cách chào hàng sản phẩm OCOP") is None
    assert plain_content("cảm ơn bạn nhiều lắm") == ""


class CountingEngine(SearchEngine):
    """The lexical engine, keeping the readings it searches."""

    def __init__(self, kb):
        super().__init__(kb)
        self.searched: list[str] = []

    def search_view(self, view, cosines=None):
        self.searched.append(" ".join(t.plain for t in view.analysis.tokens))
        return super().search_view(view, cosines)


def test_a_long_rest_that_finds_nothing_is_not_searched_again_whole(shipped_kb):
    engine = CountingEngine(shipped_kb)
    result = engine.search("Chào ad, nhà em nuôi gà thả vườn ở Đầm Hà, muốn hỏi giá thức ăn chăn nuôi tháng này")
    assert result.status == "fallback" and len(engine.searched) == 1 and not engine.searched[0].startswith("chao")
    # A short rest still is: "tks ad nhiu nha" reaches the thanks entry through the whole message.
    engine.searched.clear()
    assert engine.search("tks ad nhiu nha").best.entry.id == "cam-on"
    assert len(engine.searched) == 2
