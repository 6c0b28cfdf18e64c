"""Typed SQLAlchemy 2 models. Dialect-neutral: the same schema runs on SQLite and PostgreSQL.

Privacy rules baked into the schema: no immigration status anywhere; RSVPs store a keyed hash
of the member (never the raw Discord user id) and no time; the registrant id is kept only so the
registrant can edit or cancel, and is nulled when they delete their data.

Every ``created_at`` is written by the application from the injected clock (no database
default): features compare these stamps with that clock (exports "since", retention), so both
must be the same clock. Status columns carry CHECK constraints listing their values.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core import visibility
from db.types import UTCDateTime
from db.vocabulary import REPERCUSSION_BITS as REPERCUSSION_BITS  # re-exported
from db.vocabulary import REPERCUSSIONS_ALL

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Field limits, shared by models, validation and Discord option max_length.
SCHOOL_MAX = 100
CITY_MAX = 100
MEETING_POINT_MAX = 200
DETAILS_MAX = 1000
REASON_MAX = 300
ACTION_NAME_MAX = 100
ZONE_MAX = 64
# Free text is stored with its mentions defused: a zero-width space inside each, which the typed
# limit above does not count (core.text.clean_field). Its column holds core.text.defused_max()
# of the typed limit, literal here like the rest; a unit test keeps them equal. Names refuse
# mentions instead, so their columns are exactly the typed limit.
DETAILS_STORED_MAX = 1250
REASON_STORED_MAX = 375
# A server's own snippets: the same limits as messages.snippets (TITLE_MAX, BODY_MAX,
# SOURCE_LINE_MAX, ID_PATTERN's 40; keywords: KEYWORDS_MAX x KEYWORD_MAX_CHARS plus commas).
# Literal here so the schema never imports app code; a unit test keeps them equal.
SNIPPET_SLUG_MAX = 40
SNIPPET_TITLE_MAX = 200
SNIPPET_BODY_MAX = 3500
SNIPPET_SOURCE_MAX = 300
SNIPPET_KEYWORDS_MAX = 410
# After-action reports. Typed limits (what the form allows), and the stored limits of free text
# with its mentions defused (core.text.defused_max; a unit test keeps them equal).
REPORT_TEXT_MAX = 1500
REPORT_TEXT_STORED_MAX = 1875
REPERCUSSION_DETAILS_MAX = 1000
REPERCUSSION_DETAILS_STORED_MAX = 1250
MEDIA_LINKS_MAX = 1000  # validated http(s) URLs, one per line, never defused
TURNOUT_MAX = 100_000
# Repercussions are a bit set: NULL = not said, 0 = "none" said explicitly, else these bits
# (db/vocabulary.py, which code outside db/ reads without loading SQLAlchemy).
RETENTION_DAYS_MAX = 3650
HASH_HEX_LEN = 64  # SHA-256 / HMAC-SHA256 as hex

# Largest value of the Integer ids (walkouts, national actions): PostgreSQL's int4. Ids typed by
# users beyond it are treated as unknown instead of failing on PostgreSQL.
ID_MAX = 2**31 - 1

Snowflake = Annotated[int, mapped_column(BigInteger)]
Created = Annotated[datetime, mapped_column(UTCDateTime())]

# Walkout statuses. ``pending``: stored, announcement not posted yet (invisible to members;
# removed if the announcement fails, swept at start-up if left behind by a crash).
# ``pending_approval``: waiting for a moderator (when the server asks for approval);
# ``rejected``: a moderator said no. Who may see which: core.visibility.
WALKOUT_PENDING = visibility.PENDING
WALKOUT_PENDING_APPROVAL = visibility.PENDING_APPROVAL
WALKOUT_SCHEDULED = visibility.SCHEDULED
WALKOUT_REJECTED = visibility.REJECTED
WALKOUT_WITHDRAWN = visibility.WITHDRAWN
WALKOUT_CANCELLED = visibility.CANCELLED
WALKOUT_STATUSES: tuple[str, ...] = visibility.STATUSES
REGISTRATIONS_PER_HOUR = 3
"""How many walkouts a member (not a moderator) may register in an hour, by default."""
SNIPPET_KINDS: tuple[str, ...] = ("rights", "history")

# Reminders. ``pending`` -> ``claimed`` (one process won it and is posting) -> ``sent``/``late``;
# or ``missed`` (too late to post), ``failed`` (Discord refused for good), ``cancelled``.
REMINDER_CHANNEL = "channel"
REMINDER_DM = "dm"
REMINDER_KINDS: tuple[str, ...] = (REMINDER_CHANNEL, REMINDER_DM)
REMINDER_STATUSES: tuple[str, ...] = (
    "pending",
    "claimed",
    "sent",
    "late",
    "missed",
    "failed",
    "cancelled",
)
NONCE_MAX = 25  # Discord's limit for a message nonce


def one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """``CHECK (column IN (...))`` named ``ck_<table>_<name>`` by the naming convention."""
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


class GuildSettings(Base):
    """Per-server configuration. A server without a row uses the defaults."""

    __tablename__ = "guild_settings"
    __table_args__ = (
        CheckConstraint(
            f"retention_days >= 0 AND retention_days <= {RETENTION_DAYS_MAX}", name="retention_days"
        ),
    )

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str | None] = mapped_column(String(ZONE_MAX))
    announcements_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    reports_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    organizer_role_id: Mapped[int | None] = mapped_column(BigInteger)
    # Why the last scheduled event was not created (a catalog key), shown by /setup show.
    events_note: Mapped[str | None] = mapped_column(String(100))
    events_note_at: Mapped[datetime | None]
    # Channel reminder offsets as typed canonically ("7d,1d,2h,0,+3h"; "off"); NULL = default.
    reminder_offsets: Mapped[str | None] = mapped_column(String(200))
    # The only role a reminder may ping; NULL = no ping.
    reminder_role_id: Mapped[int | None] = mapped_column(BigInteger)
    # Why reminders could not be posted (a catalog key), told to moderators once.
    reminders_note: Mapped[str | None] = mapped_column(String(100))
    reminders_note_at: Mapped[datetime | None]
    # Reports (and RSVPs) of walkouts over for this many days are purged; NULL or 0 = keep.
    retention_days: Mapped[int | None] = mapped_column(Integer)
    # Walkouts registered by members who are not moderators wait for a moderator's approval.
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Meeting points in public posts (True) or only for those going (False, the default).
    meeting_point_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # The spam brake: walkouts a member may register per hour (moderators: no limit).
    registrations_per_hour: Mapped[int] = mapped_column(Integer, default=REGISTRATIONS_PER_HOUR)
    created_at: Mapped[Created]
    updated_at: Mapped[datetime | None]


class NationalAction(Base):
    """One date at the same *local* time everywhere. ``guild_id`` NULL = shipped with the bot."""

    __tablename__ = "national_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(ACTION_NAME_MAX))
    local_date: Mapped[date] = mapped_column(Date)
    local_time: Mapped[time] = mapped_column(Time)
    created_at: Mapped[Created]


class Walkout(Base):
    """A planned walkout at one school, stored with its start in UTC and its IANA zone."""

    __tablename__ = "walkouts"
    __table_args__ = (
        Index("ix_walkouts_guild_start", "guild_id", "starts_at"),
        one_of("status", WALKOUT_STATUSES, "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    school: Mapped[str] = mapped_column(String(SCHOOL_MAX))
    city: Mapped[str] = mapped_column(String(CITY_MAX))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(ZONE_MAX))
    meeting_point: Mapped[str | None] = mapped_column(String(MEETING_POINT_MAX))
    details: Mapped[str | None] = mapped_column(String(DETAILS_STORED_MAX))
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("national_actions.id", ondelete="SET NULL")
    )
    registrant_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    # Registered while the server asked for approval: if announcing it is interrupted it goes
    # back to waiting for approval instead of being deleted.
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every edit: an Approve button approves the revision it was shown with.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str | None] = mapped_column(String(REASON_STORED_MAX))
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[Created]
    updated_at: Mapped[datetime | None]

    action: Mapped[NationalAction | None] = relationship(lazy="raise")
    rsvps: Mapped[list[Rsvp]] = relationship(
        back_populates="walkout", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == WALKOUT_CANCELLED

    @property
    def is_pending_approval(self) -> bool:
        return self.status == WALKOUT_PENDING_APPROVAL


class Rsvp(Base):
    """One member going to one walkout, keyed by a per-server keyed hash (never the user id)."""

    __tablename__ = "rsvps"

    walkout_id: Mapped[int] = mapped_column(
        ForeignKey("walkouts.id", ondelete="CASCADE"), primary_key=True
    )
    member_key: Mapped[str] = mapped_column(String(64), primary_key=True)

    walkout: Mapped[Walkout] = relationship(back_populates="rsvps", lazy="raise")


class GuildSnippet(Base):
    """A server's own rights or history snippet, in one language, visible only in that server.

    No author id: who added it is not needed to show or remove it (least data).
    """

    __tablename__ = "guild_snippets"
    # The unique (guild_id, slug) index also serves "all of this server's snippets": no second
    # index on guild_id alone.
    __table_args__ = (
        UniqueConstraint("guild_id", "slug"),
        one_of("kind", SNIPPET_KINDS, "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    slug: Mapped[str] = mapped_column(String(SNIPPET_SLUG_MAX))
    kind: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(SNIPPET_TITLE_MAX))
    body: Mapped[str] = mapped_column(String(SNIPPET_BODY_MAX))
    source: Mapped[str] = mapped_column(String(SNIPPET_SOURCE_MAX))
    # Comma-separated, as typed in the modal (each keyword without commas); NULL = none.
    keywords: Mapped[str | None] = mapped_column(String(SNIPPET_KEYWORDS_MAX))
    created_at: Mapped[Created]


class Reminder(Base):
    """One reminder of one walkout: a channel post at an offset, or one member's DM.

    The table is the truth; the scheduler only wakes the bot up. A channel reminder is unique
    per (walkout, offset); a DM reminder per (walkout, member) while it is pending. ``user_id``
    is the one raw Discord user id the bot stores, and only for a pending DM reminder: it is
    cleared when the DM is sent, missed or cancelled.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        one_of("kind", REMINDER_KINDS, "kind"),
        one_of("status", REMINDER_STATUSES, "status"),
        Index(
            "uq_reminders_walkout_id_offset_minutes",
            "walkout_id",
            "offset_minutes",
            unique=True,
            sqlite_where=text("kind = 'channel'"),
            postgresql_where=text("kind = 'channel'"),
        ),
        Index(
            "uq_reminders_walkout_id_user_id",
            "walkout_id",
            "user_id",
            unique=True,
            sqlite_where=text("kind = 'dm' AND user_id IS NOT NULL"),
            postgresql_where=text("kind = 'dm' AND user_id IS NOT NULL"),
        ),
        Index("ix_reminders_status_due_at", "status", "due_at"),
        Index("ix_reminders_claim_nonce", "claim_nonce"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    walkout_id: Mapped[int] = mapped_column(ForeignKey("walkouts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    # Signed nominal minutes from the start (negative: before); a DM's "before" is negative.
    offset_minutes: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped when a reminder that was already posted is armed again (its walkout moved).
    generation: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    # When a try may have posted without us hearing back (a 5xx, a crash): Discord remembers the
    # nonce for a few minutes only, so tries stop once this is too long ago.
    unsure_since: Mapped[datetime | None]
    # The nonce its post is (or was) sent with; a batch of reminders shares one.
    claim_nonce: Mapped[str | None] = mapped_column(String(NONCE_MAX))
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    lang: Mapped[str | None] = mapped_column(String(5))
    error: Mapped[str | None] = mapped_column(String(40))
    done_at: Mapped[datetime | None]
    created_at: Mapped[Created]

    @property
    def is_dm(self) -> bool:
        return self.kind == REMINDER_DM


class Report(Base):
    """An after-action report on one walkout: turnout, what happened, repercussions, links.

    Exactly one of two owners' marks, never a user id:

    - anonymous (the default): ``receipt_hash``, the SHA-256 of a one-time receipt code only the
      reporter saw. Nothing derived from the member is stored (no keyed hash either: whoever holds
      the host holds the key and could recompute it for every member).
    - named: ``reporter_key``, a keyed hash of the member for the purpose "report" (see
      ``core.pseudonym``), so they can find, edit and delete their own reports without a code.

    ``notice_*`` is the moderators' notification in the reports channel, so that editing,
    deleting or purging a report edits or deletes its copy there too.
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("(reporter_key IS NULL) <> (receipt_hash IS NULL)", name="one_owner_mark"),
        CheckConstraint(f"turnout >= 0 AND turnout <= {TURNOUT_MAX}", name="turnout"),
        CheckConstraint(
            f"repercussions >= 0 AND repercussions <= {REPERCUSSIONS_ALL}", name="repercussions"
        ),
        UniqueConstraint("receipt_hash"),
        # A server's reports in id order (exports) without sorting them.
        Index("ix_reports_guild_id_id", "guild_id", "id"),
        Index("ix_reports_guild_id_created_at", "guild_id", "created_at"),
        Index("ix_reports_guild_id_reporter_key", "guild_id", "reporter_key"),
        Index("ix_reports_walkout_id", "walkout_id"),
        # Ids are never reused (SQLite would give a deleted newest report's id to the next one).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    walkout_id: Mapped[int] = mapped_column(ForeignKey("walkouts.id", ondelete="CASCADE"))
    reporter_key: Mapped[str | None] = mapped_column(String(HASH_HEX_LEN))
    receipt_hash: Mapped[str | None] = mapped_column(String(HASH_HEX_LEN))
    turnout: Mapped[int | None] = mapped_column(Integer)
    what_happened: Mapped[str | None] = mapped_column(String(REPORT_TEXT_STORED_MAX))
    repercussions: Mapped[int | None] = mapped_column(Integer)
    repercussion_details: Mapped[str | None] = mapped_column(
        String(REPERCUSSION_DETAILS_STORED_MAX)
    )
    media_links: Mapped[str | None] = mapped_column(String(MEDIA_LINKS_MAX))
    notice_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    notice_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[Created]
    updated_at: Mapped[datetime | None]

    @property
    def is_anonymous(self) -> bool:
        return self.reporter_key is None


class Maintenance(Base):
    """One-time jobs a migration leaves for the running bot (for example re-rendering every
    posted announcement after the rules of what they may show changed)."""

    __tablename__ = "maintenance"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(40))
