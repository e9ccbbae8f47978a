"""The knowledge-base editor end to end on a real database: edit with the test pane, save, the bot answers the
new way; refusals name their field in Vietnamese; history restores; retire and restore; contact settings."""

from __future__ import annotations

import re

from bot.admin import history
from bot.db.models import AuditEvent
from bot.wiring import build_admin
from handlers.types import Incoming
from tests.bot.admin.console import pairs

NEW_SHORT = "5S là cách giữ chỗ làm gọn, sạch, an toàn qua năm bước Sàng lọc, Sắp xếp, Sạch sẽ, Săn sóc, Sẵn sàng."


async def signed_in(console):
    await console.add_user("admin@so.vn")
    assert await console.sign_in("admin@so.vn") == 303
    return console


async def ask(console, text: str) -> str:
    await console.core.search.reload_if_changed()  # what the running bot's reloader does every 5 s
    replies = await console.core.conversation.handle(Incoming("console", "c1", "u1", text=text))
    return replies[-1].text


async def test_edit_try_save_and_the_bot_answers_the_new_way(console):
    await signed_in(console)
    form = await console.form_of("5s-la-gi")
    old_answer = str(form["answer"])
    form["answer"] = NEW_SHORT + "\n\n" + old_answer.split("\n\n", 1)[1]
    form["alternates"] = str(form["alternates"]) + "\nnăm chữ S ở xưởng là gì"
    version = int(str(form["version"]))
    # The test pane: the draft applied, nothing saved.
    tried = await console.client.post(
        "/admin/kho-tri-thuc/5s-la-gi", data=pairs({**form, "action": "thu", "trial": "năm chữ S ở xưởng là gì"})
    )
    html = await tried.text()
    assert tried.status == 200 and "bản nháp này" in html and "trả lời" in html
    assert (await build_admin(console.core).editor.live()).version == version
    saved = await console.client.post(
        "/admin/kho-tri-thuc/5s-la-gi", data=pairs({**form, "action": "luu"}), allow_redirects=False
    )
    assert saved.status == 303 and saved.headers["Location"] == "/admin/kho-tri-thuc/5s-la-gi?da_luu=1"
    assert (await build_admin(console.core).editor.live()).version == version + 1
    assert (await ask(console, "5s la gi")) == NEW_SHORT
    async with console.core.db.session() as session:
        versions = await history.versions(session, "5s-la-gi")
        events = (await session.exec(AuditEvent.__table__.select())).all()
    assert [v.author for v in versions] == ["admin@so.vn", history.BASELINE_AUTHOR]
    assert any(e.action == "sửa câu hỏi" and e.target == "5s-la-gi" for e in events)
    page = await console.client.get("/admin/kho-tri-thuc/5s-la-gi/lich-su")
    text = await page.text()
    assert "Câu trả lời" in text and "năm chữ S ở xưởng là gì" in text
    # One click restores the state before the change.
    restored = await console.client.post(
        f"/admin/phien-ban/{versions[-1].id}/khoi-phuc", data={"csrf": form["csrf"]}, allow_redirects=False
    )
    assert restored.status == 303
    assert (await ask(console, "5s la gi")) == old_answer.split("\n\n", 1)[0]


async def test_refusals_name_their_field_and_save_nothing(console):
    await signed_in(console)
    form = await console.form_of("5s-la-gi")
    version = int(str(form["version"]))
    cases = [
        ({"answer": "Rất dài " * 60}, "đoạn đầu (câu trả lời ngắn) dài"),
        ({"label": "Một nhãn nút quá dài không vừa màn hình điện thoại"}, "nhãn nút dài"),
        ({"alternates": "kaizen la gi\nxưởng nhỏ"}, "trùng với"),
        ({"source": "Bài báo, https://tapchi.vn/“moi-xa”.html"}, "không mở được"),
        ({"reviewed": "30/11/2026"}, "ngày không hợp lệ"),
    ]
    for change, message in cases:
        reply = await console.client.post("/admin/kho-tri-thuc/5s-la-gi", data=pairs({**form, **change}))
        html = await reply.text()
        assert reply.status == 422, change
        assert re.search(r'class="field-error">[^<]*' + re.escape(message), html), (change, message)
    assert (await build_admin(console.core).editor.live()).version == version


async def test_a_change_made_on_an_old_version_is_refused(console):
    await signed_in(console)
    form = await console.form_of("5s-la-gi")
    other = await console.form_of("kaizen-la-gi")
    await console.client.post("/admin/kho-tri-thuc/kaizen-la-gi", data=pairs({**other, "label": "Kaizen?"}))
    reply = await console.client.post("/admin/kho-tri-thuc/5s-la-gi", data=pairs({**form, "label": "5S?"}))
    assert reply.status == 422 and "vừa được thay đổi ở nơi khác" in await reply.text()


async def test_create_retire_and_restore(console):
    await signed_in(console)
    csrf = await console.csrf()
    version = (await build_admin(console.core).editor.live()).version
    new = {
        "csrf": csrf,
        "version": str(version),
        "id": "thu-nghiem-moi",
        "topic": "cong-cu-cai-tien",
        "question": "Bảng Kanban dùng để làm gì trong xưởng?",
        "label": "Bảng Kanban",
        "alternates": "kanban la gi\nthe kanban dung lam gi\nbang kanban\nkeo hang bang the",
        "answer": "Kanban là thẻ hoặc bảng báo khi nào cần làm thêm, để xưởng chỉ làm đủ số cần.",
        "source": "Lean Lexicon, Lean Enterprise Institute",
        "reviewed": "2026-11-30",
        "action": "luu",
    }
    created = await console.client.post("/admin/kho-tri-thuc/moi", data=new, allow_redirects=False)
    assert created.status == 303
    assert "Kanban là thẻ" in await ask(console, "kanban la gi")
    again = await console.client.post("/admin/kho-tri-thuc/moi", data={**new, "version": str(version + 1)})
    assert again.status == 422 and "đã có câu hỏi mang mã" in await again.text()
    gone = await console.client.post(
        "/admin/kho-tri-thuc/thu-nghiem-moi/go", data={"csrf": csrf, "version": str(version + 1)}, allow_redirects=False
    )
    assert gone.status == 303
    assert (await build_admin(console.core).editor.live()).get("thu-nghiem-moi") is None
    listing = await (await console.client.get("/admin/kho-tri-thuc", params={"loc": "da-go"})).text()
    assert "Bảng Kanban dùng để làm gì" in listing
    back = await console.client.post(
        "/admin/kho-tri-thuc/thu-nghiem-moi/khoi-phuc", data={"csrf": csrf}, allow_redirects=False
    )
    assert back.status == 303
    assert "Kanban là thẻ" in await ask(console, "kanban la gi")


async def test_contact_settings_reach_answers_and_lift_the_banner(console):
    await signed_in(console)
    page = await (await console.client.get("/admin/cai-dat")).text()
    assert "Thông tin liên hệ của Sở chưa được điền" in page
    csrf = await console.csrf("/admin/cai-dat")
    data = {"csrf": csrf, "org": "Sở Khoa học và Công nghệ", "phone": "0203 000 0000", "email": "", "address": ""}
    saved = await console.client.post("/admin/cai-dat", data=data, allow_redirects=False)
    assert saved.status == 303
    page = await (await console.client.get("/admin/cai-dat")).text()
    assert "chưa được điền" not in page and "0203 000 0000" in page
    answer = await ask(console, "giá vàng hôm nay bao nhiêu")
    assert "- Điện thoại: 0203 000 0000" in answer and "đang được cập nhật" not in answer


async def test_most_asked_counts_answers_per_entry(console):
    await signed_in(console)
    for text in ("kaizen la gi", "5s la gi", "5S là gì?", "5s la gi"):
        await console.core.conversation.handle(Incoming("console", "c9", "u9", text=text))
    assert await console.core.writes.flush()  # the counts are written off the answer path
    html = await (await console.client.get("/admin/kho-tri-thuc", params={"loc": "nhieu-nguoi-hoi"})).text()
    rows = re.findall(r'<a href="/admin/kho-tri-thuc/([a-z0-9-]+)">', html)
    assert rows[:2] == ["5s-la-gi", "kaizen-la-gi"] and len(rows) == 2
