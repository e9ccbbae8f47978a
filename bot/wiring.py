"""The one place objects are built: settings in, every part of a running bot out, collaborators passed in
through constructors. Nothing else in the code base constructs a channel, a sender, a search engine or
the broadcaster (DEVELOPERS.md: no singletons, no attributes patched on after construction)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot import housekeeping
from bot.admin.deps import AdminDeps
from bot.admin.editing import Editor
from bot.admin.trial import TrialRunner
from bot.broadcast.broadcaster import BroadcastConfig, Broadcaster
from bot.broadcast.desk import DatabaseDesk
from bot.broadcast.frequency_cap import FrequencyCap
from bot.broadcast.image_check import ImageCheck, ImageRules
from bot.broadcast.limiter import Limits, RateLimiter
from bot.channels.base import ChannelBase, Sender
from bot.channels.relay import Relay
from bot.channels.zalo_oa.assembly import build_oa_platform, oa_enabled, open_oa_sender
from bot.contact_book import ContactBook
from bot.db import live_knowledge
from bot.db.background_writes import BackgroundWrites
from bot.db.case_port import DatabaseCases
from bot.db.database import Database, open_database
from bot.db.handoff_port import DatabaseHandoffs
from bot.db.health import DatabaseHealth
from bot.db.people_port import DatabasePeople
from bot.db.state import DatabaseStateStore
from bot.live_search import LiveSearch
from bot.metrics import Metrics
from bot.settings import Settings, secret
from bot.setup_warnings import setup_warnings
from bot.startup import StartupError
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
from handlers.question_flow import QuestionFlow
from handlers.read_ahead import ReadAheadState
from knowledge.communes import load_communes
from knowledge.embeddings import VectorCache, load_embedder
from knowledge.loader import KnowledgeLoadError, load_directory
from knowledge.model import KnowledgeBase
from knowledge.search import SearchEngine
from knowledge.sources import SourceBook
from knowledge.validator import errors, validate

if TYPE_CHECKING:
    from bot.channels.console import ConsoleChannel
    from bot.channels.zalo_client import ZaloClient

log = logging.getLogger(__name__)
# Seconds between sweeps of expired conversation state.
STATE_PURGE_EVERY = 600.0
CONTACT_REFRESH_EVERY = 5.0  # seconds; as often as the knowledge reload looks for a new version
DATABASE_OPEN_TIMEOUT = 30.0  # seconds to connect and migrate before start-up gives up


# -- knowledge and search --------------------------------------------------------------------------
def load_release(settings: Settings) -> KnowledgeBase:
    """The shipped (or KNOWLEDGE_DIR) knowledge base; refuses one with errors, logs warnings."""
    kb, problems = load_directory(settings.knowledge_dir)
    problems += validate(kb)
    bad = errors(problems)
    if bad:
        raise KnowledgeLoadError(
            f"{settings.knowledge_dir}: {len(bad)} error(s) in the knowledge base, first: {bad[0]} "
            "(run `python -m bot kb validate` for all)"
        )
    for problem in problems:
        log.debug("%s", problem)
    return kb


class SearchBuilder:
    """Builds the search engine for a knowledge base: BM25 and, when enabled, embeddings with their vector
    cache, both loaded once per process and shared by every rebuild."""

    def __init__(self, settings: Settings):
        self.embedder = load_embedder(settings.embeddings, settings.embedding_threads)
        self.vectors = (
            VectorCache(settings.vector_cache_dir, self.embedder.name, self.embedder.dim)
            if self.embedder is not None
            else None
        )

    def __call__(self, kb: KnowledgeBase) -> SearchEngine:
        return SearchEngine(kb, embedder=self.embedder, vectors=self.vectors)


def release_ask_service(settings: Settings) -> AskService:
    """`ask` on the release files, no database: the search engine over KNOWLEDGE_DIR."""
    engine = SearchBuilder(settings)(load_release(settings))
    return AskService(lambda: engine, FixedContacts(settings.contact_details()), SourceBook.load())


def staff_chat(settings: Settings) -> tuple[str, str] | None:
    """STAFF_CHAT_ID as (channel, chat id); a bare id is a Telegram chat."""
    raw = (settings.staff_chat_id or "").strip()
    if not raw:
        return None
    channel, sep, chat = raw.partition(":")
    return (channel, chat) if sep and not channel.lstrip("-").isdigit() else ("telegram", raw)


# -- the core every bot process shares ------------------------------------------------------------
@dataclass
class Core:
    """Database, live search, shared state and the conversation: what channels and the web server use."""

    settings: Settings
    db: Database
    search: LiveSearch
    state: DatabaseStateStore
    people: DatabasePeople
    conversation: Conversation
    metrics: Metrics
    health: DatabaseHealth
    writes: BackgroundWrites
    contacts: ContactBook
    build_search: SearchBuilder
    desk: DatabaseDesk
    cases: CaseDesk  # applications for support: the staff chat's and the console's one way to change them
    relay: Relay = field(default_factory=Relay)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)  # rung when staff create a campaign
    _purger: asyncio.Task[None] | None = None
    _housekeeper: asyncio.Task[None] | None = None
    _contact_refresher: asyncio.Task[None] | None = None

    def start_background(self) -> None:
        """The knowledge reloader, the sweep of expired conversation state, and the daily retention job."""
        self.search.start()
        settings = self.settings
        self._housekeeper = asyncio.create_task(
            housekeeping.run_forever(
                self.db,
                settings.retention,
                settings.handoff_idle_hours,
                lambda: setup_warnings(self.contacts.current(), self.search().kb, dt.date.today()),
                settings.timezone,
            ),
            name="housekeeping",
        )

        async def purge() -> None:
            while True:
                await asyncio.sleep(STATE_PURGE_EVERY)
                try:
                    await self.state.purge_expired()
                except Exception:
                    log.exception("purging expired conversation state failed")

        self._purger = asyncio.create_task(purge(), name="state-purge")

        async def refresh_contacts() -> None:
            # What an admin saves in the console reaches answers within seconds, as knowledge changes do.
            while True:
                await asyncio.sleep(CONTACT_REFRESH_EVERY)
                try:
                    await self.contacts.refresh(self.db)
                except Exception:
                    log.exception("reading the contact settings failed; keeping the current ones")

        self._contact_refresher = asyncio.create_task(refresh_contacts(), name="contact-refresh")

    async def close(self) -> None:
        self.search.stop()
        await self.writes.close()
        await self.health.close()
        for task in (self._purger, self._housekeeper, self._contact_refresher):
            if task is not None:
                task.cancel()
        await self.db.dispose()


async def open_configured_database(settings: Settings) -> Database:
    """The database DATABASE_URL names, migrated; one clear line (no password) when it cannot be opened."""
    try:
        return await asyncio.wait_for(open_database(settings.database_url), DATABASE_OPEN_TIMEOUT)
    except (OSError, SQLAlchemyError, TimeoutError) as exc:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200] or type(exc).__name__
        raise StartupError(f"cannot open the database at {where} ({reason})") from None


async def build_core(settings: Settings) -> Core:
    db = await open_configured_database(settings)
    async with db.session() as session:
        kb = await live_knowledge.load_or_seed(session, load_release(settings))
    contacts = ContactBook(settings.contact_details())
    await contacts.refresh(db)
    for warning in setup_warnings(contacts.current(), kb, dt.date.today()):
        log.warning("%s", warning)
    build_search = SearchBuilder(settings)
    search = LiveSearch(await asyncio.to_thread(build_search, kb), db, build_search)
    health = DatabaseHealth(db, timeout=settings.database_call_timeout)
    writes = BackgroundWrites(health)
    stored_state = DatabaseStateStore(db, health)
    state = ReadAheadState(stored_state)  # every flow shares it, so a message sees its own writes
    people_store = DatabasePeople(db, writes)
    metrics = Metrics()
    wakeup = asyncio.Event()
    relay = Relay()
    ask = AskService(search, contacts, SourceBook.load())
    people = PeopleFlows(
        people_store, state, lambda: search().kb.menu_topics(), settings.staff, settings.retention, settings.timezone
    )
    handoff = HandoffFlow(
        DatabaseHandoffs(db),
        people_store,
        state,
        relay,
        contacts,
        settings.staff,
        staff_chat(settings),
        settings.handoff_idle_hours * 3600,
        settings.timezone,
    )
    # The flood window is kept per process, in memory: a database write for every message only to count
    # it cost four fifths of the throughput (bench/webhook_load.py: 42 → 26 updates/s… see README), and a
    # user spread over two processes is at most let through at twice the rate.
    flood = FloodGuard(MemoryStateStore(max_keys=50_000), settings.flood_limit, settings.flood_window)
    communes = load_communes()
    desk = DatabaseDesk(
        db,
        settings.timezone,
        lambda: search().kb.menu_topics(),
        wakeup.set,
        settings.quiet_window,
        communes=communes,
    )
    cases = CaseDesk(DatabaseCases(db), state, relay, staff_chat(settings), communes, settings.timezone)
    applications = ApplicationFlow(state, cases, people_store, communes, ask)
    answers = AnswerViews(ask, people)
    questions = QuestionFlow(ask, people, state, metrics, answers)
    conversation = Conversation(
        ask, people, handoff, flood, CampaignFlow(desk, state), state, relay, applications, cases, answers, questions
    )
    return Core(
        settings,
        db,
        search,
        stored_state,
        people_store,
        conversation,
        metrics,
        health,
        writes,
        contacts,
        build_search,
        desk,
        cases,
        relay,
        wakeup,
    )


def build_admin(core: Core) -> AdminDeps:
    """The web console's parts, over the same database, search builder and contact details as the bot."""
    return AdminDeps(
        core.db,
        Editor(core.db),
        TrialRunner(core.build_search),
        core.conversation,
        core.contacts,
        core.desk,
        core.conversation.handoff,
        core.people,
        core.relay,
        ImageCheck(image_rules(core.settings)),
        core.cases,
        core.settings.timezone,
        oa_enabled=oa_enabled(core.settings),
    )


def image_rules(settings: Settings) -> ImageRules:
    # The OA sends a picture's address, not the picture: Zalo never fetches it, so no size rule for "zalo_oa".
    kb = {"telegram": settings.campaign_image_max_kb_telegram, "zalo": settings.campaign_image_max_kb_zalo}
    return ImageRules({channel: size * 1000 for channel, size in kb.items()})


# -- channels and senders --------------------------------------------------------------------------
TELEGRAM_FREE_RATE = 30.0  # messages a second Telegram allows a bot without paid broadcasts


def paid_broadcast(settings: Settings) -> bool:
    """Whether Telegram sends carry allow_paid_broadcast: asked for, and needed for the configured rate."""
    return settings.telegram_paid_broadcast and settings.telegram_rate_per_second > TELEGRAM_FREE_RATE


def telegram_rate(settings: Settings) -> float:
    """The configured rate, held to the free limit unless paid broadcasts are enabled (Telegram would
    answer every message above it with 429)."""
    if settings.telegram_rate_per_second > TELEGRAM_FREE_RATE and not settings.telegram_paid_broadcast:
        return TELEGRAM_FREE_RATE
    return settings.telegram_rate_per_second


def build_limiters(settings: Settings, reply_reserve: float = Limits.reply_reserve) -> dict[str, RateLimiter]:
    """One limiter per channel for the whole process: campaign sends and replies to users share it.

    The platform counts per bot, so with CAMPAIGN_WORKERS processes sending, each takes its share.
    """
    share = max(1, settings.campaign_workers)
    if telegram_rate(settings) < settings.telegram_rate_per_second:
        log.warning(
            "TELEGRAM_RATE_PER_SECOND=%s is above Telegram's free %s messages/s and TELEGRAM_PAID_BROADCAST is "
            "not enabled: campaigns go at %s/s",
            settings.telegram_rate_per_second,
            TELEGRAM_FREE_RATE,
            TELEGRAM_FREE_RATE,
        )
    limiters = {
        "telegram": RateLimiter(Limits(per_second=telegram_rate(settings) / share, reply_reserve=reply_reserve)),
        # Zalo ids are not negative group ids; its per-chat pace is our own choice (1/s).
        "zalo": RateLimiter(
            Limits(per_second=settings.zalo_rate_per_second / share, reply_reserve=reply_reserve),
            is_group=lambda _c: False,
        ),
    }
    if oa_enabled(settings):  # OA user ids are per OA, never a group
        limiters["zalo_oa"] = RateLimiter(
            Limits(per_second=settings.zalo_oa_rate_per_second / share, reply_reserve=reply_reserve),
            is_group=lambda _c: False,
        )
    return limiters


def build_zalo_client(settings: Settings) -> ZaloClient:
    from bot.channels.zalo_client import ZaloClient

    token = secret(settings.zalo_bot_token)
    if not token:
        raise StartupError("ZALO_BOT_TOKEN is empty")
    return ZaloClient(token, settings.zalo_api_base_url, timeout=settings.send_timeout)


@dataclass
class Platforms:
    """The running platform channels and, for campaigns, a sender per channel."""

    channels: list[ChannelBase]
    senders: dict[str, Sender]


def build_platforms(core: Core, limiters: dict[str, RateLimiter]) -> Platforms:
    """Every channel whose token is set, each with the campaign sender that goes with it."""
    settings = core.settings
    channels: list[ChannelBase] = []
    senders: dict[str, Sender] = {}
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram import TelegramChannel, TelegramConfig
        from bot.channels.telegram_sender import TelegramSender

        token = secret(settings.telegram_bot_token)
        config = TelegramConfig(
            token,
            settings.telegram_api_base_url,
            settings.telegram_webhook_url or "",
            secret(settings.telegram_webhook_secret),
            paid_broadcast(settings),
        )
        channels.append(TelegramChannel(config, core.conversation, core.relay, limiters["telegram"], core.metrics))
        # Campaign sends go through a lean aiohttp client (see telegram_sender.py).
        senders["telegram"] = TelegramSender(
            token, settings.telegram_api_base_url, settings.send_timeout, paid_broadcast(settings)
        )
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import ZaloChannel, ZaloSender

        client = build_zalo_client(settings)
        channels.append(
            ZaloChannel(
                client,
                secret(settings.zalo_webhook_secret),
                core.conversation,
                core.relay,
                limiters["zalo"],
                core.metrics,
                core.state,
            )
        )
        senders["zalo"] = ZaloSender(client)
    if oa_enabled(settings):
        oa_channel, senders["zalo_oa"] = build_oa_platform(core, limiters["zalo_oa"], staff_chat(settings))
        channels.append(oa_channel)
    return Platforms(channels, senders)


def build_console(core: Core) -> ConsoleChannel:
    from bot.channels.console import ConsoleChannel

    console = ConsoleChannel(core.conversation, core.state)
    core.relay.register(console.name, console.send)
    return console


async def open_senders(settings: Settings, stack: contextlib.AsyncExitStack, db: Database) -> dict[str, Sender]:
    """Campaign senders for `campaign send`, a process with no channels: each opened, closed with `stack`.
    The Zalo OA's needs `db` (its tokens and its followers' counts live there)."""
    senders: dict[str, Sender] = {}
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram_sender import TelegramSender

        sender = TelegramSender(
            secret(settings.telegram_bot_token),
            settings.telegram_api_base_url,
            settings.send_timeout,
            paid_broadcast(settings),
        )
        await sender.start()
        stack.push_async_callback(sender.close)
        senders["telegram"] = sender
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import ZaloSender

        client = build_zalo_client(settings)
        await client.start()
        stack.push_async_callback(client.close)
        senders["zalo"] = ZaloSender(client)
    if oa_enabled(settings):
        senders["zalo_oa"] = await open_oa_sender(settings, db, stack)
    if not senders:
        raise StartupError("no TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN or Zalo OA: nothing to send campaigns with")
    return senders


# -- campaigns -------------------------------------------------------------------------------------
def broadcast_config(settings: Settings) -> BroadcastConfig:
    start, end = settings.quiet_window
    # A quarter of a second of sending per claimed batch: a few transactions a second for the database,
    # and a cancel or a new campaign takes effect within one batch.
    fastest = max(telegram_rate(settings), settings.zalo_rate_per_second) / max(1, settings.campaign_workers)
    batch = int(max(10, min(500, fastest * 0.25)))
    return BroadcastConfig(
        batch=batch,
        timezone=settings.timezone,
        quiet_start=start,
        quiet_end=end,
        lease=dt.timedelta(seconds=settings.campaign_lease_seconds),
        cap=FrequencyCap(settings.campaign_max_per_day, settings.campaign_max_per_week, settings.timezone),
        # About 40 ms of sends marked ahead (one at 30/s): hides a commit, leaves few unknowns after a crash.
        marked_ahead=int(max(1, fastest * 0.04)),
        # At paid rates outcomes wait 50 ms to be written together: a few transactions a second, not hundreds.
        commit_linger=0.05 if fastest >= 100 else 0.0,
    )


def build_broadcaster(
    db: Database,
    settings: Settings,
    senders: dict[str, Sender],
    limiters: dict[str, RateLimiter] | None = None,
    wakeup: asyncio.Event | None = None,
    metrics: Metrics | None = None,
) -> Broadcaster:
    limiters = limiters or build_limiters(settings)
    return Broadcaster(
        db,
        senders,
        {c: limiters[c] for c in senders},
        broadcast_config(settings),
        wakeup=wakeup,
        on_settled=metrics.delivered if metrics is not None else lambda _c, _s: None,
    )
