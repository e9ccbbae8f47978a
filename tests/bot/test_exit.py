"""The process ends after a stop even when something in it will not: the clean-up is bounded and says what."""

from __future__ import annotations

import asyncio
import logging
import time

from bot.app import _run
from bot.settings import Settings


def test_a_task_that_ignores_its_cancellation_does_not_keep_the_process_alive(caplog):
    ended: list[str] = []

    async def stubborn() -> None:
        while True:  # a close that never comes back, say
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    async def polite() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            ended.append("polite")

    async def main(settings: Settings) -> None:
        asyncio.get_running_loop().create_task(stubborn(), name="stubborn")
        asyncio.get_running_loop().create_task(polite(), name="polite")
        await asyncio.sleep(0)

    began = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="bot.app"):
        assert _run(Settings(), main, final_wait=0.3) == 0
    assert time.monotonic() - began < 5
    assert ended == ["polite"]  # the others were cancelled and ended as usual
    assert any("left behind" in r.getMessage() and "stubborn" in r.getMessage() for r in caplog.records)
