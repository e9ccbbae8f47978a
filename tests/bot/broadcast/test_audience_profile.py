"""Profiles from applications as campaign audiences: commune:, sector:, ocop:, need: on a real database; the
district column migrated to communes; subscriber files with a commune column."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlmodel import select

from bot.broadcast.audience import Audience, AudienceChoices, AudienceError
from bot.db import campaigns, deliveries, people, subscriber_files, subscribers_csv
from bot.db.campaigns import CampaignError, Draft
from bot.db.database import MIGRATIONS
from bot.db.models import Campaign, Delivery, Subscriber, utcnow
from bot.db.people_port import DatabasePeople
from handlers.statuses import SubscriberStatus
from handlers.views import Application
from knowledge.communes import load_communes
from tests.fakes.memory import MemoryPeople

TOPICS = {"ocop-tccs": "OCOP và tiêu chuẩn cơ sở"}
COMMUNES = load_communes()


def application(commune: str, stars: int = 0, sector: str = "Chế biến thủy sản", needs=("iso9001",)) -> Application:
    return Application("Công ty TNHH Biển Xanh", "0100233488", commune, sector, "Chả mực", stars, tuple(needs))


async def applicant(store: DatabasePeople, chat: str, app: Application, subscribed: bool = True, channel="telegram"):
    if subscribed:
        await store.subscribe(channel, chat, [])
    # Each chat a business of its own: one tax code would link them into one person (bot/db/person_links.py).
    await store.set_profile(channel, chat, dataclasses.replace(app, tax_code=own_tax_code(chat)))


def own_tax_code(chat: str) -> str:
    """A 12-digit tax code (a household business's; only its length is checked) that is this chat's alone."""
    return str(int(hashlib.sha256(chat.encode()).hexdigest(), 16))[:12]


async def recipients(db, expression: str) -> set[str]:
    """Create the campaign as staff do and fan it out: the chats its deliveries go to."""
    async with db.writing() as s:
        audience, size = await campaigns.checked_audience(s, expression, TOPICS, COMMUNES)
        campaign = await campaigns.create(s, Draft("Hội thảo OCOP tại Vân Đồn", audience))
    async with db.writing() as s:
        await deliveries.fire_due(s, utcnow())
    async with db.session() as s:
        rows = (await s.exec(select(Delivery).where(Delivery.campaign_id == campaign.id))).all()
    chats = {f"{d.channel}:{d.chat_id}" for d in rows}
    assert len(chats) == size  # the size staff were shown is what went out
    return chats


async def test_a_campaign_to_van_don_ocop_3_plus_reaches_exactly_the_matching_applicants(db):
    store = DatabasePeople(db)
    await applicant(store, "1", application("Vân Đồn", 3))  # matches
    await applicant(store, "2", application("Vân Đồn", 5))  # matches
    await applicant(store, "z-3", application("Vân Đồn", 4), channel="zalo")  # matches, on Zalo
    await applicant(store, "4", application("Vân Đồn", 0))  # the commune only: no OCOP product
    await applicant(store, "5", application("Cô Tô", 4))  # the stars only
    await applicant(store, "6", application("Vân Đồn", 4), subscribed=False)  # applied, never subscribed
    await store.subscribe("telegram", "7", [])  # subscribed, no profile
    await applicant(store, "8", application("Vân Đồn", 5))
    await store.unsubscribe("telegram", "8")  # left
    assert await recipients(db, "commune:Vân Đồn,ocop:3+") == {"telegram:1", "telegram:2", "zalo:z-3"}
    assert await recipients(db, "commune:van don,ocop:4") == {"zalo:z-3"}
    assert await recipients(db, "commune:dac khu co to,need:ISO 9001") == {"telegram:5"}


async def test_sector_and_need_select_on_the_profile(db):
    store = DatabasePeople(db)
    await applicant(store, "1", application("Hạ Long", needs=("lean", "iso9001")))
    await applicant(store, "2", application("Hạ Long", sector="Dệt may", needs=("digital",)))
    await applicant(store, "3", application("Móng Cái 1", needs=()))
    assert await recipients(db, "need:iso9001") == {"telegram:1"}
    assert await recipients(db, "need:lean,need:digital") == {"telegram:1", "telegram:2"}
    assert await recipients(db, "sector:dệt may,commune:phuong ha long") == {"telegram:2"}
    assert await recipients(db, "commune:Móng Cái 1") == {"telegram:3"}


async def test_the_audience_reads_in_words_for_staff(db):
    async with db.session() as s:
        audience, size = await campaigns.checked_audience(s, "commune:van don,ocop:3+", TOPICS, COMMUNES)
        both, _ = await campaigns.checked_audience(s, "topic:ocop-tccs,need:iso9001,channel:zalo", TOPICS)
    assert size == 0
    assert audience.describe() == "commune:đặc khu Vân Đồn,ocop:3+"
    assert audience.in_words(TOPICS) == "Người đăng ký là doanh nghiệp ở đặc khu Vân Đồn, sản phẩm OCOP từ 3 sao"
    assert both.in_words(TOPICS) == (
        "Người đăng ký chủ đề «OCOP và tiêu chuẩn cơ sở», là doanh nghiệp cần hỗ trợ «Hệ thống quản lý ISO 9001», "
        "trên Zalo"
    )
    assert Audience.from_json(audience.to_json()) == audience


@pytest.mark.parametrize(
    "expression, said",
    [
        ("district:Hạ Long", "«district:» nay là «commune:»: từ 01/7/2025 Quảng Ninh không còn cấp huyện"),
        ("commune:Hải Hà", "Quảng Ninh không có xã, phường hay đặc khu «Hải Hà» (có phải xã Hải Hòa"),
        ("commune:Hà Nội", "54 đơn vị cấp xã của tỉnh: đặc khu Cô Tô, Vân Đồn; phường An Sinh, Bãi Cháy"),
        ("commune:Móng Cái", "có phải phường Móng Cái 1 hay phường Móng Cái 2 hay phường Móng Cái 3"),
        ("ocop:6", "hạng OCOP «6» chưa đúng: dùng số sao từ 1 đến 5"),
        ("ocop:nhiều", "ví dụ ocop:3+ (từ 3 sao trở lên) hoặc ocop:4 (đúng 4 sao)"),
        ("need:vay vốn", "không có nhu cầu hỗ trợ «vay vốn»; chọn một trong: training (Đào tạo"),
        ("xa:Vân Đồn", "commune:TÊN_XÃ_PHƯỜNG"),
    ],
)
async def test_what_names_nothing_is_refused_in_vietnamese_with_the_valid_values(db, expression, said):
    async with db.session() as s:
        with pytest.raises(CampaignError, match=re.escape(said)):
            await campaigns.checked_audience(s, expression, TOPICS, COMMUNES)


def test_the_commune_list_reaches_the_check_as_a_parameter():
    with pytest.raises(AudienceError, match="chưa nạp danh sách xã, phường"):
        Audience.parse("commune:Vân Đồn").check(AudienceChoices(TOPICS))
    checked = Audience.parse("commune:VAN DON").check(AudienceChoices(TOPICS, communes=COMMUNES))
    assert checked.terms == {"commune": ("đặc khu Vân Đồn",)}


async def test_a_twice_pressed_confirm_is_found_however_the_commune_was_typed(db):
    async with db.writing() as s:
        audience, _ = await campaigns.checked_audience(s, "commune:van don", TOPICS, COMMUNES)
        made = await campaigns.create(s, Draft("Hội thảo", audience, created_by="staff"))
        twin = await campaigns.recent_twin(
            s, "Hội thảo", Audience.parse("commune:Vân Đồn"), "staff", utcnow().replace(year=2000), COMMUNES
        )
    assert twin == made.id


async def test_set_profile_keeps_the_subscription_and_creates_an_unknown_chat_unsubscribed(db):
    store = DatabasePeople(db)
    await store.subscribe("zalo", "z-1", ["ocop-tccs"])
    await store.set_profile("zalo", "z-1", application("Quảng Yên", 4, needs=("ocop", "traceability", "bogus")))
    await store.set_profile("telegram", "new", application("Cô Tô"))
    async with db.session() as s:
        kept = await people.get_person(s, "zalo", "z-1")
        new = await people.get_person(s, "telegram", "new")
    assert (kept.status, kept.topics, kept.consent_at is not None) == ("active", "ocop-tccs", True)
    assert (kept.commune, kept.sector, kept.ocop_stars, kept.needs) == (
        "Quảng Yên",
        "Chế biến thủy sản",
        4,
        "ocop,traceability",
    )
    assert (new.status, new.commune, new.consent_at) == (SubscriberStatus.UNSUBSCRIBED, "Cô Tô", None)


async def test_the_memory_fake_keeps_the_profile_and_erasure_drops_it():
    store = MemoryPeople()
    await store.set_profile("telegram", "1", application("Vân Đồn", 3))
    assert store.people[("telegram", "1")].status is SubscriberStatus.UNSUBSCRIBED
    assert store.profiles[("telegram", "1")].commune == "Vân Đồn"
    await store.delete_person("telegram", "1")
    assert store.profiles == {} and store.people == {}


async def test_migration_0012_moves_districts_to_communes_and_back(db):
    def move(connection, where: str) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        (command.downgrade if where == "0011" else command.upgrade)(config, where)

    async with db.sql.begin() as connection:
        await connection.run_sync(move, "0011")
        for chat, district in [("1", "TP Cẩm Phả"), ("2", "van don"), ("3", "Móng Cái"), ("4", "Hải Hà"), ("5", "")]:
            await connection.execute(
                text(
                    "INSERT INTO subscriber (channel, chat_id, user_id, display_name, topics, status, district, "
                    "sector, first_seen, last_seen, last_question) VALUES ('telegram', :chat, '', '', '', 'active', "
                    ":district, '', :now, :now, '')"
                ),
                {"chat": chat, "district": district, "now": utcnow()},
            )
        await connection.execute(
            text(
                "INSERT INTO campaign (text, audience, schedule, cron, timezone, status, created_by, created_at, "
                "buttons, image_url) VALUES ('x', :audience, 'now', '', 'Asia/Ho_Chi_Minh', 'draft', '', :now, "
                "'[]', '')"
            ),
            {"audience": json.dumps({"district": ["Vân Đồn", "Móng Cái"]}, ensure_ascii=False), "now": utcnow()},
        )
        await connection.run_sync(move, "head")
    async with db.session() as s:
        communes = {p.chat_id: p.commune for p in (await s.exec(select(Subscriber))).all()}
        stored = (await s.exec(select(Campaign))).one().audience
    assert communes == {"1": "Cẩm Phả", "2": "Vân Đồn", "3": "", "4": "", "5": ""}
    # An old value that names no unit stays, and reaches nobody rather than everybody.
    assert json.loads(stored) == {"commune": ["đặc khu Vân Đồn", "Móng Cái"]}
    assert Audience.from_json(stored).in_words({}) == "Người đăng ký là doanh nghiệp ở đặc khu Vân Đồn hoặc «Móng Cái»"

    async with db.sql.begin() as connection:
        await connection.run_sync(move, "0011")
        rows = (await connection.execute(text("SELECT chat_id, district FROM subscriber ORDER BY chat_id"))).all()
        audience = (await connection.execute(text("SELECT audience FROM campaign"))).scalar_one()
        await connection.run_sync(move, "head")
    assert dict(rows) == {"1": "Cẩm Phả", "2": "Vân Đồn", "3": "", "4": "", "5": ""}
    assert json.loads(audience) == {"district": ["đặc khu Vân Đồn", "Móng Cái"]}


def test_a_subscriber_file_names_communes_any_way_and_refuses_unknown_ones():
    rows = [
        {"channel": "telegram", "chat_id": "1", "commune": "phuong mong cai 2"},
        {"channel": "telegram", "chat_id": "2", "commune": "Hải Hà"},
        {"channel": "zalo", "chat_id": "3", "commune": ""},
    ]
    outcomes = subscriber_files.check_upload(list(enumerate(rows, start=2)), None, COMMUNES)
    assert [o.problem for o in outcomes] == [
        "",
        "Quảng Ninh không có xã, phường hay đặc khu «Hải Hà» (hoặc tên này chỉ nhiều nơi). Có phải xã Hải Hòa hay "
        "phường Hà An hay xã Hải Lạng?",
        "",
    ]
    assert subscribers_csv.row_commune(rows[0], COMMUNES) == "Móng Cái 2"
    assert subscribers_csv.check_row(3, rows[1], None, COMMUNES) == (
        "line 3: 'Hải Hà' is not one commune, ward or special zone of the province"
    )


async def test_a_list_exported_before_communes_imports_its_district_column(db, tmp_path):
    path = tmp_path / "cu.csv"
    path.write_text("channel,chat_id,name,topics,district,sector,status\ntelegram,9,An,,tx Quảng Yên,,\n", "utf-8")
    async with db.writing() as s:
        report = await subscribers_csv.import_csv(s, str(path), None, COMMUNES)
    assert (report.added, report.rejected) == (1, [])
    async with db.session() as s:
        assert (await people.get_person(s, "telegram", "9")).commune == "Quảng Yên"
