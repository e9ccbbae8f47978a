"""How `python -m bot ask` lays out an outcome: the lead line of a fallback or question back is followed by its
choices directly, an answer's choices come under «Hỏi tiếp»."""

from bot.cli.ask import print_outcome
from handlers import texts
from handlers.ask import AskOutcome, Suggestion
from handlers.statuses import AskStatus

CHOICES = [Suggestion("a", "Câu hỏi A?"), Suggestion("b", "Câu hỏi B?")]


def test_fallback_choices_follow_their_lead_line(capsys):
    answer = f"Xin lỗi, tôi chưa có câu trả lời chắc chắn.\n\n{texts.FALLBACK_LEADS}"
    print_outcome(AskOutcome(AskStatus.FALLBACK, answer, None, 0.1, suggestions=CHOICES))
    out = capsys.readouterr().out
    assert f"{texts.FALLBACK_LEADS}\n1. Câu hỏi A?\n2. Câu hỏi B?\n" in out
    assert texts.ASK_NEXT not in out and "\n\n\n" not in out


def test_an_answer_lists_what_to_ask_next(capsys):
    print_outcome(AskOutcome(AskStatus.ANSWERED, "Trả lời.", "x", 0.99, suggestions=CHOICES, source="Nguồn A"))
    out = capsys.readouterr().out
    assert out.index("Trả lời.") < out.index(texts.ASK_NEXT) < out.index("1. Câu hỏi A?")
    assert "\n\n\n" not in out
