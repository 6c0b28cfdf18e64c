"""Organizer safety: moderator approval, meeting points only for those going, a spam brake.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

- ``walkouts.status`` gains ``pending_approval``, ``rejected`` and ``withdrawn`` (the CHECK
  constraint lists them); ``walkouts.approval_required`` marks walkouts registered while
  approval was on; ``walkouts.revision`` counts edits (an Approve button names the revision).
- ``maintenance``: one-time jobs for the bot; this revision asks it to re-render every posted
  announcement, which until now named its registrant and showed the meeting point.
- ``guild_settings``: ``approval_required`` (off), ``meeting_point_public`` (off: meeting points
  only for those going), ``registrations_per_hour`` (3).

Existing servers keep approval off; their meeting points become visible only to those going
(the safer default the issue asks for); announcements stop naming the registrant (rendering, no
data change).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("pending", "scheduled", "cancelled")
NEW = ("pending", "pending_approval", "scheduled", "rejected", "withdrawn", "cancelled")


def _one_of(values: Sequence[str]) -> str:
    return f"status IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("walkouts") as batch:
        batch.drop_constraint(op.f("ck_walkouts_status"), type_="check")
        batch.create_check_constraint(op.f("ck_walkouts_status"), _one_of(NEW))
        batch.add_column(
            sa.Column("approval_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("guild_settings") as batch:
        batch.add_column(
            sa.Column("approval_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column(
                "meeting_point_public", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column(
                "registrations_per_hour",
                sa.Integer(),
                nullable=False,
                server_default=sa.text("3"),
            )
        )

    # Announcements posted before this revision name their registrant and show the meeting point:
    # the bot re-renders every one of them at its next start (then deletes this row).
    maintenance = op.create_table(
        "maintenance",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_maintenance")),
    )
    posted = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM walkouts WHERE message_id IS NOT NULL"))
        .scalar()
    )
    if posted:
        op.bulk_insert(maintenance, [{"key": "republish", "value": "0006"}])


def downgrade() -> None:
    op.drop_table("maintenance")
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("registrations_per_hour")
        batch.drop_column("meeting_point_public")
        batch.drop_column("approval_required")
    # Walkouts that only the new statuses describe can't be kept by the old schema.
    op.execute("DELETE FROM walkouts WHERE status IN ('pending_approval', 'rejected', 'withdrawn')")
    with op.batch_alter_table("walkouts") as batch:
        batch.drop_column("revision")
        batch.drop_column("approval_required")
        batch.drop_constraint(op.f("ck_walkouts_status"), type_="check")
        batch.create_check_constraint(op.f("ck_walkouts_status"), _one_of(OLD))
