"""The console's subscriber files: Vietnamese columns, CSV or Excel as bytes, an upload checked row by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.broadcast.audience import CHANNEL_WORDS
from bot.db.models import Subscriber
from bot.db.spreadsheet_cells import neutralise, restore, text_workbook
from bot.db.subscribers_csv import (
    CHANNELS,
    COLUMNS,
    LIMITS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    STATUSES,
    CsvReport,
    apply_row,
    check_row,
    decode_text,
    row_commune,
    row_topics,
)
from handlers.local_time import local_time
from handlers.statuses import SubscriberStatus, SupportNeed
from knowledge.communes import CommuneList, load_communes
from knowledge.syllables import fold

STATUS_LABELS = {status: status.label for status in SubscriberStatus}
LABELLED = {label.lower(): status.value for status, label in STATUS_LABELS.items()}
EXPORT_HEADERS = "Số|Kênh|Mã chat|Mã người dùng|Tên hiển thị|Trạng thái|Mã chủ đề|Chủ đề|Đồng ý lúc|Xã/phường|Ngành"
EXPORT_HEADERS += "|Sao OCOP|Cần hỗ trợ|Lần đầu|Lần cuối"
WIDTHS = (8, 10, 16, 16, 28, 16, 24, 40, 18, 18, 22, 10, 40, 18, 18)
NEED_LABELS = {n.value: n.label for n in SupportNeed}
# The columns a file may name, folded (any case, with or without diacritics) → the CLI's columns. The exported
# «Chủ đề» (titles) is for reading only: «Mã chủ đề» is what comes back in.
FIELD_WORDS = {"chat_id": "Mã chat", "name": "Tên hiển thị", "topics": "Mã chủ đề", "commune": "Xã/phường"}
FIELD_WORDS |= {"channel": "Kênh", "sector": "Ngành", "status": "Trạng thái"}
HEADER_KEYS = {**{c: c for c in COLUMNS}, **{fold(word): key for key, word in FIELD_WORDS.items()}, "ten": "name"}
# Other ways a sheet names the commune column; «Địa bàn» and district are what lists said before 0012.
HEADER_KEYS |= {fold(w): "commune" for w in ("Xã/phường/đặc khu", "Xã, phường", "Xã phường", "Địa bàn", "district")}
XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The upload as a whole cannot be read (its message is Vietnamese); nothing is imported."""


@dataclass
class RowOutcome:
    """One row of an uploaded list: where it is, whom it names, and what became of it."""

    line: int
    channel: str
    chat_id: str
    name: str
    problem: str = ""  # why it cannot be imported, in Vietnamese; "" when it can
    action: str = ""  # "thêm mới" or "cập nhật" once applied


def export_table(rows: list[Subscriber], titles: dict[str, str], timezone: str) -> list[list[str]]:
    """The rows under EXPORT_HEADERS, as the console shows them (local times, topic titles); not yet neutralised."""
    zone = ZoneInfo(timezone)

    def when(moment: dt.datetime | None) -> str:
        return local_time(moment, zone) if moment else ""

    table = [EXPORT_HEADERS.split("|")]
    for p in rows:
        everything = p.status == SubscriberStatus.ACTIVE and not p.topic_list
        shown = "Tất cả chủ đề" if everything else "; ".join(titles.get(t, t) for t in p.topic_list)
        status = STATUS_LABELS.get(SubscriberStatus(p.status), p.status) if p.status in STATUSES else p.status
        table.append([str(p.id), CHANNEL_WORDS.get(p.channel, p.channel), p.chat_id, p.user_id, p.display_name, status])
        table[-1] += [";".join(p.topic_list), shown, when(p.consent_at), p.commune, p.sector]
        needs = "; ".join(NEED_LABELS.get(n, n) for n in p.needs.split(",") if n)
        table[-1] += [str(p.ocop_stars) if p.ocop_stars else "", needs, when(p.first_seen), when(p.last_seen)]
    return table


def csv_bytes(table: list[list[str]]) -> bytes:
    """UTF-8 with a BOM, so Excel reads the Vietnamese letters; every cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: list[list[str]], sheet_name: str = "Người đăng ký") -> bytes:
    """The subscribers' sheet (spreadsheet_cells.text_workbook: every cell text, neutralised)."""
    return text_workbook(table, sheet_name, WIDTHS)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a chat id Excel turned into a number
    return str(value)


def _xlsx_table(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError, TypeError):
        raise UnreadableFile("Không đọc được tệp Excel này: hãy lưu lại dưới dạng .xlsx rồi thử lại.") from None


def _csv_table(data: bytes) -> list[list[str]]:
    try:
        text = decode_text(data)
    except (ValueError, UnicodeDecodeError):
        raise UnreadableFile("Tệp không phải văn bản UTF-8: trong Excel hãy lưu bằng «CSV UTF-8».") from None
    first = text.split("\n", 1)[0]
    # Excel set to Vietnamese separates CSV cells with ";": the header line tells which separator the file uses.
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(f"Không đọc được tệp CSV này ({exc}).") from None


def read_upload(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of an uploaded .csv or .xlsx as (line number, the CLI's columns → text), cells restored.
    UnreadableFile when the file as a whole cannot be used."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"Tệp quá lớn ({len(data):,} byte; tối đa {MAX_FILE_BYTES:,}).")
    name = filename.lower()
    if name.endswith(".xls") or name.endswith(".ods"):
        raise UnreadableFile("Chỉ nhận tệp .csv hoặc .xlsx: hãy lưu lại bằng một trong hai dạng này.")
    table = _xlsx_table(data) if data.startswith(XLSX_MAGIC) or name.endswith(".xlsx") else _csv_table(data)
    while table and not any(cell.strip() for cell in table[0]):
        table.pop(0)
    if not table:
        raise UnreadableFile("Tệp trống.")
    header = [HEADER_KEYS.get(fold(cell), "") for cell in table[0]]
    if "channel" not in header or "chat_id" not in header:
        raise UnreadableFile(
            "Dòng đầu phải là tên cột, ít nhất «Kênh» và «Mã chat» (hoặc channel, chat_id); có thể thêm «Tên hiển "
            "thị», «Mã chủ đề», «Xã/phường», «Ngành», «Trạng thái»."
        )
    if len(table) - 1 > MAX_ROWS:
        raise UnreadableFile(f"Tệp có hơn {MAX_ROWS:,} dòng.")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = {key: restore(cell) for key, cell in zip(header, cells, strict=False) if key}
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            row[None] = ""  # type: ignore[index]  # as csv.DictReader marks extra cells: the CLI rule refuses them
        status = (row.get("status") or "").strip()
        row["status"] = LABELLED.get(status.lower(), status)  # the exported labels read back as the CLI's words
        rows.append((number, row))
    return rows


def _problem_in_words(row: dict[str, str], topics: set[str] | None, communes: CommuneList) -> str:
    """Why a row the CLI rules refuse is refused, in Vietnamese."""
    if None in row:
        return "Có nhiều ô hơn số cột."
    channel = (row.get("channel") or "").strip().lower()
    if channel not in CHANNELS:
        return f"Kênh phải là telegram hoặc zalo (đang là «{channel[:20]}»)."
    chat_id = (row.get("chat_id") or "").strip()
    if not chat_id or any(ch.isspace() for ch in chat_id):
        return "Mã chat trống hoặc có khoảng trắng."
    for column, limit in LIMITS.items():
        if len((row.get(column) or "").strip()) > limit:
            return f"«{FIELD_WORDS[column]}» dài quá {limit} ký tự."
    if (row.get("status") or "").strip().lower() not in STATUSES:
        choices = ", ".join(f"{label} ({value.value})" for value, label in STATUS_LABELS.items())
        return f"Trạng thái phải là một trong: {choices}; đang là «{(row.get('status') or '')[:20]}»."
    unknown = [t for t in row_topics(row) if topics is not None and t not in topics]
    if unknown:
        return f"Không có chủ đề mã {', '.join(unknown)[:100]}."
    if row_commune(row, communes) is None:
        typed = (row.get("commune") or "").strip()[:60]
        near = communes.suggest(typed, limit=3)
        hint = f" Có phải {' hay '.join(c.full_name for c in near)}?" if near else ""
        return f"Quảng Ninh không có xã, phường hay đặc khu «{typed}» (hoặc tên này chỉ nhiều nơi).{hint}"
    return "Dòng không hợp lệ."


def check_upload(
    rows: list[tuple[int, dict[str, str]]], topics: set[str] | None, communes: CommuneList | None = None
) -> list[RowOutcome]:
    """Each row judged by the CLI's own rules (`check_row`), the reason given in Vietnamese."""
    communes = communes or load_communes()
    outcomes = []
    for number, row in rows:
        refused = check_row(number, row, topics, communes) is not None
        outcomes.append(
            RowOutcome(
                number,
                (row.get("channel") or "").strip().lower(),
                (row.get("chat_id") or "").strip(),
                (row.get("name") or "").strip(),
                _problem_in_words(row, topics, communes) if refused else "",
            )
        )
    return outcomes


async def apply_upload(
    session: AsyncSession,
    rows: list[tuple[int, dict[str, str]]],
    outcomes: list[RowOutcome],
    communes: CommuneList | None = None,
) -> CsvReport:
    """Apply checked rows as the CLI does (new people with consent, existing ones keep their subscription);
    the caller commits, with its audit line, or rolls back. Refuses if any row has a problem."""
    if any(o.problem for o in outcomes):
        raise ValueError("a row has a problem: nothing may be applied")
    report = CsvReport()
    communes = communes or load_communes()
    for (_number, row), outcome in zip(rows, outcomes, strict=True):
        added = report.added
        await apply_row(session, row, report, communes)
        outcome.action = "thêm mới" if report.added > added else "cập nhật"
    return report
