"""unanswered questions an admin dismissed as off-topic; knowledge-base snapshots for undoing an import;
answers counted per entry and day

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unanswered_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dismissed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        # The review inbox reads the most asked first: with 200,000 logged questions, a sort it need not do.
        batch_op.create_index("ix_unanswered_most_asked", ["count", "last_asked"], unique=False)
    op.create_table(
        "kb_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("before_version", sa.Integer(), nullable=False),
        sa.Column("after_version", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "entry_answer_count",
        sa.Column("entry_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("entry_answer_count")
    op.drop_table("kb_snapshot")
    with op.batch_alter_table("unanswered_question", schema=None) as batch_op:
        batch_op.drop_index("ix_unanswered_most_asked")
        batch_op.drop_column("dismissed_at")
