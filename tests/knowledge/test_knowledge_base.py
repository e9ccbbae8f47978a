"""The curated knowledge base: coverage, entry rules, no invented contacts, and every fact of the source."""

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from handlers.ask import AskService
from handlers.contact import FixedContacts
from handlers.views import ContactDetails
from knowledge.syllables import strip_accents
from knowledge.validator import validate

FACTS_FILE = Path(__file__).resolve().parents[1] / "eval" / "source_facts.yaml"
PHONE = re.compile(r"(?<!\d)(?:\+?84|0)\d{2,3}[ .-]?\d{3}[ .-]?\d{3,4}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
URL = re.compile(r"https?://|www\.")


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def test_at_least_150_entries_without_problems(shipped_kb):
    assert len(shipped_kb.entries) >= 150
    assert validate(shipped_kb) == []


def test_every_entry_is_complete(shipped_kb):
    for e in shipped_kb.entries:
        assert e.source and e.reviewed and e.topic and e.tags, e.id
        assert len(e.alternates) >= 4, e.id
        assert any(a == strip_accents(a) for a in e.alternates), f"{e.id}: no alternate without diacritics"
        assert len(e.answer) <= 1500, f"{e.id}: {len(e.answer)} characters"
        assert e.related, e.id


def test_answers_carry_no_invented_contact_details(shipped_kb):
    for e in shipped_kb.entries:
        assert not PHONE.search(e.answer), e.id
        assert not EMAIL.search(e.answer), e.id
        assert not URL.search(e.answer), e.id


def test_topic_menu_reads_well(shipped_kb):
    menu = shipped_kb.menu_topics()
    assert 6 <= len(menu) <= 9
    for topic in menu:
        assert len(shipped_kb.entries_of(topic.id)) >= 5, topic.id
    # Each topic opens with its basic question, and every entry belongs to a known topic.
    assert shipped_kb.entries_of("cong-cu-cai-tien")[0].id == "5s-la-gi"
    assert {e.topic for e in shipped_kb.entries} <= {t.id for t in shipped_kb.topics}


def source_facts():
    return yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))


def test_source_facts_cover_the_article():
    assert len(source_facts()) >= 30


@pytest.mark.parametrize("fact", source_facts(), ids=lambda f: strip_accents(f["ask"])[:40])
def test_each_fact_of_the_source_is_answered(engine, fact):
    service = AskService(lambda: engine, FixedContacts(ContactDetails("Sở Thử nghiệm", phone="(liên hệ)")))
    outcome = service.ask(fact["ask"])
    assert outcome.status == "answered", (fact["ask"], outcome.status, outcome.suggestions)
    for needle in fact["must_contain"]:
        assert fold(needle) in fold(outcome.answer), (fact["ask"], outcome.entry_id, needle)
