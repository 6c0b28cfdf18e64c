"""Discord scheduled events mirroring walkouts. Best effort by design: a walkout is registered
whether or not Discord lets us create its event, and /setup show tells moderators why not."""

from __future__ import annotations

import logging
from typing import Any

import discord

from cogs.common.services import Services
from core.text import fit
from core.visibility import PUBLIC, Shown
from db import guilds as guilds_db
from db import walkouts as walkouts_db
from db.models import Walkout
from messages import t

log = logging.getLogger(__name__)

EVENT_NAME_MAX = 100
EVENT_DESCRIPTION_MAX = 1000
EVENT_LOCATION_MAX = 100
MAX_EVENTS_CODE = 30038  # "Maximum number of guild scheduled events reached (100)"
STATUS_CANCELED = 4

NOTE_NO_PERMISSION = "setup.events.no_permission"
NOTE_LIMIT = "setup.events.limit"
NOTE_FAILED = "setup.events.failed"


def event_fields(w: Walkout, lang: str, *, shown: Shown) -> dict[str, Any]:
    """The scheduled-event body for a walkout: an external event located in its city. Discord
    shows events to every member, so this is a public rendering: the meeting point only when
    ``shown`` (for the public) allows it, never who registered it."""
    fields: dict[str, Any] = {
        "name": fit(t("walkout.embed.title", lang, school=w.school), EVENT_NAME_MAX),
        "scheduled_start_time": w.starts_at.isoformat(),
        "scheduled_end_time": w.ends_at.isoformat(),
        "entity_metadata": {"location": fit(w.city, EVENT_LOCATION_MAX)},
    }
    description = w.details or ""
    if w.meeting_point and shown.meeting_point:
        description = f"{w.meeting_point}\n\n{description}".strip()
    if description:
        fields["description"] = fit(description, EVENT_DESCRIPTION_MAX)
    return fields


def can_manage_events(perms: discord.Permissions) -> bool:
    return bool(perms.create_events or perms.manage_events)


class EventMirror:
    """Creates, edits and cancels the scheduled event of each walkout, best effort."""

    def __init__(self, bot: discord.Client, services: Services) -> None:
        self.http = bot.http
        self.db = services.db
        self.clock = services.clock
        self.guild_config = services.guild_config

    async def _note(self, guild_id: int, note: str | None) -> None:
        async with self.db.begin() as s:
            await guilds_db.note_events(s, guild_id, note, now=self.clock())
        self.guild_config.invalidate(guild_id)

    async def create_for(
        self, w: Walkout, *, app_permissions: discord.Permissions, lang: str
    ) -> str | None:
        """Create the event; return a catalog key explaining a skip, or None when created."""
        if not can_manage_events(app_permissions):
            await self._note(w.guild_id, NOTE_NO_PERMISSION)
            return NOTE_NO_PERMISSION
        try:
            data = await self.http.create_guild_scheduled_event(
                w.guild_id,
                privacy_level=discord.PrivacyLevel.guild_only.value,
                entity_type=discord.EntityType.external.value,
                **event_fields(w, lang, shown=await self.guild_config.shown(PUBLIC, w)),
            )
        except discord.HTTPException as exc:
            note = NOTE_LIMIT if exc.code == MAX_EVENTS_CODE else NOTE_FAILED
            if isinstance(exc, discord.Forbidden):
                note = NOTE_NO_PERMISSION
            log.info("scheduled event skipped for walkout %s: %s (%s)", w.id, note, exc.code)
            await self._note(w.guild_id, note)
            return note
        async with self.db.begin() as s:
            await walkouts_db.set_event(s, w.guild_id, w.id, int(data["id"]))
        await self._note(w.guild_id, None)
        return None

    async def update_for(self, w: Walkout, lang: str) -> None:
        """Keep the event in step with an edited walkout."""
        if w.event_id is None:
            return
        try:
            fields = event_fields(w, lang, shown=await self.guild_config.shown(PUBLIC, w))
            await self.http.edit_scheduled_event(w.guild_id, w.event_id, **fields)
        except discord.NotFound:
            await self._forget(w)
        except discord.HTTPException as exc:
            log.warning("could not update event %s of walkout %s: %s", w.event_id, w.id, exc)

    async def cancel_for(self, w: Walkout) -> None:
        """Mark the event cancelled (it disappears from the server's event list)."""
        if w.event_id is None:
            return
        try:
            await self.http.edit_scheduled_event(w.guild_id, w.event_id, status=STATUS_CANCELED)
        except discord.NotFound:
            pass
        except discord.HTTPException as exc:
            log.warning("could not cancel event %s of walkout %s: %s", w.event_id, w.id, exc)
            return
        await self._forget(w)

    async def _forget(self, w: Walkout) -> None:
        async with self.db.begin() as s:
            await walkouts_db.set_event(s, w.guild_id, w.id, None)
