"""How much of an answer a phone user has to read: the visible part's length over every entry.

Run:  python bench/answer_lengths.py [--dir KNOWLEDGE_DIR] [--whole]

The visible part is what shows before any fold: the short answer (first paragraph) and, on entries that
end with {contact}, the contact block as it reads while the department's details are unset. Telegram
folds the rest into an expandable quote; Zalo and the console offer it as "Xem chi tiết".
With --whole every paragraph counts (how a knowledge base without short answers read: all of it at once).
Small talk and usage help (topic tro-ly) count too: they are answers people read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.contact import contact_block
from handlers.views import ContactDetails
from knowledge.answer_parts import CONTACT, split_answer
from knowledge.loader import SHIPPED_DIR, load_directory

UNSET = ContactDetails("Sở Khoa học và Công nghệ tỉnh Quảng Ninh")


def visible_length(answer: str, whole: bool) -> int:
    block = contact_block(UNSET)
    if whole:
        return len(answer.strip().replace(CONTACT, block))
    parts = split_answer(answer)
    return len(parts.short) + (len(block) + 2 if parts.contact else 0)


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=SHIPPED_DIR, help="knowledge folder (default: the shipped one)")
    parser.add_argument("--whole", action="store_true", help="count every paragraph, as if nothing were folded")
    args = parser.parse_args()
    kb, _ = load_directory(args.dir)
    lengths = [visible_length(e.answer, args.whole) for e in kb.entries]
    what = "whole answer" if args.whole else "visible part"
    print(f"{args.dir}: {len(lengths)} entries, {what} in characters")
    print(f"  median {statistics.median(lengths):.0f}, p90 {percentile(lengths, 0.9)}, max {max(lengths)}")
    contact = sum(CONTACT in e.answer for e in kb.entries)
    long_labels = sum(len(e.button_label) > 40 for e in kb.entries)
    print(f"  entries with the contact block: {contact}; button labels over 40 characters: {long_labels}")


if __name__ == "__main__":
    main()
