"""Plumbing shared by the REST handlers: request/response types, API errors, the route table.

Handlers are registered per (HTTP method, spec path template) with :data:`ROUTES` and get the
:class:`~fakediscord.server.FakeDiscord` plus a parsed :class:`RestRequest`.  They return a
:class:`RestResponse` or raise :class:`ApiError`, which the server turns into Discord's error
JSON (``{"message", "code"}`` and, for 50035, ``errors``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDictProxy, MultiDictProxy

if TYPE_CHECKING:
    from fakediscord.server import FakeDiscord


@dataclass
class UploadedFile:
    """A file part of a multipart request (``files[n]``)."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RestRequest:
    """A parsed REST request as handlers see it."""

    method: str
    path: str
    template: str
    params: dict[str, str]
    query: MultiDictProxy[str]
    headers: CIMultiDictProxy[str]
    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    #: ``time.monotonic()`` when the request arrived (before parsing and any ``latency``).
    received_at: float = 0.0

    def snowflake(self, name: str, unknown: tuple[int, str]) -> int:
        """Path parameter ``name`` as an int; a non-numeric value answers 404 ``unknown``."""
        value = self.params.get(name, "")
        if not value.isdigit():
            raise ApiError(404, unknown[0], unknown[1])
        return int(value)

    def flag(self, name: str) -> bool:
        """A boolean query parameter (``true``/``1``/``True``)."""
        return self.query.get(name, "").lower() in ("1", "true", "yes")


@dataclass
class RestResponse:
    """What a handler answers: status, JSON-able body (None for 204) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def ok(body: Any, status: int = 200) -> RestResponse:
    """A JSON answer."""
    return RestResponse(status=status, body=body)


def no_content() -> RestResponse:
    """204 No Content."""
    return RestResponse(status=204)


class ApiError(Exception):
    """An error answer in Discord's format."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        *,
        violation: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        #: When set, the server also records this text as a violation.
        self.violation = violation

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


# Common errors
UNKNOWN_CHANNEL = (10003, "Unknown Channel")
UNKNOWN_GUILD = (10004, "Unknown Guild")
UNKNOWN_MEMBER = (10007, "Unknown Member")
UNKNOWN_MESSAGE = (10008, "Unknown Message")
UNKNOWN_USER = (10013, "Unknown User")
UNKNOWN_WEBHOOK = (10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (10062, "Unknown interaction")
UNKNOWN_COMMAND = (10063, "Unknown application command")
UNKNOWN_EVENT = (10070, "Unknown Guild Scheduled Event")
UNKNOWN_APPLICATION = (10002, "Unknown Application")


def missing_permissions() -> ApiError:
    """403, code 50013."""
    return ApiError(403, 50013, "Missing Permissions")


Handler = Callable[["FakeDiscord", RestRequest], Awaitable[RestResponse]]


class RouteTable:
    """(METHOD, template) -> handler."""

    def __init__(self) -> None:
        self.handlers: dict[tuple[str, str], Handler] = {}

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        """Decorator registering a handler for ``method`` on a spec path ``template``."""

        def register(func: Handler) -> Handler:
            self.handlers[(method.upper(), template)] = func
            return func

        return register

    def get(self, method: str, template: str) -> Handler | None:
        """The handler, if any."""
        return self.handlers.get((method.upper(), template))


ROUTES = RouteTable()
