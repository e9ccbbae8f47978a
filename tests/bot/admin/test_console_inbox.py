"""The review inbox: unanswered questions grouped with the bot's guesses, one click to add one as a phrasing
(refused with the reason when another entry has it), to start an entry, or to dismiss it; picks after a question
back as suggested phrasings; user text escaped."""

from __future__ import annotations

from bot.db import conversation_log
from handlers.types import Incoming
from knowledge.normalize import Normalizer

QUESTION = "xưởng em muốn có chứng chỉ chất lượng thì làm sao"


async def log(console, text: str, times: int = 1) -> str:
    key = Normalizer().analyze(text).plain
    async with console.core.db.session() as session:
        for _ in range(times):
            await conversation_log.log_unanswered(session, text, key, "fallback", None, 0.0, ("telegram", "1"))
    return key


async def page(console) -> str:
    reply = await console.client.get("/admin/hop-thu")
    assert reply.status == 200
    return await reply.text()


async def test_questions_are_grouped_and_escaped(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    await log(console, QUESTION, 3)
    await log(console, "xưởng em muốn có chứng chỉ chất lượng thì phải làm sao")
    await log(console, "<script>alert(1)</script> giá vàng hôm nay")
    html = await page(console)
    assert f"«{QUESTION}»" in html and "×4" in html  # the two wordings are one group
    assert "Cách hỏi khác: «xưởng em muốn có chứng chỉ chất lượng thì phải làm sao»" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "/admin/kho-tri-thuc/moi?cau_hoi=" in html  # start a new entry prefilled with it


async def test_add_as_a_phrasing_and_the_bot_answers_it(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    key = await log(console, QUESTION, 2)
    csrf = await console.csrf("/admin/hop-thu")
    data = {"csrf": csrf, "text": QUESTION, "entry_id": "iso9001-chung-nhan", "key": key}
    added = await console.client.post("/admin/hop-thu/them", data=data, allow_redirects=False)
    assert added.status == 303
    await console.core.search.reload_if_changed()
    replies = await console.core.conversation.handle(Incoming("console", "c", "u", text=QUESTION))
    assert console.core.search().search(QUESTION).best.entry.id == "iso9001-chung-nhan"
    assert replies[-1].source  # answered, with its source
    assert f"«{QUESTION}»" not in await page(console)  # no longer a gap


async def test_a_phrasing_another_entry_has_is_refused_with_the_reason(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    csrf = await console.csrf("/admin/hop-thu")
    data = {"csrf": csrf, "text": "kaizen la gi", "entry_id": "5s-la-gi"}
    refused = await console.client.post("/admin/hop-thu/them", data=data)
    html = await refused.text()
    assert refused.status == 422 and "Chưa thêm «kaizen la gi» vào «5s-la-gi»" in html and "trùng với" in html


async def test_dismissed_questions_stop_showing_as_gaps(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    key = await log(console, "giá vàng hôm nay bao nhiêu", 5)
    assert "giá vàng hôm nay" in await page(console)
    csrf = await console.csrf("/admin/hop-thu")
    done = await console.client.post("/admin/hop-thu/bo-qua", data={"csrf": csrf, "key": key}, allow_redirects=False)
    assert done.status == 303
    await log(console, "giá vàng hôm nay bao nhiêu")  # asked again: counted, still not shown
    assert "giá vàng hôm nay" not in await page(console)


async def test_picks_after_a_question_back_become_phrasings(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    text = "làm sao cho xưởng gọn gàng hơn"
    async with console.core.db.session() as session:
        await conversation_log.record_choice(session, text, Normalizer().analyze(text).plain, "5s-la-gi", ("zalo", "2"))
        choice = (await conversation_log.clarify_choices(session))[0]
    html = await page(console)
    assert f"«{text}»" in html
    csrf = await console.csrf("/admin/hop-thu")
    data = {"csrf": csrf, "text": text, "entry_id": "5s-la-gi", "choice": str(choice.id)}
    assert (await console.client.post("/admin/hop-thu/them", data=data, allow_redirects=False)).status == 303
    assert f"«{text}»" not in await page(console)
    await console.core.search.reload_if_changed()
    assert text in console.core.search().kb.get("5s-la-gi").alternates
