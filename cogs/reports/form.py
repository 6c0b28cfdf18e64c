"""The report form: what a reporter typed (:class:`Draft`) and how it becomes a report.

Pure: no Discord, no database. :func:`validate` raises :class:`core.errors.UserError` with a
catalog key for the first problem; the caller keeps the :class:`Draft` so nothing typed is lost
(the reply echoes it and reopens the form filled in).

- turnout: a whole number 0 to 100,000; "1,200" and "1 200" are read as 1200; blank = unknown.
- what happened and the repercussions' details: free text, tidied and defused like every free
  text (``core.text.clean_field``), at most 1,500 and 1,000 characters.
- repercussions: any of the kinds in :data:`KINDS`, or "none" alone; nothing picked = not said.
- media links: up to :data:`LINKS_MAX` http(s) links, one per line (spaces separate them too),
  each with a host, no user name or password, at most :data:`LINK_MAX` characters.

A report must say something: at least a turnout, a text, a repercussion answer or a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import UserError
from core.text import clean_field, fit
from db.models import (
    MEDIA_LINKS_MAX,
    REPERCUSSION_DETAILS_MAX,
    REPORT_TEXT_MAX,
    TURNOUT_MAX,
    Report,
)
from db.reports import ReportContent
from db.vocabulary import KINDS, NONE, REPERCUSSION_BITS, kinds_of

CHOICES: tuple[str, ...] = (*KINDS, NONE)
TURNOUT_INPUT_MAX = 12
LINKS_MAX = 5
LINK_MAX = 500
_HOST = re.compile(
    r"^[A-Za-z0-9\u00a1-\uffff]([A-Za-z0-9\u00a1-\uffff.-]*[A-Za-z0-9\u00a1-\uffff])?$"
)
_LINK_SPLIT = re.compile(r"\s+")


@dataclass(frozen=True)
class Draft:
    """The form as typed: strings exactly as the reporter wrote them, kinds as picked."""

    turnout: str = ""
    what_happened: str = ""
    kinds: tuple[str, ...] = ()
    details: str = ""
    links: str = ""

    def is_empty(self) -> bool:
        return (
            not any(
                (self.turnout.strip(), self.what_happened.strip(), self.kinds, self.details.strip())
            )
            and not self.links.strip()
        )


def parse_turnout(text: str) -> int | None:
    """A whole number of people, or None for blank. Thousands separators are allowed."""
    raw = text.strip()
    if not raw:
        return None
    digits = re.sub(r"(?<=\d)[,\s_.'](?=\d{3}(?!\d))", "", raw)
    if not (digits.isascii() and digits.isdigit()):
        raise UserError("error.report.turnout", text=fit(raw, 40), max=f"{TURNOUT_MAX:,}")
    value = int(digits)
    if value > TURNOUT_MAX:
        raise UserError("error.report.turnout", text=fit(raw, 40), max=f"{TURNOUT_MAX:,}")
    return value


def parse_links(text: str) -> tuple[str, ...]:
    """The http(s) links in ``text``, in order, without duplicates."""
    links: list[str] = []
    for part in _LINK_SPLIT.split(text.strip()):
        if not part:
            continue
        link = part.removeprefix("<").removesuffix(">")
        if len(link) > LINK_MAX:
            raise UserError("error.report.link_long", max=LINK_MAX)
        try:
            parts = urlsplit(link)
            host = parts.hostname or ""
            port_ok = parts.port is None or 0 < parts.port < 65536
        except ValueError:
            raise UserError("error.report.link", link=fit(link, 80)) from None
        if (
            parts.scheme.lower() not in ("http", "https")
            or not host
            or not _HOST.match(host)
            or parts.username is not None
            or parts.password is not None
            or not port_ok
            or not link.isprintable()
        ):
            raise UserError("error.report.link", link=fit(link, 80))
        if link not in links:
            links.append(link)
    if len(links) > LINKS_MAX:
        raise UserError("error.report.links_many", max=LINKS_MAX)
    return tuple(links)


def bits_of(kinds: Iterable[str]) -> int | None:
    """The stored bit set of picked kinds: None when nothing was picked, 0 for "none"."""
    picked = set(kinds)
    unknown = picked - set(CHOICES)
    if unknown:
        raise UserError("error.report.kind")
    if not picked:
        return None
    if NONE in picked:
        if len(picked) > 1:
            raise UserError("error.report.none_and_more")
        return 0
    bits = 0
    for kind in picked:
        bits |= REPERCUSSION_BITS[kind]
    return bits


def validate(draft: Draft) -> ReportContent:
    """The report a draft describes, or the first problem as a :class:`UserError`."""
    if draft.is_empty():
        raise UserError("error.report.empty")
    turnout = parse_turnout(draft.turnout)
    what = clean_field(
        draft.what_happened, field="what-happened", max_len=REPORT_TEXT_MAX, required=False
    )
    repercussions = bits_of(draft.kinds)
    details = clean_field(
        draft.details,
        field="repercussion-details",
        max_len=REPERCUSSION_DETAILS_MAX,
        required=False,
    )
    links = parse_links(draft.links)
    joined = "\n".join(links) or None
    if joined is not None and len(joined) > MEDIA_LINKS_MAX:
        raise UserError("error.report.link_long", max=LINK_MAX)
    content = ReportContent(
        turnout=turnout,
        what_happened=what,
        repercussions=repercussions,
        repercussion_details=details,
        media_links=joined,
    )
    if content == ReportContent():
        raise UserError("error.report.empty")
    return content


def draft_of(report: Report) -> Draft:
    """A stored report as a draft, to open the form filled in for editing."""
    return Draft(
        turnout="" if report.turnout is None else str(report.turnout),
        what_happened=_undefused(report.what_happened),
        kinds=kinds_of(report.repercussions),
        details=_undefused(report.repercussion_details),
        links=report.media_links or "",
    )


def _undefused(text: str | None) -> str:
    """Stored text without the zero-width spaces the bot put into mentions (they are put back
    when the form is saved again, and must not count against the typed limit)."""
    return (text or "").replace("\u200b", "")
