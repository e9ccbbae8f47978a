"""The console's campaign pages on a real database: list and detail with progress, the live JSON, the form's
audience count, every preview problem, create with the previewed schedule, test send, cancel, resend, report."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import openpyxl
from sqlmodel import col, select

from bot.admin.campaign_form import length_rules
from bot.admin.roles import AdminRole
from bot.broadcast.audience import Audience
from bot.broadcast.message import LONGEST_NAME, campaign_reply, visible_length
from bot.db import campaigns
from bot.db.campaigns import Draft
from bot.db.models import AdminUser, AuditEvent, Campaign, Delivery, Occurrence, Subscriber, utcnow
from handlers.types import Reply
from handlers.views import Sent

TOPIC = "cong-cu-cai-tien"
OTHER = "ocop-tccs"
STAFF = "canbo@so.vn"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


async def staff(console):
    await console.add_user(STAFF, AdminRole.STAFF)
    assert await console.sign_in(STAFF) == 303
    return await console.csrf("/admin/chien-dich/moi")


async def subscribe(console, channel: str, count: int, topics: str, start: int = 1) -> None:
    async with console.core.db.writing() as s:
        for i in range(count):
            s.add(
                Subscriber(
                    channel=channel,
                    chat_id=str(start + i),
                    display_name=f"Người {i}",
                    topics=topics,
                    status="active",
                    consent_at=utcnow(),
                )
            )
        await s.commit()


async def seeded_campaign(console, statuses: dict[str, int]) -> int:
    """A campaign that fired once, with deliveries in the given statuses."""
    async with console.core.db.writing() as s:
        campaign = await campaigns.create(s, Draft("Hội thảo Kaizen ngày 10/12 tại Hạ Long.", Audience.parse("all")))
        assert campaign.id is not None
        occurrence = Occurrence(campaign_id=campaign.id, fire_key=utcnow().isoformat())
        campaign.status = "sending"
        s.add_all([occurrence, campaign])
        await s.commit()
        assert occurrence.id is not None
        number = 0
        for status, count in statuses.items():
            for _ in range(count):
                number += 1
                s.add(
                    Delivery(
                        campaign_id=campaign.id,
                        occurrence_id=occurrence.id,
                        subscriber_id=number,
                        channel="telegram",
                        chat_id=str(number),
                        status=status,
                    )
                )
        await s.commit()
        return campaign.id


def draft(csrf: str, text: str = "Mời {name} dự hội thảo Kaizen ngày 10/12.", **fields: str) -> dict[str, str]:
    return {"csrf": csrf, "text": text, "audience": f"topic:{TOPIC}", **fields}


async def audit_actions(console) -> list[tuple[str, str, str]]:
    async with console.core.db.session() as s:
        rows = (await s.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
    return [(e.actor, e.action, e.target) for e in rows]


async def test_anonymous_is_sent_to_sign_in_and_posts_are_refused(console):
    for path in ("/admin/chien-dich", "/admin/chien-dich/moi", "/admin/chien-dich/1", "/admin/chien-dich/dem"):
        reply = await console.client.get(path, allow_redirects=False)
        assert reply.status == 303 and reply.headers["Location"] == "/admin/dang-nhap", path
    for path in ("/admin/chien-dich/tao", "/admin/chien-dich/gui-thu", "/admin/chien-dich/1/huy"):
        reply = await console.client.post(path, data={"csrf": "x"}, allow_redirects=False)
        assert reply.status == 403 and "đăng nhập" in await reply.text(), path


async def test_a_post_without_the_csrf_token_creates_nothing(console):
    await staff(console)
    await subscribe(console, "telegram", 2, TOPIC)
    for token in ("", "doan-bua"):
        reply = await console.client.post("/admin/chien-dich/tao", data=draft(token, schedule="now"))
        assert reply.status == 403 and "Biểu mẫu đã hết hạn" in await reply.text()
    async with console.core.db.session() as s:
        assert (await s.exec(select(Campaign))).all() == []


async def test_staff_see_the_list_and_the_detail_with_progress(console):
    await staff(console)
    campaign_id = await seeded_campaign(console, {"sent": 3, "pending": 1, "waiting": 1, "failed": 1, "unknown": 1})
    page = await console.client.get("/admin/chien-dich")
    html = await page.text()
    assert page.status == 200 and "Hội thảo Kaizen ngày 10/12" in html and "đang gửi" in html
    assert "Tất cả người đăng ký" in html and f'data-progress-id="{campaign_id}" data-live="1"' in html
    # 3 sent of 7: 42.86% of the bar; 2 still to go, so 5 of 7 (71%) are done.
    assert re.search(r'data-segment="sent" x="0\.0" y="0" width="42\.86"', html)
    assert re.search(r'data-segment="waiting" x="42\.86" y="0" width="28\.57"', html)
    assert '<span data-field="percent">71</span>% xong' in html
    assert "campaigns.js" in html and "style=" not in html
    detail = await console.client.get(f"/admin/chien-dich/{campaign_id}")
    html = await detail.text()
    assert detail.status == 200 and "Tải báo cáo (Excel)" in html and "Gửi lại các tin chưa rõ" in html
    assert 'data-status-count="unknown">1<' in html and "Các lần gửi" in html
    for wrong in ("abc", "99999", "1x"):
        missing = await console.client.get(f"/admin/chien-dich/{wrong}")
        assert missing.status == 404 and "Không có chiến dịch" in await missing.text()


async def test_the_progress_json_gives_each_campaign_its_figures(console):
    await staff(console)
    first = await seeded_campaign(console, {"sent": 2, "inflight": 2})
    second = await seeded_campaign(console, {"sent": 4})
    reply = await console.client.get(f"/admin/chien-dich/tien-do.json?id={first}&id={second}")
    data = await reply.json()
    assert reply.status == 200 and [c["id"] for c in data["campaigns"]] == [second, first]
    one = data["campaigns"][1]
    assert one["percent"] == 50 and one["live"] and one["status_label"] == "đang gửi"
    assert [(s["key"], s["width"]) for s in one["segments"][:2]] == [("sent", 50.0), ("waiting", 50.0)]
    assert data["campaigns"][0]["percent"] == 100 and data["campaigns"][0]["total_text"] == "4"
    for query in ("id=abc", f"id={first}&id=99999"):
        assert (await console.client.get(f"/admin/chien-dich/tien-do.json?{query}")).status == 404


async def test_the_audience_count_is_live_and_says_what_is_wrong(console):
    await staff(console)
    await subscribe(console, "telegram", 3, TOPIC)
    await subscribe(console, "telegram", 2, OTHER, start=100)
    counted = await (await console.client.get(f"/admin/chien-dich/dem?audience=topic:{TOPIC}")).json()
    assert counted == {
        "size": 3,
        "size_text": "3",
        "words": "Người đăng ký chủ đề «5S, Kaizen, Lean và công cụ cải tiến»",
    }
    assert (await (await console.client.get("/admin/chien-dich/dem?audience=all")).json())["size"] == 5
    assert (await (await console.client.get("/admin/chien-dich/dem?audience=channel:zalo")).json())["size"] == 0
    wrong = await console.client.get("/admin/chien-dich/dem?audience=topic:khong-co")
    assert wrong.status == 422 and (await wrong.json())["error"].startswith("Không có chủ đề «khong-co»; chọn một")
    unreadable = await (await console.client.get("/admin/chien-dich/dem?audience=ai cũng được")).json()
    assert unreadable["error"].startswith("Chưa hiểu «ai cũng được» trong danh sách người nhận")


async def test_the_form_offers_the_ready_audiences_and_the_length_rules(console):
    await staff(console)
    await subscribe(console, "zalo", 2, TOPIC)
    html = await (await console.client.get("/admin/chien-dich/moi")).text()
    assert f'<option value="topic:{TOPIC}" >Chủ đề: 5S, Kaizen, Lean và công cụ cải tiến (2 người)</option>' in html
    assert 'type="datetime-local" name="at"' in html and 'name="when_words"' in html and "Xem trước" in html
    assert "data-lengths=" in html and "style=" not in html


def test_the_scripts_length_rule_counts_as_the_senders_do():
    text = "Chào {name} 👋\nHội thảo Kaizen — {name} nhớ đến nhé."
    for rule in length_rules():
        channel = str(rule["channel"])
        units = len(text.encode("utf-16-le")) // 2 if rule["utf16"] else len(text)
        counted = units + text.count("{name}") * (int(str(rule["name"])) - 6) + int(str(rule["extra"]))
        assert counted == visible_length(campaign_reply(text, [], "", LONGEST_NAME, channel), channel), channel


async def test_the_preview_shows_each_channel_the_audience_and_the_time(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 3, TOPIC)
    await subscribe(console, "zalo", 1, TOPIC)
    page = await console.client.post("/admin/chien-dich/xem-truoc", data=draft(csrf, when_words="8h sáng mai"))
    html = await page.text()
    assert page.status == 200
    assert "Người nhận: Người đăng ký chủ đề «5S, Kaizen, Lean và công cụ cải tiến» — <strong>4 người</strong>" in html
    tomorrow = dt.datetime.now(ZONE).date() + dt.timedelta(days=1)
    assert "08:00" in html and f"{tomorrow:%d/%m/%Y}" in html
    assert html.count("Mời Nguyễn Văn An dự hội thảo Kaizen ngày 10/12.") == 3  # Telegram, Zalo and Zalo OA
    assert "🔕 Hủy nhận tin" in html and "Để ngừng nhận thông báo, nhắn: HỦY NHẬN TIN" in html
    assert "Xác nhận gửi" in html and "Gửi thử cho tôi" in html and "Sửa lại" in html
    key = re.search(r'name="schedule" value="(at:[^"]+)"', html)
    assert key and dt.datetime.fromisoformat(key[1][3:]).astimezone(ZONE).date() == tomorrow


async def test_nobody_to_reach_shows_zero_and_no_confirm(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 3, OTHER)
    html = await (await console.client.post("/admin/chien-dich/xem-truoc", data=draft(csrf))).text()
    assert "<strong>0 người</strong>" in html and "hiện không có ai" in html
    assert "Xác nhận gửi" not in html
    refused = await console.client.post("/admin/chien-dich/tao", data=draft(csrf, schedule="now"))
    assert refused.status == 422 and "hiện không có ai" in await refused.text()


async def test_a_past_time_says_so_with_the_time_now(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 1, TOPIC)
    page = await console.client.post("/admin/chien-dich/xem-truoc", data=draft(csrf, at="2020-01-06T08:00"))
    html = await page.text()
    assert page.status == 422 and "Thời điểm 08:00 thứ Hai, 06/01/2020 đã qua" in html
    assert "Bạn chọn một thời điểm sau" in html and f"{dt.datetime.now(ZONE):%d/%m/%Y}" in html
    assert "Xác nhận gửi" not in html
    both = await console.client.post(
        "/admin/chien-dich/xem-truoc", data=draft(csrf, at="2030-01-07T08:00", when_words="8h sáng mai")
    )
    assert "không dùng cả hai cùng lúc" in await both.text()


async def test_a_time_in_the_quiet_hours_says_when_it_really_goes(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 1, TOPIC)
    page = await console.client.post("/admin/chien-dich/xem-truoc", data=draft(csrf, when_words="22h mai"))
    html = await page.text()
    assert "nằm trong giờ yên lặng (21:00–07:00): tin bắt đầu đi lúc 07:00" in html
    assert "Xác nhận gửi" in html


async def test_too_long_for_zalo_only_names_zalo(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 1, TOPIC)
    text = "Thông báo hội thảo. " * 99  # 1,980 characters: fits Telegram, not Zalo with its footer
    page = await console.client.post("/admin/chien-dich/xem-truoc", data=draft(csrf, text=text))
    problems = re.search(r'<div class="problems".*?</div>', await page.text(), re.S)
    assert page.status == 422 and problems
    assert "Tin nhắn trên Zalo sẽ dài 2.024 ký tự, quá giới hạn 2.000 ký tự; bạn rút ngắn bớt 24 ký tự" in problems[0]
    assert "Telegram" not in problems[0]
    # To Telegram subscribers only, the same text is fine.
    only = await console.client.post(
        "/admin/chien-dich/xem-truoc", data=draft(csrf, text=text, audience="channel:telegram")
    )
    assert only.status == 200 and "Xác nhận gửi" in await only.text()
    # 1,760 characters fit Zalo as typed, but not once a long name replaces {name}.
    named = "Kính gửi {name}. " + "Hội thảo. " * 174
    page = await console.client.post("/admin/chien-dich/xem-truoc", data=draft(csrf, text=named))
    problems = re.search(r'<div class="problems".*?</div>', await page.text(), re.S)
    assert problems and "Tin nhắn trên Zalo sẽ dài" in problems[0] and "(với tên người nhận dài nhất)" in problems[0]
    assert "Telegram" not in problems[0]


async def test_a_bad_picture_says_why(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 1, TOPIC)
    page = await console.client.post("/admin/chien-dich/xem-truoc", data=draft(csrf, image="http://so.vn/anh.jpg"))
    html = await page.text()
    assert page.status == 422 and "Ảnh: Ảnh phải là một đường dẫn https://… tới tệp ảnh" in html
    assert 'href="http://so.vn/anh.jpg"' not in html and "Xác nhận gửi" not in html


async def test_edit_again_keeps_every_value(console):
    csrf = await staff(console)
    fields = draft(
        csrf, when_words="thứ Hai hàng tuần lúc 8h", audience_free="channel:zalo", image="https://so.vn/a.png"
    )
    html = await (await console.client.post("/admin/chien-dich/moi", data=fields)).text()
    assert "Mời {name} dự hội thảo Kaizen ngày 10/12.</textarea>" in html
    assert 'value="thứ Hai hàng tuần lúc 8h"' in html and 'value="channel:zalo"' in html
    assert 'value="https://so.vn/a.png"' in html


async def test_confirm_creates_with_the_previewed_schedule_once(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 2, TOPIC)
    # The preview resolved "8h sáng mai" to a moment; confirming after midnight must not move it a day.
    previewed = (utcnow() + dt.timedelta(days=3)).replace(microsecond=0)
    fields = draft(csrf, when_words="8h sáng mai", schedule=f"at:{previewed.isoformat()}")
    created = await console.client.post("/admin/chien-dich/tao", data=fields, allow_redirects=False)
    assert created.status == 303
    async with console.core.db.session() as s:
        rows = (await s.exec(select(Campaign))).all()
    assert len(rows) == 1
    row = rows[0]
    assert created.headers["Location"] == f"/admin/chien-dich/{row.id}?da_tao=1"
    assert row.created_by == STAFF and row.schedule == "at" and row.status == "scheduled"
    assert row.run_at is not None and row.run_at.replace(tzinfo=dt.UTC) == previewed
    assert Audience.from_json(row.audience).describe() == f"topic:{TOPIC}"
    assert (STAFF, "tạo chiến dịch", f"#{row.id}") in await audit_actions(console)
    page = await console.client.get(created.headers["Location"])
    assert f"Đã tạo chiến dịch #{row.id}." in await page.text()
    # A second press of the same confirm opens the same campaign, it does not create another.
    again = await console.client.post("/admin/chien-dich/tao", data=fields, allow_redirects=False)
    assert again.headers["Location"] == f"/admin/chien-dich/{row.id}?da_tao=1"
    async with console.core.db.session() as s:
        assert len((await s.exec(select(Campaign))).all()) == 1


async def test_cancel_asks_first_then_says_how_many_were_dropped(console):
    csrf = await staff(console)
    campaign_id = await seeded_campaign(console, {"sent": 2, "pending": 3, "waiting": 1, "inflight": 1})
    ask = await console.client.get(f"/admin/chien-dich/{campaign_id}/huy")
    html = " ".join((await ask.text()).split())
    assert "4 tin chưa gửi sẽ bị bỏ</strong>; 2 tin đã gửi thì không thu hồi được" in html
    assert "1 tin đang gửi dở vẫn có thể tới nơi" in html
    async with console.core.db.session() as s:
        assert (await campaigns.get(s, campaign_id)).status == "sending"  # asking changed nothing
    done = await console.client.post(f"/admin/chien-dich/{campaign_id}/huy", data={"csrf": csrf}, allow_redirects=False)
    assert done.headers["Location"] == f"/admin/chien-dich/{campaign_id}?da_huy=4"
    page = await (await console.client.get(done.headers["Location"])).text()
    assert f"Đã hủy chiến dịch #{campaign_id}; 4 tin chưa gửi được bỏ." in page
    async with console.core.db.session() as s:
        assert (await campaigns.counts(s, campaign_id))["cancelled"] == 4
    assert (STAFF, "hủy chiến dịch", f"#{campaign_id}") in await audit_actions(console)
    twice = await console.client.post(f"/admin/chien-dich/{campaign_id}/huy", data={"csrf": csrf})
    assert twice.status == 409 and "Không hủy được: Chiến dịch" in await twice.text()
    assert "không hủy được nữa" in await (await console.client.get(f"/admin/chien-dich/{campaign_id}/huy")).text()


async def test_resend_asks_first_then_moves_the_unknowns(console):
    csrf = await staff(console)
    campaign_id = await seeded_campaign(console, {"sent": 2, "unknown": 3})
    html = await (await console.client.get(f"/admin/chien-dich/{campaign_id}/gui-lai")).text()
    assert "3 tin chưa rõ sẽ được gửi lại." in html and "nhận hai lần" in html
    done = await console.client.post(
        f"/admin/chien-dich/{campaign_id}/gui-lai", data={"csrf": csrf}, allow_redirects=False
    )
    assert done.headers["Location"] == f"/admin/chien-dich/{campaign_id}?gui_lai=3"
    async with console.core.db.session() as s:
        counted = await campaigns.counts(s, campaign_id)
    assert counted["unknown"] == 0 and counted["pending"] == 3
    assert (STAFF, "gửi lại tin chưa rõ", f"#{campaign_id}") in await audit_actions(console)
    html = await (await console.client.get(f"/admin/chien-dich/{campaign_id}/gui-lai")).text()
    assert "không có gì để gửi lại" in html
    assert (await console.client.post("/admin/chien-dich/99999/gui-lai", data={"csrf": csrf})).status == 404


async def test_the_report_downloads_as_a_workbook(console):
    await staff(console)
    campaign_id = await seeded_campaign(console, {"sent": 2, "failed": 1})
    reply = await console.client.get(f"/admin/chien-dich/{campaign_id}/bao-cao.xlsx")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert reply.headers["Content-Disposition"] == f'attachment; filename="bao-cao-chien-dich-{campaign_id}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(await reply.read()))
    assert "Chiến dịch" in book.sheetnames and len(book.sheetnames) >= 2
    assert (await console.client.get("/admin/chien-dich/99999/bao-cao.xlsx")).status == 404


async def test_the_test_send_reaches_the_accounts_own_chat(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 1, TOPIC)
    received: list[tuple[str, Reply]] = []

    async def collect(chat_id: str, reply: Reply) -> Sent:
        received.append((chat_id, reply))
        return Sent(True, "42")

    console.core.relay.register("telegram", collect)
    page = await console.client.post("/admin/chien-dich/gui-thu", data=draft(csrf, test_chat="telegram:123456"))
    html = await page.text()
    assert page.status == 200 and "Đã gửi tin thử tới Telegram 123456." in html
    assert [chat for chat, _ in received] == ["123456"]
    assert received[0][1].text == "Mời Nguyễn Văn An dự hội thảo Kaizen ngày 10/12."
    assert received[0][1].buttons[0][0].label == "🔕 Hủy nhận tin"
    async with console.core.db.session() as s:
        user = (await s.exec(select(AdminUser).where(AdminUser.email == STAFF))).one()
    assert user.test_chat == "telegram:123456"
    assert "Xác nhận gửi" in html  # the preview stays, ready to confirm
    actions = await audit_actions(console)
    assert (STAFF, "gửi thử chiến dịch", "telegram") in actions
    assert not any("123456" in cell for row in actions for cell in row)  # no chat id in the audit log


async def test_a_test_send_to_a_channel_not_running_says_so(console):
    csrf = await staff(console)
    await subscribe(console, "zalo", 1, TOPIC)
    page = await console.client.post("/admin/chien-dich/gui-thu", data=draft(csrf, test_chat="zalo:abc123"))
    html = await page.text()
    assert "Không gửi được tin thử tới Zalo abc123: tiến trình đang chạy trang quản trị này" in html
    assert "không chạy kênh Zalo" in html
    wrong = await console.client.post("/admin/chien-dich/gui-thu", data=draft(csrf, test_chat="telegram:abc"))
    assert wrong.status == 422 and "telegram:123456789" in await wrong.text()


async def test_the_test_chat_is_set_with_its_format_checked(console):
    csrf = await staff(console)
    bad = await console.client.post("/admin/chien-dich/noi-nhan-thu", data={"csrf": csrf, "test_chat": "123"})
    assert bad.status == 422 and "Nơi nhận tin thử phải có dạng" in await bad.text()
    good = await console.client.post(
        "/admin/chien-dich/noi-nhan-thu", data={"csrf": csrf, "test_chat": "telegram:-1001234"}, allow_redirects=False
    )
    assert good.headers["Location"] == "/admin/chien-dich/moi?noi_nhan=1"
    html = await (await console.client.get(good.headers["Location"])).text()
    assert "Đã lưu nơi nhận tin thử." in html and 'value="telegram:-1001234"' in html


async def test_a_picture_that_cannot_be_fetched_cannot_be_confirmed(console):
    csrf = await staff(console)
    await subscribe(console, "telegram", 1, TOPIC)
    # Nothing listens on port 1: the console says the picture could not be fetched, before anyone gets it.
    page = await console.client.post(
        "/admin/chien-dich/xem-truoc", data=draft(csrf, image="https://127.0.0.1:1/hoi-thao.jpg")
    )
    html = await page.text()
    assert page.status == 422 and "Ảnh: Không tải được ảnh từ đường dẫn này (không kết nối được)" in html
    assert "Xác nhận gửi" not in html
