"""Topic menus, channel-agnostic: a long topic is paged, every question reachable, old page buttons safe."""

import asyncio

from handlers import texts
from handlers.answer_views import TOPIC_PAGE_SIZE
from handlers.conversation import Conversation
from handlers.types import Incoming
from tests.harness import build_bot


def press(conversation: Conversation, data: str):
    incoming = Incoming("console", "1", "1", data=data)
    return asyncio.run(conversation.on_button(incoming))[0]


def test_every_question_of_a_long_topic_is_reachable_page_by_page(engine, shipped_kb):
    conversation = build_bot(engine).conversation
    entries = shipped_kb.entries_of("ke-hoach-273")
    assert len(entries) > 2 * TOPIC_PAGE_SIZE
    seen, data, pages = [], "t:ke-hoach-273", 0
    while data:
        reply = press(conversation, data)
        pages += 1
        questions = [b for b in reply.flat_buttons() if b.data.startswith("e:")]
        assert TOPIC_PAGE_SIZE // 2 <= len(questions) <= TOPIC_PAGE_SIZE * 3 // 2
        assert reply.text.startswith(f"Kế hoạch 273/KH-UBND (2024) ({pages}/")
        seen += [b.data[2:] for b in questions]
        data = next((b.data for b in reply.flat_buttons() if b.label == texts.NEXT_PAGE), "")
    assert seen == [e.id for e in entries]  # menu order kept, nothing twice, nothing left out
    back = press(conversation, f"t:ke-hoach-273:{pages - 1}")
    previous = next(b.data for b in back.flat_buttons() if b.label == texts.PREVIOUS_PAGE)
    assert previous == f"t:ke-hoach-273:{pages - 2}"


def test_short_topic_has_one_page_and_old_buttons_still_work(engine):
    conversation = build_bot(engine).conversation
    short = press(conversation, "t:chuong-trinh-quoc-gia")
    assert short.text == texts.TOPIC.format(title="Chương trình quốc gia 2021–2030")
    labels = [b.label for b in short.flat_buttons()]
    assert texts.NEXT_PAGE not in labels and texts.PREVIOUS_PAGE not in labels
    # A page number from an old message that the topic no longer has opens the first page.
    assert press(conversation, "t:ke-hoach-273:99").text.startswith("Kế hoạch 273/KH-UBND (2024) (1/")
    assert press(conversation, "t:ke-hoach-273:-1").text.startswith("Kế hoạch 273/KH-UBND (2024) (1/")
    assert press(conversation, "t:no-topic:1").text == texts.STALE_BUTTON
