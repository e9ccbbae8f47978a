"""Two `bot run` processes behind one webhook give one conversation: a user's messages go to either process,
alternately, mid-flow (comment, campaign draft, clarify choice by number, handoff), with the same result as one."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from handlers import texts
from tests.fakes.zalo_api import FakeZaloAPI

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TG_SECRET = "two-process-telegram-secret"
ZALO_SECRET = "two-process-zalo-secret"
STAFF = 900
USER = 111
NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Process:
    """One `python -m bot run` in webhook mode on its own port."""

    def __init__(self, env: dict[str, str], port: int, log: Path):
        self.port = port
        self.log = log
        with log.open("w") as stderr:  # DEBUG logs are many: a file, not a pipe that could fill up
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env={**env, "WEB_PORT": str(port)},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                text=True,
            )

    async def ready(self, http: aiohttp.ClientSession, timeout: float = 60) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"bot run exited: {self.log.read_text()[-3000:]}")
            try:
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise AssertionError("bot run did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
async def two_bots(telegram_api, database_url, tmp_path):
    zalo_api = FakeZaloAPI()
    await zalo_api.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": telegram_api.token,
            "TELEGRAM_API_BASE_URL": telegram_api.base_url,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "ZALO_BOT_TOKEN": zalo_api.token,
            "ZALO_API_BASE_URL": zalo_api.base_url,
            "ZALO_WEBHOOK_SECRET": ZALO_SECRET,
            "DATABASE_URL": database_url,
            "WEB_HOST": "127.0.0.1",
            "STAFF_IDS": f"telegram:{STAFF}",
            "STAFF_CHAT_ID": str(STAFF),
            "QUIET_HOURS": "off",
            "CAMPAIGNS_IN_BOT": "false",
            "LOG_LEVEL": "DEBUG",  # every line any library writes, searched for secrets at the end
            "PYTHONPATH": str(ROOT),
        }
    )
    http = aiohttp.ClientSession()
    first = Process(env, free_port(), tmp_path / "first.log")
    await first.ready(http)  # the first one migrates and seeds; the second finds it done
    second = Process(env, free_port(), tmp_path / "second.log")
    try:
        await second.ready(http)
        yield [first, second], http, zalo_api
    finally:
        first.stop()
        second.stop()
        await http.close()
        await zalo_api.stop()
    # Tokens and secrets never appear in a log line, at any level (issue 13).
    logs = first.log.read_text() + second.log.read_text()
    assert "DEBUG" in logs and len(logs.splitlines()) > 50
    assert "'secret_token': '***'" in logs and "/bot***" in logs  # python-telegram-bot logged them: redacted
    for secret in (telegram_api.token, zalo_api.token, TG_SECRET, ZALO_SECRET):
        assert secret not in logs, "a secret reached a log line"


class Alternating:
    """Posts each update to the next process in turn, as a load balancer would."""

    def __init__(self, processes, http):
        self.processes, self.http, self.turn = processes, http, 0

    def _next(self) -> Process:
        process = self.processes[self.turn % len(self.processes)]
        self.turn += 1
        return process

    async def telegram(self, update: dict) -> None:
        url = f"http://127.0.0.1:{self._next().port}/telegram/webhook"
        async with self.http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}) as r:
            assert r.status == 200

    async def zalo(self, update: dict) -> None:
        url = f"http://127.0.0.1:{self._next().port}/zalo/webhook"
        async with self.http.post(
            url,
            data=json.dumps(update),
            headers={"X-Bot-Api-Secret-Token": ZALO_SECRET, "Content-Type": "application/json"},
        ) as r:
            assert r.status == 200


async def telegram_say(api, send, chat_id: int, text: str, replies: int = 1) -> list[dict]:
    before = len(api.sent(chat_id))
    await send.telegram(api.message_update(chat_id, text, user_id=chat_id))
    await api.wait_for("sendMessage", before + replies, timeout=20, chat_id=chat_id)
    return api.sent(chat_id)[before:]


async def telegram_press(api, send, chat_id: int, label: str, replies: int = 1) -> list[dict]:
    calls = [c for c in api.calls_of("sendMessage") if c.ok and c.chat_id == str(chat_id)]
    for call in reversed(calls):
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    before = len(api.sent(chat_id))
                    update = api.callback_update(
                        chat_id, button["callback_data"], int(call.result["message_id"]), user_id=chat_id
                    )
                    await send.telegram(update)
                    await api.wait_for("sendMessage", before + replies, timeout=20, chat_id=chat_id)
                    return api.sent(chat_id)[before:]
    raise AssertionError(f"no button {label!r}")


async def test_two_processes_share_one_conversation(two_bots, telegram_api):
    processes, http, zalo_api = two_bots
    send = Alternating(processes, http)
    api = telegram_api

    # A comment after 👎: the 👎 lands on one process, the comment on the other.
    await telegram_say(api, send, USER, "5s la gi")
    asked = await telegram_press(api, send, USER, texts.FEEDBACK_DOWN)
    assert asked[0]["text"] == texts.FEEDBACK_SORRY
    saved = await telegram_say(api, send, USER, "Nên có ví dụ cho xưởng nhỏ")
    assert saved[0]["text"] == texts.FEEDBACK_COMMENT_SAVED

    # A campaign draft, each step on the other process (to one subscriber: an audience of nobody cannot be
    # confirmed).
    await telegram_say(api, send, USER, "/dangky")
    await telegram_press(api, send, USER, texts.SUBSCRIBE_ALL)
    assert (await telegram_say(api, send, STAFF, "/chiendich"))[0]["text"].startswith("Soạn chiến dịch mới")
    assert (await telegram_say(api, send, STAFF, "Lớp 5S ngày 5/12"))[0]["text"] == texts.CAMPAIGN_ASK_AUDIENCE
    await telegram_press(api, send, STAFF, "Tất cả")
    preview = await telegram_press(api, send, STAFF, texts.CAMPAIGN_NOW, replies=3)
    assert preview[1]["text"] == "Lớp 5S ngày 5/12"
    created = await telegram_press(api, send, STAFF, texts.CAMPAIGN_CONFIRM)
    assert created[0]["text"].startswith("Đã tạo chiến dịch #")

    # A handoff opened on one process is answered by staff on the other, and the user's answer, taken by
    # the first process again, reaches staff: the "talking to staff" mode is shared.
    await telegram_say(api, send, USER, "/gapcanbo", replies=1)
    notice = api.sent(STAFF)[-1]["text"]
    request_id = re.search(r"#(\d+-\w+)", notice).group(1)
    before, staff_before = len(api.sent(USER)), len(api.sent(STAFF))
    await send.telegram(api.message_update(STAFF, f"/traloi {request_id} Chào anh, em gọi lại ạ", user_id=STAFF))
    await api.wait_for("sendMessage", before + 1, timeout=20, chat_id=USER)
    assert "em gọi lại" in api.sent(USER)[-1]["text"]
    await api.wait_for("sendMessage", staff_before + 1, timeout=20, chat_id=STAFF)  # "✓ Đã gửi tới …"
    staff_before += 1
    await send.telegram(api.message_update(USER, "Vâng, em chờ ạ", user_id=USER))
    await api.wait_for("sendMessage", staff_before + 1, timeout=20, chat_id=STAFF)
    assert api.sent(STAFF)[-1]["text"].endswith("Vâng, em chờ ạ")
    await telegram_say(api, send, USER, "/ketthuc")

    # Zalo: a question back as a numbered list on one process, the number typed to the other.
    chat = "zalo-user-1"

    async def zalo_say(text: str) -> str:
        before = len(zalo_api.texts(chat))
        await send.zalo(zalo_api.text_update(chat, text))
        await zalo_api.wait_for("sendMessage", before + 1, timeout=20, chat_id=chat)
        return zalo_api.texts(chat)[-1]

    menu = await zalo_say("/menu")
    numbers = {label: int(n) for n, label in NUMBERED.findall(menu)}
    topic = await zalo_say(str(numbers["OCOP và tiêu chuẩn cơ sở"]))
    assert topic.startswith("OCOP và tiêu chuẩn cơ sở")
    first_question = NUMBERED.findall(topic)[0][1]
    answer = await zalo_say("1")
    assert answer.startswith(answer.split("\n")[0]) and "Nguồn:" in answer and first_question
    back = await zalo_say("0")
    assert back.startswith("OCOP và tiêu chuẩn cơ sở")

    clarify = await zalo_say("iso")
    assert clarify.startswith(texts.CLARIFY)
    second = NUMBERED.findall(clarify)[1][1]
    chosen = await zalo_say("2")
    assert "Nguồn:" in chosen and not chosen.startswith(texts.CLARIFY), (second, chosen[:200])
