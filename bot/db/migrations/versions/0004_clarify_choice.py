"""the entry users pick after a question back

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 03:15:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clarify_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("normalized", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("entry_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_picked", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_picked", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("normalized", "entry_id", name="uq_clarify_choice"),
    )
    with op.batch_alter_table("clarify_choice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clarify_choice_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clarify_choice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clarify_choice_entry_id"))
    op.drop_table("clarify_choice")
