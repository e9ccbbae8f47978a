"""Prometheus metrics for /metrics: questions by outcome, reply latency, deliveries by status, queue depth.

One registry per running bot (built in bot/wiring.py), not the library's global one, so tests and several
bots in one process never share counters.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func
from sqlmodel import col, select

from bot.db.database import Database
from bot.db.models import Delivery
from handlers.statuses import OPEN_DELIVERIES, AskStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds: answers take milliseconds; the upper buckets show a stalled database or platform.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUEUED = OPEN_DELIVERIES


class Metrics:
    """Implements handlers.ports.ConversationMetrics, and what channels and the broadcaster report."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter("troly_questions", "Questions asked, by outcome", ["outcome"], registry=self.registry)
        self.search_seconds = Histogram(
            "troly_search_seconds", "Time to search one question", buckets=LATENCY_BUCKETS, registry=self.registry
        )
        self.reply_seconds = Histogram(
            "troly_reply_seconds",
            "Time from an update to its replies sent, by channel",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "troly_deliveries",
            "Campaign deliveries settled, by channel and status",
            ["channel", "status"],
            registry=self.registry,
        )
        self.queue = Gauge(
            "troly_delivery_queue",
            "Campaign deliveries waiting or in flight, by status",
            ["status"],
            registry=self.registry,
        )
        for status in AskStatus:
            self.questions.labels(outcome=status.value)  # every outcome shows, at 0 before the first

    def question(self, status: AskStatus, seconds: float) -> None:
        self.questions.labels(outcome=str(status)).inc()
        self.search_seconds.observe(seconds)

    def reply(self, channel: str, seconds: float) -> None:
        self.reply_seconds.labels(channel=channel).observe(seconds)

    def delivered(self, channel: str, status: str) -> None:
        self.deliveries.labels(channel=channel, status=status).inc()

    async def render(self, db: Database | None) -> bytes:
        """The exposition text; the queue depth is read from the database at scrape time."""
        if db is not None:
            async with db.session() as session:
                rows = (
                    await session.exec(
                        select(Delivery.status, func.count())
                        .where(col(Delivery.status).in_(QUEUED))
                        .group_by(Delivery.status)
                    )
                ).all()
            found = {status: count for status, count in rows}
            for status in QUEUED:
                self.queue.labels(status=status.value).set(found.get(status, 0))
        return generate_latest(self.registry)
