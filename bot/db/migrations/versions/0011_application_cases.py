"""applications for support as cases, and their history

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # AUTOINCREMENT on SQLite: an erased case's number never names another.
    op.create_table(
        "application_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("business_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("tax_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("commune", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("ocop_product", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ocop_stars", sa.Integer(), nullable=False),
        sa.Column("needs", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_application_case_chat", "application_case", ["channel", "chat_id"], unique=False)
    op.create_index("ix_application_case_status_created", "application_case", ["status", "created_at"], unique=False)
    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["application_case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_event_case_id", "case_event", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_event_case_id", table_name="case_event")
    op.drop_table("case_event")
    op.drop_index("ix_application_case_status_created", table_name="application_case")
    op.drop_index("ix_application_case_chat", table_name="application_case")
    op.drop_table("application_case")
