"""The admin's review loop: list what the bot could not answer, make it an entry's phrasing, see it answered."""

import asyncio

import pytest

from bot.cli import main
from bot.db import conversation_log
from bot.db.database import open_database
from knowledge.formats import import_entries
from knowledge.loader import load_directory
from knowledge.search import SearchEngine
from tests.kb_builders import entry, write_knowledge_dir

pytestmark = pytest.mark.slow

QUESTION = "xưởng em muốn có chứng chỉ chất lượng thì làm sao"


async def log_questions_and_feedback(database_url: str) -> None:
    engine = SearchEngine(load_directory()[0])
    db = await open_database(database_url)
    async with db.writing() as s:
        for text in (QUESTION, QUESTION, "giá vàng hôm nay"):
            result = engine.search(text)
            best = result.best
            await conversation_log.log_unanswered(
                s, text, result.analysis.plain, result.status, best.entry.id if best else None, result.confidence
            )
        await conversation_log.vote(s, "telegram", "1", "ocop-dang-ky", False)
        await conversation_log.set_feedback_comment(s, "telegram", "1", "ocop-dang-ky", "Tôi hỏi nhãn hiệu cơ mà")
        await conversation_log.vote(s, "telegram", "2", "ocop-dang-ky", True)
        await conversation_log.vote(s, "zalo", "3", "5s-la-gi", True)
    await db.dispose()


def test_unanswered_becomes_an_alternate_and_is_answered(database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["kb", "export", str(tmp_path / "seed.jsonl")]) == 0  # seeds the live copy
    asyncio.run(log_questions_and_feedback(database_url))
    capsys.readouterr()

    assert main(["kb", "unanswered"]) == 0
    listing = capsys.readouterr().out
    assert listing.index(QUESTION) < listing.index("giá vàng hôm nay")  # most asked first
    assert "×2" in listing and "ocop-dang-ky: 👎 1, 👍 1" in listing and "Tôi hỏi nhãn hiệu cơ mà" in listing
    assert "5s-la-gi" not in listing  # only 👍: nothing to fix

    assert main(["kb", "alternate", "iso9001-chung-nhan", QUESTION]) == 0
    out = capsys.readouterr().out
    assert "sửa 1: iso9001-chung-nhan" in out and "phiên bản 2" in out
    assert f"«{QUESTION}» → nay trả lời: iso9001-chung-nhan" in out
    assert "đã bỏ khỏi danh sách chưa trả lời được: 1" in out

    assert main(["kb", "unanswered"]) == 0
    listing = capsys.readouterr().out
    assert QUESTION not in listing and "giá vàng hôm nay" in listing
    assert main(["kb", "export", str(tmp_path / "after.jsonl")]) == 0
    entries, _ = import_entries(tmp_path / "after.jsonl")
    assert QUESTION in next(e for e in entries if e.id == "iso9001-chung-nhan").alternates


def test_alternate_is_checked_like_an_import(tmp_path, capsys):
    folder = write_knowledge_dir(
        tmp_path / "kb",
        [
            entry("mot", "Thuế là gì?", alternates=["a", "b", "c", "d"]),
            entry("hai", "Thuê nhà thế nào?", alternates=["e", "f", "g", "h"]),
        ],
    )
    assert main(["kb", "alternate", "khong-co", "câu hỏi", "--dir", str(folder)]) == 1
    assert "không có câu hỏi nào mang mã này" in capsys.readouterr().out
    # Another entry's question cannot become this entry's phrasing.
    assert main(["kb", "alternate", "mot", "Thuê nhà thế nào?", "--dir", str(folder)]) == 1
    assert "trùng với câu hỏi của «hai»" in capsys.readouterr().out
    # Nor another entry's phrasing: the bot could then only ask back between the two, at confidence 1.00.
    assert main(["kb", "alternate", "mot", "F", "--dir", str(folder)]) == 1
    assert "trùng với một cách hỏi của «hai»" in capsys.readouterr().out
    # A formula is no phrasing (and would run in a spreadsheet).
    assert main(["kb", "alternate", "mot", "=1+2", "--dir", str(folder)]) == 1
    assert "phải là chữ, không bắt đầu bằng = + - @" in capsys.readouterr().out
    # A phrasing already there is not added twice; a new one is, in the folder.
    assert main(["kb", "alternate", "mot", "thue la gi", "thuế là gì vậy", "--dir", str(folder)]) == 0
    assert load_directory(folder)[0].get("mot").alternates == ["a", "b", "c", "d", "thuế là gì vậy"]
