"""REST routes answering interactions: the callback and the webhook (follow-up) endpoints.

Rules enforced: the first callback must come within ``ack_deadline`` (3 s) of the dispatch
reaching the socket, else 404 code 10062 and a violation; a second callback answers 400 code
40060; the callback type must fit the interaction type; follow-ups need an acknowledged
interaction and a token younger than 15 minutes; after a type 5 deferral the first follow-up
fills the "thinking" message (keeping the deferral's ephemerality), as on Discord.
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

from fakediscord.interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MODAL,
    TYPE_NAMES,
    UPDATE_MESSAGE,
    InteractionRecord,
)
from fakediscord.message_store import (
    EPHEMERAL,
    LOADING,
    create_message,
    delete_message,
    edit_message,
)
from fakediscord.routing import (
    ROUTES,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    ApiError,
    RestRequest,
    RestResponse,
    no_content,
    ok,
)
from fakediscord.state import MessageRecord

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord

JSON = dict[str, Any]

CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"


def _callback_response(fake: FakeDiscord, record: InteractionRecord, ctype: int) -> JSON:
    interaction: JSON = {"id": str(record.id), "type": record.type}
    resource: JSON = {"type": ctype}
    if ctype in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE):
        message = fake.state.messages[record.original_message_id or 0]
        interaction["response_message_id"] = str(message.id)
        interaction["response_message_loading"] = bool(message.data["flags"] & LOADING)
        interaction["response_message_ephemeral"] = bool(message.data["flags"] & EPHEMERAL)
        resource["message"] = message.snapshot()
    return {"interaction": interaction, "resource": resource}


def _elapsed(record: InteractionRecord, at: float) -> float:
    start = record.delivered_at if record.delivered_at is not None else record.created_at
    return at - start


def note_rejected_callback(fake: FakeDiscord, req: RestRequest, error: ApiError) -> None:
    """Record a callback refused before reaching the handler (e.g. an invalid body)."""
    raw_id = req.params.get("interaction_id", "")
    record = fake.interactions.get(int(raw_id)) if raw_id.isdigit() else None
    if record is None:
        return
    body = req.json if isinstance(req.json, dict) else {}
    record.attempts.append(
        {
            "status": error.status,
            "code": error.code,
            "type": body.get("type"),
            "data": copy.deepcopy(body.get("data")),
            "elapsed": _elapsed(record, req.received_at or time.monotonic()),
        }
    )
    record.notify()


@ROUTES.route("POST", CALLBACK_ROUTE)
async def interaction_callback(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The first (and only) response to an interaction."""
    raw_id = req.params["interaction_id"]
    record = fake.interactions.get(int(raw_id)) if raw_id.isdigit() else None
    if record is None or record.token != req.params["interaction_token"]:
        raise ApiError(
            404, *UNKNOWN_INTERACTION, violation="callback for an unknown interaction/token"
        )
    body = req.json if isinstance(req.json, dict) else {}
    ctype = body.get("type")
    elapsed = _elapsed(record, req.received_at or time.monotonic())
    attempt: JSON = {
        "status": None,
        "type": ctype,
        "data": copy.deepcopy(body.get("data")),
        "elapsed": elapsed,
    }
    record.attempts.append(attempt)
    try:
        response = _apply_callback(fake, record, req, body, elapsed)
    except ApiError as error:
        attempt["status"] = error.status
        attempt["code"] = error.code
        record.notify()
        raise
    attempt["status"] = response.status
    record.notify()
    return response


def _apply_callback(
    fake: FakeDiscord, record: InteractionRecord, req: RestRequest, body: JSON, elapsed: float
) -> RestResponse:
    ctype = body.get("type")
    data = body.get("data") if isinstance(body.get("data"), dict) else None
    if record.acked:
        raise ApiError(
            400,
            40060,
            "Interaction has already been acknowledged.",
            violation=(
                f"{record.label}: second callback (type {ctype}) for an acknowledged interaction"
            ),
        )
    if record.expired or elapsed > fake.ack_deadline:
        record.expired = True
        raise ApiError(
            404,
            *UNKNOWN_INTERACTION,
            violation=(
                f"{record.label}: first callback (type {ctype}) came {elapsed:.2f}s "
                "after dispatch; "
                f"Discord allows {fake.ack_deadline:.0f}s"
            ),
        )
    allowed = ALLOWED_CALLBACKS.get(record.type, set())
    from_message = record.source_message_id is not None
    if ctype not in allowed or (
        ctype in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE) and not from_message
    ):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {
                "type": {
                    "_errors": [
                        {
                            "code": "INTERACTION_CALLBACK_TYPE_INVALID",
                            "message": "Invalid callback type for this interaction.",
                        }
                    ]
                }
            },
            violation=(
                f"{record.label}: callback type {ctype} is not valid for "
                f"{TYPE_NAMES.get(record.type)}"
            ),
        )
    message_type = 20 if record.type == APPLICATION_COMMAND else 0
    if ctype == CHANNEL_MESSAGE:
        payload = data or {}
        if not (
            payload.get("content")
            or payload.get("embeds")
            or payload.get("components")
            or req.files
            or payload.get("poll")
        ):
            raise ApiError(
                400,
                50006,
                "Cannot send an empty message",
                violation=f"{record.label}: empty message response",
            )
        message = create_message(
            fake,
            record.channel,
            payload,
            req.files,
            interaction=record.message_meta(),
            interaction_id=record.id,
            message_type=message_type,
            ephemeral=bool(int(payload.get("flags") or 0) & EPHEMERAL),
        )
        record.original_message_id = message.id
    elif ctype == DEFERRED_CHANNEL_MESSAGE:
        flags = int((data or {}).get("flags") or 0)
        message = create_message(
            fake,
            record.channel,
            {},
            [],
            interaction=record.message_meta(),
            interaction_id=record.id,
            message_type=message_type,
            ephemeral=bool(flags & EPHEMERAL),
            loading=True,
        )
        record.original_message_id = message.id
    elif ctype == DEFERRED_UPDATE_MESSAGE:
        record.original_message_id = record.source_message_id
    elif ctype == UPDATE_MESSAGE:
        source = fake.state.messages.get(record.source_message_id or 0)
        if source is None or source.deleted:
            raise ApiError(404, *UNKNOWN_MESSAGE)
        record.edits.append(edit_message(fake, source, data or {}, req.files))
        record.original_message_id = source.id
    elif ctype == AUTOCOMPLETE_RESULT:
        record.choices = copy.deepcopy((data or {}).get("choices") or [])
    elif ctype == MODAL:
        record.modal = copy.deepcopy(data)
    record.acked = True
    record.first = {"type": ctype, "data": copy.deepcopy(data), "elapsed": elapsed}
    if req.flag("with_response"):
        return ok(_callback_response(fake, record, int(ctype)))
    return no_content()


# =========================================================================== REST: webhooks
def _webhook_record(fake: FakeDiscord, req: RestRequest) -> InteractionRecord:
    if req.params.get("webhook_id") != str(fake.state.application_id):
        raise ApiError(404, *UNKNOWN_WEBHOOK, violation="webhook id is not the application id")
    record = fake.interactions_by_token.get(req.params.get("webhook_token", ""))
    if record is None:
        raise ApiError(
            404, *UNKNOWN_WEBHOOK, violation="webhook call with an unknown interaction token"
        )
    if time.monotonic() - record.created_at > fake.token_ttl:
        raise ApiError(
            401,
            50027,
            "Invalid Webhook Token",
            violation=f"{record.label}: token used after 15 minutes",
        )
    return record


def _original(fake: FakeDiscord, record: InteractionRecord) -> MessageRecord:
    message = fake.state.messages.get(record.original_message_id or 0)
    if message is None or message.deleted:
        raise ApiError(404, *UNKNOWN_MESSAGE)
    return message


def _owned_message(fake: FakeDiscord, record: InteractionRecord, req: RestRequest) -> MessageRecord:
    raw = req.params.get("message_id", "")
    message = fake.state.messages.get(int(raw)) if raw.isdigit() else None
    ids = {record.original_message_id, *record.followup_ids}
    if message is None or message.deleted or message.id not in ids:
        raise ApiError(404, *UNKNOWN_MESSAGE)
    return message


@ROUTES.route("POST", "/webhooks/{webhook_id}/{webhook_token}")
async def create_followup(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """A follow-up; after a type 5 deferral the first one fills the "thinking" message."""
    record = _webhook_record(fake, req)
    if not record.acked:
        raise ApiError(
            404,
            *UNKNOWN_WEBHOOK,
            violation=f"{record.label}: follow-up before the interaction was acknowledged",
        )
    body = req.json if isinstance(req.json, dict) else {}
    if not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or req.files
        or body.get("poll")
    ):
        raise ApiError(
            400, 50006, "Cannot send an empty message", violation=f"{record.label}: empty follow-up"
        )
    original = fake.state.messages.get(record.original_message_id or 0)
    if original is not None and original.data["flags"] & LOADING and not original.deleted:
        snapshot = edit_message(fake, original, body, req.files)
        record.followup_ids.append(original.id)
    else:
        flags = int(body.get("flags") or 0)
        message = create_message(
            fake,
            record.channel,
            body,
            req.files,
            interaction=record.message_meta(followup_of=record.original_message_id),
            interaction_id=record.id,
            message_type=20 if record.type == APPLICATION_COMMAND else 0,
            ephemeral=bool(flags & EPHEMERAL),
        )
        record.followup_ids.append(message.id)
        snapshot = message.snapshot()
    record.notify()
    if req.flag("wait"):
        return ok(snapshot)
    return no_content()


@ROUTES.route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
async def get_original(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """The @original response message."""
    record = _webhook_record(fake, req)
    return ok(_original(fake, record).snapshot())


@ROUTES.route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
async def edit_original(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Edit @original (the deferred message, the response, or the component's message)."""
    record = _webhook_record(fake, req)
    if not record.acked:
        raise ApiError(
            404, *UNKNOWN_MESSAGE, violation=f"{record.label}: edit of @original before a response"
        )
    if record.original_message_id is None and record.source_message_id is not None:
        record.original_message_id = record.source_message_id
    message = _original(fake, record)
    body = req.json if isinstance(req.json, dict) else {}
    snapshot = edit_message(fake, message, body, req.files)
    record.edits.append(snapshot)
    record.notify()
    return ok(snapshot)


@ROUTES.route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
async def delete_original(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Delete @original."""
    record = _webhook_record(fake, req)
    delete_message(fake, _original(fake, record))
    record.notify()
    return no_content()


@ROUTES.route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def get_followup(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """A message sent through this interaction token."""
    record = _webhook_record(fake, req)
    return ok(_owned_message(fake, record, req).snapshot())


@ROUTES.route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def edit_followup(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Edit a message sent through this interaction token."""
    record = _webhook_record(fake, req)
    message = _owned_message(fake, record, req)
    body = req.json if isinstance(req.json, dict) else {}
    snapshot = edit_message(fake, message, body, req.files)
    record.edits.append(snapshot)
    record.notify()
    return ok(snapshot)


@ROUTES.route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def delete_followup(fake: FakeDiscord, req: RestRequest) -> RestResponse:
    """Delete a message sent through this interaction token."""
    record = _webhook_record(fake, req)
    delete_message(fake, _owned_message(fake, record, req))
    record.notify()
    return no_content()
