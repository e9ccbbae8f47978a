"""The guided application for support ("Đăng ký nhận hỗ trợ"): where a chat's form is and where it goes next.

Consent, one question at a time with back and stop, a summary to confirm, then a case and its reference. Until
"Gửi hồ sơ" the answers live only in the shared state store, for a day at most: nothing becomes a case before.
How each step is asked and how its answer is read: handlers/application_form.py."""

from __future__ import annotations

import dataclasses
import logging
import secrets

from handlers import texts
from handlers.application_form import (
    FIELDS,
    MAIN_STEP,
    ORDER,
    Form,
    FormPrompts,
    Step,
    agrees,
    read_answer,
    says_done,
    toggle,
)
from handlers.ask import AskService
from handlers.business_ids import BusinessIdError
from handlers.callbacks import ApplicationStep, FormAction, MainMenu, StartApplication, pack
from handlers.case_desk import CaseDesk
from handlers.ports import PeopleStore, StateStore
from handlers.sectors import OCOP_STARS, SECTORS, needs_in, typed_stars
from handlers.state_keys import StateKind, state_key
from handlers.statuses import SupportNeed
from handlers.types import Button, Incoming, Reply
from knowledge.communes import CommuneList

log = logging.getLogger(__name__)

FORM_TTL = 24 * 3600.0  # seconds an unanswered form waits before it is dropped
DROPPED_TTL = 7 * 24 * 3600.0  # seconds the "your unfinished form was dropped" note waits for the next message
APPLY_TOPIC = "dang-ky-ho-tro"  # answers of this topic carry the "Đăng ký nhận hỗ trợ" button


def apply_button() -> list[Button]:
    return [Button(texts.APPLY_BUTTON, pack(StartApplication()))]


class ApplicationFlow:
    """Both ends of the form: starting it (menu, answers, /dangkyhotro, typed wish), every step, and the case."""

    def __init__(
        self,
        state: StateStore,
        cases: CaseDesk,
        people: PeopleStore,
        communes: CommuneList,
        ask: AskService,
        ttl: float = FORM_TTL,
    ):
        self.state = state
        self.cases = cases
        self.people = people
        self.communes = communes
        self.prompts = FormPrompts(communes, cases.place, ask)
        self.ttl = ttl

    @staticmethod
    def _key(incoming: Incoming) -> str:
        return state_key(StateKind.APPLY, incoming.channel, incoming.chat_id)

    @staticmethod
    def _dropped_key(incoming: Incoming) -> str:
        return state_key(StateKind.APPLY_DROPPED, incoming.channel, incoming.chat_id)

    async def load(self, incoming: Incoming) -> Form | None:
        data = await self.state.get(self._key(incoming))
        return Form.load(data) if data is not None else None

    async def _save(self, incoming: Incoming, form: Form) -> None:
        await self.state.put(self._key(incoming), dataclasses.asdict(form), self.ttl)

    async def _forget(self, incoming: Incoming) -> None:
        await self.state.delete(self._key(incoming))
        await self.state.delete(self._dropped_key(incoming))

    # -- entering and leaving ------------------------------------------------------------------------
    async def begin(self, incoming: Incoming, needs: tuple[str, ...] = ()) -> list[Reply]:
        """A new form at its consent; with one already open, the choice to go on with it or start again."""
        form = await self.load(incoming)
        if form is not None:
            rows = [
                [Button(texts.APPLY_RESUME, pack(ApplicationStep(form.form, FormAction.RESUME)))],
                [Button(texts.APPLY_RESTART, pack(ApplicationStep(form.form, FormAction.RESTART)))],
            ]
            return [Reply(texts.APPLY_OPEN_ALREADY, rows)]
        return await self._start(incoming, needs)

    async def _start(self, incoming: Incoming, needs: tuple[str, ...]) -> list[Reply]:
        form = Form(secrets.token_hex(4), needs=list(needs))
        await self._save(incoming, form)
        # No personal data in it: only that a form was begun, for the note if it is left for a day.
        await self.state.put(self._dropped_key(incoming), {"form": form.form}, DROPPED_TTL)
        return [self.prompts.for_step(form)]

    async def pending(self, incoming: Incoming) -> Form | None:
        """The open form that takes this chat's next text (not one paused while the chat does something else)."""
        form = await self.load(incoming)
        return form if form is not None and not form.paused else None

    async def pause(self, incoming: Incoming) -> Reply | None:
        """A command or another button while a form is open: its text is a question again, until it resumes."""
        form = await self.pending(incoming)
        if form is None:
            return None
        form.paused = True
        await self._save(incoming, form)
        return Reply(texts.APPLY_PAUSED)

    async def dropped(self, incoming: Incoming) -> Reply | None:
        """The one-line note, once, that a form left for a day was dropped."""
        key = self._dropped_key(incoming)
        if await self.state.get(key) is None or await self.state.get(self._key(incoming)) is not None:
            return None
        await self.state.delete(key)
        return Reply(texts.APPLY_DROPPED)

    # -- from step to step ---------------------------------------------------------------------------
    async def _advance(self, incoming: Incoming, form: Form, to: Step | None = None, hint: bool = False) -> list[Reply]:
        """On to `to` (a step's follow-up) or the next step, or back to the summary after an edit."""
        if to is None:
            to = Step.SUMMARY if form.editing >= 0 else ORDER[ORDER.index(MAIN_STEP.get(form.step, form.step)) + 1]
        if form.step is not Step.CONSENT:
            form.back.append(form.step.value)
        form.step = to
        if to is Step.SUMMARY and form.editing >= 0:  # an edit done: "◀ Quay lại" works as before it
            form.back, form.editing = form.back[: form.editing], -1
        note = self.prompts.hint(form) if hint else None
        await self._save(incoming, form)
        return ([note] if note is not None else []) + [self.prompts.for_step(form)]

    # -- answers -------------------------------------------------------------------------------------
    async def on_text(self, incoming: Incoming, form: Form, text: str) -> list[Reply] | None:
        """A typed answer to the open step: stored in the form and on to the next step, or refused in words;
        None when it is no answer (a question typed instead of agreeing: the form, still empty, goes)."""
        step = form.step
        if step is Step.CONSENT:
            if agrees(text):
                return await self._advance(incoming, form, Step.NAME)
            await self._forget(incoming)
            return None
        if not any(ch.isalnum() for ch in text):
            return [self.prompts.for_step(form, texts.APPLY_ONLY_TEXT)]
        try:
            if step is Step.COMMUNE:
                return await self._commune(incoming, form, text)
            if step is Step.OCOP:
                return await self._stars(incoming, form, typed_stars(text))
            if step is Step.NEEDS:
                return await self._typed_needs(incoming, form, text)
            if not read_answer(form, text):  # the summary: it takes its buttons only
                return [self.prompts.for_step(form, texts.APPLY_SUMMARY_TYPED)]
        except (BusinessIdError, ValueError) as problem:
            return [self.prompts.for_step(form, str(problem))]
        return await self._advance(incoming, form)

    async def _commune(self, incoming: Incoming, form: Form, typed: str) -> list[Reply]:
        found = self.communes.resolve(typed)
        if found is not None:
            form.commune = found.name
            return await self._advance(incoming, form)
        return [self.prompts.communes_like(form, typed)]

    async def _stars(self, incoming: Incoming, form: Form, stars: int | None) -> list[Reply]:
        if stars is None:
            return [self.prompts.for_step(form, texts.APPLY_OCOP_TYPED)]
        form.stars = stars
        if not stars:
            form.product = ""
            return await self._advance(incoming, form)
        return await self._advance(incoming, form, Step.OCOP_PRODUCT, hint=True)

    async def _typed_needs(self, incoming: Incoming, form: Form, text: str) -> list[Reply]:
        if says_done(text):
            return await self._needs_done(incoming, form)
        named = needs_in(text)
        if not named:
            return [self.prompts.for_step(form, texts.APPLY_USE_BUTTONS)]
        for need in named:
            toggle(form, need)
        note = self.prompts.hint(form) if SupportNeed.OCOP_STANDARDS.value in form.needs else None
        await self._save(incoming, form)
        return ([note] if note else []) + [self.prompts.for_step(form)]

    async def _needs_done(self, incoming: Incoming, form: Form) -> list[Reply]:
        if not form.needs:
            return [self.prompts.for_step(form, texts.APPLY_NEEDS_EMPTY)]
        return await self._advance(incoming, form)

    # -- buttons -------------------------------------------------------------------------------------
    async def on_button(self, incoming: Incoming, pressed: ApplicationStep) -> list[Reply]:
        form = await self.load(incoming)
        if form is None or form.form != pressed.form_id:  # an old form's button, or another chat's
            return [Reply(texts.APPLY_STALE, [[Button(texts.MAIN_MENU, pack(MainMenu()))]])]
        if form.paused:  # its own button takes the form up again
            form.paused = False
            await self._save(incoming, form)
        action, value = pressed.action, pressed.value
        if action is FormAction.STOP:
            await self._forget(incoming)
            return [Reply(texts.APPLY_STOPPED, [apply_button()])]
        if action is FormAction.RESTART:
            return await self._start(incoming, ())
        if action is FormAction.BACK:
            return await self._back(incoming, form)
        if action is FormAction.RESUME:
            return [self.prompts.for_step(form)]
        if action is FormAction.LIST:
            return [self.prompts.commune_list(), self.prompts.for_step(form)]
        step, _, number = value.partition("_")
        expected = {
            FormAction.AGREE: Step.CONSENT,
            FormAction.NEED: Step.NEEDS,
            FormAction.DONE: Step.NEEDS,
            FormAction.SUBMIT: Step.SUMMARY,
            FormAction.EDIT: Step.SUMMARY,
            FormAction.PICK: step,
        }.get(action)
        if expected != form.step:  # a button of a step already left (Zalo's "0" shows old lists again)
            return [self.prompts.for_step(form, texts.APPLY_USE_BUTTONS)]
        if action is FormAction.AGREE:
            return await self._advance(incoming, form, Step.NAME)
        if action is FormAction.NEED and value in {n.value for n in SupportNeed}:
            toggle(form, value)
            note = self.prompts.hint(form) if value == SupportNeed.OCOP_STANDARDS and value in form.needs else None
            await self._save(incoming, form)
            return ([note] if note else []) + [self.prompts.for_step(form, edit=note is None)]
        if action is FormAction.DONE:
            return await self._needs_done(incoming, form)
        if action is FormAction.SUBMIT:
            return await self._submit(incoming, form)
        if action is FormAction.EDIT:
            return await self._edit(incoming, form, value)
        if action is FormAction.PICK and number.isdigit():
            return await self._pick(incoming, form, int(number))
        return [self.prompts.for_step(form)]

    async def _pick(self, incoming: Incoming, form: Form, number: int) -> list[Reply]:
        if form.step is Step.SECTOR:
            if number >= len(SECTORS):
                return await self._advance(incoming, form, Step.SECTOR_OTHER)
            form.sector = SECTORS[number]
            return await self._advance(incoming, form)
        if form.step is Step.OCOP:
            return await self._stars(incoming, form, number if number in (0, *OCOP_STARS) else None)
        if form.step is Step.COMMUNE and number < len(self.communes.all):
            form.commune = self.communes.all[number].name
            return await self._advance(incoming, form)
        return [self.prompts.for_step(form)]

    async def _back(self, incoming: Incoming, form: Form) -> list[Reply]:
        if form.editing >= 0:  # leaving an edit: the summary again, as it was
            form.back, form.editing, form.step = form.back[: form.editing], -1, Step.SUMMARY
        elif form.back:
            form.step = Step(form.back.pop())
        else:
            return [self.prompts.for_step(form, texts.APPLY_FIRST_STEP if form.step is not Step.CONSENT else "")]
        await self._save(incoming, form)
        return [self.prompts.for_step(form)]

    async def _edit(self, incoming: Incoming, form: Form, value: str) -> list[Reply]:
        if not value:
            return [self.prompts.fields(form)]
        target = Step(value) if value in FIELDS else Step.SUMMARY
        if target is not Step.SUMMARY:
            form.editing, form.step = len(form.back), target
        await self._save(incoming, form)
        return [self.prompts.for_step(form)]

    async def _submit(self, incoming: Incoming, form: Form) -> list[Reply]:
        """The case, in one transaction; the form is gone first, so a second press finds it stale."""
        application = form.application()
        await self._forget(incoming)
        try:
            case = await self.cases.store.create(incoming.channel, incoming.chat_id, incoming.user_name, application)
        except Exception:
            await self._save(incoming, form)  # nothing stored: the answers wait for another try
            raise
        try:
            await self.people.set_profile(incoming.channel, incoming.chat_id, application)
            await self.cases.announce(case)
        except Exception:  # the case is stored and staff find it on the console: the business is not failed
            log.exception("after case %s: the profile or the staff notice failed", case.id)
        copy = [Button(texts.APPLY_COPY_CODE, copy=case.reference)]
        return [Reply(texts.APPLY_SENT.format(ref=case.reference), [copy, [Button(texts.MAIN_MENU, pack(MainMenu()))]])]
