"""`kb remove`: retiring entries from a folder or the live copy, links to them dropped, all or nothing."""

import shutil

import pytest

from bot.cli import main
from knowledge.formats import dump_yaml
from knowledge.loader import SHIPPED_DIR, load_directory
from knowledge.validator import errors, validate
from tests.kb_builders import entry, own_alternates, write_knowledge_dir

pytestmark = pytest.mark.slow


def folder_with_links(tmp_path):
    return write_knowledge_dir(
        tmp_path / "kb",
        [
            entry("mot", "Câu một?", alternates=own_alternates("mot"), related=["hai", "ba"]),
            entry("hai", "Câu hai?", alternates=own_alternates("hai"), related=["mot"]),
            entry("ba", "Câu ba?", alternates=own_alternates("ba"), related=["mot"]),
        ],
    )


def test_remove_drops_the_entry_and_the_links_to_it(tmp_path, capsys):
    folder = folder_with_links(tmp_path)
    assert main(["kb", "remove", "hai", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "gỡ 1: hai" in out and "mot: không còn gợi ý hai" in out and "đã áp dụng" in out
    kb, _ = load_directory(folder)
    assert kb.get("hai") is None
    assert kb.get("mot").related == ["ba"]
    assert errors(validate(kb)) == []


def test_an_unknown_id_removes_nothing(tmp_path, capsys):
    folder = folder_with_links(tmp_path)
    before = {p.name: p.read_bytes() for p in (folder / "entries").iterdir()}
    assert main(["kb", "remove", "hai", "khong-co", "--dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "không có 1: khong-co" in out and "CHƯA áp dụng" in out
    assert {p.name: p.read_bytes() for p in (folder / "entries").iterdir()} == before


def test_dry_run_removes_nothing(tmp_path, capsys):
    folder = folder_with_links(tmp_path)
    assert main(["kb", "remove", "ba", "--dir", str(folder), "--dry-run"]) == 0
    assert "chạy thử" in capsys.readouterr().out
    assert load_directory(folder)[0].get("ba") is not None


def test_removing_every_entry_of_a_file_does_not_bring_them_back(tmp_path):
    folder = folder_with_links(tmp_path)
    (folder / "entries" / "02-more.yaml").write_text(
        dump_yaml([entry("bon", "Câu bốn?", alternates=own_alternates("bon"))]), encoding="utf-8"
    )
    assert main(["kb", "remove", "bon", "--dir", str(folder)]) == 0
    assert load_directory(folder)[0].get("bon") is None


def test_release_import_names_what_the_release_no_longer_has(tmp_path, capsys, database_url, monkeypatch):
    """An admin applying a new release to the live copy sees the retired entry, then removes it."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    old_release = tmp_path / "old-release"
    shutil.copytree(SHIPPED_DIR, old_release)
    retired = entry(
        "muc-da-bo",
        "Mục đã bỏ trong bản phát hành mới?",
        alternates=own_alternates("muc-da-bo"),
        topic="ke-hoach-273",
        related=["kh273-la-gi"],
    )
    (old_release / "entries" / "99-retired.yaml").write_text(dump_yaml([retired]), encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(old_release))
    assert main(["kb", "export", str(tmp_path / "live.jsonl")]) == 0  # seeds the live copy
    capsys.readouterr()

    assert main(["kb", "import", str(SHIPPED_DIR)]) == 0
    assert f"không có trong bản phát hành này, vẫn giữ: {retired.id}" in capsys.readouterr().out
    assert main(["kb", "remove", retired.id]) == 0
    out = capsys.readouterr().out
    assert f"gỡ 1: {retired.id}" in out and "phiên bản" in out
    assert main(["kb", "export", str(tmp_path / "after.jsonl")]) == 0
    assert retired.id not in (tmp_path / "after.jsonl").read_text(encoding="utf-8")
