"""The console's SVG charts: well-formed, one shape per value, every text escaped, a readable empty state."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from bot.admin import charts
from bot.admin.charts import Bar, Series

SVG = "{http://www.w3.org/2000/svg}"
DAYS = [dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(5)]
NASTY = 'Hỏi <script>alert("x")</script> & «ISO»'


def parse(markup: str) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def shapes(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if css in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_stacked_bars_draw_a_rect_per_nonzero_value_with_legend_title_and_day_labels():
    series = [
        Series("Trả lời", "c-answered", [3, 0, 5, 1, 2]),
        Series("Hỏi lại", "c-clarify", [1, 1, 0, 0, 2]),
        Series("Chưa trả lời được", "c-fallback", [0, 0, 0, 4, 1]),
    ]
    root = parse(charts.stacked_bars("Câu hỏi mỗi ngày", DAYS, series))
    assert root.get("role") == "img" and root.get("aria-label") == "Câu hỏi mỗi ngày"
    assert root.find(f"{SVG}title").text == "Câu hỏi mỗi ngày"
    assert len(shapes(root, "rect", "c-answered")) == 1 + 4  # one legend swatch, four non-zero days
    assert len(shapes(root, "rect", "c-clarify")) == 1 + 3
    assert len(shapes(root, "rect", "c-fallback")) == 1 + 2
    shown = texts(root)
    assert {"Trả lời", "Hỏi lại", "Chưa trả lời được"} <= set(shown)
    assert [t for t in shown if "/" in t] == ["01/12", "02/12", "03/12", "04/12", "05/12"]
    # A day's bars say their numbers on hover.
    tips = [e.text for e in root.iter(f"{SVG}title")]
    assert "04/12/2026: Trả lời 1, Hỏi lại 0, Chưa trả lời được 4" in tips
    # The axis goes to 8 in whole steps (0, 2, 4, 6, 8); the day with 5 answered reaches 5/8 of it.
    assert [t for t in shown if t.isdigit()] == ["0", "2", "4", "6", "8"]
    heights = [float(r.get("height")) for r in shapes(root, "rect", "c-answered")[1:]]
    assert max(heights) == pytest.approx(charts.PLOT_HEIGHT * 5 / 8, abs=0.1)


def test_long_periods_label_at_most_ten_days_and_always_the_last():
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(90)]
    root = parse(charts.stacked_bars("90 ngày", days, [Series("Trả lời", "c-answered", [1] * 90)]))
    labels = [t for t in texts(root) if "/" in t]
    assert len(labels) <= charts.MAX_DAY_LABELS and labels[-1] == "31/03"
    assert len(shapes(root, "rect", "c-answered")) == 1 + 90


def test_lines_draw_a_dot_per_value_and_break_at_missing_days():
    series = [
        Series("Telegram", "c-telegram", [10, 12, None, 15, 16]),
        Series("Zalo", "c-zalo", [None, None, None, None, 4]),
    ]
    root = parse(charts.lines("Người đăng ký", DAYS, series))
    assert len(shapes(root, "circle", "c-telegram")) == 4
    assert len(shapes(root, "circle", "c-zalo")) == 1
    # Telegram: two pieces of line around the missing day; Zalo's single point is a dot only.
    assert len(shapes(root, "polyline", "c-telegram")) == 2
    assert shapes(root, "polyline", "c-zalo") == []
    assert len(shapes(root, "polyline", "c-telegram")[0].get("points").split()) == 2


def test_percentages_use_the_given_top_and_vietnamese_decimals():
    root = parse(charts.lines("Tỷ lệ", DAYS[:2], [Series("Trả lời được", "c-share", [50, 87.5])], "%", 100))
    shown = texts(root)
    assert "100%" in shown and "50%" in shown  # the axis goes to 100%
    assert "02/12/2026: Trả lời được 87,5%" in [e.text for e in root.iter(f"{SVG}title")]


def test_horizontal_bars_one_row_per_bar_longest_as_given():
    bars = [Bar("5S là gì?", 40), Bar("Kaizen", 10), Bar("ISO 9001 có bắt buộc không?", 20)]
    root = parse(charts.horizontal_bars("Hỏi nhiều nhất", bars))
    rects = shapes(root, "rect", "c-top")
    assert len(rects) == 3
    widths = [float(r.get("width")) for r in rects]
    assert widths[0] == 4 * widths[1] == 2 * widths[2]
    assert {"5S là gì?", "40", "Kaizen", "10"} <= set(texts(root))


def test_long_labels_are_cut_but_kept_whole_in_the_tooltip():
    label = "Doanh nghiệp nhỏ và vừa được hỗ trợ bao nhiêu tiền khi áp dụng hệ thống quản lý chất lượng ISO 9001"
    root = parse(charts.horizontal_bars("Hỏi nhiều nhất", [Bar(label, 3)]))
    assert any(t.endswith("…") and len(t) < len(label) for t in texts(root))
    assert f"{label}: 3" in [e.text for e in root.iter(f"{SVG}title")]


def test_every_text_is_escaped():
    markup = str(
        charts.horizontal_bars(NASTY, [Bar(NASTY, 2)])
        + charts.stacked_bars(NASTY, DAYS[:1], [Series(NASTY, "c-answered", [1])])
        + charts.lines(NASTY, DAYS[:1], [Series(NASTY, "c-share", [1])])
        + charts.stacked_row(NASTY, [Bar(NASTY, 1, "d-sent")])
        + charts.empty(NASTY)
    )
    assert "<script>" not in markup and "& " not in markup
    assert "&lt;script&gt;" in markup and "&amp;" in markup
    for svg in markup.split("</svg>")[:-1]:
        root = parse(svg + "</svg>")
        assert root.get("aria-label") == NASTY
        assert NASTY in texts(root) or NASTY in [e.text for e in root.iter(f"{SVG}title")]


def test_no_data_reads_chua_co_du_lieu_instead_of_a_broken_chart():
    empties = [
        charts.stacked_bars("Câu hỏi", [], []),
        charts.stacked_bars("Câu hỏi", DAYS, [Series("Trả lời", "c-answered", [0] * 5)]),
        charts.lines("Người đăng ký", DAYS, [Series("Zalo", "c-zalo", [None] * 5)]),
        charts.lines("Người đăng ký", DAYS, []),
        charts.horizontal_bars("Hỏi nhiều nhất", []),
        charts.stacked_row("Chiến dịch #1", [Bar("đã gửi", 0, "d-sent")]),
    ]
    for markup in empties:
        root = parse(markup)
        assert texts(root) == [charts.EMPTY]
        assert not list(root.iter(f"{SVG}rect")) and not list(root.iter(f"{SVG}circle"))


def test_stacked_row_splits_the_bar_by_share_and_gives_each_number_in_the_legend():
    parts = [Bar("đã gửi", 900, "d-sent"), Bar("lỗi", 0, "d-failed"), Bar("đã chặn bot", 100, "d-blocked")]
    root = parse(charts.stacked_row("Chiến dịch #3", parts))
    assert "đã gửi: 900" in texts(root) and "đã chặn bot: 100" in texts(root)
    assert not any("lỗi" in t for t in texts(root))  # a status with nothing in it is left out
    sent, blocked = shapes(root, "rect", "d-sent")[1], shapes(root, "rect", "d-blocked")[1]
    assert abs(float(sent.get("width")) - 9 * float(blocked.get("width"))) < 1


def test_numbers_read_the_vietnamese_way():
    assert charts.number(1234567) == "1.234.567"
    assert charts.number(0.35, 2) == "0,35"
    assert charts.number(12.5, 1) == "12,5"
    # Four grid steps, each a whole number for counts.
    tops = {value: charts.nice_top(value) for value in (0, 5, 9, 180, 2_300, 81_000)}
    assert tops == {0: 4, 5: 8, 9: 12, 180: 200, 2_300: 2_400, 81_000: 100_000}
    assert charts.nice_top(0.3, whole=False) == pytest.approx(0.32)
