"""The conversation: commands, topic menus, questions and button presses, turned into replies."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

from handlers import texts
from handlers.application_flow import APPLY_TOPIC, ApplicationFlow, apply_button
from handlers.ask import AskOutcome, AskService
from handlers.callbacks import (
    CAMPAIGN_CALLBACKS,
    STAFF_CASE_CALLBACKS,
    STAFF_REQUEST_CALLBACKS,
    ApplicationStep,
    Callback,
    CaseInfoDone,
    EndHandoff,
    EraseData,
    FormAction,
    MainMenu,
    MyCase,
    NoneOfThese,
    ShowDetail,
    ShowEntry,
    SkipComment,
    StartApplication,
    Subscribe,
    TalkToStaff,
    TopicPage,
    Unsubscribe,
    Vote,
    WriteComment,
    pack,
    unpack,
)
from handlers.campaign_flow import CampaignFlow
from handlers.case_desk import CaseDesk
from handlers.flood import FloodGuard, FloodVerdict
from handlers.handoff import HandoffFlow
from handlers.opt_out import is_opt_out
from handlers.people import PeopleFlows, menu_row
from handlers.ports import ConversationMetrics, Messenger
from handlers.read_ahead import ReadAheadState
from handlers.redact import redact
from handlers.sectors import apply_intent
from handlers.staff_intent import staff_wish
from handlers.state_keys import StateKind, chat_keys, state_key
from handlers.statuses import AskStatus
from handlers.types import Button, Incoming, Reply
from handlers.views import QuestionLogged
from knowledge.model import Entry
from knowledge.normalize import make_token, raw_words

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer text is cut for search: nobody asks one question in 1,000 characters
# Questions per menu page, about: a topic of 37 questions as one list is a wall on a phone; 8 fit a screen.
TOPIC_PAGE_SIZE = 8
# Entries tagged so are greetings, thanks and goodbyes: no 👍/👎 and no source under them.
SMALL_TALK_TAG = "small-talk"
COMMAND_ALIASES = {
    "start": "start",
    "batdau": "start",
    "help": "help",
    "huongdan": "help",
    "trogiup": "help",
    "menu": "menu",
    "chude": "menu",
    "subscribe": "subscribe",
    "dangky": "subscribe",
    "unsubscribe": "unsubscribe",
    "huydangky": "unsubscribe",
    "mydata": "mydata",
    "dulieucuatoi": "mydata",
    "deletedata": "deletedata",
    "xoadulieu": "deletedata",
    "human": "human",
    "gapcanbo": "human",
    "end": "end",
    "ketthuc": "end",
    "reply": "reply",
    "traloi": "reply",
    "take": "take",
    "nhan": "take",
    "requests": "requests",
    "yeucau": "requests",
    "transcript": "transcript",
    "xemyeucau": "transcript",
    "campaign": "campaign",
    "chiendich": "campaign",
    "campaigns": "campaigns",
    "danhsachchiendich": "campaigns",
    "dangkyhotro": "apply",
    "apply": "apply",
    "hoso": "mycases",
    "mycases": "mycases",
    "hoso_ds": "cases",
    "hoso_xem": "case",
    "hoso_doi": "casemove",
    "huy": "cancel",
    "cancel": "cancel",
}
CASE_COMMANDS = {"cases", "case", "casemove"}
STAFF_COMMANDS = {"campaign", "campaigns", "reply", "take", "requests", "transcript", *CASE_COMMANDS}
REQUEST_COMMANDS = {"reply", "take", "requests", "transcript"}
CONTEXT_TTL = 600.0  # seconds a follow-up may lean on the previous answer, and a clarify wait for its pick
OWN_DATA_COMMANDS = {"mydata", "deletedata"}
# Records are kept per chat, so in a group they would mix people: there the bot only answers questions.
PERSONAL_COMMANDS = {"subscribe", "unsubscribe", "mydata", "deletedata", "human", "end", "apply", "mycases"}
PERSONAL_BUTTONS = (
    Subscribe,
    Unsubscribe,
    Vote,
    WriteComment,
    SkipComment,
    EraseData,
    TalkToStaff,
    EndHandoff,
    StartApplication,
    ApplicationStep,
    MyCase,
    CaseInfoDone,
)
# What an open application form leaves as it is: starting (or stopping) it, and its own buttons.
FORM_COMMANDS = {"apply", "cancel"}


def _encodable(text: str) -> str:
    """Lone surrogates (a JSON body may carry "\\ud800") become "?": no database can store them."""
    return text.encode("utf-8", "replace").decode("utf-8")


def well_formed(incoming: Incoming) -> Incoming:
    texts_in = (incoming.text or "", incoming.user_name, incoming.data or "")
    if all(_encodable(t) == t for t in texts_in):
        return incoming
    return dataclasses.replace(
        incoming,
        text=_encodable(incoming.text) if incoming.text is not None else None,
        user_name=_encodable(incoming.user_name),
        data=_encodable(incoming.data) if incoming.data is not None else None,
    )


def entry_button(entry_id: str, label: str) -> Button:
    return Button(label=label, data=pack(ShowEntry(entry_id)))


def stale() -> Reply:
    return Reply(texts.STALE_BUTTON, [menu_row()])


class Conversation:
    """Channel-agnostic: every method takes an Incoming and returns the replies to send."""

    def __init__(
        self,
        ask: AskService,
        people: PeopleFlows,
        handoff: HandoffFlow,
        flood: FloodGuard,
        campaigns: CampaignFlow,
        metrics: ConversationMetrics,
        state: ReadAheadState,
        messenger: Messenger,
        applications: ApplicationFlow,
        cases: CaseDesk,
        unthrottled_channels: frozenset[str] = frozenset({"console"}),
    ):
        self.ask_service = ask
        self.state = state
        self.people = people
        self.handoff = handoff
        self.flood = flood
        self.campaigns = campaigns
        self.metrics = metrics
        self.messenger = messenger
        self.applications = applications
        self.cases = cases
        self.unthrottled_channels = unthrottled_channels  # one person at a keyboard: nobody to protect

    async def admit(self, incoming: Incoming) -> FloodVerdict | None:
        """Book the message's turn with the flood guard as it arrives (channels call this before queueing
        the message behind the chat's earlier ones); None for what is never throttled."""
        if incoming.event is not None or incoming.channel in self.unthrottled_channels or self._staff(incoming):
            return None
        return await self.flood.check(incoming.channel, incoming.user_id)

    async def handle(self, incoming: Incoming, admitted: FloodVerdict | None = None) -> list[Reply]:
        incoming = well_formed(incoming)
        if incoming.event is not None:
            await self.people.on_event(incoming)
            return []
        verdict = admitted or await self.admit(incoming)
        if verdict is not None:
            if verdict.dropped:
                return [Reply(texts.FLOOD_DROPPED)] if verdict.warn else []
            if verdict.warn:  # said now, before the wait: the answers follow in order
                note = Reply(texts.FLOOD.format(seconds=max(1, round(verdict.delay))))
                await self.messenger.send(incoming.channel, incoming.chat_id, note)
            await self.flood.wait(verdict)
        async with self.state.reading(chat_keys(incoming.channel, incoming.chat_id)):
            return await self.dispatch(incoming)

    async def dispatch(self, incoming: Incoming) -> list[Reply]:
        """The message's turn has come: a button, a command, an answer some flow waits for, or a question."""
        text = (incoming.text or "").strip()
        # Typed in a private chat, not a command: an open form's answer, or what staff asked the business for.
        typed = incoming.private and incoming.data is None and not text.startswith("/")
        form = await self.applications.pending(incoming) if typed else None
        waiting = await self.cases.awaiting(incoming) if typed and text and form is None else None
        wish = staff_wish(text) if typed else None  # typed "gặp cán bộ": as /gapcanbo (on_question)
        if incoming.private and not self._about_own_data(incoming):
            # One write per message: activity, name, and (for a question) the question itself; a form's answer
            # (a tax code, a phone) is no question and is not kept before the form is sent, and "gặp cán bộ"
            # must not replace the question staff are about to be shown.
            asks = bool(text) and typed and form is None and waiting is None and wish is None
            question = text[:MAX_QUESTION_CHARS] if asks else None
            await self.people.store.touch(
                incoming.channel, incoming.chat_id, incoming.user_id, incoming.user_name, question
            )
        if incoming.data is not None:
            return await self.on_button(incoming)
        if text.startswith("/"):
            return await self.on_command(incoming, text)
        if text and self._staff(incoming):
            thread = await self.handoff.by_thread(incoming)
            if thread is not None:  # staff answered a forwarded message by replying to it
                return await self.handoff.staff_reply(incoming, thread, text)
            if incoming.reply_to is not None and self.handoff.is_staff_chat(incoming):
                return [Reply(texts.STAFF_NO_THREAD)]
            asked = await self.cases.staff_note(incoming, text)
            if asked is not None:  # the note after "cần bổ sung"
                return asked
        if form is not None:
            answered = await self.applications.on_text(incoming, form, text)
            if answered is not None:
                return answered
        if waiting is not None:
            attached = await self.cases.business_answer(incoming, waiting, text)
            if attached is not None:
                return attached
        if text and incoming.private and await self.handoff.active(incoming) is not None:
            forwarded = await self.handoff.from_user(incoming, text)
            if forwarded is not None:
                return forwarded
        if text and self._staff(incoming) and await self.campaigns.active(incoming):
            return await self.campaigns.on_text(incoming, text)
        if text:
            comment = await self.people.take_comment(incoming, text)
            if comment is not None:
                return [comment]
        return await self.on_question(incoming, text, wish)

    def _staff(self, incoming: Incoming) -> bool:
        return self.people.is_staff(incoming)

    def _about_own_data(self, incoming: Incoming) -> bool:
        """/mydata and erasing must not first re-create the record they report on or delete."""
        if incoming.data is not None:
            return isinstance(unpack(incoming.data), EraseData)
        text = (incoming.text or "").strip()
        return text.startswith("/") and self.command_name(text) in OWN_DATA_COMMANDS

    # -- commands --------------------------------------------------------------------------------
    def command_name(self, text: str) -> str:
        word = text.split()[0][1:].split("@")[0].lower()
        return COMMAND_ALIASES.get(word, word)

    async def on_command(self, incoming: Incoming, text: str) -> list[Reply]:
        replies = await self.command(incoming, text)
        if self.command_name(text) in FORM_COMMANDS or not incoming.private:
            return replies
        paused = await self.applications.pause(incoming)  # its text is a question again, until it resumes
        return replies + ([paused] if paused is not None else [])

    async def command(self, incoming: Incoming, text: str) -> list[Reply]:
        name = self.command_name(text)
        people = self.people
        if name == "start":
            greeting = f", {incoming.user_name}" if incoming.user_name else ""
            rows = self.topic_buttons()
            rows.append(apply_button())
            rows.append([Button(texts.SUBSCRIBE_OFFER, pack(Subscribe()))])
            return [Reply(texts.WELCOME.format(name=greeting), rows)]
        if name == "help":
            rows = [[Button(texts.TALK_TO_HUMAN, pack(TalkToStaff()))], apply_button(), menu_row()]
            return [Reply(texts.HELP + texts.HELP_APPLY, rows)]
        if name == "menu":
            return [self.menu()]
        _command, *rest = text.split(maxsplit=1)
        args = rest[0].strip() if rest else ""
        if not incoming.private and name in PERSONAL_COMMANDS and not (name == "end" and self._staff(incoming)):
            return [Reply(texts.PRIVATE_ONLY)]
        if name == "end" and args and self._staff(incoming):
            return await self.handoff.command(incoming, "close", args)
        if name == "end":
            return await self.handoff.end_by_user(incoming)
        if name in STAFF_COMMANDS:
            if not self._staff(incoming):
                return [Reply(texts.STAFF_ONLY)]
            if name in REQUEST_COMMANDS:
                return await self.handoff.command(incoming, name, args)
            if name in CASE_COMMANDS:
                return await self.cases.command(incoming, name, args)
            return [await self.campaigns.begin(incoming) if name == "campaign" else await self.campaigns.listing()]
        if name == "subscribe":
            return [people.subscribe_menu()]
        if name == "unsubscribe":
            return [await people.unsubscribe(incoming)]
        if name == "mydata":
            return [await people.my_data(incoming)]
        if name == "deletedata":
            return [people.delete_confirm()]
        if name == "human":
            return await self.handoff.open(incoming, args[: MAX_QUESTION_CHARS * 4])
        if name == "apply":
            return await self.applications.begin(incoming)
        if name == "mycases":
            return [await self.cases.my_cases(incoming)]
        if name == "cancel":
            return await self.cancel(incoming)
        return [Reply(texts.UNKNOWN_COMMAND.format(command=text.split()[0][:40]))]

    # -- menus -----------------------------------------------------------------------------------
    def topic_buttons(self) -> list[list[Button]]:
        kb = self.ask_service.engine.kb
        return [[Button(t.title, pack(TopicPage(t.id)))] for t in kb.menu_topics()]

    async def cancel(self, incoming: Incoming) -> list[Reply]:
        """/huy: a staff member's pending note, or the chat's open form."""
        dropped = await self.cases.cancel_note(incoming) if self._staff(incoming) else None
        if dropped is not None:
            return [dropped]
        form = await self.applications.load(incoming) if incoming.private else None
        if form is None:
            return [Reply(texts.APPLY_NOTHING_TO_CANCEL)]
        return await self.applications.on_button(incoming, ApplicationStep(form.form, FormAction.STOP))

    def menu(self) -> Reply:
        return Reply(texts.MENU, [*self.topic_buttons(), apply_button()])

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
        shown = entries[page * per_page : (page + 1) * per_page]
        rows = [[entry_button(e.id, e.button_label)] for e in shown]
        turn = ([Button(texts.PREVIOUS_PAGE, pack(TopicPage(topic_id, page - 1)))] if page > 0 else []) + (
            [Button(texts.NEXT_PAGE, pack(TopicPage(topic_id, page + 1)))] if page + 1 < pages else []
        )
        if turn:
            rows.append(turn)
        rows.append([Button(texts.BACK_TO_MENU, pack(MainMenu()))])
        title = (
            texts.TOPIC_PAGE.format(title=topic.title, page=page + 1, pages=pages)
            if pages > 1
            else texts.TOPIC.format(title=topic.title)
        )
        return Reply(title, rows)

    # -- answers ---------------------------------------------------------------------------------
    def answer_reply(self, entry_id: str, vote: bool | None = None, detail_only: bool = False) -> Reply | None:
        """An entry's answer: the short part with the detail folded (or offered), then what to ask next.

        `detail_only` is the detail itself, for "Xem chi tiết" on a channel that could not fold it.
        """
        entry = self.ask_service.entry(entry_id)
        return None if entry is None else self.entry_reply(entry, vote, detail_only)

    def entry_reply(self, entry: Entry, vote: bool | None = None, detail_only: bool = False) -> Reply:
        """`answer_reply` for an entry in hand: the console previews an unsaved draft with it."""
        entry_id = entry.id
        shown = self.ask_service.shown(entry)
        small_talk = SMALL_TALK_TAG in entry.tags
        rows = self._leading_rows(shown.contact, {entry.topic})
        rows += [[entry_button(s.entry_id, s.label)] for s in self.ask_service.related(entry)]
        if not small_talk:
            rows.append(self.people.feedback_buttons(entry_id, vote))  # 👍/👎 under every answer
        rows.append(menu_row())
        source = None if small_talk else self.ask_service.source_line(entry)
        if detail_only:
            return Reply(shown.detail or shown.text, rows)
        more = Button(texts.SHOW_DETAIL, pack(ShowDetail(entry_id))) if shown.detail else None
        return Reply(shown.text, rows, source=source, detail=shown.detail, detail_button=more)

    @staticmethod
    def _leading_rows(contact: bool, topics: set[str]) -> list[list[Button]]:
        """The buttons an answer leads with: the application form on answers about applying, then "Gặp cán bộ"
        on answers that give the contact block."""
        rows = [apply_button()] if APPLY_TOPIC in topics else []
        if contact:
            rows.append([Button(texts.TALK_TO_HUMAN, pack(TalkToStaff()))])
        return rows

    def both_reply(self, first_id: str, second: Entry) -> Reply | None:
        """A message asking two things: both short answers in one reply, a "Xem chi tiết" for each entry with
        more to read (one fold cannot hold two entries' details on channels that offer it as a choice)."""
        first = self.ask_service.entry(first_id)
        if first is None:
            return None
        service = self.ask_service
        pair = (first, second)
        rows = self._leading_rows(any(service.shown(e).contact for e in pair), {e.topic for e in pair})
        rows += [
            [Button(texts.SHOW_DETAIL_OF.format(label=e.button_label), pack(ShowDetail(e.id)))]
            for e in pair
            if service.shown(e).detail
        ]
        rows += [[entry_button(s.entry_id, s.label)] for s in service.related_to_both(first, second)]
        rows.append(menu_row())
        return Reply(service.both_text(first, second), rows, source=service.sources_of(first, second))

    def fallback_reply(self, outcome: AskOutcome | None = None, choices: list[list[Button]] | None = None) -> Reply:
        """The honest "I don't know": the closest questions first when it offers any, then staff and the menu."""
        text = outcome.answer if outcome else self.ask_service.fallback_text()
        return Reply(text, [*(choices or []), [Button(texts.TALK_TO_HUMAN, pack(TalkToStaff()))], menu_row()])

    async def on_question(self, incoming: Incoming, text: str, wish: str | None) -> list[Reply]:
        if incoming.private and is_opt_out(text):
            # The words every campaign message on Zalo ends with: they unsubscribe, they are not a question.
            return [await self.people.unsubscribe(incoming)]
        if text.isascii() and text.isdigit() and len(text) <= 2:
            # "1" or "0" typed where the buttons are pressed, not numbered (Telegram): not a question.
            return [Reply(texts.BARE_NUMBER, [menu_row()])]
        replies: list[Reply] = []
        if incoming.private:
            dropped = await self.applications.dropped(incoming)
            replies += [dropped] if dropped is not None else []
            if wish is not None:  # the question asked before goes to staff with the request
                return replies + await self.handoff.open(incoming, wish[: MAX_QUESTION_CHARS * 4])
            case = await self.cases.lookup(incoming, text)  # "tra cứu hồ sơ HS12-ABCD"
            if case is not None:
                return replies + [case]
            # Before the search: "em muốn đăng ký hỗ trợ" is a wish to apply, not a question about it.
            needs = apply_intent(text)
            if needs is not None:
                return replies + await self.applications.begin(incoming, needs)
        if len(text) > MAX_QUESTION_CHARS:
            replies.append(Reply(texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS)))
            text = text[:MAX_QUESTION_CHARS]
        started = time.perf_counter()
        # Off the event loop: embedding a question takes tens of milliseconds of CPU (in C, without the
        # GIL), and other chats must not wait for it.
        context_key = state_key(StateKind.CONTEXT, incoming.channel, incoming.chat_id)
        context = await self.state.get(context_key)
        previous = str(context["entry_id"]) if context else None
        outcome = await asyncio.to_thread(self.ask_service.ask, text, previous)
        self.metrics.question(outcome.status, time.perf_counter() - started)
        best = outcome.result.best if outcome.result is not None else None
        await self.people.store.log_question(
            QuestionLogged(
                incoming.channel,
                outcome.status,
                outcome.entry_id or (best.entry.id if best else ""),
                round(outcome.score, 4),
                round((time.perf_counter() - started) * 1000),
            )
        )
        if outcome.status is not AskStatus.ANSWERED:
            # Redacted once, for both the unanswered log and the clarify pick kept for review.
            shown, normalized = self.redacted(
                text, outcome.result.analysis.plain if outcome.result is not None else text.lower()
            )
            await self.record(incoming, text, outcome, shown, normalized)
        if outcome.status is AskStatus.ANSWERED and outcome.entry_id and outcome.also:
            both = self.both_reply(outcome.entry_id, outcome.also[0].entry)
            if both is not None:
                await self.state.put(context_key, {"entry_id": outcome.entry_id}, CONTEXT_TTL)
                for entry_id in (outcome.entry_id, outcome.also[0].entry.id):
                    await self.people.store.count_answer(entry_id)
                return replies + [both]
        if outcome.status is AskStatus.ANSWERED and outcome.entry_id:
            reply = self.answer_reply(outcome.entry_id)
            if reply is not None:
                await self.state.put(context_key, {"entry_id": outcome.entry_id}, CONTEXT_TTL)
                await self.people.store.count_answer(outcome.entry_id)
                return replies + [reply]
        if outcome.status is AskStatus.CLARIFY:
            rows = await self.offer_choices(incoming, outcome, shown, normalized)
            rows.append([Button(texts.NONE_OF_THESE, pack(NoneOfThese()))])
            return replies + [Reply(outcome.answer, rows)]
        if not outcome.result or not outcome.result.analysis.tokens:
            return replies + [Reply(texts.EMPTY_QUESTION, [menu_row()])]
        choices = await self.offer_choices(incoming, outcome, shown, normalized) if outcome.suggestions else None
        return replies + [self.fallback_reply(outcome, choices)]

    async def offer_choices(
        self, incoming: Incoming, outcome: AskOutcome, shown: str, normalized: str
    ) -> list[list[Button]]:
        """One button per choice; which entry the user then picks is a phrasing the admins may want to add
        (the review loop), so the question waits for the pick."""
        await self.state.put(
            state_key(StateKind.CLARIFY, incoming.channel, incoming.chat_id),
            {"question": shown, "normalized": normalized, "choices": [s.entry_id for s in outcome.suggestions]},
            CONTEXT_TTL,
        )
        return [[entry_button(s.entry_id, s.label)] for s in outcome.suggestions]

    async def record(self, incoming: Incoming, text: str, outcome: AskOutcome, shown: str, normalized: str) -> None:
        """Log a fallback or low-confidence question as `shown` (redacted) under `normalized`."""
        if not text:
            return
        # DEBUG, not INFO: the text is what a person typed; the admins read it from the unanswered log.
        log.debug("unanswered (%s, %.2f): %s", outcome.status, outcome.score, text[:200])
        if outcome.result is not None and outcome.result.analysis.tokens:
            best = outcome.result.best
            await self.people.store.log_unanswered(
                self.asker(incoming),
                shown,
                normalized,
                outcome.status,
                best.entry.id if best else None,
                outcome.score,
            )

    @staticmethod
    def asker(incoming: Incoming) -> tuple[str, str]:
        """Whom a logged question is linked to for erasure; nobody in a group (no one person asked it there)."""
        return (incoming.channel, incoming.chat_id) if incoming.private else ("", "")

    @staticmethod
    def redacted(text: str, normalized: str) -> tuple[str, str]:
        """The text with personal details replaced, and its normalised key (the engine's, when nothing was)."""
        shown = redact(text)
        if shown == text:
            return text, normalized
        return shown, " ".join(make_token(word).plain for word in raw_words(shown))

    # -- buttons ---------------------------------------------------------------------------------
    async def on_button(self, incoming: Incoming) -> list[Reply]:
        pressed = unpack(incoming.data or "")
        if isinstance(pressed, CAMPAIGN_CALLBACKS):
            return (
                await self.campaigns.on_button(incoming, pressed)
                if self._staff(incoming)
                else [Reply(texts.STAFF_ONLY)]
            )
        if not incoming.private and isinstance(pressed, PERSONAL_BUTTONS):
            return [Reply(texts.PRIVATE_ONLY)]
        if isinstance(pressed, STAFF_REQUEST_CALLBACKS):
            return (
                await self.handoff.on_staff_button(incoming, pressed)
                if self._staff(incoming)
                else [Reply(texts.STAFF_ONLY)]
            )
        if isinstance(pressed, STAFF_CASE_CALLBACKS):
            return (
                await self.cases.on_staff_button(incoming, pressed)
                if self._staff(incoming)
                else [Reply(texts.STAFF_ONLY)]
            )
        if isinstance(pressed, ApplicationStep):
            return await self.applications.on_button(incoming, pressed)
        reply = await self.on_plain_button(incoming, pressed)
        # A button from an old message may point at a topic or entry that no longer exists.
        replies = reply if isinstance(reply, list) else [reply] if reply is not None else [stale()]
        paused = await self.applications.pause(incoming) if not isinstance(pressed, StartApplication) else None
        return replies + ([paused] if paused is not None else [])

    async def remember_pick(self, incoming: Incoming, entry_id: str) -> None:
        """The entry opened becomes the follow-up context; picked after a question back, the pair
        (question → entry) goes to the admins' review."""
        await self.state.put(
            state_key(StateKind.CONTEXT, incoming.channel, incoming.chat_id), {"entry_id": entry_id}, CONTEXT_TTL
        )
        key = state_key(StateKind.CLARIFY, incoming.channel, incoming.chat_id)
        asked = await self.state.get(key)
        if asked is not None and entry_id in asked.get("choices", []):
            await self.state.delete(key)
            await self.people.store.record_choice(
                self.asker(incoming), str(asked["question"]), str(asked["normalized"]), entry_id
            )

    async def on_vote(self, incoming: Incoming, vote: Vote, helpful: bool) -> list[Reply]:
        """The vote ticks its button in place (where the platform can edit); after 👎, ask for a comment."""
        note = await self.people.vote(incoming, vote)
        answer = self.answer_reply(vote.entry_id, helpful)
        assert answer is not None  # the caller checked that the entry exists
        thanks = texts.FEEDBACK_THANKS if helpful else ""
        replies = [Reply(thanks, answer.buttons, edit=True, buttons_only=True)]
        return replies + ([note] if note is not None else [])

    async def on_plain_button(self, incoming: Incoming, pressed: Callback | None) -> Reply | list[Reply] | None:
        people = self.people
        match pressed:
            case MainMenu():
                return self.menu()
            case TopicPage(topic_id, page):
                return self.topic(topic_id, page)
            case ShowEntry(entry_id):
                reply = self.answer_reply(entry_id)
                if reply is not None:
                    await self.remember_pick(incoming, entry_id)
                return reply
            case ShowDetail(entry_id):
                return self.answer_reply(entry_id, detail_only=True)
            case NoneOfThese():
                return self.fallback_reply()
            case TalkToStaff():
                return await self.handoff.open(incoming)
            case EndHandoff():
                return await self.handoff.end_by_user(incoming)
            case Subscribe(None):
                return people.subscribe_menu()
            case Subscribe(topic_id) if topic_id is not None:
                return await people.subscribe(incoming, topic_id)
            case Unsubscribe():
                return await people.unsubscribe(incoming)
            case Vote(entry_id, helpful) if self.ask_service.entry(entry_id) is not None:
                return await self.on_vote(incoming, pressed, helpful)
            case WriteComment(feedback_id):
                return await people.await_comment(incoming, feedback_id)
            case SkipComment():
                return await people.skip_comment(incoming)
            case StartApplication():
                return await self.applications.begin(incoming)
            case MyCase(case_id):
                return await self.cases.my_case(incoming, case_id)
            case CaseInfoDone(case_id):
                return await self.cases.info_done(incoming, case_id)
            case EraseData(confirmed):
                if confirmed:
                    await self.handoff.before_erasure(incoming)
                return await people.delete(incoming, confirmed)
        return None
