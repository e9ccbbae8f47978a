"""The knowledge base as an Excel workbook the way admins use it: Vietnamese headers, topic names chosen from a
dropdown, wrapped text, an instructions sheet; read back with each problem at its row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from knowledge.import_limits import check_cell, check_rows, check_size, check_workbook
from knowledge.loader import KnowledgeLoadError, Problem, parse_entry
from knowledge.model import ENTRY_FIELDS, FIELD_NAMES, Entry, Topic
from knowledge.syllables import fold

SHEET = "Câu hỏi"
LEGACY_SHEET = "entries"  # workbooks exported before the Vietnamese headers
TOPICS_SHEET = "Chủ đề"
GUIDE_SHEET = "Hướng dẫn"
LIST_FIELDS = ("alternates", "related", "tags")
DATE_FIELDS = ("reviewed", "valid_until", "review_by")
WIDTHS = {"answer": 80, "alternates": 40, "question": 40, "source": 40, "label": 28}
GUIDE = [
    "Cách sửa kho tri thức bằng Excel",
    "Mỗi dòng của trang «Câu hỏi» là một câu hỏi. Sửa trực tiếp rồi nhập lại tệp trong trang quản trị (Excel).",
    "Mã: chữ thường không dấu, số và gạch ngang; đừng đổi mã của câu hỏi đã có. Dòng có mã mới là câu hỏi mới.",
    "Chủ đề: chọn trong danh sách thả xuống.",
    "Cách hỏi khác, Câu liên quan, Thẻ: mỗi dòng trong ô là một mục (Alt+Enter để xuống dòng).",
    "Câu trả lời: đoạn đầu là câu trả lời ngắn (tối đa 300 ký tự); phần chi tiết sau một dòng trống.",
    "Ngày: dạng 30/11/2026.",
    "Nếu có lỗi, không dòng nào được áp dụng; trang quản trị chỉ rõ dòng và cột cần sửa.",
    "Một lần nhập có thể hoàn tác bằng một nút, trong trang Excel của trang quản trị.",
]


HEADER_FIELDS = {fold(name): field for field, name in FIELD_NAMES.items()} | {f: f for f in ENTRY_FIELDS}


def write_workbook(entries: list[Entry], topics: list[Topic], path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    titles = {t.id: t.title for t in topics}
    sheet.append([FIELD_NAMES[f] for f in ENTRY_FIELDS])
    for entry in entries:
        data = entry.to_dict()
        row: list[Any] = []
        for name in ENTRY_FIELDS:
            value = data.get(name, "")
            if name in LIST_FIELDS:
                value = "\n".join(value or [])
            elif name == "topic":
                value = titles.get(str(value), value)
            elif name in DATE_FIELDS and value:
                value = dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
            row.append(value)
        sheet.append(row)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = wrap
            # openpyxl takes a string starting with "=" for a formula; a question is text, always.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for index, name in enumerate(ENTRY_FIELDS):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 16)
        sheet.cell(row=1, column=index + 1).font = Font(bold=True)
    sheet.freeze_panes = "B2"
    listing = book.create_sheet(TOPICS_SHEET)
    for topic in topics:
        listing.append([topic.title])
    if topics:
        column = sheet.cell(row=1, column=ENTRY_FIELDS.index("topic") + 1).column_letter
        choose = DataValidation(type="list", formula1=f"'{TOPICS_SHEET}'!$A$1:$A${len(topics)}", allow_blank=False)
        choose.error = "Chọn một chủ đề trong danh sách."
        choose.errorTitle = "Chủ đề không có"
        sheet.add_data_validation(choose)
        choose.add(f"{column}2:{column}{max(2, len(entries) + 500)}")
    guide = book.create_sheet(GUIDE_SHEET)
    for line in GUIDE:
        guide.append([line])
    guide.column_dimensions["A"].width = 110
    guide.cell(row=1, column=1).font = Font(bold=True)
    book.save(path)


def _date(value: Any) -> str:
    """A date cell, "30/11/2026" or "2026-11-30", as ISO; anything else unchanged (the loader reports it)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for layout in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, layout).date().isoformat()
        except ValueError:
            continue
    return text


def read_workbook(path: Path, topics: list[Topic]) -> tuple[list[Entry], list[Problem]]:
    """Entries of the sheet; each problem's origin names the file and row, its field the column."""
    check_size(path)
    check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise KnowledgeLoadError(f"{path.name}: không đọc được tệp Excel (.xlsx): {exc}") from exc
    rows: list[tuple[Any, ...]] = []
    try:
        names = book.sheetnames
        sheet = book[SHEET] if SHEET in names else book[LEGACY_SHEET] if LEGACY_SHEET in names else book.active
        for values in sheet.iter_rows(values_only=True):  # streamed: stops at the row limit
            rows.append(values)
            check_rows(path, len(rows) - 1)
    finally:
        book.close()
    if not rows:
        return [], []
    by_topic = {fold(t.title): t.id for t in topics} | {t.id: t.id for t in topics}
    header = [HEADER_FIELDS.get(fold(str(h))) if h is not None else None for h in rows[0]]
    problems = [
        Problem(path.name, "", f"cột «{h}» không dùng, bị bỏ qua", "warning")
        for h, field in zip(rows[0], header)
        if h not in (None, "") and field is None
    ]
    entries: list[Entry] = []
    for number, values in enumerate(rows[1:], start=2):
        if all(v in (None, "") for v in values):
            continue
        origin = f"{path.name}, dòng {number}"
        raw: dict[str, Any] = {}
        for field, value in zip(header, values):
            if field is None or value in (None, ""):
                continue
            check_cell(path, f"dòng {number}, {FIELD_NAMES[field]}", value)
            if field in DATE_FIELDS:
                value = _date(value)
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    # Reported at its cell; the rest of the row is still read, so every problem shows at once.
                    message = f"ngày «{value}» không hợp lệ (viết dạng 30/11/2026)"
                    problems.append(Problem(origin, str(raw.get("id", "")), message, field=field))
                    continue
            elif field == "topic":
                value = by_topic.get(fold(str(value)), str(value).strip())
            raw[field] = value
        entry, found = parse_entry(raw, origin)
        problems += found
        if entry is not None:
            entries.append(entry)
    return entries, problems
