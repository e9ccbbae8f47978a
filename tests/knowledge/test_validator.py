"""The validator reports each kind of error with file and entry id; the CLI exits non-zero on errors."""

import datetime as dt

from bot.cli import main
from knowledge.validator import errors, validate
from tests.kb_builders import entry, kb_of, write_knowledge_dir

GOOD = dict(alternates=["a", "b", "c", "d"])


def messages(kb):
    return [(p.entry_id, p.message) for p in errors(validate(kb))]


def test_clean_kb_has_no_errors():
    kb = kb_of(
        entry("mot", "Câu một?", related=["hai"], **GOOD),
        entry("hai", "Câu hai?", alternates=["e", "f", "g", "h"]),
    )
    assert validate(kb) == []


def test_duplicate_ids():
    kb = kb_of(entry("mot", "Câu một?"), entry("mot", "Câu khác?"))
    assert ("mot", "mã bị trùng (xuất hiện 2 lần)") in messages(kb)


def test_empty_answer():
    e = entry("mot", "Câu một?")
    e.answer = ""
    assert ("mot", "chưa có câu trả lời") in messages(kb_of(e))


def test_missing_source():
    assert ("mot", "chưa ghi nguồn") in messages(kb_of(entry("mot", "Câu một?", source="")))


def test_related_pointing_nowhere():
    assert ("mot", "câu liên quan «khong-co» không có trong kho") in messages(
        kb_of(entry("mot", "Câu?", related=["khong-co"]))
    )


def test_alternate_identical_to_another_question():
    kb = kb_of(entry("mot", "5S là gì?"), entry("hai", "Kaizen là gì?", alternates=["5s la gi"]))
    found = messages(kb)
    assert any(eid == "hai" and "trùng với câu hỏi của «mot»" in msg for eid, msg in found)


def test_answer_over_4000_characters():
    found = messages(kb_of(entry("mot", "Câu?", answer="x" * 4001)))
    assert ("mot", "câu trả lời dài 4001 ký tự, quá 4000") in found


def test_unknown_topic_and_placeholder():
    found = messages(kb_of(entry("mot", "Câu?", topic="khong-co", answer="Gọi {phone}")))
    assert ("mot", "không có chủ đề «khong-co»") in found
    assert ("mot", "chỗ điền {phone} không có (chỉ dùng {contact})") in found


def test_expired_entry_is_a_warning():
    problems = validate(kb_of(entry("mot", "Câu?", valid_until=dt.date(2020, 1, 1), **GOOD)))
    assert [p.level for p in problems] == ["warning"]


def test_problems_name_file_and_entry(tmp_path, capsys):
    write_knowledge_dir(tmp_path, [entry("mot", "Câu một?", source=""), entry("hai", "Câu hai?", related=["ba"])])
    assert main(["kb", "validate", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "LỖI 01-test.yaml: mot — mục «Nguồn»: chưa ghi nguồn" in out
    assert "LỖI 01-test.yaml: hai — mục «Câu liên quan»: câu liên quan «ba» không có trong kho" in out


def test_shipped_kb_validates(capsys):
    assert main(["kb", "validate"]) == 0
    assert "0 lỗi" in capsys.readouterr().out


def test_the_same_phrasing_under_two_entries_is_refused():
    kb = kb_of(
        entry("mot", "Câu một?", alternates=["thuê nhà", "b", "c", "d"]),
        entry("hai", "Câu hai?", alternates=["Thuê   nhà", "f", "g", "h"]),
    )
    assert messages(kb) == [
        ("mot", "cách hỏi «thuê nhà» trùng với một cách hỏi của «hai»"),
        ("hai", "cách hỏi «Thuê   nhà» trùng với một cách hỏi của «mot»"),
    ]
