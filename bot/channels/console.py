"""The console channel: chat with the bot in a terminal, buttons as numbers, "0" back, Ctrl-D to leave.

Run:  python -m bot chat
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.channels.numbered import NumberedChoices
from handlers import texts
from handlers.conversation import Conversation
from handlers.ports import StateStore
from handlers.types import Incoming, Reply
from handlers.views import Sent

CHAT_ID = "console"


class ConsoleChannel:
    """Reads lines from `stdin`, prints replies to `stdout`; the same conversation as every platform."""

    name = "console"

    def __init__(
        self,
        conversation: Conversation,
        state: StateStore,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        user_name: str = "",
        files_dir: Path = Path("data/exports"),
    ):
        self.files_dir = files_dir
        self.conversation = conversation
        self.stdin = stdin
        self.stdout = stdout
        self.user_name = user_name
        self.choices = NumberedChoices(state, self.name)

    async def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.edit and reply.buttons_only:  # a terminal cannot change what it printed
                if reply.text:
                    self.stdout.write(reply.text + "\n\n")
                continue
            if reply.image:
                self.stdout.write(f"[Ảnh: {reply.image}]\n")
            if reply.attachment is not None:
                # A terminal has no file messages: the file goes next to the database, and the path is shown.
                path = self.files_dir / reply.attachment.filename
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(reply.attachment.data)
                self.stdout.write(f"{reply.text}\n[Đã lưu tệp: {path}]\n\n")
                continue
            self.stdout.write(await self.choices.render(CHAT_ID, reply) + "\n\n")
        self.stdout.flush()

    async def send(self, chat_id: str, reply: Reply) -> Sent:
        """Relay target: a message addressed to the console user (a staff answer, the flood note)."""
        await self.show([Reply(reply.text, reply.buttons, reply.source)])
        return Sent(True)

    def incoming(self, text: str | None = None, data: str | None = None) -> Incoming:
        return Incoming(self.name, CHAT_ID, "local", text=text, data=data, user_name=self.user_name)

    async def handle_line(self, line: str) -> None:
        meant = await self.choices.interpret(self.incoming(text=line), bad_number_needs_menu=False)
        await self.show([meant] if isinstance(meant, Reply) else await self.conversation.handle(meant))

    async def run(self, interactive: bool | None = None) -> None:
        interactive = self.stdin.isatty() if interactive is None else interactive
        loop = asyncio.get_running_loop()
        await self.show(await self.conversation.handle(self.incoming(text="/start")))
        while True:
            if interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:  # EOF: Ctrl-D, or the end of piped input
                self.stdout.write(texts.CONSOLE_BYE + "\n")
                self.stdout.flush()
                return
            if line.strip():
                await self.handle_line(line.rstrip("\n"))
