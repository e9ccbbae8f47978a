"""Export/import round trips (YAML, JSON lines, XLSX) and all-or-nothing imports."""

import pytest
from openpyxl import load_workbook

from bot.cli import main
from knowledge.formats import export_entries, import_entries
from knowledge.loader import load_directory
from tests.kb_builders import entry, own_alternates, write_knowledge_dir


@pytest.mark.parametrize("suffix", [".yaml", ".jsonl", ".xlsx"])
def test_round_trip_gives_back_the_same_entries(shipped_kb, tmp_path, suffix):
    path = tmp_path / f"kb{suffix}"
    export_entries(shipped_kb.entries, path)
    entries, problems = import_entries(path)
    assert problems == []
    assert entries == shipped_kb.entries


def test_xlsx_is_one_row_per_entry_with_alternates_on_lines(shipped_kb, tmp_path):
    path = tmp_path / "kb.xlsx"
    export_entries(shipped_kb.entries, path)
    sheet = load_workbook(path).active
    assert sheet.max_row == len(shipped_kb.entries) + 1
    header = [c.value for c in sheet[1]]
    first = shipped_kb.entries[0]
    row = {h: c.value for h, c in zip(header, sheet[2])}
    assert header[:4] == ["Mã", "Chủ đề", "Câu hỏi", "Nhãn nút"]
    assert row["Cách hỏi khác"].split("\n") == first.alternates


def knowledge_folder(tmp_path):
    return write_knowledge_dir(
        tmp_path / "kb",
        [
            entry("mot", "Câu một?", alternates=own_alternates("mot")),
            entry("hai", "Câu hai?", alternates=own_alternates("hai")),
        ],
    )


def test_import_reports_added_and_changed(tmp_path, capsys):
    folder = knowledge_folder(tmp_path)
    changed = entry("hai", "Câu hai?", answer="Câu trả lời mới.", alternates=own_alternates("hai"))
    added = entry("ba", "Câu ba?", alternates=own_alternates("ba"))
    export_entries([changed, added], tmp_path / "in.jsonl")
    assert main(["kb", "import", str(tmp_path / "in.jsonl"), "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "thêm 1: ba" in out and "sửa 1: hai" in out and "đã áp dụng" in out
    kb, _ = load_directory(folder)
    assert kb.get("hai").answer == "Câu trả lời mới."
    assert kb.get("ba") is not None and kb.get("mot") is not None


def test_bad_import_changes_nothing(tmp_path, capsys):
    folder = knowledge_folder(tmp_path)
    before = {p.name: p.read_bytes() for p in (folder / "entries").iterdir()}
    good = entry("ba", "Câu ba?", alternates=own_alternates("ba"))
    bad = entry("bon", "Câu bốn?", source="", related=["khong-co"])
    export_entries([good, bad], tmp_path / "in.xlsx")
    assert main(["kb", "import", str(tmp_path / "in.xlsx"), "--dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "bị từ chối 2" in out and "bon — mục «Nguồn»: chưa ghi nguồn" in out and "CHƯA áp dụng" in out
    assert {p.name: p.read_bytes() for p in (folder / "entries").iterdir()} == before


def test_unreadable_file_is_one_clear_error(tmp_path, capsys):
    folder = knowledge_folder(tmp_path)
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    assert main(["kb", "import", str(tmp_path / "broken.xlsx"), "--dir", str(folder)]) == 2
    assert "không đọc được tệp Excel" in capsys.readouterr().err


def test_dry_run_writes_nothing(tmp_path, capsys):
    folder = knowledge_folder(tmp_path)
    export_entries([entry("ba", "Câu ba?", alternates=own_alternates("ba"))], tmp_path / "in.yaml")
    assert main(["kb", "import", str(tmp_path / "in.yaml"), "--dir", str(folder), "--dry-run"]) == 0
    assert load_directory(folder)[0].get("ba") is None


def test_live_copy_export_edit_import(tmp_path, shipped_kb, monkeypatch, capsys, database_url):
    """The admin's loop: export the live copy to Excel, fix an answer, import it; the version goes up."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["kb", "export", str(tmp_path / "live.xlsx")]) == 0
    entries, _ = import_entries(tmp_path / "live.xlsx", topics=shipped_kb.topics)
    assert entries == shipped_kb.entries  # topic names, dates as 30/11/2026: read back the same
    fixed = entries[3]
    fixed.answer = "Câu trả lời đã được quản trị viên sửa lúc 17 giờ."
    export_entries([fixed], tmp_path / "fix.xlsx", topics=shipped_kb.topics)
    assert main(["kb", "import", str(tmp_path / "fix.xlsx")]) == 0
    out = capsys.readouterr().out
    assert f"sửa 1: {fixed.id}" in out and "phiên bản 2" in out
    assert main(["kb", "export", str(tmp_path / "after.jsonl")]) == 0
    after, _ = import_entries(tmp_path / "after.jsonl")
    assert next(e for e in after if e.id == fixed.id).answer == fixed.answer
    # The curated release on disk is untouched: the live copy lives in the database.
    assert load_directory()[0].get(fixed.id).answer != fixed.answer
