"""Người đăng ký in the console: search and filters, pages, exports, imports, one person's page and erasure."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import aiohttp
import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from bot.admin import audit
from bot.admin.roles import AdminRole
from bot.db import erasure, subscriber_files, subscriber_search, subscribers_csv
from bot.db.models import AuditEvent, Subscriber
from bot.settings import load_settings
from bot.wiring import build_core
from handlers.types import Reply
from handlers.views import Sent
from tests.bot.admin.console import csrf_of, start_console
from tests.bot.test_erasure import CHAT, NAME, OTHER, PHONE, everything, seed_everywhere

LIST = "/admin/nguoi-dang-ky"
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
ROW = re.compile(r'<a href="/admin/nguoi-dang-ky/(\d+)">')


def person(chat_id: str, name: str, minutes_ago: int = 0, **fields: object) -> Subscriber:
    fields.setdefault("channel", "telegram")
    return Subscriber(chat_id=chat_id, display_name=name, last_seen=NOW - dt.timedelta(minutes=minutes_ago), **fields)


def everyone() -> list[Subscriber]:
    """Fresh rows each time: a row added to one test's database is bound to it."""
    return [
        person("1001", "Nguyễn Văn An", 1, status="active", topics="ocop-tccs", commune="Hạ Long", sector="Dệt may"),
        person("1002", "NGUYỄN THỊ HOA", 2, status="active", topics="", commune="Cẩm Phả", user_id="u-777"),
        person("zx-ABC99", "Trần Thị Bình", 3, channel="zalo", status="blocked", topics="ocop-tccs", sector="Cơ khí"),
        person("1004", "Nguyên Hồng Đào", 4, status="unsubscribed", topics="truy-xuat", commune="Hạ Long"),
        person("1005", "Lê Văn Đức", 5, channel="zalo", status="active", topics="truy-xuat,cong-cu-cai-tien"),
    ]


async def seed(console, people: list[Subscriber]) -> None:
    async with console.core.db.writing() as session:
        session.add_all(people)
        await session.commit()


async def names(console, query: str) -> list[str]:
    reply = await console.client.get(f"{LIST}?{query}")
    assert reply.status == 200
    html = await reply.text()
    return re.findall(r'<a href="/admin/nguoi-dang-ky/\d+">([^<]*)</a>', html)


async def id_of(console, chat_id: str) -> int:
    async with console.core.db.session() as session:
        found = (await session.exec(select(Subscriber).where(Subscriber.chat_id == chat_id))).one()
    assert found.id is not None
    return found.id


@pytest.fixture
async def admin(console):
    await console.add_user("admin@so.vn")
    assert await console.sign_in("admin@so.vn") == 303
    return console


async def test_search_finds_names_without_diacritics_and_ids_by_fragment(admin):
    await seed(admin, everyone())
    assert await names(admin, "q=nguyen") == ["Nguyễn Văn An", "NGUYỄN THỊ HOA", "Nguyên Hồng Đào"]
    assert await names(admin, "q=Nguyễn") == ["Nguyễn Văn An", "NGUYỄN THỊ HOA"]  # typed with marks: exact
    assert await names(admin, "q=nguyen++van") == ["Nguyễn Văn An"]
    assert await names(admin, "q=dao") == ["Nguyên Hồng Đào"]
    assert await names(admin, "q=DUC") == ["Lê Văn Đức"]
    assert await names(admin, "q=100") == ["Nguyễn Văn An", "NGUYỄN THỊ HOA", "Nguyên Hồng Đào", "Lê Văn Đức"]
    assert await names(admin, "q=abc9") == ["Trần Thị Bình"]  # a Zalo chat id, any case
    assert await names(admin, "q=U-77") == ["NGUYỄN THỊ HOA"]  # the user id
    assert await names(admin, "q=%25") == []  # LIKE and regex syntax are plain characters
    assert await names(admin, "q=.%2A") == []
    assert await names(admin, "q=(") == []


async def test_every_filter_and_their_combination(admin):
    await seed(admin, everyone())
    assert await names(admin, "kenh=zalo") == ["Trần Thị Bình", "Lê Văn Đức"]
    # A topic: who chose it, and active people who take every topic.
    assert await names(admin, "chu_de=ocop-tccs") == ["Nguyễn Văn An", "NGUYỄN THỊ HOA", "Trần Thị Bình"]
    assert await names(admin, "chu_de=cong-cu-cai-tien") == ["NGUYỄN THỊ HOA", "Lê Văn Đức"]
    assert await names(admin, "trang_thai=blocked") == ["Trần Thị Bình"]
    assert await names(admin, "trang_thai=unsubscribed") == ["Nguyên Hồng Đào"]
    assert await names(admin, "xa_phuong=H%E1%BA%A1+Long") == ["Nguyễn Văn An", "Nguyên Hồng Đào"]
    assert await names(admin, "nganh=C%C6%A1+kh%C3%AD") == ["Trần Thị Bình"]
    assert await names(admin, "q=nguyen&xa_phuong=H%E1%BA%A1+Long&trang_thai=active") == ["Nguyễn Văn An"]
    assert await names(admin, "kenh=zalo&chu_de=truy-xuat&q=le") == ["Lê Văn Đức"]
    assert await names(admin, "kenh=fax&trang_thai=gone") == [p.display_name for p in everyone()]  # ignored
    page = await (await admin.client.get(LIST)).text()
    assert '<option value="Cẩm Phả"' in page and '<option value="Cơ khí"' in page  # values people gave
    assert "OCOP và tiêu chuẩn cơ sở" in page and "Tất cả chủ đề" in page


async def test_fifty_a_page_newest_activity_first_with_the_total(admin):
    await seed(admin, [person(str(5000 + i), f"Người thứ {i}", minutes_ago=i) for i in range(120)])
    first = await (await admin.client.get(LIST)).text()
    assert "120 người" in first and "Trang 1/3" in first
    assert len(ROW.findall(first)) == 50
    assert await names(admin, "") == [f"Người thứ {i}" for i in range(50)]
    assert await names(admin, "trang=3") == [f"Người thứ {i}" for i in range(100, 120)]
    assert await names(admin, "trang=99") == [f"Người thứ {i}" for i in range(100, 120)]  # past the end: the last
    assert await names(admin, "trang=abc") == [f"Người thứ {i}" for i in range(50)]
    second = await (await admin.client.get(f"{LIST}?q=nguoi&trang=2")).text()
    assert "Trang 2/3" in second and 'href="?q=nguoi&amp;trang=3"' in second and 'href="?q=nguoi&amp;trang=1"' in second
    async with admin.core.db.session() as session:
        found = await subscriber_search.search(session, subscriber_search.SubscriberQuery(text="thứ 11"), 1)
    assert (found.total, found.pages, [p.display_name for p in found.rows]) == (
        11,
        1,
        [f"Người thứ {i}" for i in [11, *range(110, 120)]],
    )


async def audit_rows(console) -> list[AuditEvent]:
    async with console.core.db.session() as session:
        return list(reversed(await audit.recent(session)))


async def test_exports_neutralise_formulas_follow_the_filter_and_are_audited(admin):
    await seed(
        admin,
        [
            *everyone(),
            person("2001", '=HYPERLINK("http://evil.example","bấm")', 0, channel="zalo", commune="Hạ Long"),
            person("2002", "+84912345678", 0, channel="zalo"),
        ],
    )
    reply = await admin.client.get(f"{LIST}/xuat.csv?kenh=zalo&q=")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in reply.headers["Content-Disposition"]
    body = await reply.read()
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese letters
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Số", "Kênh", "Mã chat", "Mã người dùng", "Tên hiển thị", "Trạng thái"]
    shown = [r[4] for r in rows[1:]]
    # Same last activity: the later row first.
    assert shown == ["'+84912345678", '\'=HYPERLINK("http://evil.example","bấm")', "Trần Thị Bình", "Lê Văn Đức"]
    assert rows[3][1] == "Zalo" and rows[3][5] == "Đã chặn bot"
    assert rows[4][6] == "truy-xuat;cong-cu-cai-tien" and "Truy xuất nguồn gốc" in rows[4][7]

    reply = await admin.client.get(f"{LIST}/xuat.xlsx?q=84912")
    assert reply.status == 200 and reply.content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(await reply.read())).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][4] == "Tên hiển thị" and len(cells) == 2
    assert cells[1][4] == "'+84912345678" and sheet.cell(2, 5).data_type == "s"

    logged = [e for e in await audit_rows(admin) if e.action == "xuất danh sách người đăng ký"]
    assert [e.detail for e in logged] == [
        "4 người, tệp CSV, kênh=zalo",
        "1 người, tệp XLSX, có từ khóa tìm",  # the search text may be a name or number: not kept
    ]


async def upload(console, body: bytes, name: str) -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("csrf", await console.csrf(LIST))
    form.add_field("tep", body, filename=name, content_type="application/octet-stream")
    reply = await console.client.post(f"{LIST}/nhap", data=form)
    return reply.status, await reply.text()


async def stored(console) -> dict[str, Subscriber]:
    async with console.core.db.session() as session:
        return {p.chat_id: p for p in (await session.exec(select(Subscriber))).all()}


async def test_import_applies_good_rows_and_reports_each(admin):
    await seed(admin, everyone()[:1])
    sheet = (
        "Kênh;Mã chat;Tên hiển thị;Mã chủ đề;Xã/phường;Ngành;Trạng thái\n"
        "telegram;1001;Nguyễn Văn An (mới);;uong bi;;Không nhận tin\n"
        "zalo;z-42;'=Công ty A;ocop-tccs;Hạ Long;Thủy sản;\n"
        "Telegram;3003;Bà Hạnh;;;;Không nhận tin\n"
    )
    status, html = await upload(admin, sheet.encode("utf-8-sig"), "danh-sach.csv")
    assert status == 200 and "Đã nhập «danh-sach.csv»: thêm mới 2, cập nhật 1." in html
    assert html.count("Thêm mới") == 2 and html.count("Cập nhật") == 1
    people = await stored(admin)
    kept = people["1001"]  # an existing person's subscription and consent never change
    assert (kept.display_name, kept.commune, kept.status) == ("Nguyễn Văn An (mới)", "Uông Bí", "active")
    new = people["z-42"]
    assert (new.display_name, new.status, new.topics) == ("=Công ty A", "active", "ocop-tccs")
    assert new.consent_at is not None and people["3003"].consent_at is None
    [event] = [e for e in await audit_rows(admin) if e.action == "nhập danh sách người đăng ký"]
    assert event.detail == "tệp «danh-sach.csv»: thêm 2, cập nhật 1"


async def test_import_with_bad_rows_applies_nothing_and_says_why_per_row(admin):
    book = Workbook()
    sheet = book.active
    sheet.append(["channel", "chat_id", "name", "topics", "status"])
    sheet.append(["telegram", 4001, "Chị Mai", "ocop-tccs", "active"])
    sheet.append(["viber", "4002", "Anh Tư", "", ""])
    sheet.append(["zalo", "có dấu cách", "", "", ""])
    sheet.append(["zalo", "4004", "", "chu-de-la", ""])
    sheet.append(["telegram", "4005", "", "", "đã đi"])
    sheet.append(["telegram", "4006", "x" * 300, "", ""])
    out = io.BytesIO()
    book.save(out)
    status, html = await upload(admin, out.getvalue(), "danh-sach.xlsx")
    assert status == 422 and "Chưa áp dụng gì từ «danh-sach.xlsx»: 5 dòng lỗi cần sửa." in html
    for said in (
        "Kênh phải là telegram hoặc zalo (đang là «viber»)",
        "Mã chat trống hoặc có khoảng trắng",
        "Không có chủ đề mã chu-de-la",
        "Trạng thái phải là một trong",
        "«Tên hiển thị» dài quá 256 ký tự",
        "Hợp lệ (chưa áp dụng)",
    ):
        assert said in html, said
    assert await stored(admin) == {}
    [event] = [e for e in await audit_rows(admin) if e.action == "nhập danh sách người đăng ký"]
    assert event.detail == "tệp «danh-sach.xlsx»: 6 dòng, 5 dòng lỗi, không áp dụng"


@pytest.mark.parametrize(
    ("body", "name", "said"),
    [
        (b"PK\x03\x04 not really a workbook", "hong.xlsx", "Không đọc được tệp Excel này"),
        ("Kênh,Mã chat\ntelegram,1\n".encode("utf-16-le"), "utf16.csv", "Tệp không phải văn bản UTF-8"),
        (b"ten,so dien thoai\nAn,0912\n", "sai-cot.csv", "Dòng đầu phải là tên cột"),
        (b"", "trong.csv", "Tệp trống"),
        (b"\xd0\xcf\x11\xe0", "cu.xls", "Chỉ nhận tệp .csv hoặc .xlsx"),
    ],
)
async def test_an_unreadable_file_imports_nothing(admin, body, name, said):
    status, html = await upload(admin, body, name)
    assert status == 422 and f"Chưa nhập gì từ «{name}»" in html and said in html
    assert await stored(admin) == {}


async def test_an_export_imports_back_unchanged(admin):
    await seed(admin, everyone())
    exported = await (await admin.client.get(f"{LIST}/xuat.xlsx")).read()
    before = {k: (p.display_name, p.status, p.topics, p.commune) for k, p in (await stored(admin)).items()}
    status, html = await upload(admin, exported, "xuat.xlsx")
    assert status == 200 and "thêm mới 0, cập nhật 5" in html
    assert {k: (p.display_name, p.status, p.topics, p.commune) for k, p in (await stored(admin)).items()} == before


def test_the_console_import_follows_the_cli_rules_row_for_row():
    topics = {"ocop-tccs"}
    rows = [
        {"channel": "telegram", "chat_id": "1"},
        {"channel": "TELEGRAM", "chat_id": " 2 ", "status": "blocked", "topics": "ocop-tccs"},
        {"channel": "sms", "chat_id": "3"},
        {"channel": "zalo", "chat_id": ""},
        {"channel": "zalo", "chat_id": "4", "commune": "x" * 129},
        {"channel": "zalo", "chat_id": "5", "status": "sleeping"},
        {"channel": "zalo", "chat_id": "6", "topics": "ocop-tccs; moi"},
    ]
    outcomes = subscriber_files.check_upload(list(enumerate(rows, start=2)), topics)
    cli = [subscribers_csv.check_row(n, row, topics) for n, row in enumerate(rows, start=2)]
    assert [bool(o.problem) for o in outcomes] == [c is not None for c in cli] == [False] * 2 + [True] * 5


def test_the_name_pattern_is_literal_and_folds_only_what_was_typed_plain():
    pattern = re.compile(subscriber_search.name_pattern("nguyen van"))
    assert pattern.search("Ông NGUYỄN   Văn Hải") and pattern.search("Nguyen Van Hai")
    assert not re.search(subscriber_search.name_pattern("Nguyễn"), "Nguyên Hồng")
    assert not re.search(subscriber_search.name_pattern("a.c"), "abc")
    assert re.search(subscriber_search.name_pattern("a.c[("), "xa.c[(y")


async def test_the_person_page_shows_everything_stored(admin):
    await seed_everywhere(admin.core.db, CHAT, NAME)
    subscriber_id = await id_of(admin, CHAT)
    reply = await admin.client.get(f"{LIST}/{subscriber_id}")
    html = await reply.text()
    assert reply.status == 200
    for shown in (
        NAME,
        CHAT,
        "Telegram",
        "Đang nhận tin",
        "OCOP và tiêu chuẩn cơ sở",  # topics by title
        f"«Tôi là {NAME}, gọi {PHONE}»",  # the comment with the 👎
        "👎 chưa hữu ích",
        "đang chờ",  # the request's status
        f"{NAME} cần tư vấn, {PHONE}",
        "Tin nhắn trong các yêu cầu gặp cán bộ: <strong>2</strong>",
        "Câu hỏi được ghi lại (chưa trả lời được, hoặc chọn sau khi bot hỏi lại): <strong>2</strong>",
        "Tin chiến dịch đã gửi tới người này: <strong>1</strong>",
        "Trạng thái hội thoại đang lưu tạm: <strong>2</strong>",
        'name="xac_nhan"',
    ):
        assert shown in html, shown
    assert re.search(r"Đồng ý nhận tin lúc</dt><dd>\d\d/\d\d/\d{4} \d\d:\d\d</dd>", html)


@pytest.fixture
async def told_console(database_url):
    """The console of a bot with a staff chat, whose Telegram sends are recorded (no platform runs here)."""
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=None,
        zalo_bot_token=None,
        database_url=database_url,
        embeddings="off",
        staff_chat_id="-100500",
    )
    core = await build_core(settings)
    sent: list[tuple[str, str]] = []

    async def record(chat_id: str, reply: Reply) -> Sent:
        sent.append((chat_id, reply.text))
        return Sent(True, "1")

    core.relay.register("telegram", record)
    running = await start_console(core)
    await running.add_user("admin@so.vn")
    assert await running.sign_in("admin@so.vn") == 303
    yield running, sent
    await running.client.close()
    await core.close()


async def test_erasure_removes_the_person_everywhere_tells_staff_and_audits_by_number(told_console):
    console, sent = told_console
    db = console.core.db
    await seed_everywhere(db, CHAT, NAME)
    await seed_everywhere(db, OTHER, "Trần Văn Bình", "0987654321", "Công ty TNHH Cơ khí Bình Minh", "0100233488")
    subscriber_id = await id_of(console, CHAT)
    page = f"{LIST}/{subscriber_id}"
    token = csrf_of(await (await console.client.get(page)).text())

    unconfirmed = await console.client.post(f"{page}/xoa", data={"csrf": token})
    assert unconfirmed.status == 422 and "hãy đánh dấu ô «Tôi hiểu…»" in await unconfirmed.text()
    assert (await console.core.people.person_data("telegram", CHAT)).person is not None

    done = await console.client.post(f"{page}/xoa", data={"csrf": token, "xac_nhan": "1"}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"].startswith(f"{LIST}?thong_bao=")
    listed = await (await console.client.get(done.headers["Location"])).text()
    assert f"Đã xóa toàn bộ dữ liệu của người đăng ký #{subscriber_id}." in listed
    assert NAME not in listed and "Trần Văn Bình" in listed

    async with db.session() as session:
        assert (await erasure.stored_about(session, "telegram", CHAT)) == erasure.StoredAbout(None)
    assert await console.core.state.count_chat("telegram", CHAT) == 0
    left = await everything(db)
    for trace in (CHAT, NAME, "Duyên", PHONE):
        assert trace not in left, trace  # the audit log included
    assert "Trần Văn Bình" in left
    [(staff_chat, told)] = sent  # staff learn that the live request is gone, as after /xoadulieu in chat
    assert staff_chat == "-100500" and "người dùng đã xóa dữ liệu của mình" in told
    [event] = [e for e in await audit_rows(console) if e.action == "xóa dữ liệu người đăng ký"]
    assert (event.actor, event.target) == ("admin@so.vn", f"người đăng ký #{subscriber_id}")
    gone = await console.client.get(page)
    assert gone.status == 404 and "Không có người đăng ký này" in await gone.text()


async def test_staff_and_strangers_are_refused(console):
    await seed(console, everyone()[:1])
    subscriber_id = await id_of(console, "1001")
    anonymous = await console.client.get(LIST, allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"] == "/admin/dang-nhap"
    await console.add_user("canbo@so.vn", AdminRole.STAFF)
    await console.sign_in("canbo@so.vn")
    token = await console.csrf("/admin/")
    for path in (LIST, f"{LIST}/xuat.csv", f"{LIST}/xuat.xlsx", f"{LIST}/{subscriber_id}"):
        reply = await console.client.get(path)
        assert reply.status == 403 and "chỉ dành cho quản trị viên" in await reply.text(), path
    for path in (f"{LIST}/nhap", f"{LIST}/{subscriber_id}/xoa"):
        reply = await console.client.post(path, data={"csrf": token, "xac_nhan": "1"})
        assert reply.status == 403, path
    assert "1001" in await stored(console)


async def test_posts_without_the_form_token_are_refused(admin):
    await seed(admin, everyone()[:1])
    subscriber_id = await id_of(admin, "1001")
    reply = await admin.client.post(f"{LIST}/{subscriber_id}/xoa", data={"xac_nhan": "1", "csrf": "sai"})
    assert reply.status == 403 and "Biểu mẫu đã hết hạn" in await reply.text()
    form = aiohttp.FormData()
    form.add_field("tep", b"channel,chat_id\ntelegram,9\n", filename="a.csv")
    reply = await admin.client.post(f"{LIST}/nhap", data=form)
    assert reply.status == 403
    assert set(await stored(admin)) == {"1001"}


async def test_unknown_and_malformed_ids_are_a_vietnamese_404(admin):
    token = await admin.csrf(LIST)
    for path in (f"{LIST}/999999", f"{LIST}/abc", f"{LIST}/-1", f"{LIST}/1.5"):
        reply = await admin.client.get(path)
        assert reply.status == 404 and "Không có người đăng ký này" in await reply.text(), path
    reply = await admin.client.post(f"{LIST}/abc/xoa", data={"csrf": token, "xac_nhan": "1"})
    assert reply.status == 404 and "Không tìm thấy trang" in await reply.text()
