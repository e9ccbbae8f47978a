"""The kinds of conversation state one chat can hold, and the one way their keys are spelled."""

from __future__ import annotations

from enum import StrEnum


class StateKind(StrEnum):
    """What a conversation state key holds; the values are the stored spelling (changing one forgets live
    state). The channels' numbered menus and the flood window keep keys of their own, outside this list."""

    APPLY = "apply"  # an application form being filled in
    APPLY_DROPPED = "applydropped"  # a form left for a question, offered back afterwards
    CAMPAIGN_DRAFT = "draft"  # staff writing an announcement
    CASE_INFO = "caseinfo"  # staff asked the business for more: its next message is the answer
    CASE_NOTE = "casenote"  # staff owe the note that goes with "cần bổ sung"
    CLARIFY = "clarify"  # the question asked back (or fallen back with choices), for the review loop
    COMMENT = "comment"  # a vote waits for its optional comment
    CONTEXT = "context"  # the entry last answered, for a short follow-up
    HANDOFF = "handoff"  # talking to staff


def state_key(kind: StateKind | str, channel: str, chat_id: str) -> str:
    """`KIND:CHANNEL:CHAT_ID`, the shape StateStore.forget_chat and count_chat rely on (a channel's own
    kinds, such as its numbered menus, are spelled the same way so that erasure finds them)."""
    return f"{kind}{chat_suffix(channel, chat_id)}"


def chat_suffix(channel: str, chat_id: str) -> str:
    """How every key of one chat ends: what erasure and "show my data" look for."""
    return f":{channel}:{chat_id}"


def chat_keys(channel: str, chat_id: str) -> list[str]:
    """Every key one chat's message may read: read ahead in one query instead of one query each."""
    return [state_key(kind, channel, chat_id) for kind in StateKind]
