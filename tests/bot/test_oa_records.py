"""What the Zalo OA channel keeps in the database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): the
webhook's seen-set across processes, each follower's standing, and how both are cleaned up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import select

from bot import housekeeping
from bot.db import oa_events, oa_recipients
from bot.db.database import open_database
from bot.db.models import OaRecipient, OaSeenEvent, stored_utc
from bot.db.oa_events import DbSeenEvents
from bot.db.people_port import DatabasePeople
from handlers.views import RetentionPolicy

USER = "4512345678901234567"
NOW = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)


async def test_an_event_is_taken_once_whichever_process_sees_it(db, database_url):
    key = f"2718281828:msg:{USER}-1"
    assert await DbSeenEvents(db).first_time(key)
    other_process = await open_database(database_url)  # a second `bot run` behind the same webhook URL
    try:
        assert not await DbSeenEvents(other_process).first_time(key)
        assert await DbSeenEvents(other_process).first_time(key + "x")
    finally:
        await other_process.dispose()
    assert not await DbSeenEvents(db).first_time(key)
    async with db.session() as s:
        keys = (await s.exec(select(OaSeenEvent.key))).all()
    assert sorted(keys) == sorted([oa_events.event_key(key), oa_events.event_key(key + "x")])
    assert not any(USER in k for k in keys)  # stored as a hash: the table names nobody


async def test_housekeeping_forgets_seen_events_after_two_days(db):
    seen = DbSeenEvents(db)
    for key in ("old", "new"):
        await seen.first_time(key)
    async with db.transaction() as connection:
        old = dt.datetime.now(dt.UTC) - oa_events.KEPT - dt.timedelta(minutes=1)
        await connection.execute(
            update(OaSeenEvent).where(OaSeenEvent.key == oa_events.event_key("old")).values(seen_at=old)
        )
    done = await housekeeping.run_once(db, RetentionPolicy(), 24)
    assert done["oa events"] == 1
    assert await seen.first_time("old") and not await seen.first_time("new")


async def test_a_follower_standing_follows_their_messages_and_our_replies(db):
    async with db.writing() as s:
        await oa_recipients.set_following(s, USER, True, NOW)
        await oa_recipients.count_reply(s, USER, NOW)  # the welcome
        await oa_recipients.count_reply(s, USER, NOW)
    async with db.session() as s:
        row = await oa_recipients.get(s, USER)
    assert row is not None and row.follows and stored_utc(row.followed_at) == NOW and row.replies_since_interaction == 2
    later = NOW + dt.timedelta(days=3)
    async with db.writing() as s:
        await oa_recipients.record_interaction(s, USER, later)
        await oa_recipients.set_following(s, USER, False, later)
    async with db.session() as s:
        row = await oa_recipients.get(s, USER)
    assert row is not None and not row.follows and row.replies_since_interaction == 0
    assert stored_utc(row.last_interaction) == later and stored_utc(row.followed_at) == NOW  # when they followed, kept
    async with db.writing() as s:  # a user who only ever wrote has a row too, following nobody
        await oa_recipients.record_interaction(s, "other", later)
    async with db.session() as s:
        other = await oa_recipients.get(s, "other")
    assert other is not None and not other.follows and other.followed_at is None


async def test_show_my_data_lists_the_oa_standing_and_erase_removes_it(db):
    async with db.writing() as s:
        await oa_recipients.set_following(s, USER, True, NOW)
    store = DatabasePeople(db)
    data = await store.person_data("zalo_oa", USER)
    assert data.oa is not None and data.oa.follows and not data.empty
    assert stored_utc(data.oa.followed_at) == NOW and stored_utc(data.oa.last_interaction) == NOW
    assert (await store.person_data("telegram", USER)).oa is None  # the row belongs to the OA channel only
    await store.delete_person("zalo_oa", USER)
    assert (await store.person_data("zalo_oa", USER)).empty
    async with db.session() as s:
        assert (await s.exec(select(OaRecipient))).all() == []


async def test_retention_removes_those_who_unfollowed_and_went_quiet(db):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    async with db.writing() as s:
        await oa_recipients.set_following(s, "left-long-ago", False, old)
        await oa_recipients.set_following(s, "follows", True, old)  # a follower stays, however quiet
        await oa_recipients.set_following(s, "left-lately", False, dt.datetime.now(dt.UTC))
    done = await housekeeping.run_once(db, RetentionPolicy(inactive_days=365), 24)
    assert done["oa recipients"] == 1
    async with db.session() as s:
        users = sorted((await s.exec(select(OaRecipient.user_id))).all())
    assert users == ["follows", "left-lately"]
