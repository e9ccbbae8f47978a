"""Telegram rendering: everything escaped, long replies split at paragraph boundaries, keyboards bounded."""

import html
import re

from bot.channels.telegram_render import MAX_MESSAGE, keyboard, render_html
from bot.channels.text_split import split_paragraphs
from handlers.types import Button, Reply


def test_user_and_admin_text_is_escaped():
    parts = render_html(Reply("<b>5S</b> & Kaizen", source="Kế hoạch <273> & co"))
    assert parts == ["&lt;b&gt;5S&lt;/b&gt; &amp; Kaizen\n\n<i>Nguồn: Kế hoạch &lt;273&gt; &amp; co</i>"]


def test_long_reply_is_split_at_paragraphs_and_fits():
    paragraphs = [f"Đoạn {i}: " + "năng suất chất lượng " * 30 for i in range(20)]
    text = "\n\n".join(paragraphs)
    parts = render_html(Reply(text, source="Nguồn thử"))
    assert len(parts) > 1 and all(len(p) <= MAX_MESSAGE for p in parts)
    assert all(p.rstrip().endswith(("lượng", "</i>")) for p in parts)  # no paragraph cut in half
    assert parts[-1].endswith("<i>Nguồn: Nguồn thử</i>")
    assert "".join(p.replace("\n", "") for p in parts).count("Đoạn") == 20


def visible(part: str) -> str:
    """What Telegram counts against 4,096: the text after entity parsing (tags gone, entities decoded)."""
    return html.unescape(re.sub(r"</?(b|i|u|s|a|code|pre|blockquote)[^>]*>", "", part))


def test_a_long_source_folds_into_an_expandable_quote_and_still_fits():
    short = render_html(Reply("Trả lời.", source="Kế hoạch 273/KH-UBND"))
    assert short == ["Trả lời.\n\n<i>Nguồn: Kế hoạch 273/KH-UBND</i>"]
    source = "; ".join(f"Tài liệu số {i} về năng suất & chất lượng, https://example.org/tai-lieu-{i}" for i in range(9))
    assert len(source) > 600
    one = render_html(Reply("Trả lời ngắn.", source=source))
    assert one == [
        "Trả lời ngắn.\n\n<blockquote expandable><i>Nguồn: " + html.escape(source, quote=False) + "</i></blockquote>"
    ]
    text = "từ " * 2460  # two nearly full pieces: the source must not push the last one over
    parts = render_html(Reply(text, source=source))
    assert len(parts) > 1 and all(len(visible(p)) <= MAX_MESSAGE for p in parts)
    assert parts[-1].endswith("</i></blockquote>") and visible(parts[-1]).endswith(source)


def test_escaping_never_splits_an_entity():
    parts = render_html(Reply("&" * 5000))
    assert all(len(visible(p)) <= MAX_MESSAGE for p in parts)
    assert all(p.count("&amp;") * 5 == len(p) for p in parts)  # whole entities only
    assert sum(len(visible(p)) for p in parts) == 5000


def test_split_without_paragraphs_falls_back_to_spaces():
    chunks = split_paragraphs("từ " * 3000, 1000)
    assert all(len(c) <= 1000 for c in chunks) and all(not c.startswith(" ") for c in chunks)


def test_keyboard_drops_oversized_callback_data_and_keeps_links():
    markup = keyboard(
        Reply(
            "x",
            [[Button("ok", "e:" + "a" * 80)], [Button("Mở", url="https://example.org")], [Button("Chủ đề " * 40, "m")]],
        )
    )
    rows = markup.inline_keyboard
    assert len(rows) == 2 and rows[0][0].url == "https://example.org" and len(rows[1][0].text) <= 120


def test_the_detail_folds_under_the_short_answer_and_unfolds_when_too_long():
    folded = render_html(Reply("Ngắn <gọn>.", source="Nguồn", detail="Chi tiết & ví dụ."))
    assert folded == [
        "Ngắn &lt;gọn&gt;.\n\n<blockquote expandable>Chi tiết &amp; ví dụ.</blockquote>\n\n<i>Nguồn: Nguồn</i>"
    ]
    long_detail = "\n\n".join("chi tiết " * 60 for _ in range(12))
    parts = render_html(Reply("Ngắn.", source="Nguồn", detail=long_detail))
    assert len(parts) > 1 and all(len(visible(p)) <= MAX_MESSAGE for p in parts)
    assert "blockquote" not in "".join(parts) and parts[0].startswith("Ngắn.\n\nchi tiết")
