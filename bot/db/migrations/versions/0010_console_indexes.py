"""the console's pages: subscribers filtered by district and sector, counted by status and channel; a
campaign's deliveries counted by status

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:20:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_subscriber_district", "subscriber", ["district"], unique=False)
    op.create_index("ix_subscriber_sector", "subscriber", ["sector"], unique=False)
    op.create_index("ix_subscriber_status_channel", "subscriber", ["status", "channel"], unique=False)
    op.create_index("ix_delivery_campaign_status", "delivery", ["campaign_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_delivery_campaign_status", table_name="delivery")
    op.drop_index("ix_subscriber_status_channel", table_name="subscriber")
    op.drop_index("ix_subscriber_sector", table_name="subscriber")
    op.drop_index("ix_subscriber_district", table_name="subscriber")
