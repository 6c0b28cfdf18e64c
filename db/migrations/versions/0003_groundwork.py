"""Schema ready for more tables: constraint names, CHECKs, timestamps from the app's clock.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

- The unique constraint of guild_snippets is named after all its columns
  (``uq_guild_snippets_guild_id_slug``), so a second constraint starting with the same column
  can't collide (naming convention ``%(column_0_N_name)s``).
- CHECK constraints list the values of ``walkouts.status`` and ``guild_snippets.kind``.
- ``created_at`` loses its database default: the application writes it from its injected clock,
  the clock features compare it with (exports "since", retention).
- ``rsvps.created_at`` is dropped: when a member said they're going is not needed (least data).
- Room for defused mentions: ``walkouts.details`` 1000 -> 1250, ``walkouts.cancel_reason``
  300 -> 375. The typed limits stay 1000 and 300 (the Discord options' max_length, and what
  ``clean_field`` counts), but the stored text carries a zero-width space inside every mention it
  defuses, at most one per 4 typed characters (``core.text.defused_max``). SQLite does not enforce
  VARCHAR lengths; PostgreSQL would refuse a 1000-character details with a mention in it.
  Downgrading narrows them again: on PostgreSQL it fails if a stored text is longer (the safe
  outcome).

Batch mode rebuilds the SQLite tables (keeping every row); PostgreSQL alters in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMPED = ("guild_settings", "national_actions", "walkouts", "guild_snippets")
WALKOUT_STATUSES = ("pending", "scheduled", "cancelled")
SNIPPET_KINDS = ("rights", "history")
# (column, typed limit, stored limit)
DEFUSED_COLUMNS = (("details", 1000, 1250), ("cancel_reason", 300, 375))


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    for table in STAMPED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "created_at",
                existing_type=sa.DateTime(timezone=True),
                existing_nullable=False,
                server_default=None,
            )
    with op.batch_alter_table("walkouts") as batch:
        batch.create_check_constraint(
            op.f("ck_walkouts_status"), _one_of("status", WALKOUT_STATUSES)
        )
        for column, typed, stored in DEFUSED_COLUMNS:
            batch.alter_column(
                column,
                existing_type=sa.String(length=typed),
                type_=sa.String(length=stored),
                existing_nullable=True,
            )
    with op.batch_alter_table("guild_snippets") as batch:
        batch.drop_constraint(op.f("uq_guild_snippets_guild_id"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_guild_snippets_guild_id_slug"), ["guild_id", "slug"]
        )
        batch.create_check_constraint(
            op.f("ck_guild_snippets_kind"), _one_of("kind", SNIPPET_KINDS)
        )
    with op.batch_alter_table("rsvps") as batch:
        batch.drop_column("created_at")


def downgrade() -> None:
    with op.batch_alter_table("rsvps") as batch:
        batch.add_column(
            sa.Column(
                "created_at",
                sa.DateTime(timezone=True),
                server_default=sa.func.current_timestamp(),
                nullable=False,
            )
        )
    with op.batch_alter_table("guild_snippets") as batch:
        batch.drop_constraint(op.f("ck_guild_snippets_kind"), type_="check")
        batch.drop_constraint(op.f("uq_guild_snippets_guild_id_slug"), type_="unique")
        batch.create_unique_constraint(op.f("uq_guild_snippets_guild_id"), ["guild_id", "slug"])
    with op.batch_alter_table("walkouts") as batch:
        batch.drop_constraint(op.f("ck_walkouts_status"), type_="check")
        for column, typed, stored in DEFUSED_COLUMNS:
            batch.alter_column(
                column,
                existing_type=sa.String(length=stored),
                type_=sa.String(length=typed),
                existing_nullable=True,
            )
    for table in STAMPED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "created_at",
                existing_type=sa.DateTime(timezone=True),
                existing_nullable=False,
                server_default=sa.func.current_timestamp(),
            )
