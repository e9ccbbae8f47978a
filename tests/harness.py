"""The fast tier's harness: a Conversation over in-memory fakes, driven by a Talk that collects every reply
(Rasa's CollectingOutputChannel, in our terms). No database, no platform, milliseconds per flow."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from handlers.answer_views import AnswerViews
from handlers.application_flow import ApplicationFlow
from handlers.ask import AskService
from handlers.campaign_flow import CampaignFlow
from handlers.case_desk import CaseDesk
from handlers.contact import FixedContacts
from handlers.conversation import Conversation
from handlers.flood import FloodGuard
from handlers.handoff import HandoffFlow
from handlers.memory_state import MemoryStateStore
from handlers.people import PeopleFlows
from handlers.ports import NoMetrics
from handlers.question_flow import QuestionFlow
from handlers.read_ahead import ReadAheadState
from handlers.types import Incoming, Reply
from handlers.views import ContactDetails, RetentionPolicy
from knowledge.communes import CommuneList, load_communes
from knowledge.search import SearchEngine
from tests.fakes.memory import CollectingMessenger, MemoryCases, MemoryDesk, MemoryHandoffs, MemoryPeople

CONTACT = "(liên hệ)"
STAFF = "telegram:900"
STAFF_CHAT = ("telegram", "-100")


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self, start: float = 1_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """asyncio.sleep for code under test: time passes at once."""
        self.now += seconds


@dataclass
class Bot:
    """One conversation and every fake behind it, for assertions."""

    conversation: Conversation
    people: MemoryPeople
    handoffs: MemoryHandoffs
    messenger: CollectingMessenger
    desk: MemoryDesk
    state: MemoryStateStore
    clock: FakeClock
    cases: MemoryCases
    case_desk: CaseDesk

    def talk(
        self, chat_id: str = "111", channel: str = "telegram", user_id: str | None = None, name: str = "Lan"
    ) -> Talk:
        return Talk(self, channel, chat_id, user_id or chat_id, name)


def build_bot(
    engine: SearchEngine,
    staff: frozenset[str] = frozenset({STAFF}),
    staff_chat: tuple[str, str] | None = STAFF_CHAT,
    flood_limit: int = 20,
    contact: ContactDetails | None = None,
    state: MemoryStateStore | None = None,
) -> Bot:
    clock = FakeClock()
    stored_state = state if state is not None else MemoryStateStore(clock)
    state = ReadAheadState(stored_state)  # as in bot/wiring.py
    handoffs = MemoryHandoffs()
    cases = MemoryCases()
    # As the database does: "show my data" counts the chat's cases, erasure anonymises them.
    people_store = MemoryPeople(handoffs, cases=cases)
    messenger = CollectingMessenger()
    desk = MemoryDesk()
    contacts = FixedContacts(contact or ContactDetails("Sở Thử nghiệm", phone=CONTACT))
    ask = AskService(lambda: engine, contacts)
    people = PeopleFlows(people_store, state, lambda: engine.kb.menu_topics(), staff, RetentionPolicy())
    handoff = HandoffFlow(handoffs, people_store, state, messenger, contacts, staff, staff_chat, sleep=clock.sleep)
    # As in bot/wiring.py: the flood window in a store of its own, not the conversation state.
    flood = FloodGuard(MemoryStateStore(clock), limit=flood_limit, clock=clock, sleep=clock.sleep)
    case_desk = CaseDesk(cases, state, messenger, staff_chat, communes())
    applications = ApplicationFlow(state, case_desk, people_store, communes(), ask)
    answers = AnswerViews(ask, people)
    questions = QuestionFlow(ask, people, state, NoMetrics(), answers)
    campaigns = CampaignFlow(desk, state)
    conversation = Conversation(
        ask, people, handoff, flood, campaigns, state, messenger, applications, case_desk, answers, questions
    )
    return Bot(conversation, people_store, handoffs, messenger, desk, stored_state, clock, cases, case_desk)


@cache
def communes() -> CommuneList:
    """The province's commune list, read once for every test."""
    return load_communes()


@dataclass
class Talk:
    """One chat's side: what it sends, and every reply the conversation produced (relays included)."""

    bot: Bot
    channel: str
    chat_id: str
    user_id: str
    name: str
    replies: list[Reply] = field(default_factory=list)

    async def _send(self, incoming: Incoming) -> list[Reply]:
        got = await self.bot.conversation.handle(incoming)
        self.replies.extend(got)
        return got

    async def say(self, text: str, reply_to: str | None = None) -> list[Reply]:
        return await self._send(
            Incoming(self.channel, self.chat_id, self.user_id, text=text, user_name=self.name, reply_to=reply_to)
        )

    async def press_data(self, data: str) -> list[Reply]:
        return await self._send(Incoming(self.channel, self.chat_id, self.user_id, data=data, user_name=self.name))

    def own(self) -> list[Reply]:
        """The replies to this chat's messages."""
        return self.replies

    def pushed(self) -> list[Reply]:
        """Messages sent to this chat on someone else's action (staff answers, a flood note)."""
        return self.bot.messenger.to(self.channel, self.chat_id)

    def button(self, label_part: str) -> str:
        """The data of the newest button in this chat whose label contains `label_part`."""
        for reply in reversed(self.own()):
            for button in reply.flat_buttons():
                if label_part in button.label and button.data:
                    return button.data
        raise AssertionError(
            f"no button with {label_part!r} in {[b.label for r in self.own() for b in r.flat_buttons()]}"
        )

    async def press(self, label_part: str) -> list[Reply]:
        return await self.press_data(self.button(label_part))
