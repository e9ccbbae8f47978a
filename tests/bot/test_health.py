"""The database health gate and the background writes, on a real SQLite file with injected failures."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db.background_writes import BackgroundWrites
from bot.db.database import open_database
from bot.db.health import DatabaseHealth, DatabaseUnavailable

pytestmark = pytest.mark.slow  # the probe runs every 2 s: seconds of real time


@pytest.fixture
async def db(tmp_path):
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    yield database
    await database.dispose()


def refused() -> OperationalError:
    return OperationalError("connect", {}, ConnectionRefusedError("refused"))


async def test_an_outage_fails_fast_until_the_probe_gets_through(db):
    health = DatabaseHealth(db)
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise refused()

    with pytest.raises(DatabaseUnavailable):
        await health.call(broken)
    assert not health.up and health.report()["database"] == "down"
    with pytest.raises(DatabaseUnavailable):
        await health.call(broken)
    assert calls == 1  # the second call never reached the database
    await asyncio.wait_for(health.wait_until_up(), 10)  # the probe's SELECT 1 works on the real file
    assert health.up and health.report() == {"database": "ok"}
    await health.close()


async def test_errors_in_what_was_asked_are_not_outages(db):
    health = DatabaseHealth(db)

    async def duplicate() -> None:
        raise IntegrityError("insert", {}, Exception("unique"))

    with pytest.raises(IntegrityError):
        await health.call(duplicate)
    assert health.up


async def test_writes_wait_out_an_outage_and_land_in_order(db):
    health = DatabaseHealth(db)
    writes = BackgroundWrites(health)
    done: list[int] = []
    failing = True

    def write(n: int):
        async def run() -> None:
            if failing:
                raise refused()
            done.append(n)

        return run

    for n in range(5):
        writes.submit(write(n))
    await asyncio.sleep(0.2)
    assert done == [] and len(writes) == 5 and not health.up
    failing = False
    assert await writes.flush(10)
    assert done == [0, 1, 2, 3, 4]
    await writes.close()
    await health.close()


async def test_stopping_lets_the_write_under_way_finish_and_leaves_the_rest(db):
    health = DatabaseHealth(db)
    writes = BackgroundWrites(health)
    started: list[int] = []
    finished: list[int] = []

    def slow(n: int):
        async def run() -> None:
            started.append(n)
            await asyncio.sleep(0.3)  # longer than close() waits for the queue
            finished.append(n)

        return run

    for n in range(5):
        writes.submit(slow(n))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(writes.close(timeout=0.1), 5)
    # The write in progress was not cut off halfway; the ones queued behind it were not begun.
    assert started == finished and 1 <= len(finished) < 5
    assert len(writes) == 5 - len(finished)
    await health.close()


async def test_stopping_during_an_outage_does_not_wait_for_the_database(db):
    health = DatabaseHealth(db)
    writes = BackgroundWrites(health)

    async def refused_write() -> None:
        raise refused()

    writes.submit(refused_write)
    await asyncio.sleep(0.1)
    assert not health.up
    loop = asyncio.get_running_loop()
    began = loop.time()
    await writes.close(timeout=0.1)
    assert loop.time() - began < 2  # not the write timeout: nothing was being written
    assert len(writes) == 1
    await health.close()
