"""The report form (a modal), its "fix and send again" button, the "Report" buttons under the
after-walkout reminder, and the /reports list pager.

The form's custom_id is ``report:form:<interaction id>``: unique per opening, so two members'
forms never cross, and it carries nothing about the report. What the form is for (a walkout,
anonymous or not, or the proof that allows an edit) stays in this process's memory, in the
modal object, and is never stored or logged. The buttons under the after-walkout post are
DynamicItems (``report:new:<walkout id>``): they keep working after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from cogs.common.interactions import ErrorReportingView, cog_of, guarded, report_error
from cogs.reports.form import CHOICES, TURNOUT_INPUT_MAX, Draft
from cogs.reports.service import Proof
from core.text import (
    BUTTON_LABEL_MAX,
    MODAL_TITLE_MAX,
    TEXT_INPUT_LABEL_MAX,
    fit,
)
from db.models import MEDIA_LINKS_MAX, REPERCUSSION_DETAILS_MAX, REPORT_TEXT_MAX, Walkout
from messages import t

if TYPE_CHECKING:
    from cogs.reports.cog import Reports

PLACEHOLDER_MAX = 100
LABEL_DESCRIPTION_MAX = 100
MODAL_TIMEOUT = 30 * 60
RETRY_TIMEOUT = 14 * 60  # an ephemeral message's token lives 15 minutes
BUTTONS_MAX = 10  # walkouts in one after-walkout post (the reminder engine's PER_POST)


@dataclass(frozen=True)
class Purpose:
    """What a form is for: a new report on a walkout, or an edit proved by ``proof``."""

    walkout_id: int
    school: str
    anonymous: bool = True
    proof: Proof | None = None


def _text(key: str, lang: str, limit: int) -> str:
    return fit(t(key, lang), limit)


class ReportModal(discord.ui.Modal):
    """Turnout, what happened, repercussions (a select), their details, media links: five
    components, Discord's maximum. Labels in the reporter's language."""

    def __init__(self, *, custom_id: str, purpose: Purpose, lang: str, draft: Draft) -> None:
        if purpose.proof is not None:
            title = t(
                "report.form.title_edit", lang, id=purpose.proof.report_id, school=purpose.school
            )
        elif purpose.anonymous:
            title = t("report.form.title_anonymous", lang, school=purpose.school)
        else:
            title = t("report.form.title_named", lang, school=purpose.school)
        super().__init__(
            title=fit(title, MODAL_TITLE_MAX), custom_id=custom_id, timeout=MODAL_TIMEOUT
        )
        self.purpose = purpose
        self.lang = lang
        self.turnout = self._input(
            "turnout", draft.turnout, max_length=TURNOUT_INPUT_MAX, placeholder=True
        )
        self.what = self._input(
            "what_happened", draft.what_happened, max_length=REPORT_TEXT_MAX, paragraph=True
        )
        self.kinds: discord.ui.Select[ReportModal] = discord.ui.Select(
            custom_id="kinds",
            placeholder=_text("report.form.kinds_placeholder", lang, PLACEHOLDER_MAX),
            min_values=0,
            max_values=len(CHOICES),
            required=False,
            options=[
                discord.SelectOption(
                    label=t(f"report.kind.{kind}", lang), value=kind, default=kind in draft.kinds
                )
                for kind in CHOICES
            ],
        )
        self.add_item(
            discord.ui.Label(
                text=_text("report.form.kinds", lang, TEXT_INPUT_LABEL_MAX),
                description=_text("report.form.kinds_hint", lang, LABEL_DESCRIPTION_MAX),
                component=self.kinds,
            )
        )
        self.details = self._input(
            "details", draft.details, max_length=REPERCUSSION_DETAILS_MAX, paragraph=True
        )
        self.links = self._input("links", draft.links, max_length=MEDIA_LINKS_MAX, paragraph=True)

    def _input(
        self,
        name: str,
        value: str,
        *,
        max_length: int,
        paragraph: bool = False,
        placeholder: bool = False,
    ) -> discord.ui.TextInput[ReportModal]:
        key = f"report.form.{name}"
        field: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
            custom_id=name,
            style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
            placeholder=_text(key + "_placeholder", self.lang, PLACEHOLDER_MAX)
            if placeholder
            else None,
            max_length=max_length,
            required=False,
            default=value[:max_length] or None,
        )
        self.add_item(
            discord.ui.Label(
                text=_text(key, self.lang, TEXT_INPUT_LABEL_MAX),
                description=_text(key + "_hint", self.lang, LABEL_DESCRIPTION_MAX),
                component=field,
            )
        )
        return field

    def draft(self) -> Draft:
        return Draft(
            turnout=self.turnout.value,
            what_happened=self.what.value,
            kinds=tuple(self.kinds.values),
            details=self.details.value,
            links=self.links.value,
        )

    async def on_submit(self, itx: discord.Interaction, /) -> None:
        await _cog(itx).submit_form(itx, self.purpose, self.draft())

    async def on_error(  # type: ignore[override]
        self, itx: discord.Interaction, error: Exception, /
    ) -> None:
        await report_error(itx, error)


def form(itx: discord.Interaction, purpose: Purpose, lang: str, draft: Draft) -> ReportModal:
    return ReportModal(custom_id=f"report:form:{itx.id}", purpose=purpose, lang=lang, draft=draft)


class RetryView(ErrorReportingView):
    """Under a refused form: reopens it with everything that was typed."""

    def __init__(self, *, purpose: Purpose, lang: str, draft: Draft) -> None:
        super().__init__(timeout=RETRY_TIMEOUT)
        self.purpose = purpose
        self.lang = lang
        self.draft = draft
        self.retry.label = fit(t("report.retry", lang), BUTTON_LABEL_MAX)

    @discord.ui.button(label="Retry", style=discord.ButtonStyle.primary)
    async def retry(self, itx: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await itx.response.send_modal(form(itx, self.purpose, self.lang, self.draft))


class ReportButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"report:new:(?P<id>[0-9]{1,19})"
):
    """ "Report: <school>" under the after-walkout post: opens an anonymous report form."""

    def __init__(self, walkout_id: int, *, label: str = "Report") -> None:
        super().__init__(
            discord.ui.Button(
                label=fit(label, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.primary,
                custom_id=f"report:new:{walkout_id}",
                emoji="📝",
            )
        )
        self.walkout_id = walkout_id

    @classmethod
    async def from_custom_id(
        cls, itx: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReportButton:
        return cls(int(match["id"]))

    async def callback(self, itx: discord.Interaction) -> None:
        await guarded(itx, lambda: _cog(itx).open_form(itx, self.walkout_id, anonymous=True))


def report_buttons(walkouts: Sequence[Walkout], *, lang: str) -> discord.ui.View:
    """One "Report" button per walkout of an after-walkout post (at most 10, two rows)."""
    view = discord.ui.View(timeout=None)
    for w in walkouts[:BUTTONS_MAX]:
        view.add_item(ReportButton(w.id, label=t("report.button", lang, school=w.school)))
    return view


def _cog(itx: discord.Interaction) -> Reports:
    return cog_of(itx, "Reports")
