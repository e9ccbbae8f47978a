"""A question typed to the bot: searched off the event loop, logged, and answered, asked back or honestly
not answered; the follow-up context and the clarify pick it leaves in the conversation state."""

from __future__ import annotations

import asyncio
import logging
import time

from handlers import texts
from handlers.answer_views import AnswerViews, entry_button
from handlers.ask import AskOutcome, AskService
from handlers.callbacks import NoneOfThese, pack
from handlers.people import PeopleFlows, menu_row
from handlers.ports import ConversationMetrics
from handlers.read_ahead import ReadAheadState
from handlers.redact import redact
from handlers.state_keys import StateKind, state_key
from handlers.statuses import AskStatus
from handlers.types import Button, Incoming, Reply
from handlers.views import QuestionLogged
from knowledge.normalize import make_token, raw_words

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer text is cut for search: nobody asks one question in 1,000 characters
CONTEXT_TTL = 600.0  # seconds a follow-up may lean on the previous answer, and a clarify wait for its pick


class QuestionFlow:
    """From a question's text to its reply, with what the admins' review and the next question need."""

    def __init__(
        self,
        ask: AskService,
        people: PeopleFlows,
        state: ReadAheadState,
        metrics: ConversationMetrics,
        answers: AnswerViews,
    ):
        self.ask_service = ask
        self.people = people
        self.state = state
        self.metrics = metrics
        self.answers = answers

    async def answer(self, incoming: Incoming, text: str) -> list[Reply]:
        replies: list[Reply] = []
        if len(text) > MAX_QUESTION_CHARS:
            replies.append(Reply(texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS)))
            text = text[:MAX_QUESTION_CHARS]
        started = time.perf_counter()
        context_key = state_key(StateKind.CONTEXT, incoming.channel, incoming.chat_id)
        context = await self.state.get(context_key)
        previous = str(context["entry_id"]) if context else None
        # Off the event loop: embedding a question takes tens of milliseconds of CPU (in C, without the
        # GIL), and other chats must not wait for it.
        outcome = await asyncio.to_thread(self.ask_service.ask, text, previous)
        self.metrics.question(outcome.status, time.perf_counter() - started)
        best = outcome.result.best if outcome.result is not None else None
        store = self.people.store
        await store.log_question(
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
            both = self.answers.both_reply(outcome.entry_id, outcome.also[0].entry)
            if both is not None:
                await self.state.put(context_key, {"entry_id": outcome.entry_id}, CONTEXT_TTL)
                for entry_id in (outcome.entry_id, outcome.also[0].entry.id):
                    await store.count_answer(entry_id)
                return replies + [both]
        if outcome.status is AskStatus.ANSWERED and outcome.entry_id:
            reply = self.answers.answer_reply(outcome.entry_id)
            if reply is not None:
                await self.state.put(context_key, {"entry_id": outcome.entry_id}, CONTEXT_TTL)
                await store.count_answer(outcome.entry_id)
                return replies + [reply]
        if outcome.status is AskStatus.CLARIFY:
            rows = await self.offer_choices(incoming, outcome, shown, normalized)
            rows.append([Button(texts.NONE_OF_THESE, pack(NoneOfThese()))])
            return replies + [Reply(outcome.answer, rows)]
        if not outcome.result or not outcome.result.analysis.tokens:
            return replies + [Reply(texts.EMPTY_QUESTION, [menu_row()])]
        choices = await self.offer_choices(incoming, outcome, shown, normalized) if outcome.suggestions else None
        return replies + [self.answers.fallback_reply(outcome, choices)]

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
