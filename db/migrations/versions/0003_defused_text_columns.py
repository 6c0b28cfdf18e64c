"""Room for defused mentions: walkouts.details 1000 -> 1250, walkouts.cancel_reason 300 -> 375.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The typed limits stay 1000 and 300 (the Discord options' max_length, and what clean_field counts),
but the stored text carries a zero-width space inside every mention it defuses, at most one per 4
typed characters (core.text.defused_max). SQLite does not enforce VARCHAR lengths; PostgreSQL
would refuse a 1000-character details with a mention in it. Downgrading narrows the columns
again: on PostgreSQL it fails if a stored text is longer, which is the safe outcome.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column, typed limit, stored limit)
COLUMNS = (("details", 1000, 1250), ("cancel_reason", 300, 375))


def upgrade() -> None:
    with op.batch_alter_table("walkouts") as batch:
        for column, typed, stored in COLUMNS:
            batch.alter_column(
                column,
                existing_type=sa.String(length=typed),
                type_=sa.String(length=stored),
                existing_nullable=True,
            )


def downgrade() -> None:
    with op.batch_alter_table("walkouts") as batch:
        for column, typed, stored in COLUMNS:
            batch.alter_column(
                column,
                existing_type=sa.String(length=stored),
                type_=sa.String(length=typed),
                existing_nullable=True,
            )
