"""One campaign's delivery report as an Excel workbook: who, on which channel, what happened, when, why."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.broadcast.audience import CHANNEL_WORDS, Audience
from bot.db.models import Campaign, Delivery, Occurrence
from bot.db.spreadsheet_cells import neutralise
from handlers.statuses import CampaignStatus, DeliveryStatus

HEADERS = ("Người nhận", "Kênh", "Mã chat", "Trạng thái", "Thời điểm", "Lần gửi", "Số lần thử", "Lỗi")
WIDTHS = (28, 10, 16, 22, 18, 18, 10, 60)
PAGE = 5_000  # rows read at a time: a campaign to 100,000 people is written without holding them all


def local(moment: dt.datetime | None, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M") if moment else ""


def text_cell(sheet: object, value: str) -> WriteOnlyCell:
    # A name such as "=HYPERLINK(…)" must stay text in Excel: neutralised, and stored as a string.
    cell = WriteOnlyCell(sheet, neutralise(value))
    cell.data_type = "s"
    return cell


def file_name(campaign_id: int) -> str:
    return f"bao-cao-chien-dich-{campaign_id}.xlsx"


async def report_workbook(
    session: AsyncSession, campaign_id: int, timezone: str, topics: dict[str, str] | None = None
) -> bytes | None:
    """The workbook's bytes, or None when there is no such campaign."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    fired = {
        o.id: local(dt.datetime.fromisoformat(o.fire_key), timezone)
        for o in (await session.exec(select(Occurrence).where(Occurrence.campaign_id == campaign_id))).all()
    }
    book = Workbook(write_only=True)
    about = book.create_sheet("Chiến dịch")
    about.append([text_cell(about, "Chiến dịch"), f"#{campaign_id}"])
    about.append([text_cell(about, "Trạng thái"), CampaignStatus(campaign.status).label])
    audience = Audience.from_json(campaign.audience).in_words(topics or {})
    about.append([text_cell(about, "Người nhận"), text_cell(about, audience)])
    about.append([text_cell(about, "Tạo lúc"), local(campaign.created_at, timezone)])
    about.append([text_cell(about, "Người tạo"), text_cell(about, campaign.created_by)])
    about.append([text_cell(about, "Nội dung"), text_cell(about, campaign.text)])
    # The figures per status (Zalo OA's held ones among them), as the progress views count them.
    per_status = await session.exec(
        select(Delivery.status, func.count()).where(Delivery.campaign_id == campaign_id).group_by(Delivery.status)
    )
    found = dict(per_status.all())
    for status in DeliveryStatus:
        if found.get(status):
            about.append([text_cell(about, f"Số tin «{status.label}»"), found[status]])
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 100
    sheet = book.create_sheet("Người nhận")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    last_id = 0
    while True:
        rows = (
            await session.exec(
                select(Delivery)
                .where(Delivery.campaign_id == campaign_id, col(Delivery.id) > last_id)
                .order_by(col(Delivery.id))
                .limit(PAGE)
            )
        ).all()
        if not rows:
            break
        for row in rows:
            sheet.append(
                [
                    text_cell(sheet, row.name),
                    CHANNEL_WORDS.get(row.channel, row.channel),
                    text_cell(sheet, row.chat_id),
                    DeliveryStatus(row.status).label,
                    local(row.attempted_at or row.updated_at, timezone),
                    fired.get(row.occurrence_id, ""),
                    row.attempts,
                    text_cell(sheet, row.error),
                ]
            )
        last_id = rows[-1].id or last_id
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
