"""The conversation: commands, topic menus, questions and button presses, turned into replies."""
from __future__ import annotations

import logging

from handlers import texts
from handlers.ask import AskOutcome, AskService
from handlers.campaign_flow import CampaignFlow
from handlers.flood import FloodGuard
from handlers.people import PeopleFlows
from handlers.types import Button, Incoming, Reply

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer text is cut for search: nobody asks one question in 1,000 characters
# Questions per menu page, about: a topic of 37 questions as one list is a wall on a phone; 8 fit a screen.
TOPIC_PAGE_SIZE = 8
COMMAND_ALIASES = {
    "start": "start", "batdau": "start",
    "help": "help", "huongdan": "help", "trogiup": "help",
    "menu": "menu", "chude": "menu",
    "subscribe": "subscribe", "dangky": "subscribe",
    "unsubscribe": "unsubscribe", "huydangky": "unsubscribe",
    "mydata": "mydata", "dulieucuatoi": "mydata",
    "deletedata": "deletedata", "xoadulieu": "deletedata",
    "human": "human", "gapcanbo": "human",
    "reply": "reply", "traloi": "reply",
    "campaign": "campaign", "chiendich": "campaign",
    "campaigns": "campaigns", "danhsachchiendich": "campaigns",
}
STAFF_COMMANDS = {"campaign", "campaigns"}
# Commands that need a database behind the conversation.
PEOPLE_COMMANDS = {"subscribe", "unsubscribe", "mydata", "deletedata", "human", "reply"}


def entry_button(entry_id: str, label: str) -> Button:
    return Button(label=label, data=f"e:{entry_id}")


class Conversation:
    """Channel-agnostic: every method takes an Incoming and returns the replies to send."""

    def __init__(self, ask: AskService, people: PeopleFlows | None = None, flood: FloodGuard | None = None,
                 campaigns: CampaignFlow | None = None):
        self.ask_service = ask
        self.people = people
        self.flood = flood
        self.campaigns = campaigns

    async def handle(self, incoming: Incoming) -> list[Reply]:
        if self.flood is not None:
            allowed, warn, wait = self.flood.check(incoming.identity)
            if not allowed:
                return [Reply(texts.FLOOD.format(seconds=wait))] if warn else []
        text = (incoming.text or "").strip()
        if self.people is not None and not self._about_own_data(incoming):
            # One write per message: activity, name, and (for a question) the question itself.
            question = text[:MAX_QUESTION_CHARS] if text and not text.startswith("/") and incoming.data is None else None
            await self.people.store.touch(incoming.channel, incoming.chat_id, incoming.user_id,
                                          incoming.user_name, question)
        if incoming.data is not None:
            return await self.on_button(incoming)
        if text.startswith("/"):
            return await self.on_command(incoming, text)
        if self.campaigns is not None and text and self.campaigns.active(incoming) and self._staff(incoming):
            return await self.campaigns.on_text(incoming, text)
        if self.people is not None and text:
            comment = await self.people.take_comment(incoming, text)
            if comment is not None:
                return [comment]
        return await self.on_question(incoming, text)

    def _staff(self, incoming: Incoming) -> bool:
        return self.people is not None and self.people.is_staff(incoming)

    def _about_own_data(self, incoming: Incoming) -> bool:
        """/mydata and erasing must not first re-create the record they report on or delete."""
        if incoming.data is not None:
            return incoming.data.startswith("d:")
        text = (incoming.text or "").strip()
        return text.startswith("/") and self.command_name(text) in ("mydata", "deletedata")

    # -- commands --------------------------------------------------------------------------------
    def command_name(self, text: str) -> str:
        word = text.split()[0][1:].split("@")[0].lower()
        return COMMAND_ALIASES.get(word, word)

    async def on_command(self, incoming: Incoming, text: str) -> list[Reply]:
        name = self.command_name(text)
        if name == "start":
            greeting = f", {incoming.user_name}" if incoming.user_name else ""
            rows = self.topic_buttons()
            if self.people is not None:
                rows.append([Button(texts.SUBSCRIBE_OFFER, "s")])
            return [Reply(texts.WELCOME.format(name=greeting), rows)]
        if name == "help":
            return [Reply(texts.HELP, [[Button(texts.MAIN_MENU, "m")]])]
        if name == "menu":
            return [self.menu()]
        if name in STAFF_COMMANDS and self.campaigns is not None:
            if not self._staff(incoming):
                return [Reply(texts.STAFF_ONLY)]
            return [self.campaigns.begin(incoming) if name == "campaign" else await self.campaigns.listing()]
        if name in PEOPLE_COMMANDS and self.people is not None:
            return await self.on_people_command(incoming, name, text)
        return [Reply(texts.UNKNOWN_COMMAND.format(command=text.split()[0][:40]))]

    async def on_people_command(self, incoming: Incoming, name: str, text: str) -> list[Reply]:
        people = self.people
        if name == "subscribe":
            return [people.subscribe_menu()]
        if name == "unsubscribe":
            return [await people.unsubscribe(incoming)]
        if name == "mydata":
            return [await people.my_data(incoming)]
        if name == "deletedata":
            return [people.delete_confirm()]
        if name == "human":
            return await people.handoff(incoming)
        return await people.staff_reply(incoming, text)

    # -- menus -----------------------------------------------------------------------------------
    def topic_buttons(self) -> list[list[Button]]:
        kb = self.ask_service.engine.kb
        return [[Button(t.title, f"t:{t.id}")] for t in kb.menu_topics()]

    def menu(self) -> Reply:
        return Reply(texts.MENU, self.topic_buttons())

    def topic(self, topic_id: str, page: int = 0) -> Reply | None:
        """One page of a topic's questions, in menu order, with buttons to the pages around it."""
        kb = self.ask_service.engine.kb
        topic = kb.topic(topic_id)
        if topic is None:
            return None
        entries = kb.entries_of(topic_id)
        # Pages of about TOPIC_PAGE_SIZE, evenly filled: 9 questions are one page, not 8 and a lonely 1.
        per_page = max(1, -(-len(entries) // max(1, round(len(entries) / TOPIC_PAGE_SIZE))))
        pages = max(1, -(-len(entries) // per_page))
        page = page if 0 <= page < pages else 0  # an old button may name a page the topic no longer has
        shown = entries[page * per_page:(page + 1) * per_page]
        rows = [[entry_button(e.id, e.question)] for e in shown]
        turn = ([Button(texts.PREVIOUS_PAGE, f"t:{topic_id}:{page - 1}")] if page > 0 else []) + \
               ([Button(texts.NEXT_PAGE, f"t:{topic_id}:{page + 1}")] if page + 1 < pages else [])
        if turn:
            rows.append(turn)
        rows.append([Button(texts.BACK_TO_MENU, "m")])
        title = texts.TOPIC_PAGE.format(title=topic.title, page=page + 1, pages=pages) if pages > 1 \
            else texts.TOPIC.format(title=topic.title)
        return Reply(title, rows)

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
        """👍/👎 under every answer, when there is somewhere to keep them."""
        return [self.people.feedback_buttons(entry_id)] if self.people is not None else []

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
        """Log every fallback and low-confidence question (the question itself was kept on arrival)."""
        if outcome.status != "answered":
            log.info("unanswered (%s, %.2f): %s", outcome.status, outcome.score, text[:200])
        if self.people is None or not text:
            return
        store = self.people.store
        if outcome.status != "answered" and outcome.result is not None and outcome.result.analysis.tokens:
            best = outcome.result.best
            await store.log_unanswered(text, outcome.result.analysis.plain, outcome.status,
                                       best.entry.id if best else None, outcome.score)

    # -- buttons ---------------------------------------------------------------------------------
    async def on_button(self, incoming: Incoming) -> list[Reply]:
        data = incoming.data or ""
        kind, _, arg = data.partition(":")
        reply: Reply | None = None
        if data == "m":
            reply = self.menu()
        elif kind == "t":
            topic_id, _, page = arg.partition(":")
            reply = self.topic(topic_id, int(page) if page.isdigit() else 0)
        elif kind == "e":
            reply = self.answer_reply(arg)
        elif data == "x":
            reply = self.fallback_reply()
        elif data == "h":
            return await self.on_handoff(incoming)
        elif kind == "cw" and self.campaigns is not None:
            return await self.campaigns.on_button(incoming, arg) if self._staff(incoming) else [Reply(texts.STAFF_ONLY)]
        elif self.people is not None and kind in ("s", "f", "c", "d"):
            return [await self.on_people_button(incoming, kind, arg)]
        else:
            return await self.on_other_button(incoming, kind, arg)
        # A button from an old message may point at a topic or entry that no longer exists.
        return [reply] if reply is not None else [Reply(texts.STALE_BUTTON, [[Button(texts.MAIN_MENU, "m")]])]

    async def on_people_button(self, incoming: Incoming, kind: str, arg: str) -> Reply:
        people = self.people
        if kind == "s":
            return await people.subscribe(incoming, arg) if arg else people.subscribe_menu()
        if kind == "f":
            return await people.feedback(incoming, arg, lambda i: self.ask_service.entry(i) is not None)
        if kind == "c":
            return people.await_comment(incoming, arg)
        return await people.delete(incoming, arg)

    async def on_handoff(self, incoming: Incoming) -> list[Reply]:
        """A person takes over; without a database the best on offer is the contact details."""
        if self.people is None:
            return [self.fallback_reply()]
        return await self.people.handoff(incoming)

    async def on_other_button(self, incoming: Incoming, kind: str, arg: str) -> list[Reply]:
        return [Reply(texts.STALE_BUTTON, [[Button(texts.MAIN_MENU, "m")]])]
