"""The fast tier's harness: a Conversation over in-memory fakes, driven by a Talk that collects every reply
(Rasa's CollectingOutputChannel, in our terms). No database, no platform, milliseconds per flow."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.ask import AskService
from handlers.campaign_flow import CampaignFlow
from handlers.conversation import Conversation
from handlers.flood import FloodGuard
from handlers.memory_state import MemoryStateStore
from handlers.people import PeopleFlows
from handlers.ports import NoMetrics
from handlers.types import Incoming, Reply
from knowledge.search import SearchEngine
from tests.fakes.memory import MemoryDesk, MemoryPeople

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


@dataclass
class Bot:
    """One conversation and every fake behind it, for assertions."""

    conversation: Conversation
    people: MemoryPeople
    desk: MemoryDesk
    state: MemoryStateStore
    clock: FakeClock

    def talk(
        self, chat_id: str = "111", channel: str = "telegram", user_id: str | None = None, name: str = "Lan"
    ) -> Talk:
        return Talk(self, channel, chat_id, user_id or chat_id, name)


def build_bot(
    engine: SearchEngine,
    staff: frozenset[str] = frozenset({STAFF}),
    staff_chat: tuple[str, str] | None = STAFF_CHAT,
    flood_limit: int = 20,
) -> Bot:
    clock = FakeClock()
    state = MemoryStateStore(clock)
    people_store = MemoryPeople()
    desk = MemoryDesk()
    ask = AskService(lambda: engine, CONTACT)
    people = PeopleFlows(people_store, state, lambda: engine.kb.menu_topics(), CONTACT, staff, staff_chat)
    conversation = Conversation(
        ask, people, FloodGuard(state, limit=flood_limit, clock=clock), CampaignFlow(desk, state), NoMetrics(), state
    )
    return Bot(conversation, people_store, desk, state, clock)


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

    async def say(self, text: str) -> list[Reply]:
        return await self._send(Incoming(self.channel, self.chat_id, self.user_id, text=text, user_name=self.name))

    async def press_data(self, data: str) -> list[Reply]:
        return await self._send(Incoming(self.channel, self.chat_id, self.user_id, data=data, user_name=self.name))

    def own(self) -> list[Reply]:
        """The replies meant for this chat (not relayed elsewhere)."""
        return [r for r in self.replies if r.channel is None]

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
