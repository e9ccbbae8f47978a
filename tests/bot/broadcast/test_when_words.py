"""The send times staff type in Vietnamese, read on a fixed clock: 10:00 Monday 30/11/2026 in Hồ Chí Minh City."""

import contextlib
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.broadcast.schedule import ScheduleError, cron_trigger
from bot.broadcast.when_words import When, describe_when, read_when
from handlers.statuses import ScheduleKind

TZ = "Asia/Ho_Chi_Minh"
ZONE = ZoneInfo(TZ)
NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # 10:00 Monday 30/11/2026 local (UTC+7)
ENGLISH = re.compile(r"\b(cannot|can't|use|invalid|error|please|date|time|hour|minute|day|past)\b", re.IGNORECASE)


def local(text: str) -> str:
    when = read_when(text, NOW, TZ)
    assert when.kind == ScheduleKind.AT
    assert when.run_at is not None and when.run_at.tzinfo is not None
    assert when.run_at.utcoffset() == dt.timedelta(0)
    return when.run_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def refusal(text: str) -> str:
    with pytest.raises(ScheduleError) as caught:
        read_when(text, NOW, TZ)
    message = str(caught.value)
    assert not ENGLISH.search(message.replace(f"«{text.strip()}»", "")), message
    return message


@pytest.mark.parametrize("text", ["ngay", "gửi ngay", "bây giờ", "now", "Ngay.", "  GỬI   NGAY  ", "gui ngay"])
def test_now(text: str) -> None:
    when = read_when(text, NOW, TZ)
    assert when == When(ScheduleKind.NOW)
    assert describe_when(when, TZ) == "ngay bây giờ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/12/2026 08:00", "2026-12-05 08:00"),
        ("5/12/2026 8:00", "2026-12-05 08:00"),
        ("05-12-2026 08:00", "2026-12-05 08:00"),
        ("05.12.2026 08:00", "2026-12-05 08:00"),
        ("08:00 05/12/2026", "2026-12-05 08:00"),
        ("8h 5/12/2026", "2026-12-05 08:00"),
        ("5/12 8h", "2026-12-05 08:00"),
        ("5/12 8h30", "2026-12-05 08:30"),
        ("5/12 lúc 8 giờ 30", "2026-12-05 08:30"),
        ("5/12 luc 8 gio 30", "2026-12-05 08:30"),
        ("8h30 ngày 5/12", "2026-12-05 08:30"),
        ("2026-12-05 08:00", "2026-12-05 08:00"),
        ("2026-12-05T08:00", "2026-12-05 08:00"),
        ("5/12/26 8h", "2026-12-05 08:00"),
        ("05/12/2026 08:00.", "2026-12-05 08:00"),
        ("  05/12/2026    08:00 ", "2026-12-05 08:00"),
        # No year: this year while still ahead, else next year.
        ("30/11 11h", "2026-11-30 11:00"),
        ("30/11 9h", "2027-11-30 09:00"),
        ("1/1 8h", "2027-01-01 08:00"),
        ("29/02 8h", "2028-02-29 08:00"),
        # "ngày 5" alone: the next 5th of a month.
        ("ngày 5 8h", "2026-12-05 08:00"),
    ],
)
def test_absolute(text: str, expected: str) -> None:
    assert local(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h sáng mai", "2026-12-01 08:00"),
        ("8h sang mai", "2026-12-01 08:00"),
        ("8h mai", "2026-12-01 08:00"),
        ("mai 8h", "2026-12-01 08:00"),
        ("sáng mai 8h", "2026-12-01 08:00"),
        ("ngày mai lúc 8 giờ", "2026-12-01 08:00"),
        ("NGÀY MAI LÚC 8 GIỜ", "2026-12-01 08:00"),
        ("9h tối nay", "2026-11-30 21:00"),
        ("9h toi nay", "2026-11-30 21:00"),
        ("hôm nay 15h", "2026-11-30 15:00"),
        ("15h30 hôm nay", "2026-11-30 15:30"),
        ("2h chiều mai", "2026-12-01 14:00"),
        ("8h sáng ngày kia", "2026-12-02 08:00"),
        ("8h sáng ngày mốt", "2026-12-02 08:00"),
        # A weekday alone is the next one strictly after today (a Monday).
        ("8h thứ 2", "2026-12-07 08:00"),
        ("thứ Hai 8h", "2026-12-07 08:00"),
        ("thu hai 8h", "2026-12-07 08:00"),
        ("thứ 6 8h", "2026-12-04 08:00"),
        ("thứ 2 tuần sau 8h", "2026-12-07 08:00"),
        ("thứ 6 tuần sau 8h", "2026-12-11 08:00"),
        ("thứ 6 tuần tới 8h", "2026-12-11 08:00"),
        ("thứ 6 tuần này 8h", "2026-12-04 08:00"),
        ("thứ 2 tới 8h", "2026-12-07 08:00"),
        ("CN 9h", "2026-12-06 09:00"),
        ("chủ nhật 9h", "2026-12-06 09:00"),
        ("T2 8h", "2026-12-07 08:00"),
        ("t7 8h", "2026-12-05 08:00"),
        ("thứ 6 04/12/2026 8h", "2026-12-04 08:00"),
    ],
)
def test_relative(text: str, expected: str) -> None:
    assert local(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # No date: today while still ahead (it is 10:00), else tomorrow.
        ("8h", "2026-12-01 08:00"),
        ("8h30", "2026-12-01 08:30"),
        ("8h 30", "2026-12-01 08:30"),
        ("8 giờ", "2026-12-01 08:00"),
        ("8 giờ 30", "2026-12-01 08:30"),
        ("8 giờ 30 phút", "2026-12-01 08:30"),
        ("08:00", "2026-12-01 08:00"),
        ("8g", "2026-12-01 08:00"),
        ("8H", "2026-12-01 08:00"),
        ("15:30", "2026-11-30 15:30"),
        ("10:00", "2026-11-30 10:00"),
        ("lúc 9 tối", "2026-11-30 21:00"),
        # Parts of the day.
        ("8h tối", "2026-11-30 20:00"),
        ("11h trưa", "2026-11-30 11:00"),
        ("12h trưa", "2026-11-30 12:00"),
        ("1h trưa", "2026-11-30 13:00"),
        ("2h chiều", "2026-11-30 14:00"),
        ("11h sáng", "2026-11-30 11:00"),
        ("12h sáng", "2026-11-30 12:00"),  # "sáng" keeps the hour as written
        ("10h đêm", "2026-11-30 22:00"),
        ("12h đêm nay", "2026-12-01 00:00"),  # midnight at the end of today
        ("2h đêm mai", "2026-12-01 02:00"),
        ("20h tối", "2026-11-30 20:00"),
    ],
)
def test_hours(text: str, expected: str) -> None:
    assert local(text) == expected


def test_a_minute_late_is_still_now() -> None:
    assert local("hôm nay 9h59") == "2026-11-30 09:59"


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("thứ Hai hàng tuần lúc 8h", "0 8 * * mon"),
        ("thu hai hang tuan luc 8h", "0 8 * * mon"),
        ("8h sáng thứ 2 hàng tuần", "0 8 * * mon"),
        ("thứ 2 hằng tuần 8:00", "0 8 * * mon"),
        ("mỗi thứ Hai 8h", "0 8 * * mon"),
        ("8h tối chủ nhật hàng tuần", "0 20 * * sun"),
        ("hàng ngày 8h", "0 8 * * *"),
        ("hằng ngày lúc 7h30", "30 7 * * *"),
        ("mỗi ngày 7:30", "30 7 * * *"),
        ("ngày 5 hàng tháng 9h", "0 9 5 * *"),
        ("9h ngày 5 hằng tháng", "0 9 5 * *"),
        ("mùng 5 hàng tháng 9h", "0 9 5 * *"),
        ("ngày 31 hàng tháng 9h", "0 9 31 * *"),
        ("các ngày thứ 2 đến thứ 6 lúc 8h", "0 8 * * mon-fri"),
        ("từ thứ 2 tới thứ 6 hàng tuần 8h", "0 8 * * mon-fri"),
        ("thu 2-6 hang tuan 8h", "0 8 * * mon-fri"),
        ("thứ 2, thứ 4 hàng tuần 8h", "0 8 * * mon,wed"),
        ("every monday 08:00", "0 8 * * mon"),
        ("every day 08:00", "0 8 * * *"),
        ("0 8 * * mon", "0 8 * * mon"),
        ("0 8 * * MON", "0 8 * * mon"),
        ("0 8 * * 1-5", "0 8 * * mon-fri"),  # cron's numbers (1 = Monday), written as names
        ("0 8 * * 0", "0 8 * * sun"),
        ("*/15 * * * *", "*/15 * * * *"),
    ],
)
def test_recurring(text: str, cron: str) -> None:
    when = read_when(text, NOW, TZ)
    assert when == When(ScheduleKind.CRON, cron=cron)
    cron_trigger(when.cron, TZ)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("05/12/2026 08:00", "08:00 thứ Bảy, 05/12/2026"),
        ("8h thứ 6", "08:00 thứ Sáu, 04/12/2026"),
        ("CN 9h", "09:00 Chủ nhật, 06/12/2026"),
        ("thứ Hai hàng tuần lúc 8h", "08:00 thứ Hai hằng tuần"),
        ("hàng ngày 8h", "08:00 hằng ngày"),
        ("ngày 5 hàng tháng 9h", "09:00 ngày 5 hằng tháng"),
        ("các ngày thứ 2 đến thứ 6 lúc 8h", "08:00 từ thứ Hai đến thứ Sáu hằng tuần"),
        ("thứ 2, thứ 4 hàng tuần 8h", "08:00 thứ Hai, thứ Tư hằng tuần"),
        ("*/15 * * * *", "theo lịch cron «*/15 * * * *»"),
    ],
)
def test_describe(text: str, description: str) -> None:
    assert describe_when(read_when(text, NOW, TZ), TZ) == description


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("abc", "Chưa hiểu thời điểm «abc». Bạn gõ theo một trong các cách: 05/12/2026 08:00"),
        ("8h 9h", "Chưa hiểu thời điểm"),
        ("sáng", "Chưa hiểu thời điểm"),
        ("mai 8h 5/12", "Chưa hiểu thời điểm"),
        ("8h ngày mai hàng tuần", "Chưa hiểu thời điểm"),
        ("", "Bạn chưa gõ thời điểm gửi"),
        ("31/02/2027 8h", "Ngày 31/02/2027 không có trên lịch"),
        ("31/04 8h", "Ngày 31/04 không có trên lịch"),
        (
            "hôm nay 9h",
            "Thời điểm 09:00 thứ Hai, 30/11/2026 đã qua. Bạn chọn một thời điểm sau 10:00 thứ Hai, 30/11/2026",
        ),
        ("05/12/2025 08:00", "Thời điểm 08:00 thứ Sáu, 05/12/2025 đã qua"),
        ("thứ 2 tuần này 8h", "Thời điểm 08:00 thứ Hai, 30/11/2026 đã qua"),
        ("thứ Hai hàng tuần", "cần có giờ gửi"),
        ("hàng ngày", "cần có giờ gửi"),
        ("5/12", "Thiếu giờ gửi"),
        ("hàng tuần 8h", "thứ mấy"),
        ("hàng tháng 9h", "ngày nào trong tháng"),
        ("ngày 32 hàng tháng 9h", "Tháng không có ngày 32"),
        ("25h", "Giờ 25:00 không hợp lệ"),
        ("8:75", "Giờ 8:75 không hợp lệ"),
        ("5/12 24h", "Giờ 24:00 không hợp lệ"),
        ("thứ 6 05/12/2026 8h", "Ngày 05/12/2026 là thứ Bảy, không phải thứ Sáu"),
        ("0 8 * * foo", "Lịch cron «0 8 * * foo» không hợp lệ"),
        ("99 99 99 99 99", "không hợp lệ"),
    ],
)
def test_refusals(text: str, phrase: str) -> None:
    assert phrase in refusal(text)


@given(
    day=st.dates(min_value=dt.date(2026, 12, 1), max_value=dt.date(2099, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_day_month_year_round_trips(day: dt.date, hour: int, minute: int) -> None:
    text = f"{day:%d/%m/%Y} {hour:02}:{minute:02}"
    when = read_when(text, NOW, TZ)
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)
    assert when.run_at == moment.astimezone(dt.UTC)
    described = describe_when(when, TZ)
    assert described.startswith(f"{hour:02}:{minute:02} ") and described.endswith(f", {day:%d/%m/%Y}")
    assert read_when(" ".join([described[:5], described[-10:]]), NOW, TZ) == when


@given(st.text())
def test_any_text_is_read_or_refused_in_vietnamese(text: str) -> None:
    try:
        when = read_when(text, NOW, TZ)
    except ScheduleError:
        return
    assert isinstance(describe_when(when, TZ), str)


@given(
    st.lists(
        st.sampled_from(["0", "8", "*", "*/5", "1-5", "mon", "7", "60", "-", ",", "/", "x"]), min_size=5, max_size=5
    )
)
def test_crontab_like_text_is_read_or_refused(fields: list[str]) -> None:
    with contextlib.suppress(ScheduleError):
        when = read_when(" ".join(fields), NOW, TZ)
        assert when.kind == ScheduleKind.CRON
        cron_trigger(when.cron, TZ)
