"""Slash commands: their Vietnamese and English names, and which kind of person each is for."""

from __future__ import annotations

# Every name a command answers to (Vietnamese without marks, as Telegram allows, and English) → its one name.
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
OWN_DATA_COMMANDS = {"mydata", "deletedata"}
# Records are kept per chat, so in a group they would mix people: there the bot only answers questions.
PERSONAL_COMMANDS = {"subscribe", "unsubscribe", "mydata", "deletedata", "human", "end", "apply", "mycases"}
# What an open application form leaves as it is: starting (or stopping) it, and its own buttons.
FORM_COMMANDS = {"apply", "cancel"}


def command_name(text: str) -> str:
    """The one name of the command `text` starts with ("/GapCanBo@bot nội dung" → "human"); an unknown
    command keeps its own lower-cased name."""
    word = text.split()[0][1:].split("@")[0].lower()
    return COMMAND_ALIASES.get(word, word)
