"""The KB 2.0 rules: a short part that answers, {contact} only as the last block, button labels that fit,
URLs that open, review dates — each shown rejecting a bad entry and passing a good one."""

import datetime as dt

import pytest

from knowledge.answer_parts import split_answer
from knowledge.validator import errors, validate
from tests.kb_builders import entry, kb_of

GOOD = dict(alternates=["a", "b", "c", "d"])
TODAY = dt.date(2026, 11, 30)


def problems_of(**fields):
    fields = {**GOOD, **fields}
    return [p.message for p in errors(validate(kb_of(entry("mot", fields.pop("question", "Câu một?"), **fields))))]


def test_a_good_entry_passes():
    answer = "Có, bạn làm được ngay.\n\nChi tiết:\n- Bước một.\n\n{contact}"
    assert problems_of(answer=answer, label="Câu một") == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"answer": "Dài " * 120}, "dài 479 ký tự, quá 300"),
        ({"answer": "- Mục một\n- Mục hai"}, "không phải một danh sách"),
        ({"answer": "1. Bước một\n2. Bước hai"}, "không phải một danh sách"),
        ({"answer": "Liên hệ: {contact}, rồi nói rõ nhu cầu."}, "{contact} chỉ được đứng riêng ở đoạn cuối"),
        ({"answer": "Có.\n\n{contact}\n\n{contact}"}, "{contact} chỉ được đứng riêng ở đoạn cuối"),
        ({"label": "Nhãn rất dài không vừa một nút trên điện thoại"}, "nhãn nút dài 46 ký tự, quá 40"),
        (
            {"question": "Câu hỏi rất dài mà không có nhãn ngắn đi kèm thì sao?"},
            "câu hỏi dài 53 ký tự, quá 40 để làm nút",
        ),
        ({"source": "Bài “Mỗi xã”, https://tapchi.vn/“moi-xa-mot-san-pham”.html"}, "có ký tự không mở được"),
        ({"source": "Bài báo, https://tapchi.vn/tin tuc-moi.html"}, "bị một dấu cách cắt đôi"),
        ({"answer": "Xem https://vnpi.vn/lăng-phí.htm để biết thêm."}, "có ký tự không mở được"),
    ],
)
def test_each_rule_rejects_a_bad_entry(fields, expected):
    assert any(expected in message for message in problems_of(**fields)), problems_of(**fields)


def test_a_plain_url_and_a_url_before_a_word_pass():
    source = "ISO, https://www.iso.org/standard/62085.html (2015); https://vnpi.vn/7-lang-phi-7-wastes.htm trang VNPI"
    assert problems_of(source=source) == []


def test_review_date_passed_is_a_warning_not_an_error():
    found = validate(kb_of(entry("mot", "Câu một?", review_by=dt.date(2026, 1, 1), **GOOD)), today=TODAY)
    assert [(p.level, p.message, p.field) for p in found] == [
        ("warning", "đã đến hạn xem lại (từ 01/01/2026)", "review_by")
    ]


def test_split_answer_parts():
    parts = split_answer("Ngắn.\n\nChi tiết một.\n  \nChi tiết hai.\n\n{contact}\n")
    assert (parts.short, parts.detail, parts.contact) == ("Ngắn.", "Chi tiết một.\n\nChi tiết hai.", True)
    assert split_answer("Chỉ một câu.") == split_answer("Chỉ một câu.\n")
    assert split_answer("Chỉ một câu.").detail == ""


def test_label_and_review_date_round_trip_through_the_entry_format():
    e = entry("mot", "Câu một?", label="Câu một", review_by=dt.date(2027, 6, 30), **GOOD)
    data = e.to_dict()
    assert data["label"] == "Câu một" and data["review_by"] == "2027-06-30"
    assert list(data)[:4] == ["id", "topic", "question", "label"]
    from knowledge.loader import parse_entry

    back, problems = parse_entry(data, "x.yaml")
    assert problems == [] and back == e


def test_a_lead_in_colon_before_the_contact_block_is_refused():
    answer = "Có, bạn làm được.\n\nChi tiết.\n\nĐầu mối liên hệ:\n\n{contact}"
    assert any("không được kết thúc bằng dấu hai chấm" in m for m in problems_of(answer=answer))
