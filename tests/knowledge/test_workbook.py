"""The spreadsheet admins edit: Vietnamese headers, topics by name from a dropdown, dates as 30/11/2026, an
instructions sheet; read back with each problem at its row and column; older English-header sheets still read."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook, load_workbook

from knowledge.changes import merge
from knowledge.model import FIELD_NAMES
from knowledge.workbook import GUIDE_SHEET, SHEET, TOPICS_SHEET, read_workbook, write_workbook
from tests.kb_builders import TOPICS, entry, kb_of, own_alternates


def test_written_the_way_admins_read_it(shipped_kb, tmp_path):
    path = tmp_path / "kho.xlsx"
    write_workbook(shipped_kb.entries, shipped_kb.topics, path)
    book = load_workbook(path)
    assert book.sheetnames == [SHEET, TOPICS_SHEET, GUIDE_SHEET]
    sheet = book[SHEET]
    header = [c.value for c in sheet[1]]
    assert header == list(FIELD_NAMES.values())
    first = dict(zip(header, (c.value for c in sheet[2])))
    assert first["Chủ đề"] == shipped_kb.topics[0].title  # the name, not the slug
    assert first["Ngày xem xét"] == shipped_kb.entries[0].reviewed.strftime("%d/%m/%Y")
    assert sheet.cell(row=2, column=header.index("Câu trả lời") + 1).alignment.wrap_text
    [dropdown] = sheet.data_validations.dataValidation
    assert dropdown.type == "list" and TOPICS_SHEET in dropdown.formula1 and "B2" in str(dropdown.sqref)
    assert "Hướng dẫn" in book[GUIDE_SHEET]["A1"].value or book[GUIDE_SHEET]["A1"].value
    entries, problems = read_workbook(path, shipped_kb.topics)
    assert entries == shipped_kb.entries and problems == []


def test_topic_typed_as_the_menu_shows_it_with_or_without_diacritics(tmp_path):
    path = tmp_path / "kho.xlsx"
    e = entry("mot", "Câu một?", alternates=own_alternates("mot"), topic="thue")
    write_workbook([e], TOPICS, path)
    book = load_workbook(path)
    sheet = book[SHEET]
    sheet["B2"] = "thue VA THUE"  # "Thuế và thuê" typed in a hurry
    sheet["H2"] = dt.datetime(2026, 11, 30)  # a real date cell
    book.save(path)
    [back], problems = read_workbook(path, TOPICS)
    assert problems == [] and back.topic == "thue" and back.reviewed == dt.date(2026, 11, 30)


def test_a_bad_sheet_names_each_row_and_column_and_applies_nothing(tmp_path):
    kb = kb_of(entry("mot", "Câu một?", alternates=own_alternates("mot")))
    path = tmp_path / "sai.xlsx"
    good = entry("hai", "Câu hai?", alternates=own_alternates("hai"), label="Câu hai")
    label = "Một nhãn nút dài quá mức cho màn hình điện thoại"
    long_label = entry("ba", "Câu ba?", alternates=own_alternates("ba"), label=label)
    write_workbook([good, long_label, entry("bon", "Câu bốn?", alternates=own_alternates("bon"))], TOPICS, path)
    book = load_workbook(path)
    sheet = book[SHEET]
    sheet["B4"] = "Chủ đề không có"
    sheet["H4"] = "31/02/2026"
    book.save(path)
    incoming, problems = read_workbook(path, TOPICS)
    _, report = merge(kb, incoming, problems)
    assert not report.applied
    lines = [str(p) for p in report.rejected]
    assert any("sai.xlsx, dòng 3: ba — mục «Nhãn nút»: nhãn nút dài" in line for line in lines), lines
    assert any("sai.xlsx, dòng 4: bon — mục «Chủ đề»: không có chủ đề «Chủ đề không có»" in line for line in lines)
    assert any("dòng 4: bon — mục «Ngày xem xét»: ngày «31/02/2026» không hợp lệ" in line for line in lines), lines


def test_an_older_sheet_with_english_headers_still_reads(tmp_path):
    path = tmp_path / "cu.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "entries"
    sheet.append(["id", "topic", "question", "alternates", "answer", "source"])
    sheet.append(["mot", "chung", "Câu một?", "a\nb\nc\nd", "Trả lời.", "Nguồn"])
    book.save(path)
    [back], problems = read_workbook(path, TOPICS)
    assert problems == [] and back.alternates == ["a", "b", "c", "d"] and back.topic == "chung"
