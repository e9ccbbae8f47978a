"""handoff conversations, one vote per chat and entry, who asked a logged question

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:00:00
"""

import secrets

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"


def upgrade() -> None:
    # Requests: numbers never reused (AUTOINCREMENT on SQLite), a random code, the conversation's state.
    with op.batch_alter_table(
        "handoff_request", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("assigned_to", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("assigned_name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("first_reply_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_activity_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("close_note", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_index("ix_handoff_request_chat_id")
        batch_op.create_index("ix_handoff_chat_status", ["channel", "chat_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_request_status"), ["status"], unique=False)
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE handoff_request SET first_reply_at = answered_at, closed_at = answered_at, "
            "last_activity_at = created_at, status = 'closed' WHERE status = 'answered'"
        )
    )
    connection.execute(sa.text("UPDATE handoff_request SET last_activity_at = created_at WHERE last_activity_at IS NULL"))
    for (request_id,) in connection.execute(sa.text("SELECT id FROM handoff_request")).all():
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
        connection.execute(sa.text("UPDATE handoff_request SET code = :c WHERE id = :i"), {"c": code, "i": request_id})
    with op.batch_alter_table("handoff_request", recreate="always", table_kwargs={"sqlite_autoincrement": True}) as b:
        b.drop_column("answered_at")
        b.alter_column("last_activity_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)

    op.create_table(
        "handoff_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("staff_message", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["handoff_request.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoff_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_message_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_message_staff_message"), ["staff_message"], unique=False)

    # One vote per chat and entry: keep each chat's latest vote.
    connection.execute(
        sa.text("DELETE FROM feedback WHERE id NOT IN (SELECT MAX(id) FROM feedback GROUP BY channel, chat_id, entry_id)")
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_feedback_vote", ["channel", "chat_id", "entry_id"])

    op.create_table(
        "question_asker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question_asker", schema=None) as batch_op:
        batch_op.create_index("ix_question_asker_chat", ["channel", "chat_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_asker_question_id"), ["question_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_asker_asked_at"), ["asked_at"], unique=False)


def downgrade() -> None:
    op.drop_table("question_asker")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint("uq_feedback_vote", type_="unique")
    op.drop_table("handoff_message")
    with op.batch_alter_table("handoff_request", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.drop_index("ix_handoff_chat_status")
        batch_op.drop_index(batch_op.f("ix_handoff_request_status"))
        batch_op.create_index("ix_handoff_request_chat_id", ["chat_id"], unique=False)
        for column in (
            "close_note",
            "closed_at",
            "last_activity_at",
            "first_reply_at",
            "assigned_name",
            "assigned_to",
            "user_id",
            "code",
        ):
            batch_op.drop_column(column)
