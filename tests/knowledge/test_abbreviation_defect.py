"""Issue 11's defect: "what does OCOP / TPM stand for" must reach the OCOP / TPM entry, not the 5S entry (whose one
phrasing "5S viết tắt của từ gì" shares the question's frame) and not the fallback."""

from __future__ import annotations

import pytest

from knowledge.confidence import AskStatus

QUESTIONS = [("ocop la viet tat cua gi", "ocop-la-gi"), ("tpm viet tat cua tu gi trong san xuat", "tpm-la-gi")]

# Not fixed yet. By IDF the name a question is about is "common" when the base is about it (OCOP is in 22
# entries' questions), while the rare frame "viết tắt của (từ) gì" of one 5S phrasing outweighs it in every
# lexical feature (coverage, fuzzy ratio, BM25); the learned confidence trusts the lexical lead, so the right
# entry, first by its embedding, stays under the clarify bar. A coverage weight for names fixes both questions
# with the earlier model but moves dev precision and out-of-scope fallback without a refit: it belongs with
# the confidence refit (see the lead's notes for issue 11).
pytestmark = [pytest.mark.slow, pytest.mark.xfail(reason="issue 11: names outweighed by a rare frame", strict=False)]


@pytest.mark.parametrize("question, entry_id", QUESTIONS)
def test_an_abbreviation_question_reaches_its_definition(hybrid_engine, question, entry_id):
    result = hybrid_engine.search(question)
    assert result.best is not None and result.best.entry.id == entry_id
    assert result.status is not AskStatus.FALLBACK
