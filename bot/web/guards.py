"""Guards against bad input before a route sees it: body size, a body that is not JSON, text that is not plain text.

- `BodySizeLimit` (ASGI middleware) answers 413 to a body over the limit,
  whether it declares its length (Content-Length, refused before reading) or
  not (chunked transfer: read up to the limit, then refused), so no request
  makes the service buffer more than the limit, and closes the connection.
- `JsonBodyOnly` (ASGI middleware) answers 415 to a POST to a JSON route
  without `Content-Type: application/json`, from the headers alone.
- `PlainText` is a strict string type for request models that refuses the
  C0 and C1 control characters other than line feed, carriage return and tab
  (NUL, escape sequences, DEL ...) and lone surrogates, which JSON can carry
  (`"\\ud800"`) but UTF-8 cannot encode (they would fail later, on the way to
  Rasa or in a response). errors.py turns both refusals into French 422s.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable, Iterator, Optional

from pydantic import StrictStr
from pydantic.errors import PydanticValueError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web import messages as M
from bot.web.errors import error_body

log = logging.getLogger(__name__)

# C0 controls except \t \n \r, DEL, C1 controls.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SURROGATES = re.compile("[\ud800-\udfff]")


class ControlCharactersError(PydanticValueError):
    code = "control_characters"  # error type: value_error.control_characters
    msg_template = "control characters other than \\n, \\r and \\t are not accepted"


class InvalidUnicodeError(PydanticValueError):
    code = "invalid_unicode"  # error type: value_error.invalid_unicode
    msg_template = "lone surrogates are not valid Unicode text"


class PlainText(StrictStr):
    """A JSON string without control characters (but \\n, \\r, \\t) and without lone surrogates."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield from super().__get_validators__()
        yield cls._plain

    @classmethod
    def _plain(cls, value: str) -> str:
        if CONTROL_CHARACTERS.search(value):
            raise ControlCharactersError()
        if SURROGATES.search(value):
            raise InvalidUnicodeError()
        return value


class BodySizeLimit:
    """413 with a French JSON body for a request body over `max_bytes` (or its path's own limit)."""

    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: Optional[dict[str, int]] = None):
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope["path"], self.max_bytes)
        length = Headers(scope=scope).get("content-length")
        if length is not None:
            if length.isdigit() and int(length) > limit:
                await self._refuse(scope, receive, send, limit)
                return
            # The server delivers no more than the declared length (the rest would be another request).
            await self.app(scope, receive, send)
            return
        # No declared length (chunked transfer): read at most the limit before the route runs.
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":  # the client went away: pass that on
                break
            size += len(message.get("body", b""))
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        log.info("http.body_too_large method=%s path=%r limit=%d", scope.get("method"), scope.get("path"), limit)
        response = error_body(413, M.BODY_TOO_LARGE.format(limit=limit), "body_too_large")
        # Close the connection: otherwise the server goes on reading (and dropping) the rest of
        # the body, for ever if the client streams without end.
        response.headers["connection"] = "close"
        await response(scope, receive, send)


def is_json_media_type(content_type: Optional[str]) -> bool:
    """True for `application/json`, with or without parameters (`; charset=utf-8`), in any case."""
    return bool(content_type) and content_type.split(";", 1)[0].strip().lower() == "application/json"


class JsonBodyOnly:
    """415 with a French JSON body for a POST to one of `paths` whose Content-Type is not JSON.

    FastAPI parses a body that has no Content-Type as JSON. A foreign page may
    send such a request with `fetch(..., {mode: "no-cors"})` (a plain POST
    needs no CORS preflight), so without this guard any site could start
    conversations in its visitors' names. Requiring `application/json` makes
    the browser ask (preflight) first, and CORS then decides. The check reads
    headers only: the body is never read.
    """

    def __init__(self, app: ASGIApp, paths: tuple[str, ...]):
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope.get("method") != "POST" or scope["path"] not in self.paths
                or is_json_media_type(Headers(scope=scope).get("content-type"))):
            await self.app(scope, receive, send)
            return
        log.info("http.bad_input status=415 code=unsupported_media_type method=POST path=%r", scope["path"])
        await error_body(415, M.NOT_JSON, "unsupported_media_type")(scope, receive, send)
