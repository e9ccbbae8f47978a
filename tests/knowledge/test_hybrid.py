"""The engine as it ships (BM25 + e5 embeddings + the learned confidence): the defects found by blind
questions, and quality floors on the *test* part of tests/eval, set just under what bench/eval.py measures."""

from __future__ import annotations

import pytest

from bench.evaluation import engine_predictor, evaluate, load_either, load_part
from handlers.contact import FixedContacts
from handlers.views import ContactDetails
from knowledge.confidence import AskStatus
from knowledge.normalize import Normalizer
from knowledge.search import EMBEDDED_WORDS

pytestmark = pytest.mark.slow

# Measured 2026-12-02 with `python bench/eval.py` (test part, knowledge base 2.0, the answer model reading the
# top's cosine and lexical score and the lexical score times the reading's length, the embedding reading a long
# message's last 24 words, place names' tone marks, English read in Vietnamese words, refitted on the 1,661 dev
# questions): 77.4 / 91.7 / 93.1 / 28.1 / 93.1
# (top-1 / recall@3 / precision / answered right / out-of-scope fallback).
TEST_FLOORS = {"top1": 77.0, "recall@3": 91.0, "answered_precision": 92.5, "answered_rate": 27.5, "oos_fallback": 92.5}
# The choices a fallback offers, the same run: 89.9% of in-scope questions answered right or with a right choice
# shown, 86.1% of in-scope fallbacks offering their entry (out-of-scope questions offered choices: 76.4%).
TEST_FLOORS |= {"within_one_tap": 89.5, "with_the_right_entry_offered": 85.5}
# The gap questions of issue 14 (`--part gaps`, written blind), measured the same day: 92.5 / 100.0 / 100.0 / 60.0
# (67.5 answered right before the answer model read the top's own signals, 65.0 before the refit on 1,661 dev
# questions: three questions in all; a floor lowered by the measure, stated in README).
GAP_FLOORS = {"top1": 92.0, "recall@3": 97.0, "answered_precision": 95.0, "answered_rate": 59.5}


def test_a_distinctive_word_is_not_lost_to_a_common_phrase(hybrid_engine):
    # "viết tắt" matched the 5S entry while the word the question is about did not count.
    assert hybrid_engine.search("ocop la viet tat cua gi").best.entry.id == "ocop-la-gi"
    assert hybrid_engine.search("tpm viet tat cua tu gi trong san xuat").best.entry.id == "tpm-la-gi"


@pytest.mark.parametrize("question", ["Kế hoạch 158/KH-UBND nói về gì?", "Kế hoạch 999/KH-UBND năm 2019"])
def test_a_number_the_entry_does_not_carry_counts_against_it(hybrid_engine, question):
    result = hybrid_engine.search(question)
    assert result.status is AskStatus.FALLBACK
    assert result.best is None or result.best.features["number_miss"] > 0


@pytest.mark.parametrize(
    "question, entry_id",
    [("ISO 14001 là gì", "iso14001-la-gi"), ("ISO 22000 là gì", "iso22000-la-gi"), ("iso 9001 la gi", "iso9001-la-gi")],
)
def test_standard_numbers_pick_their_own_standard(hybrid_engine, question, entry_id):
    result = hybrid_engine.search(question)
    assert result.best.entry.id == entry_id
    assert result.status is not AskStatus.ANSWERED or result.best.entry.id == entry_id


def test_repeated_digits_are_kept():
    normalizer = Normalizer()
    assert normalizer.analyze("ISO 22000").plain == "iso 22000"
    assert normalizer.analyze("năm 2000").plain == "nam 2000"
    assert normalizer.analyze("chàooo").plain == "chao"


@pytest.mark.parametrize("text", ["①", "10⁶ dong", "5²", "9" * 5000, "🙂🙂🙂", "<b>5s</b> la gi", "'; DROP TABLE x;--"])
def test_odd_input_never_raises(hybrid_engine, text):
    hybrid_engine.search(text)


def test_first_person_with_a_place_finds_the_right_entries(hybrid_engine):
    # Not answered outright: the right entry ranks among the first three, but at 0.40 and 0.31, under the
    # clarify bar (0.74). The fallback now offers them as choices (Decision.suggest, chosen on dev). Reading
    # the message without its place name does not help: "cong ti muon dang ki ho tro" alone scores 0.43.
    registering = hybrid_engine.search("cty em o ha long muon dang ky ho tro")
    assert "ho-tro-cach-dang-ky" in [e.id for e in hybrid_engine.leads(registering)]
    ocop = hybrid_engine.search("tôi bán hải sản khô muốn lên ocop")
    assert {"ocop-dang-ky", "ocop-can-gi"} <= {e.id for e in hybrid_engine.leads(ocop)}


def test_a_long_message_is_read_for_its_question(hybrid_engine):
    message = (
        "Chào ad, nhà em làm nước mắm ở Cái Rồng, Vân Đồn, sản phẩm được OCOP 4 sao rồi. Em muốn hỏi tỉnh có "
        "hỗ trợ xây dựng tiêu chuẩn cơ sở cho sản phẩm OCOP không ạ?"
    )
    result = hybrid_engine.search(message)
    assert result.best.entry.id in {"kh273-tccs-ocop", "kh273-tccs-3-sao", "ocop-3-sao-ho-tro", "ho-tro-tccs"}


def test_the_decision_knows_when_the_asking_part_of_a_long_message_was_read(hybrid_engine):
    message = (
        "Chào ad, nhà em làm nước mắm ở Cái Rồng, Vân Đồn, sản phẩm được OCOP 4 sao rồi. Em muốn hỏi tỉnh có "
        "hỗ trợ xây dựng tiêu chuẩn cơ sở cho sản phẩm OCOP không ạ?"
    )
    views = hybrid_engine.views(message)
    assert any(view.part for view in views)
    assert [hybrid_engine.search_view(view).part for view in views] == [view.part for view in views]
    result = hybrid_engine.search(message)
    assert hybrid_engine.without(result, result.best.entry.id).part == result.part


def test_clarify_choices_are_different_questions(hybrid_engine):
    result = hybrid_engine.search("iso")
    choices = result.choices(3)
    assert len({e.id for e in choices}) == len(choices) == 3
    assert len({e.question.lower() for e in choices}) == 3


@pytest.fixture(scope="module")
def figures_of(hybrid_engine):
    """Each scored part's figures, computed once for the module."""
    done: dict[str, dict[str, float]] = {}

    def figures(part: str) -> dict[str, float]:
        if part not in done:
            tally = evaluate(load_part(part), engine_predictor(hybrid_engine)).overall
            done[part] = {**tally.figures(), **tally.leads()}
        return done[part]

    return figures


@pytest.mark.parametrize(
    ("part", "metric", "floor"),
    [("test", m, f) for m, f in sorted(TEST_FLOORS.items())] + [("gaps", m, f) for m, f in sorted(GAP_FLOORS.items())],
)
def test_quality_floor(figures_of, part, metric, floor):
    assert figures_of(part)[metric] >= floor, (part, metric, figures_of(part))


def test_the_test_part_is_blind_and_big():
    items = load_part("test")
    assert len(items) >= 300
    assert sum(i.variant == "long_chatty" for i in items) >= 80
    assert sum(not i.in_scope for i in items) >= 60


def test_the_dev_part_has_a_second_labelling_of_the_same_questions():
    first, either = load_part("dev"), load_either("dev")
    assert [i.question for i in first] == [i.question for i in either]
    assert all(a.expected <= b.expected for a, b in zip(first, either))  # either labeller: only ever more ids
    assert sum(a.expected != b.expected for a, b in zip(first, either)) >= 100


def test_the_embedding_reads_a_long_message_for_its_last_words(hybrid_engine):
    intro = "Chào ad, nhà em làm nước mắm ở Cái Rồng, Vân Đồn, sản phẩm được OCOP 4 sao rồi, bán ở chợ Hạ Long."
    message = intro + " Em muốn hỏi tỉnh có chương trình gì hỗ trợ xây dựng tiêu chuẩn cơ sở cho sản phẩm không ạ?"
    whole = hybrid_engine.views(message)[-1]
    read = hybrid_engine.embedding_text(whole).split()
    assert len(read) == EMBEDDED_WORDS and read[-1] == "không"
    assert "rồng" not in read  # the self-introduction at the start is left to the lexical side
    assert hybrid_engine.embedding_text(hybrid_engine.views("5S là gì")[-1]) == "5s là gì"


def test_a_follow_up_reads_with_the_previous_answer(hybrid_engine):
    from handlers.ask import AskService

    service = AskService(lambda: hybrid_engine, FixedContacts(ContactDetails("Sở Thử nghiệm", phone="(liên hệ)")))
    follow = service.ask("còn chi phí thì sao?", previous="iso9001-la-gi")
    assert follow.result is not None and follow.result.best.entry.id == "iso9001-chi-phi"
    alone = service.ask("còn chi phí thì sao?")
    assert (
        alone.result is None
        or alone.result.best is None
        or alone.result.best.entry.id != "iso9001-chi-phi"
        or alone.status != "answered"
    )
