"""Cells of files people open in a spreadsheet: a value starting with = + - @ (or tab, CR) would run as a
formula there (`=HYPERLINK("http://evil…")`), so it is written with a leading apostrophe and read back without;
exported workbooks keep every cell as text."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """The value `neutralise` wrote, as it was."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def text_workbook(table: list[list[str]], sheet_name: str, widths: Sequence[float]) -> bytes:
    """One sheet, the first row bold and frozen; each cell neutralised and stored as text, so a name never runs
    as a formula and a tax code or phone keeps its leading zero."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    for number, row in enumerate(table):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, neutralise(value))
            cell.data_type = "s"
            if number == 0:
                cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
