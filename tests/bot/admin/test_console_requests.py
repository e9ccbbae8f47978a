"""Yêu cầu gặp cán bộ on the console: the lists and their JSON polls, replies that reach the user as /traloi
does (and say truthfully when they do not), take and close with the races two staff make, CSRF and 404s."""

from __future__ import annotations

import asyncio
import re

from aiohttp.test_utils import TestClient

from bot.admin import audit
from bot.admin.roles import AdminRole
from bot.db import handoffs
from handlers import texts
from handlers.statuses import HandoffAuthor, HandoffStatus
from handlers.types import Incoming, Reply
from handlers.views import Sent
from tests.bot.admin.console import Console, csrf_of

STAFF_A = "ha.nguyen@so.vn"
STAFF_B = "binh.tran@so.vn"


class Phone:
    """A channel's real port on the relay: what reaches users, and users who blocked the bot."""

    def __init__(self) -> None:
        self.got: list[tuple[str, Reply]] = []
        self.blocked: set[str] = set()

    async def send(self, chat_id: str, reply: Reply) -> Sent:
        if chat_id in self.blocked:
            return Sent(False, blocked=True)
        self.got.append((chat_id, reply))
        return Sent(True, str(len(self.got)))

    def texts(self, chat_id: str) -> list[str]:
        return [r.text for c, r in self.got if c == chat_id]


async def staff(console: Console, email: str = STAFF_A) -> None:
    await console.add_user(email, AdminRole.STAFF)  # staff, not admins: these pages are theirs
    assert await console.sign_in(email) == 303


async def ask(console: Console, text: str, chat: str = "111", name: str = "Lan", channel: str = "telegram") -> int:
    """A user presses /gapcanbo with a question, through the real conversation; returns the request's id."""
    await console.core.conversation.handle(Incoming(channel, chat, chat, text=f"/gapcanbo {text}", user_name=name))
    request = await console.core.conversation.handoff.store.live_for(channel, chat)
    assert request is not None
    return request.id


async def row_of(console: Console, request_id: int):
    async with console.core.db.session() as session:
        return await handoffs.get_request(session, request_id)


async def transcript(console: Console, request_id: int) -> list[tuple[str, str, str]]:
    async with console.core.db.session() as session:
        return [(m.author, m.author_name, m.text) for m in await handoffs.transcript(session, request_id)]


async def post(console: Console, path: str, **fields: str):
    data = {"csrf": await console.csrf(path.rsplit("/", 1)[0]), **fields}
    return await console.client.post(path, data=data, allow_redirects=False)


async def second_staff(console: Console, email: str = STAFF_B) -> Console:
    """Another person signed in to the same console, in their own browser."""
    other = Console(console.core, TestClient(console.client.server))
    await other.client.start_server()
    await staff(other, email)
    return other


async def test_the_list_shows_open_requests_first_then_the_latest_closed(console):
    await staff(console)
    first = await ask(console, "Cần tư vấn ISO 9001", name="Lan")
    second = await ask(console, "Hỏi về 5S", chat="222", name="<b>Bình</b>")
    done = await ask(console, "Hỏi OCOP", chat="333", name="Mai")
    view = await console.core.conversation.handoff.store.get(done)
    await console.core.conversation.handoff.finish(view, "đã gọi lại")
    page = await console.client.get("/admin/yeu-cau")
    assert page.status == 200
    html = await page.text()
    live, closed = html.split("Đã kết thúc gần đây")
    ref = (await row_of(console, first)).code
    assert f"#{first}-{ref}" in live and f'href="/admin/yeu-cau/{first}"' in live
    assert f"/admin/yeu-cau/{second}" in live and f"/admin/yeu-cau/{done}" not in live
    assert "Lan" in live and "Telegram" in live and "đang chờ" in live and "đã chờ dưới 1 phút" in live
    assert "&lt;b&gt;Bình&lt;/b&gt;" in live and "<b>Bình</b>" not in html  # names are escaped
    assert f"/admin/yeu-cau/{done}" in closed and "đã kết thúc" in closed and "không có trả lời" in closed
    assert f'data-after="{done}"' in html and "requests.js" in html
    assert 'style="' not in html  # the CSP would block it


async def test_the_list_polls_new_requests_as_json(console):
    await staff(console)
    first = await ask(console, "Cần tư vấn ISO 9001")
    polled = await console.client.get("/admin/yeu-cau/moi.json?sau=0")
    assert polled.status == 200 and polled.content_type == "application/json"
    data = await polled.json()
    assert [r["id"] for r in data["requests"]] == [first] and data["last"] == first
    row = data["requests"][0]
    assert row["status_label"] == "đang chờ" and row["name"] == "Lan" and row["url"] == f"/admin/yeu-cau/{first}"
    assert (await (await console.client.get(f"/admin/yeu-cau/moi.json?sau={first}")).json()) == {
        "requests": [],
        "last": first,
    }
    second = await ask(console, "<script>x</script>", chat="222", name="Bình")
    data = await (await console.client.get(f"/admin/yeu-cau/moi.json?sau={first}")).json()
    assert [r["id"] for r in data["requests"]] == [second] and data["last"] == second
    for junk in ("abc", "-1", "1e9", ""):  # junk reads as "from the start", never an error
        reply = await console.client.get(f"/admin/yeu-cau/moi.json?sau={junk}")
        assert reply.status == 200 and len((await reply.json())["requests"]) == 2


async def test_a_reply_from_the_web_reaches_the_user_like_traloi(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    request_id = await ask(console, "Công ty Hải Long cần tư vấn ISO 22000")
    page = await console.client.get(f"/admin/yeu-cau/{request_id}")
    html = await page.text()
    assert "Công ty Hải Long cần tư vấn ISO 22000" in html and "Nhận xử lý" in html and "Kết thúc" in html
    last = int(re.search(r'id="tin-nhan" data-poll="[^"]+" data-after="(\d+)"', html).group(1))

    sent = await post(console, f"/admin/yeu-cau/{request_id}/tra-loi", text="Chào chị Lan, em gọi lại lúc 14:00 nhé.")
    assert sent.status == 303 and sent.headers["Location"].endswith("?da=gui#tra-loi")
    [(chat, reply)] = phone.got
    expected = texts.STAFF_ANSWER.format(name=" ha.nguyen", text="Chào chị Lan, em gọi lại lúc 14:00 nhé.")
    assert chat == "111" and reply.text == expected
    assert texts.HANDOFF_END in [b.label for b in reply.flat_buttons()]
    assert (await transcript(console, request_id))[-1] == (
        "staff",
        "ha.nguyen",
        "Chào chị Lan, em gọi lại lúc 14:00 nhé.",
    )
    row = await row_of(console, request_id)
    assert row.status == HandoffStatus.TAKEN and row.assigned_to == f"web:{STAFF_A}" and row.first_reply_at
    assert "Đã gửi tới Lan" in await (await console.client.get(sent.headers["Location"])).text()

    # The user's next message goes to the request, and the page's poll brings it.
    await console.core.conversation.handle(Incoming("telegram", "111", "111", text="Vâng, cảm ơn anh", user_name="Lan"))
    assert (await transcript(console, request_id))[-1] == ("user", "Lan", "Vâng, cảm ơn anh")
    data = await (await console.client.get(f"/admin/yeu-cau/{request_id}/tin-nhan.json?sau={last}")).json()
    assert [(m["author"], m["who"], m["text"]) for m in data["messages"]] == [
        ("staff", "Cán bộ ha.nguyen", "Chào chị Lan, em gọi lại lúc 14:00 nhé."),
        ("user", "Lan", "Vâng, cảm ơn anh"),
    ]
    assert data["status"] == "taken" and data["assignee"] == "ha.nguyen" and data["last"] > last
    again = await console.client.get(f"/admin/yeu-cau/{request_id}/tin-nhan.json?sau={data['last']}")
    assert (await again.json())["messages"] == []
    async with console.core.db.session() as session:
        [event] = [e for e in await audit.recent(session) if e.action == "trả lời yêu cầu"]
    assert event.actor == STAFF_A and event.target == f"yêu cầu #{request_id}-{row.code}"
    assert "Chào chị" not in event.detail  # the audit says that, not what


async def test_a_reply_reaches_a_zalo_user_too(console):
    zalo = Phone()
    console.core.relay.register("zalo", zalo.send)
    await staff(console)
    request_id = await ask(console, "hỏi về năng suất", chat="z-abc", channel="zalo")
    assert (await post(console, f"/admin/yeu-cau/{request_id}/tra-loi", text="Chào anh")).status == 303
    assert zalo.texts("z-abc") == [texts.STAFF_ANSWER.format(name=" ha.nguyen", text="Chào anh")]


async def test_bad_replies_are_refused_and_nothing_is_sent(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    request_id = await ask(console, "cần tư vấn")
    path = f"/admin/yeu-cau/{request_id}/tra-loi"
    empty = await post(console, path, text="   \n ")
    assert empty.status == 422 and "Bạn chưa nhập nội dung trả lời." in await empty.text()
    long = await post(console, path, text="a" * 4001)
    html = await long.text()
    assert long.status == 422 and "Nội dung dài 4.001 ký tự, quá giới hạn 4.000 ký tự" in html
    assert "a" * 4001 in html  # what was typed is kept in the box
    assert phone.got == [] and len(await transcript(console, request_id)) == 1
    assert (await row_of(console, request_id)).status == HandoffStatus.OPEN
    assert (await post(console, path, text="b" * 4000)).status == 303  # the limit itself is fine


async def test_a_reply_says_truthfully_when_it_did_not_arrive(console):
    await staff(console)
    request_id = await ask(console, "cần tư vấn")
    path = f"/admin/yeu-cau/{request_id}/tra-loi"
    nowhere = await post(console, path, text="Chào chị")  # no Telegram channel runs in this process
    assert nowhere.status == 503
    assert "Chưa gửi được: kênh Telegram không chạy trong tiến trình này của bot" in await nowhere.text()
    phone = Phone()
    phone.blocked.add("111")
    console.core.relay.register("telegram", phone.send)
    blocked = await post(console, path, text="Chào chị")
    assert blocked.status == 502 and "người dùng đã chặn Trợ lý" in await blocked.text()
    assert [a for a, _n, _t in await transcript(console, request_id)] == [HandoffAuthor.USER]
    assert (await row_of(console, request_id)).status == HandoffStatus.OPEN  # nobody took it


async def test_a_reply_to_a_request_closed_meanwhile_sends_nothing(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    request_id = await ask(console, "cần tư vấn")
    token = await console.csrf(f"/admin/yeu-cau/{request_id}")  # the page is open with the reply box...
    await console.core.conversation.handle(Incoming("telegram", "111", "111", text="/ketthuc"))  # ...the user ends
    phone.got.clear()
    data = {"csrf": token, "text": "Chào chị, em là Hà"}
    refused = await console.client.post(f"/admin/yeu-cau/{request_id}/tra-loi", data=data, allow_redirects=False)
    html = await refused.text()
    assert refused.status == 409 and "đã kết thúc lúc" in html and "tin nhắn chưa được gửi" in html
    assert phone.got == [] and "Chào chị, em là Hà" in html
    assert [a for a, _n, _t in await transcript(console, request_id)] == [HandoffAuthor.USER]


async def test_take_then_a_second_take_is_not_silently_stolen(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    other = await second_staff(console)
    request_id = await ask(console, "cần tư vấn")
    path = f"/admin/yeu-cau/{request_id}/nhan"
    stale = await other.csrf(f"/admin/yeu-cau/{request_id}")  # B has the page open, showing "đang chờ"
    taken = await post(console, path, seen="")
    assert taken.status == 303 and taken.headers["Location"].endswith("?da=nhan#tra-loi")
    assert phone.texts("111")[-1] == texts.HANDOFF_TAKEN_FOR_USER.format(
        name="ha.nguyen", ref=f"{request_id}-" + (await row_of(console, request_id)).code
    )
    mine = await (await console.client.get(taken.headers["Location"])).text()
    assert "Bạn đã nhận xử lý yêu cầu" in mine and "Nhận xử lý</button>" not in mine

    told = len(phone.got)
    data = {"csrf": stale, "seen": ""}
    refused = await other.client.post(path, data=data, allow_redirects=False)
    html = await refused.text()
    assert refused.status == 409 and "Cán bộ ha.nguyen đã nhận yêu cầu" in html and "trong lúc bạn đang xem" in html
    assert f'name="seen" value="web:{STAFF_A}"' in html and "Nhận thay</button>" in html
    assert (await row_of(console, request_id)).assigned_to == f"web:{STAFF_A}" and len(phone.got) == told

    instead = await other.client.post(path, data={"csrf": stale, "seen": f"web:{STAFF_A}"}, allow_redirects=False)
    assert instead.status == 303  # the explicit "Nhận thay"
    row = await row_of(console, request_id)
    assert row.assigned_to == f"web:{STAFF_B}" and row.assigned_name == "binh.tran"
    assert phone.texts("111")[-1].startswith("Cán bộ binh.tran đã nhận yêu cầu")
    again = await post(console, path, seen="")  # A's own page is stale now too
    assert again.status == 409 and "Cán bộ binh.tran đã nhận" in await again.text()
    own = await other.client.post(path, data={"csrf": stale, "seen": ""}, allow_redirects=False)
    assert own.headers["Location"].endswith("?da=da-nhan#tra-loi")  # taking one's own again: nothing happens
    async with console.core.db.session() as session:
        events = [(e.actor, e.detail) for e in await audit.recent(session) if e.action == "nhận yêu cầu"]
    assert events == [(STAFF_B, "thay ha.nguyen"), (STAFF_A, "")]
    await other.client.session.close()


async def test_two_takes_and_two_closes_at_the_same_moment_have_one_winner(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    other = await second_staff(console)
    request_id = await ask(console, "cần tư vấn")
    tokens = [await c.csrf(f"/admin/yeu-cau/{request_id}") for c in (console, other)]
    path = f"/admin/yeu-cau/{request_id}/nhan"
    takes = await asyncio.gather(
        *(
            c.client.post(path, data={"csrf": t, "seen": ""}, allow_redirects=False)
            for c, t in zip((console, other), tokens)
        )
    )
    assert sorted(r.status for r in takes) == [303, 409]
    assert sum(t.startswith("Cán bộ") and "đã nhận" in t for t in phone.texts("111")) == 1

    path = f"/admin/yeu-cau/{request_id}/ket-thuc"
    closes = await asyncio.gather(
        *(
            c.client.post(path, data={"csrf": t, "note": "xong"}, allow_redirects=False)
            for c, t in zip((console, other), tokens)
        )
    )
    assert sorted(r.status for r in closes) == [303, 409]
    assert sum(t.startswith("Cán bộ đã kết thúc") for t in phone.texts("111")) == 1  # told once

    # The same at the database: of two conditional UPDATEs on one request, one wins.
    second = await ask(console, "hỏi lại", chat="222")
    async with console.core.db.session() as s1, console.core.db.session() as s2:
        won = await asyncio.gather(
            handoffs.claim(s1, second, "web:a", "A", ""), handoffs.claim(s2, second, "web:b", "B", "")
        )
    assert sorted(won) == [False, True]
    async with console.core.db.session() as s1, console.core.db.session() as s2:
        won = await asyncio.gather(handoffs.close_live(s1, second), handoffs.close_live(s2, second))
    assert sorted(won) == [False, True]
    await other.client.session.close()


async def test_close_with_a_note_tells_the_user_and_a_second_close_says_it_is_done(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    request_id = await ask(console, "cần tư vấn")
    path = f"/admin/yeu-cau/{request_id}/ket-thuc"
    too_long = await post(console, path, note="x" * 1001)
    assert too_long.status == 422 and "quá giới hạn 1000 ký tự" in await too_long.text()
    assert (await row_of(console, request_id)).status == HandoffStatus.OPEN and phone.got == []

    closed = await post(console, path, note="Đã hẹn   gọi lại\nchiều nay")
    assert closed.status == 303 and closed.headers["Location"].endswith("?da=ket-thuc#tra-loi")
    row = await row_of(console, request_id)
    assert row.status == HandoffStatus.CLOSED and row.close_note == "Đã hẹn gọi lại chiều nay" and row.closed_at
    ref = f"{request_id}-{row.code}"
    note = texts.HANDOFF_CLOSE_NOTE.format(note="Đã hẹn gọi lại chiều nay")
    assert phone.texts("111") == [texts.HANDOFF_CLOSED_FOR_USER.format(ref=ref, note=note)]
    html = await (await console.client.get(closed.headers["Location"])).text()
    assert "Đã kết thúc yêu cầu" in html and "Đã hẹn gọi lại chiều nay" in html
    assert "/tra-loi" not in html and "/nhan" not in html  # nothing to do on a closed request

    again = await post(console, path, note="")
    assert again.status == 409 and f"Yêu cầu #{ref} đã kết thúc lúc" in await again.text()
    assert len(phone.got) == 1
    take = await post(console, f"/admin/yeu-cau/{request_id}/nhan", seen="")
    assert take.status == 409 and "không nhận được nữa" in await take.text()
    # The user is back with the bot: the next message is a question, not a line of the request.
    await console.core.conversation.handle(Incoming("telegram", "111", "111", text="5s la gi"))
    assert len(await transcript(console, request_id)) == 1
    async with console.core.db.session() as session:
        [event] = [e for e in await audit.recent(session) if e.action == "kết thúc yêu cầu"]
    assert event.actor == STAFF_A and event.detail == "ghi chú 24 ký tự"


async def test_take_and_close_say_when_the_user_could_not_be_told(console):
    await staff(console)
    request_id = await ask(console, "cần tư vấn")
    taken = await post(console, f"/admin/yeu-cau/{request_id}/nhan", seen="")  # no Telegram channel runs here
    assert taken.status == 200 and (await row_of(console, request_id)).status == HandoffStatus.TAKEN
    assert "nhưng chưa báo được cho người dùng (kênh Telegram không chạy trong tiến trình này" in await taken.text()
    phone = Phone()
    phone.blocked.add("111")
    console.core.relay.register("telegram", phone.send)
    closed = await post(console, f"/admin/yeu-cau/{request_id}/ket-thuc", note="")
    assert closed.status == 200 and (await row_of(console, request_id)).status == HandoffStatus.CLOSED
    assert "Đã kết thúc yêu cầu" in (html := await closed.text()) and "(người dùng đã chặn Trợ lý)" in html


async def test_forms_without_csrf_are_refused_and_change_nothing(console):
    phone = Phone()
    console.core.relay.register("telegram", phone.send)
    await staff(console)
    request_id = await ask(console, "cần tư vấn")
    for action, field in (("tra-loi", {"text": "chào"}), ("nhan", {"seen": ""}), ("ket-thuc", {"note": ""})):
        for forged in ({}, {"csrf": "sai"}):
            refused = await console.client.post(f"/admin/yeu-cau/{request_id}/{action}", data={**field, **forged})
            assert refused.status == 403 and "Biểu mẫu đã hết hạn" in await refused.text()
    assert phone.got == [] and (await row_of(console, request_id)).status == HandoffStatus.OPEN


async def test_unknown_or_wrong_ids_are_a_vietnamese_404_and_strangers_sign_in(console):
    request_id = await ask(console, "cần tư vấn")
    anonymous = await console.client.get(f"/admin/yeu-cau/{request_id}", allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"] == "/admin/dang-nhap"
    polled = await console.client.get("/admin/yeu-cau/moi.json", allow_redirects=False)
    assert polled.status == 303
    await staff(console)
    token = csrf_of(await (await console.client.get("/admin/yeu-cau")).text())
    for bad in ("abc", "999", "0", "1.5", "-1", "9" * 40, f"{request_id}x"):
        for path in (f"/admin/yeu-cau/{bad}", f"/admin/yeu-cau/{bad}/tin-nhan.json"):
            page = await console.client.get(path)
            assert page.status == 404, path
            assert "Không có yêu cầu này" in await page.text()
        for action in ("tra-loi", "nhan", "ket-thuc"):
            posted = await console.client.post(f"/admin/yeu-cau/{bad}/{action}", data={"csrf": token, "text": "x"})
            assert posted.status == 404
