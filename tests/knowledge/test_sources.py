"""Sources as users read them: known citations in their short form with a link; the shipped list well formed."""

from knowledge.loader import SHIPPED_DIR, load_directory
from knowledge.sources import SourceBook, SourceNote
from knowledge.validator import url_problems

PLAN = "Kế hoạch 273/KH-UBND của UBND tỉnh Quảng Ninh (2024), theo bài dài"


def test_known_citations_shorten_and_unknown_ones_stay():
    book = SourceBook(
        [
            SourceNote(PLAN, "Kế hoạch 273/KH-UBND", "UBND tỉnh Quảng Ninh", "2024"),
            SourceNote("ISO dài", "ISO 9001:2015", "ISO", "2015", "https://www.iso.org/standard/62085.html"),
        ]
    )
    shown = book.display(f"{PLAN}; ISO dài; Sách khác; {PLAN}")
    assert shown == (
        "Kế hoạch 273/KH-UBND, UBND tỉnh Quảng Ninh, 2024; "
        "ISO 9001:2015, ISO, 2015 – https://www.iso.org/standard/62085.html; Sách khác"
    )


def test_shipped_source_notes_are_used_and_their_links_open():
    book = SourceBook.load()
    kb, _ = load_directory(SHIPPED_DIR)
    cited = {part.strip() for e in kb.entries for part in e.source.split(";")}
    for note in book.notes.values():
        assert note.cite in cited, f"source note for a citation no entry uses: {note.cite[:60]}"
        assert note.title and not url_problems(note.url)
