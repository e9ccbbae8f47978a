"""The application form's steps: what each one asks, with which buttons, and how a typed answer is read."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from handlers import texts
from handlers.ask import AskService
from handlers.business_ids import read_mobile, read_tax_code
from handlers.callbacks import ApplicationStep, FormAction, pack
from handlers.case_changes import application_words
from handlers.sectors import OCOP_STARS, SECTORS, match_sector, read_name
from handlers.statuses import SupportNeed
from handlers.types import Button, Reply
from handlers.views import Application
from knowledge.communes import CommuneList
from knowledge.syllables import fold

NAME_LIMITS = (2, 200)  # characters of a business's or a product's name
PERSON_LIMITS = (2, 100)  # of a contact's name, and of a sector typed in
# The one hint: quoted from this entry (the sentence holding HINT_WORDS), only while the entry says it.
HINT_ENTRY = "kh273-tccs-3-sao"
HINT_WORDS = "3 sao trở lên"


class Step(StrEnum):
    CONSENT = "consent"
    NAME = "name"
    TAX = "tax"
    COMMUNE = "commune"
    SECTOR = "sector"
    SECTOR_OTHER = "sectorx"
    OCOP = "ocop"
    OCOP_PRODUCT = "product"
    NEEDS = "needs"
    CONTACT = "contact"
    PHONE = "phone"
    SUMMARY = "summary"


ORDER = (Step.NAME, Step.TAX, Step.COMMUNE, Step.SECTOR, Step.OCOP, Step.NEEDS, Step.CONTACT, Step.PHONE, Step.SUMMARY)
MAIN_STEP = {Step.SECTOR_OTHER: Step.SECTOR, Step.OCOP_PRODUCT: Step.OCOP}
FIELDS = {
    Step.NAME: texts.APPLY_FIELD_NAME,
    Step.TAX: texts.APPLY_FIELD_TAX,
    Step.COMMUNE: texts.APPLY_FIELD_COMMUNE,
    Step.SECTOR: texts.APPLY_FIELD_SECTOR,
    Step.OCOP: texts.APPLY_FIELD_OCOP,
    Step.NEEDS: texts.APPLY_FIELD_NEEDS,
    Step.CONTACT: texts.APPLY_FIELD_CONTACT,
    Step.PHONE: texts.APPLY_FIELD_PHONE,
}
PROMPTS = {
    Step.NAME: texts.APPLY_ASK_NAME,
    Step.TAX: texts.APPLY_ASK_TAX,
    Step.COMMUNE: texts.APPLY_ASK_COMMUNE,
    Step.SECTOR: texts.APPLY_ASK_SECTOR,
    Step.SECTOR_OTHER: texts.APPLY_ASK_SECTOR_OTHER,
    Step.OCOP: texts.APPLY_ASK_OCOP,
    Step.NEEDS: texts.APPLY_ASK_NEEDS,
    Step.CONTACT: texts.APPLY_ASK_CONTACT,
    Step.PHONE: texts.APPLY_ASK_PHONE,
}


@dataclass
class Form:
    """One chat's form as the state store keeps it (JSON): where it is, how it got there, what was answered."""

    form: str
    step: Step = Step.CONSENT
    back: list[str] = field(default_factory=list)  # steps answered, for "◀ Quay lại"
    editing: int = -1  # while a field is edited from the summary: len(back) when it began
    paused: bool = False  # the chat did something else: its text is a question again until it resumes
    hinted: bool = False
    name: str = ""
    tax: str = ""
    commune: str = ""
    sector: str = ""
    stars: int = 0
    product: str = ""
    needs: list[str] = field(default_factory=list)
    contact: str = ""
    phone: str = ""

    @classmethod
    def load(cls, data: dict[str, Any]) -> Form | None:
        """The form a stored dict holds; None for one this version cannot read (it is then dropped)."""
        known = {f.name for f in dataclasses.fields(cls)}
        try:
            form = cls(**{k: v for k, v in data.items() if k in known})
            form.step = Step(form.step)
        except (TypeError, ValueError):
            return None
        return form

    def application(self) -> Application:
        ordered = tuple(n.value for n in SupportNeed if n.value in self.needs)
        return Application(
            self.name, self.tax, self.commune, self.sector, self.product, self.stars, ordered, self.contact, self.phone
        )


# -- reading typed answers -----------------------------------------------------------------------
def agrees(text: str) -> bool:
    """Consent typed in words instead of pressed."""
    return fold(text).strip(" .!") in ("dong y", "ok", "co", "toi dong y", "em dong y")


def says_done(text: str) -> bool:
    """ "xong" typed at the needs instead of pressing their done button."""
    return fold(text).strip(" .!") == "xong"


def toggle(form: Form, need: str) -> None:
    form.needs = [n for n in form.needs if n != need] if need in form.needs else [*form.needs, need]


def read_answer(form: Form, text: str) -> bool:
    """Stores the answer to a step one line of text answers whole (a name, the tax code, a sector, the product,
    the contact, the phone); False at any other step. A wrong answer raises BusinessIdError or ValueError,
    whose message says what is wrong, in Vietnamese."""
    step = form.step
    if step is Step.NAME:
        form.name = read_name(text, texts.APPLY_FIELD_NAME, NAME_LIMITS)
    elif step is Step.TAX:
        form.tax = read_tax_code(text)
    elif step in (Step.SECTOR, Step.SECTOR_OTHER):
        form.sector = match_sector(text) or read_name(text, texts.APPLY_FIELD_SECTOR, PERSON_LIMITS)
    elif step is Step.OCOP_PRODUCT:
        form.product = read_name(text, texts.APPLY_FIELD_OCOP, NAME_LIMITS)
    elif step is Step.CONTACT:
        form.contact = read_name(text, texts.APPLY_FIELD_CONTACT, PERSON_LIMITS)
    elif step is Step.PHONE:
        form.phone = read_mobile(text)
    else:
        return False
    return True


# -- asking --------------------------------------------------------------------------------------
def _button(form: Form, label: str, action: FormAction, value: str = "") -> Button:
    return Button(label, pack(ApplicationStep(form.form, action, value)))


def _nav(form: Form) -> list[Button]:
    return [_button(form, texts.APPLY_BACK, FormAction.BACK), _button(form, texts.APPLY_STOP, FormAction.STOP)]


class FormPrompts:
    """The form's questions as replies with their buttons: each step's, the summary, the commune list, the hint."""

    def __init__(self, communes: CommuneList, place: Callable[[str], str], ask: AskService):
        self.communes = communes
        self.place = place  # a stored commune name as people read it, as the case desk shows it
        self.ask_service = ask

    def for_step(self, form: Form, before: str = "", edit: bool = False) -> Reply:
        """The question of the form's step, with its buttons; `before` (a problem, a note) leads the text."""
        step, rows = form.step, []
        pick = FormAction.PICK
        if step is Step.CONSENT:
            text = texts.APPLY_CONSENT
            rows = [[_button(form, texts.APPLY_AGREE, FormAction.AGREE)], [_nav(form)[1]]]
        elif step is Step.SUMMARY:
            a = form.application()
            text = texts.APPLY_SUMMARY.format(**application_words(a, self.place))
            rows = [
                [_button(form, texts.APPLY_SUBMIT, FormAction.SUBMIT)],
                [_button(form, texts.APPLY_EDIT, FormAction.EDIT), _nav(form)[0]],
                [_button(form, texts.APPLY_CANCEL, FormAction.STOP)],
            ]
        else:
            text = (
                PROMPTS[step]
                if step is not Step.OCOP_PRODUCT
                else texts.APPLY_ASK_OCOP_PRODUCT.format(stars=form.stars)
            )
            if step is Step.COMMUNE:
                rows = [[_button(form, texts.APPLY_COMMUNE_LIST_BUTTON, FormAction.LIST)]]
            elif step is Step.SECTOR:
                rows = [[_button(form, s, pick, f"{step}_{i}")] for i, s in enumerate(SECTORS)]
                rows.append([_button(form, texts.APPLY_SECTOR_OTHER, pick, f"{step}_{len(SECTORS)}")])
            elif step is Step.OCOP:
                stars = [_button(form, texts.APPLY_OCOP_STARS.format(stars=n), pick, f"{step}_{n}") for n in OCOP_STARS]
                rows = [[_button(form, texts.APPLY_OCOP_NONE, pick, f"{step}_0")], stars]
            elif step is Step.NEEDS:
                for need in SupportNeed:
                    label = texts.APPLY_NEED_CHOSEN.format(label=need.label) if need.value in form.needs else need.label
                    rows.append([_button(form, label, FormAction.NEED, need.value)])
                rows.append([_button(form, texts.APPLY_NEEDS_DONE, FormAction.DONE)])
            rows.append(_nav(form))
        return Reply(f"{before}\n\n{text}" if before else text, rows, edit=edit)

    def hint(self, form: Form) -> Reply | None:
        """Once per form: what the knowledge base says about base standards and OCOP ratings, quoted from its
        entry and named, as information; nothing if the entry no longer says it."""
        entry = self.ask_service.entry(HINT_ENTRY)
        if form.hinted or entry is None:
            return None
        sentence = next((s for s in re.split(r"(?<=[.!?])\s+", entry.answer.strip()) if HINT_WORDS in s), None)
        if sentence is None:
            return None
        form.hinted = True
        text = texts.APPLY_HINT.format(question=entry.question, sentence=sentence.strip())
        return Reply(text, source=self.ask_service.source_line(entry))

    def communes_like(self, form: Form, typed: str) -> Reply:
        """A commune not recognised: the closest ones to pick from, and the whole list a button away."""
        close = self.communes.suggest(typed, limit=5)
        positions = {c: i for i, c in enumerate(self.communes.all)}
        shown = " ".join(typed.split())[:60]
        wording = texts.APPLY_COMMUNE_UNKNOWN if close else texts.APPLY_COMMUNE_NONE_CLOSE
        pick = FormAction.PICK
        rows = [[_button(form, c.full_name, pick, f"{Step.COMMUNE}_{positions[c]}")] for c in close]
        rows += [[_button(form, texts.APPLY_COMMUNE_LIST_BUTTON, FormAction.LIST)], _nav(form)]
        return Reply(wording.format(typed=shown), rows)

    def commune_list(self) -> Reply:
        by_kind: dict[str, list[str]] = {}
        for commune in self.communes.all:
            by_kind.setdefault(commune.kind, []).append(commune.name)
        lines = [
            texts.APPLY_COMMUNE_KIND.format(kind=kind.capitalize(), names=", ".join(names))
            for kind, names in by_kind.items()
        ]
        return Reply(texts.APPLY_COMMUNE_LIST + "\n\n" + "\n\n".join(lines))

    @staticmethod
    def fields(form: Form) -> Reply:
        """Which answer to change, asked from the summary."""
        rows = [[_button(form, label, FormAction.EDIT, step.value)] for step, label in FIELDS.items()]
        rows.append([_button(form, texts.APPLY_BACK, FormAction.EDIT, Step.SUMMARY.value)])
        return Reply(texts.APPLY_EDIT_WHICH, rows)
