"""The topic menu under /rights and /history indexes, and the /snippet add modal.

The menu is a DynamicItem: kind and language live in its custom_id
(``snippet:topic:<kind>:<lang>``), so a menu posted publicly keeps working after a restart.
The modal gets a custom_id of its own per opening (``snippet:add:<interaction id>``): two
moderators adding snippets at once never receive each other's submissions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from cogs.common.interactions import ErrorReportingView, cog_of, guarded, report_error
from cogs.snippets.render import INDEX_LINE_TITLE_MAX, shown_lang
from cogs.snippets.store import KEYWORDS_INPUT_MAX
from core.text import (
    CHOICE_NAME_MAX,
    MODAL_TITLE_MAX,
    SELECT_OPTIONS_MAX,
    TEXT_INPUT_LABEL_MAX,
    fit,
)
from db.models import SNIPPET_SLUG_MAX
from messages import LANGS, t
from messages.snippets import BODY_MAX, KINDS, SOURCE_LINE_MAX, TITLE_MAX, Snippet

if TYPE_CHECKING:
    from cogs.snippets.cog import Snippets

PLACEHOLDER_MAX = 100
LABEL_DESCRIPTION_MAX = 100
SLUG_MIN = 3  # ID_PATTERN: 3-40 characters
MODAL_TIMEOUT = 30 * 60  # then the modal is forgotten; Discord says the interaction failed
RETRY_TIMEOUT = 14 * 60  # an ephemeral message's token lives 15 minutes
TOPIC_TEMPLATE = rf"snippet:topic:(?P<kind>{'|'.join(KINDS)}):(?P<lang>{'|'.join(LANGS)})"


class TopicSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=TOPIC_TEMPLATE,
):
    """The "open a topic" menu under an index; opens the picked snippet (see
    :meth:`Snippets.open_topic`)."""

    def __init__(self, kind: str, lang: str, options: Sequence[discord.SelectOption] = ()) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"snippet:topic:{kind}:{lang}",
                placeholder=fit(t("snippet.index.placeholder", lang), PLACEHOLDER_MAX),
                options=list(options),
                min_values=1,
                max_values=1,
            )
        )
        self.kind = kind
        self.lang = lang

    @classmethod
    async def from_custom_id(
        cls, itx: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TopicSelect:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(match["kind"], match["lang"], options)

    async def callback(self, itx: discord.Interaction) -> None:
        values = self.item.values
        if not values:
            return
        await guarded(itx, lambda: _cog(itx).open_topic(itx, values[0], self.kind, self.lang))


def topic_options(entries: Sequence[Snippet], *, lang: str) -> list[discord.SelectOption]:
    """One option per topic, the first 25 (Discord's limit), labelled with the title."""
    options = []
    for snippet in entries[:SELECT_OPTIONS_MAX]:
        title = snippet.text(shown_lang(snippet, lang)).title
        description = snippet.id
        if snippet.origin == "guild":
            description += " · " + t("snippet.index.server_mark", lang)
        options.append(
            discord.SelectOption(
                label=fit(title, min(CHOICE_NAME_MAX, INDEX_LINE_TITLE_MAX)),
                value=snippet.id,
                description=fit(description, CHOICE_NAME_MAX),
            )
        )
    return options


def topic_view(entries: Sequence[Snippet], *, kind: str, lang: str) -> discord.ui.View | None:
    """The menu for an index, or None when there is nothing to pick."""
    if not entries:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(TopicSelect(kind, lang, topic_options(entries, lang=lang)))
    return view


# --------------------------------------------------------------------------- /snippet add


@dataclass(frozen=True, slots=True)
class Draft:
    """What the moderator typed, kept so a refused snippet can be fixed instead of retyped."""

    slug: str = ""
    title: str = ""
    body: str = ""
    source: str = ""
    keywords: str = ""


def _text(key: str, lang: str, limit: int) -> str:
    return fit(t(key, lang), limit)


class AddSnippetModal(discord.ui.Modal):
    """id, title, body, source and optional keywords of a new server snippet.

    ``kind`` and ``lang`` (the snippet's language) come from the command's options; the labels
    are in ``ui_lang``, the moderator's own language. Field custom_ids: ``id``, ``title``,
    ``body``, ``source``, ``keywords``.
    """

    def __init__(
        self, *, custom_id: str, kind: str, lang: str, ui_lang: str, draft: Draft = Draft()
    ) -> None:
        language = t(f"snippet.lang.{lang}", ui_lang)
        title = t(f"snippet.modal.title_{kind}", ui_lang, language=language)
        super().__init__(
            title=fit(title, MODAL_TITLE_MAX), custom_id=custom_id, timeout=MODAL_TIMEOUT
        )
        self.kind = kind
        self.lang = lang
        self.ui_lang = ui_lang
        self.slug = self._field(
            "id", draft.slug, min_length=SLUG_MIN, max_length=SNIPPET_SLUG_MAX, placeholder=True
        )
        self.snippet_title = self._field("title", draft.title, max_length=TITLE_MAX, hint=False)
        self.body = self._field(
            "body", draft.body, max_length=BODY_MAX, style=discord.TextStyle.paragraph
        )
        self.source = self._field(
            "source", draft.source, max_length=SOURCE_LINE_MAX, placeholder=True
        )
        self.keywords = self._field(
            "keywords", draft.keywords, max_length=KEYWORDS_INPUT_MAX, required=False
        )

    def _field(
        self,
        name: str,
        value: str,
        *,
        max_length: int,
        min_length: int | None = None,
        required: bool = True,
        style: discord.TextStyle = discord.TextStyle.short,
        hint: bool = True,
        placeholder: bool = False,
    ) -> discord.ui.TextInput[AddSnippetModal]:
        """One labelled text input; label, hint and placeholder come from the catalog."""
        key = f"snippet.modal.{name}"
        text_input: discord.ui.TextInput[AddSnippetModal] = discord.ui.TextInput(
            custom_id=name,
            style=style,
            placeholder=_text(key + "_placeholder", self.ui_lang, PLACEHOLDER_MAX)
            if placeholder
            else None,
            min_length=min_length,
            max_length=max_length,
            required=required,
            default=value or None,
        )
        self.add_item(
            discord.ui.Label(
                text=_text(key, self.ui_lang, TEXT_INPUT_LABEL_MAX),
                description=_text(key + "_hint", self.ui_lang, LABEL_DESCRIPTION_MAX)
                if hint
                else None,
                component=text_input,
            )
        )
        return text_input

    def draft(self) -> Draft:
        return Draft(
            slug=self.slug.value,
            title=self.snippet_title.value,
            body=self.body.value,
            source=self.source.value,
            keywords=self.keywords.value,
        )

    async def on_submit(self, itx: discord.Interaction, /) -> None:
        await _cog(itx).submit_snippet(itx, self)

    # discord.py's Modal.on_error takes no item (a modal is not a view of items).
    async def on_error(  # type: ignore[override]
        self, itx: discord.Interaction, error: Exception, /
    ) -> None:
        await report_error(itx, error)


class RetryView(ErrorReportingView):
    """Under a refused /snippet add: reopens the modal with what was typed, to fix it."""

    def __init__(self, *, kind: str, lang: str, ui_lang: str, draft: Draft) -> None:
        super().__init__(timeout=RETRY_TIMEOUT)
        self.kind = kind
        self.lang = lang
        self.ui_lang = ui_lang
        self.draft = draft
        self.retry.label = fit(t("snippet.retry", ui_lang), 80)

    @discord.ui.button(label="Retry", style=discord.ButtonStyle.primary)
    async def retry(self, itx: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await itx.response.send_modal(
            AddSnippetModal(
                custom_id=f"snippet:add:{itx.id}",
                kind=self.kind,
                lang=self.lang,
                ui_lang=self.ui_lang,
                draft=self.draft,
            )
        )


def _cog(itx: discord.Interaction) -> Snippets:
    return cog_of(itx, "Snippets")
