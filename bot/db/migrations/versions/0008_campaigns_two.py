"""campaigns 2.0: when each delivery's request went out (so a crash leaves only those unknown), a
campaign's optional image

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 11:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        # The frequency cap counts each recipient's recent messages at every claim.
        batch_op.create_index("ix_delivery_recipient_recent", ["subscriber_id", "attempted_at"], unique=False)
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("image_url", sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("image_url")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_recipient_recent")
        batch_op.drop_column("attempted_at")
