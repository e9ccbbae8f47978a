"""The conversation: commands, topic menus, questions and button presses, turned into replies."""
from __future__ import annotations

import logging

from handlers import texts
from handlers.ask import AskOutcome, AskService
from handlers.types import Button, Incoming, Reply

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer text is cut for search: nobody asks one question in 1,000 characters
COMMAND_ALIASES = {
    "start": "start", "batdau": "start",
    "help": "help", "huongdan": "help", "trogiup": "help",
    "menu": "menu", "chude": "menu",
}


def entry_button(entry_id: str, label: str) -> Button:
    return Button(label=label, data=f"e:{entry_id}")


class Conversation:
    """Channel-agnostic: every method takes an Incoming and returns the replies to send."""

    def __init__(self, ask: AskService):
        self.ask_service = ask

    async def handle(self, incoming: Incoming) -> list[Reply]:
        if incoming.data is not None:
            return await self.on_button(incoming)
        text = (incoming.text or "").strip()
        if text.startswith("/"):
            return await self.on_command(incoming, text)
        return await self.on_question(incoming, text)

    # -- commands --------------------------------------------------------------------------------
    def command_name(self, text: str) -> str:
        word = text.split()[0][1:].split("@")[0].lower()
        return COMMAND_ALIASES.get(word, word)

    async def on_command(self, incoming: Incoming, text: str) -> list[Reply]:
        name = self.command_name(text)
        if name == "start":
            greeting = f", {incoming.user_name}" if incoming.user_name else ""
            return [Reply(texts.WELCOME.format(name=greeting), self.topic_buttons())]
        if name == "help":
            return [Reply(texts.HELP, [[Button(texts.MAIN_MENU, "m")]])]
        if name == "menu":
            return [self.menu()]
        return [Reply(texts.UNKNOWN_COMMAND.format(command=text.split()[0][:40]))]

    # -- menus -----------------------------------------------------------------------------------
    def topic_buttons(self) -> list[list[Button]]:
        kb = self.ask_service.engine.kb
        return [[Button(t.title, f"t:{t.id}")] for t in kb.menu_topics()]

    def menu(self) -> Reply:
        return Reply(texts.MENU, self.topic_buttons())

    def topic(self, topic_id: str) -> Reply | None:
        kb = self.ask_service.engine.kb
        topic = kb.topic(topic_id)
        if topic is None:
            return None
        rows = [[entry_button(e.id, e.question)] for e in kb.entries_of(topic_id)]
        rows.append([Button(texts.BACK_TO_MENU, "m")])
        return Reply(texts.TOPIC.format(title=topic.title), rows)

    # -- answers ---------------------------------------------------------------------------------
    def answer_reply(self, entry_id: str) -> Reply | None:
        entry = self.ask_service.entry(entry_id)
        if entry is None:
            return None
        rows = [[entry_button(s.entry_id, s.question)] for s in self.ask_service.related(entry)]
        rows.extend(self.answer_extra_buttons(entry_id))
        rows.append([Button(texts.MAIN_MENU, "m")])
        return Reply(self.ask_service.render(entry), rows, source=entry.source)

    def answer_extra_buttons(self, entry_id: str) -> list[list[Button]]:
        """Hook for feedback buttons; the plain conversation has none."""
        return []

    def fallback_reply(self, outcome: AskOutcome | None = None) -> Reply:
        text = outcome.answer if outcome else texts.FALLBACK.format(contact=self.ask_service.contact_block)
        return Reply(text, [[Button(texts.TALK_TO_HUMAN, "h")], [Button(texts.MAIN_MENU, "m")]])

    async def on_question(self, incoming: Incoming, text: str) -> list[Reply]:
        replies: list[Reply] = []
        if len(text) > MAX_QUESTION_CHARS:
            replies.append(Reply(texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS)))
            text = text[:MAX_QUESTION_CHARS]
        outcome = self.ask_service.ask(text)
        await self.record(incoming, text, outcome)
        if outcome.status == "answered" and outcome.entry_id:
            reply = self.answer_reply(outcome.entry_id)
            if reply is not None:
                return replies + [reply]
        if outcome.status == "clarify":
            rows = [[entry_button(s.entry_id, s.question)] for s in outcome.suggestions]
            rows.append([Button(texts.NONE_OF_THESE, "x")])
            return replies + [Reply(outcome.answer, rows)]
        if not outcome.result or not outcome.result.analysis.tokens:
            return replies + [Reply(texts.EMPTY_QUESTION, [[Button(texts.MAIN_MENU, "m")]])]
        return replies + [self.fallback_reply(outcome)]

    async def record(self, incoming: Incoming, text: str, outcome: AskOutcome) -> None:
        """Hook for the unanswered-question log; the plain conversation only logs."""
        if outcome.status != "answered":
            log.info("unanswered (%s, %.2f): %s", outcome.status, outcome.score, text[:200])

    # -- buttons ---------------------------------------------------------------------------------
    async def on_button(self, incoming: Incoming) -> list[Reply]:
        data = incoming.data or ""
        kind, _, arg = data.partition(":")
        reply: Reply | None = None
        if data == "m":
            reply = self.menu()
        elif kind == "t":
            reply = self.topic(arg)
        elif kind == "e":
            reply = self.answer_reply(arg)
        elif data == "x":
            reply = self.fallback_reply()
        elif data == "h":
            return await self.on_handoff(incoming)
        else:
            return await self.on_other_button(incoming, kind, arg)
        # A button from an old message may point at a topic or entry that no longer exists.
        return [reply] if reply is not None else [Reply(texts.STALE_BUTTON, [[Button(texts.MAIN_MENU, "m")]])]

    async def on_handoff(self, incoming: Incoming) -> list[Reply]:
        """Without a database the best a person can get is the contact details."""
        return [self.fallback_reply()]

    async def on_other_button(self, incoming: Incoming, kind: str, arg: str) -> list[Reply]:
        return [Reply(texts.STALE_BUTTON, [[Button(texts.MAIN_MENU, "m")]])]
