"""The conversation: commands, buttons and typed text routed to the flow each belongs to, turned into replies."""

from __future__ import annotations

import dataclasses

from handlers import texts
from handlers.answer_views import AnswerViews
from handlers.application_flow import ApplicationFlow, apply_button
from handlers.ask import AskService
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
from handlers.commands import (
    CASE_COMMANDS,
    FORM_COMMANDS,
    OWN_DATA_COMMANDS,
    PERSONAL_COMMANDS,
    REQUEST_COMMANDS,
    STAFF_COMMANDS,
    command_name,
)
from handlers.flood import FloodGuard, FloodVerdict
from handlers.handoff import HandoffFlow
from handlers.opt_out import is_opt_out
from handlers.people import PeopleFlows, menu_row
from handlers.ports import Messenger
from handlers.question_flow import MAX_QUESTION_CHARS, QuestionFlow
from handlers.read_ahead import ReadAheadState
from handlers.sectors import apply_intent
from handlers.staff_intent import staff_wish
from handlers.state_keys import chat_keys
from handlers.types import Button, Incoming, Reply

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
        state: ReadAheadState,
        messenger: Messenger,
        applications: ApplicationFlow,
        cases: CaseDesk,
        answers: AnswerViews,
        questions: QuestionFlow,
        unthrottled_channels: frozenset[str] = frozenset({"console"}),
    ):
        self.ask_service = ask
        self.state = state
        self.people = people
        self.handoff = handoff
        self.flood = flood
        self.campaigns = campaigns
        self.messenger = messenger
        self.applications = applications
        self.cases = cases
        self.answers = answers
        self.questions = questions
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
        return text.startswith("/") and command_name(text) in OWN_DATA_COMMANDS

    # -- commands --------------------------------------------------------------------------------
    async def on_command(self, incoming: Incoming, text: str) -> list[Reply]:
        replies = await self.command(incoming, text)
        if command_name(text) in FORM_COMMANDS or not incoming.private:
            return replies
        paused = await self.applications.pause(incoming)  # its text is a question again, until it resumes
        return replies + ([paused] if paused is not None else [])

    async def command(self, incoming: Incoming, text: str) -> list[Reply]:
        name = command_name(text)
        people = self.people
        if name == "start":
            greeting = f", {incoming.user_name}" if incoming.user_name else ""
            rows = self.answers.topic_buttons()
            rows.append(apply_button())
            rows.append([Button(texts.SUBSCRIBE_OFFER, pack(Subscribe()))])
            return [Reply(texts.WELCOME.format(name=greeting), rows)]
        if name == "help":
            rows = [[Button(texts.TALK_TO_HUMAN, pack(TalkToStaff()))], apply_button(), menu_row()]
            return [Reply(texts.HELP + texts.HELP_APPLY, rows)]
        if name == "menu":
            return [self.answers.menu()]
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

    async def cancel(self, incoming: Incoming) -> list[Reply]:
        """/huy: a staff member's pending note, or the chat's open form."""
        dropped = await self.cases.cancel_note(incoming) if self._staff(incoming) else None
        if dropped is not None:
            return [dropped]
        form = await self.applications.load(incoming) if incoming.private else None
        if form is None:
            return [Reply(texts.APPLY_NOTHING_TO_CANCEL)]
        return await self.applications.on_button(incoming, ApplicationStep(form.form, FormAction.STOP))

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
        return replies + await self.questions.answer(incoming, text)

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

    async def on_vote(self, incoming: Incoming, vote: Vote, helpful: bool) -> list[Reply]:
        """The vote ticks its button in place (where the platform can edit); after 👎, ask for a comment."""
        note = await self.people.vote(incoming, vote)
        answer = self.answers.answer_reply(vote.entry_id, helpful)
        assert answer is not None  # the caller checked that the entry exists
        thanks = texts.FEEDBACK_THANKS if helpful else ""
        replies = [Reply(thanks, answer.buttons, edit=True, buttons_only=True)]
        return replies + ([note] if note is not None else [])

    async def on_plain_button(self, incoming: Incoming, pressed: Callback | None) -> Reply | list[Reply] | None:
        people = self.people
        match pressed:
            case MainMenu():
                return self.answers.menu()
            case TopicPage(topic_id, page):
                return self.answers.topic(topic_id, page)
            case ShowEntry(entry_id):
                reply = self.answers.answer_reply(entry_id)
                if reply is not None:
                    await self.questions.remember_pick(incoming, entry_id)
                return reply
            case ShowDetail(entry_id):
                return self.answers.answer_reply(entry_id, detail_only=True)
            case NoneOfThese():
                return self.answers.fallback_reply()
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
