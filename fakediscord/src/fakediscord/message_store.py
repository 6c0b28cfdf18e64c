"""Creating and editing messages the way Discord does, shared by channel, webhook and
interaction routes.

Messages are stored as full message objects (id, author, timestamps, embeds, components with
ids, attachments with URLs served by the fake) so discord.py can parse every answer, and so
tests can assert on exactly what a user would see.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fakediscord.routing import UploadedFile
from fakediscord.state import FakeChannel, MessageRecord, iso_now

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord

EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_EMBEDS = 1 << 2
IS_COMPONENTS_V2 = 1 << 15
#: Flags a bot may set when creating / editing a message.
CREATE_FLAGS = SUPPRESS_EMBEDS | EPHEMERAL | (1 << 12) | IS_COMPONENTS_V2
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_FILE_FIELD = re.compile(r"^files\[(\d+)\]$")


def normalize_embeds(embeds: Any) -> list[dict[str, Any]]:
    """Embeds as Discord returns them (``type: rich`` added when missing)."""
    out: list[dict[str, Any]] = []
    for embed in embeds or []:
        if isinstance(embed, dict):
            item = copy.deepcopy(embed)
            item.setdefault("type", "rich")
            out.append(item)
    return out


def normalize_components(components: Any) -> list[dict[str, Any]]:
    """Components with Discord's numeric ``id`` filled in depth-first where missing."""
    result = copy.deepcopy(components or [])
    counter = [0]
    used: set[int] = set()

    def collect(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, dict):
                if isinstance(item.get("id"), int):
                    used.add(item["id"])
                collect(item.get("components") or [])
                for key in ("accessory", "component"):
                    if isinstance(item.get(key), dict):
                        collect([item[key]])

    def assign(items: list[Any]) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            if not isinstance(item.get("id"), int):
                counter[0] += 1
                while counter[0] in used:
                    counter[0] += 1
                item["id"] = counter[0]
            if item.get("type") == 2:
                item.setdefault("disabled", False)
            assign(item.get("components") or [])
            for key in ("accessory", "component"):
                if isinstance(item.get(key), dict):
                    assign([item[key]])

    collect(result)
    assign(result)
    return result


def iter_components(components: Any) -> list[dict[str, Any]]:
    """Flatten a component tree (rows, sections, containers, labels)."""
    out: list[dict[str, Any]] = []
    for item in components or []:
        if not isinstance(item, dict):
            continue
        out.append(item)
        out.extend(iter_components(item.get("components")))
        for key in ("accessory", "component"):
            if isinstance(item.get(key), dict):
                out.extend(iter_components([item[key]]))
    return out


def _attachments(
    fake: FakeDiscord,
    channel_id: int,
    body: dict[str, Any],
    files: list[UploadedFile],
    existing: list[dict[str, Any]],
    record_files: dict[int, tuple[str, bytes]],
    *,
    ephemeral: bool,
) -> list[dict[str, Any]]:
    by_index: dict[str, UploadedFile] = {}
    loose: list[UploadedFile] = []
    for upload in files:
        match = _FILE_FIELD.match(upload.field_name)
        if match:
            by_index[match.group(1)] = upload
        else:
            loose.append(upload)
    kept: list[dict[str, Any]] = []
    described: dict[str, dict[str, Any]] = {}
    listed = body.get("attachments")
    if isinstance(listed, list):
        existing_ids = {a["id"]: a for a in existing}
        for item in listed:
            if not isinstance(item, dict):
                continue
            key = str(item.get("id"))
            if key in existing_ids:
                kept.append(existing_ids[key])
            else:
                described[key] = item
    else:
        kept = list(existing)
    new_uploads = [
        (key, upload) for key, upload in sorted(by_index.items(), key=lambda kv: int(kv[0]))
    ]
    new_uploads += [(f"loose{i}", upload) for i, upload in enumerate(loose)]
    for key, upload in new_uploads:
        meta = described.get(key, {})
        attachment_id = fake.state.snowflakes.next()
        filename = str(meta.get("filename") or upload.filename or "file")
        url = f"{fake.http_base}/attachments/{channel_id}/{attachment_id}/{quote(filename)}"
        attachment: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type or "application/octet-stream",
        }
        if meta.get("description"):
            attachment["description"] = meta["description"]
        if ephemeral:
            attachment["ephemeral"] = True
        fake.state.attachments[attachment_id] = (filename, upload.data, attachment["content_type"])
        record_files[attachment_id] = (filename, upload.data)
        kept.append(attachment)
    return kept


def _mentions(fake: FakeDiscord, content: str) -> tuple[list[dict[str, Any]], list[str]]:
    users = []
    for user_id in dict.fromkeys(_USER_MENTION.findall(content or "")):
        user = fake.state.users.get(int(user_id))
        if user is not None:
            users.append(user)
    roles = list(dict.fromkeys(_ROLE_MENTION.findall(content or "")))
    return users, roles


def create_message(
    fake: FakeDiscord,
    channel: FakeChannel,
    body: dict[str, Any],
    files: list[UploadedFile],
    *,
    interaction: dict[str, Any] | None = None,
    interaction_id: int | None = None,
    message_type: int = 0,
    ephemeral: bool = False,
    loading: bool = False,
) -> MessageRecord:
    """Create and store a message authored by the bot, and dispatch MESSAGE_CREATE."""
    message_id = fake.state.snowflakes.next()
    flags = int(body.get("flags") or 0) & CREATE_FLAGS
    if ephemeral:
        flags |= EPHEMERAL
    if loading:
        flags |= LOADING
    content = body.get("content") or ""
    mentions, mention_roles = _mentions(fake, content)
    record = MessageRecord(
        data={},
        channel_id=channel.id,
        ephemeral=bool(flags & EPHEMERAL),
        interaction_id=interaction_id,
    )
    data: dict[str, Any] = {
        "id": str(message_id),
        "type": message_type,
        "channel_id": str(channel.id),
        "author": fake.state.bot_user,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": mentions,
        "mention_roles": mention_roles,
        "attachments": [],
        "embeds": normalize_embeds(body.get("embeds")),
        "components": normalize_components(body.get("components")),
        "pinned": False,
        "flags": flags,
    }
    data["attachments"] = _attachments(
        fake, channel.id, body, files, [], record.files, ephemeral=record.ephemeral
    )
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if body.get("poll") is not None:
        data["poll"] = copy.deepcopy(body["poll"])
    if interaction is not None:
        data["webhook_id"] = str(fake.state.application_id)
        data["application_id"] = str(fake.state.application_id)
        data["interaction_metadata"] = interaction["metadata"]
        if "legacy" in interaction:
            data["interaction"] = interaction["legacy"]
    if body.get("message_reference"):
        data["message_reference"] = {
            "type": 0,
            "channel_id": str(channel.id),
            **{k: str(v) if k.endswith("_id") else v for k, v in body["message_reference"].items()},
        }
    record.data = data
    fake.state.store_message(record)
    if not record.ephemeral:
        fake.dispatch_message_event("MESSAGE_CREATE", channel, copy.deepcopy(data))
    return record


def edit_message(
    fake: FakeDiscord,
    record: MessageRecord,
    body: dict[str, Any],
    files: list[UploadedFile],
) -> dict[str, Any]:
    """Apply an edit (PATCH body) to a stored message; returns the new message object."""
    data = record.data
    if "content" in body:
        data["content"] = body["content"] or ""
        data["mentions"], data["mention_roles"] = _mentions(fake, data["content"])
    if "embeds" in body:
        data["embeds"] = normalize_embeds(body["embeds"])
    if "components" in body:
        data["components"] = normalize_components(body["components"])
    if "flags" in body and body["flags"] is not None:
        keep = data["flags"] & (EPHEMERAL | IS_COMPONENTS_V2)
        data["flags"] = keep | (int(body["flags"]) & SUPPRESS_EMBEDS)
    if "poll" in body and body["poll"] is not None:
        data["poll"] = copy.deepcopy(body["poll"])
    if "attachments" in body or files:
        data["attachments"] = _attachments(
            fake,
            record.channel_id,
            body,
            files,
            data.get("attachments", []),
            record.files,
            ephemeral=record.ephemeral,
        )
    data["flags"] &= ~LOADING
    data["edited_timestamp"] = iso_now()
    snapshot = record.snapshot()
    record.history.append(snapshot)
    channel = fake.state.channels.get(record.channel_id)
    if channel is not None and not record.ephemeral:
        fake.dispatch_message_event("MESSAGE_UPDATE", channel, copy.deepcopy(data))
    return snapshot


def delete_message(fake: FakeDiscord, record: MessageRecord) -> None:
    """Mark a message deleted and dispatch MESSAGE_DELETE."""
    record.deleted = True
    channel = fake.state.channels.get(record.channel_id)
    if channel is not None and not record.ephemeral:
        payload: dict[str, Any] = {"id": str(record.id), "channel_id": str(channel.id)}
        fake.dispatch_message_event("MESSAGE_DELETE", channel, payload)
