"""Buttons on walkout announcements. DynamicItems keep working across restarts: the walkout id
lives in the custom_id (``walkout:rsvp:<id>``, ``walkout:ics:<id>``), not in memory."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from cogs.common.interactions import cog_of, guarded, report_error
from core.text import MODAL_TITLE_MAX, TEXT_INPUT_LABEL_MAX, fit
from db.models import REASON_MAX
from messages import t

if TYPE_CHECKING:
    from cogs.walkouts.cog import Walkouts


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"walkout:rsvp:(?P<id>[0-9]{1,19})"
):
    """ "I'm going": toggles the member's RSVP, like /walkout join."""

    def __init__(self, walkout_id: int, *, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("walkout.button.rsvp", lang),
                style=discord.ButtonStyle.success,
                custom_id=f"walkout:rsvp:{walkout_id}",
                emoji="✊",
            )
        )
        self.walkout_id = walkout_id

    @classmethod
    async def from_custom_id(
        cls, itx: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RsvpButton:
        return cls(int(match["id"]))

    async def callback(self, itx: discord.Interaction) -> None:
        await guarded(itx, lambda: _cog(itx).toggle_rsvp(itx, self.walkout_id))


class CalendarButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"walkout:ics:(?P<id>[0-9]{1,19})"
):
    """ "Add to calendar": sends the walkout as an .ics file, only to the member who clicked."""

    def __init__(self, walkout_id: int, *, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("walkout.button.calendar", lang),
                style=discord.ButtonStyle.secondary,
                custom_id=f"walkout:ics:{walkout_id}",
                emoji="📅",
            )
        )
        self.walkout_id = walkout_id

    @classmethod
    async def from_custom_id(
        cls, itx: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CalendarButton:
        return cls(int(match["id"]))

    async def callback(self, itx: discord.Interaction) -> None:
        await guarded(itx, lambda: _cog(itx).send_calendar(itx, self.walkout_id))


class ApproveButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"walkout:approve:(?P<id>[0-9]{1,19}):(?P<rev>[0-9]{1,9})",
):
    """Approve a walkout waiting for a moderator (persistent: works after a restart). It names
    the revision the moderator was shown: an edit since then makes the click say so."""

    def __init__(self, walkout_id: int, revision: int, *, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("walkout.review.approve", lang),
                style=discord.ButtonStyle.success,
                custom_id=f"walkout:approve:{walkout_id}:{revision}",
            )
        )
        self.walkout_id = walkout_id
        self.revision = revision

    @classmethod
    async def from_custom_id(
        cls, itx: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ApproveButton:
        return cls(int(match["id"]), int(match["rev"]))

    async def callback(self, itx: discord.Interaction) -> None:
        await guarded(itx, lambda: _cog(itx).approve_clicked(itx, self.walkout_id, self.revision))


class RejectButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"walkout:reject:(?P<id>[0-9]{1,19})",
):
    """Reject a walkout waiting for a moderator: asks for an optional reason first."""

    def __init__(self, walkout_id: int, *, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("walkout.review.reject", lang),
                style=discord.ButtonStyle.danger,
                custom_id=f"walkout:reject:{walkout_id}",
            )
        )
        self.walkout_id = walkout_id

    @classmethod
    async def from_custom_id(
        cls, itx: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RejectButton:
        return cls(int(match["id"]))

    async def callback(self, itx: discord.Interaction) -> None:
        await guarded(itx, lambda: _cog(itx).reject_clicked(itx, self.walkout_id))


class RejectModal(discord.ui.Modal):
    """The optional reason for a rejection; told to the registrant once, never stored."""

    def __init__(self, walkout_id: int, *, lang: str, school: str) -> None:
        super().__init__(
            title=fit(t("walkout.review.reject_title", lang, school=school), MODAL_TITLE_MAX),
            custom_id=f"walkout:reject-form:{walkout_id}",
            timeout=600,
        )
        self.walkout_id = walkout_id
        self.reason: discord.ui.TextInput[RejectModal] = discord.ui.TextInput(
            label=fit(t("walkout.review.reason", lang), TEXT_INPUT_LABEL_MAX),
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=REASON_MAX,
            custom_id="reason",
        )
        self.add_item(self.reason)

    async def on_submit(self, itx: discord.Interaction, /) -> None:
        await _cog(itx).reject_submitted(itx, self.walkout_id, self.reason.value)

    # discord.py's Modal.on_error takes no item (a modal is not a view of items).
    async def on_error(  # type: ignore[override]
        self, itx: discord.Interaction, error: Exception, /
    ) -> None:
        await report_error(itx, error)


def review_view(walkout_id: int, revision: int, *, lang: str) -> discord.ui.View:
    """Approve / Reject under a walkout waiting for a moderator."""
    view = discord.ui.View(timeout=None)
    view.add_item(ApproveButton(walkout_id, revision, lang=lang))
    view.add_item(RejectButton(walkout_id, lang=lang))
    return view


def announcement_view(walkout_id: int, *, lang: str, open_: bool) -> discord.ui.View:
    """RSVP + calendar for an open walkout; nothing but the calendar once cancelled."""
    view = discord.ui.View(timeout=None)
    if open_:
        view.add_item(RsvpButton(walkout_id, lang=lang))
    view.add_item(CalendarButton(walkout_id, lang=lang))
    return view


def _cog(itx: discord.Interaction) -> Walkouts:
    return cog_of(itx, "Walkouts")
