"""Issue 11's defect: "what does OCOP / TPM stand for" must reach the OCOP / TPM entry, not the 5S entry (whose one
phrasing "5S viết tắt của từ gì" shares the question's frame) and not the fallback."""

from __future__ import annotations

import pytest

from knowledge.confidence import AskStatus

QUESTIONS = [("ocop la viet tat cua gi", "ocop-la-gi"), ("tpm viet tat cua tu gi trong san xuat", "tpm-la-gi")]

# Half fixed. By IDF the name a question is about is "common" when the base is about it (OCOP is in 22
# entries' questions), while the rare frame "viết tắt của (từ) gì" of one 5S phrasing outweighs it in every
# lexical feature (coverage, fuzzy ratio, BM25). Since the answer cosine (2026-11-30) the right entry ranks
# first for both questions, but at 0.43 and 0.31 — under the clarify bar (0.75) — so the bot still falls back.
# A "subject the entry never names" feature (the words before "là" / "viết tắt") was tried and not kept: it
# did not move dev out of fold (33.3% answered right against 33.4%) nor these two probabilities.
pytestmark = [pytest.mark.slow, pytest.mark.xfail(reason="issue 11: names outweighed by a rare frame", strict=False)]


@pytest.mark.parametrize("question, entry_id", QUESTIONS)
def test_an_abbreviation_question_reaches_its_definition(hybrid_engine, question, entry_id):
    result = hybrid_engine.search(question)
    assert result.best is not None and result.best.entry.id == entry_id
    assert result.status is not AskStatus.FALLBACK
