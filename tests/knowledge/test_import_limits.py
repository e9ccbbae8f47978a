"""Imports that would exhaust the machine fail fast with one clear line."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from knowledge import import_limits
from knowledge.formats import import_entries
from knowledge.loader import KnowledgeLoadError

ENTRY = {"id": "x", "topic": "ocop-tccs", "question": "Câu hỏi?", "answer": "Trả lời.", "source": "Nguồn"}


def test_yaml_aliases_are_refused(tmp_path):
    laughs = "a: &a [lol, lol]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"
    path = tmp_path / "kb.yaml"
    path.write_text(f"- id: x\n  alternates: {laughs!r}\n" + "- &e {id: y}\n- *e\n", encoding="utf-8")
    with pytest.raises(KnowledgeLoadError, match="aliases"):
        import_entries(path)


def test_a_workbook_that_unpacks_too_big_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(import_limits, "MAX_UNPACKED_BYTES", 20_000)
    book = Workbook()
    book.active.append(list(ENTRY))
    book.active.append([*list(ENTRY.values())[:3], "a" * 30_000, "Nguồn"])  # compresses to almost nothing
    path = tmp_path / "kb.xlsx"
    book.save(path)
    with pytest.raises(KnowledgeLoadError, match="giải nén ra"):
        import_entries(path)


def test_too_many_rows_and_too_long_cells_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(import_limits, "MAX_ROWS", 10)
    monkeypatch.setattr(import_limits, "MAX_CELL_CHARS", 100)
    many = tmp_path / "many.jsonl"
    many.write_text("\n".join(json.dumps({**ENTRY, "id": f"x{n}"}) for n in range(11)), encoding="utf-8")
    with pytest.raises(KnowledgeLoadError, match="nhiều hơn 10 dòng"):
        import_entries(many)
    long = tmp_path / "long.jsonl"
    long.write_text(json.dumps({**ENTRY, "answer": "a" * 101}), encoding="utf-8")
    with pytest.raises(KnowledgeLoadError, match="101 ký tự"):
        import_entries(long)


def test_an_oversized_file_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(import_limits, "MAX_FILE_BYTES", 1_000)
    path = tmp_path / "kb.jsonl"
    path.write_text(json.dumps({**ENTRY, "answer": "a" * 2_000}), encoding="utf-8")
    with pytest.raises(KnowledgeLoadError, match="quá mức một lần nhập"):
        import_entries(path)
