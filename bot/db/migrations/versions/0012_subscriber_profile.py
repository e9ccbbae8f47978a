"""subscriber profiles for campaign audiences: the commune replaces the district; OCOP stars and wanted support

Quảng Ninh has had no district level since 01/7/2025 (Nghị quyết 1679/NQ-UBTVQH15), so `subscriber.district`
becomes `subscriber.commune`, the canonical name of one of the 54 commune-level units (knowledge/communes.py).
Each district value that resolves to exactly one unit (any case, with or without diacritics or "TP"/"huyện";
the name of a former district resolves to the unit that now carries it: "TP Cẩm Phả" → phường Cẩm Phả,
"Vân Đồn" → đặc khu Vân Đồn) is copied into `commune`. Every other value ("Móng Cái", now three wards;
"Hải Hà", now four communes; anything misspelt) is dropped with the column: those people have no commune until
they apply in the chat or staff import one. Stored campaign audiences follow: `district:` terms become
`commune:` terms with the resolved full name ("đặc khu Vân Đồn", as audiences store it) or, when it does not
resolve, the old value, which no profile holds, so a campaign not sent yet reaches nobody by it rather than
everybody.

Downgrade copies `commune` back into `district` and drops the new columns (OCOP stars and needs are lost);
audiences' `commune:` terms become `district:` again. Old code ignores `ocop:` and `need:` terms, so a campaign
that is still to be sent with one of them would reach more people after a downgrade: cancel those first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00
"""

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

from knowledge.communes import load_communes

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _rename_audience_key(old: str, new: str, resolve: bool) -> None:
    """Every campaign's stored audience with `old` terms gets them as `new` terms (resolved to communes on the
    way up)."""
    bind = op.get_bind()
    communes = load_communes() if resolve else None
    rows = bind.execute(sa.text("SELECT id, audience FROM campaign WHERE audience LIKE :key"), {"key": f'%"{old}"%'})
    for campaign_id, text in rows.fetchall():
        try:
            terms = json.loads(text or "{}") or {}
        except ValueError:
            continue
        if not isinstance(terms, dict) or old not in terms:
            continue
        values = []
        for value in terms.pop(old) or []:
            found = communes.resolve(str(value)) if communes is not None else None
            values.append(found.full_name if found is not None else str(value))
        terms[new] = list(dict.fromkeys(terms.get(new, []) + values))
        bind.execute(
            sa.text("UPDATE campaign SET audience = :audience WHERE id = :id"),
            {"audience": json.dumps(terms, ensure_ascii=False), "id": campaign_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("commune", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("ocop_stars", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("needs", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False, server_default="")
        )
    bind = op.get_bind()
    communes = load_communes()
    # One UPDATE per distinct value, not per person: a list of thousands holds a few dozen spellings.
    typed = bind.execute(sa.text("SELECT DISTINCT district FROM subscriber WHERE district <> ''")).scalars().all()
    for value in typed:
        found = communes.resolve(value)
        if found is not None:
            bind.execute(
                sa.text("UPDATE subscriber SET commune = :commune WHERE district = :district"),
                {"commune": found.name, "district": value},
            )
    _rename_audience_key("district", "commune", resolve=True)
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriber_district")
        batch_op.drop_column("district")
        batch_op.create_index("ix_subscriber_commune", ["commune"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False, server_default="")
        )
    op.get_bind().execute(sa.text("UPDATE subscriber SET district = commune"))
    _rename_audience_key("commune", "district", resolve=False)
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriber_commune")
        batch_op.drop_column("needs")
        batch_op.drop_column("ocop_stars")
        batch_op.drop_column("commune")
        batch_op.create_index("ix_subscriber_district", ["district"], unique=False)
