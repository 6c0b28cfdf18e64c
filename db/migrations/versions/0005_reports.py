"""After-action reports, and each server's retention period.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

``reports`` holds no user id: an anonymous report carries only the SHA-256 of its one-time
receipt code, a named one a keyed hash of the member for the purpose "report" (exactly one of
the two, a CHECK says so). Free text columns are wide enough for defused mentions (typed 1500 ->
stored 1875, typed 1000 -> stored 1250). ``guild_settings.retention_days``: reports and RSVPs of
walkouts over for that many days are purged (NULL or 0 = keep). Report ids are never reused
(AUTOINCREMENT on SQLite), and (guild_id, id) lists a server's reports in order for exports.

Self-contained: literal limits here, no application imports.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guild_settings") as batch:
        batch.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_guild_settings_retention_days"),
            "retention_days >= 0 AND retention_days <= 3650",
        )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("walkout_id", sa.Integer(), nullable=False),
        sa.Column("reporter_key", sa.String(length=64), nullable=True),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.Column("turnout", sa.Integer(), nullable=True),
        sa.Column("what_happened", sa.String(length=1875), nullable=True),
        sa.Column("repercussions", sa.Integer(), nullable=True),
        sa.Column("repercussion_details", sa.String(length=1250), nullable=True),
        sa.Column("media_links", sa.String(length=1000), nullable=True),
        sa.Column("notice_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("notice_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(reporter_key IS NULL) <> (receipt_hash IS NULL)",
            name=op.f("ck_reports_one_owner_mark"),
        ),
        sa.CheckConstraint("turnout >= 0 AND turnout <= 100000", name=op.f("ck_reports_turnout")),
        sa.CheckConstraint(
            "repercussions >= 0 AND repercussions <= 31", name=op.f("ck_reports_repercussions")
        ),
        sa.ForeignKeyConstraint(
            ["walkout_id"],
            ["walkouts.id"],
            name=op.f("fk_reports_walkout_id_walkouts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_reports_receipt_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reports_guild_id_id", "reports", ["guild_id", "id"])
    op.create_index("ix_reports_guild_id_created_at", "reports", ["guild_id", "created_at"])
    op.create_index("ix_reports_guild_id_reporter_key", "reports", ["guild_id", "reporter_key"])
    op.create_index("ix_reports_walkout_id", "reports", ["walkout_id"])


def downgrade() -> None:
    op.drop_table("reports")
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_constraint(op.f("ck_guild_settings_retention_days"), type_="check")
        batch.drop_column("retention_days")
