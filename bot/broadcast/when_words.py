"""Read the send times staff type in Vietnamese ("8h sáng mai", "thứ Hai hàng tuần lúc 8h") into a schedule."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.broadcast.schedule import ScheduleError, cron_trigger
from handlers.statuses import ScheduleKind

UTC = dt.UTC
# A moment typed a few seconds before pressing send still means "now", not "in the past".
GRACE = dt.timedelta(minutes=1)
WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
# Day names, never numbers, in the crontabs we write: APScheduler 3 counts 0 as Monday, cron as Sunday.
CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EXAMPLES = "05/12/2026 08:00 · 5/12 8h · 8h sáng mai · thứ Hai hàng tuần lúc 8h · ngày 5 hàng tháng 9h · ngay"

_NOW = {"ngay", "gui ngay", "bay gio", "ngay bay gio", "gui ngay bay gio", "now"}
# Words that carry no meaning of their own once the rest is read ("gửi vào lúc", "từ … đến").
_FILLER = {"luc", "vao", "ngay", "gui", "tu", "den", "next", "at", "on", "-", "nhe", "nha"}
_ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Folded weekday words → 0 (Monday) … 6 (Sunday).
_DAYS = {
    **{f"{prefix}{n}": n - 2 for n in range(2, 8) for prefix in ("thu ", "thu", "t")},
    **{f"thu {word}": i for i, word in enumerate(("hai", "ba", "tu", "nam", "sau", "bay"))},
    **{name: i for i, name in enumerate(_ENGLISH_DAYS)},
    "chu nhat": 6,
    "cn": 6,
}
_WD = r"\b(?:" + "|".join(re.escape(k) for k in sorted(_DAYS, key=len, reverse=True)) + r")\b"
_RAW_CRON = re.compile(r"(?:[\d*/,-]+ ){4}[\d*/,a-z-]+", re.ASCII)


class _Unreadable(Exception):
    """Raised inside the scanner; read_when turns it into the Vietnamese "not understood" message."""


@dataclass
class _Parts:
    """What the words said, before it is turned into a date."""

    hour: int | None = None
    minute: int = 0
    part: str = ""  # part of the day: sang, trua, chieu, toi, dem
    date: tuple[int, int, int | None] | None = None  # day, month, year (None: the next such date)
    monthday: int | None = None
    offset: int | None = None  # 0 today, 1 tomorrow, 2 the day after
    week: int | None = None  # 0 this week, 1 next week
    days: list[int] = field(default_factory=list)
    repeat: str = ""  # daily, weekly, monthly
    plural: bool = False  # "mỗi", "các", "every": the weekdays named recur

    def set(self, name: str, value: object) -> None:
        if getattr(self, name) not in (None, "", value):
            raise _Unreadable  # two different answers to one question ("8h … 9h")
        setattr(self, name, value)


def _clock(p: _Parts, m: re.Match[str]) -> None:
    p.set("hour", int(m[1]))
    p.minute = int(m[2] or 0)


def _span(p: _Parts, m: re.Match[str]) -> None:
    start, end = _DAYS[m[1]], _DAYS[m[2] or f"thu {m[3]}"]
    p.days += [(start + i) % 7 for i in range((end - start) % 7 + 1)]  # "thứ 7 đến thứ 2" wraps
    p.plural = True  # a span of weekdays only makes sense as a recurrence


def _setter(name: str, value: object) -> Callable[[_Parts, re.Match[str]], None]:
    return lambda p, m: p.set(name, value)


# Applied in order, each match cut out of the text: longer phrases go before the words inside them.
_RULES: list[tuple[str, Callable[[_Parts, re.Match[str]], None]]] = [
    (r"\b(?:hang|moi) tuan\b|\bweekly\b", _setter("repeat", "weekly")),
    (r"\b(?:hang|moi) ngay\b|\bevery day\b|\bdaily\b", _setter("repeat", "daily")),
    (r"\b(?:hang|moi) thang\b|\bmonthly\b", _setter("repeat", "monthly")),
    (r"\b(?:moi|cac|every)\b", lambda p, m: setattr(p, "plural", True)),
    (r"\btuan (?:sau|toi|next)\b", _setter("week", 1)),
    (r"\btuan nay\b", _setter("week", 0)),
    (rf"({_WD}) ?(?:(?:-|den|toi|next) ?({_WD})|- ?([2-7])\b)", _span),
    (_WD, lambda p, m: p.days.append(_DAYS[m[0]])),
    (
        r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)",
        lambda p, m: p.set("date", (int(m[3]), int(m[2]), int(m[1]))),
    ),
    (
        r"(?<![\d.:/-])(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d/.:-])",
        lambda p, m: p.set("date", (int(m[1]), int(m[3]), int(m[4]) if m[4] else None)),
    ),
    (
        r"\b(?:ngay|mung|mong) (\d{1,2})(?![\d/.:-])(?! ?(?:h|g|gio)(?![a-z]))",
        lambda p, m: p.set("monthday", int(m[1])),
    ),
    (r"(?<![\d.:/-])(\d{1,2}):(\d{2})(?![\d:])", _clock),
    (r"(?<![\d.:/-])(\d{1,2}) ?(?:h|g|gio)(?![a-z])(?: ?(\d{1,2})(?![\d/.:-])(?: ?(?:phut|p)(?![a-z]))?)?", _clock),
    (r"\bluc (\d{1,2})()(?![\d/.:-])", _clock),  # "lúc 8" with no unit
    (r"\b(?:ngay )?(?:kia|mot)\b", _setter("offset", 2)),
    (r"\b(?:ngay )?mai\b|\btomorrow\b", _setter("offset", 1)),
    (r"\b(?:hom )?nay\b|\btoday\b", _setter("offset", 0)),
    (r"\b(sang|trua|chieu|toi|dem)\b", lambda p, m: p.set("part", m[1])),
]
_COMPILED = [(re.compile(pattern, re.ASCII), handle) for pattern, handle in _RULES]


@dataclass(frozen=True)
class When:
    """A schedule: now, once at `run_at`, or every time the local-time crontab `cron` fires."""

    kind: ScheduleKind  # NOW, AT or CRON
    run_at: dt.datetime | None = None  # aware UTC, for AT
    cron: str = ""  # a 5-field crontab in local time (minute hour day month day_of_week), for CRON


def _fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces: "Thứ Hai" and "thu hai" read alike."""
    low = unicodedata.normalize("NFC", text).lower()
    # "tới" (coming) and "tối" (evening) fold to the same "toi"; tell them apart while the marks are there.
    low = low.replace("tới", " next ").replace("đ", "d")
    plain = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
    plain = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t", r"\1 ", plain)  # ISO "2026-12-05T08:00"
    plain = " ".join(re.sub(r"[,;]", " ", plain).split())
    return plain.rstrip(". ")


def read_when(text: str, now: dt.datetime, timezone: str) -> When:
    """`now` is aware UTC; `timezone` an IANA name. Raises ScheduleError with a Vietnamese message."""
    folded = _fold(text)
    if not folded:
        raise ScheduleError(f"Bạn chưa gõ thời điểm gửi. Ví dụ: {EXAMPLES}")
    if folded in _NOW:
        return When(ScheduleKind.NOW)
    if _RAW_CRON.fullmatch(folded):
        return _cron(_sunday_zero(folded), timezone)
    try:
        parts = _scan(folded)
        if parts.repeat or parts.plural:
            return _recurring(parts, timezone)
        return _once(parts, now, timezone)
    except _Unreadable:
        shown = " ".join(text.split())[:60]
        raise ScheduleError(f"Chưa hiểu thời điểm «{shown}». Bạn gõ theo một trong các cách: {EXAMPLES}") from None


def describe_when(when: When, timezone: str) -> str:
    """Vietnamese, full diacritics: "08:00 thứ Sáu, 05/12/2026", "08:00 thứ Hai hằng tuần", "ngay bây giờ"."""
    if when.kind == ScheduleKind.CRON:
        return _describe_cron(when.cron)
    if when.kind == ScheduleKind.AT and when.run_at is not None:
        return _stamp(when.run_at.astimezone(ZoneInfo(timezone)))
    return "ngay bây giờ"


def _scan(folded: str) -> _Parts:
    parts, rest = _Parts(), folded
    for pattern, handle in _COMPILED:
        while match := pattern.search(rest):
            handle(parts, match)
            rest = f"{rest[: match.start()]} {rest[match.end() :]}"
    if any(word not in _FILLER for word in rest.split()):
        raise _Unreadable
    return parts


def _hour(p: _Parts, recurring: bool) -> tuple[int, int, int]:
    """Hour and minute on a 24-hour clock, and 1 when "12h đêm" means the midnight after the named day."""
    hour, minute = p.hour, p.minute
    if hour is None:
        if recurring:
            raise ScheduleError("Lịch lặp lại cần có giờ gửi. Bạn thêm giờ, ví dụ: thứ Hai hàng tuần lúc 8h.")
        raise ScheduleError("Thiếu giờ gửi. Bạn thêm giờ, ví dụ: 5/12 8h hoặc 8h sáng mai.")
    if hour > 23 or minute > 59:
        raise ScheduleError(f"Giờ {hour}:{minute:02} không hợp lệ: giờ từ 0 đến 23, phút từ 0 đến 59.")
    afternoon = {"chieu": range(1, 12), "toi": range(1, 12), "trua": range(1, 6), "dem": range(9, 12)}
    if hour in afternoon.get(p.part, ()):
        return hour + 12, minute, 0
    if p.part == "dem" and hour == 12:
        return 0, minute, 1
    return hour, minute, 0  # "sáng" keeps the hour as written, so "12h sáng" is noon


def _recurring(p: _Parts, timezone: str) -> When:
    if p.date or p.offset is not None or p.week is not None:
        raise _Unreadable  # "hàng tuần" next to a single date: which one was meant?
    if p.repeat == "monthly":
        if p.days:
            raise _Unreadable
        if p.monthday is None:
            raise ScheduleError("Bạn cho biết gửi vào ngày nào trong tháng, ví dụ: ngày 5 hàng tháng 9h.")
        if not 1 <= p.monthday <= 31:
            raise ScheduleError(f"Tháng không có ngày {p.monthday}. Bạn chọn một ngày từ 1 đến 31.")
        # A 29th–31st is kept: cron skips the months without one, as staff who chose it expect.
        hour, minute, _ = _hour(p, recurring=True)
        return _cron(f"{minute} {hour} {p.monthday} * *", timezone)
    if p.monthday is not None:
        raise _Unreadable
    if not p.days and p.repeat != "daily":
        if p.repeat == "weekly":
            raise ScheduleError("Bạn cho biết gửi vào thứ mấy, ví dụ: thứ Hai hàng tuần lúc 8h.")
        raise _Unreadable
    hour, minute, shift = _hour(p, recurring=True)
    days = "*" if not p.days else _day_field({(day + shift) % 7 for day in p.days})
    return _cron(f"{minute} {hour} * * {days}", timezone)


def _once(p: _Parts, now: dt.datetime, timezone: str) -> When:
    named = [p.date is not None, p.monthday is not None, p.offset is not None, bool(p.days) and not p.date]
    if sum(named) > 1 or len(p.days) > 1 or (p.week is not None and (not p.days or p.date)):
        raise _Unreadable  # two days named for one moment
    if p.hour is None and not any(named):
        raise _Unreadable  # only filler or a part of the day ("sáng")
    zone = ZoneInfo(timezone)
    hour, minute, shift = _hour(p, recurring=False)
    dates = _dates(p, now.astimezone(zone).date())
    moments = [_moment(day + dt.timedelta(days=shift), hour, minute, zone) for day in dates]
    chosen = next((i for i, moment in enumerate(moments) if moment >= now - GRACE), 0)
    day, moment = dates[chosen], moments[chosen]
    if p.date and p.days and day.weekday() != p.days[0]:
        raise ScheduleError(
            f"Ngày {day:%d/%m/%Y} là {WEEKDAY_NAMES[day.weekday()]}, không phải {WEEKDAY_NAMES[p.days[0]]}. "
            "Bạn kiểm tra lại ngày hoặc thứ."
        )
    if moment < now - GRACE:
        raise ScheduleError(
            f"Thời điểm {_stamp(moment.astimezone(zone))} đã qua. "
            f"Bạn chọn một thời điểm sau {_stamp(now.astimezone(zone))}."
        )
    return When(ScheduleKind.AT, run_at=moment)


def _moment(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> dt.datetime:
    try:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar's edge by the time zone
        raise ScheduleError("Thời điểm này nằm ngoài lịch. Bạn chọn một ngày gần hơn.") from None


def _dates(p: _Parts, today: dt.date) -> list[dt.date]:
    """The local dates the words can mean, earliest first: the first one still ahead is taken."""
    if p.date:
        day, month, year = p.date
        years = range(today.year, today.year + 5) if year is None else [year + 2000 if year < 100 else year]
        found = [d for y in years if (d := _date(y, month, day))]
        if not found:
            shown = f"{day:02}/{month:02}" + ("" if year is None else f"/{year}")
            raise ScheduleError(f"Ngày {shown} không có trên lịch. Bạn kiểm tra lại ngày và tháng.")
        return found
    if p.monthday is not None:
        months = [(today.year + (today.month - 1 + i) // 12, (today.month - 1 + i) % 12 + 1) for i in range(13)]
        found = [d for y, m in months if (d := _date(y, m, p.monthday))]
        if not found:
            raise ScheduleError(f"Tháng không có ngày {p.monthday}. Bạn chọn một ngày từ 1 đến 31.")
        return found
    if p.days:
        if p.week is None:  # the next such weekday strictly after today
            ahead = (p.days[0] - today.weekday()) % 7 or 7
        else:  # weeks start on Monday
            ahead = p.days[0] - today.weekday() + 7 * p.week
        return [today + dt.timedelta(days=ahead)]
    if p.offset is not None:
        return [today + dt.timedelta(days=p.offset)]
    return [today, today + dt.timedelta(days=1)]  # a bare hour: today if still ahead, else tomorrow


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _cron(expression: str, timezone: str) -> When:
    try:
        cron_trigger(expression, timezone)
    except ScheduleError:
        raise ScheduleError(
            f"Lịch cron «{expression}» không hợp lệ. Ví dụ đúng: 0 8 * * mon (8 giờ sáng thứ Hai hằng tuần)."
        ) from None
    return When(ScheduleKind.CRON, cron=expression)


def _sunday_zero(expression: str) -> str:
    """A typed crontab's numeric weekdays as cron means them (0 and 7 Sunday, 1 Monday), written as names."""
    *head, days = expression.split()
    if not re.fullmatch(r"[0-7](?:-[0-7])?(?:,[0-7](?:-[0-7])?)*", days):
        return expression
    numbers: set[int] = set()
    for piece in days.split(","):
        first, _, last = piece.partition("-")
        if int(last or first) < int(first):
            return expression  # a backwards range: let the validator say it is wrong
        numbers.update(range(int(first), int(last or first) + 1))
    return " ".join([*head, _day_field({(n - 1) % 7 for n in numbers})])


def _day_field(days: set[int]) -> str:
    """{0, 1, 2, 3, 4} → "mon-fri"; {0, 2} → "mon,wed"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        f"{CRON_DAYS[r[0]]}-{CRON_DAYS[r[-1]]}" if len(r) > 2 else ",".join(CRON_DAYS[d] for d in r) for r in runs
    )


def _describe_cron(expression: str) -> str:
    fields = expression.split()
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[3] == "*":
        clock = f"{int(fields[1]):02}:{int(fields[0]):02}"
        day, days = fields[2], fields[4]
        if day == "*" and days == "*":
            return f"{clock} hằng ngày"
        if day.isdigit() and days == "*":
            return f"{clock} ngày {int(day)} hằng tháng"
        if day == "*" and (named := _days_in_words(days)):
            return f"{clock} {named} hằng tuần"
    return f"theo lịch cron «{expression}»"


def _days_in_words(days: str) -> str:
    words = []
    for piece in days.split(","):
        first, _, last = piece.partition("-")
        if first not in CRON_DAYS or (last and last not in CRON_DAYS):
            return ""
        start = WEEKDAY_NAMES[CRON_DAYS.index(first)]
        words.append(f"từ {start} đến {WEEKDAY_NAMES[CRON_DAYS.index(last)]}" if last else start)
    return ", ".join(words)


def _stamp(local: dt.datetime) -> str:
    return f"{local:%H:%M} {WEEKDAY_NAMES[local.weekday()]}, {local.day:02}/{local.month:02}/{local.year:04}"
