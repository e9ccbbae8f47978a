"""The cases as an Excel workbook for the department's reports: Vietnamese headers, one row per case, all text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.db.case_search import needs_of, reference
from bot.db.models import ApplicationCase
from bot.db.spreadsheet_cells import text_workbook
from handlers.local_time import local_time
from handlers.statuses import CaseStatus, SupportNeed

SHEET = "Hồ sơ hỗ trợ"
# (header, column width)
COLUMNS = (
    ("Mã hồ sơ", 14),
    ("Ngày gửi", 17),
    ("Trạng thái", 22),
    ("Tên doanh nghiệp", 36),
    ("Mã số thuế", 16),
    ("Xã, phường, đặc khu", 20),
    ("Ngành nghề", 24),
    ("Sản phẩm OCOP", 26),
    ("Hạng sao OCOP", 10),
    ("Nhu cầu hỗ trợ", 48),
    ("Người liên hệ", 22),
    ("Số điện thoại", 14),
    ("Cập nhật gần nhất", 17),
)
HEADERS = [header for header, _width in COLUMNS]


def status_label(value: str) -> str:
    """The status as staff read it; a value no longer known is shown as stored rather than guessed."""
    try:
        return CaseStatus(value).label
    except ValueError:
        return value


def need_label(value: str) -> str:
    try:
        return SupportNeed(value).label
    except ValueError:
        return value


def tax_code_shown(tax_code: str) -> str:
    """A branch's 13 digits as papers print them (0101234567-001); 10 and 12 digits as they are."""
    return f"{tax_code[:10]}-{tax_code[10:]}" if len(tax_code) == 13 and tax_code.isdigit() else tax_code


def export_table(rows: list[ApplicationCase], timezone: str) -> list[list[str]]:
    """The header row, then one row per case, every value a string (not yet neutralised)."""
    zone = ZoneInfo(timezone)

    def when(moment: dt.datetime | None) -> str:
        return local_time(moment, zone) if moment else ""

    table = [list(HEADERS)]
    for case in rows:
        stars = str(case.ocop_stars) if case.ocop_stars else ""
        needs = "; ".join(need_label(need) for need in needs_of(case))
        table.append([reference(case), when(case.created_at), status_label(case.status), case.business_name])
        table[-1] += [tax_code_shown(case.tax_code), case.commune, case.sector, case.ocop_product, stars, needs]
        table[-1] += [case.contact_name, case.phone, when(case.updated_at)]
    return table


def xlsx_bytes(table: list[list[str]]) -> bytes:
    """The cases' sheet (spreadsheet_cells.text_workbook: every cell text, neutralised)."""
    return text_workbook(table, SHEET, [width for _header, width in COLUMNS])
