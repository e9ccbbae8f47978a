"""Zalo Official Account: its authorisation, each OA user's standing with Zalo's rules, webhook events seen; a
link key on subscribers so one business on several channels gets one campaign message

`oa_account` holds one row with the OA's tokens and OA-wide promotion count; `oa_recipient` one row per OA user
(personal data, erased and retained like the subscriber it belongs to); `oa_seen_event` hashes of webhook
events already handled. `subscriber.link_key` starts empty: it is filled when a business applies with a tax
code or mobile number. Downgrade drops all four.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oa_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("access_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("refresh_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("refreshing_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("promotion_day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("promotions_sent_today", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "oa_recipient",
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("follows", sa.Boolean(), nullable=False),
        sa.Column("followed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_interaction", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("replies_since_interaction", sa.Integer(), nullable=False),
        sa.Column("promotion_day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("promotions_today", sa.Integer(), nullable=False),
        sa.Column("promotion_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("promotions_this_month", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_oa_recipient_updated_at", "oa_recipient", ["updated_at"], unique=False)
    op.create_table(
        "oa_seen_event",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_oa_seen_event_seen_at", "oa_seen_event", ["seen_at"], unique=False)
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.create_index("ix_subscriber_link_key", ["link_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriber_link_key")
        batch_op.drop_column("link_key")
    op.drop_index("ix_oa_seen_event_seen_at", table_name="oa_seen_event")
    op.drop_table("oa_seen_event")
    op.drop_index("ix_oa_recipient_updated_at", table_name="oa_recipient")
    op.drop_table("oa_recipient")
    op.drop_table("oa_account")
