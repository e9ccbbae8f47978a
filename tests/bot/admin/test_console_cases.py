"""Hồ sơ hỗ trợ on the console: the list with its counts, filters and pages, one case's page, status changes
through the real case desk that reach the business (and say so when they do not), refusals that change
nothing, internal notes never sent, the Excel export, and who may do any of it."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from bot.admin import audit
from bot.admin.roles import AdminRole
from bot.db import cases
from bot.db.case_port import DatabaseCases
from bot.db.models import ApplicationCase
from handlers import texts
from handlers.statuses import CaseEventKind, CaseStatus
from handlers.types import Reply
from handlers.views import Application, CaseView, Sent
from tests.bot.admin.console import Console, csrf_of

STAFF = "ha.nguyen@so.vn"
HAI_LONG = Application(
    business_name="Công ty TNHH Hải Long",
    tax_code="5701234567",
    commune="Vân Đồn",
    sector="Chế biến thủy sản",
    ocop_product="Chả mực Hạ Long",
    ocop_stars=4,
    needs=("iso9001", "traceability"),
    contact_name="Nguyễn Thị Lan",
    phone="0912345678",
)
MINH_ANH = Application(
    business_name="Hợp tác xã Minh Anh",
    tax_code="5700111222001",
    commune="Hạ Long",
    sector="Nông nghiệp",
    needs=("lean",),
    contact_name="Trần Văn Minh",
    phone="0987654321",
)
BAD = Application(
    business_name='=HYPERLINK("http://x.vn","bấm") <b>Đậm</b>',
    tax_code="012345678901",
    commune="Cô Tô",
    sector="-Du lịch",
    needs=("digital",),
    contact_name="@Bình",
    phone="0900000000",
)


class Phone:
    """A channel's real port on the relay: what reaches the business."""

    def __init__(self) -> None:
        self.got: list[tuple[str, Reply]] = []

    async def send(self, chat_id: str, reply: Reply) -> Sent:
        self.got.append((chat_id, reply))
        return Sent(True, str(len(self.got)))


async def staff(console: Console) -> None:
    await console.add_user(STAFF, AdminRole.STAFF)  # staff, not admins: the page is theirs
    assert await console.sign_in(STAFF) == 303


async def apply(console: Console, application: Application, chat: str = "111", channel: str = "telegram") -> CaseView:
    return await DatabaseCases(console.core.db).create(channel, chat, "Lan", application)


async def move(console: Console, case: CaseView, *steps: CaseStatus) -> None:
    """Move a case in the store directly (as another staff member's chat would), no one told."""
    store = DatabaseCases(console.core.db)
    for step in steps:
        now = await store.get(case.id)
        assert now is not None and await store.change_status(case.id, step, "telegram:900", "Bình", "", now.status)


async def row(console: Console, case_id: int) -> ApplicationCase:
    async with console.core.db.session() as session:
        found = await cases.get(session, case_id)
    assert found is not None
    return found


async def post(console: Console, case: CaseView, action: str, **fields: str):
    data = {"csrf": await console.csrf(f"/admin/ho-so/{case.id}"), **fields}
    return await console.client.post(f"/admin/ho-so/{case.id}/{action}", data=data, allow_redirects=False)


async def listed(console: Console, query: str = "") -> list[str]:
    """The references the list shows for `query`, in order."""
    page = await console.client.get(f"/admin/ho-so{query}")
    assert page.status == 200
    return re.findall(r'<td class="code"><a href="/admin/ho-so/\d+">([^<]+)</a>', await page.text())


async def test_the_list_shows_cases_newest_first_with_counts_per_status(console):
    await staff(console)
    first = await apply(console, HAI_LONG)
    second = await apply(console, MINH_ANH, chat="222")
    third = await apply(console, BAD, chat="z-1", channel="zalo")
    await move(console, second, CaseStatus.RECEIVED)
    page = await console.client.get("/admin/ho-so")
    html = await page.text()
    assert page.status == 200 and 'href="/admin/ho-so">Hồ sơ hỗ trợ</a>' in html  # the menu link
    assert await listed(console) == [third.reference, second.reference, first.reference]
    assert "3 hồ sơ" in html and "Công ty TNHH Hải Long" in html and "Vân Đồn" in html and "4 sao" in html
    assert "Hệ thống quản lý ISO 9001" in html and "Truy xuất nguồn gốc" in html  # needs as labels
    assert "đã tiếp nhận" in html and "mới gửi" in html
    counts = dict(re.findall(r'<span class="label">([^<]+)</span> <strong>(\d+)</strong>', html))
    assert counts["Tất cả"] == "3" and counts["Mới gửi"] == "2" and counts["Đã tiếp nhận"] == "1"
    assert counts["Được chấp nhận hỗ trợ"] == "0" and len(counts) == 8
    assert "&lt;b&gt;Đậm&lt;/b&gt;" in html and "<b>Đậm</b>" not in html  # escaped
    assert 'style="' not in html and "<script>" not in html  # the CSP would block them
    assert "/admin/ho-so/xuat.xlsx" in html


async def test_every_filter_narrows_the_list_and_the_counts_follow(console):
    await staff(console)
    first = await apply(console, HAI_LONG)
    second = await apply(console, MINH_ANH, chat="222")
    third = await apply(console, BAD, chat="333")
    await move(console, second, CaseStatus.RECEIVED, CaseStatus.REVIEWING)
    assert await listed(console, "?trang_thai=reviewing") == [second.reference]
    assert await listed(console, "?trang_thai=new") == [third.reference, first.reference]
    assert await listed(console, "?xa=V%C3%A2n+%C4%90%E1%BB%93n") == [first.reference]
    assert await listed(console, "?nhu_cau=lean") == [second.reference]
    assert await listed(console, "?nhu_cau=traceability") == [first.reference]
    assert await listed(console, "?q=hai+long") == [first.reference]  # without diacritics, any case
    assert await listed(console, "?q=H%E1%BB%A3p+t%C3%A1c") == [second.reference]
    assert await listed(console, "?q=0111222") == [second.reference]  # part of a tax code
    assert await listed(console, "?q=5700111222-001") == [second.reference]  # a branch's code as printed
    assert await listed(console, f"?q={third.reference.lower()}") == [third.reference]
    assert await listed(console, f"?q=HS{first.id}-ZZZZ") == []  # the id with another code is not it
    assert await listed(console, "?q=hai+long&nhu_cau=lean") == []
    assert await listed(console, "?trang_thai=new&xa=C%C3%B4+T%C3%B4") == [third.reference]
    # A value that cannot be a filter is ignored, never an error.
    assert len(await listed(console, "?trang_thai=bogus&nhu_cau=%3Cx%3E&trang=abc")) == 3
    html = await (await console.client.get("/admin/ho-so?nhu_cau=lean")).text()
    counts = dict(re.findall(r'<span class="label">([^<]+)</span> <strong>(\d+)</strong>', html))
    assert counts["Tất cả"] == "1" and counts["Đang xem xét"] == "1" and counts["Mới gửi"] == "0"
    assert 'href="/admin/ho-so?trang_thai=new&amp;nhu_cau=lean"' in html  # a count keeps the other filters
    assert ">Cô Tô</option>" in html and ">Vân Đồn</option>" in html  # communes with cases to pick from
    empty = await (await console.client.get("/admin/ho-so?q=khong-co-ai")).text()
    assert "Không có hồ sơ nào khớp bộ lọc." in empty


async def test_fifty_a_page_with_the_total(console):
    await staff(console)
    async with console.core.db.writing() as session:
        for n in range(51):
            session.add(ApplicationCase(code=f"c{n}", channel="telegram", chat_id=str(n), business_name=f"DN {n}"))
        await session.commit()
    html = await (await console.client.get("/admin/ho-so")).text()
    assert "51 hồ sơ" in html and "Trang 1/2" in html and 'href="?trang=2"' in html
    assert len(await listed(console)) == 50
    assert len(await listed(console, "?trang=2")) == 1
    assert len(await listed(console, "?trang=9")) == 1  # past the end: the last page


async def test_a_case_page_shows_everything_the_business_gave_and_its_history(console):
    await staff(console)
    case = await apply(console, HAI_LONG)
    bad = await apply(console, BAD, chat="222")
    await DatabaseCases(console.core.db).add_event(case.id, CaseEventKind.BUSINESS, "", "", "Em gửi <b>giấy</b> ạ")
    page = await console.client.get(f"/admin/ho-so/{case.id}")
    html = await page.text()
    assert page.status == 200 and f"Hồ sơ {case.reference}" in html
    for label, value in [
        ("Tên doanh nghiệp", "Công ty TNHH Hải Long"),
        ("Mã số thuế", "5701234567"),
        ("Xã, phường, đặc khu", "Vân Đồn"),
        ("Ngành nghề", "Chế biến thủy sản"),
        ("Sản phẩm OCOP", "Chả mực Hạ Long"),
        ("Hạng sao OCOP", "4 sao"),
        ("Người liên hệ", "Nguyễn Thị Lan"),
        ("Số điện thoại", "0912345678"),
        ("Gửi qua", "Telegram"),
    ]:
        assert re.search(rf"<dt>{label}</dt>\s*<dd>{value}</dd>", html), label
    assert "<li>Hệ thống quản lý ISO 9001</li>" in html and "<li>Truy xuất nguồn gốc</li>" in html
    assert "gửi hồ sơ qua Telegram" in html and "Em gửi &lt;b&gt;giấy&lt;/b&gt; ạ" in html
    assert html.count('name="csrf"') >= 3 and f'name="expected" value="{CaseStatus.NEW}"' in html
    assert 'style="' not in html
    other = await (await console.client.get(f"/admin/ho-so/{bad.id}")).text()
    assert "012345678901" in other  # 12 digits (a household business's personal number) as they are
    assert "&lt;b&gt;Đậm&lt;/b&gt;" in other and "<b>Đậm</b>" not in other
    branch = await (await console.client.get(f"/admin/ho-so/{(await apply(console, MINH_ANH)).id}")).text()
    assert "5700111222-001" in branch and "chưa được xếp hạng" in branch


async def test_a_status_change_goes_through_the_desk_and_reaches_the_business(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    case = await apply(console, HAI_LONG)
    html = await (await console.client.get(f"/admin/ho-so/{case.id}")).text()
    offered = re.findall(r'name="status" value="([a-z_]+)"', html)
    assert CaseStatus.RECEIVED in offered and CaseStatus.NEW not in offered
    done = await post(console, case, "trang-thai", status="received", expected="new", note="Cán bộ sẽ gọi trong tuần")
    assert done.status == 303 and done.headers["Location"] == f"/admin/ho-so/{case.id}?da=trang-thai"
    assert (await row(console, case.id)).status == CaseStatus.RECEIVED
    [(chat, reply)] = phone.got
    assert chat == "111" and case.reference in reply.text and "Cán bộ sẽ gọi trong tuần" in reply.text
    after = await (await console.client.get(done.headers["Location"])).text()
    assert f"Đã chuyển hồ sơ {case.reference} sang «đã tiếp nhận»; doanh nghiệp đã được báo." in after
    assert "Cán bộ ha.nguyen" in after and "chuyển sang «đã tiếp nhận»" in after
    [event] = [e for e in await DatabaseCases(console.core.db).events(case.id) if e.status is CaseStatus.RECEIVED]
    assert (
        event.actor == f"web:{STAFF}" and event.actor_name == "ha.nguyen" and event.text == "Cán bộ sẽ gọi trong tuần"
    )
    async with console.core.db.session() as session:
        [line] = [e for e in await audit.recent(session) if e.action == "đổi trạng thái hồ sơ"]
    assert line.actor == STAFF and line.target == f"hồ sơ {case.reference}"
    assert "Hải Long" not in line.detail + line.target and "Cán bộ sẽ gọi" not in line.detail  # no business data
    again = await post(console, case, "trang-thai", status="reviewing", expected="received", note="")
    assert again.status == 303 and len(phone.got) == 2 and case.reference in phone.got[1][1].text


async def test_a_stale_or_forbidden_change_is_refused_and_changes_nothing(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    case = await apply(console, HAI_LONG)
    await move(console, case, CaseStatus.RECEIVED)  # someone else, while this page was open at «mới gửi»
    stale = await post(console, case, "trang-thai", status="received", expected="new", note="Đã nhận")
    html = await stale.text()
    assert stale.status == 409 and "Đã nhận</div>" in html  # what was typed is kept, marked unsent
    assert texts.CASE_PROBLEM_CHANGED.format(ref=case.reference, label="đã tiếp nhận") in html
    assert (await row(console, case.id)).status == CaseStatus.RECEIVED and phone.got == []
    await move(console, case, CaseStatus.REVIEWING, CaseStatus.CLOSED)  # a final status
    final = await (await console.client.get(f"/admin/ho-so/{case.id}")).text()
    assert "Hồ sơ đã ở trạng thái cuối" in final and 'name="status"' not in final
    forbidden = await post(console, case, "trang-thai", status="reviewing", expected="closed")
    wording = texts.CASE_PROBLEM_NOT_ALLOWED.format(ref=case.reference, current="đã đóng", wanted="đang xem xét")
    assert forbidden.status == 422 and wording in await forbidden.text()
    assert (await row(console, case.id)).status == CaseStatus.CLOSED and phone.got == []
    events = await DatabaseCases(console.core.db).events(case.id)
    assert [e.status for e in events] == [CaseStatus.NEW, CaseStatus.RECEIVED, CaseStatus.REVIEWING, CaseStatus.CLOSED]


async def test_needs_more_information_requires_a_note_and_bad_forms_are_refused(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    case = await apply(console, HAI_LONG)
    await move(console, case, CaseStatus.RECEIVED, CaseStatus.REVIEWING)
    bare = await post(console, case, "trang-thai", status="needs_info", expected="reviewing", note="   ")
    assert bare.status == 422 and texts.CASE_PROBLEM_NEEDS_NOTE in await bare.text()
    for fields in ({"status": "approved", "expected": "reviewing"}, {"status": "needs_info"}):
        wrong = await post(console, case, "trang-thai", note="x", **fields)
        assert wrong.status == 422 and "Trạng thái gửi lên không hợp lệ" in await wrong.text()
    long = await post(console, case, "trang-thai", status="accepted", expected="reviewing", note="a" * 1001)
    html = await long.text()
    assert long.status == 422 and "Ghi chú dài 1001 ký tự, quá giới hạn 1000 ký tự." in html
    assert "a" * 1001 + "</textarea>" in html  # kept in its box
    assert (await row(console, case.id)).status == CaseStatus.REVIEWING and phone.got == []
    asked = await post(
        console, case, "trang-thai", status="needs_info", expected="reviewing", note="Gửi ảnh giấy chứng nhận OCOP"
    )
    assert asked.status == 303 and (await row(console, case.id)).status == CaseStatus.NEEDS_INFO
    [(_chat, reply)] = phone.got
    assert "Gửi ảnh giấy chứng nhận OCOP" in reply.text


async def test_an_internal_note_is_stored_and_never_sent(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    case = await apply(console, HAI_LONG)
    empty = await post(console, case, "ghi-chu", text="  ")
    assert empty.status == 422 and texts.CASE_NOTE_EMPTY in await empty.text()
    long = await post(console, case, "ghi-chu", text="b" * 4001)
    html = await long.text()
    assert long.status == 422 and "Ghi chú dài 4001 ký tự, quá giới hạn 4000 ký tự." in html
    assert "b" * 4001 + "</textarea>" in html  # kept in its box
    saved = await post(console, case, "ghi-chu", text="Đã gọi, <hẹn> thứ Hai")
    assert saved.status == 303 and saved.headers["Location"] == f"/admin/ho-so/{case.id}?da=ghi-chu#lich-su"
    assert phone.got == []
    [note] = [e for e in await DatabaseCases(console.core.db).events(case.id) if e.kind is CaseEventKind.NOTE]
    assert note.text == "Đã gọi, <hẹn> thứ Hai" and note.actor == f"web:{STAFF}"
    html = await (await console.client.get(saved.headers["Location"])).text()
    assert "Đã gọi, &lt;hẹn&gt; thứ Hai" in html and "ghi chú nội bộ (doanh nghiệp không thấy)" in html
    assert "Đã lưu ghi chú nội bộ" in html and (await row(console, case.id)).status == CaseStatus.NEW
    async with console.core.db.session() as session:
        [line] = [e for e in await audit.recent(session) if e.action == "ghi chú hồ sơ"]
    assert line.target == f"hồ sơ {case.reference}" and "hẹn" not in line.detail


async def test_a_business_that_could_not_be_told_is_said_plainly(console):
    await staff(console)  # no Telegram channel runs in this process
    case = await apply(console, HAI_LONG)
    page = await (await console.client.get(f"/admin/ho-so/{case.id}")).text()
    assert "Kênh Telegram không chạy trong tiến trình này của bot" in page
    done = await post(console, case, "trang-thai", status="received", expected="new")
    assert done.status == 303 and done.headers["Location"].endswith("?da=chua-bao")
    assert (await row(console, case.id)).status == CaseStatus.RECEIVED
    html = await (await console.client.get(done.headers["Location"])).text()
    assert f"Hồ sơ {case.reference} đã đổi trạng thái nhưng chưa báo được cho doanh nghiệp" in html
    assert "kênh Telegram không chạy trong tiến trình này của bot" in html


async def test_the_export_is_a_workbook_of_the_filtered_cases_with_neutralised_cells(console):
    await staff(console)
    first = await apply(console, HAI_LONG)
    await apply(console, MINH_ANH, chat="222")
    bad = await apply(console, BAD, chat="333")
    reply = await console.client.get("/admin/ho-so/xuat.xlsx")
    assert reply.status == 200 and reply.content_type.endswith("spreadsheetml.sheet")
    assert 'filename="ho-so-ho-tro-' in reply.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await reply.read())).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["Mã hồ sơ", "Ngày gửi", "Trạng thái", "Tên doanh nghiệp", "Mã số thuế"]
    assert rows[0][-1] == "Cập nhật gần nhất" and len(rows) == 4
    assert all(isinstance(v, str) for r in rows for v in r if v is not None)  # text, never a number
    by_ref = {r[0]: r for r in rows[1:]}
    assert by_ref[first.reference][2:10] == [
        "mới gửi",
        "Công ty TNHH Hải Long",
        "5701234567",
        "Vân Đồn",
        "Chế biến thủy sản",
        "Chả mực Hạ Long",
        "4",
        "Hệ thống quản lý ISO 9001; Truy xuất nguồn gốc",
    ]
    assert by_ref[first.reference][10:12] == ["Nguyễn Thị Lan", "0912345678"]
    assert by_ref[bad.reference][3] == "'" + BAD.business_name  # a formula is neutralised
    assert by_ref[bad.reference][6] == "'-Du lịch" and by_ref[bad.reference][10] == "'@Bình"
    assert by_ref[bad.reference][4] == "012345678901"  # the leading zero stays
    filtered = load_workbook(io.BytesIO(await (await console.client.get("/admin/ho-so/xuat.xlsx?nhu_cau=lean")).read()))
    assert [r[0].value for r in filtered.active.iter_rows()][1:] == [(await listed(console, "?nhu_cau=lean"))[0]]
    async with console.core.db.session() as session:
        lines = [e for e in await audit.recent(session) if e.action == "xuất danh sách hồ sơ"]
    assert [e.detail for e in lines] == ["1 hồ sơ, tệp XLSX, nhu cầu=lean", "3 hồ sơ, tệp XLSX, không lọc"]
    assert all(e.actor == STAFF for e in lines)


async def test_an_erased_case_shows_only_its_statistics(console):
    await staff(console)
    case = await apply(console, HAI_LONG)
    async with console.core.db.writing() as session:
        await cases.anonymise(session, ApplicationCase.id == case.id)
        await session.commit()
    html = await (await console.client.get(f"/admin/ho-so/{case.id}")).text()
    assert "Hải Long" not in html and "0912345678" not in html and "Vân Đồn" in html
    assert "hồ sơ chỉ còn số liệu thống kê ẩn danh" in html
    assert "(dữ liệu doanh nghiệp đã xóa)" in await (await console.client.get("/admin/ho-so")).text()


async def test_who_may_open_it_and_what_is_refused(console):
    case = await apply(console, HAI_LONG)
    for path in ("/admin/ho-so", f"/admin/ho-so/{case.id}", "/admin/ho-so/xuat.xlsx"):
        anonymous = await console.client.get(path, allow_redirects=False)
        assert anonymous.status == 303 and anonymous.headers["Location"] == "/admin/dang-nhap", path
    refused = await console.client.post(f"/admin/ho-so/{case.id}/ghi-chu", data={"text": "x"}, allow_redirects=False)
    assert refused.status == 403
    await staff(console)
    page = await console.client.get(f"/admin/ho-so/{case.id}")
    assert page.status == 200
    token = csrf_of(await page.text())
    for path, data in (("trang-thai", {"status": "received", "expected": "new"}), ("ghi-chu", {"text": "x"})):
        forged = await console.client.post(f"/admin/ho-so/{case.id}/{path}", data={**data, "csrf": "doan-bua"})
        assert forged.status == 403 and "Biểu mẫu đã hết hạn" in await forged.text()
    assert (await row(console, case.id)).status == CaseStatus.NEW
    assert [e.kind for e in await DatabaseCases(console.core.db).events(case.id)] == [CaseEventKind.STATUS]
    for path in ("/admin/ho-so/999", "/admin/ho-so/abc", "/admin/ho-so/-1", "/admin/ho-so/1e3"):
        missing = await console.client.get(path)
        assert missing.status == 404 and "Không có hồ sơ này." in await missing.text(), path
    gone = await console.client.post("/admin/ho-so/999/ghi-chu", data={"csrf": token, "text": "x"})
    assert gone.status == 404 and "Không có hồ sơ này." in await gone.text()
    assert (await console.client.get("/admin/ho-so/xuat.xlsx")).status == 200  # staff export, not only admins
