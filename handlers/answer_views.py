"""What the bot shows: the topic menu and its pages, an entry's answer, two answers at once, the honest
"I don't know" — replies built from the knowledge base, with the buttons that go under them."""

from __future__ import annotations

from handlers import texts
from handlers.application_flow import APPLY_TOPIC, apply_button
from handlers.ask import AskOutcome, AskService
from handlers.callbacks import MainMenu, ShowDetail, ShowEntry, TalkToStaff, TopicPage, pack
from handlers.people import PeopleFlows, menu_row
from handlers.types import Button, Reply
from knowledge.model import Entry

# Questions per menu page, about: a topic of 37 questions as one list is a wall on a phone; 8 fit a screen.
TOPIC_PAGE_SIZE = 8
# Entries tagged so are greetings, thanks and goodbyes: no 👍/👎 and no source under them.
SMALL_TALK_TAG = "small-talk"


def entry_button(entry_id: str, label: str) -> Button:
    return Button(label=label, data=pack(ShowEntry(entry_id)))


class AnswerViews:
    """Replies made from the knowledge base the search service holds now (it changes with each edit)."""

    def __init__(self, ask: AskService, people: PeopleFlows):
        self.ask_service = ask
        self.people = people

    # -- menus -----------------------------------------------------------------------------------
    def topic_buttons(self) -> list[list[Button]]:
        kb = self.ask_service.engine.kb
        return [[Button(t.title, pack(TopicPage(t.id)))] for t in kb.menu_topics()]

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
