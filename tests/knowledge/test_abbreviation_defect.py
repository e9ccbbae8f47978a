"""Issue 11's defect: "what does OCOP / TPM stand for" must reach the OCOP / TPM entry, not the 5S entry (whose one
phrasing "5S viết tắt của từ gì" shares the question's frame) and not the fallback."""

from __future__ import annotations

import pytest

from knowledge.confidence import AskStatus

QUESTIONS = [("ocop la viet tat cua gi", "ocop-la-gi"), ("tpm viet tat cua tu gi trong san xuat", "tpm-la-gi")]

# By IDF the name a question is about is "common" when the base is about it (OCOP is in 22 entries'
# questions), while the frame "viết tắt của (từ) gì", once carried by one 5S phrasing alone, outweighed it
# in every lexical feature. Since the answer cosine (2026-11-30) the right entry ranked first for both, but at
# 0.43 and 0.31, so the bot fell back. Fixed in the knowledge base: every entry whose answer spells out its
# abbreviation (OCOP, TPM, KPI, BSC, HACCP, GMP, IoT) takes "… là viết tắt của từ gì" as a phrasing, so the
# frame is no longer one entry's; both questions are now answered, right.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("question, entry_id", QUESTIONS)
def test_an_abbreviation_question_reaches_its_definition(hybrid_engine, question, entry_id):
    result = hybrid_engine.search(question)
    assert result.best is not None and result.best.entry.id == entry_id
    assert result.status is AskStatus.ANSWERED


def test_an_abbreviation_no_entry_spells_out_is_not_answered(hybrid_engine):
    assert hybrid_engine.search("iso là viết tắt của gì").status is not AskStatus.ANSWERED
