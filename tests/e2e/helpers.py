"""Small readers over the message dicts fakediscord records (Discord's own JSON shapes)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any

# The one polling helper (fakediscord's), re-exported for the e2e tests.
from fakediscord.testing import eventually as eventually

VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
USE_APP_COMMANDS = 1 << 31
MANAGE_GUILD = 1 << 5
CREATE_EVENTS = 1 << 44

MEMBER = VIEW_CHANNEL | SEND_MESSAGES | USE_APP_COMMANDS
MODERATOR = MEMBER | MANAGE_GUILD
# Exactly what README.md asks operators to grant: events need Create Events only.
BOT = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | CREATE_EVENTS

# "Now" for the whole session: the Monday before Thanksgiving 2026, noon UTC.
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)

_names = itertools.count(1)


def unique(prefix: str) -> str:
    """A school name no other test uses, so tests sharing one server don't collide."""
    return f"{prefix} {next(_names)}"


EPHEMERAL = 1 << 6


def embed_text(message: dict[str, Any]) -> str:
    """All visible text of a message's embeds, for substring assertions."""
    parts: list[str] = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            parts += [field.get("name") or "", field.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


def field(message: dict[str, Any], name: str) -> str | None:
    for embed in message.get("embeds") or []:
        for f in embed.get("fields") or []:
            if f.get("name") == name:
                return f.get("value")
    return None


def custom_ids(message: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for row in message.get("components") or []:
        for comp in row.get("components") or []:
            if comp.get("custom_id"):
                out.append(comp["custom_id"])
    return out


def walkout_id_from(message: dict[str, Any]) -> int:
    for cid in custom_ids(message):
        m = re.fullmatch(r"walkout:(?:rsvp|ics):(\d+)", cid)
        if m:
            return int(m.group(1))
    raise AssertionError(f"no walkout button in {message!r}")


def text_of(message: dict[str, Any]) -> str:
    return embed_text(message)
