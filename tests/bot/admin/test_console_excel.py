"""Excel in the console: download, edit, upload (all or nothing, problems per row and column), undo as one change."""

from __future__ import annotations

import io

import aiohttp
from openpyxl import load_workbook

from bot.wiring import build_admin
from handlers.types import Incoming
from knowledge.workbook import SHEET

NEW_SHORT = "Kaizen là cải tiến liên tục từng bước nhỏ, do chính người làm việc đề xuất và thực hiện hằng ngày."


async def download(console) -> bytes:
    reply = await console.client.get("/admin/excel/tai-ve")
    assert reply.status == 200 and reply.content_type.endswith("spreadsheetml.sheet")
    assert "attachment" in reply.headers["Content-Disposition"]
    return await reply.read()


async def upload(console, body: bytes, name: str = "kho.xlsx") -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("csrf", await console.csrf("/admin/excel"))
    form.add_field("tep", body, filename=name, content_type="application/octet-stream")
    reply = await console.client.post("/admin/excel/nhap", data=form)
    return reply.status, await reply.text()


def edited(body: bytes, changes: dict[tuple[str, str], str]) -> bytes:
    """The workbook with cells changed, addressed as (entry id, column header)."""
    book = load_workbook(io.BytesIO(body))
    sheet = book[SHEET]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for (entry_id, column), value in changes.items():
            if row[0].value == entry_id:
                row[header.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def answer(console, text: str) -> str:
    await console.core.search.reload_if_changed()
    return (await console.core.conversation.handle(Incoming("console", "c", "u", text=text)))[-1].text


async def test_download_edit_upload_and_undo(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    body = await download(console)
    old_short = (await answer(console, "kaizen la gi")).split("\n\n")[0]
    entry = console.core.search().kb.get("kaizen-la-gi")
    new_answer = NEW_SHORT + "\n\n" + entry.answer.split("\n\n", 1)[1]
    status, html = await upload(console, edited(body, {("kaizen-la-gi", "Câu trả lời"): new_answer}))
    assert status == 200 and "Đã nhập: thêm 0, sửa 1" in html
    assert await answer(console, "kaizen la gi") == NEW_SHORT
    snapshot = (await build_admin(console.core).editor.imports())[0]
    csrf = await console.csrf("/admin/excel")
    undone = await console.client.post(f"/admin/excel/hoan-tac/{snapshot.id}", data={"csrf": csrf})
    assert undone.status == 200 and "Đã hoàn tác lần nhập" in await undone.text()
    assert await answer(console, "kaizen la gi") == old_short
    again = await console.client.post(f"/admin/excel/hoan-tac/{snapshot.id}", data={"csrf": csrf})
    assert again.status == 409 and "đã được hoàn tác" in await again.text()


async def test_a_bad_sheet_shows_each_row_and_column_and_changes_nothing(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    version = (await build_admin(console.core).editor.live()).version
    body = edited(
        await download(console),
        {
            ("5s-la-gi", "Chủ đề"): "Chủ đề gõ sai",
            ("kaizen-la-gi", "Nhãn nút"): "Nhãn quá dài cho một nút bấm trên điện thoại",
        },
    )
    status, html = await upload(console, body)
    assert status == 422 and "Chưa áp dụng gì: 2 lỗi" in html
    assert "<td>Chủ đề</td><td>không có chủ đề «Chủ đề gõ sai»</td>" in html
    assert "<td>Nhãn nút</td><td>nhãn nút dài" in html and ", dòng " in html
    assert (await build_admin(console.core).editor.live()).version == version
    status, html = await upload(console, b"khong phai excel", "sai.xlsx")
    assert status == 422 and "không đọc được tệp Excel" in html


async def test_undo_is_refused_once_the_knowledge_base_moved_on(console):
    await console.add_user("admin@so.vn")
    await console.sign_in("admin@so.vn")
    body = await download(console)
    await upload(console, edited(body, {("kaizen-la-gi", "Nhãn nút"): "Kaizen?"}))
    snapshot = (await build_admin(console.core).editor.imports())[0]
    form = await console.form_of("5s-la-gi")
    form["label"] = "5S?"
    from tests.bot.admin.console import pairs

    await console.client.post("/admin/kho-tri-thuc/5s-la-gi", data=pairs(form))
    csrf = await console.csrf("/admin/excel")
    refused = await console.client.post(f"/admin/excel/hoan-tac/{snapshot.id}", data={"csrf": csrf})
    assert refused.status == 409 and "đã thay đổi sau lần nhập này" in await refused.text()
