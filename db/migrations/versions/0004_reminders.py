"""Reminders: the table that is the truth for every reminder post and DM, and the server's
reminder settings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Partial unique indexes: one channel reminder per (walkout, offset); one pending DM reminder per
(walkout, member). ``user_id`` is the only raw Discord user id in the schema and lives only on
pending DM reminders (see db/models.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("channel", "dm")
STATUSES = ("pending", "claimed", "sent", "late", "missed", "failed", "cancelled")
CHANNEL = sa.text("kind = 'channel'")
PENDING_DM = sa.text("kind = 'dm' AND user_id IS NOT NULL")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("guild_settings") as batch:
        batch.add_column(sa.Column("reminder_offsets", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("reminder_role_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("reminders_note", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("reminders_note_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("walkout_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsure_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_nonce", sa.String(length=25), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=True),
        sa.Column("error", sa.String(length=40), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_one_of("kind", KINDS), name=op.f("ck_reminders_kind")),
        sa.CheckConstraint(_one_of("status", STATUSES), name=op.f("ck_reminders_status")),
        sa.ForeignKeyConstraint(
            ["walkout_id"],
            ["walkouts.id"],
            name=op.f("fk_reminders_walkout_id_walkouts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index(
        "uq_reminders_walkout_id_offset_minutes",
        "reminders",
        ["walkout_id", "offset_minutes"],
        unique=True,
        sqlite_where=CHANNEL,
        postgresql_where=CHANNEL,
    )
    op.create_index(
        "uq_reminders_walkout_id_user_id",
        "reminders",
        ["walkout_id", "user_id"],
        unique=True,
        sqlite_where=PENDING_DM,
        postgresql_where=PENDING_DM,
    )
    op.create_index("ix_reminders_status_due_at", "reminders", ["status", "due_at"])
    op.create_index("ix_reminders_claim_nonce", "reminders", ["claim_nonce"])


def downgrade() -> None:
    op.drop_table("reminders")
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("reminders_note_at")
        batch.drop_column("reminders_note")
        batch.drop_column("reminder_role_id")
        batch.drop_column("reminder_offsets")
